/**
 * The finding model, shared by every layer. Field names are DefectDojo's names in camelCase
 * (`file_path` → `filePath`), with two renames fixed by the CLI contract: `false_p` →
 * `falsePositive` and `duplicate_finding` → `duplicateOf`.
 */

/** DefectDojo's five severities, spelled exactly as DefectDojo spells them. */
export type Severity = 'Critical' | 'High' | 'Medium' | 'Low' | 'Info';

export const SEVERITIES: readonly Severity[] = ['Critical', 'High', 'Medium', 'Low', 'Info'];

/** Rank used by `minimum_severity` and `numerical_severity`: Critical=0 … Info=4. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  Critical: 0,
  High: 1,
  Medium: 2,
  Low: 3,
  Info: 4,
};

/** A position inside a file, as scanners report it (1-based lines and columns). */
export interface CodeLocation {
  filePath: string;
  line?: number | null;
  endLine?: number | null;
  column?: number | null;
  endColumn?: number | null;
  message?: string | null;
}

/**
 * What the editor needs beyond DefectDojo's fields: exact regions, the flagged code, related
 * locations and code flows, and the tool's fingerprints by name. None of it enters DefectDojo
 * hash codes.
 */
export interface FindingLocationDetail {
  endLine?: number | null;
  column?: number | null;
  endColumn?: number | null;
  /** The flagged text as the report carries it (bounded like every report field). */
  snippet?: string | null;
  /**
   * The line the snippet's first line is on, when that is not the finding's line (a SARIF
   * `contextRegion` snippet starts above the flagged line), so the flagged line can be found
   * in it.
   */
  snippetStartLine?: number | null;
  relatedLocations?: CodeLocation[];
  codeFlow?: CodeLocation[];
  /** SARIF `partialFingerprints` (and similar tool fingerprints) by name. */
  partialFingerprints?: Record<string, string>;
  /** SARIF `fingerprints`, Semgrep `fingerprint`, Gitleaks `Fingerprint`, by name. */
  fingerprints?: Record<string, string>;
  /** SARIF `baselineState` (`new`, `unchanged`, `updated`, `absent`). */
  baselineState?: string | null;
  /** The scanner's rule id, for the Problems panel code and fingerprinting. */
  ruleId?: string | null;
  /** Where the rule is documented, for the Problems panel link. */
  ruleHelpUri?: string | null;
  /**
   * The file as the editor should open it: SARIF `uriBaseId` resolved through
   * `originalUriBaseIds`, percent-decoded, and relative to the workspace root when inside it.
   * `filePath` stays the report's URI verbatim, because that is what DefectDojo hashes.
   */
  resolvedPath?: string | null;
}

/** A scanner-native suppression (SARIF `suppressions`, `# nosec`, `.trivyignore`, …). */
export interface Suppression {
  /** Where the suppression came from, e.g. `sarif`, `nosec`, `trivyignore`. */
  kind: string;
  reason?: string | null;
  /** ISO date after which the suppression no longer holds, when the source has one. */
  expires?: string | null;
}

/**
 * A finding as a parser produces it: DefectDojo's unsaved finding. Everything is optional but
 * `title`, `severity` and `description`, as in DefectDojo's Generic Findings Import. The
 * severity is kept raw; the engine sanitises it (§1.2) and rejects the report when it cannot.
 */
export interface ParsedFinding {
  title: string;
  severity: string;
  description: string;
  date?: string | null;
  cwe?: number | null;
  /** Extra CWEs (DefectDojo's `Finding_CWE` rows beyond the primary `cwe`). */
  cwes?: number[];
  cve?: string | null;
  vulnerabilityIds?: string[];
  filePath?: string | null;
  line?: number | null;
  componentName?: string | null;
  componentVersion?: string | null;
  uniqueIdFromTool?: string | null;
  vulnIdFromTool?: string | null;
  service?: string | null;
  mitigation?: string | null;
  impact?: string | null;
  references?: string | null;
  stepsToReproduce?: string | null;
  severityJustification?: string | null;
  payload?: string | null;
  cvssv3?: string | null;
  cvssv3Score?: number | null;
  /** CVSS v4.0 vector (`CVSS:4.0/AV:N/…`), where DefectDojo's parser reads one. */
  cvssv4?: string | null;
  cvssv4Score?: number | null;
  /** EPSS probability and percentile (0 to 1), as Generic Findings Import carries them. */
  epssScore?: number | null;
  epssPercentile?: number | null;
  /** CISA KEV facts, as Generic Findings Import carries them. */
  knownExploited?: boolean | null;
  ransomwareUsed?: boolean | null;
  kevDate?: string | null;
  scannerConfidence?: number | null;
  fixAvailable?: boolean | null;
  fixVersion?: string | null;
  nbOccurences?: number | null;
  sastSourceObject?: string | null;
  sastSinkObject?: string | null;
  sastSourceLine?: number | null;
  sastSourceFilePath?: string | null;
  active?: boolean;
  verified?: boolean;
  falsePositive?: boolean;
  outOfScope?: boolean;
  riskAccepted?: boolean;
  underReview?: boolean;
  isMitigated?: boolean;
  mitigated?: string | null;
  mitigatedBy?: string | null;
  staticFinding?: boolean;
  dynamicFinding?: boolean;
  /** Endpoint / location URL strings (DAST). */
  endpoints?: string[];
  tags?: string[];
  /** A parser-provided hash code is kept on import and ignored on reimport (§6.4). */
  hashCode?: string | null;
  /** Our own fields (not DefectDojo's). */
  location?: FindingLocationDetail;
  suppression?: Suppression | null;
}

/** One entry of a finding's audit trail: who changed which status field, from what to what. */
export interface AuditEntry {
  at: string;
  author: string;
  field: string;
  from: unknown;
  to: unknown;
  /** Why: a triage reason, `import #7`, `risk acceptance expired`, … */
  reason?: string | null;
}

export interface Note {
  id: number;
  at: string;
  author: string;
  text: string;
}

/** A risk acceptance attached to a finding (DefectDojo's Risk_Acceptance, reduced to one finding). */
export interface RiskAcceptance {
  reason: string;
  owner: string;
  /** ISO date (YYYY-MM-DD); the acceptance ends at the start of this day, UTC. */
  expires?: string | null;
  acceptedAt: string;
}

/**
 * The status of one endpoint of a finding (DefectDojo's `Endpoint_Status`, or a
 * `LocationFindingReference` with `V3_FEATURE_LOCATIONS`), keyed by the endpoint's URL as the
 * finding lists it. Reimport mitigates and reactivates these one by one for dynamic findings
 * (§4.5), so a finding still reported on one URL shows which of its other URLs were fixed.
 */
export interface EndpointStatus {
  endpoint: string;
  mitigated: boolean;
  mitigatedTime?: string | null;
  mitigatedBy?: string | null;
  falsePositive: boolean;
  outOfScope: boolean;
  riskAccepted: boolean;
}

/** A stored finding. */
export interface Finding extends Omit<ParsedFinding, 'severity' | 'hashCode'> {
  id: number;
  testId: number;
  severity: Severity;
  /** `S0` (Critical) … `S4` (Info). */
  numericalSeverity: string;
  hashCode: string | null;
  date: string;
  cwe: number | null;
  vulnerabilityIds: string[];
  cwes: number[];
  endpoints: string[];
  tags: string[];
  active: boolean;
  verified: boolean;
  falsePositive: boolean;
  outOfScope: boolean;
  riskAccepted: boolean;
  underReview: boolean;
  isMitigated: boolean;
  mitigated: string | null;
  mitigatedBy: string | null;
  staticFinding: boolean;
  dynamicFinding: boolean;
  duplicate: boolean;
  duplicateOf: number | null;
  /** Test type names that found this finding (an original gains its duplicates' types). */
  foundBy: string[];
  reporter: string;
  created: string;
  lastStatusUpdate: string;
  lastReviewed?: string | null;
  lastReviewedBy?: string | null;
  slaStartDate?: string | null;
  slaExpirationDate?: string | null;
  /**
   * One status per endpoint (§3.5, §4.5). Absent on findings without endpoints and on findings
   * stored before statuses were kept; those get statuses the first time a run needs them.
   */
  endpointStatus?: EndpointStatus[];
  riskAcceptance?: RiskAcceptance | null;
  notes: Note[];
  audit: AuditEntry[];
  /** Content or tool fingerprint used by the `fingerprint` algorithm (docs/improvements.md §4). */
  fingerprint?: string | null;
  /** Hash of the rule and the normalised flagged line text, without path or line number. */
  lineHash?: string | null;
  /**
   * Hash of the rule and the whole flagged region's normalised text. Identity anchors on the
   * region's first line (`lineHash`); this only breaks ties between equally good candidates.
   */
  regionHash?: string | null;
}

/**
 * The path a finding is shown at: the parser's resolved path when it has one. The editor draws
 * findings by it, and the store's path tables (which let the editor read the findings of the
 * files it shows before the rest) are keyed by it, so the two always agree.
 */
export function findingFilePath(f: Pick<Finding, 'filePath' | 'location'>): string | null {
  const resolved = f.location?.resolvedPath;
  return resolved || f.filePath || null;
}
