import { strict as assert } from 'node:assert';
import {
  childNodes,
  importHistoryNodeOf,
  rootNodes,
  selectedFindingIds,
  type FindingNode,
  type TreeNode,
  type TreeSource,
} from '../../src/extension/tree/tree-model';
import { emptyStoreData } from '../../src/model';
import { Ledger } from '../../src/engine/ledger';
import { aFinding, aLedger, anImport, aTest } from './extension-ledger-builder';

const severity = { groupBy: 'severity' } as const;
const byFile = { groupBy: 'file' } as const;

function source(ledger: Ledger, folderName = 'app'): TreeSource {
  return { folder: `file:///work/${folderName}`, folderName, folderPath: `/work/${folderName}`, ledger };
}

/** Walks down the tree by labels, failing with the labels present when a step is missing. */
function walk(src: TreeSource, labels: string[], options: { groupBy: 'severity' | 'file' } = severity): TreeNode {
  let nodes = rootNodes([src]);
  let found: TreeNode | undefined;
  for (const label of labels) {
    found = nodes.find((n) => n.label === label);
    assert.ok(found, `no node "${label}" among ${JSON.stringify(nodes.map((n) => n.label))}`);
    nodes = childNodes(found, src, options);
  }
  assert.ok(found);
  return found;
}

function labels(nodes: TreeNode[]): string[] {
  return nodes.map((n) => n.label);
}

describe('findings tree view model', () => {
  const test1 = aTest(1, 1, { title: 'CodeQL' });
  const findings = [
    aFinding(1, 1, { severity: 'High', filePath: 'src/b.ts', line: 12, title: 'SQL injection' }),
    aFinding(2, 1, { severity: 'Critical', filePath: 'src/a.ts', line: 3, title: 'Command injection' }),
    aFinding(3, 1, { severity: 'High', filePath: 'src/a.ts', line: 40, title: 'XSS', duplicate: true, active: false, duplicateOf: 1 }),
    aFinding(4, 1, { severity: 'Low', filePath: 'src/a.ts', line: 7, title: 'Weak hash', falsePositive: true, active: false }),
    aFinding(5, 1, { severity: 'Medium', filePath: null, line: null, title: 'Outdated dependency' }),
    aFinding(6, 1, { severity: 'High', filePath: 'src/c.ts', line: 9, title: 'Path traversal', isMitigated: true, active: false, mitigated: '2026-11-02T10:00:00.000Z' }),
  ];
  const imports = [
    anImport(1, 1, [[1, 'created'], [2, 'created'], [3, 'created'], [4, 'created'], [6, 'created']]),
    anImport(2, 1, [[1, 'untouched'], [2, 'reactivated'], [5, 'created'], [6, 'closed'], [99, 'created']], {
      branchTag: 'main',
      commitHash: '0123456789abcdef',
      version: '1.4.0',
    }),
  ];
  const src = source(aLedger([test1], findings, imports));

  it('has no root node when nothing was ever imported, so the welcome view shows', () => {
    assert.deepEqual(rootNodes([source(new Ledger(emptyStoreData()))]), []);
    assert.deepEqual(rootNodes([source(aLedger([], []))]), [], 'an engagement without tests (its last test deleted) counts as nothing imported');
  });

  it('nests product → engagement → test, one product per workspace folder', () => {
    const other = source(aLedger([aTest(1, 1)], [aFinding(1, 1)]), 'api');
    const roots = rootNodes([src, other]);
    assert.deepEqual(labels(roots), ['app', 'app']);
    assert.deepEqual(roots.map((r) => r.folder), ['file:///work/app', 'file:///work/api']);
    assert.notEqual(roots[0].key, roots[1].key, 'keys stay unique across folders');
    assert.match(roots[1].description ?? '', /^api/, 'the folder is named when several folders are open');
    const engagements = childNodes(roots[0], src, severity);
    assert.deepEqual(labels(engagements), ['Local scans']);
    const tests = childNodes(engagements[0], src, severity);
    assert.deepEqual(labels(tests), ['CodeQL']);
    assert.equal(tests[0].contextValue, 'test');
    assert.equal(tests[0].description, '1 Critical, 1 High, 1 Medium', 'only open findings are counted');
  });

  it('groups a test\'s findings by severity, worst first, with closed and triaged ones apart and the import history last', () => {
    const children = childNodes(walk(src, ['app', 'Local scans', 'CodeQL']), src, severity);
    assert.deepEqual(labels(children), ['Critical', 'High', 'Medium', 'Closed and triaged', 'Import history']);
    const high = childNodes(children[1], src, severity) as FindingNode[];
    assert.deepEqual(labels(high), ['XSS', 'SQL injection']);
    assert.deepEqual(high.map((n) => n.findingId), [3, 1]);
    const closed = childNodes(children[3], src, severity) as FindingNode[];
    assert.deepEqual(closed.map((n) => n.findingId), [6, 4]);
  });

  it('groups by file when switched, sorted by path with findings without a file last, each file by line', () => {
    const children = childNodes(walk(src, ['app', 'Local scans', 'CodeQL'], byFile), src, byFile);
    assert.deepEqual(labels(children), ['a.ts', 'b.ts', '(no file)', 'Closed and triaged', 'Import history']);
    assert.equal(children[0].description, 'src · 2');
    const inA = childNodes(children[0], src, byFile) as FindingNode[];
    assert.deepEqual(inA.map((n) => n.line), [3, 40]);
  });

  it('shows file:line and the duplicate, reopened and triage markers in the description', () => {
    const critical = childNodes(walk(src, ['app', 'Local scans', 'CodeQL', 'Critical']), src, severity)[0] as FindingNode;
    assert.equal(critical.description, 'src/a.ts:3 · reopened by import #2');
    const high = childNodes(walk(src, ['app', 'Local scans', 'CodeQL', 'High']), src, severity) as FindingNode[];
    assert.equal(high[0].description, 'src/a.ts:40 · duplicate of #1');
    assert.equal(high[0].icon?.color, 'scanLedger.duplicateForeground');
    const closed = childNodes(walk(src, ['app', 'Local scans', 'CodeQL', 'Closed and triaged']), src, severity) as FindingNode[];
    assert.equal(closed[0].description, 'src/c.ts:9 · closed');
    assert.equal(closed[1].description, 'src/a.ts:7 · false positive');
    assert.equal(closed[1].contextValue, 'finding:closed');
    assert.equal(critical.contextValue, 'finding:open');
    assert.equal(critical.icon?.color, 'scanLedger.criticalForeground');
  });

  it('carries folder and findingIds on finding nodes, the argument shape of the triage commands', () => {
    const critical = childNodes(walk(src, ['app', 'Local scans', 'CodeQL', 'Critical']), src, severity)[0] as FindingNode;
    assert.equal(critical.folder, 'file:///work/app');
    assert.deepEqual(critical.findingIds, [2]);
    assert.equal(critical.filePath, 'src/a.ts');
    assert.equal(critical.line, 3);
  });

  it('lists imports newest first with counts and the branch, commit and version when known', () => {
    const history = childNodes(walk(src, ['app', 'Local scans', 'CodeQL', 'Import history']), src, severity);
    assert.equal(history.length, 2);
    assert.equal(history[0].label, '2026-11-02 10:00 reimport');
    assert.equal(history[0].description, '+2 −1 ↺1 =1 · main · 0123456789 · v1.4.0');
    assert.match(history[0].tooltip ?? '', /2 created, 1 closed, 1 reactivated, 1 untouched/);
    assert.equal(history[1].label, '2026-11-01 10:00 import');
    assert.equal(history[1].description, '+5 −0 ↺0 =0');
    assert.equal(history[0].ariaLabel, 'Reimport #2 at 2026-11-02 10:00, 2 created, 1 closed, 1 reactivated, 1 untouched, main · 0123456789 · v1.4.0');
  });

  it('expands an import to the findings of each action, naming findings deleted since', () => {
    const reimport = walk(src, ['app', 'Local scans', 'CodeQL', 'Import history', '2026-11-02 10:00 reimport']);
    const actions = childNodes(reimport, src, severity);
    assert.deepEqual(labels(actions), ['Created', 'Reactivated', 'Closed', 'Untouched']);
    assert.deepEqual(actions.map((a) => a.description), ['2', '1', '1', '1']);
    const created = childNodes(actions[0], src, severity);
    assert.deepEqual(created.map((n) => [n.kind, n.label]), [['finding', 'Outdated dependency'], ['missingFinding', '#99']]);
    const reactivated = childNodes(actions[1], src, severity) as FindingNode[];
    assert.deepEqual(reactivated.map((n) => n.findingId), [2]);
  });

  it('says where a finding moved from when fingerprint matching recorded it', () => {
    const moved = aLedger([aTest(1, 1)], [aFinding(1, 1, { line: 52 })], [
      anImport(1, 1, [[1, 'created']]),
      { ...anImport(2, 1, [[1, 'untouched']]), actions: [{ findingId: 1, action: 'untouched', matchTier: 'fingerprint:moved', fromLine: 40, toLine: 52 }] },
    ]);
    const s = source(moved);
    const untouched = walk(s, ['app', 'Local scans', 'CodeQL Scan (SARIF)', 'Import history', '2026-11-02 10:00 reimport', 'Untouched']);
    const [node] = childNodes(untouched, s, severity);
    assert.equal(node.description, 'src/app.ts:52 · moved from line 40 to 52');
  });

  it('shows scanner paths relative to the folder, whether written as file URIs, absolute or ./ paths', () => {
    const ledger = aLedger([aTest(1, 1)], [
      aFinding(1, 1, { filePath: 'file:///work/app/src/a.js', line: 6 }),
      aFinding(2, 1, { filePath: '/work/app/src/a.js', line: 9 }),
      aFinding(3, 1, { filePath: './src/b.js', line: 1 }),
      aFinding(4, 1, { filePath: '/ci/checkout/src/c.js', line: 2 }),
    ]);
    const s = source(ledger);
    const files = childNodes(walk(s, ['app', 'Local scans', 'CodeQL Scan (SARIF)'], byFile), s, byFile);
    assert.deepEqual(files.map((n) => [n.label, n.description]), [
      ['c.js', '/ci/checkout/src · 1'],
      ['a.js', 'src · 2'],
      ['b.js', 'src · 1'],
      ['Import history', '0 imports'],
    ]);
    const inA = childNodes(files[1], s, byFile) as FindingNode[];
    assert.deepEqual(inA.map((n) => n.description), ['src/a.js:6', 'src/a.js:9']);
  });

  it('keeps node keys stable across rebuilds, so expansion survives a refresh', () => {
    const first = walk(src, ['app', 'Local scans', 'CodeQL', 'High']);
    const second = walk(src, ['app', 'Local scans', 'CodeQL', 'High']);
    assert.equal(first.key, second.key);
    assert.notEqual(first, second);
  });

  it('applies a context-menu command to the whole selection when the clicked node is part of it', () => {
    const high = childNodes(walk(src, ['app', 'Local scans', 'CodeQL', 'High']), src, severity);
    const critical = childNodes(walk(src, ['app', 'Local scans', 'CodeQL', 'Critical']), src, severity);
    assert.deepEqual(selectedFindingIds(high[0], [high[0], high[1], critical[0]]).sort(), [1, 2, 3]);
    assert.deepEqual(selectedFindingIds(critical[0], [high[0], high[1]]), [2], 'a right-click outside the selection acts on the clicked node only');
    assert.deepEqual(selectedFindingIds(high[1], undefined), [1]);
  });

  it('finds a test\'s import history node with its ancestors, for Show Import History to reveal', () => {
    const node = importHistoryNodeOf(src, 1, severity);
    assert.ok(node);
    assert.equal(node.parent?.kind, 'test');
    assert.equal(node.parent?.parent?.kind, 'engagement');
    assert.equal(node.key, walk(src, ['app', 'Local scans', 'CodeQL', 'Import history']).key);
    assert.equal(importHistoryNodeOf(src, 42, severity), undefined);
  });
});
