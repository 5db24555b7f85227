import { strict as assert } from 'node:assert';
import { DeleteError, deleteEngagement, deleteFinding, deleteTest } from '../../src/engine/delete-finding';
import { DUPE_DELETE_MAX_PER_RUN, deleteExcessDuplicates } from '../../src/engine/delete-duplicates';
import { importRecord } from '../builders';
import { MITIGATED, World, makeContext, singleTestWorld } from './dedupe-builders';

describe('engine delete §5.7 deleting an original', () => {
  it('§5.7: the lowest-id duplicate becomes the original and copies active, verified, is_mitigated and found_by', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const original = world.finding(test.id, { ...MITIGATED, verified: true, foundBy: ['Bandit Scan', 'Semgrep JSON Report'] });
    const d3 = world.finding(test.id);
    const d2 = world.finding(test.id);
    const d4 = world.finding(test.id);
    world.link(d4, original);
    world.link(d2, original);
    world.link(d3, original);
    const result = deleteFinding(world.ledger, original.id, makeContext());
    assert.deepEqual(result, { deleted: [original.id], promoted: [d3.id] });
    assert.deepEqual([d3.duplicate, d3.duplicateOf, d3.active, d3.isMitigated], [false, null, false, true]);
    assert.deepEqual(d3.foundBy, ['Bandit Scan', 'Semgrep JSON Report']);
    assert.equal(d2.duplicateOf, d3.id);
    assert.equal(d4.duplicateOf, d3.id);
    assert.equal(world.ledger.finding(original.id), undefined);
    assert.deepEqual(world.ledger.duplicatesOf.get(d3.id)?.map((d) => d.id).sort(), [d2.id, d4.id].sort());
    assert.equal(world.ledger.duplicatesOf.get(original.id), undefined);
  });

  it('§5.7: the promoted duplicate does not copy the mitigation date nor the false-positive, out-of-scope or risk flags', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const original = world.finding(test.id, { ...MITIGATED, falsePositive: true, outOfScope: true, riskAccepted: true });
    const d = world.finding(test.id);
    world.link(d, original);
    const ctx = makeContext();
    deleteFinding(world.ledger, original.id, ctx);
    assert.deepEqual([d.falsePositive, d.outOfScope, d.riskAccepted], [false, false, false]);
    assert.equal(d.isMitigated, true);
    assert.equal(d.mitigated, ctx.now.toISOString(), 'the §1.4 invariants date the copied mitigation now');
    assert.ok(d.audit.some((a) => a.field === 'isMitigated' && a.reason === `original finding #${original.id} deleted`));
  });

  it('§5.7: an active original passes active and verified to its promoted duplicate', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const original = world.finding(test.id, { verified: true });
    const d = world.finding(test.id);
    world.link(d, original);
    deleteFinding(world.ledger, original.id, makeContext());
    assert.deepEqual([d.active, d.verified, d.duplicate], [true, true, false]);
  });

  it('§5.7: deleting a duplicate removes only it', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const original = world.finding(test.id);
    const d = world.finding(test.id);
    world.link(d, original);
    assert.deepEqual(deleteFinding(world.ledger, d.id, makeContext()), { deleted: [d.id], promoted: [] });
    assert.equal(world.ledger.duplicatesOf.get(original.id), undefined);
    assert.equal(original.duplicate, false);
  });

  it('an unknown finding id is a typed error and changes nothing', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    world.finding(test.id);
    assert.throws(() => deleteFinding(world.ledger, 99, makeContext()), (e: unknown) => e instanceof DeleteError && e.code === 'unknown-finding');
    assert.equal(world.ledger.data.findings.length, 1);
  });
});

describe('engine delete §5.7 deleting a test or an engagement', () => {
  it('§5.7: deleting a test removes its findings and import records, and unlinks duplicates inside it', () => {
    const world = new World();
    const e = world.engagement(world.product());
    const doomed = world.test(e.id);
    const kept = world.test(e.id);
    const original = world.finding(doomed.id);
    const inside = world.finding(doomed.id);
    world.link(inside, original);
    const other = world.finding(kept.id, { hashCode: 'other' });
    world.ledger.addImport(importRecord({ id: 1, testId: doomed.id }));
    world.ledger.addImport(importRecord({ id: 2, testId: kept.id }));
    const result = deleteTest(world.ledger, doomed.id, makeContext());
    assert.deepEqual(result, { deleted: [original.id, inside.id], promoted: [] });
    assert.equal(world.ledger.test(doomed.id), undefined);
    assert.deepEqual(world.ledger.data.findings, [other]);
    assert.deepEqual(world.ledger.data.imports.map((r) => r.id), [2]);
    assert.equal(world.ledger.findingsByHash.get('hash-a'), undefined);
    assert.equal(world.ledger.duplicatesOf.size, 0);
  });

  it('§5.7: deleting a test re-homes outside duplicates of inside originals', () => {
    const world = new World();
    const e = world.engagement(world.product());
    const doomed = world.test(e.id);
    const kept = world.test(e.id, { testType: 'Trivy Scan' });
    const original = world.finding(doomed.id, { foundBy: ['Bandit Scan', 'Trivy Scan'] });
    const outsideA = world.finding(kept.id);
    const outsideB = world.finding(kept.id);
    world.link(outsideA, original);
    world.link(outsideB, original);
    const result = deleteTest(world.ledger, doomed.id, makeContext());
    assert.deepEqual(result.promoted, [outsideA.id]);
    assert.deepEqual([outsideA.duplicate, outsideA.active, outsideB.duplicateOf], [false, true, outsideA.id]);
    assert.deepEqual(outsideA.foundBy, ['Bandit Scan', 'Trivy Scan']);
  });

  it('§5.7: deleting a test leaves outside originals of inside duplicates in place', () => {
    const world = new World();
    const e = world.engagement(world.product());
    const kept = world.test(e.id);
    const doomed = world.test(e.id);
    const original = world.finding(kept.id);
    const inside = world.finding(doomed.id);
    world.link(inside, original);
    deleteTest(world.ledger, doomed.id, makeContext());
    assert.equal(original.duplicate, false);
    assert.equal(world.ledger.duplicatesOf.get(original.id), undefined);
  });

  it('§5.7: deleting an engagement removes its tests and findings and re-homes duplicates of other engagements', () => {
    const world = new World();
    const p = world.product();
    const doomed = world.engagement(p);
    const keptEngagement = world.engagement(p);
    const t1 = world.test(doomed.id);
    const t2 = world.test(doomed.id);
    const kept = world.test(keptEngagement.id);
    const original = world.finding(t1.id);
    const insideDup = world.finding(t2.id);
    const outsideDup = world.finding(kept.id);
    world.link(insideDup, original);
    world.link(outsideDup, original);
    world.ledger.addImport(importRecord({ id: 1, testId: t2.id }));
    const result = deleteEngagement(world.ledger, doomed.id, makeContext());
    assert.deepEqual(result, { deleted: [original.id, insideDup.id], promoted: [outsideDup.id] });
    assert.equal(world.ledger.engagement(doomed.id), undefined);
    assert.deepEqual(world.ledger.data.tests.map((t) => t.id), [kept.id]);
    assert.deepEqual(world.ledger.data.imports, []);
    assert.equal(outsideDup.duplicate, false);
  });

  it('an unknown test or engagement id is a typed error', () => {
    const world = new World();
    assert.throws(() => deleteTest(world.ledger, 5, makeContext()), (e: unknown) => e instanceof DeleteError && e.code === 'unknown-test');
    assert.throws(() => deleteEngagement(world.ledger, 5, makeContext()), (e: unknown) => e instanceof DeleteError && e.code === 'unknown-engagement');
  });
});

describe('engine delete §5.8 delete_duplicates / max_dupes', () => {
  const on = { 'dedupe.deleteDuplicates': true, 'dedupe.maxDuplicates': 2 };

  function cluster(count: number, dates?: string[]) {
    const { world, test } = singleTestWorld('Bandit Scan');
    const original = world.finding(test.id);
    const dups = Array.from({ length: count }, (_, i) => {
      const d = world.finding(test.id, { date: dates?.[i] ?? '2026-03-01' });
      world.link(d, original);
      return d;
    });
    return { world, original, dups };
  }

  it('§5.8: skipped unless delete_duplicates is on and max_dupes is not null', () => {
    const { world } = cluster(5);
    assert.deepEqual(deleteExcessDuplicates(world.ledger, makeContext({ 'dedupe.maxDuplicates': 2 })), []);
    assert.deepEqual(deleteExcessDuplicates(world.ledger, makeContext({ 'dedupe.deleteDuplicates': true, 'dedupe.maxDuplicates': null })), []);
    assert.equal(world.ledger.data.findings.length, 6);
  });

  it('§5.8: keeps the max_dupes newest duplicates by (date, id) and never deletes the original', () => {
    const { world, original, dups } = cluster(4, ['2026-03-05', '2026-03-01', '2026-03-05', '2026-03-02']);
    const deleted = deleteExcessDuplicates(world.ledger, makeContext(on));
    // Newest: dups[2] (03-05, higher id), dups[0] (03-05); deleted: dups[1] (03-01), dups[3] (03-02).
    assert.deepEqual(deleted, [dups[1].id, dups[3].id]);
    assert.ok(world.ledger.finding(original.id));
    assert.deepEqual(world.ledger.duplicatesOf.get(original.id)?.map((d) => d.id).sort(), [dups[0].id, dups[2].id].sort());
  });

  it('§5.8: same date — the higher id is newer', () => {
    const { world, dups } = cluster(3);
    assert.deepEqual(deleteExcessDuplicates(world.ledger, makeContext(on)), [dups[0].id]);
  });

  it('§5.8: max_dupes 0 deletes every duplicate', () => {
    const { world, original, dups } = cluster(3);
    const deleted = deleteExcessDuplicates(world.ledger, makeContext({ ...on, 'dedupe.maxDuplicates': 0 }));
    assert.deepEqual(deleted, dups.map((d) => d.id));
    assert.deepEqual(world.ledger.data.findings, [original]);
  });

  it('§5.8: at most 200 deletions per run, lowest ids first; the rest go on the next run', () => {
    const { world, dups } = cluster(DUPE_DELETE_MAX_PER_RUN + 10);
    const ctx = makeContext({ ...on, 'dedupe.maxDuplicates': 0 });
    const first = deleteExcessDuplicates(world.ledger, ctx);
    assert.deepEqual(first, dups.slice(0, DUPE_DELETE_MAX_PER_RUN).map((d) => d.id));
    assert.deepEqual(deleteExcessDuplicates(world.ledger, ctx), dups.slice(DUPE_DELETE_MAX_PER_RUN).map((d) => d.id));
    assert.deepEqual(deleteExcessDuplicates(world.ledger, ctx), []);
  });

  it('§5.8: a finding still pointing at a deleted duplicate is re-pointed to the surviving root', () => {
    const { world, original, dups } = cluster(2);
    const stray = world.finding(dups[0].testId);
    world.link(stray, dups[0]);
    deleteExcessDuplicates(world.ledger, makeContext({ ...on, 'dedupe.maxDuplicates': 1 }));
    assert.equal(world.ledger.finding(dups[0].id), undefined);
    assert.equal(stray.duplicateOf, original.id);
  });
});

describe('engine delete ledger bookkeeping', () => {
  it('removing many findings at once keeps every index in step and the store order intact', () => {
    const { world, test } = singleTestWorld('SARIF');
    const kept = world.finding(test.id, { hashCode: 'h1', uniqueIdFromTool: 'u1', fingerprint: 'fp1' });
    const a = world.finding(test.id, { hashCode: 'h1', uniqueIdFromTool: 'u1', fingerprint: 'fp1', filePath: 'src/a.py' });
    const b = world.finding(test.id, { hashCode: 'h2', uniqueIdFromTool: 'u2', fingerprint: 'fp2' });
    const last = world.finding(test.id, { hashCode: 'h3' });
    world.link(a, kept);
    world.ledger.removeFindings(new Set([a.id, b.id]));
    const l = world.ledger;
    assert.deepEqual(l.data.findings, [kept, last]);
    assert.deepEqual([l.finding(a.id), l.finding(b.id)], [undefined, undefined]);
    assert.deepEqual(l.findingsOfTest(test.id), [kept, last]);
    assert.deepEqual([l.findingsByHash.get('h1'), l.findingsByHash.get('h2')], [[kept], undefined]);
    assert.deepEqual([l.findingsByUniqueId.get('u1'), l.findingsByUniqueId.get('u2')], [[kept], undefined]);
    assert.deepEqual([l.findingsByFingerprint.get('fp1'), l.findingsByFile.get('src/a.py')], [[kept], undefined]);
    assert.equal(l.duplicatesOf.get(kept.id), undefined);
  });

  it('removing a large set sweeps every list index once and keeps the rest intact', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const other = world.test(test.engagementId);
    const doomed = Array.from({ length: 100 }, (_, i) => world.finding(test.id, { hashCode: `h${i % 10}`, uniqueIdFromTool: `u${i}` }));
    const kept = Array.from({ length: 10 }, (_, i) => world.finding(other.id, { hashCode: `h${i}` }));
    world.link(kept[1], kept[0]);
    world.ledger.removeFindings(new Set(doomed.map((f) => f.id)));
    const l = world.ledger;
    assert.deepEqual(l.data.findings, kept);
    assert.equal(l.findingsOfTest(test.id).length, 0);
    assert.deepEqual(l.findingsOfTest(other.id), kept);
    assert.deepEqual(l.findingsByHash.get('h3'), [kept[3]]);
    assert.equal(l.findingsByUniqueId.size, 0);
    assert.deepEqual(l.findingsByFile.get('src/app.py'), kept);
    assert.deepEqual(l.duplicatesOf.get(kept[0].id), [kept[1]]);
    assert.equal(l.findingsById.size, 10);
    assert.ok(l.test(test.id), 'tests are not findings and stay');
  });
});
