import { strict as assert } from 'node:assert';
import { importScan } from '../../src/engine/import-scan';
import { excessDuplicatesSummary } from '../../src/extension/settings-panel/excess-duplicates';
import { decorateWithWarning, duplicateWarnings, ignoreKey, reimportMapping } from '../../src/extension/tree/duplicate-warning-model';
import { childNodes, rootNodes, type TreeSource } from '../../src/extension/tree/tree-model';
import { defaultSettings, type WatchEntry } from '../../src/model';
import { engineContext, importOptions, later, newLedger, parsedFinding, report } from '../builders';

const GENERIC = 'Generic Findings Import';
const FOLDER = 'file:///w';

function twoCopies() {
  const ledger = newLedger();
  const findings = [parsedFinding({ title: 'a', filePath: 'a.js', line: 1 }), parsedFinding({ title: 'b', filePath: 'b.js', line: 2 })];
  const ctx = engineContext();
  const first = importScan(ledger, report(GENERIC, findings), importOptions(GENERIC, { reportName: 'reports/findings.json', testTitle: 'reports/findings.json' }), ctx);
  const second = importScan(ledger, report(GENERIC, findings), importOptions(GENERIC, { reportName: 'reports/findings.json', testTitle: 'reports/findings.json' }), later(ctx));
  return { ledger, settings: ctx.settings, first: first.testId, second: second.testId };
}

describe('extension duplicate warnings: the tree', () => {
  it('the copy carries the warning icon, the reason in its tooltip and the duplicate context value; ignoring it removes them', () => {
    const { ledger, settings, first, second } = twoCopies();
    const source: TreeSource = { folder: FOLDER, folderName: 'w', folderPath: '/w', ledger };
    const warnings = duplicateWarnings(FOLDER, ledger, settings, new Set());
    const [product] = rootNodes([source]);
    const [engagement] = childNodes(product, source, { groupBy: 'severity', duplicateWarnings: warnings });
    const tests = childNodes(engagement, source, { groupBy: 'severity', duplicateWarnings: warnings });
    const copy = tests.find((n) => n.kind === 'test' && n.testId === second);
    const original = tests.find((n) => n.kind === 'test' && n.testId === first);
    assert.deepEqual([copy?.contextValue, copy?.icon], ['test:duplicate', { id: 'warning', color: 'list.warningForeground' }]);
    assert.match(copy?.description ?? '', new RegExp(`^100% duplicates test #${first} · `));
    assert.match(copy?.tooltip ?? '', /⚠ 100% of this test duplicates test #\d+ \(same Generic Findings Import from reports\/findings\.json\)/);
    assert.equal(original?.contextValue, 'test');

    const warning = warnings.tests.get(second);
    assert.ok(warning);
    const ignored = duplicateWarnings(FOLDER, ledger, settings, new Set([ignoreKey(FOLDER, warning)]));
    assert.equal(ignored.tests.size, 0);
  });

  it('decorates an engagement node the same way', () => {
    const decoration = decorateWithWarning(
      { description: '2 tests · 3 open', tooltip: 'Engagement b', contextValue: 'engagement' },
      { kind: 'engagement', engagementId: 2, targetEngagementId: 1, percent: 90, duplicates: 9, findings: 10, message: 'm' },
    );
    assert.deepEqual(decoration, {
      description: '90% duplicates engagement #1 · 2 tests · 3 open',
      tooltip: 'Engagement b\n\n⚠ m',
      contextValue: 'engagement:duplicate',
      icon: { id: 'warning', color: 'list.warningForeground' },
    });
  });
});

describe('extension duplicate warnings: "Reimport into test #N from now on"', () => {
  const watch: WatchEntry[] = [{ glob: 'reports/ci/*.sarif', testTitle: 'CI' }, { glob: 'reports/*.sarif', scanType: 'SARIF' }];
  const target = { testId: 2, title: 'reports/eslint.sarif', engagementName: 'Local scans' };

  it('a watched report gets its own first watch entry naming the target engagement and title', () => {
    const mapping = reimportMapping('reports/eslint.sarif', watch, target);
    assert.equal(mapping.kind, 'watch');
    assert.ok(mapping.kind === 'watch');
    assert.deepEqual(mapping.watch, [{ glob: 'reports/eslint.sarif', scanType: 'SARIF', engagement: 'Local scans', testTitle: 'reports/eslint.sarif' }, ...watch]);
    const again = reimportMapping('reports/eslint.sarif', mapping.watch, target);
    assert.ok(again.kind === 'watch');
    assert.equal(again.watch.length, 3, 'mapping twice replaces the report’s own entry');
  });

  it('a report no entry watches, or a target without a title, gets the CLI line instead', () => {
    assert.deepEqual(reimportMapping('out/eslint.json', watch, target), {
      kind: 'cli',
      command: "scan-ledger reimport out/eslint.json --engagement 'Local scans' --test 2",
    });
    assert.equal(reimportMapping('reports/eslint.sarif', watch, { ...target, title: null }).kind, 'cli');
  });
});

describe('extension settings panel: the delete-excess-duplicates preview', () => {
  it('follows the draft limit, names the tests, and says nothing is deleted without a limit', () => {
    const { ledger, second } = twoCopies();
    importScan(ledger, report(GENERIC, [parsedFinding({ title: 'a', filePath: 'a.js', line: 1 })]), importOptions(GENERIC), later(engineContext(), 2));
    const saved = defaultSettings();
    const summary = excessDuplicatesSummary(ledger, saved, { settings: { 'dedupe.maxDuplicates': 1 }, engagements: [] });
    assert.deepEqual([summary.total, summary.nextRun, summary.deleteDuplicates, summary.moreTests], [1, 1, false, 0]);
    assert.deepEqual(summary.tests, [{ testId: second, title: 'reports/findings.json', count: 1 }]);
    assert.deepEqual(summary.duplicateTests.map((d) => d.testId), [second], 'the panel names the test imported again as a new test');
    assert.match(summary.duplicateTests[0].message, /the same report is being imported as a new test$/);
    assert.equal(excessDuplicatesSummary(ledger, saved, { settings: { 'dedupe.maxDuplicates': 0 }, engagements: [] }).total, 3);
    assert.equal(excessDuplicatesSummary(ledger, saved, { settings: { 'dedupe.maxDuplicates': null }, engagements: [] }).total, 0);
    assert.equal(excessDuplicatesSummary(ledger, saved, { settings: {}, engagements: [] }).total, 0, 'the default keeps 10 per original');
  });
});
