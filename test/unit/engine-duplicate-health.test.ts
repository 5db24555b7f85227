import { strict as assert } from 'node:assert';
import { deleteExcessDuplicates } from '../../src/engine/delete-duplicates';
import { duplicateHealth, previewExcessDuplicates } from '../../src/engine/duplicate-health';
import { importScan } from '../../src/engine/import-scan';
import type { Ledger } from '../../src/engine/ledger';
import { addNote } from '../../src/engine/status';
import { mergeTests, previewTestMerge, TestMergeError } from '../../src/engine/test-merge';
import { triageFinding } from '../../src/engine/triage';
import type { ParsedFinding } from '../../src/model';
import { engineContext, importOptions, later, newLedger, parsedFinding, report } from '../builders';

const GENERIC = 'Generic Findings Import';
const REPORT_NAME = 'reports/findings.json';

function findingsOfReport(extra: ParsedFinding[] = []): ParsedFinding[] {
  return [
    parsedFinding({ title: 'SQL injection', severity: 'High', filePath: 'src/db.js', line: 4, cwe: 89 }),
    parsedFinding({ title: 'XSS', severity: 'Medium', filePath: 'src/web.js', line: 9, cwe: 79 }),
    parsedFinding({ title: 'Weak hash', severity: 'Low', filePath: 'src/auth.js', line: 2, cwe: 328 }),
    parsedFinding({ title: 'Open redirect', severity: 'Medium', filePath: 'src/web.js', line: 30, cwe: 601 }),
    ...extra,
  ];
}

/** One report imported three times as new tests, a day apart: the process problem of issue 17. */
function threeImports(): { ledger: Ledger; testIds: number[] } {
  const ledger = newLedger();
  let ctx = engineContext();
  const testIds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const extra = i === 2 ? [parsedFinding({ title: 'Hard-coded secret', severity: 'Critical', filePath: 'src/config.js', line: 1, cwe: 798 })] : [];
    const result = importScan(ledger, report(GENERIC, findingsOfReport(extra)), importOptions(GENERIC, { reportName: REPORT_NAME, reportSha256: `sha-${i}` }), ctx);
    testIds.push(result.testId);
    ctx = later(ctx);
  }
  return { ledger, testIds };
}

describe('engine duplicate health: overlap figures per test', () => {
  it('a report imported three times as new tests: tests 2 and 3 each duplicate test 1, and only they warn', () => {
    const { ledger, testIds } = threeImports();
    const [t1, t2, t3] = testIds;
    const health = duplicateHealth(ledger, engineContext().settings);
    assert.equal(health.threshold, 80);
    const byId = new Map(health.tests.map((h) => [h.testId, h]));
    assert.deepEqual(byId.get(t2)?.overlaps[0], { testId: t1, duplicates: 4, linked: 4, percent: 100 });
    // Test 3 has one finding of its own: 4 of 5 duplicate test 1, which is exactly 80%.
    assert.deepEqual(byId.get(t3)?.overlaps[0], { testId: t1, duplicates: 4, linked: 4, percent: 80 });
    assert.equal(byId.get(t1)?.overlaps[0]?.percent, 100, 'test 1 shares every finding with its copies too');
    const warnings = health.warnings.filter((w) => w.kind === 'test');
    assert.deepEqual(
      warnings.map((w) => (w.kind === 'test' ? [w.testId, w.targetTestId, w.percent, w.cause] : [])),
      [
        [t2, t1, 100, 'same-report'],
        [t3, t1, 80, 'same-report'],
      ],
    );
    assert.equal(
      warnings[0].message,
      `100% of this test duplicates test #${t1} (same ${GENERIC} from ${REPORT_NAME}): the same report is being imported as a new test`,
    );
  });

  it('the threshold is compared exactly: 80% warns at 80 and not at 81', () => {
    const { ledger, testIds } = threeImports();
    const at81 = duplicateHealth(ledger, engineContext({ settings: { 'duplicates.warnThreshold': 81 } }).settings);
    assert.deepEqual(
      at81.warnings.map((w) => (w.kind === 'test' ? w.testId : -1)),
      [testIds[1]],
    );
    assert.equal(duplicateHealth(ledger, engineContext().settings, { threshold: 80 }).warnings.filter((w) => w.kind === 'test').length, 2);
  });

  it('partial overlap: 2 of 4 findings shared is 50% and no warning; another scan type or product is never compared', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const first = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC), ctx);
    const half = [
      ...findingsOfReport().slice(0, 2),
      parsedFinding({ title: 'Path traversal', severity: 'High', filePath: 'src/files.js', line: 3, cwe: 22 }),
      parsedFinding({ title: 'SSRF', severity: 'High', filePath: 'src/fetch.js', line: 5, cwe: 918 }),
    ];
    const second = importScan(ledger, report(GENERIC, half), importOptions(GENERIC), later(ctx));
    const otherProduct = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { productName: 'other' }), later(ctx, 2));
    const health = duplicateHealth(ledger, ctx.settings);
    const second_ = health.tests.find((h) => h.testId === second.testId);
    assert.deepEqual(second_?.overlaps, [{ testId: first.testId, duplicates: 2, linked: 2, percent: 50 }]);
    assert.deepEqual(health.tests.find((h) => h.testId === otherProduct.testId)?.overlaps, []);
    assert.deepEqual(health.warnings, []);
    assert.deepEqual(
      duplicateHealth(ledger, ctx.settings, { productId: ledger.productOfTest(otherProduct.testId)?.id }).tests.map((h) => h.testId),
      [otherProduct.testId],
    );
  });
});

describe('engine duplicate health: which overlaps are warned about', () => {
  it('another report in a test titled apart (a CI test beside the main one) is in the figures but not warned about', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const main = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { reportName: 'reports/main.json', testTitle: 'main' }), ctx);
    const ci = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { reportName: 'reports/ci/main.json', testTitle: 'CI' }), later(ctx));
    const health = duplicateHealth(ledger, ctx.settings);
    assert.deepEqual(health.tests.find((h) => h.testId === ci.testId)?.overlaps, [{ testId: main.testId, duplicates: 4, linked: 4, percent: 100 }]);
    assert.deepEqual(health.warnings, []);
  });

  it('a byte-identical copy of the report under another name, in a test titled apart, is not warned about either', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const sha = 'a'.repeat(64);
    importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { reportName: 'reports/eslint.sarif', reportSha256: sha, testTitle: 'reports/eslint.sarif' }), ctx);
    importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { reportName: 'reports/ci/eslint.sarif', reportSha256: sha, testTitle: 'CI' }), later(ctx));
    assert.deepEqual(duplicateHealth(ledger, ctx.settings).warnings, []);
  });

  it('another report in a test of the same title is the same findings imported as a new test', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const first = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { reportName: 'a.json', testTitle: 'nightly' }), ctx);
    const second = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { reportName: 'b.json', testTitle: 'nightly' }), later(ctx));
    const [w] = duplicateHealth(ledger, ctx.settings).warnings;
    assert.ok(w?.kind === 'test' && w.testId === second.testId && w.targetTestId === first.testId && w.cause === 'same-findings');
    assert.equal(w.message, `100% of this test duplicates test #${first.testId} (both ${GENERIC}, same title): the same findings are being imported as a new test`);
  });
});

describe('engine duplicate health: engagement overlap', () => {
  it('engagements that deduplicate on their own have no links, and still overlap by DefectDojo keys', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const a = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { engagementName: 'sprint 1', deduplicationOnEngagement: true }), ctx);
    const b = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC, { engagementName: 'sprint 2', deduplicationOnEngagement: true }), later(ctx));
    assert.equal(ledger.data.findings.filter((f) => f.duplicate).length, 0, 'no duplicate links across these engagements');
    const health = duplicateHealth(ledger, ctx.settings);
    const ea = ledger.engagementOfTest(a.testId)?.id as number;
    const eb = ledger.engagementOfTest(b.testId)?.id as number;
    assert.deepEqual(health.engagementPairs, [
      { productId: ledger.productOfTest(a.testId)?.id, engagementId: ea, otherEngagementId: eb, findings: 4, otherFindings: 4, shared: 4, otherShared: 4, percent: 100, otherPercent: 100 },
    ]);
    const engagementWarnings = health.warnings.filter((w) => w.kind === 'engagement');
    assert.equal(engagementWarnings.length, 1);
    const [w] = engagementWarnings;
    assert.ok(w.kind === 'engagement' && w.engagementId === eb && w.targetEngagementId === ea, 'the newer engagement warns');
    assert.match(w.message, /^100% of this engagement's findings are also in engagement #\d+ “sprint 1”: duplicate or reused engagements$/);
    const testHealth = health.tests.find((h) => h.testId === b.testId);
    assert.deepEqual(testHealth?.overlaps, [{ testId: a.testId, duplicates: 4, linked: 0, percent: 100 }]);
  });
});

describe('engine test merge: preview and apply', () => {
  it('the preview lists matches, carried decisions and deletions and changes nothing', () => {
    const { ledger, testIds } = threeImports();
    const [t1, t2] = testIds;
    const ctx = later(engineContext(), 5);
    const fp = ledger.findingsOfTest(t2)[0];
    triageFinding(ledger, fp.id, { status: 'false-positive', reason: 'test data', note: 'only in fixtures' }, ctx);
    const before = JSON.stringify(ledger.data);
    const plan = previewTestMerge(ledger, t2, t1, ctx);
    assert.equal(JSON.stringify(ledger.data), before);
    assert.equal(plan.matched.length, 4);
    assert.ok(plan.matched.every((m) => m.tier === 'duplicate-link'));
    assert.deepEqual(plan.moved, []);
    assert.deepEqual(plan.decisionsCarried, [{ fromFindingId: fp.id, intoFindingId: fp.duplicateOf, decision: 'false-positive' }]);
    assert.equal(plan.notesCarried, 1);
    assert.deepEqual(plan.deleted, ledger.findingsOfTest(t2).map((f) => f.id));
    assert.deepEqual(plan.importsCarried, ledger.importsOfTest(t2).map((r) => r.id));
  });

  it('merging tests 2 and 3 into test 1 leaves one test with the union of the history and every triage decision and note', () => {
    const { ledger, testIds } = threeImports();
    const [t1, t2, t3] = testIds;
    const ctx = later(engineContext(), 5);
    const [fp, , ra] = ledger.findingsOfTest(t2);
    triageFinding(ledger, fp.id, { status: 'false-positive', reason: 'test data' }, ctx);
    triageFinding(ledger, ra.id, { status: 'risk-accepted', reason: 'legacy module', expires: '2027-01-01' }, ctx);
    const noted = ledger.findingsOfTest(t3)[1];
    addNote(ledger, noted, 'seen in review', ctx);
    const secret = ledger.findingsOfTest(t3).find((f) => f.title === 'Hard-coded secret');
    assert.ok(secret);
    triageFinding(ledger, secret.id, { status: 'out-of-scope', reason: 'vendored' }, ctx);
    const importIds = ledger.data.imports.map((r) => r.id);

    const first = mergeTests(ledger, t2, t1, ctx);
    const second = mergeTests(ledger, t3, t1, later(ctx));
    assert.deepEqual(ledger.data.tests.map((t) => t.id), [t1]);
    assert.deepEqual(second.moved, [secret.id], 'the finding only test 3 had moves into test 1');
    assert.equal(first.deleted.length, 4);

    const findings = ledger.findingsOfTest(t1);
    assert.equal(findings.length, 5);
    assert.ok(findings.every((f) => !f.duplicate), 'no finding of the merged test is left a duplicate');
    const byTitle = new Map(findings.map((f) => [f.title, f]));
    const sql = byTitle.get('SQL injection');
    assert.equal(sql?.falsePositive, true);
    assert.ok(sql?.audit.some((e) => e.field === 'falsePositive' && e.reason === `test data (on finding #${fp.id} of test #${t2})`), 'the original triage entry is carried');
    assert.ok(sql?.audit.some((e) => e.field === 'mergedFrom' && e.from === fp.id && e.reason === `test #${t2} merged into test #${t1}`));
    const weak = byTitle.get('Weak hash');
    assert.deepEqual([weak?.riskAccepted, weak?.active, weak?.riskAcceptance?.reason, weak?.riskAcceptance?.expires], [true, false, 'legacy module', '2027-01-01']);
    assert.deepEqual(byTitle.get('XSS')?.notes.map((n) => n.text), ['seen in review']);
    const moved = byTitle.get('Hard-coded secret');
    assert.equal(moved?.id, secret.id);
    assert.deepEqual([moved?.testId, moved?.outOfScope], [t1, true]);
    assert.deepEqual(ledger.findingsByTest.get(t1)?.map((f) => f.id), [...findings.map((f) => f.id)].sort((a, b) => a - b));

    assert.deepEqual(ledger.importsOfTest(t1).map((r) => r.id), importIds, 'every import record is now in test 1’s history');
    for (const r of ledger.importsOfTest(t1)) {
      for (const a of r.actions) assert.ok(ledger.finding(a.findingId), `import #${r.id} names finding #${a.findingId}, which exists`);
    }
    assert.deepEqual(duplicateHealth(ledger, ctx.settings).warnings, []);
  });

  it('merging an older test into its copy makes the copies originals; duplicates elsewhere are re-pointed, not promoted', () => {
    const ledger = newLedger();
    const ctx = engineContext();
    const a = importScan(ledger, report(GENERIC, findingsOfReport().slice(0, 2)), importOptions(GENERIC), ctx);
    const b = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC), later(ctx));
    const c = importScan(ledger, report(GENERIC, findingsOfReport()), importOptions(GENERIC), later(ctx, 2));
    // b's first two findings duplicate a's; merging a into b makes b's copies the originals.
    const result = mergeTests(ledger, a.testId, b.testId, later(ctx, 3));
    assert.equal(result.matched.length, 2);
    assert.deepEqual(result.promoted, []);
    for (const f of ledger.findingsOfTest(b.testId)) assert.equal(f.duplicate, false);
    for (const f of ledger.findingsOfTest(c.testId)) {
      const original = f.duplicateOf != null ? ledger.finding(f.duplicateOf) : undefined;
      assert.equal(original?.testId, b.testId, `finding #${f.id} points at test ${b.testId}`);
    }
  });

  it('refuses a merge into itself, across products or scan types, changing nothing', () => {
    const { ledger, testIds } = threeImports();
    const ctx = engineContext();
    const other = importScan(ledger, report('Bandit Scan', [parsedFinding({ title: 'x', filePath: 'a.py', line: 1 })]), importOptions('Bandit Scan'), ctx);
    const before = JSON.stringify(ledger.data);
    for (const [from, into, code] of [
      [testIds[0], testIds[0], 'same-test'],
      [other.testId, testIds[0], 'other-scan-type'],
      [999, testIds[0], 'unknown-test'],
    ] as const) {
      assert.throws(() => mergeTests(ledger, from, into, ctx), (e: unknown) => e instanceof TestMergeError && e.code === code);
    }
    assert.equal(JSON.stringify(ledger.data), before);
  });
});

describe('engine duplicate health: delete-excess-duplicates preview (§5.8)', () => {
  it('counts what deleteExcessDuplicates would delete, per test, before it is turned on', () => {
    const { ledger, testIds } = threeImports();
    const preview = previewExcessDuplicates(ledger, 1);
    // Each of the four originals has two duplicates; the newest (test 3's) is kept.
    assert.deepEqual([preview.total, preview.nextRun, preview.perRunLimit], [4, 4, 200]);
    assert.deepEqual(preview.tests.map((t) => [t.testId, t.count]), [[testIds[1], 4]]);
    assert.equal(previewExcessDuplicates(ledger, null).total, 0);
    assert.equal(previewExcessDuplicates(ledger, 0).total, 8);
    const deleted = deleteExcessDuplicates(ledger, engineContext({ settings: { 'dedupe.deleteDuplicates': true, 'dedupe.maxDuplicates': 1 } }));
    assert.deepEqual(deleted.length, preview.total);
    assert.ok(deleted.every((id) => ledger.finding(id) === undefined));
  });
});
