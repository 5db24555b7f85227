import type { FindingLocationDetail, ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { FieldReader, isObject, pyStr, pythonTitle } from './fields';
import { parseJson } from './json';
import type { ReportParser } from './parser';

/**
 * gosec JSON (`gosec -fmt=json`), reproducing DefectDojo's `dojo/tools/gosec/parser.py`
 * (semantics §7.9): title `<details> - rule <rule_id>`, the first line of a range, the CWE from
 * `cwe.id` (null when absent, which the legacy hash renders as `None`), merged on title + file +
 * line. DefectDojo leaves `dynamic_finding` at its model default (True) next to
 * `static_finding=True`, and gosec uses the legacy dedupe algorithm.
 */

export const GOSEC_SCAN_TYPE = 'Gosec Scanner';

/** gosec's confidence words on DefectDojo's 1 (certain) … 7 (tentative) scale. */
function convertConfidence(value: string | null): number | null {
  if (value === 'HIGH') return 1;
  if (value === 'MEDIUM') return 4;
  if (value === 'LOW') return 7;
  return null;
}

/** `"12"` → 12, `"12-14"` → 12 (a range points at its beginning), anything else → null. */
function firstLine(value: string | null): number | null {
  if (value === null) return null;
  const start = value.includes('-') ? value.split('-', 1)[0] : value;
  return /^\d+$/.test(start) ? Number.parseInt(start, 10) : null;
}

function lastLine(value: string | null): number | null {
  if (value === null || !value.includes('-')) return null;
  const end = value.slice(value.indexOf('-') + 1);
  return /^\d+$/.test(end) ? Number.parseInt(end, 10) : null;
}

interface Keyed {
  key: string;
  finding: ParsedFinding;
}

function readIssue(issue: FieldReader): Keyed {
  const filePath = issue.string('file');
  // gosec writes the line as text ("12" or "12-14"); a number is accepted as its text.
  const lineText = issue.optString('line');
  if (lineText === null) return issue.fail('line', 'required field is missing');
  const confidenceText = issue.optString('confidence');
  const ruleId = issue.string('rule_id');
  const title = `${issue.string('details')} - rule ${ruleId}`;
  const code = issue.has('code') ? issue.optString('code') : null;
  if (!issue.has('code')) return issue.fail('code', 'required field is missing');

  let description = `Filename: ${filePath}\n\n`;
  description += `Line number: ${lineText}\n\n`;
  description += `Issue Confidence: ${pyStr(confidenceText)}\n\n`;
  description += 'Code:\n\n';
  description += `\`\`\`${pyStr(code)}\`\`\``;

  let cwe: number | null = null;
  let references = '';
  const cweData = issue.optObject('cwe');
  if (cweData) {
    const id = cweData.optString('id');
    if (id) {
      if (!/^\s*[+-]?\d+\s*$/.test(id)) return cweData.fail('id', `cannot read a CWE number from "${id}"`);
      cwe = Number.parseInt(id, 10);
    }
    const url = cweData.optString('url');
    if (url) references = url;
  }
  if (!references) references = `https://securego.io/docs/rules/${ruleId}.html`.toLowerCase();

  const line = firstLine(lineText);
  const finding: ParsedFinding = {
    title,
    severity: pythonTitle(issue.string('severity')),
    description,
    impact: '',
    references,
    filePath,
    line,
    cwe,
    staticFinding: true,
    // Not set by DefectDojo's gosec parser, so the model default applies.
    dynamicFinding: true,
  };
  const confidence = confidenceText ? convertConfidence(confidenceText) : null;
  // An unrecognised confidence word stays as text in DefectDojo and fails on save; we drop it.
  if (confidence !== null) finding.scannerConfidence = confidence;

  const location: FindingLocationDetail = { ruleId };
  const end = lastLine(lineText);
  if (end !== null) location.endLine = end;
  const column = issue.optInt('column');
  if (column !== null) location.column = column;
  if (code !== null) location.snippet = code;
  finding.location = location;

  // A `#nosec` annotation that gosec still reports (with `-track-suppressions`) lists it here.
  const suppressions = issue.optArray('suppressions');
  if (suppressions && suppressions.length > 0) {
    const first = new FieldReader(issue.fileName, `${issue.at('suppressions')}[0]`, suppressions[0]);
    finding.suppression = { kind: first.optString('kind') === 'external' ? 'gosec-external' : 'nosec', reason: first.optString('justification') || null };
  }
  return { key: title + filePath + pyStr(line), finding };
}

export function parseGosec(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  if (!isObject(document) || !('Issues' in document)) {
    throw new ReportParseError(fileName, 'not a gosec report: expected an object with an "Issues" array');
  }
  if (document.Issues !== null && !Array.isArray(document.Issues)) {
    throw new ReportParseError(fileName, 'not a gosec report: "Issues" is not an array', 'Issues');
  }
  const root = new FieldReader(fileName, '', document);
  const byKey = new Map<string, ParsedFinding>();
  for (const issue of root.objects('Issues')) {
    const keyed = readIssue(issue);
    if (!byKey.has(keyed.key)) byKey.set(keyed.key, keyed.finding);
  }
  return {
    scanType: GOSEC_SCAN_TYPE,
    testType: GOSEC_SCAN_TYPE,
    toolName: 'gosec',
    toolVersion: root.optString('GosecVersion'),
    findings: [...byKey.values()],
  };
}

export const gosecParser: ReportParser = {
  scanType: GOSEC_SCAN_TYPE,
  format: 'json',
  parse: parseGosec,
  sniff(document: unknown): boolean {
    return isObject(document) && 'Issues' in document && ('Stats' in document || 'Golang errors' in document);
  },
};
