import { strict as assert } from 'node:assert';
import type { Finding } from '../../src/model';
import { addNote, applyStatusInvariants, changeStatus, mitigateFinding } from '../../src/engine/status';
import { importScan } from '../../src/engine/import-scan';
import { engineContext, importOptions, newLedger, parsedFinding, report } from '../builders';

/** One stored finding to change, created through a real import. */
function storedFinding(fields: Parameters<typeof parsedFinding>[0] = {}) {
  const ledger = newLedger();
  const ctx = engineContext({ settings: { 'dedupe.enabled': false } });
  importScan(ledger, report('Generic Findings Import', [parsedFinding(fields)]), importOptions('Generic Findings Import'), ctx);
  return { ledger, ctx, f: ledger.data.findings[0] };
}

function blankFinding(over: Partial<Finding>): Finding {
  const { f } = storedFinding();
  return Object.assign(f, over);
}

describe('engine status: §1.4 status invariants', () => {
  const ctx = engineContext();

  it('§1.4 rule 1: mitigating keeps an existing mitigated / mitigated_by, else sets now / user', () => {
    const f = blankFinding({ isMitigated: true, mitigated: '2026-01-01T00:00:00.000Z', mitigatedBy: null });
    applyStatusInvariants(f, new Set(['isMitigated']), ctx);
    assert.equal(f.mitigated, '2026-01-01T00:00:00.000Z');
    assert.equal(f.mitigatedBy, 'alice');
  });

  it('§1.4 rule 1: un-mitigating clears mitigated and mitigated_by', () => {
    const f = blankFinding({ isMitigated: false, mitigated: '2026-01-01T00:00:00.000Z', mitigatedBy: 'bob' });
    applyStatusInvariants(f, new Set(['isMitigated']), ctx);
    assert.equal(f.mitigated, null);
    assert.equal(f.mitigatedBy, null);
  });

  it('§1.4 rule 2: whenever is_mitigated is true a missing mitigated / mitigated_by is filled', () => {
    const f = blankFinding({ isMitigated: true, active: false, mitigated: null, mitigatedBy: null });
    applyStatusInvariants(f, new Set(['verified']), ctx);
    assert.equal(f.mitigated, ctx.now.toISOString());
    assert.equal(f.mitigatedBy, 'alice');
  });

  it('§1.4 rule 3: a new finding arriving active and mitigated ends up not mitigated', () => {
    const f = blankFinding({ active: true, isMitigated: true, mitigated: null });
    applyStatusInvariants(f, 'new', ctx);
    assert.equal(f.isMitigated, false);
    assert.equal(f.mitigated, null);
    assert.equal(f.mitigatedBy, null);
  });

  it('§1.4 rule 3: a forced active=True cancels a parser false_p=True (rule 3 runs before rule 4)', () => {
    const f = blankFinding({ active: true, falsePositive: true });
    applyStatusInvariants(f, 'new', ctx);
    assert.equal(f.falsePositive, false);
    assert.equal(f.active, true);
    assert.equal(f.isMitigated, false);
  });

  it('§1.4 rule 4: a new false positive with default active ends inactive, unverified, mitigated now', () => {
    const f = blankFinding({ active: false, verified: true, falsePositive: true });
    applyStatusInvariants(f, 'new', ctx);
    assert.deepEqual([f.active, f.verified, f.isMitigated, f.mitigated, f.mitigatedBy], [false, false, true, ctx.now.toISOString(), 'alice']);
  });

  it('§1.4 rule 4: marking out_of_scope forces mitigated, inactive, unverified', () => {
    const f = blankFinding({ outOfScope: true });
    applyStatusInvariants(f, new Set(['outOfScope']), ctx);
    assert.deepEqual([f.active, f.verified, f.isMitigated], [false, false, true]);
  });

  it('§1.4 rule 4 only runs when false_p / out_of_scope changed', () => {
    const f = blankFinding({ falsePositive: true, active: true, isMitigated: false });
    applyStatusInvariants(f, new Set(['verified']), ctx);
    assert.equal(f.active, true);
    assert.equal(f.isMitigated, false);
  });

  it('§1.4 rule 5: a finding that is not a duplicate points at no original', () => {
    const f = blankFinding({ duplicate: false, duplicateOf: 7 });
    applyStatusInvariants(f, new Set(['active']), ctx);
    assert.equal(f.duplicateOf, null);
  });

  it('§1.4 rule 6: last_status_update = now', () => {
    const f = blankFinding({ lastStatusUpdate: '2020-01-01T00:00:00.000Z' });
    applyStatusInvariants(f, new Set(['verified']), ctx);
    assert.equal(f.lastStatusUpdate, ctx.now.toISOString());
  });
});

describe('engine status: changeStatus audits every status change', () => {
  it('audits the patched field and the fields the invariants changed, with the reason', () => {
    const { f, ctx } = storedFinding();
    changeStatus(f, { falsePositive: true }, ctx, 'triage');
    const fields = f.audit.map((a) => a.field).sort();
    assert.deepEqual(fields, ['active', 'falsePositive', 'isMitigated', 'mitigated', 'mitigatedBy']);
    const fp = f.audit.find((a) => a.field === 'falsePositive')!;
    assert.deepEqual({ from: fp.from, to: fp.to, author: fp.author, reason: fp.reason }, { from: false, to: true, author: 'alice', reason: 'triage' });
  });

  it('a patch that changes nothing runs no invariant and records nothing', () => {
    const { f } = storedFinding();
    const before = f.lastStatusUpdate;
    changeStatus(f, { active: true }, engineContext({ now: '2027-01-01T00:00:00.000Z' }), 'noop');
    assert.equal(f.audit.length, 0);
    assert.equal(f.lastStatusUpdate, before);
  });
});

describe('engine status: §3.5 mitigating a finding', () => {
  it('§3.5: active=False, is_mitigated=True, mitigated := scan_date, mitigated_by=user, note added', () => {
    const { ledger, f, ctx } = storedFinding();
    mitigateFinding(ledger, f, ctx, { note: 'closed by test', scanDate: '2026-03-01' });
    assert.deepEqual([f.active, f.isMitigated, f.mitigated, f.mitigatedBy], [false, true, '2026-03-01T00:00:00.000Z', 'alice']);
    assert.deepEqual(f.notes.map((n) => n.text), ['closed by test']);
  });

  it('§3.5: mitigated := scan_date only if not already set', () => {
    const { ledger, f, ctx } = storedFinding();
    f.mitigated = '2025-12-24T00:00:00.000Z';
    mitigateFinding(ledger, f, ctx, { note: 'n' });
    assert.equal(f.mitigated, '2025-12-24T00:00:00.000Z');
  });

  it('§3.5: without a scan date the mitigation is dated now', () => {
    const { ledger, f, ctx } = storedFinding();
    mitigateFinding(ledger, f, ctx, { note: 'n', scanDate: null });
    assert.equal(f.mitigated, ctx.now.toISOString());
  });

  it('§3.5: removes any risk acceptance with the extra note "<user> removed a risk exception from this finding"', () => {
    const { ledger, f, ctx } = storedFinding();
    changeStatus(f, { riskAccepted: true, active: false }, ctx, 'accept');
    f.riskAcceptance = { reason: 'later', owner: 'bob', acceptedAt: '2026-03-01T00:00:00.000Z' };
    mitigateFinding(ledger, f, ctx, { note: 'gone' });
    assert.equal(f.riskAccepted, false);
    assert.equal(f.riskAcceptance, null);
    assert.equal(f.active, false, 'active stays False because mitigated is set');
    assert.deepEqual(f.notes.map((n) => n.text), ['gone', 'alice removed a risk exception from this finding']);
  });

  it('addNote hands out note ids from the ledger', () => {
    const { ledger, f, ctx } = storedFinding();
    const a = addNote(ledger, f, 'one', ctx);
    const b = addNote(ledger, f, 'two', ctx);
    assert.equal(b.id, a.id + 1);
    assert.equal(a.author, 'alice');
  });
});
