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
}

/**
 * The CVSS entry DefectDojo reads: the vulnerability's `SeveritySource` first, then nvd, ghsa,
 * redhat and bitnami. A V3 vector gives the vector, the score and a severity; else a V3 or V2
 * score gives a severity.
 */
function chooseCvss(vuln: FieldReader): CvssChoice {
  const cvss = vuln.optObject('CVSS');
  const choice: CvssChoice = { severity: null, cvssv3: null, cvssv3Score: null };
  if (!cvss) return choice;
  const sources = [vuln.optString('SeveritySource'), ...CVSS_SEVERITY_SOURCES].filter((s): s is string => s !== null);
  for (const source of sources) {
    const entry = cvss.optObject(source);
    if (!entry) continue;
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

function readVulnerability(vuln: FieldReader, target: Target, service: string | null): ParsedFinding {
  const vulnId = vuln.has('VulnerabilityID') ? vuln.optString('VulnerabilityID') : '0';
  const packageName = vuln.string('PkgName');
  const cvss = chooseCvss(vuln);
  // The report's own severity wins; the CVSS-derived one only fills in when it is missing.
  const severityRaw = vuln.optString('Severity');
  let severity: string;
  if (severityRaw !== null && TRIVY_SEVERITIES[severityRaw] !== undefined) severity = TRIVY_SEVERITIES[severityRaw];
  else if (cvss.severity !== null) severity = cvss.severity;
  else return vuln.fail('Severity', severityRaw === null ? 'required field is missing and there is no CVSS entry' : `unknown Trivy severity "${severityRaw}"`);

  let filePath: string | null = null;
  if (target.className === 'os-pkgs' || target.className === 'lang-pkgs') filePath = vuln.optString('PkgPath') ?? target.name;
  else if (target.className === 'config') filePath = target.name;

  // `vuln.get(key, "")`: an absent key gives "", an explicit null stays None (`None` in text).
  const packageVersion = vuln.has('InstalledVersion') ? vuln.optString('InstalledVersion') : '';
  const references = (vuln.optStringArray('References') ?? []).join('\n');
  const fixedVersion = vuln.has('FixedVersion') ? vuln.optString('FixedVersion') : '';
  const status = vuln.optString('Status') ?? '';
  const cweIds = vuln.optStringArray('CweIDs') ?? [];
  let cwe = 0;
  if (cweIds.length > 0) {
    const number = cweIds[0].split('-')[1];
    if (number === undefined || !/^\d+$/.test(number.trim())) return vuln.fail('CweIDs[0]', `cannot read a CWE number from "${cweIds[0]}"`);
    cwe = Number.parseInt(number, 10);
  }
  const type = target.type ?? '';
  const title = `${pyStr(vulnId)} ${packageName} ${pyStr(packageVersion)}`;
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
    staticFinding: true,
    dynamicFinding: false,
    fixAvailable: fixedVersion !== '',
    tags: tagsOf(type, target.className),
    service,
    ...STATUS_FIELDS[status],
  };
  if (fixedVersion) finding.fixVersion = fixedVersion;
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
  const id = misconfig.optString('ID');
  const title = misconfig.optString('Title');
  let message = misconfig.optString('Message');
  const cause = misconfig.optObject('CauseMetadata');
  const codeLines = cause?.optObject('Code')?.objects('Lines') ?? [];
  if (codeLines.length > 0) message = `${message ?? ''}\n${linesTable(codeLines)}`;
  const primaryUrl = misconfig.optString('PrimaryURL');
  const otherReferences = (misconfig.optStringArray('References') ?? []).filter((ref, index, all) => ref !== primaryUrl || all.indexOf(ref) !== index);
  let references = primaryUrl ? `${primaryUrl}\n` : '';
  references += otherReferences.join('\n');

  const finding: ParsedFinding = {
    title: `${pyStr(id)} - ${pyStr(title)}`,
    severity: mapSeverity(misconfig, 'Severity'),
    cwe: 0,
    filePath: target.name,
    references,
    description: `**Target:** ${target.name}\n**Type:** ${pyStr(misconfig.optString('Type'))}\n\n${pyStr(misconfig.optString('Description'))}\n${pyStr(message)}\n`,
    mitigation: misconfig.optString('Resolution'),
    fixAvailable: true,
    staticFinding: true,
    dynamicFinding: false,
    tags: tagsOf(target.type, target.className),
    service,
  };
  const avdId = misconfig.optString('AVDID');
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

function readResults(results: unknown[], fileName: string, path: string, service: string | null): ParsedFinding[] {
  const findings: ParsedFinding[] = [];
  results.forEach((entry, index) => {
    // DefectDojo skips entries that are not objects or have no Target.
    if (!isObject(entry) || !('Target' in entry)) return;
    const result = new FieldReader(fileName, `${path}[${index}]`, entry);
    const target: Target = { name: pyStr(result.optString('Target')), className: result.optString('Class'), type: result.optString('Type') };
    for (const vuln of result.objects('Vulnerabilities')) findings.push(readVulnerability(vuln, target, service));
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
  const report: ParsedReport = { scanType: TRIVY_SCAN_TYPE, testType: TRIVY_SCAN_TYPE, toolName: 'Trivy', findings: [] };
  if (document === null) return report;
  if (Array.isArray(document)) {
    report.findings = readResults(document, fileName, '', null);
    return report;
  }
  if (!isObject(document)) throw new ReportParseError(fileName, 'not a Trivy report: expected a JSON object or list');
  const root = new FieldReader(fileName, '', document);
  if (document.SchemaVersion === 2) {
    report.findings = readResults(root.optArray('Results') ?? [], fileName, 'Results', null);
    return report;
  }
  if (document.ClusterName !== undefined && document.ClusterName !== null) {
    for (const section of ['Vulnerabilities', 'Misconfigurations', 'Resources']) {
      for (const resource of root.objects(section)) {
        const service = serviceName(resource);
        report.findings.push(...readResults(resource.optArray('Results') ?? [], fileName, `${resource.path}.Results`, service || null));
      }
    }
    return report;
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
