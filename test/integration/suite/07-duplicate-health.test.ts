import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import type { ReimportMapping } from '../../../src/extension/tree/duplicate-warning-model';
import type { TreeNode } from '../../../src/extension/tree/tree-model';
import type { WorkspaceSession } from '../../../src/extension/workspace-session';
import { addNote, deleteEngagement, importScan, type TestMergeResult, triageFinding } from '../../../src/engine';
import { parseReport } from '../../../src/parsers';
import { queueSettled, reportText, settledSession, waitFor, workspacePath } from './harness';

/**
 * Issue 17 in the editor: a ledger where one report was imported three times as new tests. The
 * tree warns on the copies, "Reimport into" writes the watch mapping, "Merge into" leaves one
 * test with the union of the history and every triage decision, and "Ignore" hides a warning.
 * The tests live in a product of their own, so no other suite's findings take part; the suite
 * deletes its engagement (and so its tests) and puts `.vscode/settings.json` back byte for byte.
 */

const PRODUCT = 'issue17';
const ENGAGEMENT = 'Duplicate imports';
const REPORT = 'reports/eslint-dup.sarif';
const SETTINGS = '.vscode/settings.json';

describe('issue 17: duplicate health in the findings tree', function () {
  this.timeout(90_000);
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let settingsBytes: Buffer;
  let engagementId: number | undefined;

  /** Imports the ESLint report as a new test of the suite's own product, as a misconfigured pipeline would. */
  async function importAsNewTest(): Promise<number> {
    const text = reportText('v1');
    const report = parseReport(text, { fileName: REPORT, workspaceRoot: workspacePath() });
    const result = await session.update('import', (ledger, ctx) =>
      importScan(ledger, report, { scanType: report.scanType, productName: PRODUCT, engagementName: ENGAGEMENT, testTitle: REPORT, reportName: REPORT, reportSha256: 'issue17' }, ctx),
    );
    engagementId = session.ledger?.engagementOfTest(result.testId)?.id;
    return result.testId;
  }

  async function testNodes(): Promise<TreeNode[]> {
    api.tree.refresh();
    const products = await api.tree.getChildren();
    const product = products.find((n) => n.kind === 'product' && n.label === PRODUCT);
    assert.ok(product, 'the suite’s product is in the tree');
    const engagements = await api.tree.getChildren(product);
    const engagement = engagements.find((n) => n.kind === 'engagement' && n.label === ENGAGEMENT);
    assert.ok(engagement, 'the suite’s engagement is in the tree');
    return (await api.tree.getChildren(engagement)).filter((n) => n.kind === 'test');
  }

  function nodeOf(nodes: readonly TreeNode[], testId: number): TreeNode {
    const node = nodes.find((n) => n.kind === 'test' && n.testId === testId);
    assert.ok(node, `test #${testId} is in the tree`);
    return node;
  }

  before(async () => {
    ({ api, session } = await settledSession());
    settingsBytes = await fs.readFile(workspacePath(SETTINGS));
  });

  after(async () => {
    await queueSettled(api);
    if (engagementId !== undefined) {
      const id = engagementId;
      await session.update('delete', (ledger, ctx) => deleteEngagement(ledger, id, ctx));
    }
    if (!(await fs.readFile(workspacePath(SETTINGS))).equals(settingsBytes)) await fs.writeFile(workspacePath(SETTINGS), settingsBytes);
    await waitFor('the watch setting to be back', () => !session.settings().watch.some((w) => w.glob === REPORT));
  });

  it('warns on the second and third import of the same report, with a warning icon and the reason', async () => {
    const [t1, t2, t3] = [await importAsNewTest(), await importAsNewTest(), await importAsNewTest()];
    const nodes = await testNodes();
    assert.equal(nodeOf(nodes, t1).contextValue, 'test', 'the first test is the one the others duplicate');
    for (const id of [t2, t3]) {
      const node = nodeOf(nodes, id);
      assert.equal(node.contextValue, 'test:duplicate');
      assert.match(node.description ?? '', new RegExp(`^100% duplicates test #${t1}`));
      assert.ok(
        node.tooltip?.includes(`100% of this test duplicates test #${t1} (same SARIF from ${REPORT}): the same report is being imported as a new test`),
        node.tooltip,
      );
      const item = api.tree.getTreeItem(node);
      assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'warning', 'a warning ThemeIcon');
    }
  });

  it('"Reimport into" maps the watched report to the duplicated test in the folder settings', async () => {
    const nodes = await testNodes();
    const warned = nodes.find((n) => n.contextValue === 'test:duplicate');
    assert.ok(warned);
    const mapping = await vscode.commands.executeCommand<ReimportMapping | undefined>('scanLedger.duplicates.reimportIntoTarget', warned);
    assert.equal(mapping?.kind, 'watch');
    const first = await waitFor('the new watch entry', () => session.settings().watch.find((w) => w.glob === REPORT));
    assert.deepEqual(first, { glob: REPORT, engagement: ENGAGEMENT, testTitle: REPORT });
    assert.equal(session.settings().watch[0].glob, REPORT, 'first, so it wins over reports/*.sarif');
    const written = await fs.readFile(workspacePath(SETTINGS), 'utf8');
    assert.ok(written.includes('reports/ci/*.sarif'), 'the other watch entries stay');
  });

  it('"Merge into" keeps every triage decision and note and leaves one test with the whole history', async () => {
    const ledger = session.ledger;
    assert.ok(ledger);
    const nodes = await testNodes();
    const [t1, t2, t3] = nodes.map((n) => (n.kind === 'test' ? n.testId : 0)).sort((a, b) => a - b);
    const fpId = ledger.findingsOfTest(t2)[0].id;
    const notedId = ledger.findingsOfTest(t3)[1].id;
    const findingCount = ledger.findingsOfTest(t1).length;
    await session.update('triage', (l, ctx) => triageFinding(l, fpId, { status: 'false-positive', reason: 'issue 17 check' }, ctx));
    await session.update('triage', (l, ctx) => {
      const noted = l.finding(notedId);
      assert.ok(noted);
      return addNote(l, noted, 'seen twice', ctx);
    });
    const importCount = ledger.importsOfTest(t1).length + ledger.importsOfTest(t2).length + ledger.importsOfTest(t3).length;

    for (const id of [t2, t3]) {
      const fresh = await testNodes();
      const results = await vscode.commands.executeCommand<TestMergeResult[]>('scanLedger.duplicates.mergeIntoTarget', nodeOf(fresh, id), { confirmed: true });
      assert.equal(results?.length, 1, `test #${id} was merged`);
      assert.equal(results[0].intoTestId, t1);
    }
    const after = session.ledger;
    assert.ok(after);
    assert.deepEqual(after.data.tests.filter((t) => t.engagementId === engagementId).map((t) => t.id), [t1]);
    const findings = after.findingsOfTest(t1);
    assert.equal(findings.length, findingCount, 'every finding of the copies matched one of test 1');
    const carried = findings.find((f) => f.falsePositive);
    assert.ok(carried, 'the false positive decided on test 2 is on test 1');
    assert.ok(carried.audit.some((e) => e.field === 'mergedFrom' && e.from === fpId));
    assert.ok(findings.some((f) => f.notes.some((n) => n.text === 'seen twice')), 'the note made on test 3 is on test 1');
    assert.equal(after.importsOfTest(t1).length, importCount, 'the three imports are the history of test 1');
    const remaining = await testNodes();
    assert.deepEqual(remaining.map((n) => n.contextValue), ['test'], 'no warning is left');
  });

  it('"Ignore" hides a warning and remembers it', async () => {
    const copy = await importAsNewTest();
    assert.equal(nodeOf(await testNodes(), copy).contextValue, 'test:duplicate');
    await vscode.commands.executeCommand('scanLedger.duplicates.ignore', nodeOf(await testNodes(), copy));
    const node = nodeOf(await testNodes(), copy);
    assert.equal(node.contextValue, 'test');
    assert.ok(!(node.description ?? '').includes('duplicates'));
  });
});
