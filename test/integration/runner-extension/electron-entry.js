// The extensionTestsPath module for @vscode/test-electron: VS Code calls `run()` inside the
// extension host once the extension under development is loaded. It runs the same bundled
// suites through the same mocha wrapper as the code-server runner extension.
'use strict';
const { runSuites } = require('./run-suites.js');

async function run() {
  const bundles = (process.env.SCAN_LEDGER_TEST_BUNDLES || '').split(':').filter(Boolean);
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
