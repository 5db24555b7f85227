import { strict as assert } from 'node:assert';
import { importScan } from '../../src/engine/import-scan';
import { reimportScan } from '../../src/engine/reimport-scan';
import { addDays, slaDaysFor, updateSlaExpiration } from '../../src/engine/sla';
import { mitigateFinding } from '../../src/engine/status';
import { defaultSettings, type ParsedFinding, type Settings } from '../../src/model';
import { validateSettingValue } from '../../src/store/workspace-settings';
import { engineContext, importOptions, later, newLedger, parsedFinding, report, storedFinding } from '../builders';

const G = 'Generic Findings Import';

/** One import of the findings (dedupe off) on 2026-03-10; returns the ledger, the context and a lookup by title. */
function imported(findings: ParsedFinding[], settings: Partial<Settings> = {}, scanDate?: string) {
  const ledger = newLedger();
  const ctx = engineContext({ settings: { 'dedupe.enabled': false, ...settings } });
  importScan(ledger, report(G, findings), importOptions(G, scanDate ? { scanDate } : {}), ctx);
  const byTitle = (title: string) => ledger.data.findings.find((f) => f.title === title)!;
  return { ledger, ctx, byTitle };
}

describe('engine SLA (§1.6)', () => {
  it('§1.6: sla_expiration_date = date + N days with the defaults Critical 7, High 30, Medium 90, Low 120; Info never gets an SLA', () => {
    const s = imported(['Critical', 'High', 'Medium', 'Low', 'Info'].map((severity) => parsedFinding({ title: severity, severity })));
    const dates = ['Critical', 'High', 'Medium', 'Low', 'Info'].map((t) => [s.byTitle(t).slaStartDate, s.byTitle(t).slaExpirationDate]);
    assert.deepEqual(dates, [
      [null, '2026-03-17'],
      [null, '2026-04-09'],
      [null, '2026-06-08'],
      [null, '2026-07-08'],
      [null, null],
    ]);
  });

  it('§1.6: the finding date is the start when sla_start_date is empty (a scan date override moves it)', () => {
    const s = imported([parsedFinding({ title: 'dated', date: '2026-01-31' })]);
    assert.equal(s.byTitle('dated').slaExpirationDate, '2026-03-02');
    const t = imported([parsedFinding({ title: 'scanned' })], {}, '2026-02-01');
    assert.deepEqual([t.byTitle('scanned').date, t.byTitle('scanned').slaExpirationDate], ['2026-02-01', '2026-03-03']);
  });

  it('§1.6: sla_start_date, when set, is the start instead of the date', () => {
    const f = storedFinding({ id: 1, testId: 1, severity: 'Critical', date: '2026-01-01', slaStartDate: '2026-02-01' });
    updateSlaExpiration(f, defaultSettings());
    assert.equal(f.slaExpirationDate, '2026-02-08');
  });

  it('§1.6: the SLA configuration sets the days per severity; an unenforced severity (null) gets no date', () => {
    const s = imported([parsedFinding({ title: 'h', severity: 'High' }), parsedFinding({ title: 'l', severity: 'Low' })], {
      'sla.days': { Critical: 7, High: 14, Medium: 90, Low: null },
    });
    assert.deepEqual([s.byTitle('h').slaExpirationDate, s.byTitle('l').slaExpirationDate], ['2026-03-24', null]);
  });

  it('§1.6 enable_finding_sla off (sla.enabled false): nothing is computed', () => {
    const s = imported([parsedFinding({ severity: 'Critical' })], { 'sla.enabled': false });
    assert.equal(s.byTitle('Use of eval').slaExpirationDate, null);
    const kept = storedFinding({ id: 1, testId: 1, severity: 'Critical', slaExpirationDate: '2026-01-08' });
    updateSlaExpiration(kept, { ...defaultSettings(), 'sla.enabled': false, 'sla.days': { Critical: 1, High: 1, Medium: 1, Low: 1 } });
    assert.equal(kept.slaExpirationDate, '2026-01-08', 'stored dates are left as they are');
  });

  it('§1.6: recomputed when the severity changes (improvement 9 refreshing severity on reimport)', () => {
    // The hash on the title only, so the reimport matches the finding whatever its severity.
    const ctx = engineContext({ settings: { 'dedupe.enabled': false, 'dedupe.hashFieldsPerScanType': { [G]: ['title'] } } });
    const ledger = newLedger();
    importScan(ledger, report(G, [parsedFinding({ severity: 'Low' })]), importOptions(G), ctx);
    const f = ledger.data.findings[0];
    assert.equal(f.slaExpirationDate, '2026-07-08');
    const res = reimportScan(ledger, report(G, [parsedFinding({ severity: 'Critical' })]), importOptions(G), later(ctx));
    assert.equal(res.counts.untouched, 1);
    assert.deepEqual([f.severity, f.slaExpirationDate], ['Critical', '2026-03-17']);
  });

  it('§1.6: under defectdojoParity the severity stays frozen (§4.5) and so does the SLA', () => {
    const ctx = engineContext({ settings: { 'dedupe.enabled': false, defectdojoParity: true, 'dedupe.hashFieldsPerScanType': { [G]: ['title'] } } });
    const ledger = newLedger();
    importScan(ledger, report(G, [parsedFinding({ severity: 'Low' })]), importOptions(G), ctx);
    reimportScan(ledger, report(G, [parsedFinding({ severity: 'Critical' })]), importOptions(G), later(ctx));
    assert.deepEqual([ledger.data.findings[0].severity, ledger.data.findings[0].slaExpirationDate], ['Low', '2026-07-08']);
  });

  it('§1.6 restart_sla_on_reactivation (sla.restartOnReactivation): a reimport reactivation sets sla_start_date = today', () => {
    const s = imported([parsedFinding({ severity: 'High' })], { 'sla.restartOnReactivation': true });
    const f = s.byTitle('Use of eval');
    mitigateFinding(s.ledger, f, s.ctx, { note: 'fixed' });
    const next = later(s.ctx, 5);
    const res = reimportScan(s.ledger, report(G, [parsedFinding({ severity: 'High' })]), importOptions(G), next);
    assert.equal(res.counts.reactivated, 1);
    assert.deepEqual([f.slaStartDate, f.slaExpirationDate], ['2026-03-15', '2026-04-14']);
  });

  it('§1.6: restart_sla_on_reactivation defaults to False — a reactivated finding keeps its first SLA', () => {
    const s = imported([parsedFinding({ severity: 'High' })]);
    const f = s.byTitle('Use of eval');
    mitigateFinding(s.ledger, f, s.ctx, { note: 'fixed' });
    reimportScan(s.ledger, report(G, [parsedFinding({ severity: 'High' })]), importOptions(G), later(s.ctx, 5));
    assert.deepEqual([f.active, f.slaStartDate, f.slaExpirationDate], [true, null, '2026-04-09']);
  });

  it('§1.6: a finding stored without an SLA gets one when a reimport matches it', () => {
    const s = imported([parsedFinding({ severity: 'Medium' })], { 'sla.enabled': false });
    const f = s.byTitle('Use of eval');
    assert.equal(f.slaExpirationDate, null);
    reimportScan(s.ledger, report(G, [parsedFinding({ severity: 'Medium' })]), importOptions(G), later(engineContext({ settings: { 'dedupe.enabled': false } })));
    assert.equal(f.slaExpirationDate, '2026-06-08');
  });

  it('slaDaysFor and addDays: Info has none, a table missing a severity falls back to the default, months and leap days roll over', () => {
    const partial = { ...defaultSettings(), 'sla.days': { High: 3 } as unknown as Settings['sla.days'] };
    assert.deepEqual([slaDaysFor('Info', partial), slaDaysFor('High', partial), slaDaysFor('Critical', partial)], [null, 3, 7]);
    assert.deepEqual([addDays('2028-02-28', 1), addDays('2026-12-31', 1), addDays('not a date', 1)], ['2028-02-29', '2027-01-01', null]);
  });

  it('settings: sla.days accepts days ≥ 1 or null per severity, fills omitted ones with the defaults, refuses Info and bad values', () => {
    assert.deepEqual(validateSettingValue('sla.days', { high: 14, Low: null }), { ok: true, value: { Critical: 7, High: 14, Medium: 90, Low: null } });
    for (const bad of [{ Info: 3 }, { High: 0 }, { High: 1.5 }, { High: '30' }, [7], 'x']) {
      assert.equal(validateSettingValue('sla.days', bad).ok, false, JSON.stringify(bad));
    }
    assert.deepEqual(validateSettingValue('sla.enabled', false), { ok: true, value: false });
    assert.equal(validateSettingValue('sla.restartOnReactivation', 'yes').ok, false);
  });
});
