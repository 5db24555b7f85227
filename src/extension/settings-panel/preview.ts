/**
 * The settings panel's live preview: "with these settings, the last import of this test would
 * match N, create M". It reimports the test's last report into a copy of the ledger, once with
 * the saved settings and once with the draft, so the user sees what the change does before
 * saving. Pure (engine only): the host reads and parses the report and passes it in.
 */
import { Ledger, reimportScan } from '../../engine';
import type { ImportRecord, ParsedReport, Settings, Test } from '../../model';
import { effectiveSettings } from '../../model';
import type { EngagementScopeChange, PreviewCounts } from './protocol';

export interface PreviewInput {
  ledger: Ledger;
  testId: number;
  report: ParsedReport;
  /** The settings as saved (before `effectiveSettings`). */
  settings: Settings;
  engagements: readonly EngagementScopeChange[];
  user: string;
  now: Date;
}

/** The test's latest import record, the one the preview replays. */
export function lastImportOf(ledger: Ledger, testId: number): ImportRecord | undefined {
  let last: ImportRecord | undefined;
  for (const r of ledger.importsOfTest(testId)) if (!last || r.id > last.id) last = r;
  return last;
}

/**
 * Reimports `report` into test `testId` of a deep copy of the ledger with the given settings and
 * engagement scopes, and counts what happened. The ledger passed in is never changed.
 */
export function previewReimport(input: PreviewInput): PreviewCounts {
  const copy = new Ledger(structuredClone(input.ledger.data));
  for (const change of input.engagements) {
    const engagement = copy.engagement(change.engagementId);
    if (engagement) engagement.deduplicationOnEngagement = change.deduplicationOnEngagement;
  }
  const test: Test | undefined = copy.test(input.testId);
  if (!test) throw new Error(`test #${input.testId} does not exist`);
  const engagement = copy.engagement(test.engagementId);
  const product = engagement ? copy.product(engagement.productId) : undefined;
  if (!engagement || !product) throw new Error(`test #${input.testId} has no engagement or product`);
  const before = new Set(copy.data.findings.filter((f) => f.duplicate).map((f) => f.id));
  const result = reimportScan(
    copy,
    // The engine may normalise the report's findings in place; each run gets its own copy.
    structuredClone(input.report),
    {
      scanType: test.scanType,
      productName: product.name,
      engagementName: engagement.name,
      testTitle: test.title,
      testId: test.id,
    },
    { now: input.now, user: input.user, settings: effectiveSettings(input.settings) },
  );
  let duplicates = 0;
  for (const f of copy.data.findings) if (f.duplicate && !before.has(f.id)) duplicates++;
  const c = result.counts;
  return {
    matched: c.reactivated + c.untouched,
    created: c.created,
    closed: c.closed,
    reactivated: c.reactivated,
    untouched: c.untouched,
    duplicates,
  };
}

/**
 * How the preview names the test it reimports into. A watched report's test is titled with the
 * report's own path, so "reimporting bandit-report.json into bandit-report.json" said nothing:
 * the test's id and type say which test it is, and a title of its own is kept.
 */
export function previewTestLabel(test: Pick<Test, 'id' | 'title' | 'testType'>, reportName: string): string {
  const title = test.title?.trim() ?? '';
  return title === '' || title === reportName || title === test.testType
    ? `test #${test.id} (${test.testType})`
    : `test #${test.id} “${title}” (${test.testType})`;
}
