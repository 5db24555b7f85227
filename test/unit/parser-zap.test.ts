import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import { htmlToText } from '../../src/parsers/html-text';
import { parseXml } from '../../src/parsers/xml';
import { zapEndpoint, zapParser, ZAP_SCAN_TYPE } from '../../src/parsers/zap';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('zap-scan', zapParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(ZAP_SCAN_TYPE, finding);

// Hand-written from ZAP's traditional XML report. Expected hashes: Python hashlib over
// str.casefold() of title + str(cwe) + severity (§6.5 ZAP fields), or, for cwe 0, the legacy
// string with the description from Python's html2text (Debian python3-html2text).
describe('ZAP XML parser (§7.7)', () => {
  it('parses a report without alerts into no findings', () => {
    const report = parse('empty.xml');
    assert.equal(report.scanType, 'ZAP Scan');
    assert.equal(report.toolVersion, '2.14.0');
    assert.deepEqual(report.findings, []);
  });

  it('§7.7: title = alert, severity from riskcode, cwe from cweid, vuln_id_from_tool = pluginid, dynamic finding', () => {
    const [finding] = parse('one_finding.xml').findings;
    assert.equal(finding.title, 'Content Security Policy (CSP) Header Not Set');
    assert.equal(finding.severity, 'Medium');
    assert.equal(finding.cwe, 693);
    assert.equal(finding.vulnIdFromTool, '10038');
    assert.equal(finding.dynamicFinding, true);
    assert.equal(finding.staticFinding, false);
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.match(finding.description, /^Content Security Policy \(CSP\) is an added layer of security that helps to\ndetect and mitigate/);
    assert.equal(finding.mitigation, 'Ensure that your web server, application server, load balancer, etc. is\nconfigured to set the Content-Security-Policy header.\n\n');
    assert.equal(hashOf(finding), '0087498b25379ae98a9fc37da082d06254c90b1da34f12c5c34b493d781003b0');
  });

  it('§7.7: one endpoint per instance URI, with query and fragment removed', () => {
    const [finding] = parse('one_finding.xml').findings;
    assert.deepEqual(finding.endpoints, ['http://localhost:8080', 'http://localhost:8080/login']);
    assert.equal(zapEndpoint('HTTPS://Shop.Example.com:443/search?q=%3Cscript%3E#x'), 'https://shop.example.com/search');
    assert.equal(zapEndpoint('http://user@host:8080/a/b/'), 'http://user@host:8080/a/b/');
  });

  it('§7.7 quirk: scanner_confidence is mapped from riskcode, not from confidence', () => {
    const findings = parse('many_findings.xml').findings;
    assert.deepEqual(findings.map((f) => f.scannerConfidence), [1, 7, undefined, 4]);
  });

  it('parses several sites and alerts with their severities and hashes', () => {
    const findings = parse('many_findings.xml').findings;
    assert.deepEqual(findings.map((f) => [f.title, f.severity, f.cwe]), [
      ['Cross Site Scripting (Reflected)', 'High', 79],
      ['X-Content-Type-Options Header Missing', 'Low', 693],
      ['Modern Web Application', 'Info', 0],
      ['Cross-Domain Misconfiguration', 'Medium', 264],
    ]);
    assert.deepEqual(findings.map(hashOf), [
      '6c8a96a8685c034407afcb8465e81980a2f06efdbca296a4d79a380a6481ca25',
      'e32ae480edbec41686d6158cfde8644e737730455e8727c8ebc043e70484e1d1',
      'd93db1564824f12568a75f12d10c1bca9e5be0c1df864a40f68baed79d5c6530',
      '9647c25d6ad271cf4371aaa8472e36e3df37f3f183a3eb5e5c146dc891cfc792',
    ]);
  });

  it('§7.7: cweid -1 keeps cwe 0, and ZAP (null CWE not allowed) falls back to the legacy hash', () => {
    const finding = parse('many_findings.xml').findings[2];
    assert.equal(finding.cwe, 0);
    assert.equal(
      finding.description,
      'The application appears to be a modern web application. If you need to explore\nit automatically then the Ajax Spider may well be more effective than the\nstandard one.\n\n',
    );
    assert.equal(finding.references, '\n\n');
    assert.equal(hashOf(finding), 'd93db1564824f12568a75f12d10c1bca9e5be0c1df864a40f68baed79d5c6530');
  });

  it('keeps repeated alerts as separate findings with the same hash (ZAP is not merged by the parser)', () => {
    const findings = parse('duplicates_in_report.xml').findings;
    assert.equal(findings.length, 2);
    assert.equal(hashOf(findings[0]), 'bb82c365d4c1debaf8945446f04fac8f08044945420c1836b146778efdc7ba9f');
    assert.equal(hashOf(findings[1]), hashOf(findings[0]));
  });

  it('converts HTML as Python html2text does for the shapes ZAP writes', () => {
    const cases = JSON.parse(read('html2text_cases.json')) as string[];
    const expected = JSON.parse(read('html2text_expected.json')) as string[];
    cases.forEach((html, index) => assert.equal(htmlToText(html), expected[index], `case ${index}: ${html.slice(0, 40)}`));
  });

  it('refuses DOCTYPE / entity declarations (billion laughs) before parsing', () => {
    assert.match(parseError('billion_laughs.xml').message, /DOCTYPE/);
  });

  it('rejects bad input with a ReportParseError naming the alert', () => {
    assert.equal(parseError('unknown_riskcode.xml').position, 'site[0].alerts.alertitem[1].riskcode');
    assert.match(parseError('truncated.xml').message, /XML/);
    const dc = read('../dependency-check-scan/one_finding.xml');
    assert.throws(() => zapParser.parse(dc, 'dc.xml'), (e: unknown) => e instanceof ReportParseError && /not a ZAP XML report/.test(e.message));
  });

  it('sniffs ZAP documents in the order-preserving form detection uses', () => {
    const document = parseXml(read('one_finding.xml'), 'x.xml', { preserveOrder: true, trimValues: false });
    assert.equal(zapParser.sniff(document, 'x.xml'), true);
    const other = parseXml('<BugCollection/>', 'x.xml', { preserveOrder: true, trimValues: false });
    assert.equal(zapParser.sniff(other, 'x.xml'), false);
  });
});
