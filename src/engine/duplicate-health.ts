import type { Engagement, Finding, ImportRecord, Settings, Test } from '../model';
import { hashConfigFor } from './dedupe-config';
import { DUPE_DELETE_MAX_PER_RUN, excessDuplicates } from './delete-duplicates';
import type { Ledger } from './ledger';
import { isPlaceholderUniqueId } from './matching';

/*
 * Duplicate health (issue 17): DefectDojo's "Avoiding Excess Duplicates" guidance says a pile of
 * duplicates usually means one report is imported as a new test again and again, or that two
 * engagements cover the same context. This module reads the ledger and says where that happens;
 * it changes nothing, so it is the same with `defectdojoParity` on or off.
 *
 * Two findings of different tests are counterparts when the ledger already links them (one is a
 * duplicate of the other, or both are duplicates of the same original) or when they share the key
 * DefectDojo's deduplication compares for their test's algorithm (hash code, unique id from the
 * tool, or our fingerprint). Keys are compared as well as links because a link exists only where
 * deduplication ran in scope: engagements that deduplicate on their own, or `dedupe.enabled` off,
 * leave the same report's findings unlinked, and those are exactly the process problems to show.
 * Only tests of the same scan type and the same product are compared, as DefectDojo's dedupe
 * scope (§5.2) never looks further.
 */

/** The default of `scanLedger.duplicates.warnThreshold`, in percent. */
export const DEFAULT_DUPLICATE_WARN_THRESHOLD = 80;

/** How many findings of one test have a counterpart in another test. */
export interface TestOverlap {
  testId: number;
  /** Findings of the test with at least one counterpart in `testId`. */
  duplicates: number;
  /** Of those, how many the ledger links (a duplicate link, not only an equal key). */
  linked: number;
  /** `duplicates` as a whole percentage of the test's findings, rounded down. */
  percent: number;
}

/** One test: its findings and the other tests they duplicate, most duplicated first. */
export interface TestDuplicateHealth {
  testId: number;
  title: string;
  scanType: string;
  engagementId: number;
  productId: number;
  findings: number;
  /** The report of the test's last import, when it was recorded. */
  reportName: string | null;
  overlaps: TestOverlap[];
}

/** How much two engagements of one product overlap, in each direction. */
export interface EngagementOverlap {
  productId: number;
  /** The older engagement (lower id). */
  engagementId: number;
  /** The newer engagement (higher id). */
  otherEngagementId: number;
  findings: number;
  otherFindings: number;
  /** Findings of `engagementId` with a counterpart in `otherEngagementId`. */
  shared: number;
  /** Findings of `otherEngagementId` with a counterpart in `engagementId`. */
  otherShared: number;
  percent: number;
  otherPercent: number;
}

/** Why two tests overlap: the same report file imported twice, or two reports finding the same. */
export type DuplicateCause = 'same-report' | 'same-findings';

/** A test or engagement whose findings mostly duplicate another's, at or above the threshold. */
export type DuplicateWarning =
  | {
      kind: 'test';
      testId: number;
      /** The test it duplicates: the one to reimport into, or merge into. */
      targetTestId: number;
      percent: number;
      duplicates: number;
      findings: number;
      cause: DuplicateCause;
      scanType: string;
      reportName: string | null;
      message: string;
    }
  | {
      kind: 'engagement';
      engagementId: number;
      targetEngagementId: number;
      percent: number;
      duplicates: number;
      findings: number;
      message: string;
    };

export interface DuplicateHealthReport {
  threshold: number;
  tests: TestDuplicateHealth[];
  engagementPairs: EngagementOverlap[];
  warnings: DuplicateWarning[];
}

export interface DuplicateHealthOptions {
  /** Only this product's tests and engagements (by id). */
  productId?: number;
  /** Percent; default `duplicates.warnThreshold` from the settings. */
  threshold?: number;
}

/** The keys a finding is compared by under its test's algorithm, prefixed by kind. */
function comparisonKeys(f: Finding, algorithm: string): string[] {
  const keys: string[] = [];
  const hash = f.hashCode != null ? `h:${f.hashCode}` : null;
  // A placeholder or empty unique id identifies nothing (improvement 2's rule), so it is never a key.
  const uid = f.uniqueIdFromTool != null && !isPlaceholderUniqueId(f.uniqueIdFromTool) ? `u:${f.uniqueIdFromTool}` : null;
  const fingerprint = f.fingerprint ? `f:${f.fingerprint}` : null;
  switch (algorithm) {
    case 'unique_id_from_tool':
      if (uid) keys.push(uid);
      break;
    case 'unique_id_from_tool_or_hash_code':
      if (uid) keys.push(uid);
      if (hash) keys.push(hash);
      break;
    case 'fingerprint':
      if (fingerprint) keys.push(fingerprint);
      else {
        if (uid) keys.push(uid);
        if (hash) keys.push(hash);
      }
      break;
    default:
      // `hash_code`, and `legacy`, whose dedupe compares the hash code among other fields.
      if (hash) keys.push(hash);
  }
  return keys;
}

/** The findings the ledger's global indexes list under a comparison key. */
function findingsUnderKey(ledger: Ledger, key: string): readonly Finding[] {
  const value = key.slice(2);
  if (key.startsWith('h:')) return ledger.findingsByHash.get(value) ?? [];
  if (key.startsWith('u:')) return ledger.findingsByUniqueId.get(value) ?? [];
  return ledger.findingsByFingerprint.get(value) ?? [];
}

/** The last import record of a test (highest id), or undefined when it has none. */
export function lastImportOf(ledger: Ledger, testId: number): ImportRecord | undefined {
  let last: ImportRecord | undefined;
  for (const r of ledger.importsOfTest(testId)) if (!last || r.id > last.id) last = r;
  return last;
}

/** `“title”` of a test, or its test type when it has no title. */
export function testDisplayName(t: Test): string {
  return t.title && t.title.trim().length > 0 ? t.title : t.testType;
}

/** For every finding, the other tests it has a counterpart in, and which of them are linked. */
interface Counterparts {
  tests: Set<number>;
  linkedTests: Set<number>;
}

/**
 * Finds, for each finding of the compared tests, the other comparable tests it has a
 * counterpart in. Every lookup goes through the ledger's indexes, so the cost follows the number
 * of equal findings, not the store size.
 */
function counterpartsOf(ledger: Ledger, tests: readonly Test[], settings: Settings): Map<number, Counterparts> {
  const comparable = new Map<number, string>();
  const productOf = new Map<number, number>();
  for (const t of tests) {
    const productId = ledger.engagement(t.engagementId)?.productId;
    if (productId === undefined) continue;
    productOf.set(t.id, productId);
    comparable.set(t.id, `${productId}\u0000${t.scanType}`);
  }
  const algorithms = new Map<number, string>();
  for (const t of tests) algorithms.set(t.id, hashConfigFor(t.testType, t.scanType, settings).algorithm);

  const result = new Map<number, Counterparts>();
  for (const t of tests) {
    const scope = comparable.get(t.id);
    if (scope === undefined) continue;
    const sameScope = (other: Finding): boolean => other.testId !== t.id && comparable.get(other.testId) === scope;
    for (const f of ledger.findingsOfTest(t.id)) {
      const entry: Counterparts = { tests: new Set(), linkedTests: new Set() };
      const linked = (other: Finding | undefined): void => {
        if (other && sameScope(other)) {
          entry.tests.add(other.testId);
          entry.linkedTests.add(other.testId);
        }
      };
      // Links: f's original, f's own duplicates, and the other duplicates of f's original.
      if (f.duplicate && f.duplicateOf != null) {
        linked(ledger.finding(f.duplicateOf));
        for (const sibling of ledger.duplicatesOf.get(f.duplicateOf) ?? []) linked(sibling);
      }
      for (const d of ledger.duplicatesOf.get(f.id) ?? []) linked(d);
      for (const key of comparisonKeys(f, algorithms.get(t.id) ?? 'hash_code')) {
        for (const other of findingsUnderKey(ledger, key)) if (sameScope(other)) entry.tests.add(other.testId);
      }
      if (entry.tests.size > 0) result.set(f.id, entry);
    }
  }
  return result;
}

/** A whole percentage, rounded down, so 999 of 1000 never reads as 100%. */
function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.floor((part * 100) / whole);
}

/** Whether `part / whole` reaches `threshold` percent, compared exactly rather than after rounding. */
function reaches(part: number, whole: number, threshold: number): boolean {
  return whole > 0 && part * 100 >= threshold * whole;
}

/**
 * Whether two tests were last imported from the same report: the same file (`name`), or the
 * same bytes under another name (`content`), or neither (null).
 */
function sameReport(a: ImportRecord | undefined, b: ImportRecord | undefined): 'name' | 'content' | null {
  if (!a || !b) return null;
  if (!!a.settings.reportName && a.settings.reportName === b.settings.reportName) return 'name';
  if (a.settings.reportSha256 && a.settings.reportSha256 === b.settings.reportSha256) return 'content';
  return null;
}

/** Same engagement and same title: the test a reimport of either report would have targeted (§4.1). */
function sameTitle(a: Test | undefined, b: Test | undefined): boolean {
  return !!a && !!b && a.engagementId === b.engagementId && (a.title ?? null) === (b.title ?? null);
}

/** The sentence the tree, the CLI and the panel show for a test warning. */
export function testWarningMessage(w: { percent: number; targetTestId: number; scanType: string; reportName: string | null; cause: DuplicateCause }): string {
  const head = `${w.percent}% of this test duplicates test #${w.targetTestId}`;
  if (w.cause === 'same-report') {
    return `${head} (same ${w.scanType}${w.reportName ? ` from ${w.reportName}` : ''}): the same report is being imported as a new test`;
  }
  return `${head} (both ${w.scanType}, same title): the same findings are being imported as a new test`;
}

/** The sentence for an engagement warning (DefectDojo's "Duplicate or Reused Engagements"). */
export function engagementWarningMessage(w: { percent: number; targetEngagementId: number; targetName: string }): string {
  return `${w.percent}% of this engagement's findings are also in engagement #${w.targetEngagementId} “${w.targetName}”: duplicate or reused engagements`;
}

/**
 * The duplicate-health report of a ledger: per test, the other tests (same scan type, same
 * product) its findings duplicate; per pair of engagements of a product, how much their findings
 * overlap; and the warnings at or above the threshold. A test warns about the test it duplicates
 * most (ties: the oldest) when it holds the same report, or has the same title in the same
 * engagement; when two tests duplicate each other both ways at the threshold, only the newer one
 * warns, because it is the one that should have been a reimport.
 */
export function duplicateHealth(ledger: Ledger, settings: Settings, options: DuplicateHealthOptions = {}): DuplicateHealthReport {
  const threshold = options.threshold ?? settings['duplicates.warnThreshold'] ?? DEFAULT_DUPLICATE_WARN_THRESHOLD;
  const inProduct = (e: Engagement | undefined): e is Engagement => !!e && (options.productId === undefined || e.productId === options.productId);
  const tests = [...ledger.data.tests].filter((t) => inProduct(ledger.engagement(t.engagementId))).sort((a, b) => a.id - b.id);
  const counterparts = counterpartsOf(ledger, tests, settings);

  const health: TestDuplicateHealth[] = tests.map((t) => {
    const findings = ledger.findingsOfTest(t.id);
    const byTest = new Map<number, { duplicates: number; linked: number }>();
    for (const f of findings) {
      const c = counterparts.get(f.id);
      if (!c) continue;
      for (const other of c.tests) {
        const entry = byTest.get(other) ?? { duplicates: 0, linked: 0 };
        entry.duplicates++;
        if (c.linkedTests.has(other)) entry.linked++;
        byTest.set(other, entry);
      }
    }
    const overlaps = [...byTest]
      .map(([testId, n]) => ({ testId, duplicates: n.duplicates, linked: n.linked, percent: percentOf(n.duplicates, findings.length) }))
      .sort((a, b) => b.duplicates - a.duplicates || a.testId - b.testId);
    const engagement = ledger.engagement(t.engagementId) as Engagement;
    return {
      testId: t.id,
      title: testDisplayName(t),
      scanType: t.scanType,
      engagementId: t.engagementId,
      productId: engagement.productId,
      findings: findings.length,
      reportName: lastImportOf(ledger, t.id)?.settings.reportName ?? null,
      overlaps,
    };
  });

  const healthById = new Map(health.map((h) => [h.testId, h]));
  const warnings: DuplicateWarning[] = [];
  for (const h of health) {
    const best = h.overlaps[0];
    if (!best || !reaches(best.duplicates, h.findings, threshold)) continue;
    const target = healthById.get(best.testId);
    const back = target?.overlaps.find((o) => o.testId === h.testId);
    if (target && back && reaches(back.duplicates, target.findings, threshold) && target.testId > h.testId) continue;
    const report = sameReport(lastImportOf(ledger, h.testId), lastImportOf(ledger, best.testId));
    const cause: DuplicateCause = report !== null ? 'same-report' : 'same-findings';
    // Two report files that find the same things in tests the user titled apart (a CI copy of a
    // report beside the local one, routed by a watch entry's `testTitle`) are a deliberate
    // layout, not a redundant import, even when their bytes are equal: their overlap is in the
    // figures, but only the same file, or a same-titled test that a reimport would have
    // targeted, is warned about.
    if (report !== 'name' && !sameTitle(ledger.test(h.testId), ledger.test(best.testId))) continue;
    const fields = { percent: best.percent, targetTestId: best.testId, scanType: h.scanType, reportName: h.reportName, cause };
    warnings.push({ kind: 'test', testId: h.testId, duplicates: best.duplicates, findings: h.findings, ...fields, message: testWarningMessage(fields) });
  }

  const engagementPairs = engagementOverlaps(ledger, tests, counterparts);
  for (const pair of engagementPairs) {
    // The newer engagement is the one reused or duplicated, unless only the older one is covered.
    const sides = [
      { from: pair.otherEngagementId, to: pair.engagementId, shared: pair.otherShared, findings: pair.otherFindings, percent: pair.otherPercent },
      { from: pair.engagementId, to: pair.otherEngagementId, shared: pair.shared, findings: pair.findings, percent: pair.percent },
    ];
    const side = sides.find((s) => reaches(s.shared, s.findings, threshold));
    if (!side) continue;
    const targetName = ledger.engagement(side.to)?.name ?? '';
    warnings.push({
      kind: 'engagement',
      engagementId: side.from,
      targetEngagementId: side.to,
      percent: side.percent,
      duplicates: side.shared,
      findings: side.findings,
      message: engagementWarningMessage({ percent: side.percent, targetEngagementId: side.to, targetName }),
    });
  }
  return { threshold, tests: health, engagementPairs, warnings };
}

/** For every pair of engagements of one product sharing findings, the overlap both ways. */
function engagementOverlaps(ledger: Ledger, tests: readonly Test[], counterparts: ReadonlyMap<number, Counterparts>): EngagementOverlap[] {
  const totals = new Map<number, number>();
  const shared = new Map<string, number>();
  for (const t of tests) {
    const findings = ledger.findingsOfTest(t.id);
    totals.set(t.engagementId, (totals.get(t.engagementId) ?? 0) + findings.length);
    for (const f of findings) {
      const c = counterparts.get(f.id);
      if (!c) continue;
      const engagements = new Set<number>();
      for (const other of c.tests) {
        const e = ledger.test(other)?.engagementId;
        if (e !== undefined && e !== t.engagementId) engagements.add(e);
      }
      for (const e of engagements) {
        const key = `${t.engagementId}:${e}`;
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
    }
  }
  const pairs: EngagementOverlap[] = [];
  const unordered = new Set<string>();
  for (const key of shared.keys()) {
    const [x, y] = key.split(':').map(Number);
    unordered.add(x < y ? `${x}:${y}` : `${y}:${x}`);
  }
  for (const key of unordered) {
    const [a, b] = key.split(':').map(Number);
    const productId = ledger.engagement(a)?.productId;
    if (productId === undefined) continue;
    const findings = totals.get(a) ?? 0;
    const otherFindings = totals.get(b) ?? 0;
    const aShared = shared.get(`${a}:${b}`) ?? 0;
    const bShared = shared.get(`${b}:${a}`) ?? 0;
    pairs.push({
      productId,
      engagementId: a,
      otherEngagementId: b,
      findings,
      otherFindings,
      shared: aShared,
      otherShared: bShared,
      percent: percentOf(aShared, findings),
      otherPercent: percentOf(bShared, otherFindings),
    });
  }
  // Sorted by engagement ids, so the report reads the same on every run.
  return pairs.sort((x, y) => x.engagementId - y.engagementId || x.otherEngagementId - y.otherEngagementId);
}

/** What turning on `dedupe.deleteDuplicates` would delete now (§5.8), before it is turned on. */
export interface ExcessDuplicatesPreview {
  maxDuplicates: number | null;
  /** Every duplicate beyond `maxDuplicates` of its original. */
  total: number;
  /** How many the next run deletes (DefectDojo deletes at most 200 per run). */
  nextRun: number;
  perRunLimit: number;
  /** Per test, how many of its findings would go, most first. */
  tests: { testId: number; title: string; count: number }[];
}

/**
 * Counts the duplicates §5.8 would delete with `maxDuplicates` (the draft value, whatever
 * `deleteDuplicates` says now): the same selection `deleteExcessDuplicates` deletes from.
 * `null` never deletes.
 */
export function previewExcessDuplicates(ledger: Ledger, maxDuplicates: number | null): ExcessDuplicatesPreview {
  const empty: ExcessDuplicatesPreview = { maxDuplicates, total: 0, nextRun: 0, perRunLimit: DUPE_DELETE_MAX_PER_RUN, tests: [] };
  if (maxDuplicates == null) return empty;
  const excess = excessDuplicates(ledger, maxDuplicates);
  const byTest = new Map<number, number>();
  for (const d of excess) byTest.set(d.testId, (byTest.get(d.testId) ?? 0) + 1);
  const tests = [...byTest]
    .map(([testId, count]) => {
      const t = ledger.test(testId);
      return { testId, title: t ? testDisplayName(t) : `#${testId}`, count };
    })
    .sort((a, b) => b.count - a.count || a.testId - b.testId);
  return { ...empty, total: excess.length, nextRun: Math.min(excess.length, DUPE_DELETE_MAX_PER_RUN), tests };
}
