import type { FindingLocationDetail, ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { FieldReader, isObject, pyStr, pythonTitle, utcDateOf } from './fields';
import { parseJson } from './json';
import type { ReportParser } from './parser';

/**
 * Bandit JSON (`bandit -f json`), reproducing DefectDojo's `dojo/tools/bandit/parser.py`
 * (semantics §7.5): one finding per result, no merging, `vuln_id_from_tool` =
 * `<test_name>:<test_id>`, which with file and line makes the hash.
 */

export const BANDIT_SCAN_TYPE = 'Bandit Scan';

/** DefectDojo's confidence scale (1 certain … 7 tentative) for Bandit's three levels. */
function convertConfidence(value: string | null): number | null {
  switch (value?.toLowerCase()) {
    case 'high':
      return 2;
    case 'medium':
      return 3;
    case 'low':
      return 6;
    default:
      return null;
  }
}

/** The date part of `generated_at`, which DefectDojo stores in a date field. */
function reportDate(root: FieldReader): string | null {
  const generatedAt = root.optString('generated_at');
  if (!generatedAt) return null;
  const date = utcDateOf(generatedAt);
  if (date === null) return root.fail('generated_at', `not a date: "${generatedAt.slice(0, 40)}"`);
  return date;
}

function readResult(reader: FieldReader, date: string | null): ParsedFinding {
  const testName = reader.string('test_name');
  const testId = reader.string('test_id');
  const filePath = reader.string('filename');
  const line = reader.int('line_number');
  const confidence = reader.string('issue_confidence');
  const code = reader.has('code') ? reader.optString('code') : null;
  const description = [
    `**Test Name:** \`${testName}\``,
    `**Test ID:** \`${testId}\``,
    `**Filename:** \`${filePath}\``,
    `**Line number:** \`${line}\``,
    `**Issue Confidence:** \`${confidence}\``,
    '**Code:**',
    '```',
    pyStr(code).replaceAll('```', '\\`\\`\\`'),
    '```',
  ].join('\n');

  const finding: ParsedFinding = {
    title: reader.string('issue_text'),
    severity: pythonTitle(reader.string('issue_severity')),
    description,
    filePath,
    line,
    date,
    cwe: 0,
    staticFinding: true,
    dynamicFinding: false,
    vulnIdFromTool: `${testName}:${testId}`,
    nbOccurences: 1,
  };
  const scannerConfidence = convertConfidence(confidence);
  if (scannerConfidence !== null) finding.scannerConfidence = scannerConfidence;
  const moreInfo = reader.has('more_info') ? reader.optString('more_info') : null;
  if (reader.has('more_info')) finding.references = moreInfo;

  const location: FindingLocationDetail = { ruleId: testId };
  const range = reader.optArray('line_range');
  const last = range && range.length > 0 ? range[range.length - 1] : null;
  if (typeof last === 'number' && Number.isInteger(last) && last !== line) location.endLine = last;
  // Bandit ≥ 1.7 reports a 0-based `col_offset`; editors count columns from 1.
  const columnOffset = reader.optInt('col_offset');
  if (columnOffset !== null) location.column = columnOffset + 1;
  if (code !== null) location.snippet = code;
  if (moreInfo) location.ruleHelpUri = moreInfo;
  finding.location = location;
  return finding;
}

export function parseBandit(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  if (!isObject(document) || !Array.isArray(document.results)) {
    throw new ReportParseError(fileName, 'not a Bandit report: expected an object with a "results" array');
  }
  const firstResult: unknown = document.results[0];
  if (isObject(firstResult) && !('test_id' in firstResult) && !('issue_text' in firstResult)) {
    // Semgrep and other tools also write a "results" array; its entries tell them apart.
    throw new ReportParseError(fileName, 'not a Bandit report: results[0] has neither "test_id" nor "issue_text"');
  }
  const root = new FieldReader(fileName, '', document);
  const date = reportDate(root);
  return {
    scanType: BANDIT_SCAN_TYPE,
    testType: BANDIT_SCAN_TYPE,
    toolName: 'Bandit',
    findings: root.objects('results').map((result) => readResult(result, date)),
  };
}

export const banditParser: ReportParser = {
  scanType: BANDIT_SCAN_TYPE,
  format: 'json',
  parse: parseBandit,
  sniff(document: unknown): boolean {
    if (!isObject(document) || !Array.isArray(document.results)) return false;
    const first: unknown = document.results[0];
    if (isObject(first)) return 'test_id' in first && 'issue_severity' in first;
    return 'generated_at' in document && 'metrics' in document;
  },
};
