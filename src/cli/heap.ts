import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { partsFolderOf } from '../store';

/**
 * A loaded finding takes about four times its bytes on disk in the heap (measured on a store of
 * a million SARIF findings: 1.1 GB of documents, 4.3 GB of heap to list them all).
 */
const HEAP_BYTES_PER_STORED_BYTE = 4;
/**
 * A report's findings take about twenty times the report's bytes in the heap while they are
 * parsed and imported (measured: a 45 MB SARIF report of 250,000 results peaked at 0.94 GB).
 */
const HEAP_BYTES_PER_REPORT_BYTE = 20;
/** The commands whose first argument is a report they parse. */
const REPORT_COMMANDS: ReadonlySet<string> = new Set(['import', 'reimport', 'parse', 'push']);
/** The most of the machine's memory the CLI gives its heap. */
const MACHINE_SHARE = 0.75;
/** Set in the relaunched process, so it never relaunches again. */
const RELAUNCHED_ENV = 'SCAN_LEDGER_HEAP_RAISED';

/** The store path a command line names (`--store`), or the default one under `cwd`. */
function storePathOf(argv: readonly string[], cwd: string): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--store' && argv[i + 1]) return path.resolve(cwd, argv[i + 1]);
    if (argv[i].startsWith('--store=')) return path.resolve(cwd, argv[i].slice('--store='.length));
  }
  return path.join(cwd, '.scan-ledger', 'store.json');
}

/**
 * The bytes of the report a command parses (`import`, `reimport`, `parse`, `push`: the first
 * argument that is not an option), or 0.
 */
function reportBytes(argv: readonly string[], cwd: string): number {
  const command = argv.findIndex((a) => !a.startsWith('-'));
  if (command < 0 || !REPORT_COMMANDS.has(argv[command])) return 0;
  const report = argv.slice(command + 1).find((a) => !a.startsWith('-'));
  if (!report) return 0;
  try {
    return statSync(path.resolve(cwd, report)).size;
  } catch {
    return 0;
  }
}

/** The bytes of a store's per-test documents, or 0 when it has none. */
function storedBytes(storePath: string): number {
  const folder = partsFolderOf(storePath);
  let total = 0;
  try {
    for (const name of readdirSync(folder)) total += statSync(path.join(folder, name)).size;
  } catch {
    // No documents folder: a new store, or one of schema 1 (bounded by the string limit anyway).
  }
  return total;
}

/**
 * The heap limit (in MB) a command on this store needs beyond Node's default, or null when the
 * default will do. Node caps its heap at about 4 GB whatever the machine has, which is short of
 * what listing a store of a million findings takes; rather than fail with "heap out of
 * memory", the CLI relaunches itself with a larger limit, never beyond three quarters of the
 * machine's memory. A store path set in `.vscode/settings.json` instead of `--store` is not
 * looked at here; such a store runs with the default limit.
 */
export function neededHeapMb(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): number | null {
  if (env[RELAUNCHED_ENV] === '1') return null;
  const limit = getHeapStatistics().heap_size_limit;
  const wanted = storedBytes(storePathOf(argv, cwd)) * HEAP_BYTES_PER_STORED_BYTE + reportBytes(argv, cwd) * HEAP_BYTES_PER_REPORT_BYTE;
  if (wanted < limit * 0.8) return null;
  const ceiling = totalmem() * MACHINE_SHARE;
  const target = Math.min(ceiling, Math.max(wanted * 1.25, limit));
  return target > limit * 1.1 ? Math.floor(target / (1024 * 1024)) : null;
}

/**
 * Runs this same command again in a Node process with a heap of `heapMb`, passing the terminal
 * through, and returns its exit code.
 */
export function relaunchWithHeap(heapMb: number): number {
  const child = spawnSync(process.execPath, [...process.execArgv, `--max-old-space-size=${heapMb}`, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED_ENV]: '1' },
  });
  if (child.error) throw child.error;
  return child.status ?? (child.signal ? 128 + 9 : 1);
}
