import type { FindingLocationDetail, ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { FieldReader, isObject, pyStr, pythonJsonDumps } from './fields';
import { parseJson } from './json';
import type { ReportParser } from './parser';

/**
 * Semgrep JSON (`semgrep --json`), reproducing DefectDojo's `dojo/tools/semgrep/parser.py`
 * (semantics §7.2): one finding per result, merged inside the report on title + file + line,
 * with the tool's fingerprint as unique id unless it is the `requires login` placeholder.
 */

export const SEMGREP_SCAN_TYPE = 'Semgrep JSON Report';

/** The fingerprint and snippet Semgrep prints when the rule is only visible to logged-in users. */
const REQUIRES_LOGIN = 'requires login';

/** Semgrep's severities; INFO and LOW both become Low, anything unknown aborts the import. */
export function convertSemgrepSeverity(value: string): string | null {
  switch (value.toUpperCase()) {
    case 'CRITICAL':
      return 'Critical';
    case 'ERROR':
    case 'HIGH':
      return 'High';
    case 'WARNING':
    case 'MEDIUM':
      return 'Medium';
    case 'INFO':
    case 'LOW':
      return 'Low';
    default:
      return null;
  }
}

/** `int(value.partition(":")[0].partition("-")[2])`: `CWE-79: Improper …` → 79, or null. */
function cweNumber(value: string): number | null {
  const beforeColon = value.split(':')[0];
  const dash = beforeColon.indexOf('-');
  if (dash === -1) return null;
  const digits = beforeColon.slice(dash + 1).trim();
  return /^[+-]?\d+$/.test(digits) ? Number.parseInt(digits, 10) : null;
}

/**
 * The CWE list of a result: the first entry is DefectDojo's `cwe` (a malformed one aborts the
 * import, as `int()` does), the rest are kept as extra CWEs.
 */
function readCwes(reader: FieldReader, field: string): { cwe: number; extra: number[] } | null {
  const raw = reader.raw(field);
  if (raw === undefined || raw === null) return null;
  const entries = Array.isArray(raw) ? raw : [raw];
  if (entries.length === 0) {
    // DefectDojo indexes `[0]` of an empty list and fails; refuse with the place named.
    return reader.fail(field, 'empty CWE list');
  }
  const texts = entries.map((entry, index) => {
    if (typeof entry !== 'string') return reader.fail(`${field}[${index}]`, 'expected text like "CWE-79: …"');
    return entry;
  });
  const primary = cweNumber(texts[0]);
  if (primary === null) return reader.fail(field, `cannot read a CWE number from "${texts[0].slice(0, 60)}"`);
  const extra = texts
    .slice(1)
    .map(cweNumber)
    .filter((n): n is number => n !== null && n !== primary);
  return { cwe: primary, extra: [...new Set(extra)] };
}

function describeResult(message: string, snippet: string | null): string {
  let description = `**Result message:** ${message}\n`;
  if (snippet !== null) {
    if (snippet.includes('<![')) {
      // DefectDojo's workaround for issue #8435, kept because the description enters the hash.
      const escaped = snippet.replaceAll('<![', '<! [');
      description += `**Snippet:** ***Caution:*** Please remove the space between \`!\` and \`[\` to have the real value due to a workaround to circumvent [#8435](https://github.com/DefectDojo/django-DefectDojo/issues/8435).\n\`\`\`${escaped}\`\`\`\n`;
    } else {
      description += `**Snippet:**\n\`\`\`${snippet}\`\`\`\n`;
    }
  }
  return description;
}

function severityOf(reader: FieldReader, field: string): string {
  const raw = reader.string(field);
  const severity = convertSemgrepSeverity(raw);
  if (severity === null) return reader.fail(field, `unknown Semgrep severity "${raw}"`);
  return severity;
}

function readResult(reader: FieldReader): ParsedFinding {
  const checkId = reader.string('check_id');
  const extra = reader.object('extra');
  const severity = severityOf(extra, 'severity');
  const message = extra.string('message');
  const linesRaw = extra.optString('lines');
  const snippet = linesRaw === REQUIRES_LOGIN ? null : linesRaw;
  const filePath = reader.string('path');
  const start = reader.object('start');
  const line = start.int('line');
  const end = reader.optObject('end');
  const metadata = extra.optObject('metadata');

  const finding: ParsedFinding = {
    title: checkId,
    severity,
    description: describeResult(message, snippet),
    filePath,
    line,
    // Django's default for a finding without a CWE is 0, and the legacy hash renders it.
    cwe: 0,
    staticFinding: true,
    dynamicFinding: false,
    vulnIdFromTool: checkId,
    nbOccurences: 1,
  };

  const fingerprint = extra.optString('fingerprint');
  if (fingerprint && fingerprint !== REQUIRES_LOGIN) finding.uniqueIdFromTool = fingerprint;

  if (metadata) {
    const cwes = readCwes(metadata, 'cwe');
    if (cwes) {
      finding.cwe = cwes.cwe;
      if (cwes.extra.length > 0) finding.cwes = cwes.extra;
    }
    if (metadata.has('references')) {
      const references = metadata.optStringArray('references');
      if (references) finding.references = references.join('\n');
    }
  }
  if (extra.has('fix')) {
    finding.mitigation = extra.optString('fix');
  } else if (extra.has('fix_regex')) {
    finding.mitigation = [
      '**You can automaticaly apply this regex:**',
      '\n```\n',
      pythonJsonDumps(extra.raw('fix_regex')),
      '\n```\n',
    ].join('\n');
  }

  applyAssistant(extra, finding);

  const location: FindingLocationDetail = { ruleId: checkId };
  const endLine = end?.optInt('line');
  if (endLine !== undefined && endLine !== null) location.endLine = endLine;
  const column = start.optInt('col');
  if (column !== null) location.column = column;
  const endColumn = end?.optInt('col');
  if (endColumn !== undefined && endColumn !== null) location.endColumn = endColumn;
  if (snippet !== null) location.snippet = snippet;
  if (fingerprint && fingerprint !== REQUIRES_LOGIN) location.fingerprints = { semgrep: fingerprint };
  const source = metadata?.optString('source');
  if (source) location.ruleHelpUri = source;
  finding.location = location;

  // `nosemgrep` results kept in the report (`--disable-nosem`) carry `is_ignored`. DefectDojo
  // ignores the flag; we record it without touching the DefectDojo status fields.
  if (extra.raw('is_ignored') === true) finding.suppression = { kind: 'nosemgrep' };
  return finding;
}

/** A Semgrep Assistant block that is present and not empty (Python truthiness of a dict). */
function nonEmpty(reader: FieldReader | null): reader is FieldReader {
  return reader !== null && Object.keys(reader.value).length > 0;
}

/**
 * Semgrep Assistant's autofix and guidance replace the mitigation; its component risk and
 * auto-triage verdict become the severity justification, worded as DefectDojo words them.
 */
function applyAssistant(extra: FieldReader, finding: ParsedFinding): void {
  const assistant = extra.optObject('assistant');
  if (!nonEmpty(assistant)) return;
  let mitigation = '';
  let justification = '';
  const autofix = assistant.optObject('autofix');
  if (nonEmpty(autofix)) {
    mitigation += `**Assistant explanation:** ${pyStr(autofix.optString('explanation'))} \n\n**Assistant suggested code**:\n${pyStr(autofix.optString('fix_code'))}\n\n`;
  }
  const component = assistant.optObject('component');
  if (nonEmpty(component)) {
    justification += `Assistant thinks this file is ${pyStr(component.optString('risk'))} risk because it relates to ${pyStr(component.optString('tag'))}\n\n`;
  }
  const guidance = assistant.optObject('guidance');
  if (nonEmpty(guidance)) {
    mitigation += `**Assistant guidance:**\n${pyStr(guidance.optString('summary'))}\n${pyStr(guidance.optString('instructions'))}\n`;
  }
  const autotriage = assistant.optObject('autotriage');
  if (nonEmpty(autotriage)) {
    justification += `Assistant thinks this is a ${pyStr(autotriage.optString('verdict'))}.`;
    const reason = autotriage.optString('reason');
    if (reason) justification += ` ${reason}`;
    justification += '\n';
  }
  if (mitigation !== '') finding.mitigation = mitigation;
  if (justification !== '') finding.severityJustification = justification;
}

/** The Semgrep Supply Chain variant: `vulns[]` with an advisory per dependency. */
function readVuln(reader: FieldReader): ParsedFinding {
  const title = reader.string('title');
  const advisory = reader.object('advisory');
  const severity = severityOf(advisory, 'severity');
  const location = reader.object('dependencyFileLocation');
  const finding: ParsedFinding = {
    title,
    severity,
    description: advisory.optString('description') ?? '',
    filePath: location.string('path'),
    line: location.int('startLine'),
    cwe: 0,
    staticFinding: true,
    dynamicFinding: false,
    vulnIdFromTool: reader.string('repositoryId'),
    nbOccurences: 1,
  };
  const fingerprint = reader.optObject('extra')?.optString('fingerprint');
  if (fingerprint && fingerprint !== REQUIRES_LOGIN) {
    finding.uniqueIdFromTool = fingerprint;
    finding.location = { fingerprints: { semgrep: fingerprint } };
  }
  const references = advisory.object('references');
  const cwes = readCwes(references, 'cweIds');
  if (cwes) {
    finding.cwe = cwes.cwe;
    if (cwes.extra.length > 0) finding.cwes = cwes.extra;
  }
  return finding;
}

/** Keeps the first finding per title + file + line; later copies only count as occurrences. */
function mergeDuplicates(findings: ParsedFinding[]): ParsedFinding[] {
  const byKey = new Map<string, ParsedFinding>();
  for (const finding of findings) {
    const key = `${finding.title}${finding.filePath ?? ''}${String(finding.line)}`;
    const first = byKey.get(key);
    if (first) first.nbOccurences = (first.nbOccurences ?? 1) + 1;
    else byKey.set(key, finding);
  }
  return [...byKey.values()];
}

export function parseSemgrep(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  if (!isObject(document) || (!Array.isArray(document.results) && !Array.isArray(document.vulns))) {
    throw new ReportParseError(fileName, 'not a Semgrep report: expected an object with a "results" (or "vulns") array');
  }
  const firstResult: unknown = Array.isArray(document.results) ? document.results[0] : undefined;
  if (isObject(firstResult) && !('check_id' in firstResult) && !('extra' in firstResult)) {
    // Bandit and other tools also write a "results" array; its entries tell them apart.
    throw new ReportParseError(fileName, 'not a Semgrep report: results[0] has neither "check_id" nor "extra"');
  }
  const root = new FieldReader(fileName, '', document);
  const findings = Array.isArray(document.results)
    ? root.objects('results').map(readResult)
    : root.objects('vulns').map(readVuln);
  return {
    scanType: SEMGREP_SCAN_TYPE,
    testType: SEMGREP_SCAN_TYPE,
    toolName: 'Semgrep',
    toolVersion: root.optString('version'),
    findings: mergeDuplicates(findings),
  };
}

export const semgrepParser: ReportParser = {
  scanType: SEMGREP_SCAN_TYPE,
  format: 'json',
  parse: parseSemgrep,
  sniff(document: unknown): boolean {
    if (!isObject(document)) return false;
    if (Array.isArray(document.results)) {
      // Semgrep results carry `check_id` and `extra`; an empty report has `errors` and `paths`.
      const first: unknown = document.results[0];
      if (isObject(first)) return 'check_id' in first && 'extra' in first;
      return 'paths' in document && 'errors' in document;
    }
    return Array.isArray(document.vulns) && isObject(document.vulns[0]) && 'dependencyFileLocation' in document.vulns[0];
  },
};
