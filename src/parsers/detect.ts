import { parse as parseCsv } from 'csv-parse/sync';
import type { CsvHeader } from './generic';
import { GENERIC_SCAN_TYPE } from './generic';
import { parseJson, stripBom } from './json';
import type { ReportParser } from './parser';
import { PARSERS } from './registry';
import { ReportParseError } from './errors';
import { parseXml } from './xml';

/**
 * Format detection: the text is decoded once (JSON, XML or a CSV header row, chosen by the
 * first non-blank character and the extension), then every parser of that format is asked
 * whether the document looks like its own. The file name only breaks ties, because CI artefacts
 * are often called `report.json` or `results.sarif` whatever they hold.
 */

export type Detection = { scanType: string } | { scanType: null; reason: string };

/** A detection plus the decoded JSON document, which `parseReport` hands to the parser. */
export type DetectionWithDocument = { scanType: string; decodedJson?: { value: unknown } } | { scanType: null; reason: string };

type Decoded = { format: 'json' | 'xml' | 'csv'; document: unknown } | { format: null; reason: string };

/** The document shape XML parsers' `sniff` expects: fast-xml-parser's order-preserving form. */
const XML_SNIFF_OPTIONS = { preserveOrder: true, trimValues: false } as const;

function problemOf(error: unknown): string {
  if (error instanceof ReportParseError) return error.position ? `${error.problem} (at ${error.position})` : error.problem;
  return error instanceof Error ? error.message : String(error);
}

function decode(text: string, fileName: string): Decoded {
  const body = stripBom(text).trimStart();
  if (body === '') return { format: null, reason: 'not a supported report: the file is empty' };
  const first = body.charAt(0);
  const lower = fileName.toLowerCase();
  try {
    if (first === '{' || first === '[') return { format: 'json', document: parseJson(body, fileName) };
    if (first === '<') return { format: 'xml', document: parseXml(body, fileName, XML_SNIFF_OPTIONS) };
  } catch (error) {
    return { format: null, reason: `not a supported report: ${problemOf(error)}` };
  }
  const firstLine = body.slice(0, Math.min(body.length, 64 * 1024)).split(/\r?\n/, 1)[0];
  if (lower.endsWith('.csv') || firstLine.includes(',')) {
    try {
      const rows = parseCsv(firstLine, { relax_column_count: true, to_line: 1 });
      const header: CsvHeader = { csvHeader: rows[0] ?? [] };
      return { format: 'csv', document: header };
    } catch (error) {
      return { format: null, reason: `not a supported report: invalid CSV header: ${problemOf(error)}` };
    }
  }
  return { format: null, reason: 'not a supported report: the content is neither JSON, XML nor CSV' };
}

function handles(parser: ReportParser, format: 'json' | 'xml' | 'csv'): boolean {
  // The Generic Findings Import reads both JSON and CSV.
  return parser.format === format || (format === 'csv' && parser.scanType === GENERIC_SCAN_TYPE);
}

/** How strongly the file name points at a parser: its scan type's first word in the name. */
function nameHint(parser: ReportParser, fileName: string): number {
  const base = fileName.toLowerCase().split(/[\\/]/).pop() ?? '';
  const keyword = parser.scanType.toLowerCase().split(/[\s-]+/)[0];
  if (keyword === 'sarif') return /\.sarif(\.json)?$/.test(base) ? 1 : 0;
  if (parser.scanType === GENERIC_SCAN_TYPE) return /finding/.test(base) ? 1 : 0;
  return keyword.length > 2 && base.includes(keyword) ? 1 : 0;
}

/**
 * Which scan type a report is, from its content (and its name as a tie-breaker), or why it is
 * none of the supported ones.
 */
export function detectScanType(text: string, fileName: string, parsers: readonly ReportParser[] = PARSERS): Detection {
  const detection = detectWithDocument(text, fileName, parsers);
  return detection.scanType === null ? detection : { scanType: detection.scanType };
}

/** `detectScanType`, also returning the decoded JSON so the chosen parser need not decode it again. */
export function detectWithDocument(text: string, fileName: string, parsers: readonly ReportParser[] = PARSERS): DetectionWithDocument {
  const decoded = decode(text, fileName);
  if (decoded.format === null) return { scanType: null, reason: decoded.reason };
  const { format, document } = decoded;
  const candidates = parsers.filter((parser) => {
    if (!handles(parser, format)) return false;
    try {
      return parser.sniff(document, fileName);
    } catch {
      // A sniff that trips over an unexpected shape simply does not claim the document.
      return false;
    }
  });
  if (candidates.length === 0) {
    const formats = parsers.filter((parser) => handles(parser, format)).map((parser) => parser.scanType);
    return {
      scanType: null,
      reason: `not a supported report: the ${format.toUpperCase()} content matches none of the ${format.toUpperCase()} formats (${formats.join(', ')})`,
    };
  }
  // A stable sort keeps registry order among candidates the name does not distinguish.
  const ranked = [...candidates].sort((a, b) => nameHint(b, fileName) - nameHint(a, fileName));
  return format === 'json' ? { scanType: ranked[0].scanType, decodedJson: { value: document } } : { scanType: ranked[0].scanType };
}
