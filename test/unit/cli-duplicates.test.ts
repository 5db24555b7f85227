import { strict as assert } from 'node:assert';
import { makeWorkspace, type Workspace } from './cli-harness';

/**
 * `scan-ledger duplicates` and `scan-ledger test merge` (issue 17) through the real CLI: one
 * report imported three times as new tests, as a pipeline that imports where it should reimport
 * leaves it.
 */

const SARIF = 'reports/semgrep.sarif';

interface HealthJson {
  threshold: number;
  tests: { testId: number; findings: number; reportName: string | null; overlaps: { testId: number; duplicates: number; linked: number; percent: number }[] }[];
  engagementPairs: unknown[];
  warnings: { kind: string; testId?: number; targetTestId?: number; percent: number; cause?: string; message: string }[];
  excessDuplicates: { maxDuplicates: number | null; deleteDuplicates: boolean; total: number; nextRun: number; perRunLimit: number; tests: { testId: number; title: string; count: number }[] };
}

interface MergeJson {
  dryRun: boolean;
  fromTestId: number;
  intoTestId: number;
  matched: { fromFindingId: number; intoFindingId: number; tier: string }[];
  moved: number[];
  decisionsCarried: { fromFindingId: number; intoFindingId: number; decision: string }[];
  notesCarried: number;
  importsCarried: number[];
  deleted: number[];
  promoted: number[];
}

interface FindingJson {
  id: number;
  testId: number;
  title: string;
  falsePositive: boolean;
  duplicate: boolean;
  notes: { text: string }[];
}

describe('cli duplicates: the duplicate-health report', function () {
  // Each test spawns the CLI a dozen times on a machine shared with other runs.
  this.timeout(120_000);
  let ws: Workspace;
  let testIds: number[];

  beforeEach(() => {
    ws = makeWorkspace();
    testIds = [1, 2, 3].map(() => ws.json<{ testId: number }>('import', SARIF).testId);
  });
  afterEach(() => ws.dispose());

  it('--json: tests 2 and 3 duplicate test 1 at 100%, the same report imported as new tests', () => {
    const report = ws.json<HealthJson>('duplicates');
    assert.equal(report.threshold, 80);
    const [t1, t2, t3] = testIds;
    assert.deepEqual(
      report.warnings.map((w) => [w.kind, w.testId, w.targetTestId, w.percent, w.cause]),
      [
        ['test', t2, t1, 100, 'same-report'],
        ['test', t3, t1, 100, 'same-report'],
      ],
    );
    assert.match(report.warnings[0].message, /^100% of this test duplicates test #1 \(same SARIF from reports\/semgrep\.sarif\): the same report is being imported as a new test$/);
    const second = report.tests.find((t) => t.testId === t2);
    assert.ok(second && second.findings > 0);
    assert.deepEqual(second.overlaps[0], { testId: t1, duplicates: second.findings, linked: second.findings, percent: 100 });
    assert.equal(report.excessDuplicates.deleteDuplicates, false);
    assert.equal(report.excessDuplicates.maxDuplicates, 10);
    assert.equal(report.excessDuplicates.total, 0, 'two duplicates per original are within the default limit of 10');
  });

  it('prints the warnings with the commands that fix them, and honours --threshold and --product', () => {
    const run = ws.run('duplicates');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /2 warnings at 80% or more:/);
    assert.match(run.stdout, /reimport from now on: scan-ledger reimport reports\/semgrep\.sarif --test 1/);
    assert.match(run.stdout, /merge: scan-ledger test merge 3 --into 1/);
    assert.equal(ws.json<HealthJson>('duplicates', '--threshold', '100').warnings.length, 2);
    assert.deepEqual(ws.json<HealthJson>('duplicates', '--product', 'app').tests.length, 3);
    const unknown = ws.run('duplicates', '--product', 'nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--product "nope": no such product/);
    assert.equal(ws.run('duplicates', '--threshold', '0').code, 2);
    assert.equal(ws.run('duplicates', '--threshold', 'many').code, 2);
  });

  it('the delete-excess-duplicates preview counts what maxDuplicates would delete now', () => {
    assert.equal(ws.run('config', 'set', 'dedupe.maxDuplicates', '1').code, 0);
    const report = ws.json<HealthJson>('duplicates');
    const perOriginal = report.tests.find((t) => t.testId === testIds[0])?.findings ?? 0;
    assert.deepEqual([report.excessDuplicates.total, report.excessDuplicates.nextRun], [perOriginal, perOriginal]);
    assert.deepEqual(report.excessDuplicates.tests, [{ testId: testIds[1], title: report.excessDuplicates.tests[0]?.title, count: perOriginal }]);
  });

  it('test merge --dry-run previews and changes nothing; the merge leaves one test with every decision and import', () => {
    const [t1, t2, t3] = testIds;
    const findings = ws.json<FindingJson[]>('findings', '--test', String(t2));
    const target = findings[0];
    assert.equal(ws.run('triage', String(target.id), '--status', 'false-positive', '--reason', 'test code', '--note', 'fixture only').code, 0);
    const before = ws.storeBytes();
    const preview = ws.json<MergeJson>('test', 'merge', String(t2), '--into', String(t1), '--dry-run');
    assert.deepEqual(ws.storeBytes(), before, 'a dry run writes nothing');
    assert.equal(preview.dryRun, true);
    assert.equal(preview.matched.length, findings.length);
    assert.deepEqual(preview.decisionsCarried.map((d) => [d.fromFindingId, d.decision]), [[target.id, 'false-positive']]);
    assert.equal(preview.notesCarried, 1);

    const merged = ws.json<MergeJson>('test', 'merge', String(t2), '--into', String(t1));
    assert.equal(merged.dryRun, false);
    assert.deepEqual(merged.deleted, findings.map((f) => f.id));
    const text = ws.run('test', 'merge', String(t3), '--into', String(t1));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Merged test #3 into test #1/);

    const left = ws.json<FindingJson[]>('findings');
    assert.ok(left.every((f) => f.testId === t1 && !f.duplicate));
    assert.equal(left.length, findings.length);
    const carried = left.find((f) => f.falsePositive);
    assert.ok(carried, 'the false-positive decision made on test 2 is on test 1 now');
    assert.deepEqual(carried.notes.map((n) => n.text), ['fixture only']);
    const history = ws.json<{ testId: number }[]>('history', '--test', String(t1));
    assert.equal(history.length, 3, 'the three imports are the history of test 1');
    assert.equal(ws.json<HealthJson>('duplicates').warnings.length, 0);
  });

  it('test merge refuses an unknown test or a test into itself with exit 2, changing nothing', () => {
    const before = ws.storeBytes();
    const unknown = ws.run('test', 'merge', '99', '--into', '1');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No test #99/);
    assert.equal(ws.run('test', 'merge', '1', '--into', '1').code, 2);
    assert.equal(ws.run('test', 'merge', '1').code, 2, '--into is required');
    assert.deepEqual(ws.storeBytes(), before);
  });
});

describe('cli duplicates: without a store', function () {
  this.timeout(60_000);
  it('exits 2 naming the missing store, like the other readers, and creates nothing', () => {
    const ws = makeWorkspace();
    try {
      for (const args of [['duplicates'], ['test', 'merge', '2', '--into', '1']]) {
        const run = ws.run(...args);
        assert.equal(run.code, 2, args.join(' '));
        assert.match(run.stderr, /no store \(nothing has been imported here yet\)/);
      }
      assert.equal(ws.storeBytes(), null);
    } finally {
      ws.dispose();
    }
  });
});
