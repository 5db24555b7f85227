import assert from 'node:assert/strict';
import { hashConfigFor } from '../../src/engine/dedupe-config';
import { defaultSettings, type ParsedFinding } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import { gosecParser, GOSEC_SCAN_TYPE } from '../../src/parsers/gosec';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('gosec-scanner', gosecParser);
// DefectDojo's configuration for Gosec; Scan Ledger's own default (fingerprint matching) only changes the algorithm.
const paritySettings = () => ({ ...defaultSettings(), defectdojoParity: true });
const config = () => hashConfigFor(GOSEC_SCAN_TYPE, GOSEC_SCAN_TYPE, paritySettings());
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(GOSEC_SCAN_TYPE, finding, paritySettings());

// Hand-written from gosec's JSON format. Expected hashes: Python hashlib over str.casefold() of
// the legacy string title + str(cwe) + str(line) + file + description (a missing CWE renders
// "None"), the description built as dojo/tools/gosec/parser.py builds it.
describe('Gosec parser (§7.9)', () => {
  it('parses a report without issues into no findings, with the gosec version', () => {
    const report = parse('empty.json');
    assert.equal(report.scanType, 'Gosec Scanner');
    assert.equal(report.toolVersion, '2.18.2');
    assert.deepEqual(report.findings, []);
  });

  it('§7.9: title "<details> - rule <rule_id>", file, line, cwe, severity title-cased', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'Potential file inclusion via variable - rule G304');
    assert.equal(finding.severity, 'Medium');
    assert.equal(finding.filePath, '/go/src/app/handlers/files.go');
    assert.equal(finding.line, 41);
    assert.equal(finding.cwe, 22);
    assert.equal(finding.scannerConfidence, 1);
    assert.equal(finding.references, 'https://cwe.mitre.org/data/definitions/22.html');
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(finding.vulnIdFromTool, undefined);
    assert.equal(
      finding.description,
      'Filename: /go/src/app/handlers/files.go\n\nLine number: 41\n\nIssue Confidence: HIGH\n\nCode:\n\n```40: \tpath := r.URL.Query().Get("f")\n41: \tdata, err := os.ReadFile(path)\n42: \tif err != nil {\n```',
    );
    assert.equal(finding.location?.column, 15);
    assert.equal(finding.location?.ruleId, 'G304');
  });

  it('§7.9: static_finding=True but dynamic_finding left at its default True', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.staticFinding, true);
    assert.equal(finding.dynamicFinding, true);
  });

  it('§6.5: Gosec has no configuration, so the legacy algorithm and the legacy hash apply', () => {
    assert.equal(config().algorithm, 'legacy');
    assert.equal(config().fields, null);
    const [finding] = parse('one_finding.json').findings;
    assert.equal(hashOf(finding), 'bd909d3fd86eef0191c342dedfafe71c1d3552dc1fc88f57e59b8fb8c4bd7ea7');
  });

  it('§7.9: a line range points at its first line; no CWE stays null (hashed as "None"); #nosec suppressions recorded', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings.length, 4);
    assert.equal(findings[1].line, 30);
    assert.equal(findings[1].location?.endLine, 32);
    assert.equal(findings[1].scannerConfidence, 4);
    assert.equal(findings[2].cwe, null);
    assert.equal(findings[2].references, 'https://securego.io/docs/rules/g402.html');
    assert.equal(findings[2].scannerConfidence, 7);
    assert.deepEqual(findings[3].suppression, { kind: 'nosec', reason: 'test fixture' });
    assert.deepEqual(findings.map(hashOf), [
      'dfe7bec5039073a89f68689b23e04ce9fbf3867661abc4ae491b0292494fdd7b',
      '8806a645cde5fe3d729870ac273f819e4c12714c65df71f38eef389ccbb6acd7',
      '9d5bb866ab5338ad1e1ae51fe7f0ba348588550752cde82380f23c0abb0c62cf',
      'ff3ff92ae74397763b23c415b541f1bdd557b5cfec68b83a235d448e3ac03a9d',
    ]);
  });

  it('issues with the same title + file + line merge: the first one is kept', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 1);
    assert.equal(findings[0].cwe, 326);
    assert.equal(hashOf(findings[0]), '028ea48bd54328ceca31393a613bf58f616bf17f48efbb60a79d7f18640accc9');
  });

  it('accepts a line written as a number', () => {
    assert.equal(parse('line_as_number.json').findings[0].line, 3);
  });

  it('rejects bad input with a ReportParseError naming the issue and field', () => {
    assert.equal(parseError('missing_details.json').position, 'Issues[0].details');
    assert.equal(parseError('malformed_cwe.json').position, 'Issues[0].cwe.id');
    assert.match(parseError('truncated.json').message, /JSON/);
    assert.throws(() => gosecParser.parse('{"results": []}', 'bandit.json'), (e: unknown) => e instanceof ReportParseError && /not a gosec report/.test(e.message));
  });

  it('sniffs gosec documents only', () => {
    assert.equal(gosecParser.sniff(JSON.parse(read('one_finding.json')), 'x.json'), true);
    assert.equal(gosecParser.sniff(JSON.parse(read('empty.json')), 'x.json'), true);
    assert.equal(gosecParser.sniff({ results: [] }, 'x.json'), false);
  });
});
