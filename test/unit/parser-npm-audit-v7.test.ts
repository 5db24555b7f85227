import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import { npmAuditV7Parser, NPM_AUDIT_V7_SCAN_TYPE } from '../../src/parsers/npm-audit';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('npm-audit-v7-scan', npmAuditV7Parser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(NPM_AUDIT_V7_SCAN_TYPE, finding);

// Hand-written from npm's documented v7+ format, except audit_endpoint_error.json, which is the
// real output of `npm audit --json` (npm 10) here, where the registry refuses the audit call.
// Expected hashes: Python hashlib over str.casefold() of title + severity + str(cwe) +
// vuln_id_from_tool (§6.5 NPM Audit v7+ Scan fields).
describe('NPM Audit v7+ parser (dojo/tools/npm_audit_7_plus/parser.py)', () => {
  it('parses a report without vulnerabilities into no findings', () => {
    const report = parse('empty.json');
    assert.equal(report.scanType, 'NPM Audit v7+ Scan');
    assert.deepEqual(report.findings, []);
  });

  it('a direct advisory: title from via[0], cwe from its first CWE, vuln id = advisory source, references from every via', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'Prototype Pollution in lodash');
    assert.equal(finding.severity, 'Critical');
    assert.equal(finding.cwe, 770);
    assert.equal(finding.vulnIdFromTool, '1094500');
    assert.equal(finding.componentName, 'node_modules/lodash');
    assert.equal(finding.cvssv3, 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H');
    assert.equal(finding.mitigation, 'Update lodash to version 4.17.21');
    assert.equal(finding.references, 'https://github.com/advisories/GHSA-p6mc-m468-83gw, https://github.com/advisories/GHSA-35jh-r3h4-6jhm');
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(hashOf(finding), '76b03413048f85cb53b7e8355ae01b3c69af4ada5f29f071a3310d6a5107e102');
  });

  it('every top-level package is a finding; transitive ones get their own name as title and CWE-1035', () => {
    const findings = parse('many_findings.json').findings;
    assert.deepEqual(findings.map((f) => f.title), ['Prototype Pollution in minimist', 'mkdirp', 'optimist']);
    assert.deepEqual(findings.map((f) => f.cwe), [1321, 1035, 1035]);
    assert.deepEqual(findings.map((f) => f.vulnIdFromTool), ['1097677', '', '']);
    assert.equal(findings[1].mitigation, 'No specific mitigation provided by tool.');
    assert.equal(
      findings[0].description,
      'minimist <=0.2.3\nSeverity: critical\nPrototype Pollution in minimist - https://github.com/advisories/GHSA-xvch-5gv4-984h\nFix Available: Update mkdirp to version 0.5.6\nnode_modules/minimist\n  mkdirp 0.4.1 - 0.5.1\n  Depends on vulnerable versions of minimist\n  node_modules/mkdirp\n    optimist >=0.6.0\n    node_modules/mkdirp\n',
    );
    assert.equal(
      findings[1].description,
      'mkdirp 0.4.1 - 0.5.1\nSeverity: critical\nDepends on vulnerable versions of minimist\nNo specific mitigation provided by tool.\nnode_modules/mkdirp\n  optimist >=0.6.0\n  Depends on vulnerable versions of mkdirp\n  node_modules/optimist\n',
    );
    assert.deepEqual(findings.map(hashOf), [
      '21e5cbf0aa6770fc9360f3872cef33e7e5b013874b79d9095582fe3133eb88b3',
      'a4f6cfcf5b3453c17874ff6cba2efdb2af6d2ccbc09c5031a9f07c1daf4197ad',
      '2c96cd83d01fe91efb4b6bd7f5c6aeab411a5dc5d1af251ee42db0aa60129bfc',
    ]);
  });

  it('entries with the same title + severity collapse to the last one', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 1);
    assert.equal(findings[0].vulnIdFromTool, '2');
    assert.equal(findings[0].componentName, 'node_modules/watchpack/node_modules/glob-parent');
    assert.equal(hashOf(findings[0]), 'de0285d4bb97237262b9e7e8ce052561a4fa650246ce07f87f9188378e27bf14');
  });

  it('reads `npm audit fix --dry-run --json`, which nests the audit under "audit"', () => {
    const [finding] = parse('fix_dry_run.json').findings;
    assert.equal(finding.title, 'Inefficient Regular Expression Complexity in chalk/ansi-regex');
    assert.equal(finding.cwe, 1333);
  });

  it('refuses npm 6 reports and npm error output (no auditReportVersion)', () => {
    assert.match(parseError('audit_endpoint_error.json').message, /not an npm 7\+ audit report/);
    const v6 = read('../npm-audit-scan/one_finding.json');
    assert.throws(() => npmAuditV7Parser.parse(v6, 'v6.json'), (e: unknown) => e instanceof ReportParseError && /NPM Audit Scan/.test(e.message));
  });

  it('rejects bad input with a ReportParseError naming the package and field', () => {
    assert.equal(parseError('unknown_effect.json').position, 'vulnerabilities.a.effects');
    assert.equal(parseError('malformed_cwe.json').position, 'vulnerabilities.a.via[0].cwe[0]');
    assert.match(parseError('truncated.json').message, /JSON/);
  });

  it('issue 12: a via advisory without CWEs imports with cwe 0 (Django default); several CWEs keep the first as primary and the full list', () => {
    const report = (cwe: string[]): string =>
      JSON.stringify({
        auditReportVersion: 2,
        vulnerabilities: {
          a: {
            name: 'a', severity: 'high', isDirect: true, range: '<1', nodes: ['node_modules/a'], effects: [], fixAvailable: true,
            via: [{ source: 1, name: 'a', dependency: 'a', title: 'T', url: 'https://github.com/advisories/GHSA-x', severity: 'high', cwe, cvss: { score: 0, vectorString: null }, range: '<1' }],
          },
        },
        metadata: {},
      });
    const [none] = npmAuditV7Parser.parse(report([]), 'none.json').findings;
    assert.equal(none.cwe, 0);
    assert.equal(none.cwes, undefined);
    const [many] = npmAuditV7Parser.parse(report(['CWE-400', 'CWE-1333']), 'many.json').findings;
    assert.equal(many.cwe, 400);
    assert.deepEqual(many.cwes, [400, 1333]);
  });

  it('sniffs npm 7+ reports only', () => {
    assert.equal(npmAuditV7Parser.sniff(JSON.parse(read('one_finding.json')), 'x.json'), true);
    assert.equal(npmAuditV7Parser.sniff(JSON.parse(read('fix_dry_run.json')), 'x.json'), true);
    assert.equal(npmAuditV7Parser.sniff(JSON.parse(read('audit_endpoint_error.json')), 'x.json'), false);
  });
});
