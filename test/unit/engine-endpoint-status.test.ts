import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from '../../src/engine/context';
import { importScan } from '../../src/engine/import-scan';
import type { Ledger } from '../../src/engine/ledger';
import { reimportScan } from '../../src/engine/reimport-scan';
import { changeStatus, mitigateFinding } from '../../src/engine/status';
import { triageFinding } from '../../src/engine/triage';
import type { EndpointStatus, Finding, ParsedFinding } from '../../src/model';
import { zapParser, ZAP_SCAN_TYPE } from '../../src/parsers/zap';
import { engineContext, importOptions, later, newLedger, parsedFinding, report } from '../builders';

const G = 'Generic Findings Import';
const ONE_FINDING = readFileSync(join(__dirname, '..', 'fixtures', 'zap-scan', 'one_finding.xml'), 'utf8');
const HOME = 'http://localhost:8080';
const LOGIN = 'http://localhost:8080/login';
const ADMIN = 'http://localhost:8080/admin';

/** The one-finding ZAP report with its `/login` instance replaced by another URI (or kept). */
const zapReport = (loginUri: string | null = '/login') =>
  zapParser.parse(
    loginUri === '/login' ? ONE_FINDING : ONE_FINDING.replace('http://localhost:8080/login', `http://localhost:8080${loginUri ?? '/'}`),
    'zap.xml',
  );

/** The statuses as [endpoint, mitigated] pairs, in the finding's order. */
const states = (f: Finding): [string, boolean][] => (f.endpointStatus ?? []).map((s) => [s.endpoint, s.mitigated]);

interface Zap {
  ledger: Ledger;
  ctx: EngineContext;
  f: Finding;
  reimport(loginUri?: string | null, days?: number): ReturnType<typeof reimportScan>;
}

/** A ZAP finding imported on 2026-03-10, reimported later with the given second URI. */
function zap(): Zap {
  const ledger = newLedger();
  const ctx = engineContext({ settings: { 'dedupe.enabled': false } });
  importScan(ledger, zapReport(), importOptions(ZAP_SCAN_TYPE), ctx);
  return {
    ledger,
    ctx,
    f: ledger.data.findings[0],
    reimport: (loginUri = '/login', days = 1) => reimportScan(ledger, zapReport(loginUri), importOptions(ZAP_SCAN_TYPE), later(ctx, days)),
  };
}

describe('engine endpoint statuses (§3.5, §4.4 B.3, §4.5)', () => {
  it('a finding is created with one open status per distinct endpoint (ZAP: dynamic, URLs without query or fragment)', () => {
    const s = zap();
    assert.equal(s.f.dynamicFinding, true);
    assert.deepEqual(s.f.endpoints, [HOME, LOGIN]);
    assert.deepEqual(s.f.endpointStatus, [
      { endpoint: HOME, mitigated: false, mitigatedTime: null, mitigatedBy: null, falsePositive: false, outOfScope: false, riskAccepted: false },
      { endpoint: LOGIN, mitigated: false, mitigatedTime: null, mitigatedBy: null, falsePositive: false, outOfScope: false, riskAccepted: false },
    ]);
    const ledger = newLedger();
    importScan(ledger, report(G, [parsedFinding({ filePath: 'a.js' }), parsedFinding({ title: 'twice', endpoints: [HOME, HOME] })]), importOptions(G), engineContext());
    assert.equal(ledger.data.findings[0].endpointStatus, undefined, 'no endpoints, no statuses');
    assert.deepEqual(states(ledger.data.findings[1]), [[HOME, false]]);
  });

  it('§4.5: reimport of a dynamic finding mitigates the statuses of endpoints the report no longer lists and attaches new ones (old endpoints are kept)', () => {
    const s = zap();
    const res = s.reimport('/admin');
    assert.deepEqual(res.counts, { created: 0, closed: 0, reactivated: 0, untouched: 1 });
    assert.deepEqual(s.f.endpoints, [HOME, LOGIN, ADMIN]);
    assert.deepEqual(states(s.f), [[HOME, false], [LOGIN, true], [ADMIN, false]]);
    const login = s.f.endpointStatus![1];
    assert.deepEqual([login.mitigatedTime, login.mitigatedBy], ['2026-03-11T12:00:00.000Z', 'alice']);
  });

  it('§4.5: an endpoint the report lists again is reactivated', () => {
    const s = zap();
    s.reimport('/admin');
    s.reimport('/login', 2);
    assert.deepEqual(states(s.f), [[HOME, false], [LOGIN, false], [ADMIN, true]]);
    assert.deepEqual([s.f.endpointStatus![1].mitigatedTime, s.f.endpointStatus![1].mitigatedBy], [null, null]);
  });

  it('§4.5: a status already mitigated keeps its mitigation time when it is absent again', () => {
    const s = zap();
    s.reimport('/admin');
    s.reimport('/admin', 3);
    assert.equal(s.f.endpointStatus![1].mitigatedTime, '2026-03-11T12:00:00.000Z');
  });

  it('§4.5: statuses marked false positive, out of scope or risk accepted are neither mitigated nor reactivated', () => {
    const s = zap();
    const [home, login] = s.f.endpointStatus!;
    login.falsePositive = true;
    home.riskAccepted = true;
    home.mitigated = true;
    s.reimport(null);
    assert.deepEqual(states(s.f), [[HOME, true], [LOGIN, false]]);
  });

  it('§4.5: when the report closes a dynamic finding (C.1), all its non-special statuses are mitigated', () => {
    const ledger = newLedger();
    const ctx = engineContext({ settings: { 'dedupe.enabled': false } });
    const dast = (extra: Partial<ParsedFinding> = {}) => parsedFinding({ dynamicFinding: true, endpoints: [HOME, LOGIN], ...extra });
    importScan(ledger, report(G, [dast()]), importOptions(G), ctx);
    const f = ledger.data.findings[0];
    f.endpointStatus![1].outOfScope = true;
    reimportScan(ledger, report(G, [dast({ isMitigated: true, mitigated: '2026-03-09' })]), importOptions(G, { closeOldFindings: false }), later(ctx));
    assert.equal(f.isMitigated, true);
    assert.deepEqual(states(f), [[HOME, true], [LOGIN, false]]);
  });

  it('§4.5: a static finding\'s statuses are not compared with the report; new endpoints are still attached', () => {
    const ledger = newLedger();
    const ctx = engineContext({ settings: { 'dedupe.enabled': false } });
    importScan(ledger, report(G, [parsedFinding({ filePath: 'a.js', endpoints: [HOME] })]), importOptions(G), ctx);
    const f = ledger.data.findings[0];
    assert.deepEqual([f.staticFinding, f.dynamicFinding], [true, true], 'a file path with endpoints leaves dynamic untouched (§1.4)');
    f.dynamicFinding = false;
    reimportScan(ledger, report(G, [parsedFinding({ filePath: 'a.js', endpoints: [LOGIN] })]), importOptions(G), later(ctx));
    assert.deepEqual(states(f), [[HOME, false], [LOGIN, false]]);
  });

  it('§3.5: mitigating a finding (reimport close-old) mitigates every status not already mitigated, now, by the user', () => {
    const s = zap();
    s.f.endpointStatus![0].mitigated = true;
    s.f.endpointStatus![0].mitigatedTime = '2026-03-01T00:00:00.000Z';
    const res = reimportScan(s.ledger, report(ZAP_SCAN_TYPE, []), importOptions(ZAP_SCAN_TYPE), later(s.ctx));
    assert.equal(res.counts.closed, 1);
    assert.deepEqual(states(s.f), [[HOME, true], [LOGIN, true]]);
    assert.deepEqual(
      s.f.endpointStatus!.map((e: EndpointStatus) => e.mitigatedTime),
      ['2026-03-01T00:00:00.000Z', '2026-03-11T12:00:00.000Z'],
    );
  });

  it('§3.5: import close-old and manual mitigation (mitigate_finding) mitigate the statuses too', () => {
    const s = zap();
    importScan(s.ledger, report(ZAP_SCAN_TYPE, []), importOptions(ZAP_SCAN_TYPE, { closeOldFindings: true }), later(s.ctx));
    assert.deepEqual(states(s.f), [[HOME, true], [LOGIN, true]]);
    const t = zap();
    mitigateFinding(t.ledger, t.f, t.ctx, { note: 'fixed' });
    assert.deepEqual(states(t.f), [[HOME, true], [LOGIN, true]]);
  });

  it('§4.4 B.3: reactivation reactivates the statuses that are not false positive, out of scope or risk accepted', () => {
    const s = zap();
    mitigateFinding(s.ledger, s.f, s.ctx, { note: 'fixed' });
    s.f.endpointStatus![1].falsePositive = true;
    const res = s.reimport('/login');
    assert.equal(res.counts.reactivated, 1);
    // B.3 reopens HOME; §4.5 then leaves the false-positive LOGIN alone although reported.
    assert.deepEqual(states(s.f), [[HOME, false], [LOGIN, true]]);
  });

  it('a finding stored before statuses were kept gets open statuses for its endpoints when a run first needs them', () => {
    const s = zap();
    delete s.f.endpointStatus;
    s.reimport(null);
    assert.deepEqual(states(s.f), [[HOME, false], [LOGIN, true]]);
  });

  it('statuses are not status fields: a triage change of the finding does not touch them', () => {
    const s = zap();
    changeStatus(s.f, { verified: true }, s.ctx, 'checked');
    assert.deepEqual(states(s.f), [[HOME, false], [LOGIN, false]]);
  });

  it('reopening a mitigated finding through triage reopens its endpoints, except those decided per endpoint', () => {
    const s = zap();
    mitigateFinding(s.ledger, s.f, s.ctx, { note: 'fixed' });
    s.f.endpointStatus![1].outOfScope = true;
    triageFinding(s.ledger, s.f.id, { status: 'active', reason: 'still exploitable' }, s.ctx);
    assert.deepEqual(states(s.f), [[HOME, false], [LOGIN, true]]);
  });
});
