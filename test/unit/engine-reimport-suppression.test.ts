import { strict as assert } from 'node:assert';
import { importScan } from '../../src/engine/import-scan';
import { reimportScan } from '../../src/engine/reimport-scan';
import { engineContext, importOptions, later, newLedger, parsedFinding, report } from '../builders';

/**
 * A finding the scanner starts reporting as suppressed (a SARIF `suppressions` entry or a
 * `# nosec` added after the first scan) keeps its suppression on the stored finding, so the
 * editor can show it as suppressed with the reason, not only as a false positive.
 */

const G = 'Generic Findings Import';

function seeded(settings = {}) {
  const ledger = newLedger();
  const ctx = engineContext({ settings: { 'dedupe.enabled': false, ...settings } });
  importScan(ledger, report(G, [parsedFinding()]), importOptions(G), ctx);
  const [f] = ledger.data.findings;
  return { ledger, f, next: later(ctx) };
}

describe('engine reimport: a result the scanner now suppresses', () => {
  it('§4.4 C.2: "the report flags it" — the open finding becomes a false positive and keeps the suppression and its reason', () => {
    const { ledger, f, next } = seeded();
    assert.equal(f.suppression ?? null, null);
    const suppressed = parsedFinding({ falsePositive: true, active: false, suppression: { kind: 'sarif', reason: 'reviewed' } });
    const res = reimportScan(ledger, report(G, [suppressed]), importOptions(G), next);
    // Default mode records the match (§4.8: every incoming finding has an action); parity does not.
    assert.deepEqual(res.counts, { created: 0, closed: 0, reactivated: 0, untouched: 1 });
    assert.deepEqual(res.actions.map((a) => a.untouchedReason), ['flagged-by-report']);
    assert.deepEqual([f.active, f.falsePositive], [false, true]);
    assert.deepEqual(f.suppression, { kind: 'sarif', reason: 'reviewed' });
    assert.notEqual(f.suppression, suppressed.suppression, 'a copy, not the parsed object');
  });

  it('§4.4 C.2 under defectdojoParity: the same flags, and the suppression is kept (it is not a DefectDojo field)', () => {
    const { ledger, f, next } = seeded({ defectdojoParity: true });
    const suppressed = parsedFinding({ falsePositive: true, active: false, suppression: { kind: 'nosec', reason: '# nosec B307' } });
    const res = reimportScan(ledger, report(G, [suppressed]), importOptions(G), next);
    assert.deepEqual([f.active, f.falsePositive, f.suppression?.kind], [false, true, 'nosec']);
    assert.equal(res.counts.untouched, 0, 'DefectDojo never records a C.2 match as untouched');
    assert.ok(res.actions.every((a) => a.untouchedReason === undefined), 'and parity adds no reasons');
  });

  it('§4.4 C.2: a false positive flagged by the report without a suppression records none', () => {
    const { ledger, f, next } = seeded();
    reimportScan(ledger, report(G, [parsedFinding({ falsePositive: true, active: false })]), importOptions(G), next);
    assert.equal(f.falsePositive, true);
    assert.equal(f.suppression ?? null, null);
  });
});
