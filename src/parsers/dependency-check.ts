import { createHash } from 'node:crypto';
import type { ParsedFinding, ParsedReport } from '../model';
import { parseCvss3 } from './cvss';
import { ReportParseError } from './errors';
import { pyStr, pythonCapitalize, utcDateOf } from './fields';
import type { ReportParser } from './parser';
import { elementFromDocument, find, findAll, findText, localName, parseXmlElement, type XmlElement } from './xml-element';

/**
 * OWASP Dependency-Check XML (`dependency-check-report.xml`), reproducing DefectDojo's
 * `dojo/tools/dependency_check/parser.py` (semantics §7.8): one finding per dependency ×
 * vulnerability, suppressed vulnerabilities included as mitigated, inactive findings tagged
 * `suppressed`; CWE 1035 when none is given; severity from the CVSS v3 metrics when present;
 * merged inside the report on title | cwe | lower-cased file name; related dependencies listed in
 * the description rather than becoming findings.
 */

export const DEPENDENCY_CHECK_SCAN_TYPE = 'Dependency Check Scan';

const SEVERITY_MAPPING: Readonly<Record<string, string>> = {
  info: 'Info',
  low: 'Low',
  moderate: 'Medium',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** Dependency-Check spells CVSS v3 metrics out (`NETWORK`); the vector wants letters (`N`). */
const CVSS_V3_FIELDS: readonly [string, string, Readonly<Record<string, string>>][] = [
  ['AV', 'attackVector', { NETWORK: 'N', ADJACENT: 'A', LOCAL: 'L', PHYSICAL: 'P', N: 'N', A: 'A', L: 'L', P: 'P' }],
  ['AC', 'attackComplexity', { LOW: 'L', HIGH: 'H', L: 'L', H: 'H' }],
  ['PR', 'privilegesRequired', { NONE: 'N', LOW: 'L', HIGH: 'H', N: 'N', L: 'L', H: 'H' }],
  ['UI', 'userInteraction', { NONE: 'N', REQUIRED: 'R', N: 'N', R: 'R' }],
  ['S', 'scope', { UNCHANGED: 'U', CHANGED: 'C', U: 'U', C: 'C' }],
  ['C', 'confidentialityImpact', { NONE: 'N', LOW: 'L', HIGH: 'H', N: 'N', L: 'L', H: 'H' }],
  ['I', 'integrityImpact', { NONE: 'N', LOW: 'L', HIGH: 'H', N: 'N', L: 'L', H: 'H' }],
  ['A', 'availabilityImpact', { NONE: 'N', LOW: 'L', HIGH: 'H', N: 'N', L: 'L', H: 'H' }],
];

interface Component {
  name: string | null;
  version: string | null;
}

/** PackageURL.from_string's name and version: `pkg:maven/org.x/lib@1.2` → `org.x:lib`, `1.2`. */
export function componentFromPurl(purl: string): Component | null {
  const match = /^pkg:([^/]+)\/+(.+)$/i.exec(purl.trim());
  if (!match) return null;
  const type = match[1].toLowerCase();
  let rest = match[2];
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const query = rest.indexOf('?');
  if (query !== -1) rest = rest.slice(0, query);
  let version: string | null = null;
  const at = rest.lastIndexOf('@');
  if (at > 0) {
    version = safeDecode(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const segments = rest.split('/').filter((s) => s !== '').map(safeDecode);
  let name = segments.pop() ?? '';
  let namespace = segments.join('/');
  // packageurl-python's per-type normalisation.
  if (['bitbucket', 'github', 'pypi', 'gitlab', 'composer'].includes(type)) {
    name = name.toLowerCase();
    namespace = namespace.toLowerCase();
  }
  if (type === 'pypi') name = name.replaceAll('_', '-');
  const componentName = (namespace ? `${namespace}:` : '') + name;
  return { name: componentName || null, version: version ?? '' };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Vendor, product and version of a CPE 2.2 URI (`cpe:/a:v:p:1.0`) or 2.3 string (`cpe:2.3:a:v:p:1.0:…`). */
export function componentFromCpe(cpe: string): Component {
  const parts = cpe.trim().startsWith('cpe:2.3:') ? cpe.trim().split(':').slice(3) : cpe.trim().replace(/^cpe:\/[aho]?:?/, '').split(':');
  const [vendor, product, version] = parts;
  const name = (vendor ? `${vendor}:` : '') + (product ?? '');
  return { name: name || null, version: version || null };
}

function componentOf(dependency: XmlElement): Component & { purl: string | null } {
  const identifiers = find(dependency, 'identifiers');
  if (identifiers) {
    const packageNode = find(identifiers, './/package');
    if (packageNode) {
      const id = (findText(packageNode, 'id') ?? '').trim();
      const fromPurl = componentFromPurl(id);
      if (fromPurl) return { ...fromPurl, purl: id };
    }
    // ElementTree treats an element without children as false, so DefectDojo skips an empty one.
    const cpeNode = findAll(identifiers, './/identifier').find((e) => e.attributes.type === 'cpe' && e.children.length > 0);
    if (cpeNode) return { ...componentFromCpe(findText(cpeNode, 'name') ?? ''), purl: null };
    const mavenNode = findAll(identifiers, './/identifier').find((e) => e.attributes.type === 'maven');
    if (mavenNode) {
      const parts = (findText(mavenNode, 'name') ?? '').split(':');
      if (parts.length === 3) return { name: `${parts[0]}:${parts[1]}`, version: parts[2], purl: null };
    }
  }
  const evidence = find(dependency, 'evidenceCollected');
  if (evidence) {
    const product = findAll(evidence, './/evidence').find((e) => e.attributes.type === 'product');
    if (product) {
      const version = findAll(evidence, './/evidence').find((e) => e.attributes.type === 'version');
      return { name: findText(product, 'value'), version: version ? findText(version, 'value') : null, purl: null };
    }
  }
  return { name: null, version: null, purl: null };
}

interface SeverityAndCvss {
  severity: string;
  cvssv3: string | null;
  cvssv3Score: number | null;
}

/**
 * The report's severity, replaced by the base severity of the CVSS v3 metrics when they form a
 * valid vector, else by the CVSS v2 severity; unknown or missing values become Medium.
 */
function severityAndCvss(vulnerability: XmlElement, namespaced: boolean): SeverityAndCvss {
  let severity = findText(vulnerability, 'severity');
  let cvssv3: string | null = null;
  let cvssv3Score: number | null = null;
  const v3 = find(vulnerability, 'cvssV3');
  const v2 = find(vulnerability, 'cvssV2');
  if (v3) {
    const parts: string[] = [];
    for (const [letter, field, values] of CVSS_V3_FIELDS) {
      const value = values[findText(v3, field) ?? ''];
      if (value === undefined) break;
      parts.push(`${letter}:${value}`);
    }
    if (parts.length === CVSS_V3_FIELDS.length) {
      // DefectDojo reads `version` without the namespace prefix, so namespaced reports (all real
      // ones) always score as 3.1.
      const version = namespaced ? '3.1' : (findText(v3, 'version') || '3.1');
      const parsed = parseCvss3(`CVSS:${version}/${parts.join('/')}`);
      if (parsed) {
        cvssv3 = parsed.vector;
        cvssv3Score = parsed.environmentalScore;
        severity = parsed.baseSeverity;
      }
    }
  } else if (v2) {
    severity = pythonCapitalize(findText(v2, 'severity') ?? '');
  }
  const mapped = severity ? SEVERITY_MAPPING[severity.trim().toLowerCase()] : undefined;
  return { severity: mapped ?? 'Medium', cvssv3, cvssv3Score };
}

function relatedDependenciesBlock(dependency: XmlElement): string {
  const related = find(dependency, 'relatedDependencies');
  if (!related) return '';
  const entries: string[] = [];
  for (const entry of findAll(related, 'relatedDependency')) {
    const name = findText(entry, 'fileName');
    if (!name) continue;
    const path = (findText(entry, 'filePath') ?? '').trim();
    entries.push(path ? `- ${name} (${path})` : `- ${name}`);
  }
  return entries.length === 0 ? '' : `\n**Related Filepaths:**\n${entries.join('\n')}`;
}

function cweNumbers(vulnerability: XmlElement): number[] {
  const cwesNode = find(vulnerability, 'cwes');
  const texts = cwesNode
    ? findAll(cwesNode, 'cwe')
        .map((e) => e.text)
        .filter((t): t is string => !!t)
    : [findText(vulnerability, 'cwe')].filter((t): t is string => !!t);
  const numbers: number[] = [];
  for (const text of texts) {
    const match = /^(CWE-)?(\d+)/.exec(text);
    if (match) numbers.push(Number.parseInt(match[2], 10));
  }
  return numbers;
}

function readVulnerability(dependency: XmlElement, vulnerability: XmlElement, namespaced: boolean, fileName: string, where: string): ParsedFinding {
  const dependencyFileName = findText(dependency, 'fileName');
  if (dependencyFileName === null) throw new ReportParseError(fileName, 'dependency without a <fileName>', where);
  const dependencyFilePath = findText(dependency, 'filePath');
  const suppressed = localName(vulnerability.tag) === 'suppressedVulnerability';
  const name = findText(vulnerability, 'name');
  if (name === null) throw new ReportParseError(fileName, 'vulnerability without a <name>', where);

  let description = findText(vulnerability, 'description') ?? '';
  const source = vulnerability.attributes.source;
  if (source) description += `\n**Source:** ${source}`;
  const notes = findText(vulnerability, './/notes');

  const cwes = cweNumbers(vulnerability);
  const component = componentOf(dependency);
  const componentName = component.name ?? dependencyFileName;

  let references: string | null = null;
  const referencesNode = find(vulnerability, 'references');
  if (referencesNode) {
    references = '';
    for (const reference of findAll(referencesNode, 'reference')) {
      const refSource = pyStr(findText(reference, 'source'));
      const refUrl = findText(reference, 'url');
      const refName = findText(reference, 'name');
      references +=
        refUrl === refName
          ? `**Source:** ${refSource}\n**URL:** ${pyStr(refUrl)}\n\n`
          : `**Source:** ${refSource}\n**URL:** ${pyStr(refUrl)}\n**Name:** ${pyStr(refName)}\n\n`;
    }
  }

  const tags: string[] = [];
  const update = `Update ${componentName}:${pyStr(component.version)} to at least the version recommended in the description`;
  let mitigation: string;
  if (suppressed) {
    let reason = notes;
    if (reason === null) {
      reason = 'Document on why we are suppressing this vulnerability is missing!';
      tags.push('no_suppression_document');
    }
    mitigation = `**This vulnerability is mitigated and/or suppressed:** ${reason}\n${update}`;
    tags.push('suppressed');
  } else {
    mitigation = update;
    description += `\n**Filepath:** ${pyStr(dependencyFilePath)}`;
  }

  const scored = severityAndCvss(vulnerability, namespaced);
  const finding: ParsedFinding = {
    title: `${componentName}:${pyStr(component.version)} | ${name}`,
    filePath: dependencyFileName,
    cwe: cwes[0] ?? 1035,
    description,
    mitigation,
    // The mitigation time is the import's clock: the engine fills `mitigated` for a parsed
    // finding that arrives already mitigated (DefectDojo uses "now").
    isMitigated: suppressed,
    active: !suppressed,
    dynamicFinding: false,
    staticFinding: true,
    references,
    componentName,
    componentVersion: component.version,
    severity: scored.severity,
    cvssv3: scored.cvssv3,
    cvssv3Score: scored.cvssv3Score,
    tags,
  };
  if (cwes.length > 1) finding.cwes = [...new Set(cwes.slice(1).filter((c) => c !== finding.cwe))];
  const vulnerabilityId = name.slice(0, 28);
  if (vulnerabilityId.startsWith('CVE')) finding.vulnerabilityIds = [vulnerabilityId];
  finding.location = { ruleId: name };
  if (suppressed) finding.suppression = { kind: 'dependency-check', reason: notes };
  return finding;
}

export function parseDependencyCheck(text: string, fileName: string): ParsedReport {
  const root = parseXmlElement(text, fileName);
  if (localName(root.tag) !== 'analysis') {
    throw new ReportParseError(fileName, `not a Dependency-Check XML report: the root element is <${root.tag}>, not <analysis>`);
  }
  const namespaced = Object.keys(root.attributes).some((name) => name === 'xmlns');
  const projectInfo = find(root, 'projectInfo');
  const reportDate = projectInfo ? findText(projectInfo, 'reportDate') : null;
  const date = reportDate ? utcDateOf(reportDate) : null;
  const byKey = new Map<string, ParsedFinding>();
  const dependencies = find(root, 'dependencies');
  const dependencyList = dependencies ? findAll(dependencies, 'dependency') : [];
  dependencyList.forEach((dependency, dependencyIndex) => {
    const vulnerabilities = find(dependency, 'vulnerabilities');
    if (!vulnerabilities) return;
    const related = relatedDependenciesBlock(dependency);
    const entries = [...findAll(vulnerabilities, 'vulnerability'), ...findAll(vulnerabilities, 'suppressedVulnerability')];
    entries.forEach((vulnerability, index) => {
      const where = `dependencies.dependency[${dependencyIndex}].vulnerabilities[${index}]`;
      const finding = readVulnerability(dependency, vulnerability, namespaced, fileName, where);
      if (related) finding.description += related;
      if (date) finding.date = date;
      const key = createHash('sha256')
        .update(`${finding.title}|${pyStr(finding.cwe)}|${pyStr(finding.filePath).toLowerCase()}`, 'utf8')
        .digest('hex');
      if (!byKey.has(key)) byKey.set(key, finding);
    });
  });
  const engineVersion = findText(root, 'scanInfo/engineVersion');
  return {
    scanType: DEPENDENCY_CHECK_SCAN_TYPE,
    testType: DEPENDENCY_CHECK_SCAN_TYPE,
    toolName: 'Dependency-Check',
    toolVersion: engineVersion,
    findings: [...byKey.values()],
  };
}

export const dependencyCheckParser: ReportParser = {
  scanType: DEPENDENCY_CHECK_SCAN_TYPE,
  format: 'xml',
  parse: parseDependencyCheck,
  sniff(document: unknown): boolean {
    const element = elementFromDocument(document);
    if (element) return localName(element.tag) === 'analysis' && find(element, 'dependencies') !== null;
    if (typeof document !== 'object' || document === null || !('analysis' in document)) return false;
    const analysis = (document as Record<string, unknown>).analysis;
    return typeof analysis === 'object' && analysis !== null && ('dependencies' in analysis || 'scanInfo' in analysis);
  },
};
