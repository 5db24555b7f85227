// Shared by the code-server runner extension and the @vscode/test-electron entry point: loads
// mocha, runs the bundled suites, and writes a JSON result file the outer runner reads.
'use strict';
const fs = require('node:fs');

function runSuites({ bundles, resultsFile, mochaPath, grep, timeout = 60000 }) {
  // Mocha 11+ is an ES module package whose CommonJS build sits in lib/mocha.cjs; requiring
  // that file works in every Node the extension host may run (require(esm) needs Node 22+).
  const cjs = require('node:path').join(mochaPath, 'lib', 'mocha.cjs');
  const Mocha = require(fs.existsSync(cjs) ? cjs : mochaPath);
  const mocha = new Mocha({ ui: 'bdd', timeout, color: false, reporter: 'spec', grep: grep || undefined });
  for (const b of bundles) mocha.addFile(b);
  const tests = [];
  const failures = [];
  return new Promise((resolve) => {
    const runner = mocha.run((failed) => {
      const result = { done: true, passed: tests.filter((t) => t.state === 'passed').length, failed, failures, tests };
      fs.writeFileSync(resultsFile, JSON.stringify(result, null, 2));
      resolve(result);
    });
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed' }));
    runner.on('fail', (t, err) => {
      tests.push({ title: t.fullTitle(), state: 'failed' });
      failures.push({ title: t.fullTitle(), error: String((err && err.stack) || err) });
    });
  });
}

module.exports = { runSuites };
