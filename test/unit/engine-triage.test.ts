import { strict as assert } from 'node:assert';
import { TriageError, hasExpiredRiskAcceptance, isIsoDate, reopenExpiredRiskAcceptances, triageFinding, type TriageStatus } from '../../src/engine/triage';
import type { Settings } from '../../src/model';
import { MITIGATED, NOW, makeContext, singleTestWorld } from './dedupe-builders';

const at = NOW.toISOString();

function isTriageError(code: string) {
  return (e: unknown): boolean => e instanceof TriageError && e.code === code;
}

describe('engine triage §1.4 false positive and out of scope', () => {
  it('§1.4 rule 4: a finding marked false positive is also mitigated now, inactive and unverified', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id, { verified: true });
    triageFinding(world.ledger, f.id, { status: 'false-positive', reason: 'test code' }, makeContext());
    assert.deepEqual(
      [f.falsePositive, f.active, f.verified, f.isMitigated, f.mitigated, f.mitigatedBy],
      [true, false, false, true, at, 'alice'],
    );
  });

  it('§1.4 rule 4: out of scope behaves the same way', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'out-of-scope' }, makeContext());
    assert.deepEqual([f.outOfScope, f.active, f.isMitigated, f.mitigated], [true, false, true, at]);
  });

  it('every status change is audited with time, author and the given reason', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'false-positive', reason: 'test code' }, makeContext({}, { user: 'bob' }));
    const fields = f.audit.map((a) => a.field).sort();
    assert.deepEqual(fields, ['active', 'falsePositive', 'isMitigated', 'mitigated', 'mitigatedBy']);
    assert.ok(f.audit.every((a) => a.at === at && a.author === 'bob' && a.reason === 'test code'));
    assert.equal(f.lastReviewedBy, 'bob');
    assert.equal(f.lastReviewed, at);
  });

  it('without a reason the audit names the triage status', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'verified' }, makeContext());
    assert.deepEqual(f.audit.map((a) => [a.field, a.from, a.to, a.reason]), [['verified', false, true, 'triage: verified']]);
  });
});

describe('engine triage §1.3 risk acceptance', () => {
  it('§1.3: risk acceptance sets active=False but not is_mitigated, and records reason, owner, expiry and time', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'risk-accepted', reason: 'compensating control', owner: 'carol', expires: '2026-06-30' }, makeContext());
    assert.deepEqual([f.riskAccepted, f.active, f.isMitigated, f.mitigated], [true, false, false, null]);
    assert.deepEqual(f.riskAcceptance, { reason: 'compensating control', owner: 'carol', expires: '2026-06-30', acceptedAt: at });
    assert.ok(f.audit.some((a) => a.field === 'riskAcceptance' && a.from === null));
  });

  it('the owner defaults to the acting user and the expiry to never', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'risk-accepted' }, makeContext({}, { user: 'dave' }));
    assert.deepEqual(f.riskAcceptance, { reason: '', owner: 'dave', expires: null, acceptedAt: at });
  });

  it('an invalid or past expiry date is a typed error and changes nothing', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    const ctx = makeContext();
    assert.throws(() => triageFinding(world.ledger, f.id, { status: 'risk-accepted', expires: '2026-02-30' }, ctx), isTriageError('invalid-expiry'));
    assert.throws(() => triageFinding(world.ledger, f.id, { status: 'risk-accepted', expires: '30/06/2026' }, ctx), isTriageError('invalid-expiry'));
    assert.throws(() => triageFinding(world.ledger, f.id, { status: 'risk-accepted', expires: '2026-03-14' }, ctx), isTriageError('expiry-in-past'));
    assert.throws(() => triageFinding(world.ledger, f.id, { status: 'risk-accepted', expires: '2026-03-15' }, ctx), isTriageError('expiry-in-past'));
    assert.deepEqual([f.active, f.riskAccepted, f.falsePositive, f.audit.length], [true, false, false, 0]);
  });

  it('an expiry sent with another status is ignored, not stored', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'out-of-scope', expires: 'whenever' }, makeContext());
    assert.deepEqual([f.outOfScope, f.riskAcceptance], [true, undefined]);
  });

  it('an unknown finding id or status is a typed error', () => {
    const { world } = singleTestWorld();
    assert.throws(() => triageFinding(world.ledger, 42, { status: 'active' }, makeContext()), isTriageError('unknown-finding'));
    const { world: w2, test } = singleTestWorld();
    const f = w2.finding(test.id);
    assert.throws(() => triageFinding(w2.ledger, f.id, { status: 'closed' as TriageStatus }, makeContext()), isTriageError('unknown-status'));
  });

  it('isIsoDate accepts only real YYYY-MM-DD dates', () => {
    assert.deepEqual(['2026-02-28', '2024-02-29', '2026-02-29', '2026-13-01', '2026-1-01', ''].map(isIsoDate), [true, true, false, false, false, false]);
  });
});

describe('engine triage §3.5 mitigated', () => {
  it('§3.5: mitigating sets is_mitigated, active false, mitigated now by the user, and leaves the note', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'mitigated', note: 'Fixed in #123' }, makeContext());
    assert.deepEqual([f.isMitigated, f.active, f.mitigated, f.mitigatedBy], [true, false, at, 'alice']);
    assert.deepEqual(f.notes.map((n) => n.text), ['Fixed in #123']);
  });

  it('§3.5: mitigating removes a risk acceptance with DefectDojo\'s extra note', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    const ctx = makeContext();
    triageFinding(world.ledger, f.id, { status: 'risk-accepted', reason: 'later' }, ctx);
    triageFinding(world.ledger, f.id, { status: 'mitigated' }, ctx);
    assert.deepEqual([f.riskAccepted, f.riskAcceptance, f.isMitigated, f.active], [false, null, true, false]);
    assert.deepEqual(f.notes.map((n) => n.text), ['Mitigated by alice.', 'alice removed a risk exception from this finding']);
  });
});

describe('engine triage §1.4 rule 3 reopening', () => {
  it('§1.4 rule 3: reopening clears false positive, out of scope, risk acceptance and mitigation', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id, { ...MITIGATED, falsePositive: true, outOfScope: true, riskAccepted: true });
    f.riskAcceptance = { reason: 'x', owner: 'bob', expires: null, acceptedAt: at };
    triageFinding(world.ledger, f.id, { status: 'active', note: 'still there' }, makeContext());
    assert.deepEqual(
      [f.active, f.falsePositive, f.outOfScope, f.riskAccepted, f.riskAcceptance, f.isMitigated, f.mitigated, f.mitigatedBy],
      [true, false, false, false, null, false, null, null],
    );
    assert.deepEqual(f.notes.map((n) => n.text), ['still there']);
  });

  it('verified and unverified change only the verified flag', () => {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'verified' }, makeContext());
    assert.deepEqual([f.verified, f.active], [true, true]);
    triageFinding(world.ledger, f.id, { status: 'unverified' }, makeContext());
    assert.deepEqual([f.verified, f.active], [false, true]);
  });
});

describe('engine triage §5.9 retroactive false-positive history', () => {
  const retro: Partial<Settings> = { 'dedupe.enabled': false, falsePositiveHistory: true, retroactiveFalsePositiveHistory: true };

  it('§5.9 retroactive: marking a finding false positive marks every equal active finding (mitigated by default)', () => {
    const { world, test } = singleTestWorld();
    const equal = world.finding(test.id);
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'false-positive' }, makeContext(retro));
    assert.deepEqual([equal.falsePositive, equal.active, equal.isMitigated], [true, false, true]);
  });

  it('§5.9 retroactive under parity: equal findings are marked false positive but not mitigated', () => {
    const { world, test } = singleTestWorld();
    const equal = world.finding(test.id);
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'false-positive' }, makeContext(retro, { parity: true }));
    assert.deepEqual([equal.falsePositive, equal.active, equal.isMitigated], [true, false, false]);
  });

  it('§5.9 retroactive: reopening a false positive un-marks the equal false positives', () => {
    const { world, test } = singleTestWorld();
    const equal = world.finding(test.id);
    const f = world.finding(test.id);
    const ctx = makeContext(retro);
    triageFinding(world.ledger, f.id, { status: 'false-positive' }, ctx);
    triageFinding(world.ledger, f.id, { status: 'active' }, ctx);
    assert.deepEqual([equal.falsePositive, equal.active, equal.isMitigated], [false, true, false]);
  });

  it('§5.9: without retroactive history other findings are untouched', () => {
    const { world, test } = singleTestWorld();
    const equal = world.finding(test.id);
    const f = world.finding(test.id);
    triageFinding(world.ledger, f.id, { status: 'false-positive' }, makeContext());
    assert.equal(equal.falsePositive, false);
  });
});

describe('engine triage risk acceptance expiry', () => {
  function accepted(expires: string, extra = {}) {
    const { world, test } = singleTestWorld();
    const f = world.finding(test.id, { riskAccepted: true, active: false, ...extra });
    f.riskAcceptance = { reason: 'later', owner: 'bob', expires, acceptedAt: '2026-01-01T00:00:00.000Z' };
    return { world, f };
  }

  it('an acceptance whose expiry day has begun reopens its finding with a note and an audit entry', () => {
    const { world, f } = accepted('2026-03-15');
    const reopened = reopenExpiredRiskAcceptances(world.ledger, makeContext());
    assert.deepEqual(reopened, [f]);
    assert.deepEqual([f.active, f.riskAccepted, f.riskAcceptance], [true, false, null]);
    assert.deepEqual(f.notes.map((n) => n.text), ['Risk acceptance expired on 2026-03-15; finding reopened.']);
    assert.ok(f.audit.some((a) => a.field === 'riskAccepted' && a.reason === 'risk acceptance expired'));
    assert.ok(f.audit.some((a) => a.field === 'riskAcceptance' && a.to === null));
  });

  it('an acceptance expiring later, or never, is left alone', () => {
    const { world, f } = accepted('2026-03-16');
    const { world: w2, f: never } = accepted('');
    assert.deepEqual(reopenExpiredRiskAcceptances(world.ledger, makeContext()), []);
    assert.deepEqual(reopenExpiredRiskAcceptances(w2.ledger, makeContext()), []);
    assert.deepEqual([f.riskAccepted, never.riskAccepted], [true, true]);
  });

  it('an expired acceptance of a finding closed meanwhile ends without reopening it', () => {
    const { world, f } = accepted('2026-03-01', MITIGATED);
    reopenExpiredRiskAcceptances(world.ledger, makeContext());
    assert.deepEqual([f.active, f.riskAccepted, f.isMitigated], [false, false, true]);
    assert.deepEqual(f.notes.map((n) => n.text), ['Risk acceptance expired on 2026-03-01.']);
  });

  it('a second run finds nothing more to reopen', () => {
    const { world } = accepted('2026-03-01');
    reopenExpiredRiskAcceptances(world.ledger, makeContext());
    assert.deepEqual(reopenExpiredRiskAcceptances(world.ledger, makeContext()), []);
  });

  it('issue 15: hasExpiredRiskAcceptance, the hosts\' "anything due?" check, says yes exactly when reopening would change something', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['2026-03-15', {}],
      ['2026-03-01', MITIGATED],
      ['2026-03-16', {}],
      ['', {}],
      ['2026-03-01', { riskAccepted: false, active: true }],
    ];
    for (const [expires, extra] of cases) {
      const { world } = accepted(expires, extra);
      const due = hasExpiredRiskAcceptance(world.ledger, makeContext().now);
      assert.equal(due, reopenExpiredRiskAcceptances(world.ledger, makeContext()).length > 0, `expires ${JSON.stringify(expires)} ${JSON.stringify(extra)}`);
      assert.equal(hasExpiredRiskAcceptance(world.ledger, makeContext().now), false, 'nothing is due once reopened');
    }
  });
});
