import type { ParsedReport } from '../model';

/**
 * What a parser may need beyond the text. Parsers never read paths, so the workspace root is
 * passed in: SARIF uses it to turn `file://` URIs inside the workspace into relative paths.
 */
export interface ParseOptions {
  /** Absolute path of the workspace folder (POSIX or Windows form). */
  workspaceRoot?: string;
  /**
   * The JSON value of `text`, when detection has already decoded it, so a large report is not
   * decoded twice. Parsers may use it instead of decoding `text`; it is never set for XML or CSV.
   */
  decodedJson?: { value: unknown };
}

/**
 * One scanner format. `parse` turns report text into DefectDojo's unsaved findings and throws
 * only `ReportParseError`; `sniff` says, from an already-decoded document (JSON value or
 * fast-xml-parser object) and the file name, whether the report looks like this format, so
 * detection can try every parser without parsing the text twice.
 */
export interface ReportParser {
  /** DefectDojo's scan type name, e.g. `Semgrep JSON Report`. */
  readonly scanType: string;
  /** `json`, `xml` or `csv`: how detection decodes the text before sniffing. */
  readonly format: 'json' | 'xml' | 'csv';
  parse(text: string, fileName: string, options?: ParseOptions): ParsedReport;
  sniff(document: unknown, fileName: string): boolean;
}
