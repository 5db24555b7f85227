// Shared by the code-server runner extension and the @vscode/test-electron entry point: loads
// mocha, runs the bundled suites, and writes a JSON result file the outer runner reads.
'use strict';
const fs = require('node:fs');

// The default per-test timeout; suites that need longer set their own. Generous, because the
// suites run on loaded CI machines where an extension host can stall for seconds.
const DEFAULT_TIMEOUT_MS = Number(process.env.SCAN_LEDGER_TEST_TIMEOUT_MS) || 120000;

function runSuites({ bundles, resultsFile, mochaPath, grep, timeout = DEFAULT_TIMEOUT_MS }) {
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
      // Written under another name and renamed, so the outer runner never reads half a file.
      fs.writeFileSync(`${resultsFile}.tmp`, JSON.stringify(result, null, 2));
      fs.renameSync(`${resultsFile}.tmp`, resultsFile);
      resolve(result);
    });
    // A progress file, one line per finished test, tells the outer runner that the suites
    // started (so a session that never gets here can be started again) and, on a timeout,
    // which test finished last.
    const progress = `${resultsFile}.progress`;
    const note = (line) => {
      try {
        fs.appendFileSync(progress, `${line}\n`);
      } catch {
        // Progress is a diagnostic; the result file is what counts.
      }
    };
    note('suites started');
    runner.on('pass', (t) => {
      tests.push({ title: t.fullTitle(), state: 'passed' });
      note(`ok ${t.fullTitle()}`);
    });
    runner.on('fail', (t) => note(`FAIL ${t.fullTitle()}`));
    runner.on('fail', (t, err) => {
      tests.push({ title: t.fullTitle(), state: 'failed' });
      failures.push({ title: t.fullTitle(), error: String((err && err.stack) || err) });
    });
  });
}

module.exports = { runSuites };
