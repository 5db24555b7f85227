import type { ParsedReport } from '../model';
import { detectWithDocument } from './detect';
import { ReportParseError } from './errors';
import { MAX_FIELD_LENGTH, boundFindingFields, truncationWarning } from './field-bound';
import { assertReportSize, stripBom } from './json';
import { PARSERS, SCAN_TYPES, parserFor } from './registry';
import { boundXmlSource, lineColumnsAt } from './xml';

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
export { MAX_FIELD_LENGTH, truncationMarker } from './field-bound';

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

/** Whether the text starts like XML, as detection decides (`<` first, after a byte-order mark and blanks). */
function looksLikeXml(text: string): boolean {
  return stripBom(text).trimStart().startsWith('<');
}

/**
 * Parses a report into findings. Throws only `ReportParseError`: for a report over the size
 * limit, an unknown scan type, a report no parser recognises, or a report its parser rejects.
 * Nothing is returned for a report that fails, so a caller never imports part of one.
 *
 * Every text value is bounded (`MAX_FIELD_LENGTH`): XML values are cut in the source, before
 * the parser's per-character work, and every finding field is cut after parsing, with one
 * warning per cut in `warnings`.
 */
export function parseReport(text: string, options: ParseReportOptions): ParsedReport {
  const { fileName } = options;
  assertReportSize(text, fileName, options.maxBytes ?? DEFAULT_MAX_REPORT_BYTES);
  const warnings: string[] = [];
  const xmlScanType = options.scanType === undefined || options.scanType === '' || parserFor(options.scanType)?.format === 'xml';
  if (text.length > MAX_FIELD_LENGTH && xmlScanType && looksLikeXml(text)) {
    // `parseXml` cuts over-long values itself, after validating the text as written (so error
    // positions stay the report's); this pass only finds them, to report each with the line
    // and column its author can look up.
    const { cuts } = boundXmlSource(text);
    const positions = lineColumnsAt(text, cuts.map((c) => c.offset));
    cuts.forEach((c, index) => warnings.push(truncationWarning(`XML value at ${positions[index]}`, c.length)));
  }
  const report = parseWithScanType(text, options);
  boundFindingFields(report.findings, warnings);
  if (warnings.length > 0) report.warnings = [...(report.warnings ?? []), ...warnings];
  return report;
}

function parseWithScanType(text: string, options: ParseReportOptions): ParsedReport {
  const { fileName } = options;
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
