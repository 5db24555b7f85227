import assert from 'node:assert/strict';
import type { ParsedFinding } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import { spotbugsParser, SPOTBUGS_SCAN_TYPE } from '../../src/parsers/spotbugs';
import { parseXml } from '../../src/parsers/xml';
import { fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse, parseError } = fixtureReader('spotbugs-scan', spotbugsParser);
const hashOf = (finding: ParsedFinding): string => hashUnderDefaults(SPOTBUGS_SCAN_TYPE, finding);

interface Expected {
  title: string;
  sev: string;
  cwe: number;
  fp: string | null;
  line: number | null;
  hash: string;
  desc: string;
  mit: string | null;
  ref: string | null;
}

/**
 * expected_from_defectdojo_logic.json was produced by running dojo/tools/spotbugs/parser.py's
 * logic under Python (xml.etree.ElementTree, html2text) over these fixtures, with hashes from
 * hashlib over str.casefold() of cwe + severity + file_path + line (§6.5 SpotBugs fields), or the
 * legacy string when cwe is 0 (SpotBugs does not allow a null CWE).
 */
const expected = JSON.parse(read('expected_from_defectdojo_logic.json')) as Record<string, Expected[]>;

function assertMatchesDefectDojo(name: string): ParsedFinding[] {
  const findings = parse(name).findings;
  const wanted = expected[name];
  assert.equal(findings.length, wanted.length);
  findings.forEach((finding, index) => {
    const want = wanted[index];
    assert.equal(finding.title, want.title);
    assert.equal(finding.severity, want.sev);
    assert.equal(finding.cwe, want.cwe);
    assert.equal(finding.filePath ?? null, want.fp);
    assert.equal(finding.line ?? null, want.line);
    assert.equal(finding.description, want.desc, `description of ${want.title}`);
    assert.equal(finding.mitigation ?? null, want.mit, `mitigation of ${want.title}`);
    assert.equal(finding.references ?? null, want.ref, `references of ${want.title}`);
    assert.equal(hashOf(finding), want.hash, `hash of ${want.title}`);
  });
  return findings;
}

describe('SpotBugs XML parser (dojo/tools/spotbugs/parser.py)', () => {
  it('parses a report without bug instances into no findings', () => {
    const report = parse('empty.xml');
    assert.equal(report.scanType, 'SpotBugs Scan');
    assert.equal(report.toolVersion, '4.8.3');
    assert.deepEqual(report.findings, []);
  });

  it('title = ShortMessage, priority 1 → High, cwe = cweid, file and line from the instance\'s own SourceLine', () => {
    const [finding] = assertMatchesDefectDojo('one_finding.xml');
    assert.equal(finding.title, 'Nonconstant string passed to execute or addBatch method on an SQL statement');
    assert.equal(finding.filePath, 'com/example/UserDao.java');
    assert.equal(finding.line, 28);
    assert.equal(finding.sastSourceLine, 28);
    assert.equal(finding.sastSourceObject, 'com.example.UserDao');
    assert.equal(finding.sastSourceFilePath, 'com/example/UserDao.java');
    assert.equal(finding.staticFinding, true);
    assert.equal(finding.dynamicFinding, false);
    assert.equal(finding.location?.ruleId, 'SQL_NONCONSTANT_STRING_PASSED_TO_EXECUTE');
    assert.equal(finding.location?.endLine, 29);
  });

  it('the description is every text node of the BugInstance plus a newline, as ElementTree.itertext() yields them', () => {
    const [finding] = parse('one_finding.xml').findings;
    assert.ok(finding.description.startsWith('\n    \nNonconstant string passed'));
  });

  it('mitigation and references come from the BugPattern details, split at the "Reference" line', () => {
    const [finding] = parse('many_findings.xml').findings;
    assert.ok(finding.mitigation?.startsWith('The use of a predictable random value can lead to vulnerabilities when used in\ncertain security critical contexts.'));
    assert.match(finding.mitigation ?? '', /\n\n#### Example\n\*\*Vulnerable Code:\*\*/);
    assert.match(finding.references ?? '', /\[CWE-330: Use of Insufficiently Random Values\]\(https:\/\/cwe\.mitre\.org\/data\/definitions\/330\.html\)/);
  });

  it('parses many instances: priorities 1-3, missing cweid → 0 → legacy hash, missing ShortMessage → type as title', () => {
    const findings = assertMatchesDefectDojo('many_findings.xml');
    assert.deepEqual(findings.map((f) => f.severity), ['Medium', 'Low', 'High']);
    assert.equal(findings[2].title, 'UNKNOWN_NO_SOURCE');
    assert.equal(findings[2].filePath, undefined);
  });

  it('instances with the same instanceHash merge; later copies bump nb_occurences', () => {
    const findings = assertMatchesDefectDojo('duplicates_in_report.xml');
    assert.equal(findings[0].nbOccurences, 2);
    assert.equal(findings[0].line, 5);
  });

  it('rejects bad input with a ReportParseError naming the instance', () => {
    assert.equal(parseError('unknown_priority.xml').position, 'BugInstance[1].priority');
    assert.equal(parseError('malformed_cwe.xml').position, 'BugInstance[0].cweid');
    assert.match(parseError('doctype.xml').message, /DOCTYPE/);
    assert.match(parseError('truncated.xml').message, /XML/);
    const zap = read('../zap-scan/empty.xml');
    assert.throws(() => spotbugsParser.parse(zap, 'zap.xml'), (e: unknown) => e instanceof ReportParseError && /not a SpotBugs XML report/.test(e.message));
  });

  it('sniffs SpotBugs documents in the order-preserving form detection uses', () => {
    const document = parseXml(read('one_finding.xml'), 'x.xml', { preserveOrder: true, trimValues: false });
    assert.equal(spotbugsParser.sniff(document, 'x.xml'), true);
    const other = parseXml(read('../zap-scan/empty.xml'), 'x.xml', { preserveOrder: true, trimValues: false });
    assert.equal(spotbugsParser.sniff(other, 'x.xml'), false);
  });
});
