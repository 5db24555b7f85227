import type {
  Finding,
  ImportActionRecord,
  ImportCounts,
  ImportRecord,
  ImportSettingsSnapshot,
  ParsedFinding,
  ParsedReport,
  Severity,
  Test,
} from '../model';
import type { EngineContext } from './context';
import { nowIso, todayIso } from './context';
import { newEndpointStatuses } from './endpoint-status';
import { GROUP_BY_OPTIONS, type GroupByOption } from './finding-groups';
import type { Ledger } from './ledger';
import { isBelowMinimumSeverity, numericalSeverity, sanitizeSeverity, storedVulnerabilityIds } from './normalise';
import { updateSlaExpiration } from './sla';
import { applyStatusInvariants, scanDateTimestamp } from './status';
import type { ImportOptions } from './types';
import { ImportValidationError } from './types';

/** DefectDojo's `Finding.title` column length (§1.2). */
export const MAX_TITLE_LENGTH = 511;

/** How many findings go through matching and post-processing at a time (DefectDojo's 1000). */
export const BATCH_SIZE = 1000;

/** The options of one run with every default resolved from the settings. */
export interface ResolvedRun {
  kind: 'import' | 'reimport';
  scanType: string;
  active: boolean | null;
  verified: boolean | null;
  minimumSeverity: Severity;
  /** The user's scan date (YYYY-MM-DD), or null when the scan date is "now". */
  scanDate: string | null;
  /** The scan date as a timestamp: midnight UTC of the given day, or now. */
  scanTimestamp: string;
  /** The run's clock as an ISO timestamp and date, computed once rather than per finding. */
  now: string;
  today: string;
  tags: string[];
  applyTagsToFindings: boolean;
  service: string | null;
  closeOldFindings: boolean;
  closeOldFindingsProductScope: boolean;
  doNotReactivate: boolean;
  groupBy: GroupByOption | null;
  createFindingGroupsForAllFindings: boolean;
  options: ImportOptions;
}

/**
 * The id of the import record a run will write, reserved when the run starts changing the
 * ledger, so audit entries can name the run (`reimport #7`) before the record exists.
 */
export function reserveImportId(ledger: Ledger): number {
  return ledger.nextId('importRecord');
}

/** How audit entries name a run: `import #3`, `reimport #7`. */
export function runLabel(run: ResolvedRun, importId: number): string {
  return `${run.kind} #${importId}`;
}

/**
 * Resolves an import's options against the settings and checks the scan date: DefectDojo's API
 * accepts a date only, and refuses one in the future.
 */
export function resolveRun(kind: 'import' | 'reimport', options: ImportOptions, ctx: EngineContext): ResolvedRun {
  const s = ctx.settings;
  const scanDate = options.scanDate ?? null;
  if (scanDate !== null) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(scanDate) || Number.isNaN(Date.parse(`${scanDate}T00:00:00Z`))) {
      throw new ImportValidationError(`Scan date "${scanDate}" is not a date (YYYY-MM-DD).`, null, scanDate);
    }
    if (scanDate > todayIso(ctx)) {
      throw new ImportValidationError(`Scan date ${scanDate} is in the future.`, null, scanDate);
    }
  }
  const groupBy = options.groupBy ?? null;
  if (groupBy !== null && !(GROUP_BY_OPTIONS as readonly string[]).includes(groupBy)) {
    throw new ImportValidationError(`Group by "${String(groupBy)}" is not one of ${GROUP_BY_OPTIONS.join(', ')}.`, null, String(groupBy));
  }
  return {
    kind,
    scanType: options.scanType,
    active: options.active ?? null,
    verified: options.verified ?? null,
    minimumSeverity: options.minimumSeverity ?? s.minimumSeverity,
    scanDate,
    scanTimestamp: scanDateTimestamp(scanDate, ctx),
    now: nowIso(ctx),
    today: todayIso(ctx),
    tags: (options.tags ?? []).map((t) => t.toLowerCase()),
    applyTagsToFindings: options.applyTagsToFindings ?? false,
    service: options.service ?? null,
    closeOldFindings:
      options.closeOldFindings ?? (kind === 'import' ? s['import.closeOldFindings'] : s['reimport.closeOldFindings']),
    closeOldFindingsProductScope: options.closeOldFindingsProductScope ?? false,
    doNotReactivate: options.doNotReactivate ?? s['reimport.doNotReactivate'],
    groupBy,
    createFindingGroupsForAllFindings: options.createFindingGroupsForAllFindings ?? true,
    options,
  };
}

/**
 * Sanitises every finding's severity before anything is stored (§1.2): one severity DefectDojo
 * cannot clean aborts the whole import, so a bad report never leaves half an import behind.
 */
export function sanitiseReportSeverities(report: ParsedReport): Severity[] {
  return report.findings.map((f, index) => {
    const severity = sanitizeSeverity(String(f.severity));
    if (severity === null) {
      throw new ImportValidationError(
        `Finding ${index + 1} "${f.title}" has severity "${f.severity}", which is not one of Critical, High, Medium, Low, Info.`,
        f.title,
        String(f.severity),
      );
    }
    return severity;
  });
}

/** Truncates to DefectDojo's 511 characters, counted in code points as Python counts them. */
export function truncateTitle(title: string): string {
  if (title.length <= MAX_TITLE_LENGTH) return title;
  const points = Array.from(title);
  return points.length <= MAX_TITLE_LENGTH ? title : points.slice(0, MAX_TITLE_LENGTH).join('');
}

/**
 * A parser-supplied `mitigated` without a time zone is read in the server's zone by DefectDojo;
 * ours is UTC. A date alone becomes midnight UTC. Anything else is kept as the report said it.
 */
export function normaliseTimestamp(value: string | null | undefined): string | null {
  if (value == null || value === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00.000Z`;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return `${value.replace(' ', 'T')}Z`;
  return value;
}

function blankToNull(value: string | null | undefined): string | null {
  return value == null || value.trim() === '' ? null : value;
}

/**
 * An unsaved finding built from a parsed one for a test: DefectDojo's per-finding preparation
 * on import (§3.2 step 3) and for new findings on reimport (§4.6), except CVE sync, hash code
 * and status invariants, whose order differs between the two paths. The id is 0 until stored.
 *
 * Titles: DefectDojo title-cases the title on every save. We keep the scanner's title for
 * display, deliberately: hash codes case-fold, legacy reimport matching is case-insensitive and
 * the editor should show what the scanner said. Only the 511-character truncation is applied.
 */
export function draftFinding(parsed: ParsedFinding, severity: Severity, test: Test, run: ResolvedRun, ctx: EngineContext): Finding {
  const now = run.now;
  const cwe = parsed.cwe === undefined ? 0 : parsed.cwe;
  const extraCwes = [...new Set(parsed.cwes ?? [])].filter((c) => c !== cwe);
  const endpoints = [...(parsed.endpoints ?? [])];
  const filePath = parsed.filePath ?? null;
  let staticFinding = parsed.staticFinding ?? false;
  let dynamicFinding = parsed.dynamicFinding ?? true;
  // `Finding.save()` for new findings: a file path makes a finding static, and without any
  // endpoint also not dynamic (§1.4 "Other things save() does").
  if (filePath) {
    staticFinding = true;
    if (endpoints.length === 0) dynamicFinding = false;
  }
  const tags = (parsed.tags ?? []).map((t) => t.toLowerCase());
  if (run.applyTagsToFindings) for (const t of run.tags) if (!tags.includes(t)) tags.push(t);
  // Every field is listed explicitly, in one order, rather than spreading the parsed finding:
  // V8 objects built by a spread followed by dozens of properties fall into a slow path that
  // costs over 100 µs per finding, and one shape for every finding keeps property access fast.
  const draft: Finding = {
    id: 0,
    testId: test.id,
    title: truncateTitle(parsed.title),
    severity,
    numericalSeverity: numericalSeverity(severity),
    description: parsed.description,
    hashCode: parsed.hashCode ?? null,
    date: run.scanDate ?? (parsed.date ? parsed.date.slice(0, 10) : run.today),
    cwe,
    cwes: extraCwes,
    cve: parsed.cve ?? null,
    vulnerabilityIds: [...(parsed.vulnerabilityIds ?? [])],
    filePath,
    line: parsed.line,
    componentName: blankToNull(parsed.componentName),
    componentVersion: blankToNull(parsed.componentVersion),
    uniqueIdFromTool: parsed.uniqueIdFromTool,
    vulnIdFromTool: parsed.vulnIdFromTool,
    service: run.service !== null ? run.service : (parsed.service ?? null),
    mitigation: parsed.mitigation,
    impact: parsed.impact,
    references: parsed.references,
    stepsToReproduce: parsed.stepsToReproduce,
    severityJustification: parsed.severityJustification,
    payload: parsed.payload,
    cvssv3: parsed.cvssv3,
    cvssv3Score: parsed.cvssv3Score,
    cvssv4: parsed.cvssv4,
    cvssv4Score: parsed.cvssv4Score,
    epssScore: parsed.epssScore,
    epssPercentile: parsed.epssPercentile,
    knownExploited: parsed.knownExploited,
    ransomwareUsed: parsed.ransomwareUsed,
    kevDate: parsed.kevDate,
    scannerConfidence: parsed.scannerConfidence,
    fixAvailable: parsed.fixAvailable,
    fixVersion: parsed.fixVersion,
    nbOccurences: parsed.nbOccurences,
    sastSourceObject: parsed.sastSourceObject,
    sastSinkObject: parsed.sastSinkObject,
    sastSourceLine: parsed.sastSourceLine,
    sastSourceFilePath: parsed.sastSourceFilePath,
    endpoints,
    tags,
    location: parsed.location ? { ...parsed.location } : undefined,
    suppression: parsed.suppression,
    active: run.active ?? parsed.active ?? true,
    verified: run.verified ?? parsed.verified ?? false,
    falsePositive: parsed.falsePositive ?? false,
    outOfScope: parsed.outOfScope ?? false,
    riskAccepted: parsed.riskAccepted ?? false,
    underReview: parsed.underReview ?? false,
    isMitigated: parsed.isMitigated ?? false,
    mitigated: normaliseTimestamp(parsed.mitigated),
    mitigatedBy: parsed.mitigatedBy ?? null,
    staticFinding,
    dynamicFinding,
    duplicate: false,
    duplicateOf: null,
    foundBy: [test.testType],
    reporter: ctx.user,
    created: now,
    lastStatusUpdate: now,
    lastReviewed: now,
    lastReviewedBy: ctx.user,
    // DefectDojo leaves the SLA start empty (the finding's date stands in); the expiration is
    // computed when the finding is stored (§1.6).
    slaStartDate: null,
    slaExpirationDate: null,
    endpointStatus: newEndpointStatuses(endpoints),
    notes: [],
    audit: [],
  };
  // Fields a parser sets that are not listed above (added to the model later) are kept as is.
  const target = draft as unknown as Record<string, unknown>;
  for (const key in parsed) {
    if (!(key in target)) target[key] = (parsed as unknown as Record<string, unknown>)[key];
  }
  return draft;
}

/**
 * Stores a prepared finding: id, the status invariants of a new save (§1.4, every rule), the
 * vulnerability ids de-duplicated with `cve` = first id (§3.2 step 3), then the ledger.
 */
export function storeNewFinding(ledger: Ledger, draft: Finding, ctx: EngineContext): Finding {
  draft.id = ledger.nextId('finding');
  applyStatusInvariants(draft, 'new', ctx);
  draft.vulnerabilityIds = storedVulnerabilityIds(draft.vulnerabilityIds);
  draft.cve = draft.vulnerabilityIds[0] ?? null;
  updateSlaExpiration(draft, ctx.settings);
  ledger.addFinding(draft);
  return draft;
}

/** The parsed findings a run keeps, with their sanitised severities (minimum severity, §1.2). */
export function keptFindings(
  report: ParsedReport,
  severities: readonly Severity[],
  minimum: Severity,
): { parsed: ParsedFinding; severity: Severity }[] {
  const out: { parsed: ParsedFinding; severity: Severity }[] = [];
  report.findings.forEach((parsed, i) => {
    if (!isBelowMinimumSeverity(severities[i], minimum)) out.push({ parsed, severity: severities[i] });
  });
  return out;
}

/** The import settings snapshot DefectDojo records on `Test_Import` (§1.5). */
export function settingsSnapshot(run: ResolvedRun, algorithm: string): ImportSettingsSnapshot {
  return {
    active: run.active,
    verified: run.verified,
    minimumSeverity: run.minimumSeverity,
    closeOldFindings: run.closeOldFindings,
    closeOldFindingsProductScope: run.closeOldFindingsProductScope,
    doNotReactivate: run.doNotReactivate,
    tags: [...run.tags],
    scanDate: run.scanDate,
    service: run.service,
    applyTagsToFindings: run.applyTagsToFindings,
    groupBy: run.groupBy,
    createFindingGroupsForAllFindings: run.createFindingGroupsForAllFindings,
    algorithm,
    reportName: run.options.reportName ?? null,
    reportSha256: run.options.reportSha256 ?? null,
    // Only present when the host knew it, so snapshots of runs without git stay as they were.
    ...(run.options.gitHead ? { gitHead: run.options.gitHead } : {}),
  };
}

/** Extra detail recorded on an action: how a matched finding was matched. */
export type ActionDetail = Omit<ImportActionRecord, 'findingId' | 'action'>;

/**
 * The per-finding actions in DefectDojo's insertion order, closed, created, reactivated,
 * untouched, where the first list a finding appears in wins ("ignore conflicts"), and
 * findings deleted meanwhile are skipped (§1.5).
 */
export function actionRecords(
  ledger: Ledger,
  lists: { closed: readonly Finding[]; created: readonly Finding[]; reactivated: readonly Finding[]; untouched: readonly Finding[] },
  detail?: ReadonlyMap<number, ActionDetail>,
): ImportActionRecord[] {
  const seen = new Set<number>();
  const out: ImportActionRecord[] = [];
  const add = (findings: readonly Finding[], action: ImportActionRecord['action']): void => {
    for (const f of findings) {
      if (seen.has(f.id) || !ledger.findingsById.has(f.id)) continue;
      seen.add(f.id);
      const extra = detail?.get(f.id);
      const record: ImportActionRecord = { findingId: f.id, action };
      // Field by field rather than a spread: this runs once per finding of a 100k report.
      if (extra) {
        if (extra.matchTier !== undefined) record.matchTier = extra.matchTier;
        if (extra.fromLine !== undefined) record.fromLine = extra.fromLine;
        if (extra.toLine !== undefined) record.toLine = extra.toLine;
        if (extra.fromFile !== undefined) record.fromFile = extra.fromFile;
        if (extra.untouchedReason !== undefined && action === 'untouched') record.untouchedReason = extra.untouchedReason;
      }
      out.push(record);
    }
  };
  add(lists.closed, 'closed');
  add(lists.created, 'created');
  add(lists.reactivated, 'reactivated');
  add(lists.untouched, 'untouched');
  return out;
}

/** Counts as the API returns them: the sizes of the four sets (§3.2 step 9, §4.8). */
export function countActions(actions: readonly ImportActionRecord[]): ImportCounts {
  const counts: ImportCounts = { created: 0, closed: 0, reactivated: 0, untouched: 0 };
  for (const a of actions) counts[a.action] += 1;
  return counts;
}

/** Writes the `Test_Import` row of a run (§1.5). */
export function recordImport(
  ledger: Ledger,
  importId: number,
  test: Test,
  run: ResolvedRun,
  algorithm: string,
  actions: ImportActionRecord[],
  ctx: EngineContext,
  warnings?: readonly string[],
): ImportRecord {
  const record: ImportRecord = {
    id: importId,
    testId: test.id,
    type: run.kind,
    created: nowIso(ctx),
    version: run.options.version ?? '',
    branchTag: run.options.branchTag ?? '',
    buildId: run.options.buildId ?? '',
    commitHash: run.options.commitHash ?? '',
    settings: settingsSnapshot(run, algorithm),
    counts: countActions(actions),
    actions,
  };
  // The import record keeps the parser's notes, so `history` shows why a report imported as it did.
  if (warnings && warnings.length > 0) record.warnings = [...warnings];
  ledger.addImport(record);
  return record;
}

const TEST_METADATA_FIELDS = ['version', 'branchTag', 'buildId', 'commitHash'] as const;

/**
 * Test bookkeeping at the end of an import or reimport (§3.2 step 7, §4.9): the engagement's
 * and the test's target end move forward to the scan date, and the test metadata is written.
 * DefectDojo writes each metadata value unless it is whitespace-only, and the default is the
 * empty string, so a run without `version` wipes the stored version (quirk). With
 * `reimport.keepTestMetadata` (improvement 6) only a non-blank value replaces the stored one;
 * on import that keeps the tool version a report carried.
 */
export function updateTestBookkeeping(ledger: Ledger, test: Test, run: ResolvedRun, ctx: EngineContext): void {
  const engagement = ledger.engagement(test.engagementId);
  if (engagement && engagement.engagementType === 'CI/CD') {
    const scanDay = run.scanTimestamp.slice(0, 10);
    if (scanDay > engagement.targetEnd) engagement.targetEnd = scanDay;
  }
  if (run.scanTimestamp > test.targetEnd) test.targetEnd = run.scanTimestamp;
  const keep = ctx.settings['reimport.keepTestMetadata'];
  for (const field of TEST_METADATA_FIELDS) {
    const value = run.options[field] ?? '';
    const blank = value.trim() === '';
    // Python's `"".isspace()` is False, so DefectDojo writes the empty default.
    const whitespaceOnly = blank && value.length > 0;
    if (keep ? !blank : !whitespaceOnly) test[field] = value;
  }
  if (run.kind === 'reimport' && run.tags.length > 0) test.tags = [...run.tags];
}
