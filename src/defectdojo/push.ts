/**
 * The reimport request both hosts send (`POST /api/v2/reimport-scan/`), named with DefectDojo's
 * own parameters (`ReImportScanSerializer`). `auto_create_context` is always true: DefectDojo's
 * reimport then imports into a new test when no test matches (its serializer falls back to the
 * importer), so one endpoint covers both cases and `import-scan` is never needed.
 */
import type { DefectDojoClient, FormFields } from './client';
import type { ImportStatistics } from './statistics';

export interface PushRequest {
  scanType: string;
  fileName: string;
  bytes: Uint8Array;
  productName: string;
  engagementName: string;
  productTypeName?: string;
  testTitle?: string | null;
  closeOldFindings: boolean;
  closeOldFindingsProductScope?: boolean;
  doNotReactivate: boolean;
  minimumSeverity: string;
  active?: boolean;
  verified?: boolean;
  scanDate?: string;
  version?: string;
  branchTag?: string;
  commitHash?: string;
  buildId?: string;
  service?: string;
  tags?: readonly string[];
  groupBy?: string;
  createFindingGroupsForAllFindings?: boolean;
}

/** The parts of DefectDojo's reimport answer a push reads. */
export interface ReimportResponse {
  test_id?: number;
  engagement_id?: number;
  product_id?: number;
  statistics?: Partial<ImportStatistics>;
}

function bool(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : value ? 'true' : 'false';
}

export function reimportFields(r: PushRequest): FormFields {
  return {
    scan_type: r.scanType,
    file: { name: r.fileName, bytes: r.bytes },
    product_name: r.productName,
    engagement_name: r.engagementName,
    product_type_name: r.productTypeName,
    test_title: r.testTitle ?? undefined,
    auto_create_context: 'true',
    close_old_findings: bool(r.closeOldFindings),
    close_old_findings_product_scope: bool(r.closeOldFindingsProductScope),
    do_not_reactivate: bool(r.doNotReactivate),
    minimum_severity: r.minimumSeverity,
    active: bool(r.active),
    verified: bool(r.verified),
    scan_date: r.scanDate,
    version: r.version,
    branch_tag: r.branchTag,
    commit_hash: r.commitHash,
    build_id: r.buildId,
    service: r.service,
    tags: r.tags,
    group_by: r.groupBy,
    create_finding_groups_for_all_findings: bool(r.createFindingGroupsForAllFindings),
    // Deduplication inline, so the statistics the server answers with are final.
    deduplication_execution_mode: 'sync',
  };
}

/** Checks the server, then sends the report. */
export async function pushReport(client: DefectDojoClient, request: PushRequest): Promise<ReimportResponse> {
  await client.checkServer();
  return (await client.postForm<ReimportResponse>('/api/v2/reimport-scan/', reimportFields(request))) ?? {};
}
