import { strict as assert } from 'node:assert';
import { hashConfigFor } from '../../src/engine/dedupe-config';
import { computeHashCode } from '../../src/engine/hash-code';
import { importCloseOldNote, importScan } from '../../src/engine/import-scan';
import { actionRecords } from '../../src/engine/incoming-finding';
import { ensureEngagement, testTypeName } from '../../src/engine/product-context';
import { ImportTargetError, ImportValidationError } from '../../src/engine/types';
import { engineContext, importOptions, later, newLedger, parsedFinding, report } from '../builders';

const GENERIC = 'Generic Findings Import';
const noDedupe = { 'dedupe.enabled': false } as const;

describe('engine import: §1.2 severity sanitising and minimum severity', () => {
  it('§1.2: "info…" (any case) and "none" become Info; numerical severity follows', () => {
    const ledger = newLedger();
    importScan(
      ledger,
      report(GENERIC, [parsedFinding({ title: 'a', severity: 'informational' }), parsedFinding({ title: 'b', severity: 'None' }), parsedFinding({ title: 'c', severity: 'Critical' })]),
      importOptions(GENERIC),
      engineContext({ settings: noDedupe }),
    );
    assert.deepEqual(ledger.data.findings.map((f) => [f.severity, f.numericalSeverity]), [['Info', 'S4'], ['Info', 'S4'], ['Critical', 'S0']]);
  });

  it('§1.2: any other severity aborts the WHOLE import before any change, naming the finding and the value', () => {
    const ledger = newLedger();
    const before = JSON.stringify(ledger.data);
    assert.throws(
      () => importScan(ledger, report(GENERIC, [parsedFinding({ title: 'fine' }), parsedFinding({ title: 'Bad one', severity: 'high' })]), importOptions(GENERIC), engineContext()),
      (e: unknown) => e instanceof ImportValidationError && e.findingTitle === 'Bad one' && e.value === 'high' && /Bad one/.test(e.message) && /"high"/.test(e.message),
    );
    assert.equal(JSON.stringify(ledger.data), before);
  });

  it('§1.2 minimum_severity: findings ranked below the minimum are dropped ("Low" drops Info)', () => {
    const ledger = newLedger();
    const res = importScan(
      ledger,
      report(GENERIC, [parsedFinding({ title: 'i', severity: 'Info' }), parsedFinding({ title: 'l', severity: 'Low' })]),
      importOptions(GENERIC, { minimumSeverity: 'Low' as const }),
      engineContext({ settings: noDedupe }),
    );
    assert.equal(res.counts.created, 1);
    assert.deepEqual(ledger.data.findings.map((f) => f.title), ['l']);
  });

  it('§1.2 minimum_severity: without the option the minimumSeverity setting applies', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding({ severity: 'Medium' }), parsedFinding({ severity: 'High', title: 'h' })]), importOptions(GENERIC), engineContext({ settings: { ...noDedupe, minimumSeverity: 'High' } }));
    assert.deepEqual(ledger.data.findings.map((f) => f.title), ['h']);
  });
});

describe('engine import: §3.1 target', () => {
  it('§3.1: missing product type (default "Workspace"), product and a CI/CD engagement are created; target_end = today+365', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    importScan(ledger, report(GENERIC, []), importOptions(GENERIC), ctx);
    assert.deepEqual(ledger.data.productTypes.map((p) => p.name), ['Workspace']);
    const e = ledger.data.engagements[0];
    assert.deepEqual([e.name, e.engagementType, e.targetStart, e.targetEnd, e.deduplicationOnEngagement], ['ci', 'CI/CD', '2026-03-10', '2027-03-10', false]);
  });

  it('§3.1: when several engagements share the name, the one with the highest id is used', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const first = ensureEngagement(ledger, { productName: 'app', engagementName: 'ci' }, ctx);
    ledger.addEngagement({ ...first, id: ledger.nextId('engagement') });
    const res = importScan(ledger, report(GENERIC, []), importOptions(GENERIC), ctx);
    assert.equal(ledger.test(res.testId)!.engagementId, 2);
  });

  it('§3.1: product_type_name must match the product\'s type if given', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    importScan(ledger, report(GENERIC, []), importOptions(GENERIC), ctx);
    assert.throws(() => importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { productTypeName: 'Other' }), ctx), ImportTargetError);
  });

  it('§3.1: the requested deduplication_on_engagement is set on a created engagement', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { deduplicationOnEngagement: true }), engineContext());
    assert.equal(ledger.data.engagements[0].deduplicationOnEngagement, true);
  });
});

describe('engine import: §3.2 steps', () => {
  it('§3.2 step 1: an empty report still creates a Test, with scan_type, Test_Type name, title and target dates = scan date', () => {
    const ledger = newLedger();
    const res = importScan(ledger, report('SARIF', [], { testType: 'CodeQL Scan (SARIF)' }), importOptions('SARIF', { testTitle: 'codeql', scanDate: '2026-03-01' }), engineContext());
    const t = ledger.test(res.testId)!;
    assert.deepEqual([t.scanType, t.testType, t.title, t.targetStart, t.targetEnd], ['SARIF', 'CodeQL Scan (SARIF)', 'codeql', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    assert.deepEqual(res.counts, { created: 0, closed: 0, reactivated: 0, untouched: 0 });
  });

  it('§3.2 step 3: reporter=user, last_reviewed=now, last_reviewed_by=user, found_by = the Test_Type', () => {
    const ledger = newLedger();
    const ctx = engineContext({ user: 'carol' });
    importScan(ledger, report('SARIF', [parsedFinding()], { testType: 'CodeQL Scan (SARIF)' }), importOptions('SARIF'), ctx);
    const f = ledger.data.findings[0];
    assert.deepEqual([f.reporter, f.lastReviewed, f.lastReviewedBy, f.foundBy], ['carol', ctx.now.toISOString(), 'carol', ['CodeQL Scan (SARIF)']]);
  });

  it('§3.2 step 3: active := option.active if not null; verified := option.verified if not null; else the parser\'s', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding({ active: true, verified: false })]), importOptions(GENERIC, { active: false, verified: true }), engineContext({ settings: noDedupe }));
    importScan(ledger, report(GENERIC, [parsedFinding({ active: false, verified: true })]), importOptions(GENERIC, { active: null }), engineContext({ settings: noDedupe }));
    assert.deepEqual(ledger.data.findings.map((f) => [f.active, f.verified]), [[false, true], [false, true]]);
  });

  it('§3.2 step 3: if scan_date was overridden: date := scan_date; else the parser\'s date, else today', () => {
    const ledger = newLedger();
    const ctx = engineContext({ settings: noDedupe });
    importScan(ledger, report(GENERIC, [parsedFinding({ date: '2025-01-02' })]), importOptions(GENERIC, { scanDate: '2026-02-03' }), ctx);
    importScan(ledger, report(GENERIC, [parsedFinding({ date: '2025-01-02' }), parsedFinding({ title: 'no date' })]), importOptions(GENERIC), ctx);
    assert.deepEqual(ledger.data.findings.map((f) => f.date), ['2026-02-03', '2025-01-02', '2026-03-10']);
  });

  it('§2 scan_date: a date in the future or not a date is refused', () => {
    const ledger = newLedger();
    assert.throws(() => importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { scanDate: '2026-03-11' }), engineContext()), ImportValidationError);
    assert.throws(() => importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { scanDate: 'yesterday' }), engineContext()), ImportValidationError);
    assert.equal(ledger.data.tests.length, 0);
  });

  it('§3.2 step 3: if the service option is not null, service := option.service (and it enters the hash)', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding({ service: 'parser' })]), importOptions(GENERIC, { service: 'api' }), engineContext());
    const f = ledger.data.findings[0];
    assert.equal(f.service, 'api');
    assert.equal(f.hashCode, computeHashCode({ ...f, service: 'api' }, hashConfigFor(GENERIC, GENERIC, engineContext().settings)));
    assert.notEqual(f.hashCode, computeHashCode({ ...f, service: null }, hashConfigFor(GENERIC, GENERIC, engineContext().settings)));
  });

  it('§3.2 step 3 CVE sync: ids and cve → cve first; ids only → cve := ids[0]; cve only → ids := [cve]; blanks dropped; stored de-duplicated', () => {
    const ledger = newLedger();
    importScan(
      ledger,
      report(GENERIC, [
        parsedFinding({ title: 'a', cve: 'CVE-1', vulnerabilityIds: ['GHSA-x', 'CVE-1', ' '] }),
        parsedFinding({ title: 'b', vulnerabilityIds: ['GHSA-y', ''] }),
        parsedFinding({ title: 'c', cve: 'CVE-3' }),
        parsedFinding({ title: 'd' }),
      ]),
      importOptions(GENERIC),
      engineContext({ settings: noDedupe }),
    );
    assert.deepEqual(ledger.data.findings.map((f) => [f.cve, f.vulnerabilityIds]), [
      ['CVE-1', ['CVE-1', 'GHSA-x']],
      ['GHSA-y', ['GHSA-y']],
      ['CVE-3', ['CVE-3']],
      [null, []],
    ]);
  });

  it('§3.2 step 3 / §6.4: the hash code is computed after the CVE sync, and a parser-supplied hash is kept', () => {
    const ledger = newLedger();
    const ctx = engineContext({ settings: { ...noDedupe, 'dedupe.hashFieldsPerScanType': { [GENERIC]: ['title', 'vulnerabilityIds'] } } });
    importScan(ledger, report(GENERIC, [parsedFinding({ cve: 'CVE-9' }), parsedFinding({ title: 'own', hashCode: 'abc' })]), importOptions(GENERIC), ctx);
    const config = hashConfigFor(GENERIC, GENERIC, ctx.settings);
    assert.equal(ledger.data.findings[0].hashCode, computeHashCode({ title: 'Use of eval', description: '', severity: 'High', vulnerabilityIds: ['CVE-9'] }, config));
    assert.equal(ledger.data.findings[1].hashCode, 'abc');
  });

  it('§1.2 cwe: a parser that sets no CWE gets DefectDojo\'s default 0, which the legacy hash renders as "0"', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    importScan(ledger, report(GENERIC, [parsedFinding({ title: 'Finding without cwe', description: 'desc' })]), importOptions(GENERIC), ctx);
    assert.equal(ledger.data.findings[0].cwe, 0);
    // §6.2 test vector: `Finding without cwe0NoneNonedesc`.
    assert.equal(ledger.data.findings[0].hashCode, 'b638b7209fafbdca1b095d956f7bdf21b361e0d8abe2063461280ed8619233e9');
  });

  it('§1.4 save(): a file path without endpoints makes a finding static and not dynamic; with endpoints static only', () => {
    const ledger = newLedger();
    importScan(
      ledger,
      report(GENERIC, [
        parsedFinding({ title: 'a', filePath: 'src/a.js' }),
        parsedFinding({ title: 'b', filePath: 'src/b.js', endpoints: ['https://x.test/'] }),
        parsedFinding({ title: 'c' }),
      ]),
      importOptions(GENERIC),
      engineContext({ settings: noDedupe }),
    );
    assert.deepEqual(ledger.data.findings.map((f) => [f.staticFinding, f.dynamicFinding]), [[true, false], [true, true], [false, true]]);
  });

  it('§1.2 title: truncated to 511 characters; the scanner\'s casing is kept for display (hashes case-fold)', () => {
    const ledger = newLedger();
    const long = 'x'.repeat(600);
    importScan(ledger, report(GENERIC, [parsedFinding({ title: long }), parsedFinding({ title: 'use of EVAL in app' })]), importOptions(GENERIC), engineContext({ settings: noDedupe }));
    assert.equal(ledger.data.findings[0].title.length, 511);
    assert.equal(ledger.data.findings[1].title, 'use of EVAL in app');
  });

  it('§1.4 save(): blank component name / version become null', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding({ componentName: ' ', componentVersion: '' })]), importOptions(GENERIC), engineContext());
    assert.deepEqual([ledger.data.findings[0].componentName, ledger.data.findings[0].componentVersion], [null, null]);
  });

  it('§3.2 step 4: parser tags are lower-cased; import tags are added to findings only with apply_tags_to_findings', () => {
    const ledger = newLedger();
    const ctx = engineContext({ settings: noDedupe });
    importScan(ledger, report(GENERIC, [parsedFinding({ tags: ['Web'] })]), importOptions(GENERIC, { tags: ['CI'] }), ctx);
    importScan(ledger, report(GENERIC, [parsedFinding({ tags: ['Web'] })]), importOptions(GENERIC, { tags: ['CI'], applyTagsToFindings: true }), ctx);
    assert.deepEqual(ledger.data.findings.map((f) => f.tags), [['web'], ['web', 'ci']]);
    assert.deepEqual(ledger.data.tests.map((t) => t.tags), [['ci'], ['ci']]);
  });

  it('§1.4 for new findings: a parser false_p with default active ends inactive and mitigated', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding({ falsePositive: true, active: false })]), importOptions(GENERIC), engineContext());
    const f = ledger.data.findings[0];
    assert.deepEqual([f.active, f.isMitigated, f.falsePositive], [false, true, true]);
  });

  it('§3.2 intra-report duplicates: all are created; with dedupe on, the later copy becomes a duplicate of the first', () => {
    const ledger = newLedger();
    const res = importScan(ledger, report(GENERIC, [parsedFinding(), parsedFinding()]), importOptions(GENERIC), engineContext());
    assert.equal(res.counts.created, 2);
    const [a, b] = ledger.data.findings;
    assert.equal(b.duplicate, true);
    assert.equal(b.duplicateOf, a.id);
  });

  it('§3.2 intra-report duplicates: with dedupe off, identical copies simply coexist', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding(), parsedFinding()]), importOptions(GENERIC), engineContext({ settings: noDedupe }));
    assert.deepEqual(ledger.data.findings.map((f) => f.duplicate), [false, false]);
  });
});

describe('engine import: §3.3 close old findings', () => {
  const ctx = engineContext({ settings: noDedupe });
  const first = [parsedFinding({ title: 'stays' }), parsedFinding({ title: 'goes' })];

  it('§3.3: findings of other tests of the same Test_Type no longer reported are mitigated with the exact note', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, first), importOptions(GENERIC), ctx);
    const res = importScan(ledger, report(GENERIC, [parsedFinding({ title: 'stays' })]), importOptions(GENERIC, { closeOldFindings: true, testTitle: 'nightly' }), later(ctx));
    assert.deepEqual(res.counts, { created: 1, closed: 1, reactivated: 0, untouched: 0 });
    const goes = ledger.data.findings[1];
    assert.deepEqual([goes.active, goes.isMitigated], [false, true]);
    assert.equal(
      goes.notes[0].text,
      `This Finding has been automatically closed by the Test: \n "nightly"\nscan-ledger:test/${res.testId}\n\nThis is because this Finding is not present anymore in recent scans.`,
    );
    assert.equal(ledger.data.findings[0].isMitigated, false);
    // §1.5: closed rows come first, then created.
    assert.deepEqual(res.actions.map((a) => a.action), ['closed', 'created']);
  });

  it('§3.3: the test title is the literal None when the test has no title', () => {
    assert.match(importCloseOldNote({ id: 3, title: null } as never), /\n "None"\n/);
  });

  it('§3.3: nothing is closed unless close_old_findings (import.closeOldFindings default false)', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, first), importOptions(GENERIC), ctx);
    const res = importScan(ledger, report(GENERIC, []), importOptions(GENERIC), ctx);
    assert.equal(res.counts.closed, 0);
  });

  it('§3.3 step 2: other Test_Types, inactive-but-not-mitigated findings and the new test itself are not candidates; risk-accepted ones are', () => {
    const ledger = newLedger();
    importScan(ledger, report('Other Scan', [parsedFinding({ title: 'other type' })]), importOptions('Other Scan'), ctx);
    importScan(ledger, report(GENERIC, [parsedFinding({ title: 'inactive', active: false }), parsedFinding({ title: 'accepted' })]), importOptions(GENERIC), ctx);
    const accepted = ledger.data.findings[2];
    accepted.riskAccepted = true;
    accepted.active = false;
    const res = importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { closeOldFindings: true }), ctx);
    assert.deepEqual(res.actions.map((a) => a.findingId), [accepted.id]);
    assert.equal(accepted.riskAccepted, false);
  });

  it('§3.3 step 4: scope is the engagement, or the product with close_old_findings_product_scope', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, first), importOptions(GENERIC, { engagementName: 'other' }), ctx);
    const inEngagement = importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { closeOldFindings: true }), ctx);
    assert.equal(inEngagement.counts.closed, 0);
    const inProduct = importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { closeOldFindings: true, closeOldFindingsProductScope: true }), ctx);
    assert.equal(inProduct.counts.closed, 2);
  });

  it('§3.3 step 5: with a service only candidates of exactly that service; without, only those with no service', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding({ title: 'api', service: 'api' }), parsedFinding({ title: 'none' })]), importOptions(GENERIC), ctx);
    const withService = importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { closeOldFindings: true, service: 'api' }), ctx);
    assert.deepEqual(withService.actions.map((a) => ledger.finding(a.findingId)!.title), ['api']);
    const without = importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { closeOldFindings: true }), ctx);
    assert.deepEqual(without.actions.map((a) => ledger.finding(a.findingId)!.title), ['none']);
  });

  it('§3.3 step 3: under unique_id_from_tool a candidate with a null uid is never "still present"', () => {
    const ledger = newLedger();
    const uidCtx = engineContext({ settings: { ...noDedupe, 'dedupe.algorithmPerScanType': { [GENERIC]: 'unique_id_from_tool' } } });
    importScan(ledger, report(GENERIC, [parsedFinding({ uniqueIdFromTool: 'u1' }), parsedFinding({ title: 'no uid' })]), importOptions(GENERIC), uidCtx);
    const res = importScan(ledger, report(GENERIC, [parsedFinding({ uniqueIdFromTool: 'u1' }), parsedFinding({ title: 'no uid' })]), importOptions(GENERIC, { closeOldFindings: true }), uidCtx);
    assert.deepEqual(res.actions.filter((a) => a.action === 'closed').map((a) => ledger.finding(a.findingId)!.title), ['no uid']);
  });

  it('§3.3 step 1: created findings that are mitigated do not keep old findings present', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding()]), importOptions(GENERIC), ctx);
    const res = importScan(ledger, report(GENERIC, [parsedFinding({ isMitigated: true, active: false })]), importOptions(GENERIC, { closeOldFindings: true }), ctx);
    assert.equal(res.counts.closed, 1);
  });
});

describe('engine import: §1.5 history and §3.2 step 7 bookkeeping', () => {
  it('§1.5: one import record with the settings snapshot (scan_date only when overridden) and N actions', () => {
    const ledger = newLedger();
    const res = importScan(
      ledger,
      report(GENERIC, [parsedFinding()]),
      importOptions(GENERIC, { version: '1.2', tags: ['X'], service: 'api', reportName: 'r.json', reportSha256: 'ff' }),
      engineContext(),
    );
    const rec = ledger.data.imports[0];
    assert.equal(rec.id, res.importId);
    assert.deepEqual([rec.type, rec.testId, rec.version, rec.branchTag], ['import', res.testId, '1.2', '']);
    assert.deepEqual(rec.settings, {
      active: null,
      verified: null,
      minimumSeverity: 'Info',
      closeOldFindings: false,
      closeOldFindingsProductScope: false,
      doNotReactivate: false,
      tags: ['x'],
      scanDate: null,
      service: 'api',
      applyTagsToFindings: false,
      groupBy: null,
      createFindingGroupsForAllFindings: true,
      algorithm: 'hash_code',
      reportName: 'r.json',
      reportSha256: 'ff',
    });
    assert.deepEqual(rec.actions, [{ findingId: ledger.data.findings[0].id, action: 'created' }]);
    assert.deepEqual(res.counts, { created: 1, closed: 0, reactivated: 0, untouched: 0 });
    assert.equal(res.type, 'import');
  });

  it('§3.2 step 7: a CI/CD engagement\'s target_end moves forward to the scan date', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const e = ensureEngagement(ledger, { productName: 'app', engagementName: 'ci' }, ctx);
    e.targetEnd = '2026-01-01';
    importScan(ledger, report(GENERIC, []), importOptions(GENERIC, { scanDate: '2026-02-01' }), ctx);
    assert.equal(e.targetEnd, '2026-02-01');
  });

  it('§3.2 step 7 / §4.9 quirk, parity: the report\'s tool version is overwritten by the empty default', () => {
    const ledger = newLedger();
    const res = importScan(ledger, report(GENERIC, [], { toolVersion: '2.1.0' }), importOptions(GENERIC), engineContext({ settings: { defectdojoParity: true } }));
    assert.equal(ledger.test(res.testId)!.version, '');
  });

  it('improvement 6 (reimport.keepTestMetadata): the report\'s tool version is kept when no version is given', () => {
    const ledger = newLedger();
    const res = importScan(ledger, report(GENERIC, [], { toolVersion: '2.1.0' }), importOptions(GENERIC), engineContext());
    assert.equal(ledger.test(res.testId)!.version, '2.1.0');
  });
});

describe('engine import: improvement 2 (unreliable unique ids) on the stored value', () => {
  const findings = [
    parsedFinding({ title: 'a', uniqueIdFromTool: 'requires login' }),
    parsedFinding({ title: 'b', uniqueIdFromTool: 'same' }),
    parsedFinding({ title: 'c', uniqueIdFromTool: 'same' }),
    parsedFinding({ title: 'd', uniqueIdFromTool: '' }),
    parsedFinding({ title: 'e', uniqueIdFromTool: 'u-e' }),
  ];

  it('default: repeated, empty and placeholder uids are stored as null', () => {
    const ledger = newLedger();
    importScan(ledger, report('SARIF', findings), importOptions('SARIF'), engineContext({ settings: noDedupe }));
    assert.deepEqual(ledger.data.findings.map((f) => f.uniqueIdFromTool), [null, null, null, null, 'u-e']);
  });

  it('defectdojoParity: the uids are stored as the report gave them', () => {
    const ledger = newLedger();
    importScan(ledger, report('SARIF', findings), importOptions('SARIF'), engineContext({ settings: { ...noDedupe, defectdojoParity: true } }));
    assert.deepEqual(ledger.data.findings.map((f) => f.uniqueIdFromTool), ['requires login', 'same', 'same', '', 'u-e']);
  });
});

describe('engine import: §3.2 step 1 Test_Type naming for get_tests parsers', () => {
  it('§3.2: scan_type when T is empty or equals it; T verbatim when it ends in " (<scan_type>)"; scan_type when T + " Scan" == scan_type; else "<T> Scan (<scan_type>)"', () => {
    assert.equal(testTypeName('SARIF', ''), 'SARIF');
    assert.equal(testTypeName('SARIF', 'SARIF'), 'SARIF');
    assert.equal(testTypeName('SARIF', 'Semgrep Scan (SARIF)'), 'Semgrep Scan (SARIF)');
    assert.equal(testTypeName('Horusec Scan', 'Horusec'), 'Horusec Scan');
    assert.equal(testTypeName('SARIF', 'CodeQL'), 'CodeQL Scan (SARIF)');
  });
});

describe('engine import: §1.5 action rows', () => {
  it('§1.5: rows go closed, created, reactivated, untouched; the first list wins; findings deleted meanwhile are skipped', () => {
    const ledger = newLedger();
    importScan(ledger, report(GENERIC, [parsedFinding({ title: 'a' }), parsedFinding({ title: 'b' }), parsedFinding({ title: 'c' })]), importOptions(GENERIC), engineContext({ settings: noDedupe }));
    const [a, b, c] = ledger.data.findings;
    ledger.removeFinding(c.id);
    const rows = actionRecords(ledger, { closed: [b], created: [a, b, c], reactivated: [], untouched: [a] });
    assert.deepEqual(rows, [
      { findingId: b.id, action: 'closed' },
      { findingId: a.id, action: 'created' },
    ]);
  });
});

describe('engine import: issue 12, the parser\'s warnings in the import record', () => {
  it('an ignored unknown Generic Findings Import field is kept as a warning of the import record; none when there is nothing to note', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const noted = report('Generic Findings Import', [parsedFinding()], { warnings: ['findings[0]: unknown field(s) colour ignored'] });
    importScan(ledger, noted, importOptions('Generic Findings Import'), ctx);
    importScan(ledger, report('Generic Findings Import', [parsedFinding()]), importOptions('Generic Findings Import'), later(ctx));
    assert.deepEqual(ledger.data.imports[0].warnings, ['findings[0]: unknown field(s) colour ignored']);
    assert.equal(ledger.data.imports[1].warnings, undefined);
  });
});
