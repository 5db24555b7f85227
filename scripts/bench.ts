/**
 * Scan Ledger benchmark: import, reimport and store save / load at 1k, 10k and 100k findings.
 *
 * Run with `npm run bench` (builds first, then `node --import tsx --expose-gc scripts/bench.ts`).
 * Each size runs in its own child process so its peak RSS is its own. Every operation is timed
 * end to end as the CLI runs it (parse the report text, run the engine inside a store
 * transaction, write the store) and compared with a floor measured in the same process: the
 * least any JSON-backed tool must do for the same work.
 *
 *   import / reimport   floor = JSON.parse(report text) + JSON.stringify(store data)
 *   store save          floor = JSON.stringify(store data); the save rewrites every test's document
 *   store load          floor = JSON.parse of the index and of every line of every document
 *
 * Each child first runs a small warm-up cycle, so the figures are those of compiled code.
 *
 * Environment: BENCH_SIZES=1000,10000 to choose sizes; BENCH_KEEP=1 to keep the stores.
 * Prints a markdown table ready to paste into the README.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { importScan, reimportScan, type EngineContext, type ImportOptions, type ImportResult } from '../src/engine';
import { defaultSettings, effectiveSettings, type ImportCounts } from '../src/model';
import { parseReport } from '../src/parsers';
import { LedgerStore } from '../src/store';
import { storeFilePaths } from '../test/store-files';
import { seededRandom } from '../test/seeded-random';

/** The texts of the store's files: the index, each per-test document, the journal if any. */
function storeFileTexts(storePath: string): string[] {
  return storeFilePaths(storePath).map((file) => readFileSync(file, 'utf8'));
}

const SCAN_TYPE = 'Generic Findings Import';
const DEFAULT_SIZES = [1_000, 10_000, 100_000];
const TARGET_RATIO = 5;

interface OperationResult {
  operation: string;
  ms: number;
  floorMs: number;
  /** Where the time went, e.g. parse / engine / write. */
  phases: Record<string, number>;
  counts?: ImportCounts;
  expected?: ImportCounts;
  peakRssBytes: number;
}

interface SizeResult {
  findings: number;
  reportBytes: number;
  storeBytes: number;
  operations: OperationResult[];
}

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Info'];
const WEAKNESSES: [number, string][] = [
  [79, 'Cross-site scripting'],
  [89, 'SQL injection'],
  [22, 'Path traversal'],
  [327, 'Weak cryptographic algorithm'],
  [798, 'Hard-coded credentials'],
  [502, 'Deserialisation of untrusted data'],
  [611, 'XML external entity'],
  [918, 'Server-side request forgery'],
];

/**
 * Finding number `i` of the generated code base: always the same for the same `i`, so the
 * changed report shares its findings with the first one except for those removed and added.
 */
function generatedFinding(i: number): Record<string, unknown> {
  const random = seededRandom(i * 7919 + 17);
  const [cwe, weakness] = WEAKNESSES[Math.floor(random() * WEAKNESSES.length)];
  const module = Math.floor(random() * 400);
  const file = `src/module-${module}/component-${Math.floor(random() * 50)}.ts`;
  const line = 1 + Math.floor(random() * 2000);
  return {
    title: `${weakness} in component ${i}`,
    severity: SEVERITIES[Math.floor(random() * SEVERITIES.length)],
    description: `${weakness} reachable from request handler ${i}. The value flows from the request into a sensitive call without validation.`,
    cwe,
    file_path: file,
    line,
    unique_id_from_tool: `rule-${cwe}-${i.toString(36)}`,
    vuln_id_from_tool: `rule-${cwe}`,
    mitigation: 'Validate the input and use the safe API.',
    references: `https://cwe.mitre.org/data/definitions/${cwe}.html`,
    static_finding: true,
  };
}

/** A Generic Findings Import report of the findings numbered in `indices`. */
function reportText(indices: Iterable<number>): string {
  const findings: Record<string, unknown>[] = [];
  for (const i of indices) findings.push(generatedFinding(i));
  return JSON.stringify({ name: 'bench', type: 'bench scanner', version: '1.0', findings });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

function peakRss(): number {
  // maxRSS is in kilobytes and only ever grows: the peak of this process so far.
  return process.resourceUsage().maxRSS * 1024;
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** Parses, runs the engine inside a transaction and writes, timing each phase. */
async function runImport(
  store: LedgerStore,
  operation: string,
  text: string,
  kind: 'import' | 'reimport',
  ctx: EngineContext,
  expected: ImportCounts,
): Promise<OperationResult> {
  const options: ImportOptions = { scanType: SCAN_TYPE, productName: 'bench', engagementName: 'Local scans', reportName: 'findings.json' };
  collectGarbage();
  let engineMs = 0;
  const start = performance.now();
  const [report, parseMs] = time(() => parseReport(text, { fileName: 'findings.json', scanType: SCAN_TYPE }));
  const result: ImportResult = await store.transaction((ledger) => {
    const [value, ms] = time(() => (kind === 'import' ? importScan : reimportScan)(ledger, report, options, ctx));
    engineMs = ms;
    return value;
  });
  const ms = performance.now() - start;
  const peakRssBytes = peakRss();
  collectGarbage();
  const [, floorParse] = time(() => JSON.parse(text) as unknown);
  const [, floorStringify] = time(() => JSON.stringify(store.ledger.data));
  return {
    operation,
    ms,
    floorMs: floorParse + floorStringify,
    phases: { parse: parseMs, engine: engineMs, write: ms - parseMs - engineMs },
    counts: result.counts,
    expected,
    peakRssBytes,
  };
}

/**
 * Runs a small import, reimport and reload first, so the timings measure steady-state code
 * rather than the JIT compiling it (which otherwise dominates the 1k figures).
 */
async function warmUp(ctx: EngineContext): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-bench-warm-up-'));
  try {
    const storePath = path.join(dir, 'store.json');
    const store = await LedgerStore.open(storePath);
    const text = reportText(range(1_000_000, 1_000_500));
    const changed = reportText(range(1_000_050, 1_000_550));
    const none: ImportCounts = { created: 0, closed: 0, reactivated: 0, untouched: 0 };
    await runImport(store, 'warm-up', text, 'import', ctx, none);
    await runImport(store, 'warm-up', text, 'reimport', ctx, none);
    await runImport(store, 'warm-up', changed, 'reimport', ctx, none);
    await store.close();
    await LedgerStore.open(storePath);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function runSize(n: number): Promise<SizeResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `scan-ledger-bench-${n}-`));
  const storePath = path.join(dir, '.scan-ledger', 'store.json');
  const ctx: EngineContext = { now: new Date('2026-11-22T08:00:00Z'), user: 'bench', settings: effectiveSettings(defaultSettings()) };
  const changedBy = Math.floor(n / 20);
  const base = reportText(range(0, n));
  // 5% removed (every twentieth finding) and 5% new ones.
  const changed = reportText([...range(0, n).filter((i) => i % 20 !== 7), ...range(n, n + changedBy)]);
  const operations: OperationResult[] = [];
  await warmUp(ctx);
  try {
    const store = await LedgerStore.open(storePath);
    operations.push(await runImport(store, 'first import', base, 'import', ctx, { created: n, closed: 0, reactivated: 0, untouched: 0 }));
    operations.push(
      await runImport(store, 'reimport, same report', base, 'reimport', ctx, { created: 0, closed: 0, reactivated: 0, untouched: n }),
    );
    operations.push(
      await runImport(store, 'reimport, 10% changed', changed, 'reimport', ctx, {
        created: changedBy,
        closed: changedBy,
        reactivated: 0,
        untouched: n - changedBy,
      }),
    );

    // A save of the whole store: every test's document rewritten (what a change to every test
    // costs; a triage is one journal line, see scripts/bench-store.ts).
    collectGarbage();
    const [, saveMs] = await timeAsync(() => store.transaction((ledger) => ledger.data.tests.forEach((t) => ledger.touchTest(t.id))));
    const savePeak = peakRss();
    const [storeTexts, readMs] = time(() => storeFileTexts(storePath));
    collectGarbage();
    const [, stringifyMs] = time(() => JSON.stringify(store.ledger.data));
    operations.push({ operation: 'store save', ms: saveMs, floorMs: stringifyMs, phases: {}, peakRssBytes: savePeak });
    await store.close();

    collectGarbage();
    const [, loadMs] = await timeAsync(() => LedgerStore.open(storePath));
    const loadPeak = peakRss();
    collectGarbage();
    // The floor parses the same bytes: the index and every line of every document.
    const [, parseMs] = time(() => storeTexts.forEach((text) => text.split('\n').forEach((line) => line && (JSON.parse(line) as unknown))));
    operations.push({ operation: 'store load', ms: loadMs, floorMs: parseMs, phases: { read: readMs }, peakRssBytes: loadPeak });
    const storeText = { length: storeTexts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) };

    return { findings: n, reportBytes: Buffer.byteLength(base), storeBytes: storeText.length, operations };
  } finally {
    if (!process.env.BENCH_KEEP) await fs.rm(dir, { recursive: true, force: true });
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}

function formatCount(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}

function countsText(c: ImportCounts): string {
  return `+${c.created} −${c.closed} ↺${c.reactivated} =${c.untouched}`;
}

function sameCounts(a: ImportCounts, b: ImportCounts): boolean {
  return a.created === b.created && a.closed === b.closed && a.reactivated === b.reactivated && a.untouched === b.untouched;
}

function printTable(results: SizeResult[]): boolean {
  const lines = [
    `Scan Ledger benchmark — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| findings | operation | time | floor | × floor | phases | result (+new −closed ↺reopened =untouched) | peak RSS |',
    '| ---: | --- | ---: | ---: | ---: | --- | --- | ---: |',
  ];
  let countsOk = true;
  for (const size of results) {
    for (const op of size.operations) {
      const phases = Object.entries(op.phases)
        .map(([name, ms]) => `${name} ${formatMs(ms)}`)
        .join(', ');
      let counts = '';
      if (op.counts && op.expected) {
        const ok = sameCounts(op.counts, op.expected);
        countsOk &&= ok;
        counts = ok ? countsText(op.counts) : `${countsText(op.counts)} (expected ${countsText(op.expected)})`;
      }
      lines.push(
        `| ${formatCount(size.findings)} | ${op.operation} | ${formatMs(op.ms)} | ${formatMs(op.floorMs)} | ${(op.ms / op.floorMs).toFixed(1)}× | ${phases} | ${counts} | ${formatBytes(op.peakRssBytes)} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    'Floor: JSON.parse of the report text + JSON.stringify of the store data for imports; JSON.stringify of the store for a save (which rewrites every test’s document); JSON.parse of the index and of every document line for a load.',
  );
  for (const size of results) {
    lines.push(`Report of ${formatCount(size.findings)} findings: ${formatBytes(size.reportBytes)}; store after the changed reimport: ${formatBytes(size.storeBytes)}.`);
  }
  const big = results.find((r) => r.findings === 100_000)?.operations.find((o) => o.operation === 'reimport, same report');
  if (big) {
    const ratio = big.ms / big.floorMs;
    lines.push('');
    lines.push(`Target: reimport of 100k findings into a 100k store within ${TARGET_RATIO}× its floor: ${ratio.toFixed(1)}× — ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}.`);
  }
  if (!countsOk) lines.push('', 'WARNING: some operations produced other counts than expected; the timings above are not comparable.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return countsOk;
}

const RESULT_PREFIX = 'BENCH_RESULT ';

async function main(): Promise<void> {
  const sizeArg = process.argv.indexOf('--size');
  if (sizeArg >= 0) {
    const result = await runSize(Number(process.argv[sizeArg + 1]));
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
    return;
  }
  const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : DEFAULT_SIZES;
  const results: SizeResult[] = [];
  for (const n of sizes) {
    process.stderr.write(`benchmarking ${n} findings…\n`);
    // A child per size, with this process's flags (tsx loader, --expose-gc), so the peak RSS
    // of one size does not carry into the next.
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--size', String(n)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
    if (child.status !== 0 || !line) throw new Error(`the ${n}-finding run failed (exit ${child.status ?? child.signal})`);
    results.push(JSON.parse(line.slice(RESULT_PREFIX.length)) as SizeResult);
  }
  if (!printTable(results)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
