// Shared by both runners (code-server in test/e2e, @vscode/test-electron here): builds the
// extension, bundles the extension-host suites, and prepares a fresh copy of the fixture
// workspace, so both run exactly the same code against the same files.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${r.status}`);
}

/** Builds dist/ (extension, CLI, webview script) with the project's esbuild script. */
export function buildExtension() {
  run(process.execPath, ['esbuild.mjs'], { cwd: root });
}

/**
 * Bundles test/integration/suite/*.test.ts into CommonJS files in `outDir`, one per suite, with
 * `vscode` left to the editor and mocha to the runner, and the ESLint reports inlined as text.
 * Returns the bundles' paths in run order.
 */
export function bundleSuites(outDir) {
  const suiteDir = join(root, 'test', 'integration', 'suite');
  const sources = readdirSync(suiteDir).filter((f) => f.endsWith('.test.ts')).sort();
  run(join(root, 'node_modules', '.bin', 'esbuild'), [
    ...sources.map((f) => join(suiteDir, f)),
    '--bundle', '--platform=node', '--format=cjs', '--target=node20', '--external:vscode', '--external:mocha',
    '--loader:.sarif=text', '--main-fields=module,main', `--outdir=${outDir}`, '--log-level=warning',
  ], { cwd: root });
  return sources.map((f) => join(outDir, f.replace(/\.ts$/, '.js')));
}

/** A fresh copy of the fixture workspace in `runDir`, made a git repository as a real checkout is. */
export function prepareWorkspace(runDir) {
  const ws = join(runDir, 'workspace');
  cpSync(join(root, 'test', 'integration', 'workspace'), ws, { recursive: true });
  // A git repository gives triage an author name and imports a commit, as in a real checkout.
  spawnSync('git', ['init', '-q'], { cwd: ws });
  spawnSync('git', ['config', 'user.name', 'E2E Tester'], { cwd: ws });
  return ws;
}

/** Where mocha is, for the runner inside the extension host. */
export const mochaPath = join(root, 'node_modules', 'mocha');

// `node test/integration/build-suites.mjs <dir>` (the "prepare extension tests" task of
// .vscode/tasks.json): the suites bundled into <dir>/suites and a fresh fixture workspace in
// <dir>/workspace, for the "Extension Tests" launch configuration, which runs them in the
// VS Code being debugged.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(root, '.cache', 'integration'));
  rmSync(outDir, { recursive: true, force: true });
  const bundles = bundleSuites(join(outDir, 'suites'));
  const workspace = prepareWorkspace(outDir);
  process.stdout.write(`${bundles.length} suites in ${join(outDir, 'suites')}; workspace ${workspace}\n`);
}
