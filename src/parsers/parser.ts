import type { ParsedReport } from '../model';

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
  parse(text: string, fileName: string): ParsedReport;
  sniff(document: unknown, fileName: string): boolean;
}
