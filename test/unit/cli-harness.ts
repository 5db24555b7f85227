import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { StoreData } from '../../src/model';
import { readStoreSync, storeBytesSync } from '../store-files';

/**
 * Runs the real `scan-ledger` CLI in a child process. The tests need no prior build: the CLI is
 * bundled from the current sources once per test run, into a temporary folder, with the same
 * esbuild settings as dist/cli.js (so the bundle that ships is what is tested, and each run
 * starts in a tenth of the time tsx takes). `SCAN_LEDGER_CLI_RUNNER=tsx` runs the TypeScript
 * sources through tsx instead. Each test gets its own workspace folder with the fixture
 * reports copied in.
 */

export const REPO = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(REPO, 'test', 'cli-fixtures');
const MAIN = path.join(REPO, 'src', 'cli', 'main.ts');

let cliArgs: string[] | null = null;
let bundleDir: string | null = null;

/** The node arguments that start the CLI, bundling it on first use. */
function cliCommand(): string[] {
  if (cliArgs) return cliArgs;
  if (process.env.SCAN_LEDGER_CLI_RUNNER === 'tsx') {
    const loader = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
    cliArgs = ['--import', loader, MAIN];
    return cliArgs;
  }
  bundleDir = mkdtempSync(path.join(tmpdir(), 'scan-ledger-cli-bundle-'));
  const outfile = path.join(bundleDir, 'cli.js');
  // The settings of esbuild.mjs's CLI entry (mainFields: jsonc-parser's UMD build cannot be
  // bundled, its ES module build can).
  buildSync({
    entryPoints: [MAIN],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  process.once('exit', () => {
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });
  cliArgs = ['--enable-source-maps', outfile];
  return cliArgs;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The workspace folder is named `app`, so the default product is "app". */
export const WORKSPACE_NAME = 'app';

export interface Workspace {
  root: string;
  storePath: string;
  run(...args: string[]): CliRun;
  /** Starts the CLI without waiting, so several processes can run against one store at once. */
  start(...args: string[]): Promise<CliRun>;
  /** Starts the CLI with piped streams left to the caller (to close stdout early, like `| head`). */
  spawn(...args: string[]): ChildProcess;
  /** Runs and parses stdout as JSON, failing with the stderr text when the run did not succeed. */
  json<T = unknown>(...args: string[]): T;
  /** Every file of the store (index, per-test documents, journal), or null when there is none. */
  storeBytes(): Buffer | null;
  /** The store's data as saved (index, documents and journal). */
  storeData(): StoreData;
  dispose(): void;
}

/**
 * A fresh workspace folder: by default named `app` with the fixture reports in `reports/`;
 * with `copyOf`, a copy of that folder under its own name. `extraEnv` is added to the CLI's
 * environment.
 */
export function makeWorkspace(copyOf?: string, extraEnv: Record<string, string> = {}): Workspace {
  const parent = mkdtempSync(path.join(tmpdir(), 'scan-ledger-cli-'));
  let root: string;
  if (copyOf) {
    root = path.join(parent, path.basename(copyOf));
    cpSync(copyOf, root, { recursive: true });
  } else {
    root = path.join(parent, WORKSPACE_NAME);
    mkdirSync(root);
    cpSync(FIXTURES, path.join(root, 'reports'), { recursive: true });
  }
  const storePath = path.join(root, '.scan-ledger', 'store.json');
  // The machine's git identity must not leak in: the acting user falls back to the OS account.
  // `extraEnv` passes what a test's CLI needs from its environment (DD_URL, DD_API_TOKEN).
  const env = { ...process.env, GIT_CONFIG_GLOBAL: path.join(parent, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1', ...extraEnv };
  const argv = (args: string[]) => [...cliCommand(), ...args];
  const run = (...args: string[]): CliRun => {
    const result = spawnSync(process.execPath, argv(args), { cwd: root, encoding: 'utf8', env });
    if (result.error) throw result.error;
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const start = (...args: string[]): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, argv(args), { cwd: root, env });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  return {
    root,
    storePath,
    run,
    start,
    spawn: (...args: string[]) => spawn(process.execPath, argv(args), { cwd: root, env }),
    json<T>(...args: string[]): T {
      const r = run(...args, '--json');
      if (r.code !== 0) throw new Error(`scan-ledger ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    storeBytes() {
      return storeBytesSync(storePath);
    },
    storeData() {
      return readStoreSync(storePath);
    },
    dispose() {
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
