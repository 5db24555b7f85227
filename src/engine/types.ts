import type { ImportActionRecord, ImportCounts, Severity } from '../model';
import type { GroupByOption } from './finding-groups';

/**
 * The options of one import or reimport, named after DefectDojo's API fields (§2). Options left
 * undefined take the settings defaults (`import.closeOldFindings`, `reimport.closeOldFindings`,
 * `reimport.doNotReactivate`, `minimumSeverity`).
 */
export interface ImportOptions {
  scanType: string;
  productName: string;
  /** Checked against the product's type when the product exists; default `Workspace`. */
  productTypeName?: string;
  engagementName: string;
  testTitle?: string | null;
  /** Reimport only: the target test, as DefectDojo's `test` field. */
  testId?: number;
  active?: boolean | null;
  verified?: boolean | null;
  minimumSeverity?: Severity;
  /** YYYY-MM-DD; when given it overrides every finding's `date` and dates mitigations. */
  scanDate?: string | null;
  tags?: string[];
  applyTagsToFindings?: boolean;
  service?: string | null;
  version?: string;
  branchTag?: string;
  buildId?: string;
  commitHash?: string;
  closeOldFindings?: boolean;
  closeOldFindingsProductScope?: boolean;
  doNotReactivate?: boolean;
  deduplicationOnEngagement?: boolean;
  /** DefectDojo's `group_by` (§3.4): group the run's new findings by this key. */
  groupBy?: GroupByOption | null;
  /** DefectDojo's `create_finding_groups_for_all_findings`; default true (a group even for one finding). */
  createFindingGroupsForAllFindings?: boolean;
  reportName?: string | null;
  reportSha256?: string | null;
  /** The workspace's git HEAD, recorded in the import's settings snapshot (host-supplied). */
  gitHead?: string | null;
}

/** What an import or reimport returns (the CLI's `--json` shape, docs/cli-contract.md). */
export interface ImportResult {
  testId: number;
  importId: number;
  type: 'import' | 'reimport';
  scanType: string;
  counts: ImportCounts;
  actions: ImportActionRecord[];
}

/**
 * A report the engine refuses as a whole before changing anything, e.g. a finding whose
 * severity DefectDojo's `sanitize_severity` cannot clean (§1.2). It names the finding and the
 * offending value so the message can be shown as is.
 */
export class ImportValidationError extends Error {
  readonly findingTitle: string | null;
  readonly value: string | null;

  constructor(message: string, findingTitle?: string | null, value?: string | null) {
    super(message);
    this.name = 'ImportValidationError';
    this.findingTitle = findingTitle ?? null;
    this.value = value ?? null;
  }
}

/**
 * The import target cannot be resolved: a product of another product type, a test id that does
 * not exist or is not in the named engagement, or a report of another Test_Type than the test
 * (§3.1, §4.1).
 */
export class ImportTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportTargetError';
  }
}
