/**
 * DefectDojo's hierarchy: product type → product → engagement → test, plus the import history
 * (Test_Import and Test_Import_Finding_Action).
 */

export interface ProductType {
  id: number;
  name: string;
}

export interface Product {
  id: number;
  name: string;
  productTypeId: number;
}

export type EngagementType = 'Interactive' | 'CI/CD';

export interface Engagement {
  id: number;
  name: string;
  productId: number;
  engagementType: EngagementType;
  deduplicationOnEngagement: boolean;
  targetStart: string;
  targetEnd: string;
  version?: string | null;
  buildId?: string | null;
  commitHash?: string | null;
  branchTag?: string | null;
  sourceCodeManagementUri?: string | null;
}

export interface Test {
  id: number;
  engagementId: number;
  /** The scan type the user chose (`SARIF`), used for reimport target lookup. */
  scanType: string;
  /** DefectDojo's Test_Type name (`CodeQL Scan (SARIF)` for a CodeQL SARIF report). */
  testType: string;
  title: string | null;
  description?: string | null;
  version: string;
  buildId: string;
  commitHash: string;
  branchTag: string;
  targetStart: string;
  targetEnd: string;
  tags: string[];
  created: string;
}

export type ImportType = 'import' | 'reimport';

/** `N` created, `C` closed, `R` reactivated, `U` untouched (DefectDojo's action codes). */
export type FindingAction = 'created' | 'closed' | 'reactivated' | 'untouched';

export interface ImportCounts {
  created: number;
  closed: number;
  reactivated: number;
  untouched: number;
}

/** The options used, as DefectDojo's `import_settings` JSON records them (§1.5). */
export interface ImportSettingsSnapshot {
  active: boolean | null;
  verified: boolean | null;
  minimumSeverity: string;
  closeOldFindings: boolean;
  closeOldFindingsProductScope: boolean;
  doNotReactivate: boolean;
  tags: string[];
  scanDate: string | null;
  service: string | null;
  applyTagsToFindings: boolean;
  /** DefectDojo's `group_by` (§3.4): null when the run grouped nothing. */
  groupBy?: string | null;
  /** DefectDojo's `create_finding_groups_for_all_findings` (default true). */
  createFindingGroupsForAllFindings?: boolean;
  /** Our own: which dedupe algorithm matched this import's findings. */
  algorithm?: string;
  /** Our own: the report file name and content hash, when known. */
  reportName?: string | null;
  reportSha256?: string | null;
  /**
   * Our own: the workspace's git HEAD when the report was imported (not DefectDojo's
   * `commit_hash`, which the user sets), so the next reimport can ask git which files were
   * renamed since (the fingerprint rename tier, docs/improvements.md §4).
   */
  gitHead?: string | null;
}

export interface ImportActionRecord {
  findingId: number;
  action: FindingAction;
  /**
   * Our own: how the finding was matched (e.g. `hash_code`, `fingerprint:moved`), and where
   * it moved from, so history can say "moved from line 40 to 52".
   */
  matchTier?: string | null;
  fromLine?: number | null;
  toLine?: number | null;
  fromFile?: string | null;
  /**
   * Our own, default mode only: why a matched finding DefectDojo leaves out of the history is
   * recorded as untouched, so every incoming finding has an action. `triaged`: the stored
   * finding is a false positive, out of scope or an accepted risk and the report does not say
   * so (§4.4 A.3); `kept-closed`: mitigated and "do not reactivate" (B.2); `flagged-by-report`:
   * the report flagged it and close-old is off (C.2).
   */
  untouchedReason?: UntouchedReason;
}

export type UntouchedReason = 'triaged' | 'kept-closed' | 'flagged-by-report';

export interface ImportRecord {
  id: number;
  testId: number;
  type: ImportType;
  created: string;
  version: string;
  branchTag: string;
  buildId: string;
  commitHash: string;
  settings: ImportSettingsSnapshot;
  counts: ImportCounts;
  actions: ImportActionRecord[];
  /**
   * What the parser noted about the report (a value cut to the field bound, an unknown Generic
   * Findings Import field ignored, a record DefectDojo skips), one sentence each. Absent when
   * there was nothing to note.
   */
  warnings?: string[];
}
