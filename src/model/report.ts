import type { ParsedFinding } from './finding';

/**
 * What a parser returns for one report: DefectDojo's scan type, the Test_Type name derived from
 * the report (§3.2: `CodeQL Scan (SARIF)`), the tool's version, and the findings of every
 * internal test concatenated.
 */
export interface ParsedReport {
  scanType: string;
  /** Test_Type name; equals `scanType` for parsers without `get_tests`. */
  testType: string;
  toolName?: string | null;
  toolVersion?: string | null;
  description?: string | null;
  findings: ParsedFinding[];
  /**
   * True when a report of a parser with `get_tests` describes no internal test at all (a SARIF
   * log without runs). DefectDojo then names no Test_Type from the report, so a reimport skips
   * the Test_Type check and proceeds with no findings (closing old ones when close-old applies).
   */
  noInternalTest?: boolean;
  /**
   * What the parsers changed in the report's content, one sentence each: values over the field
   * bound that were cut (`findings[3].description: …`). Absent when nothing was changed.
   */
  warnings?: string[];
}
