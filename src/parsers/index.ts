import type { ParsedReport } from '../model';
import { detectWithDocument } from './detect';
import { ReportParseError } from './errors';
import { assertReportSize } from './json';
import { PARSERS, SCAN_TYPES, parserFor } from './registry';

/**
 * The parsers' public face: the registry, detection, and `parseReport`, which is what the CLI,
 * the watcher and the editor call with a report's text.
 */

export { ReportParseError } from './errors';
export { decodeReport } from './decode';
export type { ParseOptions, ReportParser } from './parser';
export { PARSERS, SCAN_TYPES, parserFor } from './registry';
export { detectScanType, type Detection } from './detect';
export { assertReportSize, parseJson } from './json';
export { parseXml, XML_DOCTYPE_REFUSED } from './xml';
export { testTypeName } from './test-type';

/** Reports over this size are refused before parsing (the `maxReportSizeMb` setting's default). */
export const DEFAULT_MAX_REPORT_BYTES = 256 * 1024 * 1024;

export interface ParseReportOptions {
  /** The report's name, used in errors and as a detection hint; never opened. */
  fileName: string;
  /** DefectDojo scan type; detected from the content when absent. */
  scanType?: string;
  /** Size limit in bytes (default 256 MB). */
  maxBytes?: number;
  /** Workspace folder, so absolute `file://` paths inside it become relative. */
  workspaceRoot?: string;
}

/**
 * Parses a report into findings. Throws only `ReportParseError`: for a report over the size
 * limit, an unknown scan type, a report no parser recognises, or a report its parser rejects.
 * Nothing is returned for a report that fails, so a caller never imports part of one.
 */
export function parseReport(text: string, options: ParseReportOptions): ParsedReport {
  const { fileName } = options;
  assertReportSize(text, fileName, options.maxBytes ?? DEFAULT_MAX_REPORT_BYTES);
  let scanType = options.scanType;
  let decodedJson: { value: unknown } | undefined;
  if (scanType === undefined || scanType === '') {
    const detection = detectWithDocument(text, fileName, PARSERS);
    if (detection.scanType === null) throw new ReportParseError(fileName, detection.reason);
    scanType = detection.scanType;
    decodedJson = detection.decodedJson;
  }
  const parser = parserFor(scanType);
  if (!parser) {
    throw new ReportParseError(fileName, `unknown scan type "${scanType}"; supported: ${SCAN_TYPES.join(', ')}`);
  }
  try {
    return parser.parse(text, fileName, { workspaceRoot: options.workspaceRoot, decodedJson });
  } catch (error) {
    if (error instanceof ReportParseError) throw error;
    // A parser bug must still surface as a report error naming the file, never as a crash
    // that leaves the caller unsure whether anything was imported.
    const message = error instanceof Error ? error.message : String(error);
    throw new ReportParseError(fileName, `could not be read as ${parser.scanType}: ${message}`);
  }
}
