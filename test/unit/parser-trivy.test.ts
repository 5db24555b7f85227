import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { parseCvss3 } from '../../src/parsers/cvss';
import { trivyParser, TRIVY_SCAN_TYPE } from '../../src/parsers/trivy';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('trivy-scan', trivyParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(TRIVY_SCAN_TYPE, finding);

// Expected hashes computed with Python's hashlib over str.casefold() of
// title + severity + sorted(vulnerability ids) + str(cwe) + description (§6.5 Trivy fields),
// with descriptions built from DefectDojo's DESCRIPTION_TEMPLATE / MISC / SECRET templates.
describe('Trivy parser (§7.4)', () => {
  it('parses a schema v2 report without vulnerabilities into no findings', () => {
    const report = parse('empty.json');
    assert.equal(report.scanType, 'Trivy Scan');
    assert.deepEqual(report.findings, []);
  });

  it('§7.4: vulnerability title "<id> <pkg> <version>", component, mitigation = FixedVersion, first CweID', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'CVE-2023-4911 libc6 2.36-9+deb12u1');
    assert.equal(finding.severity, 'High');
    assert.equal(finding.cwe, 787);
    assert.deepEqual(finding.vulnerabilityIds, ['CVE-2023-4911']);
    assert.equal(finding.componentName, 'libc6');
    assert.equal(finding.componentVersion, '2.36-9+deb12u1');
    assert.equal(finding.mitigation, '2.36-9+deb12u3');
    assert.equal(finding.fixAvailable, true);
    assert.equal(finding.filePath, 'app:latest (debian 12.5)');
    assert.equal(finding.line, undefined);
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(finding.cvssv3, 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H');
    assert.equal(finding.cvssv3Score, 7.8);
    assert.equal(finding.impact, 'fixed');
    assert.deepEqual(finding.tags, ['debian', 'os-pkgs']);
    assert.equal(finding.active, true);
    assert.equal(finding.verified, true);
    assert.equal(
      finding.description,
      "glibc: buffer overflow in ld.so leading to privilege escalation\n**Target:** app:latest (debian 12.5)\n**Type:** debian\n**Fixed version:** 2.36-9+deb12u3\n\nA buffer overflow was discovered in the GNU C Library's dynamic loader ld.so.\n",
    );
    assert.equal(finding.references?.split('\n').length, 2);
    assert.equal(hashOf(finding), '7dd9f008d87e72fe1f17e62352c41479b9e539a0f9542bb749bdc4a99f139345');
  });

  it('§7.4: file_path is PkgPath for language packages, Target for config, null otherwise', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings[0].filePath, 'node_modules/lodash/package.json');
    assert.equal(findings[1].filePath, 'package-lock.json');
    assert.equal(findings[4].filePath, 'Dockerfile');
  });

  it('§7.4: status not_affected → inactive and mitigated; under_investigation → unverified', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings[1].active, false);
    assert.equal(findings[1].isMitigated, true);
    assert.equal(findings[1].verified, true);
    assert.deepEqual(findings[1].suppression, { kind: 'trivy-vex', reason: 'not_affected' });
    assert.equal(findings[1].fixAvailable, false);
    assert.equal(findings[2].active, true);
    assert.equal(findings[2].verified, false);
    assert.equal(findings[3].active, undefined, 'no Status leaves the import defaults');
  });

  it('§7.4: UNKNOWN → Info; without Severity the CVSS of SeveritySource decides', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings[2].severity, 'Info');
    assert.equal(findings[3].severity, 'Low');
    assert.equal(findings[3].cvssv3Score, 3.7);
  });

  it('parses vulnerabilities, misconfigurations and secrets with their hashes', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings.length, 6);
    assert.deepEqual(findings.map(hashOf), [
      '926efab8279881f2ab48cd1f14dcd2d1301248d19c422acca5b957f7985203d0',
      'fc1f4248de180ed2694f83f7b50277887dff070ef98909c91bfbc90b1bcf24c8',
      '68a0aed08308c837dadb3790be6574911592e81256ae3da008e22ec5e729340c',
      '15148e2b593384e906a95b7cf83e2b2515f2bc0617fddddd7a1929d172521451',
      'c2e212d3bfdf42eb2682173d7bbad3e56eefdb3ff4b91fba6b135821639bd1ea',
      '0011e3ae5f55a1d21472f682807d186126f7f81fb0491941c7dc08dcc41e7dfd',
    ]);
  });

  it('§7.4 misconfigurations: title "<ID> - <Title>", file_path = Target, vulnerability id AVDID, code lines in the description', () => {
    const misconfig = parse('many_findings.json').findings[4];
    assert.equal(misconfig.title, "DS002 - Image user should not be 'root'");
    assert.equal(misconfig.severity, 'High');
    assert.deepEqual(misconfig.vulnerabilityIds, ['AVD-DS-0002']);
    assert.equal(misconfig.mitigation, "Add 'USER <non root user name>' line to the Dockerfile");
    assert.equal(misconfig.references, 'https://avd.aquasec.com/misconfig/ds002\nhttps://docs.docker.com/develop/develop-images/dockerfile_best-practices/');
    assert.match(misconfig.description, /Number\tContent\n1\tFROM node:18\n/);
    assert.deepEqual(misconfig.tags, ['dockerfile', 'config']);
  });

  it('§7.4 secrets: title "Secret detected in <Target> - <Title>", file and StartLine, match in the description', () => {
    const secret = parse('many_findings.json').findings[5];
    assert.equal(secret.title, 'Secret detected in config/.env - AWS Access Key ID');
    assert.equal(secret.severity, 'Critical');
    assert.equal(secret.filePath, 'config/.env');
    assert.equal(secret.line, 2);
    assert.match(secret.description, /\*\*Match:\*\* AWS_ACCESS_KEY_ID=/);
    assert.equal(secret.location?.ruleId, 'aws-access-key-id');
  });

  it('keeps repeated vulnerabilities (DefectDojo does not merge Trivy findings): same hash twice', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 2);
    assert.equal(hashOf(findings[0]), hashOf(findings[1]));
  });

  it('reads the legacy list format and the Kubernetes cluster format (service = namespace / kind / name)', () => {
    const legacy = parse('legacy_list.json').findings;
    assert.equal(legacy.length, 1);
    assert.equal(legacy[0].title, 'CVE-2019-14697 musl 1.1.22-r2');
    assert.equal(legacy[0].filePath, null, 'no Class: no file path');
    const cluster = parse('cluster.json').findings;
    assert.equal(cluster.length, 1);
    assert.equal(cluster[0].service, 'default / Deployment / web');
    assert.equal(cluster[0].severity, 'Critical');
  });

  it('license findings: "License detected in <Target> - <Name>", file path of the package manifest', () => {
    const [license] = parse('licenses.json').findings;
    assert.equal(license.title, 'License detected in Node.js - GPL-3.0');
    assert.equal(license.severity, 'High');
    assert.equal(license.filePath, 'node_modules/some-gpl-lib/package.json');
    assert.equal(license.description, 'GPL-3.0\n**Category:** restricted\n**Package:** some-gpl-lib\n');
    assert.deepEqual(license.tags, ['lang-pkg-license']);
  });

  it('scores CVSS v3 vectors as the Python cvss package does', () => {
    assert.equal(parseCvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')?.baseScore, 9.8);
    assert.equal(parseCvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')?.baseScore, 10);
    assert.equal(parseCvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')?.baseScore, 6.1);
    assert.equal(parseCvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')?.baseSeverity, 'None');
    assert.equal(parseCvss3('CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N')?.baseScore, 5.4);
    assert.equal(parseCvss3('AV:N/AC:L'), null);
  });

  it('issue 12, DefectDojo 3.2.0: an unknown misconfiguration severity is Info (TRIVY_SEVERITIES.get(..., "Info")); a vulnerability without PkgName is skipped with a warning (except KeyError)', () => {
    const misconfig = parse('unknown_severity.json');
    assert.equal(misconfig.findings[0].severity, 'Info');
    const skipped = parse('missing_package_name.json');
    assert.equal(skipped.findings.length, 0);
    assert.match(skipped.warnings?.[0] ?? '', /Results\[0\]\.Vulnerabilities\[0\]: no "PkgName"; skipped/);
  });

  it('issue 12, DefectDojo 3.2.0: CweIDs give the primary CWE and the full list; a misconfiguration without AVDID has its ID as vulnerability id; CVSS v4 is read', () => {
    const report = trivyParser.parse(
      JSON.stringify({
        SchemaVersion: 2,
        Results: [
          {
            Target: 'app',
            Class: 'lang-pkgs',
            Type: 'npm',
            Vulnerabilities: [
              {
                VulnerabilityID: 'CVE-2025-1', PkgName: 'p', InstalledVersion: '1', CweIDs: ['CWE-190', 'CWE-787'],
                CVSS: { ghsa: { V40Vector: 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N', V40Score: 6.3 } },
              },
            ],
          },
          { Target: 'deploy.yaml', Class: 'config', Type: 'kubernetes', Misconfigurations: [{ ID: 'KSV001', Title: 'Process can elevate its own privileges', Severity: 'MEDIUM', PrimaryURL: 'https://avd.aquasec.com/misconfig/ksv001', References: ['https://avd.aquasec.com/misconfig/ksv001', 'https://kubernetes.io/'] }] },
        ],
      }),
      'inline.json',
    );
    const [vuln, misconfig] = report.findings;
    assert.equal(vuln.cwe, 190);
    assert.deepEqual(vuln.cwes, [190, 787]);
    assert.equal(vuln.cvssv4, 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N');
    assert.equal(vuln.cvssv4Score, 6.3);
    // The report has no Severity: the CVSS v4 score decides it, as `parse_cvss_data` does.
    assert.equal(vuln.severity, 'Medium');
    assert.deepEqual(misconfig.vulnerabilityIds, ['KSV001']);
    assert.equal(misconfig.references, 'https://avd.aquasec.com/misconfig/ksv001\nhttps://kubernetes.io/');
  });

  it('rejects bad input with a ReportParseError naming the place', () => {
    assert.match(parseError('unsupported_schema.json').message, /not a Trivy report/);
    assert.match(parseError('truncated.json').message, /JSON/);
  });

  it('sniffs Trivy documents only', () => {
    assert.equal(trivyParser.sniff(JSON.parse(read('one_finding.json')), 'x.json'), true);
    assert.equal(trivyParser.sniff(JSON.parse(read('legacy_list.json')), 'x.json'), true);
    assert.equal(trivyParser.sniff(JSON.parse(read('cluster.json')), 'x.json'), true);
    assert.equal(trivyParser.sniff({ results: [] }, 'x.json'), false);
  });
});
