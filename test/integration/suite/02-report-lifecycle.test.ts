import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import { buildLineDecorations } from '../../../src/extension/decoration-model';
import { escapeInline } from '../../../src/extension/hover-model';
import type { TreeNode } from '../../../src/extension/tree/tree-model';
import type { WorkspaceSession } from '../../../src/extension/workspace-session';
import type { Finding, ImportCounts, ImportRecord } from '../../../src/model';
import { readStoreSync, writeStoreSync } from '../../store-files';
import {
  finding,
  findingsByRule,
  importsOf,
  LINES,
  queueSettled,
  reportText,
  RULES,
  scanLedger,
  sessionOf,
  storeBytes,
  waitFor,
  waitForImportCount,
  workspaceFolder,
  workspacePath,
  writeReport,
} from './harness';

/**
 * The product as a user meets it, in one story over the fixture workspace: ESLint rewrites
 * `reports/eslint.sarif` three times (real reports for three versions of `src/app.js`), a CI
 * copy of the report lands in `reports/ci/`, the user reads the findings in the editor, triages
 * them, changes settings, and finally a scanner writes a broken file. Each step builds on the
 * store the previous one left, as in a real workspace, so the tests run in order.
 */

const REPORT = 'reports/eslint.sarif';
const CI_REPORT = 'reports/ci/eslint.sarif';

function counts(r: ImportRecord): ImportCounts {
  const { created, closed, reactivated, untouched } = r.counts;
  return { created, closed, reactivated, untouched };
}

/** The store as a file on disk, parsed: what the CLI and a teammate would read. */
async function storeOnDisk(session: WorkspaceSession): Promise<{ findings: Finding[]; imports: ImportRecord[] }> {
  return Promise.resolve(readStoreSync(session.storePath()));
}

/** The tree's test nodes, as the Scan Ledger view gets them from its data provider. */
async function testNodes(api: ScanLedgerApi): Promise<TreeNode[]> {
  const products = await api.tree.getChildren();
  assert.equal(products.length, 1, 'one product: the workspace folder');
  assert.equal(products[0].label, workspaceFolder().name);
  const engagements = await api.tree.getChildren(products[0]);
  assert.deepEqual(
    engagements.map((e) => e.label),
    ['Local scans'],
    'watched reports go to the default engagement',
  );
  return api.tree.getChildren(engagements[0]);
}

/** The import history rows of a test node (newest first), as the tree shows them. */
async function historyRows(api: ScanLedgerApi, test: TreeNode): Promise<{ history: TreeNode; rows: TreeNode[] }> {
  const children = await api.tree.getChildren(test);
  const history = children.find((c) => c.kind === 'importHistory');
  assert.ok(history, 'the test has an "Import history" node');
  return { history, rows: await api.tree.getChildren(history) };
}

function ruleOf(f: Finding): string {
  return f.location?.ruleId ?? '';
}

describe('a watched report, imported and reimported', function () {
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let testId: number;

  before(async () => {
    api = await scanLedger();
    await api.ready;
    session = sessionOf(api);
  });

  it('a report written into the workspace is picked up by the watcher and imported into a new test', async () => {
    await writeReport(REPORT, reportText('v1'));
    const first = await waitForImportCount(api, 1, 'the first ESLint report');
    assert.deepEqual(counts(first), { created: 3, closed: 0, reactivated: 0, untouched: 0 });
    assert.equal(first.settings.reportName, REPORT);
    const test = session.ledger?.test(first.testId);
    assert.equal(test?.title, REPORT, 'a watched report without a test title gets a test named after its path');
    testId = first.testId;
    const byRule = findingsByRule(session, testId);
    assert.deepEqual(
      [...byRule.values()].map((f) => [ruleOf(f), f.line, f.severity, f.active]).sort(),
      [
        [RULES.eval, LINES.eval, 'High', true],
        [RULES.fs, LINES.fs, 'Medium', true],
        [RULES.regexp, LINES.regexp, 'Medium', true],
      ],
    );
    for (const f of byRule.values()) assert.equal(f.location?.resolvedPath, 'src/app.js', 'absolute file:// URIs resolve to a workspace-relative path');
    assert.equal(session.findingsIndex().findingsFor('src/app.js').length, 3, 'the editor finds them under src/app.js');
    const disk = await storeOnDisk(session);
    assert.equal(disk.findings.length, 3, 'the store file on disk holds the findings');
  });

  it('rewriting it with v2 reimports: 1 created, 1 closed, 2 untouched, in the store and in the tree', async () => {
    await writeReport(REPORT, reportText('v2'));
    const second = await waitForImportCount(api, 2, 'the v2 report');
    assert.equal(second.testId, testId, 'the rewrite goes into the same test');
    assert.equal(second.type, 'reimport');
    assert.deepEqual(counts(second), { created: 1, closed: 1, reactivated: 0, untouched: 2 });
    const byRule = findingsByRule(session, testId);
    const fixed = finding(byRule, RULES.fs);
    assert.equal(fixed.active, false, 'the fixed fs finding is closed');
    assert.equal(fixed.isMitigated, true);
    assert.equal(finding(byRule, RULES.childProcess).active, true, 'the new child_process finding is open');
    assert.deepEqual(
      second.actions.filter((a) => a.action === 'closed').map((a) => a.findingId),
      [fixed.id],
      'the import record names the closed finding',
    );
    const disk = await storeOnDisk(session);
    assert.equal(disk.imports.length, 2);
    assert.deepEqual(counts(disk.imports[1]), counts(second), 'the file on disk has the same counts');

    const [test] = await testNodes(api);
    assert.equal(test.label, REPORT);
    assert.equal(test.description, '2 High, 1 Medium', 'the test node counts its open findings by severity');
    const { history, rows } = await historyRows(api, test);
    assert.equal(history.description, '2 imports');
    assert.deepEqual(
      rows.map((r) => r.description?.split(' · ')[0]),
      ['+1 −1 ↺0 =2', '+3 −0 ↺0 =0'],
      'the history lists both imports with their counts, newest first',
    );
    const actions = await api.tree.getChildren(rows[0]);
    assert.deepEqual(
      actions.map((a) => [a.label, a.description]),
      [
        ['Created', '1'],
        ['Closed', '1'],
        ['Untouched', '2'],
      ],
    );
  });

  it('v3 brings the fixed finding back: 1 reactivated, 3 untouched', async () => {
    await writeReport(REPORT, reportText('v3'));
    const third = await waitForImportCount(api, 3, 'the v3 report');
    assert.deepEqual(counts(third), { created: 0, closed: 0, reactivated: 1, untouched: 3 });
    const back = finding(findingsByRule(session, testId), RULES.fs);
    assert.equal(back.active, true);
    assert.equal(back.isMitigated, false);
    assert.deepEqual(
      third.actions.filter((a) => a.action === 'reactivated').map((a) => a.findingId),
      [back.id],
    );
    const [test] = await testNodes(api);
    const { history, rows } = await historyRows(api, test);
    assert.equal(history.description, '3 imports');
    assert.equal(rows[0].description?.split(' · ')[0], '+0 −0 ↺1 =3');
    assert.match(rows[0].ariaLabel ?? '', /Reimport #3 .*0 created, 0 closed, 1 reactivated, 3 untouched/);
  });

  it('the same report under reports/ci/ becomes a second test whose findings are duplicates of the first test’s', async () => {
    await writeReport(CI_REPORT, reportText('v3'));
    const ci = await waitForImportCount(api, 4, 'the CI copy of the report');
    assert.notEqual(ci.testId, testId, 'a second test');
    assert.equal(session.ledger?.test(ci.testId)?.title, 'CI', 'the watch entry names the test');
    assert.deepEqual(counts(ci), { created: 4, closed: 0, reactivated: 0, untouched: 0 });
    const originals = findingsByRule(session, testId);
    const copies = findingsByRule(session, ci.testId);
    for (const [rule, copy] of copies) {
      assert.equal(copy.duplicate, true, `${rule} in CI is a duplicate`);
      assert.equal(copy.duplicateOf, finding(originals, rule).id, `${rule} in CI is a duplicate of the first test's finding`);
      assert.equal(copy.active, false, 'DefectDojo makes duplicates inactive');
    }
    const tests = await testNodes(api);
    assert.deepEqual(
      tests.map((t) => [t.label, t.description]),
      [
        [REPORT, '2 High, 2 Medium'],
        ['CI', 'no open findings'],
      ],
    );
  });
});

describe('the editor on src/app.js', function () {
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let document: vscode.TextDocument;
  let originals: Map<string, Finding>;
  let copies: Map<string, Finding>;
  let latestOfFirstTest: ImportRecord;

  before(async () => {
    api = await scanLedger();
    session = sessionOf(api);
    document = await vscode.workspace.openTextDocument(workspacePath('src', 'app.js'));
    await vscode.window.showTextDocument(document);
    const imports = importsOf(session);
    latestOfFirstTest = imports[2];
    originals = findingsByRule(session, imports[0].testId);
    copies = findingsByRule(session, imports[3].testId);
  });

  it('decorates the right lines: an open finding, a duplicate ("duplicate of #N") and a reactivated one ("reopened by import #K")', () => {
    const found = api.documents.findingsOf(document);
    assert.ok(found, 'the open document has findings');
    assert.equal(found.findings.length, 8, 'both tests’ findings belong to src/app.js');
    const specs = buildLineDecorations({
      findings: found.findings,
      lineOf: (f) => api.documents.lineOf(document, found.findings, f),
      reactivatedBy: found.session.reactivatedBy(),
      showClosed: api.filter.showClosed,
      lineCount: document.lineCount,
    });
    assert.deepEqual(
      specs.map((s) => s.line + 1),
      [LINES.eval, LINES.fs, LINES.regexp, LINES.childProcess],
      'one decorated line per flagged line, nothing elsewhere',
    );
    const at = (line: number) => specs.find((s) => s.line + 1 === line);
    const evalLine = at(LINES.eval);
    assert.equal(evalLine?.kind, 'open');
    assert.ok(evalLine?.label.startsWith(`High: ${finding(originals, RULES.eval).title}`), evalLine?.label);
    assert.ok(
      evalLine?.label.includes(`#${finding(copies, RULES.eval).id} duplicate of #${finding(originals, RULES.eval).id}`),
      `the CI duplicate is named on the line: ${evalLine?.label}`,
    );
    const fsLine = at(LINES.fs);
    assert.equal(fsLine?.kind, 'reactivated');
    assert.ok(fsLine?.label.includes(`reopened by import #${latestOfFirstTest.id}`), `the reactivated finding says by which import: ${fsLine?.label}`);
    assert.equal(at(LINES.childProcess)?.severity, 'High');
  });

  it('shows a hover with the finding’s title, escaped, and triage links', async () => {
    const fsFinding = finding(originals, RULES.fs);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(LINES.fs - 1, 10));
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    const escaped = escapeInline(fsFinding.title);
    assert.notEqual(escaped, fsFinding.title, 'the title has characters that need escaping (quotes)');
    assert.ok(text.includes(escaped), `the hover shows the escaped title:\n${text}`);
    assert.ok(text.includes('command:scanLedger.triage.falsePositive'), 'the hover links to triage');
    assert.ok(text.includes(`import \\#${latestOfFirstTest.id}`) || text.includes(`import #${latestOfFirstTest.id}`), `the hover names the reactivating import:\n${text}`);
  });

  it('lists the open findings in the Problems panel, with the rule ids as codes', async () => {
    const ours = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'Scan Ledger');
    await waitFor('Scan Ledger diagnostics on src/app.js', () => ours().length === 4);
    const diagnostics = ours().sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line + 1, typeof d.code === 'object' ? d.code.value : d.code]),
      [
        [LINES.eval, RULES.eval],
        [LINES.fs, RULES.fs],
        [LINES.regexp, RULES.regexp],
        [LINES.childProcess, RULES.childProcess],
      ],
      'one diagnostic per open finding; the duplicates are not listed twice',
    );
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error, 'High is an error');
    assert.equal(diagnostics[1].severity, vscode.DiagnosticSeverity.Warning, 'Medium is a warning');
    const code = diagnostics[0].code;
    assert.ok(typeof code === 'object' && code.target.toString().includes('detect-eval-with-expression'), 'the code links to the rule documentation');
  });
});

describe('triage through commands', function () {
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let testId: number;
  const reportUri = (): vscode.Uri => vscode.Uri.file(workspacePath(REPORT));

  before(async () => {
    api = await scanLedger();
    session = sessionOf(api);
    testId = importsOf(session)[0].testId;
  });

  it('a finding marked false positive stays a false positive through the next reimport', async () => {
    const regexp = finding(findingsByRule(session, testId), RULES.regexp);
    const changed = await vscode.commands.executeCommand<number[]>('scanLedger.triage.falsePositive', {
      folder: session.folder.uri.toString(),
      findingIds: [regexp.id],
      reason: 'the pattern comes from a constant allow-list',
    });
    assert.deepEqual(changed, [regexp.id]);
    let now = session.ledger?.finding(regexp.id);
    assert.equal(now?.falsePositive, true);
    assert.equal(now?.active, false);

    const before = importsOf(session).length;
    const outcome = await vscode.commands.executeCommand<{ kind: string }>('scanLedger.reimportFile', reportUri());
    assert.equal(outcome.kind, 'imported');
    const record = await waitForImportCount(api, before + 1, 'the reimport after triage');
    assert.equal(record.counts.created, 0);
    assert.equal(record.counts.reactivated, 0, 'a false positive is not reactivated by a report that still has it');
    now = session.ledger?.finding(regexp.id);
    assert.equal(now?.falsePositive, true, 'still a false positive after the reimport');
    assert.equal(now?.active, false);
  });

  it('a risk acceptance whose expiry has passed reopens the finding with "Risk acceptance expired"', async () => {
    const evalFinding = finding(findingsByRule(session, testId), RULES.eval);
    const changed = await vscode.commands.executeCommand<number[]>('scanLedger.triage.acceptRisk', {
      folder: session.folder.uri.toString(),
      findingIds: [evalFinding.id],
      reason: 'only reachable from the admin VPN',
      expires: '2099-12-31',
    });
    assert.deepEqual(changed, [evalFinding.id]);
    const accepted = session.ledger?.finding(evalFinding.id);
    assert.equal(accepted?.riskAccepted, true);
    assert.equal(accepted?.active, false);
    assert.equal(accepted?.riskAcceptance?.expires, '2099-12-31');

    // Time passes: the acceptance's expiry is moved into the past in the store file, as another
    // process (a teammate's CLI, a restore from git) would leave it. The extension rereads the
    // changed file and reopens what has expired, as DefectDojo's daily job does.
    const file = session.storePath();
    const data = readStoreSync(file);
    const stored = data.findings.find((f) => f.id === evalFinding.id);
    assert.ok(stored?.riskAcceptance, 'the acceptance is in the store file');
    stored.riskAcceptance.expires = '2020-01-01';
    writeStoreSync(file, data);

    const reopened = await waitFor('the expired risk acceptance to reopen the finding', () => {
      const f = session.ledger?.finding(evalFinding.id);
      return f && f.active && !f.riskAccepted ? f : undefined;
    });
    assert.equal(reopened.riskAcceptance ?? null, null);
    assert.ok(
      reopened.notes.some((n) => n.text.startsWith('Risk acceptance expired on 2020-01-01')),
      `the finding has the expiry note: ${JSON.stringify(reopened.notes.map((n) => n.text))}`,
    );
    await waitFor('the reopened finding to be written back to the store file', () => {
      const onDisk = readStoreSync(file).findings.find((f) => f.id === evalFinding.id);
      return onDisk?.active === true && onDisk.riskAccepted === false;
    });
  });
});

describe('settings changed through the configuration API', function () {
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let testId: number;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('scanLedger', workspaceFolder().uri);

  before(async () => {
    api = await scanLedger();
    session = sessionOf(api);
    testId = importsOf(session)[0].testId;
  });

  it('minimumSeverity High makes the next reimport skip the Medium findings and close them', async () => {
    await config().update('minimumSeverity', 'High', vscode.ConfigurationTarget.WorkspaceFolder);
    await waitFor('the session to read minimumSeverity High', () => session.settings().minimumSeverity === 'High');
    const onDisk = await fs.readFile(workspacePath('.vscode', 'settings.json'), 'utf8');
    assert.match(onDisk, /"scanLedger\.minimumSeverity":\s*"High"/, 'the setting is in the folder’s settings.json');

    const before = importsOf(session).length;
    const outcome = await vscode.commands.executeCommand<{ kind: string }>('scanLedger.reimportFile', vscode.Uri.file(workspacePath(REPORT)));
    assert.equal(outcome.kind, 'imported');
    const record = await waitForImportCount(api, before + 1, 'the reimport with minimumSeverity High');
    assert.equal(record.settings.minimumSeverity, 'High', 'the import records the setting it ran with');
    const byRule = findingsByRule(session, testId);
    const fsFinding = finding(byRule, RULES.fs);
    assert.equal(fsFinding.active, false, 'the Medium fs finding is no longer in the filtered report and is closed');
    assert.ok(record.actions.some((a) => a.action === 'closed' && a.findingId === fsFinding.id));
    assert.equal(record.counts.created, 0);
    assert.equal(finding(byRule, RULES.eval).active, true, 'High findings stay open');
    assert.equal(finding(byRule, RULES.childProcess).active, true);

    await config().update('minimumSeverity', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitFor('the session to read the default minimumSeverity', () => session.settings().minimumSeverity === 'Info');
  });

  it('reimport.closeOldFindings false keeps open the findings a report no longer has', async () => {
    await config().update('reimport.closeOldFindings', false, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitFor('the session to read reimport.closeOldFindings false', () => session.settings()['reimport.closeOldFindings'] === false);
    const before = importsOf(session).length;
    // v1 has no child_process finding; with closing off it stays open, and fs comes back.
    await writeReport(REPORT, reportText('v1'));
    const record = await waitForImportCount(api, before + 1, 'the v1 report with closing off');
    assert.equal(record.settings.closeOldFindings, false);
    assert.equal(record.counts.closed, 0, 'nothing is closed');
    const byRule = findingsByRule(session, testId);
    assert.equal(finding(byRule, RULES.childProcess).active, true, 'the finding missing from the report stays open');
    assert.equal(finding(byRule, RULES.fs).active, true, 'the fs finding is back');
    assert.ok(record.actions.some((a) => a.action === 'reactivated' && a.findingId === finding(byRule, RULES.fs).id));

    await config().update('reimport.closeOldFindings', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitFor('the session to read the default closeOldFindings', () => session.settings()['reimport.closeOldFindings'] === true);
  });
});

describe('a malformed report', function () {
  let api: ScanLedgerApi;
  let session: WorkspaceSession;

  before(async () => {
    api = await scanLedger();
    session = sessionOf(api);
    await queueSettled(api);
  });

  it('is refused with an error naming the file, and the store stays byte-identical', async () => {
    const before = await storeBytes(session);
    assert.ok(before, 'the store exists');
    const importsBefore = importsOf(session).length;
    const whole = reportText('v3');
    const uri = await writeReport(REPORT, whole.slice(0, Math.floor(whole.length / 2)));

    // The watcher sees the rewrite and tries to import it after its quiet period.
    await waitFor('the watcher to queue the truncated report', () => api.queue.busy, 10_000);
    await queueSettled(api);
    // Asking for it explicitly gives the outcome the user was shown.
    const outcome = await vscode.commands.executeCommand<{ kind: string; error?: unknown }>('scanLedger.reimportFile', uri);
    assert.equal(outcome.kind, 'failed');
    assert.ok(outcome.error instanceof Error, 'a typed error');
    assert.match(outcome.error.message, /reports\/eslint\.sarif/, `the error names the file: ${outcome.error.message}`);

    assert.equal(importsOf(session).length, importsBefore, 'no import was recorded');
    const after = await storeBytes(session);
    assert.ok(after && before.equals(after), 'the store file is byte-identical');
  });
});
