import { strict as assert } from 'node:assert';
import { applyRetroactiveFalsePositiveHistory, deduplicateFindings } from '../../src/engine/dedupe';
import type { Settings } from '../../src/model';
import { MITIGATED, World, makeContext, singleTestWorld } from './dedupe-builders';

const FP_HISTORY: Partial<Settings> = { 'dedupe.enabled': false, falsePositiveHistory: true };
const RETROACTIVE: Partial<Settings> = { ...FP_HISTORY, retroactiveFalsePositiveHistory: true };
const FALSE_POSITIVE = { ...MITIGATED, falsePositive: true };

describe('engine FP history §5.9 when it runs', () => {
  it('§5.9: runs only when false_positive_history is on and dedupe is off', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    world.finding(test.id, FALSE_POSITIVE);
    const f = world.finding(test.id, { hashCode: 'h-other' });
    const g = world.finding(test.id);
    deduplicateFindings(world.ledger, [g], makeContext({ falsePositiveHistory: true, 'dedupe.enabled': true }));
    assert.equal(g.falsePositive, false, 'dedupe on: FP history does not run');
    assert.equal(g.duplicate, true, 'dedupe on: passive dedupe runs instead');
    deduplicateFindings(world.ledger, [f], makeContext({ 'dedupe.enabled': false, falsePositiveHistory: false }));
    assert.equal(f.falsePositive, false);
  });

  it('§5.9: FP history applies to matched findings of a reimport batch too', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const matched = world.finding(test.id);
    world.finding(world.test(test.engagementId).id, FALSE_POSITIVE);
    deduplicateFindings(world.ledger, [matched], makeContext(FP_HISTORY));
    assert.equal(matched.falsePositive, true);
  });
});

describe('engine FP history §5.9 matching and scope', () => {
  it('§5.9 hash_code: an equal (same hash) false positive anywhere in the product, of any test type, duplicates included', () => {
    const world = new World();
    const p = world.product();
    const other = world.test(world.engagement(p, { dedupeOnEngagement: true }).id, { testType: 'Trivy Scan' });
    const original = world.finding(other.id, { hashCode: 'h-other' });
    const dupFp = world.finding(other.id, FALSE_POSITIVE);
    world.link(dupFp, original);
    const f = world.finding(world.test(world.engagement(p).id).id);
    deduplicateFindings(world.ledger, [f], makeContext(FP_HISTORY));
    assert.equal(f.falsePositive, true);
  });

  it('§5.9: another product\'s false positive is not history', () => {
    const world = new World();
    world.finding(world.test(world.engagement(world.product()).id).id, FALSE_POSITIVE);
    const f = world.finding(world.test(world.engagement(world.product()).id).id);
    deduplicateFindings(world.ledger, [f], makeContext(FP_HISTORY));
    assert.equal(f.falsePositive, false);
  });

  it('§5.9: a newer stored false positive counts too (no id order)', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const f = world.finding(test.id);
    world.finding(test.id, FALSE_POSITIVE);
    deduplicateFindings(world.ledger, [f], makeContext(FP_HISTORY));
    assert.equal(f.falsePositive, true);
  });

  it('§5.9: the batch\'s own findings are excluded from history (hash_code)', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const a = world.finding(test.id, { falsePositive: true, active: false });
    const b = world.finding(test.id);
    deduplicateFindings(world.ledger, [a, b], makeContext(FP_HISTORY));
    assert.equal(b.falsePositive, false);
  });

  it('§5.9 unique_id_from_tool: same unique id, any test type; an empty unique id is absent', () => {
    const world = new World();
    const e = world.engagement(world.product());
    const sarif = world.test(e.id, { testType: 'SARIF' });
    world.finding(world.test(e.id, { testType: 'Govulncheck Scanner' }).id, { ...FALSE_POSITIVE, uniqueIdFromTool: 'GO-1', hashCode: 'x' });
    world.finding(sarif.id, { ...FALSE_POSITIVE, uniqueIdFromTool: '', hashCode: 'y' });
    const uidOnly = world.test(e.id, { testType: 'Govulncheck Scanner' });
    const f = world.finding(uidOnly.id, { uniqueIdFromTool: 'GO-1', hashCode: 'z' });
    const g = world.finding(uidOnly.id, { uniqueIdFromTool: '', hashCode: 'y' });
    deduplicateFindings(world.ledger, [f, g], makeContext(FP_HISTORY));
    assert.equal(f.falsePositive, true);
    assert.equal(g.falsePositive, false);
  });

  it('§5.9 unique_id_from_tool_or_hash_code: same unique id or same hash', () => {
    const { world, test } = singleTestWorld('SARIF');
    world.finding(test.id, { ...FALSE_POSITIVE, uniqueIdFromTool: 'fp-1', hashCode: 'h1' });
    const byUid = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h2' });
    const byHash = world.finding(test.id, { uniqueIdFromTool: 'fp-2', hashCode: 'h1' });
    const neither = world.finding(test.id, { uniqueIdFromTool: 'fp-3', hashCode: 'h3' });
    deduplicateFindings(world.ledger, [byUid, byHash, neither], makeContext(FP_HISTORY));
    assert.deepEqual([byUid.falsePositive, byHash.falsePositive, neither.falsePositive], [true, true, false]);
  });

  it('§5.9 legacy: same title ignoring case and same severity, whatever the hash', () => {
    const { world, test } = singleTestWorld('Gosec Scanner');
    world.finding(test.id, { ...FALSE_POSITIVE, title: 'USE OF EVAL', hashCode: 'h1' });
    const same = world.finding(test.id, { hashCode: 'h2' });
    const otherSeverity = world.finding(test.id, { severity: 'Low', hashCode: 'h3' });
    deduplicateFindings(world.ledger, [same, otherSeverity], makeContext(FP_HISTORY));
    assert.equal(same.falsePositive, true);
    assert.equal(otherSeverity.falsePositive, false);
  });

  it('§5.9 legacy: the batch\'s own findings count as history', () => {
    const { world, test } = singleTestWorld('Gosec Scanner');
    const a = world.finding(test.id, { falsePositive: true, active: false });
    const b = world.finding(test.id);
    deduplicateFindings(world.ledger, [a, b], makeContext(FP_HISTORY));
    assert.equal(b.falsePositive, true);
  });
});

describe('engine FP history improvement 5 falsePositiveHistoryMitigates', () => {
  it('improvement 5 (default on): an FP-history finding goes through the §1.4 invariants and is mitigated', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    world.finding(test.id, FALSE_POSITIVE);
    const f = world.finding(test.id, { verified: true });
    const ctx = makeContext(FP_HISTORY);
    deduplicateFindings(world.ledger, [f], ctx);
    assert.deepEqual(
      [f.falsePositive, f.active, f.verified, f.isMitigated, f.mitigated, f.mitigatedBy],
      [true, false, false, true, ctx.now.toISOString(), 'alice'],
    );
    assert.equal(f.lastStatusUpdate, ctx.now.toISOString());
  });

  it('improvement 5 off (defectdojoParity): FP history writes false_p, active and verified directly, not mitigated', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    world.finding(test.id, FALSE_POSITIVE);
    const f = world.finding(test.id, { verified: true, lastStatusUpdate: '2026-01-01T00:00:00.000Z' });
    deduplicateFindings(world.ledger, [f], makeContext(FP_HISTORY, { parity: true }));
    assert.deepEqual([f.falsePositive, f.active, f.verified, f.isMitigated, f.mitigated], [true, false, false, false, null]);
    assert.equal(f.lastStatusUpdate, '2026-01-01T00:00:00.000Z', 'a direct update bypasses rule 6');
  });

  it('improvement 5: both modes audit the change with the equal false positive as reason', () => {
    for (const parity of [false, true]) {
      const { world, test } = singleTestWorld('Bandit Scan');
      const fp = world.finding(test.id, FALSE_POSITIVE);
      const f = world.finding(test.id);
      deduplicateFindings(world.ledger, [f], makeContext(FP_HISTORY, { parity }));
      const entry = f.audit.find((a) => a.field === 'falsePositive');
      assert.deepEqual(entry && [entry.from, entry.to, entry.reason], [false, true, `false-positive history: equal to false positive #${fp.id}`]);
    }
  });
});

describe('engine FP history §5.9 retroactive', () => {
  it('§5.9 retroactive: a batch false positive marks every equal active, non-FP finding of the product', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const active = world.finding(test.id);
    const inactive = world.finding(test.id, { active: false });
    const f = world.finding(world.test(test.engagementId).id, { falsePositive: true, active: false });
    deduplicateFindings(world.ledger, [f], makeContext(RETROACTIVE));
    assert.equal(active.falsePositive, true);
    assert.equal(active.active, false);
    assert.equal(inactive.falsePositive, false);
  });

  it('§5.9 retroactive: a finding that became FP through history also marks the others', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    world.finding(test.id, FALSE_POSITIVE);
    const active = world.finding(test.id);
    const f = world.finding(world.test(test.engagementId).id);
    deduplicateFindings(world.ledger, [f], makeContext(RETROACTIVE));
    assert.equal(f.falsePositive, true);
    assert.equal(active.falsePositive, true);
  });

  it('§5.9 retroactive off: other findings are left alone', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const active = world.finding(test.id);
    const f = world.finding(world.test(test.engagementId).id, { falsePositive: true, active: false });
    deduplicateFindings(world.ledger, [f], makeContext(FP_HISTORY));
    assert.equal(active.falsePositive, false);
  });

  it('improvement 5 with retroactive: mitigated by default, not mitigated under parity', () => {
    for (const parity of [false, true]) {
      const { world, test } = singleTestWorld('Bandit Scan');
      const active = world.finding(test.id);
      const f = world.finding(world.test(test.engagementId).id, { falsePositive: true, active: false });
      deduplicateFindings(world.ledger, [f], makeContext(RETROACTIVE, { parity }));
      assert.equal(active.falsePositive, true);
      assert.equal(active.isMitigated, !parity);
    }
  });

  it('§5.9 retroactive (triage): marking a finding FP marks equal active findings; a no-op without the setting', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const a = world.finding(test.id);
    const b = world.finding(test.id);
    Object.assign(b, FALSE_POSITIVE);
    assert.deepEqual(applyRetroactiveFalsePositiveHistory(world.ledger, b, makeContext(FP_HISTORY)), []);
    assert.equal(a.falsePositive, false);
    assert.deepEqual(applyRetroactiveFalsePositiveHistory(world.ledger, b, makeContext(RETROACTIVE)), [a]);
    assert.equal(a.falsePositive, true);
  });

  it('§5.9 retroactive (triage): un-marking an FP un-marks all equal FPs, copying active, verified, OOS and mitigated flags', () => {
    const { world, test } = singleTestWorld('Bandit Scan');
    const other = world.finding(test.id, FALSE_POSITIVE);
    const f = world.finding(test.id, { active: true, verified: true });
    const changed = applyRetroactiveFalsePositiveHistory(world.ledger, f, makeContext(RETROACTIVE));
    assert.deepEqual(changed, [other]);
    assert.deepEqual([other.falsePositive, other.active, other.verified, other.isMitigated, other.mitigated], [false, true, true, false, null]);
  });
});
