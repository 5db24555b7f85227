import { createHash } from 'node:crypto';
import type { FindingLocationDetail, ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { FieldReader, isObject, pyStr } from './fields';
import { parseJson } from './json';
import type { ReportParser } from './parser';

/**
 * Gitleaks JSON, v8 (`Description`, `StartLine`, `Secret`, …) and the old format (`rule`,
 * `offender`, `lineNumber`, …), reproducing DefectDojo's `dojo/tools/gitleaks/parser.py`
 * (semantics §7.3). DefectDojo maps neither `Fingerprint` nor `RuleID` to an identity field, so
 * neither do we; the fingerprint is kept for the editor only.
 */

export const GITLEAKS_SCAN_TYPE = 'Gitleaks Scan';

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

interface Keyed {
  key: string;
  finding: ParsedFinding;
}

/**
 * What both formats make of a leak: hard-coded credentials (CWE-798) at a place in the sources.
 * Each format adds its own fields after these.
 */
function leakFinding(title: string, severity: string, description: string, filePath: string | null, line: number | null): ParsedFinding {
  return { title, severity, description, cwe: 798, filePath, line, staticFinding: true, dynamicFinding: false };
}

/** A v8 leak. Copies with the same title, secret and line append their description. */
function readCurrent(reader: FieldReader): Keyed {
  const reason = reader.optString('Description');
  const startLine = reader.raw('StartLine');
  // `int(line) if line else 0`: absent, null, 0 and "" all give 0.
  const line = startLine ? reader.int('StartLine') : 0;
  const match = reader.optString('Match');
  const secret = reader.optString('Secret');
  const filePath = reader.optString('File');
  const commit = reader.optString('Commit');
  const date = reader.optString('Date');
  const message = reader.optString('Message');
  const ruleId = reader.optString('RuleID');
  const tags = reader.optStringArray('Tags');

  const title = `Hard coded ${pyStr(reason)} found in ${pyStr(filePath)}`;
  let description = '';
  if (secret) description += `**Secret:** ${secret}\n`;
  if (match) description += `**Match:** ${match}\n`;
  if (message) {
    if (message.split('\n').length > 1) {
      description += '**Commit message:**\n```\n' + message.replaceAll('```', '\\`\\`\\`') + '\n```\n';
    } else {
      description += `**Commit message:** ${message}\n`;
    }
  }
  if (commit) description += `**Commit hash:** ${commit}\n`;
  if (date) description += `**Commit date:** ${date}\n`;
  if (ruleId) description += `**Rule Id:** ${ruleId}`;
  if (description.endsWith('\n')) description = description.slice(0, -1);

  const finding: ParsedFinding = { ...leakFinding(title, 'High', description, filePath, line), nbOccurences: 1 };
  if (tags && tags.length > 0) finding.tags = tags;

  const location: FindingLocationDetail = {};
  const endLine = reader.optInt('EndLine');
  if (endLine !== null) location.endLine = endLine;
  const column = reader.optInt('StartColumn');
  if (column !== null) location.column = column;
  const endColumn = reader.optInt('EndColumn');
  if (endColumn !== null) location.endColumn = endColumn;
  if (match) location.snippet = match;
  else {
    // Older v8 reports carry no `Match` but the whole flagged `Line`, which identifies the
    // finding just as well when the sources are not at hand.
    const flaggedLine = reader.has('Line') ? reader.optString('Line') : null;
    if (flaggedLine) location.snippet = flaggedLine;
  }
  if (ruleId) location.ruleId = ruleId;
  const fingerprint = reader.optString('Fingerprint');
  if (fingerprint) location.fingerprints = { gitleaks: fingerprint };
  finding.location = location;

  return { key: `current:${md5(title + (secret ?? '') + String(line))}`, finding };
}

/** A leak in the pre-v8 format. The first copy per offender + file + line wins. */
function readLegacy(reader: FieldReader): Keyed {
  const filePath = reader.string('file');
  const reason = reader.string('rule');
  let line: number | null = null;
  let description = `**Commit:** ${reader.string('commitMessage').replace(/\n+$/, '')}\n`;
  description += `**Commit Hash:** ${reader.string('commit')}\n`;
  description += `**Commit Date:** ${reader.string('date')}\n`;
  description += `**Author:** ${reader.string('author')} <${reader.string('email')}>\n`;
  description += `**Reason:** ${reason}\n`;
  description += `**Path:** ${filePath}\n`;
  if (reader.has('lineNumber')) {
    line = reader.int('lineNumber');
    description += `**Line:** ${line}\n`;
  }
  if (reader.has('operation')) description += `**Operation:** ${reader.string('operation')}\n`;
  if (reader.has('leakURL')) {
    const url = reader.string('leakURL');
    description += `**Leak URL:** [${url}](${url})\n`;
  }
  const offender = reader.string('offender');
  const lineText = reader.string('line');
  // Python's str.replace with an empty pattern inserts between every character; an empty
  // offender is not a leak, so it is left as is.
  const redacted = offender === '' ? lineText : lineText.replaceAll(offender, 'REDACTED');
  description += `\n**String Found:**\n\n\`\`\`\n${redacted}\n\`\`\``;

  const severity = reason.includes('Github') || reason.includes('AWS') || reason.includes('Heroku') ? 'Critical' : 'High';
  const finding: ParsedFinding = {
    ...leakFinding(`Hard Coded ${reason}`, severity, description, filePath, line),
    // `issue.get("tags", "").split(", ")`: an absent value gives one empty tag, which the tag
    // field then drops.
    tags: (reader.optString('tags') ?? '').split(', ').filter((tag) => tag !== ''),
    location: { ruleId: reason },
  };
  return { key: `legacy:${sha256(offender + filePath + pyStr(line))}`, finding };
}

export function parseGitleaks(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  const report: ParsedReport = { scanType: GITLEAKS_SCAN_TYPE, testType: GITLEAKS_SCAN_TYPE, toolName: 'Gitleaks', findings: [] };
  // Gitleaks writes `null` when it finds nothing.
  if (document === null) return report;
  if (!Array.isArray(document)) {
    throw new ReportParseError(fileName, 'not a Gitleaks report: expected a JSON array of leaks');
  }
  const byKey = new Map<string, ParsedFinding>();
  document.forEach((entry, index) => {
    const reader = new FieldReader(fileName, `[${index}]`, entry);
    let keyed: Keyed;
    if (reader.raw('rule')) keyed = readLegacy(reader);
    else if (reader.raw('Description')) keyed = readCurrent(reader);
    else throw new ReportParseError(fileName, 'not a Gitleaks leak: neither "Description" (v8) nor "rule" (old format)', `[${index}]`);
    const first = byKey.get(keyed.key);
    if (!first) {
      byKey.set(keyed.key, keyed.finding);
    } else if (keyed.key.startsWith('current:')) {
      first.description = `${first.description}\n\n***\n\n${keyed.finding.description}`;
      first.nbOccurences = (first.nbOccurences ?? 1) + 1;
    }
  });
  report.findings = [...byKey.values()];
  return report;
}

export const gitleaksParser: ReportParser = {
  scanType: GITLEAKS_SCAN_TYPE,
  format: 'json',
  parse: parseGitleaks,
  sniff(document: unknown, fileName: string): boolean {
    if (!Array.isArray(document)) return false;
    // An empty list says nothing about its tool; only the file name can claim it.
    if (document.length === 0) return /gitleaks/i.test(fileName.split(/[\\/]/).pop() ?? '');
    const first: unknown = document[0];
    if (!isObject(first)) return false;
    return ('Description' in first && 'RuleID' in first) || ('rule' in first && 'offender' in first);
  },
};
