// Runs the integration suites in the extension host when the e2e runner asks for it through
// environment variables (code-server passes its environment to the extension host). It is a
// plain CommonJS file because it is copied as is into code-server's extensions folder.
'use strict';
const { runSuites } = require('./run-suites.js');

function activate(context) {
  // The extension host's log folder, for suites that read what an extension wrote to its log
  // channel (each extension's channel file lies in a folder named after it next to this one).
  if (context && context.logUri) process.env.SCAN_LEDGER_TEST_LOG_DIR = context.logUri.fsPath;
  const bundles = process.env.SCAN_LEDGER_TEST_BUNDLES;
  const resultsFile = process.env.SCAN_LEDGER_TEST_RESULTS;
  const mochaPath = process.env.SCAN_LEDGER_MOCHA_PATH;
  if (!bundles || !resultsFile || !mochaPath) return;
  // Run after activation returns, so the workbench finishes starting first.
  setTimeout(() => {
    runSuites({ bundles: bundles.split(':').filter(Boolean), resultsFile, mochaPath, grep: process.env.SCAN_LEDGER_TEST_GREP }).catch((err) => {
      require('node:fs').writeFileSync(resultsFile, JSON.stringify({ done: true, passed: 0, failed: 1, failures: [{ title: 'runner', error: String(err && err.stack || err) }], tests: [] }));
    });
  }, 1000);
}

function deactivate() {}

module.exports = { activate, deactivate };
