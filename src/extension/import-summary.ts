import type { Ledger } from '../engine';
import type { ImportCounts, ImportRecord } from '../model';

/**
 * Small pure rules of the import flow, kept apart from `vscode` so they are unit tested: the
 * status-bar summary and the "unchanged report" check.
 */

/** The editor decodes report bytes exactly as the CLI does; re-exported for `report-import.ts`. */

/**
 * "Trivy Scan: 3 created, 1 closed, 1 reactivated": the counts that changed something, in
 * DefectDojo's order; an import that changed nothing says so with the untouched count.
 */
export function formatImportSummary(testType: string, counts: ImportCounts): string {
  const parts: string[] = [];
  if (counts.created > 0) parts.push(`${counts.created} created`);
  if (counts.closed > 0) parts.push(`${counts.closed} closed`);
  if (counts.reactivated > 0) parts.push(`${counts.reactivated} reactivated`);
  if (parts.length === 0) parts.push(`no changes (${counts.untouched} untouched)`);
  return `${testType}: ${parts.join(', ')}`;
}

/**
 * The latest import of this report (by its workspace-relative name), optionally within one
 * test. Imports of deleted tests are gone from the store, so they never count.
 */
export function lastReportImport(imports: readonly ImportRecord[], reportName: string, testId?: number): ImportRecord | undefined {
  let latest: ImportRecord | undefined;
  for (const r of imports) {
    if (r.settings.reportName !== reportName) continue;
    if (testId !== undefined && r.testId !== testId) continue;
    if (!latest || r.id > latest.id) latest = r;
  }
  return latest;
}

/**
 * The SHA-256 the latest import of this report recorded, so a rewrite with identical content
 * is skipped; a report whose test was deleted is imported again.
 */
export function lastReportSha256(imports: readonly ImportRecord[], reportName: string, testId?: number): string | null {
  return lastReportImport(imports, reportName, testId)?.settings.reportSha256 ?? null;
}

/**
 * The test a report file was last imported into, when it still fits the request (same scan
 * type, same engagement of the same product): a watched file keeps reimporting into its test
 * even when the CLI created that test without a title, or the title changed since.
 */
export function testOfReport(
  ledger: Ledger,
  reportName: string,
  want: { scanType: string; engagementName: string; productName: string },
): number | undefined {
  const previous = lastReportImport(ledger.data.imports, reportName);
  const test = previous ? ledger.test(previous.testId) : undefined;
  if (!test || test.scanType !== want.scanType) return undefined;
  const engagement = ledger.engagement(test.engagementId);
  if (!engagement || engagement.name !== want.engagementName) return undefined;
  return ledger.product(engagement.productId)?.name === want.productName ? test.id : undefined;
}

/** The latest import of a test, for "reimport this test's report". */
export function latestImportOfTest(imports: readonly ImportRecord[], testId: number): ImportRecord | undefined {
  let latest: ImportRecord | undefined;
  for (const r of imports) if (r.testId === testId && (!latest || r.id > latest.id)) latest = r;
  return latest;
}
