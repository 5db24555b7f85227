#!/usr/bin/env node
// `npm run test:integration`: the extension-host suites under @vscode/test-electron, in a VS Code
// downloaded from Microsoft's update servers (cached in .cache/vscode-test). Two sessions, as in
// the code-server runner: a trusted one for the main suites, then a Restricted Mode one for the
// suites titled `untrusted`. Where VS Code cannot be downloaded (no internet, as in this
// project's CI), it stops with one message pointing at `npm run test:e2e`, which runs the same
// suites in code-server.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { buildExtension, bundleSuites, mochaPath, prepareWorkspace, root } from './build-suites.mjs';

function log(message) {
  process.stdout.write(`[integration] ${message}\n`);
}

async function downloadVSCode() {
  try {
    return await downloadAndUnzipVSCode({ cachePath: join(root, '.cache', 'vscode-test'), version: process.env.SCAN_LEDGER_VSCODE_VERSION ?? 'stable' });
  } catch (error) {
    process.stderr.write(
      `[integration] VS Code could not be downloaded (${error instanceof Error ? error.message : String(error)}). ` +
        '`npm run test:integration` needs access to update.code.visualstudio.com; ' +
        '`npm run test:e2e` runs the same suites in code-server, installed from the npm registry.\n',
    );
    process.exit(1);
  }
}

async function session({ name, vscodeExecutablePath, bundles, trusted, grep }) {
  const runDir = mkdtempSync(join(tmpdir(), `scan-ledger-integration-${name}-`));
  const workspace = prepareWorkspace(runDir);
  const userDataDir = join(runDir, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  // Restricted Mode without the start-up dialog, which nobody would answer.
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ 'security.workspace.trust.startupPrompt': 'never', 'workbench.startupEditor': 'none' }));
  const resultsFile = join(runDir, 'results.json');
  log(`${name}: running the suites in VS Code`);
  let failedRun;
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'test', 'integration', 'runner-extension', 'electron-entry.js'),
      launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${userDataDir}`, ...(trusted ? ['--disable-workspace-trust'] : [])],
      extensionTestsEnv: {
        SCAN_LEDGER_TEST_BUNDLES: bundles.join(':'),
        SCAN_LEDGER_TEST_RESULTS: resultsFile,
        SCAN_LEDGER_MOCHA_PATH: mochaPath,
        SCAN_LEDGER_TEST_GREP: grep,
      },
    });
  } catch (error) {
    failedRun = error;
  }
  let result;
  try {
    result = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    throw new Error(`${name}: the suites wrote no results (${failedRun instanceof Error ? failedRun.message : 'VS Code exited early'})`);
  }
  for (const t of result.tests) log(`${name}: ${t.state === 'passed' ? 'ok  ' : 'FAIL'} ${t.title}`);
  for (const f of result.failures) log(`${name}: failure in ${f.title}\n${f.error}`);
  return result;
}

async function main() {
  const vscodeExecutablePath = await downloadVSCode();
  log('building the extension and the suites');
  buildExtension();
  const bundles = bundleSuites(mkdtempSync(join(tmpdir(), 'scan-ledger-integration-build-')));
  const trusted = await session({ name: 'trusted', vscodeExecutablePath, bundles, trusted: true, grep: '^(?!untrusted|benchmark|real repository)' });
  const untrusted = await session({ name: 'untrusted', vscodeExecutablePath, bundles, trusted: false, grep: '^untrusted' });
  const passed = trusted.passed + untrusted.passed;
  const failed = trusted.failed + untrusted.failed;
  process.stdout.write(`integration: ${passed} passed, ${failed} failed\n`);
  if (trusted.tests.length === 0 || untrusted.tests.length === 0) throw new Error('a session ran no extension-host test');
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`[integration] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
