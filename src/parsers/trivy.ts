import type { ParsedFinding, ParsedReport } from '../model';
import { parseCvss3, severityFromScore } from './cvss';
import { ReportParseError } from './errors';
import { FieldReader, isObject, pyStr } from './fields';
import { parseJson } from './json';
import type { ReportParser } from './parser';

/**
 * Trivy JSON (`trivy … --format json`): schema v2 (`SchemaVersion: 2`, `Results[]`), the legacy
 * bare list of results, and the Kubernetes cluster report, reproducing DefectDojo's
 * `dojo/tools/trivy/parser.py` (semantics §7.4). Vulnerabilities, misconfigurations, secrets and
 * licenses become findings; none has a unique id, and the advisory text is part of the hash.
 * Severity follows §7.4: the report's `Severity`, and the CVSS entry only when it is missing.
 */

export const TRIVY_SCAN_TYPE = 'Trivy Scan';

const TRIVY_SEVERITIES: Readonly<Record<string, string>> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  UNKNOWN: 'Info',
};

/** CVSS sources tried after the vulnerability's own `SeveritySource`, in DefectDojo's order. */
const CVSS_SEVERITY_SOURCES = ['nvd', 'ghsa', 'redhat', 'bitnami'];

interface StatusFields {
  active?: boolean;
  verified?: boolean;
  isMitigated?: boolean;
}

/**
 * Trivy's VEX-style `Status` mapped to DefectDojo's flags (`convert_trivy_status`). Statuses not
 * listed leave the import's own defaults in place.
 */
const STATUS_FIELDS: Readonly<Record<string, StatusFields>> = {
  unknown: { verified: false },
  not_affected: { active: false, verified: true, isMitigated: true },
  affected: { active: true, verified: true },
  fixed: { active: true, verified: true },
  under_investigation: { active: true, verified: false },
  will_not_fix: { active: true, verified: true },
  fix_deferred: { active: true, verified: true },
  end_of_life: { active: true, verified: true },
};

function mapSeverity(reader: FieldReader, field: string): string {
  const raw = reader.string(field);
  const severity = TRIVY_SEVERITIES[raw];
  if (severity === undefined) return reader.fail(field, `unknown Trivy severity "${raw}"`);
  return severity;
}

/** Non-empty tags only: DefectDojo's tag field drops empty and missing values. */
function tagsOf(...values: (string | null)[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

interface Target {
  name: string;
  className: string | null;
  type: string | null;
}

interface CvssChoice {
  severity: string | null;
  cvssv3: string | null;
  cvssv3Score: number | null;
  cvssv4: string | null;
  cvssv4Score: number | null;
}

/** A CVSS v4.0 vector as the `cvss` package accepts one: the prefix and metric:value pairs. */
const CVSS4_VECTOR = /^CVSS:4\.0(?:\/[A-Z]{1,3}:[A-Z])+$/;

/**
 * The CVSS entry DefectDojo 3.2.0 reads: the vulnerability's `SeveritySource` first, then nvd,
 * ghsa, redhat and bitnami, and only the first of those present. Within it, in order: a V4.0
 * vector, a `V4Score`, a V3 vector, a V3 score, a V2 score; each gives the CVSS fields it carries
 * and a severity, used only when the report has none.
 *
 * DefectDojo scores a V4.0 vector with the Python `cvss` package; Scan Ledger has no CVSS 4
 * scorer, so it takes the score Trivy wrote beside the vector (`V40Score`), which Trivy
 * computes with the same FIRST algorithm.
 */
function chooseCvss(vuln: FieldReader): CvssChoice {
  const cvss = vuln.optObject('CVSS');
  const choice: CvssChoice = { severity: null, cvssv3: null, cvssv3Score: null, cvssv4: null, cvssv4Score: null };
  if (!cvss) return choice;
  const sources = [vuln.optString('SeveritySource'), ...CVSS_SEVERITY_SOURCES].filter((s): s is string => s !== null);
  for (const source of sources) {
    const entry = cvss.optObject(source);
    if (!entry) continue;
    const v4Vector = entry.optString('V40Vector');
    if (v4Vector && CVSS4_VECTOR.test(v4Vector.trim())) {
      choice.cvssv4 = v4Vector.trim();
      choice.cvssv4Score = entry.optNumber('V40Score');
      choice.severity = severityFromScore(choice.cvssv4Score);
      return choice;
    }
    const v4 = entry.optNumber('V4Score');
    if (v4 !== null) {
      choice.cvssv4Score = v4;
      choice.severity = severityFromScore(v4);
      return choice;
    }
    const parsed = parseCvss3(entry.optString('V3Vector'));
    if (parsed) {
      choice.cvssv3 = parsed.vector;
      choice.cvssv3Score = parsed.environmentalScore;
      choice.severity = parsed.baseSeverity === 'None' ? 'Info' : parsed.baseSeverity;
      return choice;
    }
    const v3 = entry.optNumber('V3Score');
    if (v3 !== null) {
      choice.cvssv3Score = v3;
      choice.severity = severityFromScore(v3);
      return choice;
    }
    choice.severity = severityFromScore(entry.optNumber('V2Score'));
    return choice;
  }
  return choice;
}

function describeVulnerability(title: string, target: string, type: string, fixedVersion: string, text: string): string {
  return `${title}\n**Target:** ${target}\n**Type:** ${type}\n**Fixed version:** ${fixedVersion}\n\n${text}\n`;
}

/**
 * One vulnerability, or null where DefectDojo's `except KeyError` skips it (no `PkgName`, or a
 * `Severity` outside Trivy's five) with a warning.
 */
function readVulnerability(vuln: FieldReader, target: Target, service: string | null, warnings: string[]): ParsedFinding | null {
  const vulnId = vuln.has('VulnerabilityID') ? vuln.optString('VulnerabilityID') : '0';
  const packageName = vuln.optString('PkgName');
  if (!vuln.has('PkgName')) {
    warnings.push(`${vuln.path}: no "PkgName"; skipped, as DefectDojo skips it`);
    return null;
  }
  const cvss = chooseCvss(vuln);
  // The report's own severity wins; the CVSS-derived one only fills in when it is missing.
  const severityRaw = vuln.optString('Severity');
  let severity: string;
  if (severityRaw) {
    if (TRIVY_SEVERITIES[severityRaw] === undefined) {
      warnings.push(`${vuln.path}.Severity: unknown Trivy severity "${severityRaw}"; skipped, as DefectDojo skips it`);
      return null;
    }
    severity = TRIVY_SEVERITIES[severityRaw];
  } else severity = cvss.severity ?? 'Info';

  let filePath: string | null = null;
  if (target.className === 'os-pkgs' || target.className === 'lang-pkgs') filePath = vuln.optString('PkgPath') ?? target.name;
  else if (target.className === 'config') filePath = target.name;

  // `vuln.get(key, "")`: an absent key gives "", an explicit null stays None (`None` in text).
  const packageVersion = vuln.has('InstalledVersion') ? vuln.optString('InstalledVersion') : '';
  const references = (vuln.optStringArray('References') ?? []).join('\n');
  const fixedVersion = vuln.has('FixedVersion') ? vuln.optString('FixedVersion') : '';
  const status = vuln.optString('Status') ?? '';
  // `int(c.split("-")[1])` for every entry: the first is the primary CWE, all are kept.
  const cweIds = vuln.optStringArray('CweIDs') ?? [];
  const cwes = cweIds.map((id, index) => {
    const number = id.split('-')[1];
    if (number === undefined || !/^\s*\d+\s*$/.test(number)) return vuln.fail(`CweIDs[${index}]`, `cannot read a CWE number from "${id}"`);
    return Number.parseInt(number, 10);
  });
  const cwe = cwes.length > 0 ? cwes[0] : 0;
  const type = target.type ?? '';
  const title = `${pyStr(vulnId)} ${pyStr(packageName)} ${pyStr(packageVersion)}`;
  const finding: ParsedFinding = {
    title,
    severity,
    cwe,
    filePath,
    references,
    description: describeVulnerability(
      vuln.has('Title') ? pyStr(vuln.optString('Title')) : '',
      target.name,
      type,
      pyStr(fixedVersion),
      vuln.has('Description') ? pyStr(vuln.optString('Description')) : '',
    ),
    impact: status,
    mitigation: fixedVersion,
    componentName: packageName,
    componentVersion: packageVersion,
    cvssv3: cvss.cvssv3,
    cvssv3Score: cvss.cvssv3Score,
    cvssv4: cvss.cvssv4,
    cvssv4Score: cvss.cvssv4Score,
    staticFinding: true,
    dynamicFinding: false,
    fixAvailable: fixedVersion !== '',
    tags: tagsOf(type, target.className),
    service,
    ...STATUS_FIELDS[status],
  };
  if (fixedVersion) finding.fixVersion = fixedVersion;
  if (cwes.length > 0) finding.cwes = cwes;
  if (vulnId) finding.vulnerabilityIds = [vulnId];
  finding.location = { ruleId: vulnId };
  const primaryUrl = vuln.optString('PrimaryURL');
  if (primaryUrl) finding.location.ruleHelpUri = primaryUrl;
  if (status === 'not_affected') finding.suppression = { kind: 'trivy-vex', reason: 'not_affected' };
  return finding;
}

/** The `Number\tContent` table DefectDojo appends to a misconfiguration's message. */
function linesTable(lines: FieldReader[]): string {
  let table = 'Number\tContent\n';
  for (const line of lines) {
    table += `${pyStr(line.optString('Number'))}\t${line.has('Content') ? pyStr(line.optString('Content')) : ''}\n`;
  }
  return table;
}

function readMisconfiguration(misconfig: FieldReader, target: Target, service: string | null): ParsedFinding {
  // DefectDojo 3.2.0 reads each key with `.get(key, default)`: an absent key gives the default,
  // an explicit null stays None.
  const get = (key: string, fallback: string | null): string | null => (misconfig.has(key) ? misconfig.optString(key) : fallback);
  const id = get('ID', null);
  const title = get('Title', 'Unknown Misconfiguration');
  const description = get('Description', '');
  let message = get('Message', '');
  const cause = misconfig.optObject('CauseMetadata');
  const codeLines = cause?.optObject('Code')?.objects('Lines') ?? [];
  if (codeLines.length > 0) message = `${pyStr(message)}\n${linesTable(codeLines)}`;
  const primaryUrl = misconfig.optString('PrimaryURL');
  const references = [...(primaryUrl ? [primaryUrl] : []), ...(misconfig.optStringArray('References') ?? []).filter((ref) => ref !== primaryUrl)];
  const severityRaw = get('Severity', 'Low');

  const finding: ParsedFinding = {
    title: `${pyStr(id)} - ${pyStr(title)}`,
    severity: (severityRaw !== null ? TRIVY_SEVERITIES[severityRaw] : undefined) ?? 'Info',
    cwe: 0,
    filePath: target.name,
    references: references.length > 0 ? references.join('\n') : null,
    description: `**Target:** ${target.name}\n**Type:** ${pyStr(misconfig.optString('Type'))}\n\n${pyStr(description)}\n${pyStr(message)}\n`,
    mitigation: misconfig.optString('Resolution'),
    impact: description,
    fixAvailable: true,
    staticFinding: true,
    dynamicFinding: false,
    tags: tagsOf(target.type, target.className),
    service,
  };
  // `misconfiguration.get("AVDID", misc_id)`: the check's own id (`KSV001`) when there is no AVDID.
  const avdId = get('AVDID', id);
  if (avdId) finding.vulnerabilityIds = [avdId];
  finding.location = { ruleId: id };
  const endLine = cause?.optInt('EndLine');
  if (endLine !== undefined && endLine !== null) finding.location.endLine = endLine;
  if (primaryUrl) finding.location.ruleHelpUri = primaryUrl;
  return finding;
}

function readSecret(secret: FieldReader, target: Target, service: string | null): ParsedFinding {
  const title = secret.optString('Title');
  const match = secret.optString('Match');
  const finding: ParsedFinding = {
    title: `Secret detected in ${target.name} - ${pyStr(title)}`,
    severity: mapSeverity(secret, 'Severity'),
    cwe: 0,
    description: `${pyStr(title)}\n**Category:** ${pyStr(secret.optString('Category'))}\n**Match:** ${pyStr(match)}\n`,
    filePath: target.name,
    line: secret.optInt('StartLine'),
    fixAvailable: true,
    staticFinding: true,
    dynamicFinding: false,
    tags: tagsOf(target.className),
    service,
  };
  finding.location = {};
  const ruleId = secret.optString('RuleID');
  if (ruleId) finding.location.ruleId = ruleId;
  const endLine = secret.optInt('EndLine');
  if (endLine !== null) finding.location.endLine = endLine;
  if (match) finding.location.snippet = match;
  return finding;
}

/** A license finding (`--scanners license`), as DefectDojo's current parser reports it. */
function readLicense(license: FieldReader, target: Target, service: string | null): ParsedFinding {
  const name = license.optString('Name');
  const finding: ParsedFinding = {
    title: `License detected in ${target.name} - ${pyStr(name)}`,
    severity: mapSeverity(license, 'Severity'),
    cwe: 0,
    description: `${pyStr(name)}\n**Category:** ${pyStr(license.optString('Category'))}\n**Package:** ${pyStr(license.optString('PkgName'))}\n`,
    filePath: license.optString('FilePath'),
    fixAvailable: true,
    staticFinding: true,
    dynamicFinding: false,
    tags: tagsOf(target.className),
    service,
  };
  const link = license.optString('Link');
  if (link) finding.location = { ruleHelpUri: link };
  return finding;
}

function readResults(results: unknown[], fileName: string, path: string, service: string | null, warnings: string[]): ParsedFinding[] {
  const findings: ParsedFinding[] = [];
  results.forEach((entry, index) => {
    // DefectDojo skips entries that are not objects or have no Target.
    if (!isObject(entry) || !('Target' in entry)) return;
    const result = new FieldReader(fileName, `${path}[${index}]`, entry);
    const target: Target = { name: pyStr(result.optString('Target')), className: result.optString('Class'), type: result.optString('Type') };
    for (const vuln of result.objects('Vulnerabilities')) {
      const finding = readVulnerability(vuln, target, service, warnings);
      if (finding) findings.push(finding);
    }
    for (const misconfig of result.objects('Misconfigurations')) findings.push(readMisconfiguration(misconfig, target, service));
    for (const secret of result.objects('Secrets')) findings.push(readSecret(secret, target, service));
    for (const license of result.objects('Licenses')) findings.push(readLicense(license, target, service));
  });
  return findings;
}

/** `namespace / kind / name` for a cluster report's resource, skipping missing parts. */
function serviceName(resource: FieldReader): string {
  const parts = [resource.optString('Namespace'), resource.optString('Kind'), resource.optString('Name')].filter((p): p is string => !!p);
  return parts.join(' / ');
}

export function parseTrivy(text: string, fileName: string): ParsedReport {
  const document = parseJson(text, fileName);
  const warnings: string[] = [];
  const report: ParsedReport = { scanType: TRIVY_SCAN_TYPE, testType: TRIVY_SCAN_TYPE, toolName: 'Trivy', findings: [] };
  const done = (): ParsedReport => (warnings.length > 0 ? { ...report, warnings } : report);
  if (document === null) return report;
  if (Array.isArray(document)) {
    report.findings = readResults(document, fileName, '', null, warnings);
    return done();
  }
  if (!isObject(document)) throw new ReportParseError(fileName, 'not a Trivy report: expected a JSON object or list');
  const root = new FieldReader(fileName, '', document);
  if (document.SchemaVersion === 2) {
    report.findings = readResults(root.optArray('Results') ?? [], fileName, 'Results', null, warnings);
    return done();
  }
  if (document.ClusterName !== undefined && document.ClusterName !== null) {
    for (const section of ['Vulnerabilities', 'Misconfigurations', 'Resources']) {
      for (const resource of root.objects(section)) {
        const service = serviceName(resource);
        report.findings.push(...readResults(resource.optArray('Results') ?? [], fileName, `${resource.path}.Results`, service || null, warnings));
      }
    }
    return done();
  }
  throw new ReportParseError(fileName, 'not a Trivy report: no "SchemaVersion": 2 and no "ClusterName"');
}

export const trivyParser: ReportParser = {
  scanType: TRIVY_SCAN_TYPE,
  format: 'json',
  parse: parseTrivy,
  sniff(document: unknown): boolean {
    if (isObject(document)) {
      return (document.SchemaVersion === 2 && ('ArtifactName' in document || 'Results' in document)) || ('ClusterName' in document && ('Resources' in document || 'Vulnerabilities' in document));
    }
    if (Array.isArray(document) && isObject(document[0])) {
      return 'Target' in document[0] && ('Vulnerabilities' in document[0] || 'Type' in document[0]);
    }
    return false;
  },
};
