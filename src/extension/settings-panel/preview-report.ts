import { promises as fs } from 'node:fs';
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
  /** The file's inode, size and modification time when it was read: unchanged means same content. */
  stamp: string;
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

/** The real path and stamp of a file, or null when it cannot be resolved (readReport then says why). */
async function fileStamp(file: string): Promise<{ real: string; stamp: string } | null> {
  try {
    const real = await fs.realpath(file);
    const s = await fs.stat(real);
    return { real, stamp: `${s.ino}:${s.size}:${s.mtimeMs}` };
  } catch {
    return null;
  }
}

/**
 * The parsed report, or one sentence saying why the preview cannot use it. The preview runs on
 * every change in the panel, so a file whose real path and stamp are those of `cached` is not
 * read again (a 256 MB report would cost a second of reading and hashing per keystroke); a
 * changed file is read, and its parse reused when its content hash is the same.
 */
export async function loadPreviewReport(request: PreviewReportRequest, cached?: PreviewReport): Promise<PreviewReport | string> {
  const { workspaceRoot, reportName, sha256 } = request;
  const maxBytes = request.maxReportSizeMb * 1024 * 1024;
  // Stamped before reading: a file that changes while it is read gets a new stamp next time.
  const before = await fileStamp(path.resolve(workspaceRoot, reportName));
  // The cached file was confined to the folder when it was read; the same real path still is.
  if (cached && before && before.real === cached.file && before.stamp === cached.stamp) {
    return { ...cached, sha256Matches: sha256 === null || sha256 === cached.sha256 };
  }
  try {
    const read = await readReport({
      path: path.resolve(workspaceRoot, reportName),
      fileName: reportName,
      maxBytes,
      limitMb: request.maxReportSizeMb,
      confineTo: workspaceRoot,
    });
    const sha256Matches = sha256 === null || sha256 === read.sha256;
    const stamp = before?.real === read.realPath ? before.stamp : '';
    if (cached && cached.file === read.realPath && cached.sha256 === read.sha256) return { ...cached, stamp, sha256Matches };
    const report = parseReport(read.text, { fileName: reportName, maxBytes, workspaceRoot });
    return { file: read.realPath, stamp, sha256: read.sha256, report, sha256Matches };
  } catch (error) {
    if (error instanceof ReportFileError && error.kind === 'missing') return `the report ${reportName} of the last import is no longer in the workspace`;
    if (error instanceof ReportFileError && error.kind === 'outside') return `the report ${reportName} resolves outside the workspace folder`;
    return `the report cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}
