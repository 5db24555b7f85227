import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import { convertSemgrepSeverity, semgrepParser, SEMGREP_SCAN_TYPE } from '../../src/parsers/semgrep';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('semgrep-json-report', semgrepParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(SEMGREP_SCAN_TYPE, finding);

// Expected hashes were computed with Python (hashlib.sha256 of str.casefold() of
// title + str(cwe) + str(line) + file_path + description, the description built as
// dojo/tools/semgrep/parser.py builds it), not with the engine under test.
describe('Semgrep JSON parser (§7.2)', () => {
  it('parses an empty report into no findings', () => {
    const report = parse('empty.json');
    assert.equal(report.scanType, 'Semgrep JSON Report');
    assert.equal(report.toolVersion, '1.52.0');
    assert.deepEqual(report.findings, []);
  });

  it('§7.2: title and vuln_id_from_tool = check_id, file = path, line = start.line, uid = extra.fingerprint', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.title, 'javascript.lang.security.audit.eval-detected.eval-detected');
    assert.equal(finding.vulnIdFromTool, finding.title);
    assert.equal(finding.filePath, 'src/app.js');
    assert.equal(finding.line, 12);
    assert.equal(finding.severity, 'Medium');
    assert.equal(finding.cwe, 95);
    assert.equal(finding.uniqueIdFromTool?.slice(0, 12), '0d3bb1c0e0d4');
    assert.equal(finding.references, 'https://owasp.org/Top10/A03_2021-Injection');
    assert.equal(finding.staticFinding, true);
    assert.equal(finding.dynamicFinding, false);
    assert.equal(
      finding.description,
      '**Result message:** Detected the use of eval(). eval() can be dangerous if used to evaluate dynamic content.\n**Snippet:**\n```    return eval(input);```\n',
    );
  });

  it('keeps editor locations: end line, columns, snippet, rule id and the fingerprint by name', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(finding.location?.endLine, 12);
    assert.equal(finding.location?.column, 5);
    assert.equal(finding.location?.endColumn, 23);
    assert.equal(finding.location?.snippet, '    return eval(input);');
    assert.equal(finding.location?.ruleId, finding.title);
    assert.equal(finding.location?.fingerprints?.semgrep, finding.uniqueIdFromTool);
    assert.equal(finding.location?.ruleHelpUri, 'https://semgrep.dev/r/javascript.lang.security.audit.eval-detected.eval-detected');
  });

  it('§6.5: Semgrep uses the legacy hash (title + cwe + line + file + description), service appended', () => {
    const [finding] = parse('one_finding.json').findings;
    assert.equal(hashOf(finding), '21f503b996cb7136c19868d266d55931bca41fcb8f42c0062a31d56082431d63');
    assert.equal(hashOf({ ...finding, service: 'api' }), '975b4816809d97dab2c56960801d68c98cdc664345057040fd0aca3093409159');
  });

  it('§7.2: severities ERROR→High, WARNING→Medium, INFO/LOW→Low, CRITICAL→Critical; unknown aborts', () => {
    assert.equal(convertSemgrepSeverity('ERROR'), 'High');
    assert.equal(convertSemgrepSeverity('high'), 'High');
    assert.equal(convertSemgrepSeverity('WARNING'), 'Medium');
    assert.equal(convertSemgrepSeverity('MEDIUM'), 'Medium');
    assert.equal(convertSemgrepSeverity('INFO'), 'Low');
    assert.equal(convertSemgrepSeverity('LOW'), 'Low');
    assert.equal(convertSemgrepSeverity('CRITICAL'), 'Critical');
    assert.equal(convertSemgrepSeverity('SEVERE'), null);
    const error = parseError('unknown_severity.json');
    assert.equal(error.position, 'results[0].extra.severity');
    assert.match(error.message, /unknown Semgrep severity "SEVERE"/);
  });

  it('parses many findings with their severities, CWEs and hashes', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(findings.length, 5);
    assert.deepEqual(
      findings.map((f) => [f.severity, f.cwe]),
      [
        ['High', 89],
        ['Low', 0],
        ['Low', 571],
        ['Medium', 353],
        ['Critical', 798],
      ],
    );
    assert.deepEqual(findings[0].cwes, [943]);
    assert.equal(findings[0].references, 'https://docs.djangoproject.com/en/4.2/topics/security/\nhttps://owasp.org/www-community/attacks/SQL_Injection');
    assert.deepEqual(
      findings.map(hashOf),
      [
        '62d08d76749844a69b29ec051b89061c0591c038226b4a4fb182170e167e469a',
        '6689a7c329e52a93034bec1bb7c11bd0b7d5391470f45e49ff309228ad5d03fe',
        '4f5f67d1a5b5a9744e8ef40ac1e4eeae62955e0430389a2da4a134e8af0de8f6',
        'ad450254b7726b145dc44fd46e414834bd36d7c015541c6b41caddf379f47cbf',
        '47debf52c8a8da2bb8263e9963d55357aeb949ded2b46a348655d81366ef0f75',
      ],
    );
  });

  it('§7.2: a "requires login" fingerprint is no unique id and a "requires login" snippet is no snippet', () => {
    const finding = parse('many_findings.json').findings[1];
    assert.equal(finding.uniqueIdFromTool, undefined);
    assert.equal(finding.location?.fingerprints, undefined);
    assert.equal(finding.description, '**Result message:** file object opened without a corresponding close\n');
  });

  it('mitigation comes from extra.fix, else from fix_regex dumped as Python json.dumps does', () => {
    const findings = parse('many_findings.json').findings;
    assert.equal(
      findings[2].mitigation,
      '**You can automaticaly apply this regex:**\n\n```\n\n{"regex": "x == x", "replacement": "True"}\n\n```\n',
    );
    assert.equal(findings[3].mitigation, '<script src="https://cdn.example.com/lib.js" integrity="sha384-…"></script>');
  });

  it('applies the #8435 workaround to snippets containing "<![" and records nosemgrep results without changing status', () => {
    const finding = parse('many_findings.json').findings[3];
    assert.match(finding.description, /\*\*Snippet:\*\* \*\*\*Caution:\*\*\*/);
    assert.match(finding.description, /<script><! \[CDATA\[ load\(\) \]\]><\/script>/);
    assert.deepEqual(finding.suppression, { kind: 'nosemgrep' });
    assert.equal(finding.active, undefined);
  });

  it('§7.2: results with the same title + file_path + line merge, later copies only bump nb_occurences', () => {
    const findings = parse('duplicates_in_report.json').findings;
    assert.equal(findings.length, 2);
    assert.equal(findings[0].nbOccurences, 2);
    assert.equal(findings[0].uniqueIdFromTool, 'fp-a');
    assert.equal(findings[0].location?.column, 3);
    assert.equal(findings[1].line, 31);
    assert.equal(findings[1].nbOccurences, 1);
  });

  it('§7.2: the supply-chain vulns[] variant: advisory severity, dependency file location, repositoryId', () => {
    const [finding] = parse('supply_chain.json').findings;
    assert.equal(finding.title, 'Prototype Pollution in lodash');
    assert.equal(finding.severity, 'High');
    assert.equal(finding.filePath, 'package-lock.json');
    assert.equal(finding.line, 118);
    assert.equal(finding.vulnIdFromTool, 'GHSA-jf85-cpcp-j695');
    assert.equal(finding.cwe, 1321);
    assert.equal(finding.description, 'lodash before 4.17.12 is vulnerable to Prototype Pollution.');
  });

  it('Semgrep Assistant output replaces the mitigation and sets the severity justification', () => {
    const [finding] = parse('assistant.json').findings;
    assert.equal(
      finding.mitigation,
      '**Assistant explanation:** Use a parameterised query. \n\n**Assistant suggested code**:\ndb.execute("SELECT * FROM t WHERE id=?", (rid,))\n\n**Assistant guidance:**\nParameterise the query.\nPass values as parameters.\n',
    );
    assert.equal(
      finding.severityJustification,
      'Assistant thinks this file is high risk because it relates to user data\n\nAssistant thinks this is a true positive. The value comes straight from the request.\n',
    );
  });

  it('accepts a line number written as text and null metadata values', () => {
    const [finding] = parse('line_as_string.json').findings;
    assert.equal(finding.line, 17);
    assert.equal(finding.severity, 'High');
    assert.equal(finding.cwe, 0);
  });

  it('rejects bad input with a ReportParseError naming the finding and field', () => {
    assert.equal(parseError('missing_path.json').position, 'results[0].path');
    assert.match(parseError('malformed_cwe.json').message, /results\[0\]\.extra\.metadata\.cwe: cannot read a CWE number/);
    assert.match(parseError('invalid.json').message, /invalid JSON/);
    assert.match(parseError('truncated.json').message, /truncated JSON|invalid JSON/);
  });

  it('refuses another format as "not a Semgrep report"', () => {
    const bandit = read('../bandit-scan/one_finding.json');
    assert.throws(() => semgrepParser.parse(bandit, 'bandit.json'), (e: unknown) => e instanceof ReportParseError && /not a Semgrep report/.test(e.message));
    assert.throws(() => semgrepParser.parse('[]', 'x.json'), ReportParseError);
  });

  it('sniffs Semgrep documents only', () => {
    assert.equal(semgrepParser.sniff(JSON.parse(read('one_finding.json')), 'x.json'), true);
    assert.equal(semgrepParser.sniff(JSON.parse(read('empty.json')), 'x.json'), true);
    assert.equal(semgrepParser.sniff(JSON.parse(read('supply_chain.json')), 'x.json'), true);
    assert.equal(semgrepParser.sniff({ results: [{ test_id: 'B101' }] }, 'x.json'), false);
  });
});
