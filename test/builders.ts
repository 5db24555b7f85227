import { Ledger } from '../src/engine/ledger';
import type { EngineContext } from '../src/engine/context';
import {
  DEFECTDOJO_SCAN_TYPE_DEFAULTS,
  FINGERPRINT_DEFAULT_SCAN_TYPES,
  defaultSettings,
  effectiveSettings,
  emptyStoreData,
  SEVERITY_RANK,
  type Finding,
  type ImportRecord,
  type ImportSettingsSnapshot,
  type ParsedFinding,
  type ParsedReport,
  type Settings,
} from '../src/model';

/**
 * DefectDojo's own algorithms for the scan types where Scan Ledger defaults to `fingerprint`.
 * Engine rule tests exercise DefectDojo's rules, so their contexts pin these unless a test sets
 * its own table; the fingerprint default has its own tests.
 */
export const DEFECTDOJO_ALGORITHMS = Object.fromEntries(
  FINGERPRINT_DEFAULT_SCAN_TYPES.map((t) => [t, DEFECTDOJO_SCAN_TYPE_DEFAULTS[t]?.algorithm ?? 'legacy']),
) as Settings['dedupe.algorithmPerScanType'];

/** An empty ledger. */
export function newLedger(): Ledger {
  return new Ledger(emptyStoreData());
}

/**
 * An engine context with a fixed clock. Settings overrides are applied over the defaults and
 * then through `effectiveSettings`, so `{ defectdojoParity: true }` turns every improvement off
 * as it does in the product.
 */
export function engineContext(opts: { settings?: Partial<Settings>; now?: string | Date; user?: string } = {}): EngineContext {
  const now = opts.now instanceof Date ? opts.now : new Date(opts.now ?? '2026-03-10T12:00:00.000Z');
  return {
    now,
    user: opts.user ?? 'alice',
    settings: effectiveSettings({ ...defaultSettings(), 'dedupe.algorithmPerScanType': { ...DEFECTDOJO_ALGORITHMS }, ...(opts.settings ?? {}) }),
  };
}

/** The same context one day (or `days`) later, for a second run. */
export function later(ctx: EngineContext, days = 1): EngineContext {
  return { ...ctx, now: new Date(ctx.now.getTime() + days * 86_400_000) };
}

/** A parsed finding with the three required fields defaulted. */
export function parsedFinding(fields: Partial<ParsedFinding> = {}): ParsedFinding {
  return { title: 'Use of eval', severity: 'High', description: 'Eval is evil.', ...fields };
}

/** A parsed report; the Test_Type name defaults to the scan type. */
export function report(scanType: string, findings: ParsedFinding[], extra: Partial<ParsedReport> = {}): ParsedReport {
  return { scanType, testType: scanType, findings, ...extra };
}

/** The base options of the tests' imports: product "app", engagement "ci". */
export function importOptions<T extends object>(scanType: string, extra?: T): { scanType: string; productName: string; engagementName: string } & T {
  return { scanType, productName: 'app', engagementName: 'ci', ...(extra ?? ({} as T)) };
}

/** When stored findings and import records were created, unless a test says otherwise. */
const STORED_AT = '2026-01-01T00:00:00.000Z';

/**
 * A stored finding as the ledger holds it: open, active, unverified, static, an original, with
 * every required field filled and a hash code and title that differ by id. The numerical
 * severity follows the severity. Tests pass the id, the test and only the fields they look at.
 */
export function storedFinding(fields: Pick<Finding, 'id' | 'testId'> & Partial<Finding>): Finding {
  const { id, testId, ...rest } = fields;
  const severity = fields.severity ?? 'High';
  return {
    id,
    testId,
    title: `Finding ${id}`,
    severity,
    numericalSeverity: `S${SEVERITY_RANK[severity]}`,
    description: 'A description.',
    hashCode: `hash-${id}`,
    date: '2026-01-01',
    cwe: null,
    vulnerabilityIds: [],
    cwes: [],
    endpoints: [],
    tags: [],
    active: true,
    verified: false,
    falsePositive: false,
    outOfScope: false,
    riskAccepted: false,
    underReview: false,
    isMitigated: false,
    mitigated: null,
    mitigatedBy: null,
    staticFinding: true,
    dynamicFinding: false,
    duplicate: false,
    duplicateOf: null,
    foundBy: [],
    reporter: 'tester',
    created: STORED_AT,
    lastStatusUpdate: STORED_AT,
    notes: [],
    audit: [],
    ...rest,
  };
}

/** The settings an import records when it ran with DefectDojo's defaults; override what a test varies. */
export function importSettings(fields: Partial<ImportSettingsSnapshot> = {}): ImportSettingsSnapshot {
  return {
    active: null,
    verified: null,
    minimumSeverity: 'Info',
    closeOldFindings: false,
    closeOldFindingsProductScope: false,
    doNotReactivate: false,
    tags: [],
    scanDate: null,
    service: null,
    applyTagsToFindings: false,
    groupBy: null,
    createFindingGroupsForAllFindings: true,
    ...fields,
  };
}

/** A stored import record: a first import with default settings, no counts and no actions unless given. */
export function importRecord(fields: Pick<ImportRecord, 'id' | 'testId'> & Partial<ImportRecord>): ImportRecord {
  const { id, testId, ...rest } = fields;
  return {
    id,
    testId,
    type: 'import',
    created: STORED_AT,
    version: '',
    branchTag: '',
    buildId: '',
    commitHash: '',
    settings: importSettings(),
    counts: { created: 0, closed: 0, reactivated: 0, untouched: 0 },
    actions: [],
    ...rest,
  };
}
