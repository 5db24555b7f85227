import type { ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { htmlToText } from './html-text';
import type { ReportParser } from './parser';
import { findAll, findText, hasRootElement, localName, parseXmlElement, type XmlElement } from './xml-element';

/**
 * ZAP's XML report (`OWASPZAPReport`), reproducing DefectDojo's `dojo/tools/zap/parser.py`
 * (semantics §7.7): one dynamic finding per `site/alerts/alertitem`, severity from `riskcode`,
 * CWE from an all-digit `cweid` (ZAP's `-1` leaves DefectDojo's default 0, and ZAP's hash
 * configuration then falls back to the legacy hash), one endpoint per instance URI with query and
 * fragment removed.
 */

export const ZAP_SCAN_TYPE = 'ZAP Scan';

const MAPPING_SEVERITY: Readonly<Record<string, string>> = { '0': 'Info', '1': 'Low', '2': 'Medium', '3': 'High' };

/**
 * DefectDojo maps `riskcode` (not `confidence`) through its confidence table, so risk 3 reads as
 * "certain" and risk 0 as nothing; kept as is for parity.
 */
const MAPPING_CONFIDENCE: Readonly<Record<string, number>> = { '1': 7, '2': 4, '3': 1, '4': 1 };

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ftp: '21', ws: '80', wss: '443' };

/**
 * The instance URI as DefectDojo stores the endpoint (`Endpoint.from_uri`, then query and
 * fragment cleared): scheme and host lower-cased, a default port dropped, and a bare `/` path
 * dropped, since DefectDojo keeps the path without its leading slash and prints none for an
 * empty one.
 */
export function zapEndpoint(uri: string): string {
  const trimmed = uri.trim();
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(trimmed);
  if (!match) {
    const cut = trimmed.search(/[?#]/);
    return cut === -1 ? trimmed : trimmed.slice(0, cut);
  }
  const scheme = match[1].toLowerCase();
  const at = match[2].lastIndexOf('@');
  const userInfo = at === -1 ? '' : match[2].slice(0, at + 1);
  let hostPort = (at === -1 ? match[2] : match[2].slice(at + 1)).toLowerCase();
  const port = /:(\d+)$/.exec(hostPort);
  if (port && DEFAULT_PORTS[scheme] === String(Number(port[1]))) hostPort = hostPort.slice(0, port.index);
  const path = match[3] === '/' ? '' : match[3];
  return `${scheme}://${userInfo}${hostPort}${path}`;
}

function readAlert(item: XmlElement, fileName: string, where: string): ParsedFinding {
  const title = findText(item, 'alert');
  if (title === null || title.trim() === '') throw new ReportParseError(fileName, 'alert item without an <alert> title', where);
  const riskcode = findText(item, 'riskcode');
  const severity = riskcode === null ? undefined : MAPPING_SEVERITY[riskcode];
  if (severity === undefined) {
    throw new ReportParseError(fileName, `unknown ZAP riskcode ${riskcode === null ? '(missing)' : `"${riskcode}"`}`, `${where}.riskcode`);
  }
  const desc = findText(item, 'desc');
  const solution = findText(item, 'solution');
  const reference = findText(item, 'reference');
  const pluginId = findText(item, 'pluginid');
  const cweId = findText(item, 'cweid');
  const finding: ParsedFinding = {
    title,
    description: htmlToText(desc ?? ''),
    severity,
    mitigation: solution === null ? null : htmlToText(solution),
    references: reference === null ? null : htmlToText(reference),
    dynamicFinding: true,
    staticFinding: false,
    vulnIdFromTool: pluginId,
    // `"-1".isdigit()` is False, so ZAP's "no CWE" keeps the model default 0.
    cwe: cweId !== null && /^\d+$/.test(cweId) ? Number.parseInt(cweId, 10) : 0,
    endpoints: findAll(item, 'instances/instance')
      .map((instance) => findText(instance, 'uri'))
      .filter((uri): uri is string => uri !== null && uri !== '')
      .map(zapEndpoint),
  };
  const confidence = riskcode === null ? undefined : MAPPING_CONFIDENCE[riskcode];
  if (confidence !== undefined) finding.scannerConfidence = confidence;
  finding.location = { ruleId: pluginId };
  return finding;
}

export function parseZap(text: string, fileName: string): ParsedReport {
  const root = parseXmlElement(text, fileName);
  if (localName(root.tag) !== 'OWASPZAPReport') {
    throw new ReportParseError(fileName, `not a ZAP XML report: the root element is <${root.tag}>, not <OWASPZAPReport>`);
  }
  const findings: ParsedFinding[] = [];
  findAll(root, 'site').forEach((site, siteIndex) => {
    findAll(site, 'alerts/alertitem').forEach((item, itemIndex) => {
      findings.push(readAlert(item, fileName, `site[${siteIndex}].alerts.alertitem[${itemIndex}]`));
    });
  });
  return {
    scanType: ZAP_SCAN_TYPE,
    testType: ZAP_SCAN_TYPE,
    toolName: 'ZAP',
    toolVersion: root.attributes.version ?? null,
    findings,
  };
}

export const zapParser: ReportParser = {
  scanType: ZAP_SCAN_TYPE,
  format: 'xml',
  parse: parseZap,
  sniff(document: unknown): boolean {
    return hasRootElement(document, 'OWASPZAPReport');
  },
};
