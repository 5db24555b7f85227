import { strict as assert } from 'node:assert';
import { DEDUPE_RULES, dedupeRuleFor, deduplicateFindings, endpointParts, endpointsAgree, setDuplicate } from '../../src/engine/dedupe';
import { DEDUPE_ALGORITHMS } from '../../src/model';
import { MITIGATED, World, makeContext, singleTestWorld } from './dedupe-builders';

const SARIF = 'SARIF';
const BANDIT = 'Bandit Scan';
const GOSEC = 'Gosec Scanner';
const UID_ONLY = 'Govulncheck Scanner';

describe('engine dedupe §5.1 when passive deduplication runs', () => {
  it('§5.1: with dedupe.enabled off nothing is marked duplicate', () => {
    const { world, test } = singleTestWorld(BANDIT);
    world.finding(test.id);
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext({ 'dedupe.enabled': false }));
    assert.equal(f.duplicate, false);
    assert.equal(f.active, true);
  });

  it('§5.1: the batch is processed sorted by id, so the oldest copy in a batch stays the original', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const a = world.finding(test.id);
    const b = world.finding(test.id);
    const c = world.finding(test.id);
    deduplicateFindings(world.ledger, [c, b, a], makeContext());
    assert.equal(a.duplicate, false);
    assert.equal(b.duplicateOf, a.id);
    assert.equal(c.duplicateOf, a.id);
  });

  it('§5.1: a finding deleted before post-processing is skipped', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const a = world.finding(test.id);
    const b = world.finding(test.id);
    world.ledger.removeFinding(b.id);
    deduplicateFindings(world.ledger, [b], makeContext());
    assert.equal(b.duplicate, false);
    assert.equal(world.ledger.duplicatesOf.get(a.id), undefined);
  });
});

describe('engine dedupe §5.2 scope', () => {
  it('§5.2: candidates come from the same product only', () => {
    const world = new World();
    const p1 = world.product();
    const p2 = world.product();
    const t1 = world.test(world.engagement(p1).id);
    const t2 = world.test(world.engagement(p2).id);
    world.finding(t1.id);
    const f = world.finding(t2.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.2: without deduplication_on_engagement, findings of other engagements of the product are candidates', () => {
    const world = new World();
    const p = world.product();
    const t1 = world.test(world.engagement(p).id);
    const t2 = world.test(world.engagement(p).id);
    const original = world.finding(t1.id);
    const f = world.finding(t2.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.2: with deduplication_on_engagement on the new finding\'s engagement, other engagements are out of scope', () => {
    const world = new World();
    const p = world.product();
    const t1 = world.test(world.engagement(p).id);
    const t2 = world.test(world.engagement(p, { dedupeOnEngagement: true }).id);
    world.finding(t1.id);
    const f = world.finding(t2.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.2 pairwise guard: a candidate whose own engagement deduplicates on engagement is never an original elsewhere', () => {
    const world = new World();
    const p = world.product();
    const isolated = world.test(world.engagement(p, { dedupeOnEngagement: true }).id);
    const open = world.test(world.engagement(p).id);
    world.finding(isolated.id);
    const f = world.finding(open.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.2: within an engagement that deduplicates on engagement, its own findings are candidates', () => {
    const world = new World();
    const e = world.engagement(world.product(), { dedupeOnEngagement: true });
    const original = world.finding(world.test(e.id).id);
    const f = world.finding(world.test(e.id).id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.2: candidates exclude duplicates (originals only)', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const original = world.finding(test.id);
    const dup = world.finding(test.id);
    world.link(dup, original);
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.2: candidates include every status (false positive, risk accepted, inactive) and the own test', () => {
    for (const status of [{ falsePositive: true, active: false, isMitigated: true, mitigated: 'x' }, { riskAccepted: true, active: false }, { active: false }]) {
      const { world, test } = singleTestWorld(BANDIT);
      const original = world.finding(test.id, status);
      const f = world.finding(test.id);
      deduplicateFindings(world.ledger, [f], makeContext());
      assert.equal(f.duplicateOf, original.id, JSON.stringify(status));
    }
  });

  it('§5.2: a candidate must be older (lower id); a newer equal finding is never the original', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const older = world.finding(test.id);
    world.finding(test.id);
    deduplicateFindings(world.ledger, [older], makeContext());
    assert.equal(older.duplicate, false);
  });
});

describe('engine dedupe §5.3 matching per algorithm', () => {
  it('§5.3 hash_code: same non-null hash_code of any test type is a duplicate', () => {
    const world = new World();
    const e = world.engagement(world.product());
    const original = world.finding(world.test(e.id, { testType: 'Trivy Scan' }).id, { hashCode: 'h1' });
    const f = world.finding(world.test(e.id, { testType: BANDIT }).id, { hashCode: 'h1' });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
    assert.deepEqual(original.foundBy, ['Trivy Scan', BANDIT]);
  });

  it('§5.3 hash_code: a different or null hash_code never matches', () => {
    const { world, test } = singleTestWorld(BANDIT);
    world.finding(test.id, { hashCode: 'h1' });
    world.finding(test.id, { hashCode: null });
    const f = world.finding(test.id, { hashCode: 'h2' });
    const g = world.finding(test.id, { hashCode: null });
    deduplicateFindings(world.ledger, [f, g], makeContext());
    assert.equal(f.duplicate, false);
    assert.equal(g.duplicate, false);
  });

  it('§5.3 unique_id_from_tool: same unique_id_from_tool and same Test_Type, endpoints ignored', () => {
    const { world, test } = singleTestWorld(UID_ONLY);
    const original = world.finding(test.id, { uniqueIdFromTool: 'GO-1', hashCode: 'h1', endpoints: ['https://a.example/x'] });
    const f = world.finding(test.id, { uniqueIdFromTool: 'GO-1', hashCode: 'h2', endpoints: [] });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.3 unique_id_from_tool never crosses Test_Types and ignores the hash', () => {
    const world = new World();
    const e = world.engagement(world.product());
    world.finding(world.test(e.id, { testType: 'Anchore Grype detailed' }).id, { uniqueIdFromTool: 'GO-1', hashCode: 'h1' });
    const t = world.test(e.id, { testType: UID_ONLY });
    world.finding(t.id, { uniqueIdFromTool: 'GO-2', hashCode: 'h1' });
    const f = world.finding(t.id, { uniqueIdFromTool: 'GO-1', hashCode: 'h1' });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.3 unique_id_from_tool: an empty unique id is no unique id', () => {
    const { world, test } = singleTestWorld(UID_ONLY);
    world.finding(test.id, { uniqueIdFromTool: '' });
    const f = world.finding(test.id, { uniqueIdFromTool: '' });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.3 unique_id_from_tool_or_hash_code: the union walked in ascending id, a lower-id hash match wins over a uid match', () => {
    const { world, test } = singleTestWorld(SARIF);
    const byHash = world.finding(test.id, { uniqueIdFromTool: 'fp-other', hashCode: 'h1' });
    world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-other' });
    const f = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h1' });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, byHash.id);
  });

  it('§5.3 unique_id_from_tool_or_hash_code: a uid match alone suffices, within the same Test_Type', () => {
    const { world, test } = singleTestWorld(SARIF);
    const byUid = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-old' });
    const f = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-new' });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, byUid.id);
  });

  it('§5.3 unique_id_from_tool_or_hash_code: the endpoint check applies to uid candidates too', () => {
    const { world, test } = singleTestWorld(SARIF);
    world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-old', endpoints: ['https://a.example/x'] });
    const f = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-new', endpoints: ['https://b.example/x'] });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.3 unique_id_from_tool_or_hash_code: a finding already flagged duplicate is skipped', () => {
    const { world, test } = singleTestWorld(SARIF);
    const older = world.finding(test.id, { uniqueIdFromTool: 'fp-1' });
    const current = world.finding(test.id, { uniqueIdFromTool: 'fp-2', hashCode: 'h-2' });
    const f = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-2' });
    world.link(f, current);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, current.id);
    assert.notEqual(f.duplicateOf, older.id);
  });

  it('§5.3 hash_code: a finding already flagged duplicate is re-linked to the oldest candidate', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const oldest = world.finding(test.id, { hashCode: 'h1' });
    const other = world.finding(test.id, { hashCode: 'h2' });
    const f = world.finding(test.id, { hashCode: 'h1' });
    world.link(f, other);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, oldest.id);
    assert.deepEqual(world.ledger.duplicatesOf.get(other.id), undefined);
    assert.deepEqual(world.ledger.duplicatesOf.get(oldest.id), [f]);
  });

  it('issue 15: every algorithm has its own rule in the static table, so none falls back silently', () => {
    for (const algorithm of DEDUPE_ALGORITHMS) assert.equal(dedupeRuleFor(algorithm), DEDUPE_RULES[algorithm], algorithm);
    assert.deepEqual(Object.keys(DEDUPE_RULES).sort(), [...DEDUPE_ALGORITHMS].sort());
    assert.notEqual(DEDUPE_RULES.fingerprint, DEDUPE_RULES.unique_id_from_tool_or_hash_code);
  });

  it('§5.3 fingerprint: without a fingerprint, a finding deduplicates like unique_id_from_tool_or_hash_code', () => {
    const { world, test } = singleTestWorld(SARIF);
    const ctx = makeContext({ 'dedupe.algorithmPerScanType': { SARIF: 'fingerprint' } });
    const byUid = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-old' });
    const f = world.finding(test.id, { uniqueIdFromTool: 'fp-1', hashCode: 'h-new' });
    deduplicateFindings(world.ledger, [f], ctx);
    assert.equal(f.duplicateOf, byUid.id);
  });

  it('§5.3 fingerprint: the rule sees older originals of the fingerprint index, whatever the hash code or line', () => {
    const { world, test } = singleTestWorld(SARIF);
    const ctx = makeContext({ 'dedupe.algorithmPerScanType': { SARIF: 'fingerprint' } });
    const original = world.finding(test.id, { fingerprint: 'fp:abc', hashCode: 'h-old', line: 40 });
    const f = world.finding(test.id, { fingerprint: 'fp:abc', hashCode: 'h-new', line: 52 });
    deduplicateFindings(world.ledger, [f], ctx);
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.3: a refused candidate moves on to the next, oldest first', () => {
    const { world, test } = singleTestWorld(BANDIT);
    world.finding(test.id, MITIGATED);
    const open = world.finding(test.id);
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, open.id);
  });
});

describe('engine dedupe §5.4 endpoint comparison', () => {
  const fields = ['host', 'path'];
  const pair = (a: string[], b: string[], f: readonly string[] = fields): boolean => {
    const { world, test } = singleTestWorld(BANDIT);
    return endpointsAgree(world.finding(test.id, { endpoints: a }), world.finding(test.id, { endpoints: b }), f);
  };

  it('§5.4: two findings without endpoints pass (SAST/SCA)', () => {
    assert.equal(pair([], []), true);
  });

  it('§5.4: one side with endpoints and the other without fails', () => {
    assert.equal(pair(['https://a.example/x'], []), false);
    assert.equal(pair([], ['https://a.example/x']), false);
  });

  it('§5.4: any pair agreeing on every listed field passes (host and path by default, port ignored)', () => {
    assert.equal(pair(['https://a.example/x', 'https://b.example/y'], ['http://b.example:8080/y?q=1']), true);
    assert.equal(pair(['https://a.example/x'], ['https://a.example/z']), false);
  });

  it('§5.4: an empty field list always passes', () => {
    assert.equal(pair(['https://a.example/x'], [], []), true);
  });

  it('§5.4: an endpoint without :// is parsed after prefixing //', () => {
    assert.deepEqual(
      { host: endpointParts('a.example/x').host, path: endpointParts('a.example/x').path, scheme: endpointParts('a.example/x').scheme },
      { host: 'a.example', path: '/x', scheme: '' },
    );
    assert.equal(pair(['a.example/x'], ['https://a.example/x']), true);
    assert.equal(pair(['a.example/x'], ['https://a.example/x'], ['scheme', 'host']), false);
  });

  it('§5.4: scheme, port, query, fragment, userinfo and user are comparable fields', () => {
    const parts = endpointParts('https://bob:pw@a.example:8443/p?q=1#frag');
    assert.deepEqual(
      [parts.scheme, parts.host, parts.port, parts.path, parts.query, parts.fragment, parts.userinfo, parts.user],
      ['https', 'a.example', '8443', '/p', 'q=1', 'frag', 'bob:pw', 'bob'],
    );
  });

  it('§5.4: an unparsable endpoint only agrees with the identical text', () => {
    assert.equal(pair(['http://[bad'], ['http://[bad']), true);
    assert.equal(pair(['http://[bad'], ['http://[bad2']), false);
  });

  it('§5.4: hash_code dedupe refuses a candidate whose endpoints differ on host or path', () => {
    const { world, test } = singleTestWorld('ZAP Scan');
    world.finding(test.id, { endpoints: ['https://a.example/login'], staticFinding: false, dynamicFinding: true });
    const original = world.finding(test.id, { endpoints: ['https://b.example/login'], staticFinding: false, dynamicFinding: true });
    const f = world.finding(test.id, { endpoints: ['https://b.example/login'], staticFinding: false, dynamicFinding: true });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.4: dedupe.endpointFields comes from the settings', () => {
    const { world, test } = singleTestWorld('ZAP Scan');
    const original = world.finding(test.id, { endpoints: ['https://a.example/login'] });
    const f = world.finding(test.id, { endpoints: ['https://a.example/other'] });
    deduplicateFindings(world.ledger, [f], makeContext({ 'dedupe.endpointFields': ['host'] }));
    assert.equal(f.duplicateOf, original.id);
  });
});

describe('engine dedupe §5.5 legacy algorithm', () => {
  it('§5.5: a static finding with a file path matches same title, same line and file, same hash', () => {
    const { world, test } = singleTestWorld(GOSEC);
    const original = world.finding(test.id);
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.5: same non-zero CWE with a different title still matches when the hash is equal', () => {
    const { world, test } = singleTestWorld(GOSEC);
    const original = world.finding(test.id, { title: 'Other Title' });
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.5: neither same title nor same non-zero CWE never matches, even with an equal hash', () => {
    const { world, test } = singleTestWorld(GOSEC);
    world.finding(test.id, { title: 'Other Title', cwe: 0 });
    const f = world.finding(test.id, { cwe: 0 });
    world.finding(test.id, { title: 'Use Of Eval', cwe: 0 });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.5: in all cases the two hash codes must be equal', () => {
    const { world, test } = singleTestWorld(GOSEC);
    world.finding(test.id, { hashCode: 'h1' });
    const f = world.finding(test.id, { hashCode: 'h2' });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.5: a different line or file path fails for a static finding', () => {
    const { world, test } = singleTestWorld(GOSEC);
    world.finding(test.id, { line: 13 });
    world.finding(test.id, { filePath: 'src/other.py' });
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.5: when both have endpoints, candidate endpoints ⊆ new endpoints passes (full strings)', () => {
    const { world, test } = singleTestWorld(GOSEC);
    const dyn = { staticFinding: false, dynamicFinding: true, filePath: null };
    const original = world.finding(test.id, { ...dyn, endpoints: ['https://a.example/x'] });
    const f = world.finding(test.id, { ...dyn, endpoints: ['https://a.example/x', 'https://a.example/y'] });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.5: candidate endpoints not a subset of the new endpoints fails', () => {
    const { world, test } = singleTestWorld(GOSEC);
    const dyn = { staticFinding: false, dynamicFinding: true, filePath: null };
    world.finding(test.id, { ...dyn, endpoints: ['https://a.example/x', 'https://a.example/z'] });
    const f = world.finding(test.id, { ...dyn, endpoints: ['https://a.example/x'] });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.5: a dynamic finding without endpoints, or a static one without file path, never matches', () => {
    const { world, test } = singleTestWorld(GOSEC);
    world.finding(test.id, { staticFinding: false, dynamicFinding: true });
    const dynamic = world.finding(test.id, { staticFinding: false, dynamicFinding: true });
    const noPath = world.finding(test.id, { filePath: null });
    deduplicateFindings(world.ledger, [dynamic, noPath], makeContext());
    assert.equal(dynamic.duplicate, false);
    assert.equal(noPath.duplicate, false);
  });
});

describe('engine dedupe §5.6 set_duplicate', () => {
  it('§5.6: a duplicate is inactive, unverified, linked, and its FP/mitigation flags are left as they were', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const original = world.finding(test.id);
    const f = world.finding(test.id, { verified: true, underReview: true });
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.deepEqual(
      [f.duplicate, f.duplicateOf, f.active, f.verified, f.isMitigated, f.mitigated, f.falsePositive, f.underReview],
      [true, original.id, false, false, false, null, false, true],
    );
    assert.deepEqual(world.ledger.duplicatesOf.get(original.id), [f]);
  });

  it('§5.6: the duplicate link is audited with time, author and reason', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const original = world.finding(test.id);
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    const fields = f.audit.map((a) => a.field).sort();
    assert.deepEqual(fields, ['active', 'duplicate', 'duplicateOf']);
    assert.ok(f.audit.every((a) => a.author === 'alice' && a.reason === `deduplication: duplicate of finding #${original.id}`));
  });

  it('§5.6 reopen guard: a new finding never becomes a duplicate of a mitigated original', () => {
    const { world, test } = singleTestWorld(BANDIT);
    world.finding(test.id, MITIGATED);
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
    assert.equal(f.active, true);
  });

  it('§5.6 reopen guard: a mitigated date alone (is_mitigated false) counts as mitigated', () => {
    const { world, test } = singleTestWorld(BANDIT);
    world.finding(test.id, { active: false, mitigated: '2026-03-01T00:00:00.000Z' });
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicate, false);
  });

  it('§5.6 reopen guard: later copies attach to the re-found original instead (PR 9558)', () => {
    const { world, test } = singleTestWorld(BANDIT);
    world.finding(test.id, MITIGATED);
    const refound = world.finding(test.id);
    const copy = world.finding(test.id);
    deduplicateFindings(world.ledger, [refound, copy], makeContext());
    assert.equal(refound.duplicate, false);
    assert.equal(copy.duplicateOf, refound.id);
  });

  it('§5.6 reopen guard: a mitigated new finding may become a duplicate of a mitigated original', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const original = world.finding(test.id, MITIGATED);
    const f = world.finding(test.id, MITIGATED);
    deduplicateFindings(world.ledger, [f], makeContext());
    assert.equal(f.duplicateOf, original.id);
  });

  it('§5.6: a new finding equal to a false-positive original becomes its duplicate, not FP and not mitigated', () => {
    for (const human of [{ falsePositive: true }, { outOfScope: true }]) {
      const { world, test } = singleTestWorld(BANDIT);
      const original = world.finding(test.id, { ...MITIGATED, ...human });
      const f = world.finding(test.id);
      deduplicateFindings(world.ledger, [f], makeContext());
      assert.equal(f.duplicateOf, original.id);
      assert.deepEqual([f.active, f.verified, f.falsePositive, f.outOfScope, f.isMitigated], [false, false, false, false, false]);
    }
  });

  it('§5.6: an already-duplicate finding is not attached to a mitigated original', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const mitigated = world.finding(test.id, MITIGATED);
    const current = world.finding(test.id, { hashCode: 'other' });
    const f = world.finding(test.id, MITIGATED);
    world.link(f, current);
    assert.equal(setDuplicate(world.ledger, f, mitigated, makeContext()), false);
    assert.equal(f.duplicateOf, current.id);
  });

  it('§5.6: set_duplicate refuses a candidate that is itself a duplicate, or the finding itself', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const original = world.finding(test.id);
    const dup = world.finding(test.id);
    world.link(dup, original);
    const f = world.finding(test.id);
    assert.equal(setDuplicate(world.ledger, f, dup, makeContext()), false);
    assert.equal(setDuplicate(world.ledger, f, f, makeContext()), false);
    assert.equal(f.duplicate, false);
  });

  it('§5.6: chains are flattened — findings that pointed at the new duplicate are re-pointed to its original', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const oldest = world.finding(test.id, { hashCode: 'h1' });
    const middle = world.finding(test.id, { hashCode: 'h1' });
    const child = world.finding(test.id, { hashCode: 'h1' });
    world.link(child, middle);
    deduplicateFindings(world.ledger, [middle], makeContext());
    assert.equal(middle.duplicateOf, oldest.id);
    assert.equal(child.duplicateOf, oldest.id);
    assert.deepEqual(
      world.ledger.duplicatesOf.get(oldest.id)?.map((d) => d.id).sort((a, b) => a - b),
      [middle.id, child.id],
    );
    assert.equal(world.ledger.duplicatesOf.get(middle.id), undefined);
  });

  it('§5.6: the new finding\'s Test_Type is added to the original\'s found_by once', () => {
    const world = new World();
    const e = world.engagement(world.product());
    const original = world.finding(world.test(e.id, { testType: BANDIT }).id);
    const t2 = world.test(e.id, { testType: 'Semgrep JSON Report', scanType: 'Semgrep JSON Report' });
    const a = world.finding(t2.id);
    const b = world.finding(t2.id);
    deduplicateFindings(world.ledger, [a, b], makeContext({ 'dedupe.algorithmPerScanType': { 'Semgrep JSON Report': 'hash_code' } }));
    assert.equal(b.duplicateOf, original.id);
    assert.deepEqual(original.foundBy, [BANDIT, 'Semgrep JSON Report']);
  });

  it('§5.6: mitigating or reactivating an original does not cascade to its duplicates', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const original = world.finding(test.id);
    const f = world.finding(test.id);
    deduplicateFindings(world.ledger, [f], makeContext());
    Object.assign(original, MITIGATED);
    deduplicateFindings(world.ledger, [original], makeContext());
    assert.equal(f.duplicateOf, original.id);
    assert.equal(f.isMitigated, false);
  });
});

describe('engine dedupe batch scale', () => {
  it('a batch of many identical copies links every copy to the single original', () => {
    const { world, test } = singleTestWorld(BANDIT);
    const original = world.finding(test.id);
    const batch = Array.from({ length: 2000 }, () => world.finding(test.id));
    deduplicateFindings(world.ledger, batch, makeContext());
    assert.equal(world.ledger.duplicatesOf.get(original.id)?.length, 2000);
    assert.ok(batch.every((f) => f.duplicateOf === original.id));
  });
});
