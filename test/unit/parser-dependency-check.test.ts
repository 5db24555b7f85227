import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { componentFromCpe, componentFromPurl, dependencyCheckParser, DEPENDENCY_CHECK_SCAN_TYPE } from '../../src/parsers/dependency-check';
import { ReportParseError } from '../../src/parsers/errors';
import { parseXml } from '../../src/parsers/xml';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('dependency-check-scan', dependencyCheckParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(DEPENDENCY_CHECK_SCAN_TYPE, finding);

// Hand-written from Dependency-Check's XML schema (4.0). Expected hashes: Python hashlib over
// str.casefold() of title + str(cwe) + file_path (§6.5 Dependency Check fields).
describe('Dependency-Check XML parser (§7.8)', () => {
  it('parses a report whose dependencies have no vulnerabilities into no findings', () => {
    const report = parse('empty.xml');
    assert.equal(report.scanType, 'Dependency Check Scan');
    assert.equal(report.toolVersion, '9.0.9');
    assert.deepEqual(report.findings, []);
  });

  it('§7.8: title "<component>:<version> | <name>", file_path = file name, CVE as vulnerability id, CVSS v3 severity', () => {
    const [finding] = parse('one_finding.xml').findings;
    assert.equal(finding.title, 'org.apache.commons:commons-text:1.9 | CVE-2022-42889');
    assert.equal(finding.filePath, 'commons-text-1.9.jar');
    assert.equal(finding.componentName, 'org.apache.commons:commons-text');
    assert.equal(finding.componentVersion, '1.9');
    assert.equal(finding.cwe, 94);
    assert.deepEqual(finding.vulnerabilityIds, ['CVE-2022-42889']);
    assert.equal(finding.severity, 'Critical');
    assert.equal(finding.cvssv3, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    assert.equal(finding.cvssv3Score, 9.8);
    assert.equal(finding.line, undefined);
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(finding.date, '2024-04-01');
    assert.equal(finding.active, true);
    assert.equal(finding.isMitigated, false);
    assert.equal(
      finding.description,
      'Apache Commons Text performs variable interpolation, allowing properties to be dynamically evaluated and expanded.\n**Source:** NVD\n**Filepath:** /app/lib/commons-text-1.9.jar',
    );
    assert.equal(finding.mitigation, 'Update org.apache.commons:commons-text:1.9 to at least the version recommended in the description');
    assert.equal(
      finding.references,
      '**Source:** MISC\n**URL:** https://lists.apache.org/thread/n2bd4vdsgkqh2tm14l1wyc3jyol7s1om\n\n**Source:** OSSINDEX\n**URL:** https://ossindex.sonatype.org/vulnerability/CVE-2022-42889\n**Name:** [CVE-2022-42889] Text4Shell\n\n',
    );
    assert.equal(hashOf(finding), '7eb6f83bb66b3d44eafadb10fd7c68883be081cad9369755eb50ad0fecf8863d');
  });

  it('parses many dependencies: purl, CPE, Maven and evidence components, severities and hashes', () => {
    const findings = parse('many_findings.xml').findings;
    assert.deepEqual(findings.map((f) => [f.title, f.severity, f.cwe]), [
      ['@babel:core:7.20.0 | GHSA-67hx-6x53-jw92', 'Medium', 184],
      ['apache:xalan-java:2.7.1 | CVE-2014-0107', 'High', 264],
      ['apache:xalan-java:2.7.1 | CVE-2022-34169', 'High', 681],
      ['apache:xalan-java:2.7.1 | CVE-2099-0001', 'Low', 1035],
      ['com.example:legacy:0.9 | sonatype-2020-0001 Deserialization of untrusted data', 'Medium', 1035],
      ['jquery:3.4.1 | CVE-2020-11022', 'Medium', 79],
      ['unknown-lib.dll:None | CVE-2021-0002 with a name longer than twenty-eight characters', 'Info', 1035],
    ]);
    assert.deepEqual(findings.map(hashOf), [
      'f5c1e10a6614d831e017682153cc810bee2198e6277298f1e1b8535cc3e532d0',
      '3a16d5a8904342fe1c64e7766dc99be700f0b288ec1f775b10e26357e2891edc',
      '2d66dd587e979f882053c714d6116ffddb01f48dc27598f7e09fcf41c5ca8bef',
      'b9e7cd8d7544e2b3712b206423b1dc2387de035b575b9b00b0e9dda20d23d136',
      'e8aef3378f860bc01e8eaa65d7e6a548b1d86e22cdb4808b1a0956f239998e6c',
      'ceed314b60840e58632a7d8e470e69d31089024a36c77afe9e6bb23b31ce1e27',
      '8d4cc8b6140b66fd8b31e2655993c9f66855687094dc742625d04157226f20a4',
    ]);
    assert.equal(findings[0].date, '2024-04-02', 'report date converted to UTC');
  });

  it('§7.8: cwe = first parsed CWE (extras kept) or the 1035 fallback; vulnerability id only for names starting with CVE (first 28 chars)', () => {
    const findings = parse('many_findings.xml').findings;
    assert.deepEqual(findings[0].cwes, [697]);
    assert.equal(findings[0].vulnerabilityIds, undefined);
    assert.equal(findings[4].vulnerabilityIds, undefined);
    assert.deepEqual(findings[6].vulnerabilityIds, ['CVE-2021-0002 with a name lo']);
    assert.equal(findings[6].componentName, 'unknown-lib.dll', 'no identifiers: the file name is the component');
    assert.equal(findings[6].componentVersion, null);
  });

  it('§7.8: severity from CVSS v3 over the report severity, else CVSS v2, unknown → Medium', () => {
    const findings = parse('many_findings.xml').findings;
    assert.equal(findings[5].severity, 'Medium', 'CVSS v3 6.1 wins over the report HIGH');
    assert.equal(findings[5].cvssv3Score, 6.1);
    assert.equal(findings[1].severity, 'High', 'CVSS v2 severity');
    assert.equal(findings[4].severity, 'Medium', 'SEVERE is not a severity');
    assert.equal(parse('without_namespace.xml').findings[0].cvssv3, 'CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N');
  });

  it('§7.8: suppressed entries → is_mitigated, active false, tag "suppressed", and a dependency-check suppression', () => {
    const findings = parse('many_findings.xml').findings;
    const suppressed = findings[2];
    assert.equal(suppressed.isMitigated, true);
    assert.equal(suppressed.active, false);
    assert.deepEqual(suppressed.tags, ['suppressed']);
    assert.deepEqual(suppressed.suppression, { kind: 'dependency-check', reason: 'Not reachable: we never compile untrusted XSLT.' });
    assert.match(suppressed.mitigation ?? '', /^\*\*This vulnerability is mitigated and\/or suppressed:\*\* Not reachable/);
    assert.doesNotMatch(suppressed.description, /\*\*Filepath:\*\*/);
    const undocumented = findings[3];
    assert.deepEqual(undocumented.tags, ['no_suppression_document', 'suppressed']);
    assert.deepEqual(undocumented.suppression, { kind: 'dependency-check', reason: null });
    assert.match(undocumented.mitigation ?? '', /Document on why we are suppressing this vulnerability is missing!/);
    assert.equal(findings[1].suppression, undefined);
    assert.deepEqual(findings[1].tags, []);
  });

  it('§7.8: related dependencies are listed in the description instead of becoming findings', () => {
    const findings = parse('many_findings.xml').findings;
    assert.match(findings[1].description, /\n\*\*Related Filepaths:\*\*\n- xalan-2\.7\.1\.jar \(\/app\/other\/xalan-2\.7\.1\.jar\)$/);
    assert.equal(findings.filter((f) => f.filePath === 'xalan-2.7.1.jar').length, 3);
  });

  it('§7.8: findings merge on sha256(title|cwe|lower(file_path)); the first copy wins', () => {
    const findings = parse('duplicates_in_report.xml').findings;
    assert.equal(findings.length, 1);
    assert.match(findings[0].description, /first copy/);
    assert.equal(hashOf(findings[0]), '8b9647fe2c069e13c8cfac52517929ed0c30921f290e8c8fd06784bcd1b56afb');
  });

  it('reads package URLs and CPEs as packageurl-python and cpe do', () => {
    assert.deepEqual(componentFromPurl('pkg:maven/org.apache.commons/commons-text@1.9'), { name: 'org.apache.commons:commons-text', version: '1.9' });
    assert.deepEqual(componentFromPurl('pkg:npm/%40babel/core@7.20.0?foo=bar#sub'), { name: '@babel:core', version: '7.20.0' });
    assert.deepEqual(componentFromPurl('pkg:pypi/Django_Rest@3.0'), { name: 'django-rest', version: '3.0' });
    assert.deepEqual(componentFromPurl('pkg:generic/thing'), { name: 'thing', version: '' });
    assert.deepEqual(componentFromCpe('cpe:2.3:a:apache:commons_text:1.9:*:*:*:*:*:*:*'), { name: 'apache:commons_text', version: '1.9' });
    assert.deepEqual(componentFromCpe('cpe:/a:apache:xalan-java:2.7.1'), { name: 'apache:xalan-java', version: '2.7.1' });
  });

  it('refuses external entities, and rejects bad input with a ReportParseError naming the place', () => {
    assert.match(parseError('external_entity.xml').message, /DOCTYPE/);
    assert.equal(parseError('missing_name.xml').position, 'dependencies.dependency[0].vulnerabilities[0]');
    assert.match(parseError('truncated.xml').message, /XML/);
    const zap = read('../zap-scan/one_finding.xml');
    assert.throws(() => dependencyCheckParser.parse(zap, 'zap.xml'), (e: unknown) => e instanceof ReportParseError && /not a Dependency-Check XML report/.test(e.message));
  });

  it('sniffs Dependency-Check documents in the order-preserving form detection uses', () => {
    const document = parseXml(read('one_finding.xml'), 'x.xml', { preserveOrder: true, trimValues: false });
    assert.equal(dependencyCheckParser.sniff(document, 'x.xml'), true);
    const other = parseXml(read('../zap-scan/empty.xml'), 'x.xml', { preserveOrder: true, trimValues: false });
    assert.equal(dependencyCheckParser.sniff(other, 'x.xml'), false);
  });
});
