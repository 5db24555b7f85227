import type { FindingLocationDetail, ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { FieldReader, isObject, pythonCapitalize } from './fields';
import { parseJson } from './json';
import type { ReportParser } from './parser';

/**
 * Checkov JSON (`checkov -o json`), a single check-type object or a list of them, reproducing
 * DefectDojo's `dojo/tools/checkov/parser.py` (semantics §7.6). Only `results.failed_checks`
 * become findings; `skipped_checks` (suppressed with `checkov:skip`) are not findings in
 * DefectDojo and are not emitted. The check id is deliberately not the vuln id, as in DefectDojo.
 */

export const CHECKOV_SCAN_TYPE = 'Checkov Scan';

/** Keys of a Checkov report object, including the summary-only form written when nothing was scanned. */
const CHECKOV_KEYS = ['check_type', 'results', 'summary', 'checkov_version'];

function looksLikeCheckov(value: unknown): boolean {
  return isObject(value) && CHECKOV_KEYS.some((key) => key in value);
}

/** `- <benchmark> # <name> : <description>` lines for every benchmark entry of a check. */
function benchmarkMitigation(check: FieldReader): string {
  const benchmarks = check.optObject('benchmarks');
  if (!benchmarks) return '';
  const names = Object.keys(benchmarks.value);
  if (names.length === 0) return '';
  let mitigation = '\nBenchmarks:\n';
  for (const name of names) {
    for (const entry of benchmarks.objects(name)) {
      mitigation += `- ${name} # ${entry.optString('name') ?? 'None'} : ${entry.optString('description') ?? 'None'}\n`;
    }
  }
  return mitigation;
}

function readFailedCheck(check: FieldReader, checkType: string): ParsedFinding {
  const checkName = check.optString('check_name');
  let description = `Check Type: ${checkType}\n`;
  if (check.has('check_id')) description += `Check Id: ${check.optString('check_id') ?? 'None'}\n`;
  if (check.has('check_name')) description += `${checkName ?? 'None'}\n`;
  if (check.has('description')) description += `\n${check.optString('description') ?? 'None'}\n`;

  const range = check.optArray('file_line_range');
  let line: number | null = null;
  if (range && range.length > 0) {
    const first = range[0];
    if (typeof first !== 'number' || !Number.isInteger(first)) return check.fail('file_line_range[0]', 'expected an integer line');
    line = first;
  }
  const severityRaw = check.optString('severity');
  const guideline = check.optString('guideline');

  const finding: ParsedFinding = {
    title: check.has('check_name') ? (checkName ?? 'None') : 'check_name not found',
    severity: severityRaw !== null ? pythonCapitalize(severityRaw) : 'Medium',
    description,
    mitigation: benchmarkMitigation(check),
    references: check.has('guideline') ? guideline : '',
    filePath: check.optString('file_path'),
    line,
    cwe: 0,
    componentName: check.optString('resource'),
    staticFinding: true,
    dynamicFinding: false,
  };

  const location: FindingLocationDetail = {};
  const checkId = check.optString('check_id');
  if (checkId) location.ruleId = checkId;
  if (guideline) location.ruleHelpUri = guideline;
  const last = range && range.length > 1 ? range[1] : null;
  if (typeof last === 'number' && Number.isInteger(last)) location.endLine = last;
  const block = check.optArray('code_block');
  if (block && block.length > 0) {
    // `code_block` is `[[line, text], …]`; the editor wants the flagged text itself.
    const lines = block.map((entry) => (Array.isArray(entry) && typeof entry[1] === 'string' ? entry[1] : '')).join('');
    if (lines !== '') location.snippet = lines;
  }
  finding.location = location;
  return finding;
}

export function parseCheckov(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  const trees = Array.isArray(document) ? document : [document];
  trees.forEach((tree, index) => {
    if (!looksLikeCheckov(tree)) {
      const where = Array.isArray(document) ? `[${index}]` : null;
      throw new ReportParseError(fileName, 'not a Checkov report: expected an object with "check_type" and "results"', where);
    }
  });
  const findings: ParsedFinding[] = [];
  trees.forEach((tree, index) => {
    const reader = new FieldReader(fileName, Array.isArray(document) ? `[${index}]` : '', tree);
    const checkType = reader.optString('check_type') ?? '';
    const results = reader.optObject('results');
    if (!results) return;
    for (const check of results.objects('failed_checks')) findings.push(readFailedCheck(check, checkType));
  });
  return { scanType: CHECKOV_SCAN_TYPE, testType: CHECKOV_SCAN_TYPE, toolName: 'Checkov', findings };
}

export const checkovParser: ReportParser = {
  scanType: CHECKOV_SCAN_TYPE,
  format: 'json',
  parse: parseCheckov,
  sniff(document: unknown): boolean {
    const first: unknown = Array.isArray(document) ? document[0] : document;
    if (!isObject(first)) return false;
    // With nothing to scan Checkov writes only its summary counters and version.
    if ('checkov_version' in first && 'passed' in first && 'failed' in first) return true;
    return 'check_type' in first && isObject(first.results);
  },
};
