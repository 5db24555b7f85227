import type { DedupeAlgorithm, Engagement, Finding, ParsedReport, Severity, Test } from '../model';
import type { EngineContext } from './context';
import { deduplicateFindings } from './dedupe';
import { hashConfigFor } from './dedupe-config';
import { assignFingerprints } from './fingerprint';
import { groupNewFindings } from './finding-groups';
import { computeHashCode } from './hash-code';
import {
  BATCH_SIZE,
  type ResolvedRun,
  actionRecords,
  draftFinding,
  keptFindings,
  recordImport,
  reserveImportId,
  resolveRun,
  runLabel,
  sanitiseReportSeverities,
  storeNewFinding,
  updateTestBookkeeping,
} from './incoming-finding';
import type { Ledger } from './ledger';
import { ignoresUnreliableUniqueIds, unreliableUniqueIds } from './matching';
import { reimportMatcherFor } from './reimport-matchers';
import { syncVulnerabilityIds } from './normalise';
import { createTest, ensureEngagement } from './product-context';
import { mitigateFinding } from './status';
import type { ImportOptions, ImportResult } from './types';

/**
 * The note DefectDojo leaves on a finding closed by an import's close-old (§3.3 step 6). The
 * test title is the literal `None` when the test has none, as Python prints it; where
 * DefectDojo puts the test's URL we put the test's address in the ledger.
 */
export function importCloseOldNote(test: Test): string {
  return (
    `This Finding has been automatically closed by the Test: \n "${test.title ?? 'None'}"\n` +
    `scan-ledger:test/${test.id}\n\nThis is because this Finding is not present anymore in recent scans.`
  );
}

/** Runs passive dedupe / false-positive history on one batch, sorted by id (§3.2 step 4, §5.1). */
export function postProcessBatch(ledger: Ledger, batch: Finding[], ctx: EngineContext): void {
  if (batch.length === 0) return;
  batch.sort((a, b) => a.id - b.id);
  deduplicateFindings(ledger, batch, ctx);
}

/**
 * Import's close-old (§3.3): findings of other tests of the same Test_Type in the engagement (or
 * product) that are active or risk-accepted, not reported any more by this import under the
 * test's algorithm, and of the same service, are mitigated with the close-old note.
 */
function closeOldOnImport(
  ledger: Ledger,
  test: Test,
  engagement: Engagement,
  created: readonly Finding[],
  run: ResolvedRun,
  algorithm: DedupeAlgorithm,
  reason: string,
  ctx: EngineContext,
): Finding[] {
  const stillPresent = reimportMatcherFor(algorithm).stillPresent(created.filter((f) => !f.isMitigated));
  // Product scope widens close-old; on its own it closes nothing, as in DefectDojo's API.
  const engagements = run.closeOldFindingsProductScope ? ledger.engagementsOfProduct(engagement.productId) : [engagement];
  const candidates: Finding[] = [];
  for (const e of engagements) {
    for (const t of ledger.testsOfEngagement(e.id)) {
      if (t.id === test.id || t.testType !== test.testType) continue;
      for (const f of ledger.findingsOfTest(t.id)) {
        if (!(f.active || f.riskAccepted)) continue;
        if (stillPresent(f)) continue;
        // Service scoping (§3.3 step 5): with a service, exactly that service; without, none.
        if (run.service !== null ? f.service !== run.service : !!f.service) continue;
        candidates.push(f);
      }
    }
  }
  candidates.sort((a, b) => a.id - b.id);
  const note = importCloseOldNote(test);
  for (const f of candidates) mitigateFinding(ledger, f, ctx, { note, scanDate: run.scanDate, reason });
  return candidates;
}

/**
 * Imports a report into a new test of an engagement (DefectDojo's `DefaultImporter`, §3.2–§3.3):
 * every kept finding is created in report order, post-processed per batch, then old findings
 * of other tests are closed when asked, and the import is recorded.
 */
export function importScan(ledger: Ledger, report: ParsedReport, options: ImportOptions, ctx: EngineContext): ImportResult {
  // Everything that can refuse the report runs before the first change to the ledger.
  const severities = sanitiseReportSeverities(report);
  const run = resolveRun('import', options, ctx);
  // The options name the engagement (product type, product, engagement, and the deduplication
  // scope of one it creates); ensureEngagement reads those fields and no other.
  const engagement = ensureEngagement(ledger, options, ctx);
  return importIntoNewTest(ledger, report, severities, run, engagement, ctx);
}

/** The import proper, once the report is validated and the engagement resolved. */
export function importIntoNewTest(
  ledger: Ledger,
  report: ParsedReport,
  severities: readonly Severity[],
  run: ResolvedRun,
  engagement: Engagement,
  ctx: EngineContext,
): ImportResult {
  const importId = reserveImportId(ledger);
  const test = createTest(
    ledger,
    {
      engagement,
      scanType: run.scanType,
      testType: report.testType || run.scanType,
      title: run.options.testTitle ?? null,
      description: report.description ?? null,
      scanDate: run.scanTimestamp,
      // The report's tool version is copied first; the bookkeeping below decides whether the
      // (possibly empty) version option replaces it (§3.2 step 7).
      version: report.toolVersion ?? '',
      tags: run.tags,
    },
    ctx,
  );
  const hashConfig = hashConfigFor(test.testType, test.scanType, ctx.settings);
  const kept = keptFindings(report, severities, run.minimumSeverity);
  const ignoreUnreliable = ignoresUnreliableUniqueIds(hashConfig.algorithm, ctx.settings);
  const isUnreliable = ignoreUnreliable ? unreliableUniqueIds(kept.map((k) => k.parsed.uniqueIdFromTool)) : null;

  const drafts = kept.map(({ parsed, severity }) => draftFinding(parsed, severity, test, run, ctx));
  // Fingerprints (docs/improvements.md §4) are our own identity, computed over the whole report because
  // identical flagged lines are numbered; they never enter DefectDojo's hash codes.
  assignFingerprints(drafts, ctx);
  const created: Finding[] = [];
  let batch: Finding[] = [];
  for (const draft of drafts) {
    // Import order (§3.2 step 3): CVE sync, then the hash code unless the parser supplied one.
    syncVulnerabilityIds(draft);
    if (draft.hashCode == null) draft.hashCode = computeHashCode(draft, hashConfig);
    // Improvement 2 nulls unreliable unique ids after hashing, so the hash code stays the one
    // DefectDojo computes from the report.
    if (isUnreliable && draft.uniqueIdFromTool != null && isUnreliable(draft.uniqueIdFromTool)) {
      draft.uniqueIdFromTool = null;
    }
    const f = storeNewFinding(ledger, draft, ctx);
    created.push(f);
    batch.push(f);
    if (batch.length >= BATCH_SIZE) {
      postProcessBatch(ledger, batch, ctx);
      batch = [];
    }
  }
  postProcessBatch(ledger, batch, ctx);
  // §3.2 step 5: groups, after every finding is stored and before close-old.
  if (run.groupBy) groupNewFindings(ledger, test, created, run.groupBy, run.createFindingGroupsForAllFindings, ctx);

  const closed = run.closeOldFindings
    ? closeOldOnImport(ledger, test, engagement, created, run, hashConfig.algorithm, `close-old of ${runLabel(run, importId)}`, ctx)
    : [];
  updateTestBookkeeping(ledger, test, run, ctx);
  const actions = actionRecords(ledger, { closed, created, reactivated: [], untouched: [] });
  const record = recordImport(ledger, importId, test, run, effectiveAlgorithm(hashConfig.algorithm), actions, ctx, report.warnings);
  return { testId: test.id, importId: record.id, type: 'import', scanType: run.scanType, counts: record.counts, actions };
}

/**
 * The algorithm actually used for a configured one, as recorded in the import settings
 * snapshot: the matcher's own, which the static matcher table makes the configured one.
 */
export function effectiveAlgorithm(algorithm: DedupeAlgorithm): string {
  return reimportMatcherFor(algorithm).algorithm;
}
