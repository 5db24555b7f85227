import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import { answeringPrompt } from '../../../src/extension/report-consent';
import type { ConsentPrompt } from '../../../src/extension/report-consent-model';
import type { TreeNode } from '../../../src/extension/tree/tree-model';
import type { WorkspaceSession } from '../../../src/extension/workspace-session';
import type { Finding, ImportRecord } from '../../../src/model';
import { importsOf, lineDecorationsOf, queueSettled, settledSession, waitForImportCount, workspaceFolder, workspacePath } from './harness';

/**
 * Issue 11's end-to-end cycle on a real repository with a real scanner, as a new user meets it.
 * Run only by the e2e runner's `real-repository` session (selected by the title prefix
 * `real repository`), whose workspace is node-gyp 9.4.1 as the npm registry ships it (GYP's
 * Python sources under gyp/), a git checkout with no Scan Ledger settings: the user installs
 * the extension, opens the project and runs Debian's bandit in it. Nothing is configured. The
 * repository holds scanner-shaped files as real projects do: other tools' sample reports under
 * test/fixtures (never watched by default), two reports committed long ago outside the tests,
 * and a data file of the project's own that a loose default pattern matches. At start-up the
 * user is asked about the two stale reports only, on a real notification that the runner clicks
 * ("Only New Ones"; the extension's start-up, and so `settledSession`, waits for the answer).
 * The report bandit writes afterwards is new, so it is imported without another question. Then
 * one finding is triaged, release 10.0.1's sources replace 9.4.1's, bandit runs again, and the
 * watcher's reimport must keep the triage where the code moved.
 *
 * The runner's environment names the next release's gyp/ folder (outside the workspace), the
 * files it put in the repository, and a state file, where the suite leaves what it triaged for
 * the UI checks that follow.
 */

const REPORT = 'bandit-report.json';
const SOURCES = 'gyp';
const NEXT_SOURCES = process.env.SCAN_LEDGER_REAL_REPO_NEXT ?? '';
const STATE_FILE = process.env.SCAN_LEDGER_REAL_REPO_STATE ?? '';
const [RELEASE_A, RELEASE_B] = (process.env.SCAN_LEDGER_REAL_REPO_RELEASES ?? 'A B').split(' ');
const list = (value: string | undefined): string[] => (value ? value.split(':') : []);
/** Reports committed outside the tests: what the start-up question is about. */
const STALE_REPORTS = list(process.env.SCAN_LEDGER_REAL_REPO_STALE);
/** Other tools' sample reports under test/fixtures: excluded by default, never asked about. */
const FIXTURE_SAMPLES = list(process.env.SCAN_LEDGER_REAL_REPO_SAMPLES);
/** The project's own data file that `**\/findings*.json` matches: not a report. */
const PROJECT_DATA = process.env.SCAN_LEDGER_REAL_REPO_DATA ?? '';
const REASON = 'GYP runs what the project’s own .gyp files say: trusted input, by design';
const SEVERITY_ORDER = ['HIGH', 'MEDIUM', 'LOW'];

/** One result of `bandit -f json`, the fields the suite compares. */
interface BanditResult {
  filename: string;
  line_number: number;
  test_id: string;
  test_name: string;
  issue_severity: string;
  issue_text: string;
}

/** The finding the suite triages: a result of release A and the line its code is on in release B. */
interface Picked {
  result: BanditResult;
  text: string;
  toLine: number;
  moves: boolean;
}

/** The identity of a result and of a finding, for comparing them as multisets. */
const resultKey = (r: BanditResult): string => `${r.filename}:${r.line_number}:${r.test_name}:${r.test_id}`;
const findingKey = (f: Finding): string => `${f.filePath}:${f.line}:${f.vulnIdFromTool}`;
const sorted = (keys: string[]): string[] => [...keys].sort();

/** Runs Debian's bandit over gyp/ in the workspace, as the user would in a terminal. */
function runBandit(cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile('bandit', ['-r', SOURCES, '-f', 'json', '-o', REPORT], { cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      // Bandit exits 1 when it found issues, which it does on GYP; anything else is a failure.
      if (code !== 0 && code !== 1) reject(new Error(`bandit exited with ${String(error?.code ?? error?.signal)}: ${stderr || stdout}`));
      else resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * Runs bandit and watches its report while it works: it must first appear empty (bandit opens
 * its output file before scanning and fills it at the end), and the store must not change
 * while bandit runs. Returns the parsed report.
 */
async function scanWithBandit(session: WorkspaceSession): Promise<{ results: BanditResult[]; sawEmpty: boolean; importsWhileScanning: number }> {
  const report = workspacePath(REPORT);
  const importsBefore = importsOf(session).length;
  let sawEmpty = false;
  let importsWhileScanning = 0;
  let running = true;
  const watching = (async () => {
    while (running) {
      const size = await fs.stat(report).then((s) => s.size, () => -1);
      if (size === 0) sawEmpty = true;
      if (size <= 0) importsWhileScanning = Math.max(importsWhileScanning, importsOf(session).length - importsBefore);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    await runBandit(workspaceFolder().uri.fsPath);
  } finally {
    running = false;
    await watching;
  }
  const parsed = JSON.parse(await fs.readFile(report, 'utf8')) as { results: BanditResult[]; errors: unknown[] };
  assert.deepEqual(parsed.errors, [], 'bandit scanned every file');
  return { results: parsed.results, sawEmpty, importsWhileScanning };
}

/**
 * Runs bandit (`scanWithBandit`) and waits for the watcher's import that makes the folder's
 * import count `count`, then longer than the watcher's quiet period and the settling of a
 * write, so a second import of the same write would have happened.
 */
async function scanAndWaitForImport(api: ScanLedgerApi, session: WorkspaceSession, count: number, what: string): Promise<{ scan: Awaited<ReturnType<typeof scanWithBandit>>; record: ImportRecord }> {
  const scan = await scanWithBandit(session);
  const record = await waitForImportCount(api, count, what);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await queueSettled(api);
  return { scan, record };
}

/** Whitespace-insensitive text of a code line, for finding the same line in the next release. */
const normalised = (line: string): string => line.replace(/\s+/g, ' ').trim();

async function linesOf(file: string): Promise<string[] | null> {
  return fs.readFile(file, 'utf8').then((t) => t.split(/\r?\n/), () => null);
}

/** 1-based numbers of the lines whose normalised text is `text`. */
function linesWith(lines: readonly string[], text: string): number[] {
  return lines.flatMap((l, i) => (normalised(l) === text ? [i + 1] : []));
}

/** A file of release B: gyp/… in the workspace is …/gyp/… of the next release. */
function nextReleaseFile(filename: string): string {
  return path.join(NEXT_SOURCES, path.relative(SOURCES, filename));
}

/**
 * The result to triage: one whose flagged line text occurs once in its file in release A and
 * once in release B, at another line number (it moves), highest severity first, then report
 * order. When none moves, one whose line persists at the same place.
 */
async function pickMovingResult(results: readonly BanditResult[]): Promise<Picked> {
  const candidates: Picked[] = [];
  for (const result of results) {
    const current = await linesOf(workspacePath(result.filename));
    const next = await linesOf(nextReleaseFile(result.filename));
    if (!current || !next) continue;
    const text = normalised(current[result.line_number - 1] ?? '');
    if (text.length < 4 || linesWith(current, text).length !== 1) continue;
    const there = linesWith(next, text);
    if (there.length !== 1) continue;
    candidates.push({ result, text, toLine: there[0], moves: there[0] !== result.line_number });
  }
  const rank = (p: Picked): number => (p.moves ? 0 : 10) + SEVERITY_ORDER.indexOf(p.result.issue_severity);
  const best = candidates.sort((a, b) => rank(a) - rank(b))[0];
  assert.ok(best, 'a finding of release A whose code line is still in release B');
  return best;
}

/** Every file under `dir`, relative and POSIX. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, rel)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}

/** Removes the folders under `dir` that a deletion left empty, deepest first. */
async function removeEmptyFolders(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(dir, entry.name);
    await removeEmptyFolders(folder);
    if ((await fs.readdir(folder)).length === 0) await fs.rmdir(folder);
  }
}

/**
 * "Checks out" release B: its files copied over gyp/, the files it no longer has deleted, as
 * `git checkout` of the next release would leave the tree. Returns the deleted files.
 */
async function replaceSourcesWithNextRelease(): Promise<string[]> {
  const target = workspacePath(SOURCES);
  const current = await filesUnder(target);
  const next = new Set(await filesUnder(NEXT_SOURCES));
  await fs.cp(NEXT_SOURCES, target, { recursive: true, force: true });
  const deleted = current.filter((f) => !next.has(f));
  for (const f of deleted) await fs.rm(path.join(target, f));
  await removeEmptyFolders(target);
  return deleted.map((f) => `${SOURCES}/${f}`);
}

function git(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: workspaceFolder().uri.fsPath }, (error, stdout, stderr) => (error ? reject(new Error(`git ${args.join(' ')}: ${stderr}`)) : resolve(stdout.trim())));
  });
}

async function testNodes(api: ScanLedgerApi): Promise<TreeNode[]> {
  const products = await api.tree.getChildren();
  const engagements = (await Promise.all(products.map((p) => api.tree.getChildren(p)))).flat();
  return (await Promise.all(engagements.map((e) => api.tree.getChildren(e)))).flat();
}

describe('real repository: GYP’s sources from node-gyp, scanned by Debian’s bandit', function () {
  // Bandit takes a few seconds per run on an idle machine, much longer on a loaded one.
  this.timeout(240_000);
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let prompt: ConsentPrompt & { questions: string[] };
  let previousPrompt: ConsentPrompt | undefined;
  let resultsA: BanditResult[] = [];
  let resultsB: BanditResult[] = [];
  let testId = 0;
  let picked: Picked | undefined;
  let triaged: Finding | undefined;
  let firstImport: ImportRecord | undefined;
  let reimport: ImportRecord | undefined;

  const ledger = () => {
    assert.ok(session.ledger, 'the store is open');
    return session.ledger;
  };

  before(async () => {
    assert.ok(NEXT_SOURCES && STATE_FILE && STALE_REPORTS.length && FIXTURE_SAMPLES.length && PROJECT_DATA, 'the runner names the next release’s sources, the files it added and the state file');
    // Start-up waits for the answer to the question, which the runner gives on the notification.
    ({ api, session } = await settledSession());
    // A question from the extension would be answered "dismissed" and recorded here; a new
    // user running their scanner should not get one.
    prompt = answeringPrompt(undefined);
    previousPrompt = api.consent.usePrompt(prompt);
  });

  after(async () => {
    if (previousPrompt) api.consent.usePrompt(previousPrompt);
    await fs.writeFile(
      STATE_FILE,
      JSON.stringify(
        {
          report: REPORT,
          releases: [RELEASE_A, RELEASE_B],
          results: [resultsA.length, resultsB.length],
          imports: [firstImport, reimport].filter((r) => r !== undefined).map((r) => ({ id: r.id, type: r.type, counts: r.counts })),
          triaged: picked && triaged
            ? { id: triaged.id, file: picked.result.filename, fromLine: picked.result.line_number, toLine: picked.toLine, title: triaged.title, severity: triaged.severity, text: picked.text }
            : null,
        },
        null,
        2,
      ),
    );
  });

  it('real repository: the start-up question is about the reports committed outside the tests; “Only New Ones” on its notification imports none, with no error notification', async () => {
    const watched = (await api.watcher.watchedReports(session)).map((r) => session.relativePath(r.uri));
    assert.deepEqual(sorted(watched), sorted([...STALE_REPORTS, PROJECT_DATA]), 'the default patterns find the stale reports and the data file, not the fixtures’ samples');
    for (const sample of FIXTURE_SAMPLES) await fs.access(workspacePath(sample));
    const consent = api.consent.consentOf(session);
    assert.ok(consent, 'the answer is remembered for this workspace');
    assert.equal(consent.choice, 'onlyNew', 'the answer clicked on the notification');
    assert.deepEqual(sorted(consent.declined), sorted(STALE_REPORTS), 'asked about the stale reports only: the data file is no report');
    assert.equal(importsOf(session).length, 0, 'nothing imported: no stale report, no sample, no data file');
    assert.equal(await session.storeExists(), false, 'no store written');
    assert.deepEqual(api.notifications(), [], 'no error or warning notification at start-up');
  });

  it('real repository: bandit’s report, created empty and filled at the end, is imported once with no question and no error notification', async () => {
    assert.equal(importsOf(session).length, 0, 'a fresh checkout: nothing imported yet');
    const consentBefore = api.consent.consentOf(session);
    const notificationsBefore = api.notifications().length;
    const { scan, record } = await scanAndWaitForImport(api, session, 1, 'bandit’s report');
    firstImport = record;
    resultsA = scan.results;
    assert.ok(resultsA.length > 50, `bandit found issues in GYP ${RELEASE_A} (${resultsA.length})`);
    assert.equal(scan.sawEmpty, true, 'bandit created its report empty first');
    assert.equal(scan.importsWhileScanning, 0, 'the empty report imported nothing');
    assert.equal(importsOf(session).length, 1, 'imported once');
    assert.equal(firstImport.type, 'import');
    assert.equal(firstImport.settings.reportName, REPORT);
    testId = firstImport.testId;
    assert.deepEqual(api.notifications().slice(notificationsBefore), [], 'no error or warning notification');
    assert.deepEqual(prompt.questions, [], 'no consent question: the user’s scanner wrote the report now');
    assert.deepEqual(api.consent.consentOf(session), consentBefore, 'the answer stays as given');
  });

  it('real repository: one finding per bandit result, on its file and line, in one test the tree shows', async () => {
    assert.ok(firstImport, 'the report was imported');
    assert.deepEqual(firstImport.counts, { created: resultsA.length, closed: 0, reactivated: 0, untouched: 0 });
    const findings = ledger().findingsOfTest(testId);
    assert.equal(findings.length, resultsA.length, 'as many findings as bandit results');
    assert.deepEqual(sorted(findings.map(findingKey)), sorted(resultsA.map(resultKey)), 'each finding on its result’s file, line and test');
    assert.ok(findings.every((f) => f.active && !f.duplicate), 'all open, none a duplicate');
    const byFile = new Map<string, BanditResult[]>();
    for (const r of resultsA) byFile.set(r.filename, [...(byFile.get(r.filename) ?? []), r]);
    for (const [file, results] of byFile) {
      const indexed = session.findingsIndex().findingsFor(file);
      assert.deepEqual(sorted(indexed.map(findingKey)), sorted(results.map(resultKey)), `the editor finds ${file}'s findings under its path`);
    }

    // The decorations of the file with the most findings, as the editor computes them.
    const [busiest, busiestResults] = [...byFile].sort((a, b) => b[1].length - a[1].length)[0];
    const document = await vscode.workspace.openTextDocument(workspacePath(busiest));
    await vscode.window.showTextDocument(document);
    const decorated = lineDecorationsOf(api, document).map((d) => d.line + 1);
    assert.deepEqual(decorated, [...new Set(busiestResults.map((r) => r.line_number))].sort((a, b) => a - b), `the decorated lines of ${busiest} are bandit's`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const tests = await testNodes(api);
    assert.deepEqual(tests.map((t) => t.label), [REPORT], 'one test, named after the report');
  });

  it('real repository: a finding whose code moves in the next release is marked false positive through the command', async () => {
    picked = await pickMovingResult(resultsA);
    const { result } = picked;
    assert.equal(picked.moves, true, `some finding's line moves between ${RELEASE_A} and ${RELEASE_B}`);
    const finding = ledger()
      .findingsOfTest(testId)
      .find((f) => findingKey(f) === resultKey(result));
    assert.ok(finding, `the finding of ${result.filename}:${result.line_number}`);
    const changed = await vscode.commands.executeCommand<number[]>('scanLedger.triage.falsePositive', {
      folder: session.folder.uri.toString(),
      findingIds: [finding.id],
      reason: REASON,
    });
    assert.deepEqual(changed, [finding.id]);
    triaged = structuredClone(ledger().finding(finding.id));
    assert.equal(triaged?.falsePositive, true);
    assert.equal(triaged?.active, false);
  });

  it('real repository: the next release scanned again is reimported by the watcher; the triage keeps its finding at the new line, and the counts add up', async () => {
    assert.ok(picked && triaged, 'a finding was triaged');
    const deleted = await replaceSourcesWithNextRelease();
    // The next release, checked out as a commit of its own.
    await git('add', '-A', SOURCES);
    await git('commit', '-q', '-m', `node-gyp ${RELEASE_B}`);
    const notificationsBefore = api.notifications().length;
    const { scan, record } = await scanAndWaitForImport(api, session, 2, 'the reimport of bandit’s new report');
    reimport = record;
    resultsB = scan.results;
    assert.equal(scan.sawEmpty, true, 'bandit emptied its report first');
    assert.equal(scan.importsWhileScanning, 0, 'the emptied report imported nothing');
    assert.equal(importsOf(session).length, 2, 'reimported once');
    assert.equal(reimport.type, 'reimport');
    assert.equal(reimport.testId, testId, 'into the same test');
    assert.deepEqual(api.notifications().slice(notificationsBefore), [], 'no error or warning notification');
    assert.deepEqual(prompt.questions, [], 'no consent question');

    // Every result of the new report is created or matched; every old finding is matched or closed.
    const { created, closed, reactivated, untouched } = reimport.counts;
    assert.equal(reactivated, 0, 'nothing was closed before');
    assert.equal(created + untouched, resultsB.length, `created + untouched = the ${resultsB.length} results of the new report`);
    assert.equal(closed + untouched, resultsA.length, `closed + untouched = the ${resultsA.length} findings of the first import`);

    // The triaged finding: the same id, still a false positive, at its new line.
    const now = ledger().finding(triaged.id);
    assert.ok(now, 'the triaged finding is still in the store');
    assert.equal(now.falsePositive, true, 'still a false positive');
    assert.equal(now.active, false);
    assert.equal(now.line, picked.toLine, `moved from line ${picked.result.line_number} to ${picked.toLine}`);
    const action = reimport.actions.find((a) => a.findingId === triaged?.id);
    assert.equal(action?.action, 'untouched');
    assert.equal(action?.untouchedReason, 'triaged');
    assert.deepEqual([action?.fromLine, action?.toLine], [picked.result.line_number, picked.toLine], 'the reimport records the move');
    assert.ok(
      resultsB.some((r) => r.filename === picked?.result.filename && r.line_number === picked.toLine && r.test_id === picked.result.test_id),
      'bandit flags the moved line in the next release',
    );

    // The open findings are exactly the new report's results, but the triaged one.
    const findings = ledger().findingsOfTest(testId);
    const open = findings.filter((f) => f.active);
    assert.deepEqual(
      sorted(open.map(findingKey)),
      sorted(resultsB.map(resultKey).filter((k) => k !== findingKey(now))),
      'the open findings are the new report’s results on their lines',
    );
    for (const f of open) {
      await fs.access(workspacePath(f.filePath ?? '')).catch(() => assert.fail(`an open finding of ${f.filePath}, which no longer exists`));
    }
    const ofDeleted = findings.filter((f) => deleted.includes(f.filePath ?? ''));
    assert.ok(ofDeleted.length > 0, `release ${RELEASE_B} deletes a file with findings (${deleted.join(', ')})`);
    assert.ok(ofDeleted.every((f) => !f.active && f.isMitigated), 'the findings of deleted files are closed');

    const [test] = await testNodes(api);
    const history = (await api.tree.getChildren(test)).find((c) => c.kind === 'importHistory');
    assert.ok(history, 'the test has its import history');
    assert.deepEqual(
      (await api.tree.getChildren(history)).map((r) => r.description?.split(' · ')[0]),
      [`+${created} −${closed} ↺0 =${untouched}`, `+${resultsA.length} −0 ↺0 =0`],
      'the tree lists both imports with their counts, newest first',
    );
  });
});
