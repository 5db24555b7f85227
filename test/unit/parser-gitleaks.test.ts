import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import { gitleaksParser, GITLEAKS_SCAN_TYPE } from '../../src/parsers/gitleaks';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('gitleaks-scan', gitleaksParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(GITLEAKS_SCAN_TYPE, finding);

// Expected hashes computed with Python's hashlib over str.casefold() of the legacy string
// (title + "798" + line + file + description), descriptions built as dojo/tools/gitleaks/parser.py does.
describe('Gitleaks parser (§7.3)', () => {
  it('parses an empty list and a null report into no findings', () => {
    assert.deepEqual(parse('empty.json').findings, []);
    assert.deepEqual(parse('null_report.json').findings, []);
    assert.equal(parse('empty.json').scanType, 'Gitleaks Scan');
  });

  it('§7.3 v8: title "Hard coded <Description> found in <File>", High, cwe 798, secret in the description', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'Hard coded AWS Access Key found in config/settings.py');
    assert.equal(finding.severity, 'High');
    assert.equal(finding.cwe, 798);
    assert.equal(finding.filePath, 'config/settings.py');
    assert.equal(finding.line, 4);
    assert.equal(
      finding.description,
      '**Secret:** AKIAIOSFODNN7EXAMPLE\n**Match:** AKIAIOSFODNN7EXAMPLE\n**Commit message:** add settings\n**Commit hash:** 6a1f0b8f3c2d4e5f60718293a4b5c6d7e8f90123\n**Commit date:** 2024-03-01T10:15:00Z\n**Rule Id:** aws-access-token',
    );
    assert.equal(finding.staticFinding, true);
    assert.equal(finding.dynamicFinding, false);
    assert.equal(hashOf(finding), '08ebbbff199079830e1459930232c5e0220038f195942b98d41ccef24b1ae7f9');
  });

  it('§7.3: no unique_id_from_tool and no vuln_id_from_tool; Fingerprint only reaches location.fingerprints.gitleaks', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(finding.vulnIdFromTool, undefined);
    assert.equal(finding.location?.fingerprints?.gitleaks, '6a1f0b8f3c2d4e5f60718293a4b5c6d7e8f90123:config/settings.py:aws-access-token:4');
    assert.equal(finding.location?.ruleId, 'aws-access-token');
    assert.equal(finding.location?.column, 15);
    assert.equal(finding.location?.endColumn, 34);
    assert.equal(finding.location?.endLine, 4);
  });

  it('parses many findings: tags, multi-line commit messages, StartLine 0', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings.length, 3);
    assert.deepEqual(findings[0].tags, ['key', 'API']);
    assert.match(findings[0].description, /\*\*Commit message:\*\*\n```\nwire the client\n\nUses the staging key for now.\n```\n/);
    assert.equal(findings[1].tags, undefined);
    assert.equal(findings[2].line, 0);
    assert.deepEqual(findings.map(hashOf), [
      '2b496eb378ab75af8816cee07ef1c75db55b1ec8c17b34a06dc9a3b23e9e3a6c',
      'd05c3d7c18a8886a5b0c174fa6a29d50a6eecaa80b83e1380413c5cc3804c3dd',
      '8a71c7903a46a7c407ac087a71ad4a147825f93d22b77653916958a8e2b9b2d8',
    ]);
  });

  it('§7.3: copies with the same md5(title+secret+line) append their description and bump nb_occurences', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 1);
    assert.equal(findings[0].nbOccurences, 2);
    assert.match(findings[0].description, /\*\*Commit message:\*\* first[\s\S]*\n\n\*\*\*\n\n[\s\S]*\*\*Commit message:\*\* second/);
    assert.equal(hashOf(findings[0]), '61ea9ff5b0036e720c0af60a42e99a46cce210d37e1d120cfd377356dbf05c55');
  });

  it('§7.3 old format: "Hard Coded <rule>", Critical for AWS rules, first copy per offender+file+line wins', () => {
    const findings = parse('legacy_format.json').findings;
    assert.equal(findings.length, 2);
    const [aws, password] = findings;
    assert.equal(aws.title, 'Hard Coded AWS Manager ID');
    assert.equal(aws.severity, 'Critical');
    assert.equal(aws.line, 2);
    assert.deepEqual(aws.tags, ['key', 'AWS']);
    assert.match(aws.description, /\*\*Commit Hash:\*\* cafe0001/);
    assert.match(aws.description, /aws_secret = REDACTED/);
    assert.equal(hashOf(aws), 'b16dfdc4677d9e2db79b2e7f82de51d21616e41ffb0650459d3dafaf6a87adac');
    assert.equal(password.severity, 'High');
    assert.equal(password.line, null);
    assert.match(password.description, /\*\*Operation:\*\* addition\n\*\*Leak URL:\*\* \[https:\/\/git\.example\.com/);
    assert.deepEqual(password.tags, []);
  });

  it('accepts StartLine written as text and rejects one that is not a number, naming the entry', () => {
    assert.equal(parse('line_as_string.json').findings[0].line, 7);
    const error = parseError('line_as_text.json');
    assert.equal(error.position, '[1].StartLine');
  });

  it('rejects entries of neither format, other formats and broken JSON with a ReportParseError', () => {
    assert.equal(parseError('unrecognised_entry.json').position, '[0]');
    assert.match(parseError('truncated.json').message, /JSON/);
    const trivy = '{"SchemaVersion": 2, "Results": []}';
    assert.throws(() => gitleaksParser.parse(trivy, 'trivy.json'), (e: unknown) => e instanceof ReportParseError && /not a Gitleaks report/.test(e.message));
  });

  it('sniffs v8 and old-format leak lists only', () => {
    assert.equal(gitleaksParser.sniff(JSON.parse(read('one_finding.json')), 'x.json'), true);
    assert.equal(gitleaksParser.sniff(JSON.parse(read('legacy_format.json')), 'x.json'), true);
    assert.equal(gitleaksParser.sniff([{ Target: 'x' }], 'x.json'), false);
    assert.equal(gitleaksParser.sniff({ results: [] }, 'x.json'), false);
    assert.equal(gitleaksParser.sniff([], 'ci/gitleaks-report.json'), true, 'an empty list is claimed by file name only');
    assert.equal(gitleaksParser.sniff([], 'report.json'), false);
  });
});

describe('gitleaks: flagged text for identity without the sources (issue 10)', () => {
  const leak = (fields: Record<string, unknown>) =>
    JSON.stringify([{ Description: 'AWS', StartLine: 3, Secret: 'AKIA', File: 'a.env', Commit: 'c', Date: '2024-01-01T00:00:00Z', Message: 'm', Tags: [], RuleID: 'aws', ...fields }]);

  it('keeps Match as the snippet', () => {
    const [finding] = gitleaksParser.parse(leak({ Match: 'key=AKIA', Line: 'export key=AKIA' }), 'g.json').findings;
    assert.equal(finding.location?.snippet, 'key=AKIA');
  });

  it('falls back to the whole flagged Line when the report has no Match, without changing the hash code', () => {
    const [withLine] = gitleaksParser.parse(leak({ Line: 'export key=AKIA' }), 'g.json').findings;
    const [without] = gitleaksParser.parse(leak({}), 'g.json').findings;
    assert.equal(withLine.location?.snippet, 'export key=AKIA');
    assert.equal(hashOf(withLine), hashOf(without));
  });
});
