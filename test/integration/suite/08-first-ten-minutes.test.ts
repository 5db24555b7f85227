import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import { answeringPrompt } from '../../../src/extension/report-consent';
import type { WorkspaceSession } from '../../../src/extension/workspace-session';
import { DEFAULT_WATCH_EXCLUDE } from '../../../src/model';
import {
  deleteSuiteTests,
  importsOf,
  queueSettled,
  reportText,
  settledSession,
  waitFor,
  waitForImportCount,
  workspaceFolder,
  workspacePath,
  writeReport,
} from './harness';

/**
 * Issue 11, the rest of "the first ten minutes": reports in excluded folders are not imported,
 * unconfigured reports wait for the user's consent, SARIF code flows show in the Problems panel
 * and the hover, the severity and "new since" filters, and the quick fix that writes the
 * scanner's own suppression. The suite removes every file it writes, deletes its test, clears
 * the filters and its consent answer, and puts `.vscode/settings.json` back byte for byte, so
 * the suites and UI checks after it find the workspace as it was.
 */

const SOURCE = 'src/issue11.js';
const SOURCE_TEXT = ['const input = process.argv[2];', 'const copy = input;', 'eval(copy);', ''].join('\n');
const FLOW_REPORT = 'reports/issue11.sarif';
const EVAL_RULE = 'security/detect-eval-with-expression';
const SETTINGS = '.vscode/settings.json';
const EXCLUDED = 'reports/ci/excluded-1.sarif';
const HIDDEN = 'reports/hidden-report.sarif';
const SAMPLES = ['reports/samples/a.sarif', 'reports/samples/b.sarif'];

function step(line: number, text: string, uri = 'src/issue11.js'): Record<string, unknown> {
  return { location: { physicalLocation: { artifactLocation: { uri }, region: { startLine: line, startColumn: 1 } }, message: { text } } };
}

/** An ESLint-shaped SARIF report on src/issue11.js: a High eval with a three-step code flow, and an Info note. */
function flowReport(): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ESLint', rules: [{ id: EVAL_RULE }, { id: 'no-unused-vars' }] } },
        results: [
          {
            ruleId: EVAL_RULE,
            level: 'error',
            message: { text: 'eval with an argument read from the command line' },
            locations: [{ physicalLocation: { artifactLocation: { uri: SOURCE }, region: { startLine: 3, startColumn: 1 } } }],
            codeFlows: [{ threadFlows: [{ locations: [step(1, 'process.argv read'), step(2, 'copied'), step(1, 'outside', '/etc/passwd'), step(3, 'evaluated')] }] }],
            relatedLocations: [{ id: 1, ...(step(1, 'the source').location as object) }],
          },
          {
            ruleId: 'no-unused-vars',
            level: 'note',
            message: { text: 'a note' },
            locations: [{ physicalLocation: { artifactLocation: { uri: SOURCE }, region: { startLine: 1, startColumn: 7 } } }],
          },
        ],
      },
    ],
  });
}

describe('issue 11: the first ten minutes on a real repository', function () {
  this.timeout(90_000);
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let testId: number | undefined;
  let importId = 0;
  let settingsBytes: Buffer;
  const sourceUri = (): vscode.Uri => vscode.Uri.file(workspacePath(SOURCE));
  const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Scan Ledger');

  before(async () => {
    ({ api, session } = await settledSession());
    settingsBytes = await fs.readFile(workspacePath(SETTINGS));
    await fs.writeFile(workspacePath(SOURCE), SOURCE_TEXT);
  });

  after(async () => {
    await api.viewFilter.set({ minimumSeverity: null, newSince: null });
    await api.consent.forget(session);
    await queueSettled(api);
    await deleteSuiteTests(session, testId);
    for (const file of [FLOW_REPORT, SOURCE, EXCLUDED, HIDDEN, ...SAMPLES]) await fs.rm(workspacePath(file), { force: true });
    await fs.rm(workspacePath('reports/samples'), { recursive: true, force: true });
    if (!(await fs.readFile(workspacePath(SETTINGS))).equals(settingsBytes)) await fs.writeFile(workspacePath(SETTINGS), settingsBytes);
    await waitFor('the workspace settings to be back', () => JSON.stringify(session.settings().watchExclude) === JSON.stringify(DEFAULT_WATCH_EXCLUDE));
  });

  it('a SARIF code flow and related location show as related information in the Problems panel, inside the folder only', async () => {
    const before = importsOf(session).length;
    await writeReport(FLOW_REPORT, flowReport());
    const record = await waitForImportCount(api, before + 1, 'the code-flow report');
    testId = record.testId;
    importId = record.id;
    await waitFor('two diagnostics on src/issue11.js', () => ours(sourceUri()).length === 2);
    const evalDiagnostic = ours(sourceUri()).find((d) => d.range.start.line === 2);
    assert.ok(evalDiagnostic, 'the eval finding is on line 3');
    const related = evalDiagnostic.relatedInformation ?? [];
    assert.deepEqual(
      related.map((r) => [vscode.workspace.asRelativePath(r.location.uri, false), r.location.range.start.line + 1, r.message]),
      [
        [SOURCE, 1, 'Step 1/4: process.argv read'],
        [SOURCE, 2, 'Step 2/4: copied'],
        [SOURCE, 3, 'Step 4/4: evaluated'],
        [SOURCE, 1, 'Related: the source'],
      ],
      'the step outside the workspace (/etc/passwd) is left out',
    );
  });

  it('the hover lists the steps as links that open the file at the line', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', sourceUri(), new vscode.Position(2, 2));
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    const target = `${workspaceFolder().uri.toString()}/src/issue11.js#L2,1`;
    assert.ok(text.includes(`](${target})`), `the hover links step 2 to ${target}:\n${text}`);
    assert.ok(!text.includes('etc/passwd'), 'no link leaves the workspace');
  });

  it('the severity filter and the "new since import N" filter apply to the Problems panel and the tree', async () => {
    const appUri = vscode.Uri.file(workspacePath('src/app.js'));
    const appBefore = ours(appUri).length;
    await vscode.commands.executeCommand('scanLedger.filterBySeverity', 'High');
    await waitFor('the Info note to leave the Problems panel', () => ours(sourceUri()).length === 1);
    const [product] = await api.tree.getChildren();
    const engagements = await api.tree.getChildren(product);
    const tests = (await Promise.all(engagements.map((e) => api.tree.getChildren(e)))).flat();
    const test = tests.find((t) => t.label === FLOW_REPORT);
    assert.ok(test, 'the code-flow report has its test in the tree');
    assert.deepEqual((await api.tree.getChildren(test)).map((n) => n.label), ['High', 'Import history'], 'the tree lists the High finding only');

    await vscode.commands.executeCommand('scanLedger.filterBySeverity', 'all');
    await vscode.commands.executeCommand('scanLedger.filterNewSince', importId - 1);
    await waitFor('both findings of the new import to be listed', () => ours(sourceUri()).length === 2);
    if (appBefore > 0) await waitFor('older findings to leave the Problems panel', () => ours(appUri).length === 0);
    await vscode.commands.executeCommand('scanLedger.clearFindingFilters');
    await waitFor('the older findings to come back', () => ours(appUri).length === appBefore);
  });

  it('the quick fix writes ESLint’s own suppression with the reason above the flagged line', async () => {
    // Code actions are computed on a loaded document, as in an editor.
    const document = await vscode.workspace.openTextDocument(sourceUri());
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', sourceUri(), new vscode.Range(2, 0, 2, 5));
    const suppress = actions.find((a) => a.title.includes(`eslint-disable-next-line ${EVAL_RULE}`));
    assert.ok(suppress?.command, `a suppress quick fix is offered among ${JSON.stringify(actions.map((a) => a.title))}`);
    const arg = { ...(suppress.command.arguments?.[0] as object), reason: 'the argument is a fixed test input' };
    const applied = await vscode.commands.executeCommand<boolean>(suppress.command.command, arg);
    assert.equal(applied, true);
    assert.equal(document.lineAt(2).text, `// eslint-disable-next-line ${EVAL_RULE} -- the argument is a fixed test input`);
    assert.equal(document.lineAt(3).text, 'eval(copy);');
    // Saved, so no dirty editor is left behind when the suite deletes the file.
    await document.save();
  });

  it('first-run consent: "Choose…" imports the picked report, is remembered, and is not asked again', async () => {
    for (const file of SAMPLES) await writeReport(file, reportText('v1'));
    const found = SAMPLES.map((p) => ({ uri: vscode.Uri.file(workspacePath(p)) }));
    // The suite wrote them as reports, so telling reports from other files keeps them all.
    const allReports = (items: readonly { uri: vscode.Uri }[]) => Promise.resolve([...items]);
    const choose = answeringPrompt('choose', [SAMPLES[1]]);
    const previous = api.consent.usePrompt(choose);
    try {
      const first = await api.consent.sweepReports(session, found, allReports);
      assert.equal(choose.questions.length, 1, 'asked once');
      assert.match(choose.questions[0], /found 2 scanner reports in /);
      assert.deepEqual(first.map((r) => session.relativePath(r.uri)), [SAMPLES[1]]);
      assert.equal(api.consent.consentOf(session)?.choice, 'chosen', 'remembered in the workspace state');

      const never = answeringPrompt('never');
      api.consent.usePrompt(never);
      const second = await api.consent.sweepReports(session, found, allReports);
      assert.equal(never.questions.length, 0, 'not asked again');
      assert.deepEqual(second.map((r) => session.relativePath(r.uri)), [SAMPLES[1]]);
      assert.equal(api.consent.allowsWrite(session, SAMPLES[0]), false, 'the report not chosen is not imported when written');
    } finally {
      api.consent.usePrompt(previous);
    }
    // The fixture names its reports in scanLedger.watch: the command has nothing to ask there.
    const folders = await vscode.commands.executeCommand<number>('scanLedger.chooseWatchedReports', { answer: 'all' });
    assert.equal(folders, 0);
  });

  it('scanLedger.watchExclude and files.exclude keep reports out of the watcher and the sweep', async () => {
    await vscode.workspace.getConfiguration('scanLedger', workspaceFolder().uri).update('watchExclude', ['reports/ci/excluded-*.sarif'], vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('files', workspaceFolder().uri).update('exclude', { '**/hidden-report.sarif': true }, vscode.ConfigurationTarget.Workspace);
    await waitFor('the new exclusions', () => session.settings().watchExclude.includes('reports/ci/excluded-*.sarif'));
    const before = importsOf(session).length;
    await writeReport(EXCLUDED, reportText('v2'));
    await writeReport(HIDDEN, reportText('v2'));
    const listed = (await api.watcher.watchedReports(session)).map((r) => session.relativePath(r.uri));
    assert.ok(!listed.includes(EXCLUDED) && !listed.includes(HIDDEN), `the sweep skips both: ${JSON.stringify(listed)}`);
    // Four quiet periods and the settling time: enough for a watched report to be imported.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await queueSettled(api);
    assert.equal(importsOf(session).length, before, 'neither file was imported');
    await fs.rm(workspacePath(EXCLUDED), { force: true });
    await fs.rm(workspacePath(HIDDEN), { force: true });
  });
});
