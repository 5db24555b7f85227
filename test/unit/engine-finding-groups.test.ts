import { strict as assert } from 'node:assert';
import { findingGroupName, findingGroupNames, findingGroupOf } from '../../src/engine/finding-groups';
import { importScan } from '../../src/engine/import-scan';
import { Ledger } from '../../src/engine/ledger';
import { reimportScan } from '../../src/engine/reimport-scan';
import { ImportValidationError, type ImportOptions } from '../../src/engine/types';
import type { ParsedFinding } from '../../src/model';
import { readStoreDocument } from '../../src/store/schema';
import { engineContext, importOptions, later, newLedger, parsedFinding, report, storedFinding } from '../builders';

const G = 'Generic Findings Import';

/** A finding in a file; the title makes its hash code distinct. */
const inFile = (title: string, filePath: string | null, extra: Partial<ParsedFinding> = {}): ParsedFinding =>
  parsedFinding({ title, filePath, ...extra });

function setup() {
  const ledger = newLedger();
  const ctx = engineContext({ settings: { 'dedupe.enabled': false } });
  const run = (kind: 'import' | 'reimport', findings: ParsedFinding[], opts: Partial<ImportOptions> = {}, at = ctx) =>
    (kind === 'import' ? importScan : reimportScan)(ledger, report(G, findings), importOptions(G, opts), at);
  const id = (title: string) => ledger.data.findings.find((f) => f.title === title)!.id;
  const groups = (testId: number) => ledger.findingGroupsOfTest(testId).map((g) => [g.name, g.findingIds]);
  return { ledger, ctx, run, id, groups };
}

describe('engine finding groups (§3.4)', () => {
  it('§3.4 naming: "Findings in: " + key per group_by option; no key → not grouped', () => {
    const f = storedFinding({ id: 1, testId: 1, title: 'SQLi', filePath: 'a.js', componentName: 'lodash', componentVersion: null, vulnIdFromTool: 'R1' });
    assert.equal(findingGroupName(f, 'component_name'), 'Findings in: lodash');
    assert.equal(findingGroupName(f, 'component_name+component_version'), 'Findings in: lodash:None');
    assert.equal(findingGroupName({ ...f, componentName: null, componentVersion: '1.2' }, 'component_name+component_version'), 'Findings in: None:1.2');
    assert.equal(findingGroupName(f, 'file_path'), 'Findings in: Filepath a.js');
    assert.equal(findingGroupName(f, 'finding_title'), 'Findings in: SQLi');
    assert.equal(findingGroupName(f, 'vuln_id_from_tool'), 'Findings in: Vulnerability ID R1');
    const bare = storedFinding({ id: 2, testId: 1, filePath: null, componentName: null, componentVersion: null, vulnIdFromTool: null });
    for (const option of ['component_name', 'component_name+component_version', 'file_path', 'vuln_id_from_tool'] as const) {
      assert.equal(findingGroupName(bare, option), null, option);
    }
  });

  it('§3.4: with create_finding_groups_for_all_findings (default True) every key gets a group of the test, even for one finding', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js'), inFile('b', 'x.js'), inFile('c', 'y.js'), inFile('d', null)], { groupBy: 'file_path' });
    assert.deepEqual(s.groups(res.testId), [
      ['Findings in: Filepath x.js', [s.id('a'), s.id('b')]],
      ['Findings in: Filepath y.js', [s.id('c')]],
    ]);
    assert.equal(findingGroupOf(s.ledger, s.ledger.finding(s.id('d'))!), undefined, 'no file path, no group');
    const snapshot = s.ledger.data.imports[0].settings;
    assert.deepEqual([snapshot.groupBy, snapshot.createFindingGroupsForAllFindings], ['file_path', true]);
  });

  it('§3.4: without group_by nothing is grouped and the store gains no group list', () => {
    const s = setup();
    s.run('import', [inFile('a', 'x.js'), inFile('b', 'x.js')]);
    assert.equal('findingGroups' in s.ledger.data, false);
    assert.equal(s.ledger.data.imports[0].settings.groupBy, null);
  });

  it('§3.4 create_finding_groups_for_all_findings False: a group only when ≥2 new findings share a key', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js'), inFile('b', 'x.js'), inFile('c', 'y.js')], {
      groupBy: 'file_path',
      createFindingGroupsForAllFindings: false,
    });
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath x.js', [s.id('a'), s.id('b')]]]);
    assert.equal(s.ledger.data.imports[0].settings.createFindingGroupsForAllFindings, false);
  });

  it('§3.4: groups are per test — the same key in another test makes another group', () => {
    const s = setup();
    const first = s.run('import', [inFile('a', 'x.js')], { groupBy: 'file_path', testTitle: 'one' });
    const second = s.run('import', [inFile('a2', 'x.js')], { groupBy: 'file_path', testTitle: 'two' });
    assert.deepEqual(s.groups(first.testId), [['Findings in: Filepath x.js', [s.id('a')]]]);
    assert.deepEqual(s.groups(second.testId), [['Findings in: Filepath x.js', [s.id('a2')]]]);
  });

  it('§3.4/§4.6: on reimport only new findings are grouped; a matched finding is never moved into a group', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js')]);
    s.run('reimport', [inFile('a', 'x.js'), inFile('b', 'y.js')], { groupBy: 'file_path' }, later(s.ctx));
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath y.js', [s.id('b')]]]);
  });

  it('§3.4: a group created now pulls in the test\'s older findings with the same key', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js'), inFile('b', 'y.js')]);
    s.run('reimport', [inFile('a', 'x.js'), inFile('b', 'y.js'), inFile('c', 'x.js')], { groupBy: 'file_path' }, later(s.ctx));
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath x.js', [s.id('a'), s.id('c')]]]);
  });

  it('§3.4 all findings False: a single new finding joins the existing group of its name', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js'), inFile('b', 'x.js')], { groupBy: 'file_path', createFindingGroupsForAllFindings: false });
    s.run('reimport', [inFile('a', 'x.js'), inFile('b', 'x.js'), inFile('c', 'x.js')], { groupBy: 'file_path', createFindingGroupsForAllFindings: false }, later(s.ctx));
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath x.js', [s.id('a'), s.id('b'), s.id('c')]]]);
  });

  it('§3.4 all findings False: a single new finding with the key of one older finding creates a group with both', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js')]);
    s.run('reimport', [inFile('a', 'x.js'), inFile('c', 'x.js')], { groupBy: 'file_path', createFindingGroupsForAllFindings: false }, later(s.ctx));
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath x.js', [s.id('a'), s.id('c')]]]);
  });

  it('§3.4 quirk (add_findings_to_auto_group): with two older findings of the key, they are grouped but the new finding is not', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js'), inFile('b', 'x.js')]);
    s.run('reimport', [inFile('a', 'x.js'), inFile('b', 'x.js'), inFile('c', 'x.js')], { groupBy: 'file_path', createFindingGroupsForAllFindings: false }, later(s.ctx));
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath x.js', [s.id('a'), s.id('b')]]]);
  });

  it('§3.4 all findings False: a single new finding with no group and no older finding of its key stays ungrouped', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js')]);
    s.run('reimport', [inFile('a', 'x.js'), inFile('c', 'y.js')], { groupBy: 'file_path', createFindingGroupsForAllFindings: false }, later(s.ctx));
    assert.deepEqual(s.groups(res.testId), []);
  });

  it('§3.4: get_or_create is keyed by creator — another user\'s run makes a second group of the same name, which pulls in the older finding too', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js')], { groupBy: 'file_path' });
    s.run('reimport', [inFile('a', 'x.js'), inFile('b', 'x.js')], { groupBy: 'file_path' }, { ...later(s.ctx), user: 'bob' });
    const groups = s.ledger.findingGroupsOfTest(res.testId);
    assert.deepEqual(groups.map((g) => [g.name, g.creator, g.findingIds]), [
      ['Findings in: Filepath x.js', 'alice', [s.id('a')]],
      ['Findings in: Filepath x.js', 'bob', [s.id('a'), s.id('b')]],
    ]);
    assert.equal(findingGroupOf(s.ledger, s.ledger.finding(s.id('a'))!)?.creator, 'alice', 'a finding in two groups shows its first');
  });

  it('§3.4: the group name is cut to Finding_Group.name\'s 255 characters', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', `${'p/'.repeat(200)}x.js`)], { groupBy: 'file_path' });
    assert.equal(s.ledger.findingGroupsOfTest(res.testId)[0].name.length, 255);
  });

  it('§3.4: each group_by option groups through import (component_name+component_version, finding_title, vuln_id_from_tool)', () => {
    const s = setup();
    const res = s.run(
      'import',
      [
        parsedFinding({ title: 'a', componentName: 'lodash', componentVersion: '4.17.20', vulnIdFromTool: 'R1' }),
        parsedFinding({ title: 'b', componentName: 'lodash', componentVersion: '4.17.20', vulnIdFromTool: 'R2' }),
      ],
      { groupBy: 'component_name+component_version' },
    );
    assert.deepEqual(s.groups(res.testId), [['Findings in: lodash:4.17.20', [s.id('a'), s.id('b')]]]);
    const t = setup();
    const byTitle = t.run('import', [parsedFinding({ title: 'same', line: 1 }), parsedFinding({ title: 'same', line: 2 })], { groupBy: 'finding_title' });
    assert.deepEqual(t.ledger.findingGroupsOfTest(byTitle.testId).map((g) => [g.name, g.findingIds.length]), [['Findings in: same', 2]]);
    const u = setup();
    const byRule = u.run('import', [parsedFinding({ title: 'a', vulnIdFromTool: 'R1' }), parsedFinding({ title: 'b', vulnIdFromTool: 'R1' })], { groupBy: 'vuln_id_from_tool' });
    assert.deepEqual(u.groups(byRule.testId), [['Findings in: Vulnerability ID R1', [u.id('a'), u.id('b')]]]);
  });

  it('an unknown group_by option refuses the run before any change', () => {
    const s = setup();
    const before = JSON.stringify(s.ledger.data);
    assert.throws(() => s.run('import', [inFile('a', 'x.js')], { groupBy: 'severity' as never }), ImportValidationError);
    assert.equal(JSON.stringify(s.ledger.data), before);
  });

  it('deleting a finding takes it out of its group; deleting the test removes the test\'s groups', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js'), inFile('b', 'x.js')], { groupBy: 'file_path' });
    s.ledger.removeFinding(s.id('a'));
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath x.js', [s.id('b')]]]);
    s.ledger.removeFindings(new Set([s.id('b')]));
    assert.deepEqual(s.groups(res.testId), [['Findings in: Filepath x.js', []]], 'an emptied group is kept, as in DefectDojo');
    s.ledger.removeTest(res.testId);
    assert.deepEqual([s.ledger.findingGroupsOfTest(res.testId), s.ledger.data.findingGroups], [[], []]);
  });

  it('groups survive a store round trip: indexed on load, new ids continue after the highest', () => {
    const s = setup();
    const res = s.run('import', [inFile('a', 'x.js'), inFile('b', 'y.js')], { groupBy: 'file_path' });
    const read = readStoreDocument(JSON.parse(JSON.stringify(s.ledger.data)));
    assert.ok(read.ok);
    const reloaded = new Ledger(read.data);
    assert.deepEqual(reloaded.findingGroupsOfTest(res.testId).map((g) => g.id), [1, 2]);
    assert.deepEqual([...findingGroupNames(reloaded)], [
      [s.id('a'), 'Findings in: Filepath x.js'],
      [s.id('b'), 'Findings in: Filepath y.js'],
    ]);
    const next = reimportScan(reloaded, report(G, [inFile('a', 'x.js'), inFile('b', 'y.js'), inFile('c', 'z.js')]), importOptions(G, { groupBy: 'file_path' }), later(s.ctx));
    assert.equal(next.counts.created, 1);
    assert.deepEqual(reloaded.findingGroupsOfTest(res.testId).map((g) => g.id), [1, 2, 3]);
  });

  it('a store whose findingGroups is malformed is refused, naming the problem', () => {
    const s = setup();
    const data = JSON.parse(JSON.stringify(s.ledger.data)) as Record<string, unknown>;
    data.findingGroups = [{ id: 1, testId: 1, name: 'n', findingIds: 'x' }];
    const read = readStoreDocument(data);
    assert.ok(!read.ok && /findingGroups\[0\]\.findingIds/.test(read.problem.reason));
  });
});
