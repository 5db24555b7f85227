import * as path from 'node:path';
import type { ParsedReport } from '../../model';
import { parseReport } from '../../parsers';
import { readReport, ReportFileError } from '../../store';

/**
 * Reads the report the live preview replays, through the store's `readReport` (the reader both
 * import paths use), so a report the editor imports is a report the preview reads: the preview
 * used to decode bytes as UTF-8 and called a UTF-16 SARIF report "not a supported report"
 * (issue 15). Kept apart from the panel, which needs `vscode`, so it is unit tested.
 */

/** A parsed report kept between previews, so typing in the panel does not re-parse it. */
export interface PreviewReport {
  file: string;
  sha256: string;
  report: ParsedReport;
  /** Whether the file still holds what the last import read (no recorded hash counts as yes). */
  sha256Matches: boolean;
}

export interface PreviewReportRequest {
  workspaceRoot: string;
  /** The workspace-relative name the import recorded. */
  reportName: string;
  /** The hash the last import recorded, or null when it recorded none. */
  sha256: string | null;
  maxReportSizeMb: number;
}

/**
 * The parsed report, or one sentence saying why the preview cannot use it. The parse is reused
 * from `cached` when the file's content is the same, since reading is cheap beside parsing.
 */
export async function loadPreviewReport(request: PreviewReportRequest, cached?: PreviewReport): Promise<PreviewReport | string> {
  const { workspaceRoot, reportName, sha256 } = request;
  const maxBytes = request.maxReportSizeMb * 1024 * 1024;
  try {
    const read = await readReport({
      path: path.resolve(workspaceRoot, reportName),
      fileName: reportName,
      maxBytes,
      limitMb: request.maxReportSizeMb,
      confineTo: workspaceRoot,
    });
    const sha256Matches = sha256 === null || sha256 === read.sha256;
    if (cached && cached.file === read.realPath && cached.sha256 === read.sha256) return { ...cached, sha256Matches };
    const report = parseReport(read.text, { fileName: reportName, maxBytes, workspaceRoot });
    return { file: read.realPath, sha256: read.sha256, report, sha256Matches };
  } catch (error) {
    if (error instanceof ReportFileError && error.kind === 'missing') return `the report ${reportName} of the last import is no longer in the workspace`;
    if (error instanceof ReportFileError && error.kind === 'outside') return `the report ${reportName} resolves outside the workspace folder`;
    return `the report cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}
