import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import { npmAuditParser, NPM_AUDIT_SCAN_TYPE } from '../../src/parsers/npm-audit';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('npm-audit-scan', npmAuditParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(NPM_AUDIT_SCAN_TYPE, finding);

// npm 6 reports, hand-written from npm's documented `npm audit --json` format (the registry's
// audit endpoint does not answer here). Expected hashes: Python hashlib over str.casefold() of
// title + severity + str(file_path) + sorted(cves) + str(cwe) (§6.5 NPM Audit Scan fields).
describe('NPM Audit (npm 6) parser (dojo/tools/npm_audit/parser.py)', () => {
  it('parses a report without advisories into no findings', () => {
    const report = parse('empty.json');
    assert.equal(report.scanType, 'NPM Audit Scan');
    assert.deepEqual(report.findings, []);
  });

  it('title "<title> - (<module>, <vulnerable versions>)", severity low→Low, first path as file, CVEs as vulnerability ids', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'Prototype Pollution - (lodash, <4.17.19)');
    assert.equal(finding.severity, 'Low');
    assert.equal(finding.filePath, 'lodash');
    assert.equal(finding.cwe, 471);
    assert.deepEqual(finding.vulnerabilityIds, ['CVE-2020-8203']);
    assert.equal(finding.componentName, 'lodash');
    assert.equal(finding.componentVersion, '4.17.15');
    assert.equal(finding.mitigation, 'Upgrade to version 4.17.19 or later.');
    assert.equal(finding.references, 'https://npmjs.com/advisories/1523');
    assert.equal(finding.impact, 'No impact provided');
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(
      finding.description,
      'https://npmjs.com/advisories/1523\nVersions of lodash prior to 4.17.19 are vulnerable to Prototype Pollution.\n Vulnerable Module: lodash\n Vulnerable Versions: <4.17.19\n Patched Version: >=4.17.19\n Vulnerable Paths: \n  - 4.17.15:lodash,express>body-parser>lodash\n CWE: CWE-471\n Access: public',
    );
    assert.equal(hashOf(finding), '5ac2501d5208190cd8ce6e515d9a054a9aac23bdd6e60a2df44663b72639803f');
  });

  it('get_npm_cwe: list, null (→ 1035) and JSON-in-a-string CWEs; git-dependency hashes censored in the path', () => {
    // JSON.parse orders integer-like keys numerically (755, 1065, 1179), so look findings up by module.
    const findings = parse('many_findings.json').findings;
    assert.equal(findings.length, 3);
    const byModule = (name: string): ParsedFinding => findings.find((f) => f.componentName === name)!;
    const [minimist, handlebars, debug] = [byModule('minimist'), byModule('handlebars'), byModule('debug')];
    assert.deepEqual([minimist.cwe, handlebars.cwe, debug.cwe], [1321, 1035, 400]);
    // `get_npm_cwes`: the full ordered list, the primary first.
    assert.deepEqual(minimist.cwes, [1321, 915]);
    assert.deepEqual([minimist.severity, handlebars.severity, debug.severity], ['Medium', 'Critical', 'High']);
    assert.equal(handlebars.vulnerabilityIds, undefined);
    assert.equal(debug.filePath, 'my-git-dep>censored_by_npm_audit>debug');
    assert.match(minimist.description, /\n CWE: \['CWE-1321', 'CWE-915'\]\n/);
    assert.match(minimist.description, /\n  - 0\.0\.8:mkdirp>minimist\n  - 1\.2\.0:optimist>minimist,rc>minimist/);
    assert.deepEqual([minimist, handlebars, debug].map(hashOf), [
      'abf0014acf3cad6d4481b5e79620efe355ba1af9fa60bc6dc8ef1648bdd32380',
      'fc23eb8dcea2d31169c8830285b6304c6da48a9a4260a430ae95ed5e749e6780',
      '01cd8cdb4a0eaaef3834f4c6f33b215667273f642c37a633fe996b38a50a4298',
    ]);
  });

  it('issue 12: get_npm_cwes — a bare "CWE-" is no CWE, so get_npm_cwe falls back to 1035; empty list entries are skipped', () => {
    const report = (cwe: unknown): string =>
      JSON.stringify({
        advisories: {
          '1': {
            id: 1, title: 'T', module_name: 'm', vulnerable_versions: '<1', patched_versions: '>=1', overview: 'o',
            recommendation: 'r', url: 'https://npmjs.com/advisories/1', severity: 'low', cwe, cves: [], access: 'public',
            findings: [{ version: '0.1.0', paths: ['m'] }],
          },
        },
      });
    const [bare] = npmAuditParser.parse(report('CWE-'), 'bare.json').findings;
    assert.equal(bare.cwe, 1035);
    assert.equal(bare.cwes, undefined);
    const [withEmpty] = npmAuditParser.parse(report(['', 'CWE-79', 'CWE-89']), 'list.json').findings;
    assert.equal(withEmpty.cwe, 79);
    assert.deepEqual(withEmpty.cwes, [79, 89]);
    // `int("")` raises for a bare "CWE-" inside a list, so DefectDojo refuses that report too.
    assert.throws(() => npmAuditParser.parse(report(['CWE-']), 'bad.json'), ReportParseError);
  });

  it('advisories with the same id + module name collapse to the last one', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 1);
    assert.match(findings[0].description, /Second copy wins\./);
  });

  it('an npm error report is refused with its code and summary', () => {
    assert.match(parseError('error_report.json').message, /npm audit report contains errors: ENOLOCK, This command requires an existing lockfile\./);
  });

  it('an npm 7+ report is refused and pointed at "NPM Audit v7+ Scan"', () => {
    const v7 = read('../npm-audit-v7-scan/one_finding.json');
    assert.throws(() => npmAuditParser.parse(v7, 'v7.json'), (e: unknown) => e instanceof ReportParseError && /NPM Audit v7\+ Scan/.test(e.message));
  });

  it('rejects missing fields and broken JSON with a ReportParseError naming the advisory', () => {
    assert.equal(parseError('missing_title.json').position, 'advisories.2.title');
    assert.match(parseError('truncated.json').message, /JSON/);
    assert.match(String(parseError('truncated.json').fileName), /truncated\.json/);
    assert.throws(() => npmAuditParser.parse('{"Issues": []}', 'gosec.json'), (e: unknown) => e instanceof ReportParseError && /not an npm 6 audit report/.test(e.message));
  });

  it('sniffs npm 6 reports only', () => {
    assert.equal(npmAuditParser.sniff(JSON.parse(read('one_finding.json')), 'x.json'), true);
    assert.equal(npmAuditParser.sniff(JSON.parse(read('empty.json')), 'x.json'), true);
    assert.equal(npmAuditParser.sniff({ auditReportVersion: 2, vulnerabilities: {} }, 'x.json'), false);
  });
});
