import { strict as assert } from 'node:assert';
import { creationIndex, describeFilter, isFiltering, NO_FILTER, passesFilter, readFilter, type FindingFilter } from '../../src/extension/finding-filter-model';
import { childNodes, rootNodes, type TreeNode, type TreeSource } from '../../src/extension/tree/tree-model';
import { aFinding, aLedger, anImport, aTest } from './extension-ledger-builder';

/**
 * Issue 11: the severity filter and the "new since the baseline / since import N" filter of the
 * findings tree and the Problems panel.
 */
describe('extension finding filters (issue 11)', () => {
  // Test 1: import #1 is its baseline, reimport #3 added finding 3. Test 2: first imported by #2.
  const tests = [aTest(1, 1, { title: 'CodeQL' }), aTest(2, 1, { title: 'Bandit' })];
  const findings = [
    aFinding(1, 1, { severity: 'Critical', title: 'Command injection' }),
    aFinding(2, 1, { severity: 'Low', title: 'Weak hash' }),
    aFinding(3, 1, { severity: 'High', title: 'SQL injection' }),
    aFinding(4, 2, { severity: 'Medium', title: 'assert used' }),
    aFinding(5, 1, { severity: 'High', title: 'Imported before history was kept' }),
  ];
  const imports = [
    anImport(1, 1, [[1, 'created'], [2, 'created']]),
    anImport(2, 2, [[4, 'created']]),
    anImport(3, 1, [[1, 'untouched'], [2, 'untouched'], [3, 'created']]),
  ];
  const ledger = aLedger(tests, findings, imports);
  const index = creationIndex(ledger.data.imports);
  const passing = (filter: FindingFilter): number[] => findings.filter((f) => passesFilter(f, filter, index)).map((f) => f.id);

  it('a minimum severity keeps that severity and the more severe ones', () => {
    assert.deepEqual(passing({ minimumSeverity: 'High', newSince: null }), [1, 3, 5]);
    assert.deepEqual(passing({ minimumSeverity: 'Critical', newSince: null }), [1]);
    assert.deepEqual(passing({ ...NO_FILTER }), [1, 2, 3, 4, 5]);
  });

  it('"new since import N" keeps findings a later import created; "since the baseline" those added after their test’s first import', () => {
    assert.deepEqual(passing({ minimumSeverity: null, newSince: 1 }), [3, 4]);
    assert.deepEqual(passing({ minimumSeverity: null, newSince: 2 }), [3]);
    assert.deepEqual(passing({ minimumSeverity: null, newSince: 'baseline' }), [3], 'finding 4 is part of its own test’s baseline');
    assert.deepEqual(passing({ minimumSeverity: 'Critical', newSince: 'baseline' }), [], 'both filters apply');
    assert.ok(!passing({ minimumSeverity: null, newSince: 0 }).includes(5), 'a finding with no recorded creation is never "new"');
  });

  it('the tree lists only the findings that pass, in the usual groups, and keeps the import history', () => {
    const src: TreeSource = { folder: 'file:///work/app', folderName: 'app', folderPath: '/work/app', ledger };
    const testNode = (title: string): TreeNode => {
      const [product] = rootNodes([src]);
      const [engagement] = childNodes(product, src, { groupBy: 'severity' });
      const found = childNodes(engagement, src, { groupBy: 'severity' }).find((n) => n.label === title);
      assert.ok(found);
      return found;
    };
    const filter: FindingFilter = { minimumSeverity: 'High', newSince: 'baseline' };
    const groups = childNodes(testNode('CodeQL'), src, { groupBy: 'severity', passes: (f) => passesFilter(f, filter, index) });
    assert.deepEqual(groups.map((g) => g.label), ['High', 'Import history']);
    const listed = groups.flatMap((g) => (g.kind === 'findingGroup' ? childNodes(g, src, { groupBy: 'severity' }) : []));
    assert.deepEqual(listed.map((n) => n.label), ['SQL injection']);
    const unfiltered = childNodes(testNode('CodeQL'), src, { groupBy: 'severity' });
    assert.deepEqual(unfiltered.map((g) => g.label), ['Critical', 'High', 'Low', 'Import history']);
  });

  it('reads a filter back from workspace state or a command argument, dropping invalid parts, and describes it', () => {
    assert.deepEqual(readFilter({ minimumSeverity: 'High', newSince: 4 }), { minimumSeverity: 'High', newSince: 4 });
    assert.deepEqual(readFilter({ minimumSeverity: 'Severe', newSince: -1 }), NO_FILTER);
    assert.deepEqual(readFilter({ newSince: 'baseline' }), { minimumSeverity: null, newSince: 'baseline' });
    assert.deepEqual(readFilter('High'), NO_FILTER);
    assert.equal(isFiltering(NO_FILTER), false);
    assert.equal(describeFilter({ minimumSeverity: 'Medium', newSince: 4 }), 'Medium and above, new since import #4');
    assert.equal(describeFilter({ minimumSeverity: 'Critical', newSince: 'baseline' }), 'Critical only, new since the baseline');
    assert.equal(describeFilter(NO_FILTER), 'all findings');
  });
});
