import { strict as assert } from 'node:assert';
import type { EngineContext } from '../../src/engine/context';
import { deduplicateFindings } from '../../src/engine/dedupe';
import { hashConfigFor } from '../../src/engine/dedupe-config';
import { computeHashCode } from '../../src/engine/hash-code';
import { applyRehash, hashConfigSignature, previewRehash, recordHashConfig, rehashIfConfigChanged } from '../../src/engine/rehash';
import type { Finding, Settings, Test } from '../../src/model';
import { World, makeContext } from './dedupe-builders';

const BANDIT = 'Bandit Scan';
const TRIVY = 'Trivy Scan';
/** Bandit without the line in its hash, so a moved finding keeps its identity. */
const BANDIT_NO_LINE: Partial<Settings> = { 'dedupe.hashFieldsPerScanType': { [BANDIT]: ['filePath', 'vulnIdFromTool'] } };

/** A world with a Bandit and a Trivy test whose findings carry hash codes computed under `ctx`. */
function hashedWorld(ctx: EngineContext) {
  const world = new World();
  const e = world.engagement(world.product());
  const bandit = world.test(e.id, { testType: BANDIT });
  const trivy = world.test(e.id, { testType: TRIVY });
  const add = (test: Test, fields: Partial<Finding>): Finding => {
    const f = world.finding(test.id, { ...fields, hashCode: null });
    world.ledger.updateIndexed(f, { hashCode: computeHashCode(f, hashConfigFor(test.testType, test.scanType, ctx.settings)) });
    return f;
  };
  const b1 = add(bandit, { line: 10, vulnIdFromTool: 'B307' });
  const b2 = add(bandit, { line: 20, vulnIdFromTool: 'B608', filePath: 'src/db.py' });
  const t1 = add(trivy, { title: 'CVE-2024-1 in lodash', vulnerabilityIds: ['CVE-2024-1'] });
  return { world, bandit, trivy, b1, b2, t1 };
}

describe('engine rehash improvement 10 signature and preview', () => {
  it('improvement 10: equal configurations give equal signatures, any difference a different one', () => {
    const base = hashConfigFor(BANDIT, BANDIT, makeContext().settings);
    assert.equal(hashConfigSignature(base), hashConfigSignature({ ...base, fields: [...(base.fields ?? [])] }));
    assert.notEqual(hashConfigSignature(base), hashConfigSignature({ ...base, fields: ['filePath'] }));
    assert.notEqual(hashConfigSignature(base), hashConfigSignature({ ...base, allowsNullCwe: !base.allowsNullCwe }));
    assert.notEqual(hashConfigSignature(base), hashConfigSignature({ ...base, fieldsAlways: [] }));
  });

  it('improvement 10: the preview counts, per test type, the hash codes that would change, and changes nothing', () => {
    const { world, b1 } = hashedWorld(makeContext());
    const before = b1.hashCode;
    assert.deepEqual(previewRehash(world.ledger, makeContext()), [
      { testType: BANDIT, changed: 0, total: 2 },
      { testType: TRIVY, changed: 0, total: 1 },
    ]);
    assert.deepEqual(previewRehash(world.ledger, makeContext(BANDIT_NO_LINE)), [
      { testType: BANDIT, changed: 2, total: 2 },
      { testType: TRIVY, changed: 0, total: 1 },
    ]);
    assert.equal(b1.hashCode, before);
    assert.deepEqual(world.ledger.data.hashConfigFingerprints, {});
  });
});

describe('engine rehash improvement 10 applying', () => {
  it('improvement 10: applyRehash stores the recomputed hash codes through the hash index and records the configuration', () => {
    const { world, b1, b2 } = hashedWorld(makeContext());
    const old = b1.hashCode as string;
    const ctx = makeContext(BANDIT_NO_LINE);
    assert.equal(applyRehash(world.ledger, ctx), 2);
    const expected = computeHashCode(b1, hashConfigFor(BANDIT, BANDIT, ctx.settings));
    assert.equal(b1.hashCode, expected);
    assert.deepEqual(world.ledger.findingsByHash.get(expected), [b1]);
    assert.equal(world.ledger.findingsByHash.get(old), undefined);
    assert.notEqual(b2.hashCode, expected);
    assert.deepEqual(Object.keys(world.ledger.data.hashConfigFingerprints).sort(), [BANDIT, TRIVY]);
    assert.ok(b1.audit.some((a) => a.field === 'hashCode' && a.from === old && a.to === expected));
  });

  it('improvement 10 (default on): a configuration change is detected and only the changed test type is rehashed', () => {
    const ctx = makeContext();
    const { world, b1, t1, bandit } = hashedWorld(ctx);
    recordHashConfig(world.ledger, bandit, ctx);
    assert.equal(rehashIfConfigChanged(world.ledger, ctx), 0, 'Bandit recorded; Trivy recorded now with nothing to change');
    assert.equal(rehashIfConfigChanged(world.ledger, ctx), 0, 'nothing changed since');
    const trivyHash = t1.hashCode;
    const changed = makeContext(BANDIT_NO_LINE);
    assert.equal(rehashIfConfigChanged(world.ledger, changed), 2);
    assert.equal(b1.hashCode, computeHashCode(b1, hashConfigFor(BANDIT, BANDIT, changed.settings)));
    assert.equal(t1.hashCode, trivyHash);
    assert.equal(rehashIfConfigChanged(world.ledger, changed), 0);
  });

  it('improvement 10 (default on): after a rehash, a moved finding deduplicates against the stored one', () => {
    const { world, bandit, b1 } = hashedWorld(makeContext());
    const ctx = makeContext(BANDIT_NO_LINE);
    rehashIfConfigChanged(world.ledger, ctx);
    const moved = world.finding(bandit.id, { line: 99, vulnIdFromTool: 'B307', hashCode: null });
    world.ledger.updateIndexed(moved, { hashCode: computeHashCode(moved, hashConfigFor(BANDIT, BANDIT, ctx.settings)) });
    deduplicateFindings(world.ledger, [moved], ctx);
    assert.equal(moved.duplicateOf, b1.id);
  });

  it('improvement 10 off (defectdojoParity): stored hashes stay stale and nothing is recorded (§6.4)', () => {
    const { world, b1 } = hashedWorld(makeContext());
    const before = b1.hashCode;
    const parity = makeContext(BANDIT_NO_LINE, { parity: true });
    assert.equal(rehashIfConfigChanged(world.ledger, parity), 0);
    assert.equal(b1.hashCode, before);
    assert.deepEqual(world.ledger.data.hashConfigFingerprints, {});
    assert.equal(rehashIfConfigChanged(world.ledger, makeContext(BANDIT_NO_LINE)), 2, 'turning the setting on later still catches the change');
  });
});
