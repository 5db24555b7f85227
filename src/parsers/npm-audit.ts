import type { ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { FieldReader, isObject, pyStr } from './fields';
import { parseJson } from './json';
import type { ReportParser } from './parser';

/**
 * `npm audit --json` output, in its two shapes:
 * - npm ≤ 6 (`advisories` keyed by advisory id), reproducing DefectDojo's
 *   `dojo/tools/npm_audit/parser.py` and `get_npm_cwe` in `dojo/tools/utils.py`;
 * - npm ≥ 7 (`auditReportVersion: 2`, `vulnerabilities` keyed by package), reproducing
 *   `dojo/tools/npm_audit_7_plus/parser.py`.
 * Neither sets a unique id; v6 findings merge on advisory id + module name, v7 ones on title +
 * severity.
 */

export const NPM_AUDIT_SCAN_TYPE = 'NPM Audit Scan';
export const NPM_AUDIT_V7_SCAN_TYPE = 'NPM Audit v7+ Scan';

/** What both of DefectDojo's npm audit parsers (npm 6 and npm 7+) set the same on every finding. */
const NPM_FIXED_FIELDS = {
  falsePositive: false,
  outOfScope: false,
  mitigated: null,
  impact: 'No impact provided',
  staticFinding: true,
  dynamicFinding: false,
} as const satisfies Partial<ParsedFinding>;

function npmSeverity(value: string | null): string {
  switch (value) {
    case 'low':
      return 'Low';
    case 'moderate':
      return 'Medium';
    case 'high':
      return 'High';
    case 'critical':
      return 'Critical';
    default:
      return 'Info';
  }
}

/**
 * `get_npm_cwe` and `get_npm_cwes` (DefectDojo 3.2.0, `dojo/tools/utils.py`): every CWE of
 * `"CWE-79"`, `["CWE-79", …]` or the string `'["CWE-79", …]'`, in order, the first being the
 * primary; 1035 (vulnerable third-party component) when there is none. A bare `"CWE-"` has no
 * number and reads as no CWE (so 1035), and empty list entries are skipped, as DefectDojo skips
 * them; a list entry with text that is not a number is refused, because `int()` raises there.
 */
export function npmCwes(advisory: FieldReader): { cwe: number; all: number[] } {
  const raw = advisory.raw('cwe');
  let list: unknown[] = [];
  if (Array.isArray(raw)) list = raw;
  else if (typeof raw === 'string' && raw.startsWith('[')) {
    try {
      const decoded: unknown = JSON.parse(raw);
      list = Array.isArray(decoded) ? decoded : [];
    } catch {
      return advisory.fail('cwe', 'a CWE list that is not valid JSON');
    }
  } else if (typeof raw === 'string' && raw.startsWith('CWE-') && raw.length > 4) list = [raw];
  const numbers: number[] = [];
  list.forEach((entry, index) => {
    if (entry === '' || entry === null || entry === undefined) return;
    const text = typeof entry === 'string' ? entry.slice(4) : '';
    if (!/^\d+$/.test(text)) return advisory.fail(`cwe[${index}]`, `cannot read a CWE number from ${JSON.stringify(entry)}`);
    numbers.push(Number.parseInt(text, 10));
  });
  if (numbers.length === 0) return { cwe: 1035, all: [] };
  return { cwe: numbers[0], all: numbers };
}

/**
 * npm replaces the name of a git dependency with a hash that changes on every run (npm/npm#20739);
 * DefectDojo censors it so the path, part of the hash code, stays stable.
 */
function censorPathHashes(path: string | null): string | null {
  if (!path) return null;
  return path.replace(/[a-f0-9]{64}/g, 'censored_by_npm_audit');
}

function readAdvisory(advisory: FieldReader): ParsedFinding {
  const moduleName = advisory.string('module_name');
  const vulnerableVersions = advisory.string('vulnerable_versions');
  const url = advisory.string('url');
  let paths = '';
  let componentVersion: string | null = null;
  const occurrences = advisory.objects('findings');
  for (const occurrence of occurrences) {
    const version = occurrence.optString('version');
    // `version if not component_version else component_version`: the first truthy one.
    if (!componentVersion) componentVersion = version;
    const occurrencePaths = occurrence.optStringArray('paths') ?? [];
    paths += `\n  - ${pyStr(version)}:${occurrencePaths.slice(0, 25).join(',')}`;
    if (occurrencePaths.length > 25) paths += '\n  - ..... (list of paths truncated after 25 paths)';
  }
  const firstPaths = occurrences[0]?.optStringArray('paths') ?? [];
  // DefectDojo falls back to "" only on IndexError; an empty first path censors to None.
  const filePath = occurrences.length === 0 || firstPaths.length === 0 ? '' : censorPathHashes(firstPaths[0]);
  const cwes = npmCwes(advisory);
  const finding: ParsedFinding = {
    title: `${advisory.string('title')} - (${moduleName}, ${vulnerableVersions})`,
    severity: npmSeverity(advisory.optString('severity')),
    filePath,
    description:
      `${url}\n${advisory.string('overview')}\n Vulnerable Module: ${moduleName}\n Vulnerable Versions: ${vulnerableVersions}` +
      `\n Patched Version: ${pyStr(advisory.optString('patched_versions'))}\n Vulnerable Paths: ${paths}` +
      `\n CWE: ${pythonRepr(advisory.raw('cwe'))}\n Access: ${pyStr(advisory.optString('access'))}`,
    cwe: cwes.cwe,
    mitigation: advisory.optString('recommendation'),
    references: url,
    componentName: moduleName,
    componentVersion,
    ...NPM_FIXED_FIELDS,
  };
  if (cwes.all.length > 0) finding.cwes = cwes.all;
  const cves = advisory.optStringArray('cves') ?? [];
  if (cves.length > 0) finding.vulnerabilityIds = cves;
  const id = advisory.optString('id');
  finding.location = { ruleId: id };
  return finding;
}

/** Python's `str()` of a decoded JSON value, as `str(item_node["cwe"])` prints a list. */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === 'string' ? `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'` : pythonRepr(v))).join(', ')}]`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

export function parseNpmAudit(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  if (!isObject(document)) throw new ReportParseError(fileName, 'not an npm audit report: expected a JSON object');
  if (document.auditReportVersion) {
    throw new ReportParseError(fileName, `not an npm 6 audit report: auditReportVersion ${pyStr(String(document.auditReportVersion))} (npm 7 or later) belongs to "${NPM_AUDIT_V7_SCAN_TYPE}"`);
  }
  const root = new FieldReader(fileName, '', document);
  const error = root.optObject('error');
  if (document.error) {
    throw new ReportParseError(fileName, `npm audit report contains errors: ${pyStr(error?.optString('code'))}, ${pyStr(error?.optString('summary'))}`);
  }
  if (!isObject(document.advisories)) throw new ReportParseError(fileName, 'not an npm 6 audit report: no "advisories" object');
  const advisories = root.object('advisories');
  const byKey = new Map<string, ParsedFinding>();
  for (const key of Object.keys(advisories.value)) {
    const advisory = advisories.object(key);
    const finding = readAdvisory(advisory);
    // A later advisory with the same id and module replaces the earlier one, as a dict assignment does.
    byKey.set(`${pyStr(advisory.optString('id'))}${advisory.string('module_name')}`, finding);
  }
  return { scanType: NPM_AUDIT_SCAN_TYPE, testType: NPM_AUDIT_SCAN_TYPE, toolName: 'npm audit', findings: [...byKey.values()] };
}

// ----- npm 7 and later -----

interface Vulnerability {
  reader: FieldReader;
  name: string;
  range: string;
  via: unknown[];
  nodes: string[];
  effects: string[];
}

function readVulnerabilityEntry(reader: FieldReader): Vulnerability {
  return {
    reader,
    name: reader.string('name'),
    range: reader.string('range'),
    via: reader.optArray('via') ?? [],
    nodes: reader.optStringArray('nodes') ?? [],
    effects: reader.optStringArray('effects') ?? [],
  };
}

function viaName(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (isObject(entry) && typeof entry.name === 'string') return entry.name;
  return 'None';
}

function fixMitigation(reader: FieldReader): string | null {
  const fix = reader.raw('fixAvailable');
  if (isObject(fix)) {
    const fixReader = reader.object('fixAvailable');
    return `Update ${pyStr(fixReader.optString('name'))} to version ${pyStr(fixReader.optString('version'))}`;
  }
  return null;
}

/** `get_vuln_description`: the package, its advisories, the fix and the dependents it affects. */
function describeV7(vulnerability: Vulnerability, all: Map<string, Vulnerability>): string {
  const { reader } = vulnerability;
  let description = `${vulnerability.name} ${vulnerability.range}\n`;
  description += `Severity: ${reader.string('severity')}\n`;
  vulnerability.via.forEach((via, index) => {
    if (typeof via === 'string') {
      description += `Depends on vulnerable versions of ${via}\n`;
    } else {
      const advisory = new FieldReader(reader.fileName, `${reader.at('via')}[${index}]`, via);
      description += `${pyStr(advisory.optString('title'))} - ${pyStr(advisory.optString('url'))}\n`;
    }
  });
  const fix = fixMitigation(reader);
  description += `${fix ? `Fix Available: ${fix}` : 'No specific mitigation provided by tool.'}\n`;
  for (const node of vulnerability.nodes) description += `${node}\n`;
  const handled: string[] = [];
  for (const effectName of vulnerability.effects) {
    const effect = all.get(effectName);
    if (!effect) return reader.fail('effects', `names "${effectName}", which is not in "vulnerabilities"`);
    description += `  ${effect.name} ${effect.range}\n`;
    handled.push(effect.name);
    for (const via of effect.via) {
      const name = viaName(via);
      if (effect.name !== name) description += `  Depends on vulnerable versions of ${name}\n`;
    }
    for (const node of effect.nodes) description += `  ${node}\n`;
    for (const nested of effect.effects) {
      if (handled.includes(nested)) continue;
      const nestedEffect = all.get(nested);
      if (!nestedEffect) return effect.reader.fail('effects', `names "${nested}", which is not in "vulnerabilities"`);
      description += `    ${nestedEffect.name} ${nestedEffect.range}\n`;
      // DefectDojo lists the outer effect's nodes here, not the nested one's; kept for parity.
      for (const node of effect.nodes) description += `    ${node}\n`;
    }
  }
  return description;
}

function readV7(vulnerability: Vulnerability, all: Map<string, Vulnerability>): ParsedFinding {
  const { reader, via } = vulnerability;
  const references: string[] = [];
  let title = '';
  let componentName: string | null = null;
  let cweText = '';
  const cwes: number[] = [];
  let vulnIdFromTool = '';
  let cvssv3 = '';
  if (via.length > 0 && typeof via[0] === 'string') {
    // A package that is only vulnerable through its dependencies.
    title = vulnerability.name;
    cweText = 'CWE-1035';
    componentName = title;
  } else if (via.length > 0 && isObject(via[0])) {
    const advisory = new FieldReader(reader.fileName, `${reader.at('via')}[0]`, via[0]);
    title = advisory.string('title');
    const firstNode = vulnerability.nodes[0];
    if (firstNode === undefined) return reader.fail('nodes', 'expected at least one node for a direct advisory');
    componentName = firstNode;
    // An advisory without CWEs leaves DefectDojo's `cwe` unset (Django's default 0) and no list.
    const cweList = advisory.optStringArray('cwe') ?? [];
    cweText = cweList[0] ?? '';
    for (const [index, entry] of cweList.entries()) {
      if (entry === '') continue;
      const number = entry.split('-')[1];
      if (number === undefined || !/^\s*\d+\s*$/.test(number)) return advisory.fail(`cwe[${index}]`, `cannot read a CWE number from "${entry}"`);
      cwes.push(Number.parseInt(number, 10));
    }
    references.push(advisory.string('url'));
    vulnIdFromTool = advisory.string('source');
    cvssv3 = advisory.optObject('cvss')?.optString('vectorString') ?? '';
    via.slice(1).forEach((more, index) => {
      if (isObject(more)) references.push(new FieldReader(reader.fileName, `${reader.at('via')}[${index + 1}]`, more).string('url'));
    });
  }
  let cwe: number | null = null;
  if (cweText !== '') {
    const number = cweText.split('-')[1];
    if (number === undefined || !/^\d+$/.test(number)) return reader.fail('via[0].cwe', `cannot read a CWE number from "${cweText}"`);
    cwe = Number.parseInt(number, 10);
  }
  const finding: ParsedFinding = {
    title,
    severity: npmSeverity(reader.optString('severity')),
    description: describeV7(vulnerability, all),
    // An entry whose `via` is empty has no CWE at all; DefectDojo passes "" and Django keeps 0.
    cwe: cwe ?? 0,
    mitigation: fixMitigation(reader) ?? 'No specific mitigation provided by tool.',
    references: references.join(', '),
    componentName,
    ...NPM_FIXED_FIELDS,
    vulnIdFromTool,
  };
  if (cwes.length > 0) finding.cwes = cwes;
  if (cvssv3 !== '') finding.cvssv3 = cvssv3;
  finding.location = { ruleId: vulnIdFromTool || null };
  return finding;
}

export function parseNpmAuditV7(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  if (!isObject(document)) throw new ReportParseError(fileName, 'not an npm audit report: expected a JSON object');
  // `npm audit fix --dry-run --json` nests the audit under `audit`.
  const auditValue = document.audit ? document.audit : document;
  if (!isObject(auditValue) || !auditValue.auditReportVersion) {
    throw new ReportParseError(fileName, 'not an npm 7+ audit report: no "auditReportVersion" (npm 6 reports belong to "NPM Audit Scan")');
  }
  const audit = new FieldReader(fileName, document.audit ? 'audit' : '', auditValue);
  const vulnerabilities = audit.optObject('vulnerabilities');
  const all = new Map<string, Vulnerability>();
  if (vulnerabilities) {
    for (const key of Object.keys(vulnerabilities.value)) all.set(key, readVulnerabilityEntry(vulnerabilities.object(key)));
  }
  const byKey = new Map<string, ParsedFinding>();
  for (const vulnerability of all.values()) {
    const finding = readV7(vulnerability, all);
    byKey.set(finding.title + finding.severity, finding);
  }
  return { scanType: NPM_AUDIT_V7_SCAN_TYPE, testType: NPM_AUDIT_V7_SCAN_TYPE, toolName: 'npm audit', findings: [...byKey.values()] };
}

export const npmAuditParser: ReportParser = {
  scanType: NPM_AUDIT_SCAN_TYPE,
  format: 'json',
  parse: parseNpmAudit,
  sniff(document: unknown): boolean {
    return isObject(document) && !document.auditReportVersion && isObject(document.advisories) && 'metadata' in document;
  },
};

export const npmAuditV7Parser: ReportParser = {
  scanType: NPM_AUDIT_V7_SCAN_TYPE,
  format: 'json',
  parse: parseNpmAuditV7,
  sniff(document: unknown): boolean {
    if (!isObject(document)) return false;
    const audit = isObject(document.audit) ? document.audit : document;
    return Boolean(audit.auditReportVersion) && isObject(audit.vulnerabilities);
  },
};
