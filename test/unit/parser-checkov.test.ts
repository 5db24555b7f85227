import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { checkovParser, CHECKOV_SCAN_TYPE } from '../../src/parsers/checkov';
import { ReportParseError } from '../../src/parsers/errors';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('checkov-scan', checkovParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(CHECKOV_SCAN_TYPE, finding);

// Expected hashes: Python hashlib over str.casefold() of the legacy string title + "0" + line +
// file_path + description, the description built as dojo/tools/checkov/parser.py builds it.
describe('Checkov parser (§7.6)', () => {
  it('parses the summary-only report Checkov writes when nothing was scanned into no findings', () => {
    const report = parse('empty.json');
    assert.equal(report.scanType, 'Checkov Scan');
    assert.deepEqual(report.findings, []);
  });

  it('§7.6: title = check_name, severity Medium when absent, line = first of file_line_range, component = resource', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'S3 Bucket has an ACL defined which allows public READ access.');
    assert.equal(finding.severity, 'Medium');
    assert.equal(finding.filePath, '/main.tf');
    assert.equal(finding.line, 1);
    assert.equal(finding.componentName, 'aws_s3_bucket.data');
    assert.equal(finding.cwe, 0);
    assert.equal(finding.references, 'https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies/s3-policies/s3-1-acl-read-permissions-everyone');
    assert.equal(
      finding.description,
      'Check Type: terraform\nCheck Id: CKV_AWS_20\nS3 Bucket has an ACL defined which allows public READ access.\n\nNone\n',
    );
    assert.equal(hashOf(finding), '5434c4bcb8fa9bfe62a187ab48544095a2469811310a254ae0b594b8890c030a');
  });

  it('§7.6: the check id is not vuln_id_from_tool and there is no unique id; the editor still gets rule, range and code', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.vulnIdFromTool, undefined);
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(finding.location?.ruleId, 'CKV_AWS_20');
    assert.equal(finding.location?.endLine, 4);
    assert.equal(finding.location?.snippet, 'resource "aws_s3_bucket" "data" {\n  bucket = "my-data"\n  acl    = "public-read"\n}\n');
  });

  it('§7.6 list form: failed checks of every check type; skipped_checks are not findings', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings.length, 3);
    assert.deepEqual(findings.map((f) => f.severity), ['Low', 'High', 'Medium']);
    assert.match(findings[2].description, /^Check Type: dockerfile\n/);
    assert.equal(findings.some((f) => f.title.includes('versioning')), false);
    assert.equal(findings[0].mitigation, '\nBenchmarks:\n- CIS AWS V1.2 # 2.6 : Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket\n');
    assert.match(findings[1].description, /\n\nEncrypt with customer-managed keys\.\n$/);
    assert.deepEqual(findings.map(hashOf), [
      '142e7fedfb15aa3cd9b862d968d54a4d70fcf67c779ce3e72ed99a3f95225ae2',
      '771789954179f80c5b0ab571ea3b32e97c7efb28041736b9af6b3683d7fb55b9',
      '32245e5de997e5b201a44f15368de2c8c417e9376024f4dbf68b3e0c32e5d912',
    ]);
  });

  it('does not merge repeated failed checks (DefectDojo does not): both kept, same hash', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 2);
    assert.equal(hashOf(findings[0]), hashOf(findings[1]));
  });

  it('a failed check without check_name gets the title "check_name not found"', () => {
    const [finding] = parse('missing_check_name.json').findings;
    assert.equal(finding.title, 'check_name not found');
    assert.equal(hashOf(finding), '8dc1950f30aeb8ab804f21cae47641d645a2939245383ef217da9fec0f01ff45');
  });

  it('rejects bad input with a ReportParseError naming the place', () => {
    assert.equal(parseError('bad_line_range.json').position, 'results.failed_checks[0].file_line_range[0]');
    assert.equal(parseError('list_with_foreign_entry.json').position, '[1]');
    assert.match(parseError('truncated.json').message, /JSON/);
    const gosec = '{"Issues": [], "Stats": {}}';
    assert.throws(() => checkovParser.parse(gosec, 'gosec.json'), (e: unknown) => e instanceof ReportParseError && /not a Checkov report/.test(e.message));
  });

  it('sniffs Checkov documents in both forms only', () => {
    assert.equal(checkovParser.sniff(JSON.parse(read('one_finding.json')), 'x.json'), true);
    assert.equal(checkovParser.sniff(JSON.parse(read('many_findings.json')), 'x.json'), true);
    assert.equal(checkovParser.sniff(JSON.parse(read('empty.json')), 'x.json'), true);
    assert.equal(checkovParser.sniff({ results: [] }, 'x.json'), false);
  });
});
