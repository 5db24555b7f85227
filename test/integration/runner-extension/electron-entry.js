// The extensionTestsPath module for @vscode/test-electron: VS Code calls `run()` inside the
// extension host once the extension under development is loaded. It runs the same bundled
// suites through the same mocha wrapper as the code-server runner extension.
'use strict';
const { runSuites } = require('./run-suites.js');

/**
 * The suites to run: a ':'-separated list of bundles, or a folder whose *.test.js bundles run in
 * name order (what the "Extension Tests" launch configuration passes).
 */
function bundlePaths(value) {
  const fs = require('node:fs');
  const path = require('node:path');
  if (value && !value.includes(':') && fs.existsSync(value) && fs.statSync(value).isDirectory()) {
    return fs.readdirSync(value).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(value, f));
  }
  return value.split(':').filter(Boolean);
}

async function run() {
  const bundles = bundlePaths(process.env.SCAN_LEDGER_TEST_BUNDLES || '');
  const result = await runSuites({
    bundles,
    resultsFile: process.env.SCAN_LEDGER_TEST_RESULTS,
    mochaPath: process.env.SCAN_LEDGER_MOCHA_PATH,
    grep: process.env.SCAN_LEDGER_TEST_GREP,
  });
  if (result.tests.length === 0) throw new Error('no extension-host test ran');
  if (result.failed > 0) throw new Error(`${result.failed} extension-host test(s) failed`);
}

module.exports = { run };
