/**
 * The churn benchmark (issue 6): does a finding keep its identity, and its triage, when the
 * code around it changes? It takes a real project's successive releases (published versions of
 * `express` from the npm registry), scans each with a real scanner (ESLint with
 * eslint-plugin-security and the SARIF formatter) in one fixed checkout folder, as a CI job
 * would, and reimports the reports in order into one test — once in DefectDojo parity mode and
 * once with Scan Ledger's defaults (fingerprint matching), side by side. Each pair runs twice:
 * with the scanned sources readable by the engine, and with the reports alone (no source port),
 * as when a CI artifact is imported where the sources are not checked out at that commit.
 *
 * Ground truth comes from `git diff --no-index -M` between successive trees: a finding whose
 * flagged line is unchanged (only moved, or its file renamed) and still reported by the next
 * scan at the mapped line is a persisting finding, and must stay the same stored finding.
 *
 * Run: `npm run bench:churn` (`CHURN_CORPUS=node-gyp-bandit` for the second corpus,
 * `CHURN_LIST=1` to list every lost link and wrong match). Downloads and reports are cached in
 * .cache/churn.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ESLint, type Linter } from 'eslint';
import { reimportScan } from '../src/engine/reimport-scan';
import { triageFinding } from '../src/engine/triage';
import { Ledger } from '../src/engine/ledger';
import { addTo } from '../src/engine/lists';
import type { EngineContext, SourcePort } from '../src/engine/context';
import { defaultSettings, effectiveSettings, emptyStoreData, type Finding } from '../src/model';
import { parseReport } from '../src/parsers';

/**
 * A history to measure: a package's releases from the npm registry and a real scanner run on
 * each. `express-eslint` (the default): ESLint + eslint-plugin-security, SARIF without snippets.
 * `node-gyp-bandit` (issue 10's second corpus): Debian's bandit on GYP's Python sources, shipped
 * in node-gyp's releases; Bandit's JSON carries each finding's code, so the report alone has the
 * flagged text. `node-sqlite3-flawfinder` (the third): Debian's flawfinder on the SQLite
 * amalgamation node-sqlite3 vendors, ten SQLite releases; flawfinder's SARIF has snippets and a
 * `contextHash/v1` fingerprint that hashes the neighbouring lines too.
 */
interface Corpus {
  name: string;
  packageName: string;
  versions: string[];
  scanner: string;
  scanType: string;
  extension: string;
  scan(checkoutDir: string): Promise<string>;
  positions(report: string): Position[];
  /** Unpacks what the package ships packed (a vendored tarball) after the package is extracted. */
  unpack?(tree: string): void;
}

const CORPORA: Record<string, () => Corpus> = {
  'express-eslint': () => ({
    name: 'express-eslint',
    packageName: 'express',
    versions: '4.17.1,4.17.3,4.18.0,4.18.2,4.19.0,4.19.2,4.20.0,4.21.0,4.21.2,5.0.0,5.1.0'.split(','),
    scanner: 'ESLint + eslint-plugin-security',
    scanType: 'SARIF',
    extension: 'sarif',
    scan: eslintScan,
    positions: sarifPositions,
  }),
  'node-gyp-bandit': () => ({
    name: 'node-gyp-bandit',
    packageName: 'node-gyp',
    versions: '8.4.1,9.0.0,9.3.1,9.4.1,10.0.1,10.1.0,10.2.0,11.0.0,11.2.0,11.5.0'.split(','),
    scanner: `Debian bandit (${banditVersion()}) on gyp/`,
    scanType: 'Bandit Scan',
    extension: 'json',
    scan: banditScan,
    positions: banditPositions,
  }),

  'node-sqlite3-flawfinder': () => ({
    name: 'node-sqlite3-flawfinder',
    packageName: 'sqlite3',
    // Each of these releases vendors another SQLite (3.31.1 … 3.44.2).
    versions: '5.0.0,5.0.2,5.0.3,5.0.8,5.0.11,5.1.1,5.1.2,5.1.4,5.1.5,5.1.7'.split(','),
    scanner: `Debian flawfinder (${flawfinderVersion()}) on SQLite's amalgamation`,
    scanType: 'SARIF',
    extension: 'sarif',
    scan: flawfinderScan,
    positions: sarifPositions,
    unpack: unpackSqlite,
  }),
};

const corpusName = process.env.CHURN_CORPUS ?? 'express-eslint';
/** `CHURN_LIST=1`: print every lost persisting link and every wrong match, to see why. */
const LIST_LINKS = process.env.CHURN_LIST === '1';
if (!CORPORA[corpusName]) throw new Error(`CHURN_CORPUS: unknown corpus "${corpusName}"; one of ${Object.keys(CORPORA).join(', ')}`);
const CORPUS = CORPORA[corpusName]();
const PACKAGE = process.env.CHURN_PACKAGE ?? CORPUS.packageName;
const VERSIONS = process.env.CHURN_VERSIONS ? process.env.CHURN_VERSIONS.split(',') : CORPUS.versions;
// npm runs scripts from the package root; the bundled script lives elsewhere.
const root = process.cwd();
const cache = join(root, '.cache', 'churn', CORPUS.name === 'express-eslint' ? PACKAGE : CORPUS.name);
const checkout = join(cache, 'checkout');

/** One scanned version: its tree, its SARIF, and the findings' (file, line, rule) keys. */
interface ScannedVersion {
  version: string;
  tree: string;
  sarif: string;
  positions: Position[];
}

function ensureTree(version: string): string {
  const dir = join(cache, 'trees', version);
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(join(cache, 'tarballs'), { recursive: true });
  const tarball = execFileSync('npm', ['pack', `${PACKAGE}@${version}`, '--silent', '--pack-destination', join(cache, 'tarballs')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', join(cache, 'tarballs', tarball), '-C', dir, '--strip-components=1']);
  CORPUS.unpack?.(dir);
  return dir;
}

/** Scans a version the way CI would: its files copied into the one checkout folder. */
async function scan(version: string, tree: string): Promise<string> {
  const out = join(cache, 'reports', `${version}.${CORPUS.extension}`);
  if (existsSync(out)) return readFileSync(out, 'utf8');
  rmSync(checkout, { recursive: true, force: true });
  cpSync(tree, checkout, { recursive: true });
  const report = await CORPUS.scan(checkout);
  mkdirSync(join(cache, 'reports'), { recursive: true });
  writeFileSync(out, report);
  return report;
}

/** The installed bandit's version line, or a note that it is missing. */
function banditVersion(): string {
  try {
    return execFileSync('bandit', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return 'bandit not installed: apt-get install bandit';
  }
}

/** Debian's bandit on the checkout's gyp/ folder, JSON report; it exits 1 when it finds issues. */
function banditScan(checkoutDir: string): Promise<string> {
  const out = join(checkoutDir, '..', 'bandit-report.json');
  try {
    execFileSync('bandit', ['-r', 'gyp', '-f', 'json', '-o', out, '-q'], { cwd: checkoutDir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if ((error as { status?: number }).status !== 1) throw error;
  }
  return Promise.resolve(readFileSync(out, 'utf8'));
}

/** The installed flawfinder's version, or a note that it is missing. */
function flawfinderVersion(): string {
  try {
    return `flawfinder ${execFileSync('flawfinder', ['--version'], { encoding: 'utf8' }).trim()}`;
  } catch {
    return 'flawfinder not installed: apt-get install flawfinder';
  }
}

/**
 * node-sqlite3 ships SQLite as `deps/sqlite-autoconf-<version>.tar.gz`; it is unpacked into
 * `deps/sqlite/`, one folder whatever the version, as a project that vendors SQLite keeps it.
 */
function unpackSqlite(tree: string): void {
  const deps = join(tree, 'deps');
  const packed = readdirSync(deps).find((f) => /^sqlite-autoconf-\d+\.tar\.gz$/.test(f));
  if (!packed) throw new Error(`no SQLite tarball in ${deps}`);
  mkdirSync(join(deps, 'sqlite'), { recursive: true });
  execFileSync('tar', ['xzf', join(deps, packed), '-C', join(deps, 'sqlite'), '--strip-components=1']);
  rmSync(join(deps, packed));
}

/** Debian's flawfinder on SQLite's amalgamation and shell, as SARIF (snippets and `contextHash/v1`). */
function flawfinderScan(checkoutDir: string): Promise<string> {
  return Promise.resolve(execFileSync('flawfinder', ['--sarif', 'deps/sqlite/sqlite3.c', 'deps/sqlite/shell.c'], { cwd: checkoutDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }));
}

/** The parts of a Bandit JSON report this bench reads. */
interface BanditJson {
  results: { filename: string; line_number: number; test_id: string; test_name: string }[];
}

/** Positions keyed as the Bandit parser stores the rule: `test_name:test_id`, DefectDojo's `vuln_id_from_tool`. */
function banditPositions(report: string): Position[] {
  const doc = JSON.parse(report) as BanditJson;
  return doc.results.map((r) => ({ file: r.filename.replace(/^\.\//, ''), line: r.line_number, rule: `${r.test_name}:${r.test_id}` }));
}

/** ESLint with eslint-plugin-security on the checkout, as SARIF. */
async function eslintScan(checkoutDir: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const security = require('eslint-plugin-security') as { configs: { recommended: Linter.Config } };
  const eslint = new ESLint({
    cwd: checkoutDir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.js'], ...security.configs.recommended, languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022 } }],
  });
  const results = await eslint.lintFiles(['lib/**/*.js', 'index.js'].filter((p) => p !== 'index.js' || existsSync(join(checkoutDir, 'index.js'))));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sarifFormatter = require('@microsoft/eslint-formatter-sarif') as (results: ESLint.LintResult[], data: ESLint.LintResultData) => string;
  return sarifFormatter(results, { cwd: checkoutDir, rulesMeta: eslint.getRulesMetaForResults(results) });
}

/**
 * Maps each unchanged line of the old tree to its line in the new tree, per file, from
 * `git diff --no-index -M -U0` (renames included). A line the diff shows removed and added
 * again with the same text in the same file (reordered imports, a function moved below
 * another) is unchanged too: it only moved, as `git diff --color-moved` would show it. Such
 * lines are paired one to one in order, among lines with at least eight non-blank characters
 * (a lone `}` or `pass` moving tells nothing).
 */
function lineMapping(oldVersion: string, newVersion: string): { map: (file: string, line: number) => { file: string; line: number } | null; renames: Map<string, string> } {
  // Run from the trees folder with relative paths, so headers read `a/<old>/<file>`.
  const r = spawnSync('git', ['diff', '--no-index', '-M', '-U0', '--no-color', '--', oldVersion, newVersion], {
    cwd: join(cache, 'trees'), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const hunks = new Map<string, { oldStart: number; oldCount: number; newStart: number; newCount: number }[]>();
  const renames = new Map<string, string>();
  const deleted = new Set<string>();
  const strip = (p: string, version: string) => p.replace(/^[ab]\//, '').slice(version.length + 1);
  // Per old file: the removed and the added lines, with their numbers and normalised text.
  const removed = new Map<string, { line: number; text: string }[]>();
  const added = new Map<string, { line: number; text: string }[]>();
  let oldLine = 0;
  let newLine = 0;
  let oldFile: string | null = null;
  let current: string | null = null;
  for (const line of r.stdout.split('\n')) {
    if (current && hunks.get(current)!.length > 0 && !line.startsWith('--- ') && !line.startsWith('+++ ') && (line.startsWith('-') || line.startsWith('+'))) {
      const text = line.slice(1).replace(/\s+/g, ' ').trim();
      const [side, n] = line.startsWith('-') ? [removed, oldLine++] : [added, newLine++];
      if (text.replace(/ /g, '').length >= 8) addTo(side, current, { line: n, text });
      continue;
    }
    if (line.startsWith('diff --git ')) {
      oldFile = null;
      current = null;
    } else if (line.startsWith('rename from ')) {
      oldFile = line.slice('rename from '.length).slice(oldVersion.length + 1);
    } else if (line.startsWith('rename to ') && oldFile) {
      renames.set(oldFile, line.slice('rename to '.length).slice(newVersion.length + 1));
      current = oldFile;
      if (!hunks.has(current)) hunks.set(current, []);
    } else if (line.startsWith('--- ')) {
      oldFile = line === '--- /dev/null' ? null : strip(line.slice(4), oldVersion);
    } else if (line.startsWith('+++ ')) {
      if (!oldFile) continue;
      if (line === '+++ /dev/null') deleted.add(oldFile);
      else {
        const newFile = strip(line.slice(4), newVersion);
        if (newFile !== oldFile) renames.set(oldFile, newFile);
        current = oldFile;
        hunks.set(current, []);
      }
    } else if (current && line.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (m) {
        hunks.get(current)!.push({ oldStart: +m[1], oldCount: m[2] === undefined ? 1 : +m[2], newStart: +m[3], newCount: m[4] === undefined ? 1 : +m[4] });
        [oldLine, newLine] = [+m[1], +m[3]];
      }
    }
  }
  const moved = new Map<string, Map<number, number>>();
  for (const [file, lines] of removed) {
    // The added lines by text, each list in line order, consumed from the front.
    const pool = new Map<string, number[]>();
    for (const a of added.get(file) ?? []) addTo(pool, a.text, a.line);
    const map = new Map<number, number>();
    for (const r of lines) {
      const to = pool.get(r.text)?.shift();
      if (to !== undefined) map.set(r.line, to);
    }
    moved.set(file, map);
  }
  return {
    renames,
    map(file, line) {
      if (deleted.has(file)) return null;
      const movedTo = moved.get(file)?.get(line);
      if (movedTo !== undefined) return { file: renames.get(file) ?? file, line: movedTo };
      let shift = 0;
      for (const h of hunks.get(file) ?? []) {
        // With -U0, a hunk with oldCount 0 inserts after oldStart; otherwise it replaces
        // oldStart .. oldStart + oldCount - 1.
        const firstChanged = h.oldCount === 0 ? h.oldStart + 1 : h.oldStart;
        if (line < firstChanged) break;
        if (h.oldCount > 0 && line < h.oldStart + h.oldCount) return null;
        shift += h.newCount - h.oldCount;
      }
      return { file: renames.get(file) ?? file, line: line + shift };
    },
  };
}

/** A report finding's position: workspace-relative file, line and rule. */
interface Position { file: string; line: number; rule: string }

/** The parts of a SARIF log this bench reads, as ESLint's SARIF formatter writes them. */
interface EslintSarif {
  runs: { results?: { ruleId: string; locations?: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine?: number } } }[] }[] }[];
}

function sarifPositions(sarif: string): Position[] {
  const doc = JSON.parse(sarif) as EslintSarif;
  const out: Position[] = [];
  for (const r of doc.runs[0].results ?? []) {
    const loc = r.locations?.[0]?.physicalLocation;
    if (!loc) continue;
    const uri = loc.artifactLocation.uri;
    const file = uri.startsWith('file://') ? relative(checkout, decodeURIComponent(uri.replace(/^file:\/\//, ''))) : uri;
    out.push({ file, line: loc.region?.startLine ?? 0, rule: r.ruleId });
  }
  return out;
}

const key = (p: Position) => `${p.file}\u0000${p.line}\u0000${p.rule}`;

/**
 * The stored findings that represent what the report shows, by their current position: every
 * finding of the test except those closed by a scan (mitigated without a triage state), so
 * duplicates and triaged findings count, as the editor shows them.
 */
function representedByPosition(ledger: Ledger, testId: number): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const f of ledger.findingsOfTest(testId)) {
    if (f.isMitigated && !f.falsePositive && !f.outOfScope && !f.riskAccepted) continue;
    const file = f.location?.resolvedPath ?? f.filePath ?? '';
    const k = key({ file, line: f.line ?? 0, rule: f.vulnIdFromTool ?? '' });
    byKey.set(k, [...(byKey.get(k) ?? []), f.id]);
  }
  return byKey;
}

/** How often each position occurs in a report (a line can carry two hits of one rule). */
function positionCounts(list: Position[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of list) counts.set(key(p), (counts.get(key(p)) ?? 0) + 1);
  return counts;
}

interface ModeResult {
  mode: string;
  /** Whether the engine could read the scanned sources, or had the reports alone. */
  sources: 'checkout' | 'reports only';
  persisting: number;
  kept: number;
  falseClosesAndCreates: number;
  /** Report findings whose flagged line is new or changed, yet bound to an older finding. */
  boundToOlder: number;
  /** Report findings bound to an older finding at all: what the wrong matches are a share of. */
  matched: number;
  /** The wrong matches by the tier that made them. */
  wrongTiers: Map<string, number>;
  triaged: number;
  triageLost: number;
  reimportMs: number[];
  /** How many reimport matches each matching tier made, over all reimports. */
  tiers: Map<string, number>;
}

function sourcePort(tree: string, renames: Map<string, string>): SourcePort {
  const cacheLines = new Map<string, readonly string[] | undefined>();
  return {
    lines(filePath) {
      if (!cacheLines.has(filePath)) {
        const p = join(tree, filePath);
        cacheLines.set(filePath, existsSync(p) && !p.includes('..') ? readFileSync(p, 'utf8').split(/\r\n|\r|\n/) : undefined);
      }
      return cacheLines.get(filePath);
    },
    renamedFiles: () => renames,
  };
}

function runMode(mode: 'parity' | 'fingerprint', sources: ModeResult['sources'], versions: ScannedVersion[]): ModeResult {
  const ledger = new Ledger(emptyStoreData());
  const settings = effectiveSettings({ ...defaultSettings(), defectdojoParity: mode === 'parity' });
  const result: ModeResult = { mode, sources, persisting: 0, kept: 0, falseClosesAndCreates: 0, boundToOlder: 0, matched: 0, wrongTiers: new Map(), triaged: 0, triageLost: 0, reimportMs: [], tiers: new Map() };
  let previous: Map<string, number[]> | null = null;
  const triagedIds = new Set<number>();
  const lostLineages = new Set<number>();
  // Each first-report finding's lineage: the stored id that represents it now, while its line
  // persists.
  let lineage = new Map<string, number>();
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i];
    const mapping = i > 0 ? lineMapping(versions[i - 1].version, v.version) : null;
    const ctx: EngineContext = {
      now: new Date(Date.UTC(2026, 0, 1 + i)),
      user: 'churn-bench',
      settings,
      // Reports only: a CI artifact imported where the scanned sources are not checked out.
      source: sources === 'checkout' ? sourcePort(v.tree, mapping?.renames ?? new Map<string, string>()) : undefined,
    };
    const report = parseReport(v.sarif, { fileName: `${v.version}.${CORPUS.extension}`, scanType: CORPUS.scanType, workspaceRoot: checkout });
    const lastIdBefore = ledger.data.nextIds.finding - 1;
    const t0 = performance.now();
    const r = reimportScan(ledger, report, { scanType: CORPUS.scanType, productName: PACKAGE, engagementName: 'releases' }, ctx);
    if (i > 0) {
      result.reimportMs.push(performance.now() - t0);
      for (const a of r.actions) if (a.matchTier) result.tiers.set(a.matchTier, (result.tiers.get(a.matchTier) ?? 0) + 1);
    }
    const byPosition = representedByPosition(ledger, r.testId);
    // The tier that matched each finding in this reimport, for the list of wrong matches.
    const tierOf = new Map(r.actions.map((a) => [a.findingId, a.matchTier ?? null]));
    if (i === 0) {
      // Triage every finding of the first report as a false positive, as a team would after
      // reviewing the first scan.
      for (const [k, ids] of byPosition) {
        ids.forEach((id, n) => {
          triageFinding(ledger, id, { status: 'false-positive', reason: 'reviewed in the first scan' }, ctx);
          triagedIds.add(id);
          lineage.set(`${k}#${n}`, id);
        });
      }
      result.triaged = triagedIds.size;
    }
    if (previous && mapping) {
      const nowCounts = positionCounts(versions[i].positions);
      const prevCounts = positionCounts(versions[i - 1].positions);
      // Ground truth, the same for both modes: positions whose line is unchanged and still
      // reported at the mapped line. `expectedOld` counts, per new position, how many of its
      // findings may rightly be older findings.
      const expectedOld = new Map<string, number>();
      for (const [k, count] of prevCounts) {
        const [file, line, rule] = k.split('\u0000');
        const mapped = mapping.map(file, Number(line));
        if (!mapped) continue;
        const newKey = key({ file: mapped.file, line: mapped.line, rule });
        const pairs = Math.min(count, nowCounts.get(newKey) ?? 0);
        if (pairs === 0) continue;
        const before = previous.get(k) ?? [];
        const after = new Set(byPosition.get(newKey) ?? []);
        const kept = Math.min(pairs, before.filter((id) => after.has(id)).length);
        expectedOld.set(newKey, (expectedOld.get(newKey) ?? 0) + pairs);
        result.persisting += pairs;
        result.kept += kept;
        result.falseClosesAndCreates += pairs - kept;
        if (LIST_LINKS && pairs > kept) console.log(`lost  [${mode}, ${sources}] ${v.version} ${file}:${line} → ${mapped.line} ${rule}: finding ${before.join(', ')} there before, ${[...after].join(', ') || 'none'} now`);
      }
      for (const [k, count] of nowCounts) {
        const older = (byPosition.get(k) ?? []).filter((id) => id <= lastIdBefore).length;
        const wrong = Math.max(0, Math.min(count, older) - (expectedOld.get(k) ?? 0));
        result.boundToOlder += wrong;
        result.matched += Math.min(count, older);
        if (wrong === 0) continue;
        const ids = byPosition.get(k) ?? [];
        const tier = ids.filter((id) => id <= lastIdBefore).map((id) => tierOf.get(id))[0] ?? 'no import action';
        result.wrongTiers.set(tier, (result.wrongTiers.get(tier) ?? 0) + wrong);
        if (LIST_LINKS) {
          const tiers = ids.map((id) => tierOf.get(id)).filter(Boolean).join(', ');
          console.log(`wrong [${mode}, ${sources}] ${v.version} ${k.split('\u0000').slice(0, 2).join(':')} ${k.split('\u0000')[2]}: a new or changed line bound to finding ${ids.join(', ')} (${tiers})`);
        }
      }
      const nextLineage = new Map<string, number>();
      for (const [lk, original] of lineage) {
        const [k, nStr] = lk.split('#');
        const [file, line, rule] = k.split('\u0000');
        const mapped = mapping.map(file, Number(line));
        if (!mapped) continue;
        const newKey = key({ file: mapped.file, line: mapped.line, rule });
        if (!nowCounts.has(newKey)) continue;
        const ids = byPosition.get(newKey) ?? [];
        const f: Finding | undefined = ledger.finding(ids[Number(nStr)] ?? ids[0]);
        // No stored finding at the line the report flags (a matched finding left at its old
        // line) shows the decision nowhere near the code: lost to the user, as an open one is.
        if (!f?.falsePositive) lostLineages.add(original);
        nextLineage.set(`${newKey}#${nStr}`, original);
      }
      lineage = nextLineage;
    }
    previous = byPosition;
  }
  result.triageLost = lostLineages.size;
  return result;
}

async function main(): Promise<void> {
  mkdirSync(cache, { recursive: true });
  const versions: ScannedVersion[] = [];
  for (const version of VERSIONS) {
    const tree = ensureTree(version);
    const sarif = await scan(version, tree);
    versions.push({ version, tree, sarif, positions: CORPUS.positions(sarif) });
  }
  const counts = versions.map((v) => `${v.version}: ${v.positions.length}`).join(', ');
  console.log(`${PACKAGE} releases scanned with ${CORPUS.scanner} (findings per release): ${counts}`);
  const rows: ModeResult[] = [];
  for (const sources of ['checkout', 'reports only'] as const) {
    rows.push(runMode('parity', sources, versions), runMode('fingerprint', sources, versions));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  console.log('');
  console.log(`| sources | mode | persisting findings kept | false closes + creates | triage decisions lost | wrong matches (new or changed lines bound to an older finding, of all bound to one; by tier) | time per reimport | matches per tier |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of rows) {
    const pct = r.persisting ? ((100 * r.kept) / r.persisting).toFixed(1) : 'n/a';
    const label = r.mode === 'parity' ? 'DefectDojo parity (`defectdojoParity: true`)' : 'Scan Ledger default (fingerprint)';
    const tiers = [...r.tiers].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${t} ${n}`).join(', ');
    const wrongPct = r.matched ? ((100 * r.boundToOlder) / r.matched).toFixed(2) : 'n/a';
    const wrongTiers = [...r.wrongTiers].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${t} ${n}`).join(', ');
    const wrong = `${r.boundToOlder} of ${r.matched} (${wrongPct}%)${wrongTiers ? `: ${wrongTiers}` : ''}`;
    console.log(`| ${r.sources} | ${label} | ${r.kept} / ${r.persisting} (${pct}%) | ${r.falseClosesAndCreates} | ${r.triageLost} of ${r.triaged} | ${wrong} | ${mean(r.reimportMs).toFixed(1)} ms | ${tiers} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
