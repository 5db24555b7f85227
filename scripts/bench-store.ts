/**
 * Store benchmark (issue 13): the CLI as users run it, one whole process per operation
 * (`node dist/cli.js …`, so the build must exist: `npm run bench` builds first), at 1k, 10k and
 * 100k findings, against floors that are whole node processes too, measured in the same run:
 *
 *   import / reimport   floor = `node -e` that reads the SARIF report and JSON.parses it
 *                       (reimport goal ≤ 5× floor; peak RSS above a bare `node -e 0` ≤ 2×
 *                       the report's parsed size, the heap growth of that JSON.parse measured
 *                       with --expose-gc; the floor's own peak is given beside it)
 *   triage              floor = `node dist/cli.js --help` (goal ≤ 3× floor)
 *   findings --json     floor = `node -e` that reads the CLI's own output file, JSON.parses it
 *                       and writes JSON.stringify(value, null, 2) to stdout (goal ≤ 2× floor)
 *   store on disk       bytes under `.scan-ledger/` except triage.json, and bytes per finding
 *   SARIF Multitool     `match-results-forward` of the reimport's pair, alternating with the
 *                       reimport (goal: Scan Ledger ≥ 10× faster, with less memory); the
 *                       self-contained build of the pinned devDependency, or `sarif` on PATH
 *
 * Every CLI run and its floor alternate, BENCH_RUNS times (default 3), and the medians are
 * compared. Stdout of every timed process goes to a file, as in CI. Peak RSS is the process's
 * maxrss: from GNU `/usr/bin/time -f %M` when it works, else from a `--require` preload that
 * writes `process.resourceUsage().maxRSS` on exit (BENCH_RSS=preload forces that).
 *
 * The reimported report changes 10% of the results: every twentieth result is gone (5%) and 5%
 * are new; the rest is identical. That reimport is saved as a journal entry; a second row
 * reimports the previous report into the store it left (the gone results reactivated, the new
 * ones closed), the write that passes the journal's bound and folds it into the test's document. Each size runs in its own folder under os.tmpdir(): the store
 * after the import is copied aside and put back before every reimport, findings and triage
 * run, so each run starts from the same N-finding store.
 *
 * Environment: BENCH_SIZES=1000,10000 (default 1000,10000,100000); BENCH_RUNS=3;
 * BENCH_KEEP=1 keeps the temporary folders; BENCH_MILLION=1 also imports, reimports, lists and
 * triages a report of a million findings (several minutes, a few GB). Prints a markdown table and writes the raw results
 * as JSON to os.tmpdir()/scan-ledger-bench-results/store.json (path printed).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../test/seeded-random';

const DEFAULT_SIZES = [1_000, 10_000, 100_000];
const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map((s) => Number(s.trim())) : DEFAULT_SIZES;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const KEEP = Boolean(process.env.BENCH_KEEP);
const SCAN_TYPE = 'SARIF';
const PRODUCT = 'bench';
const ENGAGEMENT = 'Local scans';
const GOAL = { reimport: 5, reimportRss: 2, triage: 3, findings: 2, multitoolFaster: 10 };

for (const n of SIZES) {
  if (!Number.isInteger(n) || n < 20) throw new Error(`BENCH_SIZES: ${n} is not a whole number of at least 20`);
}

/** The repository root: the nearest folder up with the scan-ledger package.json. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'scan-ledger') return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

const REPO = repoRoot();
const CLI = path.join(REPO, 'dist', 'cli.js');

// ---------------------------------------------------------------------------------------------
// Reports

const LEVELS = ['error', 'warning', 'note'];
const RULES = 50;

/**
 * Result number `i` of the generated code base: always the same for the same `i` (seeded by
 * `i`, as scripts/bench.ts does), so the changed report shares its other results exactly.
 */
function sarifResult(i: number): Record<string, unknown> {
  const random = seededRandom(i * 7919 + 17);
  const rule = Math.floor(random() * RULES);
  const file = `src/module-${Math.floor(random() * 400)}/component-${Math.floor(random() * 50)}.ts`;
  const line = 1 + Math.floor(random() * 2000);
  return {
    ruleId: `rule-${rule}`,
    level: LEVELS[Math.floor(random() * LEVELS.length)],
    message: { text: `Problem ${i} in generated code: value flows from input to sink` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: file },
          region: { startLine: line, startColumn: 5, endColumn: 40, snippet: { text: `const v${i} = sink(input${i});` } },
        },
      },
    ],
    partialFingerprints: { primaryLocationLineHash: `${((i * 2654435761) >>> 0).toString(16)}:1` },
  };
}

/** A SARIF 2.1.0 report of the results numbered in `indices` (rules as in scripts/bench-parse.ts). */
function sarifText(indices: Iterable<number>): string {
  const rules = Array.from({ length: RULES }, (_, r) => ({
    id: `rule-${r}`,
    name: `Rule${r}`,
    shortDescription: { text: `Rule ${r} finds a problem` },
    helpUri: `https://example.invalid/rules/${r}`,
    properties: { tags: ['security', `external/cwe/cwe-${79 + r}`], 'security-severity': String((r % 10) + 0.5) },
  }));
  const results: Record<string, unknown>[] = [];
  for (const i of indices) results.push(sarifResult(i));
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'BenchTool', version: '1.0.0', rules } }, results }] });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

// ---------------------------------------------------------------------------------------------
// Whole-process measurement

type RssMethod = 'time' | 'preload';

interface ProcessRun {
  ms: number;
  peakRssBytes: number;
  status: number | null;
  stdoutFile: string;
  stderr: string;
}

function chooseRssMethod(scratch: string): RssMethod {
  if (process.env.BENCH_RSS === 'preload') return 'preload';
  if (process.env.BENCH_RSS === 'time' || existsSync('/usr/bin/time')) {
    // GNU time: -o FILE and -f %M (maxrss in KiB of the waited child). BusyBox's lacks -o.
    const out = path.join(scratch, 'time-probe.txt');
    const probe = spawnSync('/usr/bin/time', ['-o', out, '-f', '%M', process.execPath, '-e', '0'], { stdio: 'ignore' });
    if (probe.status === 0 && existsSync(out) && /^\d+\s*$/.test(readFileSync(out, 'utf8').trim().split('\n').pop() ?? '')) return 'time';
    if (process.env.BENCH_RSS === 'time') throw new Error('BENCH_RSS=time: /usr/bin/time -o FILE -f %M does not work here');
  }
  return 'preload';
}

class Runner {
  readonly method: RssMethod;
  private readonly preload: string;
  private readonly rssFile: string;
  private seq = 0;

  constructor(private readonly scratch: string) {
    this.method = chooseRssMethod(scratch);
    this.preload = path.join(scratch, 'report-maxrss.cjs');
    this.rssFile = path.join(scratch, 'maxrss.txt');
    // process.resourceUsage().maxRSS is the process's own peak (KiB), read as it exits.
    writeFileSync(
      this.preload,
      "process.on('exit', () => { require('fs').writeFileSync(process.env.BENCH_MAXRSS_FILE, String(process.resourceUsage().maxRSS)); });\n",
    );
  }

  /** Runs `node <args>` in `cwd` with stdout to a file; wall time measured around the spawn. */
  run(args: string[], cwd: string, stdoutFile?: string): ProcessRun {
    return this.runProgram(process.execPath, args, cwd, stdoutFile);
  }

  /**
   * Runs any program the same way. Its peak RSS needs GNU time: the preload that stands in for
   * it only works in a node process, so another program run without it has none (NaN).
   */
  runProgram(program: string, args: string[], cwd: string, stdoutFile?: string, env: NodeJS.ProcessEnv = {}): ProcessRun {
    const out = stdoutFile ?? path.join(this.scratch, `stdout-${this.seq++}.txt`);
    rmSync(this.rssFile, { force: true });
    const fd = openSync(out, 'w');
    let command: string;
    let argv: string[];
    if (this.method === 'time') {
      command = '/usr/bin/time';
      argv = ['-o', this.rssFile, '-f', '%M', program, ...args];
    } else {
      command = program;
      argv = program === process.execPath ? ['--require', this.preload, ...args] : args;
    }
    const start = performance.now();
    const child = spawnSync(command, argv, {
      cwd,
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...env, BENCH_MAXRSS_FILE: this.rssFile },
    });
    const ms = performance.now() - start;
    closeSync(fd);
    if (child.error) throw child.error;
    let kib = NaN;
    if (existsSync(this.rssFile)) {
      // GNU time prefixes "Command exited with non-zero status N" when the child failed.
      kib = Number(readFileSync(this.rssFile, 'utf8').trim().split('\n').pop());
    }
    return { ms, peakRssBytes: kib * 1024, status: child.status, stdoutFile: out, stderr: child.stderr };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------------------------------------
// Floors (each a whole `node -e` process)

/** Reads the report and parses it: the least any tool must do to know what a report holds. */
const FLOOR_PARSE = "const v = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')); if (!v) process.exit(1);";

/** Heap growth of one JSON.parse of the report (the parsed size), printed in bytes. */
const PARSED_SIZE = [
  "const text = require('fs').readFileSync(process.argv[1], 'utf8');",
  'gc(); gc();',
  'const before = process.memoryUsage().heapUsed;',
  'const value = JSON.parse(text);',
  'gc(); gc();',
  'const after = process.memoryUsage().heapUsed;',
  'process.stdout.write(String(after - before) + (value ? "" : "!"));',
].join(' ');

/**
 * Reads the `findings --json` output, parses it and writes it again as the CLI does
 * (JSON.stringify(value, null, 2) and a newline) to stdout; the time of the stringify alone
 * goes to stderr.
 */
const FLOOR_FINDINGS = [
  "const { performance } = require('perf_hooks');",
  "const value = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));",
  'const t0 = performance.now();',
  "const text = JSON.stringify(value, null, 2) + '\\n';",
  'const ms = performance.now() - t0;',
  "require('fs').writeSync(1, text);",
  "process.stderr.write('STRINGIFY_MS ' + ms + '\\n');",
].join(' ');

// ---------------------------------------------------------------------------------------------
// One size

interface Counts {
  created: number;
  closed: number;
  reactivated: number;
  untouched: number;
}

interface Row {
  operation: string;
  findings: number;
  runsMs: number[];
  medianMs: number | null;
  floorRunsMs: number[];
  floorMedianMs: number | null;
  floor: string;
  ratio: number | null;
  goalRatio: number | null;
  peakRssBytes: number | null;
  floorPeakRssBytes: number | null;
  rssGoalBytes?: number;
  /** Peak RSS of `node -e 0`, for the RSS goal's context. */
  baselineRssBytes?: number;
  counts?: Counts;
  expectedCounts?: Counts;
  note?: string;
  storeBytes?: number;
  bytesPerFinding?: number;
  storeFindings?: number;
  /** The Multitool's row: its floor is Scan Ledger's reimport, so its ratio is how much faster Scan Ledger is. */
  multitool?: { fasterGoal: number; scanLedgerPeakRssBytes: number | null };
}

interface SizeResult {
  findings: number;
  reportBytes: number;
  changedReportBytes: number;
  parsedReportBytes: number;
  findingsOutputBytes: number;
  findingsStringifyOnlyMs: number;
  rows: Row[];
}

/** Bytes of every file under `.scan-ledger/` except triage.json (the store, whatever its layout). */
function storeBytes(dir: string): number {
  let total = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += storeBytes(full);
    else if (entry.isFile() && !(dir.endsWith('.scan-ledger') && entry.name === 'triage.json')) total += statSync(full).size;
  }
  return total;
}

function restore(snapshot: string, ledgerDir: string): void {
  rmSync(ledgerDir, { recursive: true, force: true });
  cpSync(snapshot, ledgerDir, { recursive: true });
}

function fail(what: string, run: ProcessRun): never {
  throw new Error(`${what} exited ${run.status}: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
}

function countsOf(file: string): Counts {
  const out = JSON.parse(readFileSync(file, 'utf8')) as { counts: Counts };
  return out.counts;
}

function sameCounts(a: Counts, b: Counts): boolean {
  return a.created === b.created && a.closed === b.closed && a.reactivated === b.reactivated && a.untouched === b.untouched;
}

function makeRow(
  operation: string,
  n: number,
  runs: ProcessRun[],
  floors: ProcessRun[],
  floor: string,
  goalRatio: number | null,
): Row {
  const medianMs = median(runs.map((r) => r.ms));
  const floorMedianMs = floors.length ? median(floors.map((r) => r.ms)) : null;
  return {
    operation,
    findings: n,
    runsMs: runs.map((r) => r.ms),
    medianMs,
    floorRunsMs: floors.map((r) => r.ms),
    floorMedianMs,
    floor,
    ratio: floorMedianMs ? medianMs / floorMedianMs : null,
    goalRatio,
    peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
    floorPeakRssBytes: floors.length ? Math.max(...floors.map((r) => r.peakRssBytes)) : null,
  };
}

/**
 * How the last write left the store: the journal's size when it holds the change, or that the
 * documents were rewritten (the journal folded in or never used).
 */
function journalNote(ledgerDir: string, bytesAfterImport: number): string {
  const journal = path.join(ledgerDir, 'store.journal');
  const generation = (JSON.parse(readFileSync(path.join(ledgerDir, 'store.json'), 'utf8')) as { generation?: number }).generation ?? 0;
  if (existsSync(journal)) return `saved as a journal entry (journal ${mb(statSync(journal).size)} MB beside ${mb(bytesAfterImport)} MB of store; documents at generation ${generation})`;
  return `saved by rewriting the test's document (generation ${generation}; no journal left)`;
}

function runSize(runner: Runner, n: number, baselineRssBytes: number, mt: Multitool): SizeResult {
  const parent = mkdtempSync(path.join(os.tmpdir(), `scan-ledger-bench-store-${n}-`));
  try {
    const workspace = path.join(parent, 'app');
    const ledgerDir = path.join(workspace, '.scan-ledger');
    const reports = path.join(parent, 'reports');
    const outputs = path.join(parent, 'out');
    mkdirSync(workspace);
    mkdirSync(reports);
    mkdirSync(outputs);
    const changedBy = Math.floor(n / 20);
    const base = path.join(reports, 'previous.sarif');
    const changed = path.join(reports, 'next.sarif');
    writeFileSync(base, sarifText(range(0, n)));
    // 5% removed (every twentieth result) and 5% new ones; the rest identical.
    writeFileSync(changed, sarifText([...range(0, n).filter((i) => i % 20 !== 7), ...range(n, n + changedBy)]));
    const context = ['--scan-type', SCAN_TYPE, '--product', PRODUCT, '--engagement', ENGAGEMENT];
    const cli = (...args: string[]) => [CLI, ...args];
    const rows: Row[] = [];

    // Warm the file cache (CLI bundle, node, reports), untimed.
    runner.run(cli('--help'), workspace);
    runner.run(['-e', FLOOR_PARSE, base], workspace);

    // Parsed size of the previous report (heap growth of its JSON.parse), once.
    const parsedRun = spawnSync(process.execPath, ['--expose-gc', '-e', PARSED_SIZE, base], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
    const parsedReportBytes = Number(parsedRun.stdout);
    if (parsedRun.status !== 0 || !Number.isFinite(parsedReportBytes)) throw new Error(`parsed-size probe failed: ${parsedRun.stderr}`);

    // 1. First import of N, into an empty store; floor = read + JSON.parse of that report.
    const importRuns: ProcessRun[] = [];
    const importFloors: ProcessRun[] = [];
    let importCounts: Counts | undefined;
    for (let r = 0; r < RUNS; r++) {
      rmSync(ledgerDir, { recursive: true, force: true });
      const run = runner.run(cli('import', base, ...context, '--json'), workspace);
      if (run.status !== 0) fail(`import of ${n}`, run);
      importCounts = countsOf(run.stdoutFile);
      importRuns.push(run);
      importFloors.push(runner.run(['-e', FLOOR_PARSE, base], workspace));
    }
    const importRow = makeRow('import', n, importRuns, importFloors, 'node -e: read report + JSON.parse', null);
    importRow.counts = importCounts;
    importRow.expectedCounts = { created: n, closed: 0, reactivated: 0, untouched: 0 };
    rows.push(importRow);
    const snapshot = path.join(parent, 'snapshot-after-import');
    cpSync(ledgerDir, snapshot, { recursive: true });
    const bytesAfterImport = storeBytes(ledgerDir);

    // 2. Reimport of the 10%-changed report into the N-finding store.
    const reimportRuns: ProcessRun[] = [];
    const reimportFloors: ProcessRun[] = [];
    const mtRuns: ProcessRun[] = [];
    let reimportCounts: Counts | undefined;
    let bytesAfterReimport = 0;
    for (let r = 0; r < RUNS; r++) {
      restore(snapshot, ledgerDir);
      const run = runner.run(cli('reimport', changed, ...context, '--json'), workspace);
      if (run.status !== 0) fail(`reimport of ${n}`, run);
      reimportCounts = countsOf(run.stdoutFile);
      bytesAfterReimport = storeBytes(ledgerDir);
      reimportRuns.push(run);
      reimportFloors.push(runner.run(['-e', FLOOR_PARSE, changed], workspace));
      // The Multitool matches the same pair, alternating with the reimport and its floor.
      if (mt.executable) mtRuns.push(runMultitool(runner, mt.executable, changed, base, outputs, r === RUNS - 1 ? changedBy : null));
    }
    const reimportRow = makeRow('reimport, 10% changed', n, reimportRuns, reimportFloors, 'node -e: read report + JSON.parse', GOAL.reimport);
    reimportRow.counts = reimportCounts;
    reimportRow.expectedCounts = { created: changedBy, closed: changedBy, reactivated: 0, untouched: n - changedBy };
    reimportRow.rssGoalBytes = GOAL.reimportRss * parsedReportBytes;
    reimportRow.baselineRssBytes = baselineRssBytes;
    reimportRow.note = journalNote(ledgerDir, bytesAfterImport);
    rows.push(reimportRow);
    if (mt.executable) {
      // Floor of this row: Scan Ledger's reimport of the same pair, so the ratio is how many
      // times faster Scan Ledger is (issue 13: at least 10×, with less memory).
      const row = makeRow('SARIF Multitool match-results-forward, same pair', n, mtRuns, reimportRuns, 'Scan Ledger reimport of the same pair', null);
      row.multitool = { fasterGoal: GOAL.multitoolFaster, scanLedgerPeakRssBytes: reimportRow.peakRssBytes };
      rows.push(row);
    }

    // 2b. Back to the previous report, into the store that holds the first reimport's journal
    // entry: the write that passes the journal's bound and folds it into the test's document,
    // which a store that keeps reimporting pays every second or third time.
    const snapshotJournaled = path.join(parent, 'snapshot-after-reimport');
    cpSync(ledgerDir, snapshotJournaled, { recursive: true });
    const foldRuns: ProcessRun[] = [];
    const foldFloors: ProcessRun[] = [];
    let foldCounts: Counts | undefined;
    let foldNote = '';
    for (let r = 0; r < RUNS; r++) {
      restore(snapshotJournaled, ledgerDir);
      const run = runner.run(cli('reimport', base, ...context, '--json'), workspace);
      if (run.status !== 0) fail(`reimport back to the previous report of ${n}`, run);
      foldCounts = countsOf(run.stdoutFile);
      foldNote = journalNote(ledgerDir, bytesAfterImport);
      foldRuns.push(run);
      foldFloors.push(runner.run(['-e', FLOOR_PARSE, base], workspace));
    }
    const foldRow = makeRow('reimport back to the previous report', n, foldRuns, foldFloors, 'node -e: read report + JSON.parse', GOAL.reimport);
    foldRow.counts = foldCounts;
    foldRow.expectedCounts = { created: 0, closed: changedBy, reactivated: changedBy, untouched: n - changedBy };
    foldRow.rssGoalBytes = GOAL.reimportRss * parsedReportBytes;
    foldRow.baselineRssBytes = baselineRssBytes;
    foldRow.note = foldNote;
    rows.push(foldRow);

    // 3. findings --json over the N-finding store, to a file.
    restore(snapshot, ledgerDir);
    const findingsRuns: ProcessRun[] = [];
    const findingsFloors: ProcessRun[] = [];
    const findingsOut = path.join(outputs, 'findings.json');
    const stringifyOnly: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const run = runner.run(cli('findings', '--json'), workspace, findingsOut);
      if (run.status !== 0) fail(`findings --json over ${n}`, run);
      findingsRuns.push(run);
      const floor = runner.run(['-e', FLOOR_FINDINGS, findingsOut], workspace, path.join(outputs, 'findings-floor.json'));
      if (floor.status !== 0) fail('findings floor', floor);
      stringifyOnly.push(Number(/STRINGIFY_MS (\S+)/.exec(floor.stderr)?.[1]));
      findingsFloors.push(floor);
    }
    const findingsText = readFileSync(findingsOut, 'utf8');
    const listed = JSON.parse(findingsText) as { id: number; active: boolean }[];
    const findingsRow = makeRow('findings --json', n, findingsRuns, findingsFloors, 'node -e: read output + JSON.parse + JSON.stringify(v, null, 2) + write', GOAL.findings);
    findingsRow.note = `${listed.length} findings listed, ${(Buffer.byteLength(findingsText) / 1024 / 1024).toFixed(1)} MB; JSON.stringify alone ${median(stringifyOnly).toFixed(0)} ms`;
    if (readFileSync(path.join(outputs, 'findings-floor.json'), 'utf8') !== findingsText) findingsRow.note += '; floor output differs from the CLI output';
    rows.push(findingsRow);

    // 4. triage of one finding (a different open one each run) in the N-finding store.
    const ids = listed.filter((f) => f.active).map((f) => f.id);
    const triageRuns: ProcessRun[] = [];
    const helpFloors: ProcessRun[] = [];
    for (let r = 0; r < RUNS; r++) {
      restore(snapshot, ledgerDir);
      const id = ids[(r * 7919) % ids.length];
      const run = runner.run(cli('triage', String(id), '--status', 'false-positive', '--reason', 'benchmark: not reachable'), workspace);
      if (run.status !== 0) fail(`triage of finding ${id} among ${n}`, run);
      triageRuns.push(run);
      helpFloors.push(runner.run(cli('--help'), workspace));
    }
    rows.push(makeRow('triage (false positive, one finding)', n, triageRuns, helpFloors, 'node dist/cli.js --help', GOAL.triage));

    // 4b. The editor side: the shown file read ahead (the first decoration), opening the store, and a triage saved,
    // in process as the extension host does them (scripts/bench-editor-store.ts).
    restore(snapshot, ledgerDir);
    const editor = runner.run(['--import', pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, path.join(REPO, 'scripts', 'bench-editor-store.ts'), path.join(ledgerDir, 'store.json'), String(Math.max(5, RUNS))], workspace);
    if (editor.status !== 0) fail('editor-side store benchmark', editor);
    const measured = JSON.parse(readFileSync(editor.stdoutFile, 'utf8')) as { shownMs: number[]; shownFindings: number; openMs: number; triageMs: number[] };
    const editorRow = (operation: string, ms: number[], goal: string): Row => ({
      operation,
      findings: n,
      runsMs: ms,
      medianMs: median(ms),
      floorRunsMs: [],
      floorMedianMs: null,
      floor: '',
      ratio: null,
      goalRatio: null,
      peakRssBytes: editor.peakRssBytes,
      floorPeakRssBytes: null,
      note: goal,
    });
    rows.push(editorRow('editor: the shown file read ahead (first decoration)', measured.shownMs, `in process, readFindingsOfFiles of the file with the most findings (${measured.shownFindings})`));
    rows.push(editorRow('editor: store opened (tree, Problems, hovers)', [measured.openMs], 'in process, LedgerStore.open'));
    rows.push(editorRow('editor: one triage saved', measured.triageMs, `in process, store.transaction; goal ≤ 200 ms at 100k: ${median(measured.triageMs) <= 200 ? 'met' : 'MISSED'}`));

    // 5. The store on disk.
    const base0 = { runsMs: [], medianMs: null, floorRunsMs: [], floorMedianMs: null, floor: '', ratio: null, goalRatio: null, peakRssBytes: null, floorPeakRssBytes: null };
    rows.push({ ...base0, operation: 'store on disk after import', findings: n, storeBytes: bytesAfterImport, storeFindings: n, bytesPerFinding: bytesAfterImport / n });
    rows.push({
      ...base0,
      operation: 'store on disk after the reimport',
      findings: n,
      storeBytes: bytesAfterReimport,
      storeFindings: n + changedBy,
      bytesPerFinding: bytesAfterReimport / (n + changedBy),
    });

    return {
      findings: n,
      reportBytes: statSync(base).size,
      changedReportBytes: statSync(changed).size,
      parsedReportBytes,
      findingsOutputBytes: Buffer.byteLength(findingsText),
      findingsStringifyOnlyMs: median(stringifyOnly),
      rows,
    };
  } finally {
    if (KEEP) process.stderr.write(`kept ${parent}\n`);
    else rmSync(parent, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// SARIF Multitool (issue 13's comparison row), only where it is installed

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, name);
    if (existsSync(full)) return full;
  }
  return null;
}

interface Multitool {
  /** The tool's executable, or null when it cannot run here (then `detail` says why). */
  executable: string | null;
  detail: string;
}

/**
 * The SARIF Multitool: a `sarif` .NET global tool on PATH, else the self-contained build that
 * the pinned devDependency `@microsoft/sarif-multitool` installs for this platform (no .NET
 * needed). The package's `bin.js` is bypassed, as it wraps the tool in a shell and a second node
 * process: the time and peak RSS measured are the tool's own. npm 11 runs a package's install
 * script only once approved, and this one's only marks the binary executable, so that is checked
 * here. Never estimated: when the tool is missing or does not start, the row says so.
 */
function findMultitool(): Multitool {
  const onPathTool = onPath('sarif');
  let executable = onPathTool;
  if (!executable) {
    try {
      // The package exports the path of its platform's executable.
      executable = createRequire(__filename)('@microsoft/sarif-multitool') as string;
    } catch (error) {
      return { executable: null, detail: `not available here (no \`sarif\` on PATH and @microsoft/sarif-multitool is not installed for ${process.platform}: ${(error as Error).message.split('\n')[0]}); not measured` };
    }
    const { mode } = statSync(executable);
    if ((mode & 0o100) === 0) chmodSync(executable, mode | 0o100);
  }
  // Its `version` verb prints its banner to stderr, twice and without a newline; the first is kept.
  const probe = spawnSync(executable, ['version'], { encoding: 'utf8', env: { ...process.env, ...MULTITOOL_ENV } });
  if (probe.status !== 0) return { executable: null, detail: `\`${executable} version\` failed (exit ${probe.status}): ${(probe.stderr || String(probe.error ?? '')).trim().split('\n')[0]}; not measured` };
  const version = /SARIF Multitool \S+/.exec(probe.stderr)?.[0] ?? 'SARIF Multitool';
  return { executable, detail: `${version} (${onPathTool ? 'sarif on PATH' : 'npm @microsoft/sarif-multitool'})` };
}

/**
 * .NET's invariant globalization, so the self-contained build needs no ICU library (a fresh
 * machine may lack Debian's libicu); its result matching compares strings ordinally either way.
 */
const MULTITOOL_ENV = { DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' };

/**
 * `match-results-forward next.sarif --previous previous.sarif`: the Multitool's own
 * run-over-run matching of the pair the reimport reads. When `changedBy` is given the annotated
 * output is checked: `changedBy` new and `changedBy` absent results, the rest unchanged or
 * updated, as the reimport's counts are checked; a run that matched otherwise is not comparable.
 */
function runMultitool(runner: Runner, executable: string, next: string, previous: string, outputs: string, changedBy: number | null): ProcessRun {
  const out = path.join(outputs, 'multitool-matched.sarif');
  rmSync(out, { force: true });
  const run = runner.runProgram(executable, ['match-results-forward', next, '--previous', previous, '-o', out, '--log', 'ForceOverwrite'], outputs, undefined, MULTITOOL_ENV);
  if (run.status !== 0) fail('SARIF Multitool match-results-forward', run);
  if (changedBy !== null) {
    const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results?: { baselineState?: string }[] }[] };
    const states: Record<string, number> = {};
    for (const result of log.runs.flatMap((r) => r.results ?? [])) {
      const state = result.baselineState ?? 'none';
      states[state] = (states[state] ?? 0) + 1;
    }
    const kept = (states.unchanged ?? 0) + (states.updated ?? 0);
    const total = Object.values(states).reduce((a, b) => a + b, 0);
    if (states.new !== changedBy || states.absent !== changedBy || kept + changedBy * 2 !== total) {
      throw new Error(`SARIF Multitool matched the pair otherwise than the reimport (${JSON.stringify(states)}): not comparable`);
    }
  }
  rmSync(out, { force: true });
  return run;
}

// ---------------------------------------------------------------------------------------------
// Output

function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function mb(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '—';
  return (bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);
}

function formatCount(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}

function countsText(c: Counts): string {
  return `+${c.created} −${c.closed} ↺${c.reactivated} =${c.untouched}`;
}

function goalText(row: Row): string {
  const parts: string[] = [];
  if (row.multitool && row.ratio !== null) {
    const ours = row.multitool.scanLedgerPeakRssBytes;
    const lessMemory = ours !== null && row.peakRssBytes !== null && ours < row.peakRssBytes;
    const met = row.ratio >= row.multitool.fasterGoal && lessMemory;
    parts.push(
      `Scan Ledger ${row.ratio.toFixed(1)}× faster, ${mb(ours)} MB against ${mb(row.peakRssBytes)} MB; goal ≥ ${row.multitool.fasterGoal}× faster with less memory: ${met ? 'met' : 'MISSED'}`,
    );
  }
  if (row.goalRatio !== null && row.ratio !== null) parts.push(`≤ ${row.goalRatio}× floor: ${row.ratio <= row.goalRatio ? 'met' : 'MISSED'}`);
  if (row.rssGoalBytes !== undefined && row.peakRssBytes !== null) {
    // Measured above a bare `node` process when one was measured, since no Node program peaks
    // below that. The floor's own peak tells whether the goal can be met at all: no tool that
    // reads and parses the report whole peaks below the process that does only that.
    const base = row.baselineRssBytes;
    const peak = row.peakRssBytes - (base ?? 0);
    const verdict = peak <= row.rssGoalBytes ? 'met' : 'MISSED';
    const notes: string[] = [];
    if (base !== undefined) notes.push(`${mb(peak)} MB above bare node`);
    if (base !== undefined && row.floorPeakRssBytes !== null) {
      const floorAbove = row.floorPeakRssBytes - base;
      notes.push(`the floor process alone: ${mb(floorAbove)} MB above bare node, ${floorAbove <= row.rssGoalBytes ? 'within' : 'over'} the goal`);
    }
    parts.push(`RSS ≤ ${GOAL.reimportRss}× parsed = ${mb(row.rssGoalBytes)} MB: ${verdict}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  }
  if (row.storeBytes !== undefined) parts.push(`${mb(row.storeBytes)} MB, ${Math.round(row.bytesPerFinding ?? 0)} B/finding (${row.storeFindings} findings)`);
  if (row.counts && row.expectedCounts && !sameCounts(row.counts, row.expectedCounts)) {
    parts.push(`counts ${countsText(row.counts)}, expected ${countsText(row.expectedCounts)}: NOT COMPARABLE`);
  }
  return parts.join('; ') || '—';
}

function printResults(results: SizeResult[], mt: Multitool, method: RssMethod, baselineRssBytes: number, jsonPath: string): boolean {
  let countsOk = true;
  const lines = [
    '',
    `Store benchmark (whole CLI processes) — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}, ${new Date().toISOString().slice(0, 10)}, median of ${RUNS} run${RUNS === 1 ? '' : 's'}`,
    '',
    '| operation | size | median ms | floor ms | ratio | goal | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const size of results) {
    for (const row of size.rows) {
      if (row.counts && row.expectedCounts && !sameCounts(row.counts, row.expectedCounts)) countsOk = false;
      const ratio = row.ratio === null ? '—' : `${row.ratio.toFixed(1)}×`;
      lines.push(`| ${row.operation} | ${formatCount(row.findings)} | ${formatMs(row.medianMs)} | ${formatMs(row.floorMedianMs)} | ${ratio} | ${goalText(row)} | ${mb(row.peakRssBytes)} |`);
    }
  }
  if (!mt.executable) lines.push(`| SARIF Multitool match-results-forward | — | — | — | — | ${mt.detail} | — |`);
  lines.push('', 'Floors (each a whole `node` process, started the same way as the CLI and measured in the same run, alternating with it):');
  lines.push('- import / reimport: `node -e` that reads the SARIF report (the previous one for the import and the reimport back, the next one for the reimport) and `JSON.parse`s it.');
  lines.push('- findings --json: `node -e` that reads the CLI\'s output file, `JSON.parse`s it and writes `JSON.stringify(value, null, 2)` to a file; the stringify alone is given below.');
  lines.push('- triage: `node dist/cli.js --help` (start-up and loading of the CLI bundle, no store).');
  if (mt.executable) {
    lines.push(
      `- ${mt.detail}: \`match-results-forward next.sarif --previous previous.sarif\`, the pair the reimport reads, alternating with it; its "floor" column is Scan Ledger's reimport, so its ratio is how many times faster Scan Ledger is. Its output's baseline states are checked against the reimport's counts.`,
    );
  }
  lines.push(
    `Peak RSS: the maximum over the runs of the process's maxrss, ${method === 'time' ? 'from GNU `/usr/bin/time -f %M`' : 'from a `--require` preload writing `process.resourceUsage().maxRSS` on exit'}; it includes Node's own resident set (\`node -e 0\`: ${mb(baselineRssBytes)} MB; report read + JSON.parse floor: ${results.map((s) => `${mb(s.rows.find((r) => r.operation.startsWith('reimport'))?.floorPeakRssBytes ?? null)} MB at ${formatCount(s.findings)}`).join(', ')}).`,
  );
  lines.push('Store on disk: every file under `.scan-ledger/` except triage.json, after the first import and after the 10%-changed reimport.');
  for (const size of results) {
    const counted = size.rows
      .filter((r) => r.counts)
      .map((r) => `${r.operation} ${countsText(r.counts as Counts)}${r.expectedCounts && sameCounts(r.counts as Counts, r.expectedCounts) ? '' : ' (UNEXPECTED)'}`)
      .join(', ');
    const notes = size.rows.filter((r) => r.note).map((r) => `${r.operation}: ${r.note}`);
    lines.push(
      `- ${formatCount(size.findings)}: report ${mb(size.reportBytes)} MB (next ${mb(size.changedReportBytes)} MB), parsed ${mb(size.parsedReportBytes)} MB of heap; counts (+new −closed ↺reopened =untouched) ${counted}; ${notes.join('; ')}.`,
    );
  }
  lines.push('', `Raw results: ${jsonPath}`);
  if (!countsOk) lines.push('', 'WARNING: some imports produced other counts than expected; their timings are not comparable.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return countsOk;
}

/**
 * Issue 16, item 1: a report of a million findings imported, reimported (5% gone, 5% new) and
 * listed, each once as a whole CLI process with its time and peak memory. Opt-in
 * (`BENCH_MILLION=1`): it takes several minutes and a few GB. The results are lean (one line,
 * a short message), so the report (about 180 MB) stays under the 256 MB report limit.
 */
function runMillion(runner: Runner): void {
  const n = 1_000_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-ledger-bench-million-'));
  try {
    const write = (file: string, indices: Iterable<number>): number => {
      const fd = openSync(file, 'w');
      let first = true;
      let batch: string[] = [];
      const flush = (): void => {
        if (batch.length === 0) return;
        writeSync(fd, (first ? '' : ',') + batch.join(','));
        first = false;
        batch = [];
      };
      writeSync(fd, '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Million","rules":[]}},"results":[');
      for (const i of indices) {
        batch.push(
          JSON.stringify({
            ruleId: `R${i % 50}`,
            level: LEVELS[i % LEVELS.length],
            message: { text: `Problem ${i}` },
            locations: [{ physicalLocation: { artifactLocation: { uri: `src/m${i % 997}/f${i % 89}.js` }, region: { startLine: 1 + (i % 4000) } } }],
          }),
        );
        if (batch.length === 10_000) flush();
      }
      flush();
      writeSync(fd, ']}]}');
      closeSync(fd);
      return statSync(file).size;
    };
    const previous = path.join(dir, 'previous.sarif');
    const next = path.join(dir, 'next.sarif');
    const previousBytes = write(previous, range(0, n));
    write(next, [...range(0, n).filter((i) => i % 20 !== 7), ...range(n, n + n / 20)]);
    const workspace = path.join(dir, 'app');
    mkdirSync(workspace);
    const rows: [string, ProcessRun][] = [];
    const step = (label: string, args: string[], stdoutFile?: string): void => {
      process.stderr.write(`store benchmark, a million findings: ${label}…\n`);
      const run = runner.run([CLI, ...args], workspace, stdoutFile);
      if (run.status !== 0) fail(label, run);
      rows.push([label, run]);
    };
    step('import of a 1,000,000-result SARIF report', ['import', previous, '--scan-type', SCAN_TYPE]);
    step('reimport, 5% gone and 5% new', ['reimport', next, '--scan-type', SCAN_TYPE]);
    step('findings --json (streamed to a file)', ['findings', '--json'], path.join(dir, 'findings.json'));
    step('triage of one finding', ['triage', '777777', '--status', 'false-positive', '--reason', 'benchmark']);
    const listed = statSync(path.join(dir, 'findings.json')).size;
    console.log('');
    console.log(`A million findings (SARIF report of ${(previousBytes / 1024 / 1024).toFixed(0)} MB, whole CLI processes, one run each):`);
    console.log('');
    console.log('| operation | time | peak RSS MB |');
    console.log('| --- | ---: | ---: |');
    for (const [label, run] of rows) console.log(`| ${label} | ${formatMs(run.ms)} | ${mb(run.peakRssBytes)} |`);
    console.log('');
    console.log(`Store on disk: ${mb(storeBytes(path.join(workspace, '.scan-ledger')))} MB; findings --json wrote ${mb(listed)} MB.`);
  } finally {
    if (KEEP) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  if (!existsSync(CLI)) {
    process.stderr.write(`bench-store: ${CLI} is missing; run \`npm run build\` first (\`npm run bench\` does).\n`);
    process.exit(2);
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'scan-ledger-bench-store-scratch-'));
  try {
    const runner = new Runner(scratch);
    // The resident set of a node process that does nothing (median of three), for context.
    const baselineRssBytes = median([0, 1, 2].map(() => runner.run(['-e', '0'], scratch).peakRssBytes));
    const mt = findMultitool();
    process.stderr.write(`SARIF Multitool: ${mt.detail}\n`);
    const results: SizeResult[] = [];
    for (const n of SIZES) {
      process.stderr.write(`store benchmark: ${n} findings, ${RUNS} run${RUNS === 1 ? '' : 's'} per row…\n`);
      results.push(runSize(runner, n, baselineRssBytes, mt));
    }
    const dir = path.join(os.tmpdir(), 'scan-ledger-bench-results');
    mkdirSync(dir, { recursive: true });
    const jsonPath = path.join(dir, 'store.json');
    writeFileSync(
      jsonPath,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cpus: os.cpus().length, runs: RUNS, rssMethod: runner.method, baselineRssBytes, goals: GOAL, results, multitool: mt }, null, 2)}\n`,
    );
    if (!printResults(results, mt, runner.method, baselineRssBytes, jsonPath)) process.exitCode = 1;
    if (process.env.BENCH_MILLION === '1') runMillion(runner);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
