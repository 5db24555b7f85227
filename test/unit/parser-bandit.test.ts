import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { banditParser, BANDIT_SCAN_TYPE } from '../../src/parsers/bandit';
import { ReportParseError } from '../../src/parsers/errors';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('bandit-scan', banditParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(BANDIT_SCAN_TYPE, finding);

// empty.json, one_finding.json and many_findings.json are real Bandit 1.6.2 output (Debian
// package) over test/fixtures/bandit-scan/sample. Expected hashes: Python hashlib over
// str.casefold() of file_path + str(line) + "<test_name>:<test_id>" (§6.5 Bandit fields).
describe('Bandit parser (§7.5)', () => {
  it('parses a real empty Bandit report into no findings', () => {
    const report = parse('empty.json');
    assert.equal(report.scanType, 'Bandit Scan');
    assert.deepEqual(report.findings, []);
  });

  it('§7.5: title = issue_text, severity title-cased, vuln_id_from_tool = "<test_name>:<test_id>", date = generated_at', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'Use of possibly insecure function - consider using safer ast.literal_eval.');
    assert.equal(finding.severity, 'Medium');
    assert.equal(finding.filePath, 'sample/app.py');
    assert.equal(finding.line, 28);
    assert.equal(finding.vulnIdFromTool, 'blacklist:B307');
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(finding.scannerConfidence, 2);
    assert.equal(finding.references, 'https://bandit.readthedocs.io/en/latest/blacklists/blacklist_calls.html#b307-eval');
    assert.match(finding.date ?? '', /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(
      finding.description,
      '**Test Name:** `blacklist`\n**Test ID:** `B307`\n**Filename:** `sample/app.py`\n**Line number:** `28`\n**Issue Confidence:** `HIGH`\n**Code:**\n```\n27 def calc(expression):\n28     return eval(expression)\n\n```',
    );
    assert.equal(finding.location?.ruleId, 'B307');
    assert.equal(finding.location?.snippet, '27 def calc(expression):\n28     return eval(expression)\n');
  });

  it('§6.5: Bandit hashes file_path + line + vuln_id_from_tool (+ service)', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(hashOf(finding), '401360196f329ec56ab3858c12e5513c01e18e14b65707d993d343b34abbb523');
    assert.equal(hashOf({ ...finding, service: 'api' }), 'c04f005d4599c1c9ec76304d699f304c37ee8ebdf6a1de049fe8fd1d0764a017');
    // The specification's own test vector: app/main.py42blacklist:B307 with service "api".
    assert.equal(
      hashOf({ ...finding, filePath: 'app/main.py', line: 42, service: 'api' }),
      '575205caa0ead050141f91a876a6cf19bdb3e33cf041fb147cbf29c16849a3ac',
    );
  });

  it('parses a real multi-file report: counts, severities and hashes', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings.length, 11);
    assert.deepEqual(
      findings.map((f) => f.severity),
      ['Low', 'Low', 'High', 'Medium', 'Medium', 'Medium', 'Medium', 'Low', 'High', 'High', 'Low'],
    );
    assert.deepEqual(findings.map(hashOf), [
      '56a5d82c6ba0e8891962a99822c82ab92376fef00c8ed9f3bab14c9a8411ff5f',
      '3a7f0cc0e6e3705bc88acd8724d177838e92dbea94497d03e76310a311a98c91',
      '93abe4f3929cc8657e59f70d7c70a7b1083128ee07b7f8d0fa9e421002ec2f14',
      'ceb50f09552dde545ed76f267d26229d2f2e60abdbfe82dcb0ad6ab4953be204',
      '17a36519f41c74c9279d0454bc8d552bf35cd943f60cfe297424ee426fa44f96',
      '5deedbe98a6e198144927d42dafbc6ad4ed8c2b68ea1021fde51d8141cf16d5e',
      '401360196f329ec56ab3858c12e5513c01e18e14b65707d993d343b34abbb523',
      '2bd31d42f44665aa0d2448b509baaf79350447679e74b660eb0de092b5decc07',
      '613e2f8dae23939a38359531c38e6185ee561355216b285e726aa91536bfc9e6',
      '3012903eae3fc6142df01faa30e192a40a1bf1f7a4ce35ed0623f3aa947e8fdd',
      'e5941992cc5aaea31bd656c45da503d01bd0abeec8599ce28d8f9bea2cf963da',
    ]);
  });

  it('§7.5: Bandit results are not merged inside the report; identical copies share a hash', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 2);
    assert.equal(hashOf(findings[0]), hashOf(findings[1]));
    assert.equal(findings[0].date, '2024-06-01');
  });

  it('reads newer Bandit fields: 0-based col_offset, line range, line number as text, offset timestamps in UTC', () => {
    const [finding] = parse('newer_bandit_fields.json').findings;
    assert.equal(finding.line, 4);
    assert.equal(finding.location?.column, 1);
    assert.equal(finding.location?.endLine, 5);
    assert.equal(finding.date, '2024-06-01');
    assert.equal(finding.severity, 'Low');
    assert.equal(hashOf(finding), 'fb2ba1fa72c222fa2f90f2f7357eb3102cc393a19a81db58572f7a2be80fdb78');
  });

  it('rejects bad input with a ReportParseError naming the result and field', () => {
    assert.equal(parseError('line_not_a_number.json').position, 'results[1].line_number');
    assert.equal(parseError('missing_test_id.json').position, 'results[0].test_id');
    assert.match(parseError('truncated.json').message, /JSON/);
  });

  it('refuses a Trivy report as "not a Bandit report"', () => {
    const trivy = read('../trivy-scan/one_finding.json');
    assert.throws(() => banditParser.parse(trivy, 'trivy.json'), (e: unknown) => e instanceof ReportParseError && /not a Bandit report/.test(e.message));
    const semgrep = read('../semgrep-json-report/one_finding.json');
    assert.throws(() => banditParser.parse(semgrep, 'semgrep.json'), (e: unknown) => e instanceof ReportParseError && /not a Bandit report/.test(e.message));
  });

  it('sniffs Bandit documents only', () => {
    assert.equal(banditParser.sniff(JSON.parse(read('many_findings.json')), 'x.json'), true);
    assert.equal(banditParser.sniff(JSON.parse(read('empty.json')), 'x.json'), true);
    assert.equal(banditParser.sniff(JSON.parse(read('duplicates_in_report.json')), 'x.json'), true);
    assert.equal(banditParser.sniff({ results: [{ check_id: 'x', extra: {} }] }, 'x.json'), false);
  });
});
