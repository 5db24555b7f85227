import { strict as assert } from 'node:assert';
import type { ParsedFinding, ParsedReport } from '../../src/model';
import { parseReport } from '../../src/parsers';
import { MAX_CODE_FLOW_STEPS, MAX_RELATED_LOCATIONS, sarifParser } from '../../src/parsers/sarif';
import { testTypeName } from '../../src/parsers/test-type';
import { textwrapShorten } from '../../src/parsers/python-text';
import { expectParseError, fixtureReader, hashUnderDefaults } from './parser-fixtures';

const fixtures = fixtureReader('sarif', sarifParser);
const fixture = fixtures.read;

function parse(name: string, workspaceRoot?: string): ParsedReport {
  return fixtures.parse(name, { workspaceRoot });
}

/** Parses an inline SARIF log built from one run. */
function parseRun(run: Record<string, unknown>): ParsedFinding[] {
  return sarifParser.parse(JSON.stringify({ version: '2.1.0', runs: [run] }), 'inline.sarif').findings;
}

function run(rules: unknown[], results: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { tool: { driver: { name: 'Inline', rules } }, results, ...extra };
}

/** The hash code the engine computes under the default configuration (cwe defaults to 0 as in DefectDojo). */
function defaultHash(report: ParsedReport, finding: ParsedFinding): string {
  return hashUnderDefaults(report, { ...finding, cwe: finding.cwe ?? 0 });
}

interface DefectDojoFinding {
  title: string;
  severity: string;
  description: string;
  file_path: string | null;
  line: number | null;
  cwe: number;
  vuln_id_from_tool: string | null;
  unique_id_from_tool: string | null;
  unsaved_vulnerability_ids: string[] | null;
  false_p: boolean;
  active: boolean;
  references: string | null;
  mitigation: string | null;
  cvssv3_score: number | null;
  tags: string[];
  date: string | null;
  hash: string;
}

describe('SARIF parser (docs/defectdojo-rules.md §7.1)', () => {
  describe('field-for-field parity with DefectDojo on every fixture', () => {
    // expected/*.defectdojo.json hold what DefectDojo's SARIF parser produced for each fixture,
    // with the legacy hash_code it would store (see test/fixtures/README.md).
    const cases = ['empty', 'one_finding', 'many_findings', 'duplicates_in_report', 'multi_run', 'eslint-security', 'flawfinder'];
    for (const name of cases) {
      it(`${name}.sarif: title, severity, description, file, line, cwe, ids, status, tags, date and hash code`, () => {
        const report = parse(`${name}.sarif`);
        const expected = JSON.parse(fixture(`expected/${name}.defectdojo.json`)) as DefectDojoFinding[];
        assert.equal(report.findings.length, expected.length);
        report.findings.forEach((finding, index) => {
          const want = expected[index];
          const where = `${name}[${index}]`;
          assert.equal(finding.title, want.title, where);
          assert.equal(finding.severity, want.severity, where);
          assert.equal(finding.description, want.description, where);
          assert.equal(finding.filePath ?? null, want.file_path, where);
          assert.equal(finding.line ?? null, want.line, where);
          assert.equal(finding.cwe ?? 0, want.cwe, where);
          assert.equal(finding.vulnIdFromTool ?? null, want.vuln_id_from_tool, where);
          assert.equal(finding.uniqueIdFromTool ?? null, want.unique_id_from_tool, where);
          assert.deepEqual(finding.vulnerabilityIds ?? null, want.unsaved_vulnerability_ids, where);
          assert.equal(finding.falsePositive, want.false_p, where);
          assert.equal(finding.active, want.active, where);
          assert.equal(finding.references ?? null, want.references, where);
          assert.equal(finding.mitigation ?? null, want.mitigation, where);
          assert.equal(finding.cvssv3Score ?? null, want.cvssv3_score, where);
          assert.deepEqual([...(finding.tags ?? [])].sort(), want.tags, where);
          assert.equal(finding.date ?? null, want.date, where);
          assert.equal(finding.staticFinding, true, where);
          assert.equal(finding.dynamicFinding, false, where);
          assert.equal(defaultHash(report, finding), want.hash, `${where} hash code`);
        });
      });
    }
  });

  describe('tests and Test_Type naming', () => {
    it('§3.2: the Test_Type is named after the FIRST run\'s tool.driver.name: "CodeQL Scan (SARIF)"', () => {
      const report = parse('one_finding.sarif');
      assert.equal(report.scanType, 'SARIF');
      assert.equal(report.testType, 'CodeQL Scan (SARIF)');
      assert.equal(report.toolName, 'CodeQL');
      assert.equal(report.toolVersion, '2.15.3');
    });

    it('§7.1: one internal test per runs[] entry; findings of all runs are merged', () => {
      const report = parse('multi_run.sarif');
      assert.equal(report.testType, 'Semgrep OSS Scan (SARIF)');
      assert.deepEqual(
        report.findings.map((f) => f.title),
        ['From extension one', 'ext-two', 'From the second run.'],
      );
    });

    it('§3.2: an empty report still names its Test after the tool', () => {
      const report = parse('empty.sarif');
      assert.equal(report.findings.length, 0);
      assert.equal(report.testType, 'CodeQL Scan (SARIF)');
    });

    it('§3.2 naming rule: empty or equal → scan type; "(scan type)" suffix kept; "T Scan" == scan type → scan type', () => {
      assert.equal(testTypeName('', 'SARIF'), 'SARIF');
      assert.equal(testTypeName(null, 'SARIF'), 'SARIF');
      assert.equal(testTypeName('SARIF', 'SARIF'), 'SARIF');
      assert.equal(testTypeName('CodeQL Scan (SARIF)', 'SARIF'), 'CodeQL Scan (SARIF)');
      assert.equal(testTypeName('Bandit', 'Bandit Scan'), 'Bandit Scan');
      assert.equal(testTypeName('CodeQL', 'SARIF'), 'CodeQL Scan (SARIF)');
    });
  });

  describe('rules, kinds and locations', () => {
    it('§7.1: if the driver has no rules, the rules of tool.extensions are used', () => {
      const [first, second] = parse('multi_run.sarif').findings;
      assert.equal(first.severity, 'High', 'extension rule default level error');
      assert.equal(second.cwe, 798, 'extension rule tags CWE');
    });

    it('§7.1: a result is skipped unless kind is absent or "fail"', () => {
      const findings = parseRun(
        run(
          [{ id: 'R' }],
          ['pass', 'open', 'review', 'notApplicable', 'informational', 'fail', undefined].map((kind) => ({
            ruleId: 'R',
            message: { text: String(kind) },
            ...(kind ? { kind } : {}),
          })),
        ),
      );
      assert.deepEqual(findings.map((f) => f.title), ['fail', 'undefined']);
    });

    it('§7.1: one finding per locations[] entry, sharing the result\'s fingerprint', () => {
      const findings = parse('many_findings.sarif').findings.filter((f) => f.vulnIdFromTool === 'EX001');
      assert.deepEqual(findings.map((f) => [f.filePath, f.line]), [['src/db/users.ts', 18], ['src/db/orders.ts', 7]]);
      const withFingerprint = parseRun(
        run([], [{ ruleId: 'R', message: { text: 'm' }, partialFingerprints: { h: '1' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a' } } }, { physicalLocation: { artifactLocation: { uri: 'b' } } }] }]),
      );
      assert.deepEqual(withFingerprint.map((f) => f.uniqueIdFromTool), ['h:1', 'h:1']);
    });

    it('§7.1: a result without locations gives one finding with no file', () => {
      const log4shell = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'CVE-2021-44228-check');
      assert.ok(log4shell);
      assert.equal(log4shell.filePath, null);
      assert.equal(log4shell.line, null);
      assert.equal(parseRun(run([], [{ message: { text: 'x' }, locations: [] }])).length, 1);
    });

    it('§7.1: file_path is the artifact URI verbatim (no decoding, no base-id resolution)', () => {
      const [finding] = parse('one_finding.sarif').findings;
      assert.equal(finding.filePath, 'src/routes/search%20page.js');
    });

    it('§7.1: line is unset when the region uses byteOffset', () => {
      const finding = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'EX006');
      assert.equal(finding?.line, null);
    });
  });

  describe('titles and descriptions', () => {
    it('§7.1: the title is the result message, else rule shortDescription, fullDescription, name, id', () => {
      const rules = [
        { id: 'S', shortDescription: { text: 'short' }, fullDescription: { text: 'full' }, name: 'n' },
        { id: 'F', fullDescription: { text: 'full' }, name: 'n' },
        { id: 'N', name: 'name only' },
        { id: 'I' },
      ];
      const findings = parseRun(run(rules, [{ ruleId: 'S' }, { ruleId: 'F' }, { ruleId: 'N' }, { ruleId: 'I' }, { ruleId: 'S', message: { text: 'msg' } }]));
      assert.deepEqual(findings.map((f) => f.title), ['short', 'full', 'name only', 'I', 'msg']);
    });

    it('§7.1: no title at all → error naming the result', () => {
      expectParseError(() => parseRun(run([], [{ ruleId: 'missing' }])), /inline\.sarif:runs\[0\]\.results\[0\]: no information found to create a title/);
    });

    it('§7.1: rule messageStrings templates get {0}…{5} argument substitution', () => {
      const finding = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'EX002');
      assert.equal(finding?.title, 'Value userId flows to query() without validation.');
    });

    it('§7.1 quirk: a template using all six placeholders yields no message, so the title falls back to the rule', () => {
      const rule = { id: 'T', shortDescription: { text: 'fallback' }, messageStrings: { m: { text: '{0}{1}{2}{3}{4}{5}' } } };
      const [finding] = parseRun(run([rule], [{ ruleId: 'T', message: { id: 'm', arguments: ['a', 'b', 'c', 'd', 'e', 'f'] } }]));
      assert.equal(finding.title, 'fallback');
      assert.match(finding.description, /^\*\*Result message:\*\* None\n/);
    });

    it('§7.1: textwrap.shorten(…, 150) — whitespace collapsed, cut at a word boundary with " [...]" (Python vectors)', () => {
      const vectors = JSON.parse(fixture('textwrap-shorten-vectors.json')) as { cases: { input: string; expected: string }[] };
      assert.ok(vectors.cases.length > 100);
      for (const { input, expected } of vectors.cases) assert.equal(textwrapShorten(input, 150), expected, JSON.stringify(input));
      const finding = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'EX003');
      assert.ok(finding?.title.endsWith(' [...]'));
      assert.ok((finding?.title.length ?? 0) <= 150);
    });

    it('§7.1: the description carries message, snippet (else contextRegion snippet), rule name and differing descriptions', () => {
      const [users, orders] = parse('many_findings.sarif').findings;
      assert.equal(
        users.description,
        '**Result message:** User input reaches a SQL query.\n**Snippet:**\n```\ndb.query("SELECT * FROM users WHERE id = " + id)\n```\n' +
          '**Rule name:** SqlInjection\n**Rule short description:** SQL injection\n' +
          '**Rule full description:** Building SQL statements from user input allows SQL injection.',
      );
      assert.match(orders.description, /\*\*Snippet:\*\*\n```\nconst sql = base \+ filter;\ndb\.query\(sql\);\n```/);
    });

    it('§7.1: code flows render as numbered uri:Lline:Ccol steps, and only the last threadFlow survives', () => {
      const finding = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'EX007');
      assert.ok(finding);
      assert.ok(
        finding.description.endsWith(
          '**Code flow:**\n1. src/jobs/input.ts:L12:C5\t-\tconst name = req.body.name;\n\tsource\n2. src/jobs/run.ts:L33:C10\n\t**sink**',
        ),
      );
      assert.ok(!finding.description.includes('first.ts'));
      assert.deepEqual(
        finding.location?.codeFlow?.map((step) => [step.filePath, step.line, step.message]),
        [['src/jobs/input.ts', 12, 'source'], ['src/jobs/run.ts', 33, 'sink']],
      );
    });
  });

  describe('code flows and related locations for the editor (issue 11)', () => {
    const step = (line: number) => ({ location: { physicalLocation: { artifactLocation: { uri: 'src/a.js' }, region: { startLine: line } }, message: { text: `step ${line}` } } });
    const related = (line: number) => ({ id: line, physicalLocation: { artifactLocation: { uri: 'src/b.js' }, region: { startLine: line } }, message: { text: `see ${line}` } });

    it('keeps codeFlows[].threadFlows[].locations[] and relatedLocations[] on the finding, with file, line and message', () => {
      const [f] = parseRun(
        run([], [{ ruleId: 'R', message: { text: 'm' }, locations: [step(9).location], codeFlows: [{ threadFlows: [{ locations: [step(3), step(9)] }] }], relatedLocations: [related(40)] }]),
      );
      assert.deepEqual(f.location?.codeFlow?.map((s) => [s.filePath, s.line, s.message]), [['src/a.js', 3, 'step 3'], ['src/a.js', 9, 'step 9']]);
      assert.deepEqual(f.location?.relatedLocations?.map((s) => [s.filePath, s.line, s.message]), [['src/b.js', 40, 'see 40']]);
    });

    it(`bounds the steps at ${MAX_CODE_FLOW_STEPS} and the related locations at ${MAX_RELATED_LOCATIONS}, whatever the report holds`, () => {
      const many = Array.from({ length: 5000 }, (_, i) => i + 1);
      const [f] = parseRun(
        run([], [{ ruleId: 'R', message: { text: 'm' }, locations: [step(1).location], codeFlows: [{ threadFlows: [{ locations: many.map(step) }] }], relatedLocations: many.map(related) }]),
      );
      assert.equal(f.location?.codeFlow?.length, MAX_CODE_FLOW_STEPS);
      assert.equal(f.location?.codeFlow?.[0].line, 1, 'the first steps (the source) are kept');
      assert.equal(f.location?.relatedLocations?.length, MAX_RELATED_LOCATIONS);
    });
  });

  describe('severity', () => {
    it('§7.1: level note→Info, warning→Medium, error→High, none/absent/other→Medium; rule default level as fallback', () => {
      const levels = ['note', 'warning', 'error', 'none', undefined, 'weird'];
      const findings = parseRun(run([], levels.map((level) => ({ message: { text: 'm' }, ...(level ? { level } : {}) }))));
      assert.deepEqual(findings.map((f) => f.severity), ['Info', 'Medium', 'High', 'Medium', 'Medium', 'Medium']);
      const [fromRule] = parseRun(run([{ id: 'R', defaultConfiguration: { level: 'note' } }], [{ ruleId: 'R', message: { text: 'm' } }]));
      assert.equal(fromRule.severity, 'Info');
    });

    it('§7.1: rule security-severity numeric → ≥9 Critical, ≥7 High, ≥4 Medium, >0 Low, else Info, also stored as cvssv3_score', () => {
      const scores = ['9.0', '8.9', '7', '6.9', '4.0', '3.9', '0.1', '0', 10, ' 7.5 '];
      const rules = scores.map((score, index) => ({ id: `R${index}`, properties: { 'security-severity': score } }));
      const findings = parseRun(run(rules, rules.map((rule) => ({ ruleId: rule.id, level: 'note', message: { text: 'm' } }))));
      assert.deepEqual(findings.map((f) => f.severity), ['Critical', 'High', 'High', 'Medium', 'Medium', 'Low', 'Low', 'Info', 'Critical', 'High']);
      assert.deepEqual(findings.map((f) => f.cvssv3Score), [9, 8.9, 7, 6.9, 4, 3.9, 0.1, 0, 10, 7.5]);
    });

    it('§7.1: non-numeric security-severity → the word capitalised if it is a severity name, else Info; no score', () => {
      const many = parse('many_findings.sarif').findings;
      const high = many.find((f) => f.vulnIdFromTool === 'EX003');
      const banana = many.find((f) => f.vulnIdFromTool === 'EX004');
      assert.equal(high?.severity, 'High');
      assert.equal(high?.cvssv3Score, undefined);
      assert.equal(banana?.severity, 'Info');
    });

    it('§7.1: security-severity on the result is ignored', () => {
      const [finding] = parseRun(run([], [{ level: 'note', message: { text: 'm' }, properties: { 'security-severity': '9.9' } }]));
      assert.equal(finding.severity, 'Info');
    });
  });

  describe('CWE, CVE and identities', () => {
    it('§7.1: CWE from rule relationships only, when the rule has relationships (even an empty list)', () => {
      const many = parse('many_findings.sarif').findings;
      const traversal = many.find((f) => f.vulnIdFromTool === 'EX006');
      assert.equal(traversal?.cwe, undefined, 'tags are not consulted once relationships exist');
      const flawfinder = parse('flawfinder.sarif').findings[0];
      assert.equal(flawfinder.cwe, 120, 'last relationship wins');
      assert.deepEqual(flawfinder.cwes, [119], 'earlier CWEs are kept as extras');
    });

    it('§7.1: later sources override cwe with their last value (rule, then result properties.cwe, then result taxa); all kept as extra CWEs', () => {
      const many = parse('many_findings.sarif').findings;
      const sql = many.find((f) => f.vulnIdFromTool === 'EX001');
      assert.equal(sql?.cwe, 564);
      assert.deepEqual(sql?.cwes, [89]);
      const flow = many.find((f) => f.vulnIdFromTool === 'EX002');
      assert.equal(flow?.cwe, 352);
      assert.deepEqual(flow?.cwes, [20, 79]);
    });

    it('§7.1: rule properties.tags give the CWE when there are no relationships or properties.cwe', () => {
      const [one] = parse('one_finding.sarif').findings;
      assert.equal(one.cwe, 116);
      assert.deepEqual(one.cwes, [79]);
    });

    it('§7.1: vuln_id_from_tool = ruleId; a ruleId containing CVE-YYYY-N gives that CVE as vulnerability id', () => {
      const log4shell = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'CVE-2021-44228-check');
      assert.deepEqual(log4shell?.vulnerabilityIds, ['CVE-2021-44228']);
      const [lower] = parseRun(run([], [{ ruleId: 'scan-cve-2020-1234-x', message: { text: 'm' } }]));
      assert.deepEqual(lower.vulnerabilityIds, ['CVE-2020-1234']);
    });

    it('§7.1: fingerprints → highest version per method, value of the first method in document order', () => {
      const log4shell = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'CVE-2021-44228-check');
      assert.equal(log4shell?.uniqueIdFromTool, 'stable-two');
      assert.deepEqual(log4shell?.location?.fingerprints, { 'stableId/v1': 'stable-one', 'stableId/v2': 'stable-two', contentHash: 'content-zero' });
      const [wrapped] = parseRun(run([], [{ message: { text: 'm' }, fingerprints: { 'id/v1': { value: 'inner' } } }]));
      assert.equal(wrapped.uniqueIdFromTool, 'inner');
    });

    it('§7.1: partialFingerprints → "k1:v1|k2:v2" over the sorted method names, highest version each', () => {
      const finding = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'EX007');
      assert.equal(finding?.uniqueIdFromTool, 'alpha:a0|lineHash:new-line');
      assert.deepEqual(finding?.location?.partialFingerprints, { 'lineHash/v1': 'old-line', 'lineHash/v2': 'new-line', alpha: 'a0' });
    });

    it('§7.1: a fingerprint key with "/" whose last segment is not v<integer> makes the parse fail', () => {
      const error = expectParseError(
        () => parseRun(run([], [{ message: { text: 'm' }, partialFingerprints: { 'hash/latest': 'x' } }])),
        /fingerprint key "hash\/latest"/,
      );
      assert.equal(error.position, 'runs[0].results[0].partialFingerprints');
    });

    it('§7.1: guid, correlationGuid and baselineState are not identities (baselineState kept for the editor)', () => {
      const [finding] = parseRun(run([], [{ message: { text: 'm' }, guid: 'g', correlationGuid: 'c', baselineState: 'unchanged' }]));
      assert.equal(finding.uniqueIdFromTool, undefined);
      assert.equal(finding.location?.baselineState, 'unchanged');
    });
  });

  describe('status, references, mitigation, date, tags', () => {
    it('§7.1: a non-empty suppressions array (any status) → false_p=True, active=False, with the justification kept', () => {
      const finding = parse('many_findings.sarif').findings.find((f) => f.vulnIdFromTool === 'EX006');
      assert.equal(finding?.falsePositive, true);
      assert.equal(finding?.active, false);
      assert.deepEqual(finding?.suppression, { kind: 'sarif', reason: 'Only reachable from the admin CLI.' });
      const [rejected] = parseRun(run([], [{ message: { text: 'm' }, suppressions: [{ kind: 'external', status: 'rejected' }] }]));
      assert.equal(rejected.falsePositive, true);
      assert.deepEqual(rejected.suppression, { kind: 'sarif', reason: null });
      const [empty] = parseRun(run([], [{ message: { text: 'm' }, suppressions: [] }]));
      assert.equal(empty.falsePositive, false);
      assert.equal(empty.active, true);
    });

    it('§7.1: references = rule helpUri, or help text when it starts with http', () => {
      const many = parse('many_findings.sarif').findings;
      assert.equal(many[0].references, 'https://example.com/rules/EX001');
      assert.equal(many.find((f) => f.vulnIdFromTool === 'EX003')?.references, 'https://example.com/help/EX003');
      assert.equal(many.find((f) => f.vulnIdFromTool === 'EX004')?.references, null);
    });

    it('§7.1: mitigation = fixes[].description.text joined by newlines', () => {
      assert.equal(parse('many_findings.sarif').findings[0].mitigation, 'Use a parameterised query.\nValidate the id as an integer.');
    });

    it('§7.1: date = the last invocation\'s endTimeUtc (as a UTC date)', () => {
      assert.ok(parse('many_findings.sarif').findings.every((f) => f.date === '2024-05-05'));
      assert.equal(parse('one_finding.sarif').findings[0].date, '2024-03-04');
      assert.equal(parse('duplicates_in_report.sarif').findings[0].date, undefined);
    });

    it('§7.1: tags = union of rule and result properties.tags with external/cwe/ removed', () => {
      assert.deepEqual(parse('many_findings.sarif').findings[0].tags, ['security', 'cwe-89', 'sql']);
    });
  });

  describe('editor fields (ours, not DefectDojo\'s)', () => {
    it('keeps region end line and columns, snippet, related locations, partial fingerprints, baselineState, rule id and help link', () => {
      const [finding] = parse('one_finding.sarif', '/home/dev/shop').findings;
      assert.deepEqual(finding.location, {
        resolvedPath: 'src/routes/search page.js',
        endLine: 42,
        column: 17,
        endColumn: 39,
        snippet: "res.send('<p>' + req.query.q);",
        relatedLocations: [{ filePath: 'src/routes/search page.js', line: 40, column: 15, endColumn: 26, message: 'user-provided value' }],
        partialFingerprints: { primaryLocationLineHash: '5a1d0a1c6b0f3f1e:1', primaryLocationStartColumnFingerprint: '12' },
        baselineState: 'new',
        ruleId: 'js/reflected-xss',
        ruleHelpUri: 'https://codeql.github.com/codeql-query-help/javascript/js-reflected-xss/',
      });
    });

    it('resolves uriBaseId through (chained) originalUriBaseIds, percent-decodes, and makes file:// paths inside the workspace relative', () => {
      const findings = parse('uri_base_ids.sarif', '/home/dev/shop').findings;
      assert.deepEqual(
        findings.map((f) => [f.filePath, f.location?.resolvedPath]),
        [
          ['app/main%2Bentry.js', 'src/app/main+entry.js'],
          ['file:///home/dev/shop/README%20notes.md', 'README notes.md'],
          ['lib.js', '/opt/vendor/lib.js'],
          ['./scripts/build%20all.sh', 'scripts/build all.sh'],
          ['lib/from%20index.js', 'src/lib/from index.js'],
          ['file:///C:/work/shop/src/win.cs', 'C:/work/shop/src/win.cs'],
        ],
      );
      const windows = parse('uri_base_ids.sarif', 'c:\\work\\shop').findings[5];
      assert.equal(windows.location?.resolvedPath, 'src/win.cs');
      const unrooted = parse('uri_base_ids.sarif').findings[0];
      assert.equal(unrooted.location?.resolvedPath, '/home/dev/shop/src/app/main+entry.js');
    });

    it('real ESLint output: absolute file:// URIs become workspace-relative paths, file_path stays verbatim', () => {
      const report = parse('eslint-security.sarif', '/work/main');
      assert.equal(report.testType, 'ESLint Scan (SARIF)');
      assert.equal(report.findings.length, 8);
      const first = report.findings[0];
      assert.equal(first.filePath, 'file:///work/main/test/fixtures/sarif/eslint-sample/server.js');
      assert.equal(first.location?.resolvedPath, 'test/fixtures/sarif/eslint-sample/server.js');
      assert.equal(first.vulnIdFromTool, 'security/detect-non-literal-fs-filename');
      assert.equal(first.line, 7);
      assert.equal(first.severity, 'Medium');
      assert.equal(report.findings.find((f) => f.vulnIdFromTool === 'no-eval')?.severity, 'High');
    });
  });

  describe('duplicates and hash codes', () => {
    it('§4.10: identical results are all kept (the SARIF parser merges nothing) and share one hash code', () => {
      const report = parse('duplicates_in_report.sarif');
      assert.equal(report.findings.length, 3);
      const hashes = report.findings.map((f) => defaultHash(report, f));
      assert.equal(hashes[0], hashes[1]);
      assert.notEqual(hashes[0], hashes[2]);
      assert.equal(report.findings[0].cwe, 95);
    });

    it('§6.5: SARIF uses the legacy hash (title+cwe+line+file_path+description), so the snippet text changes it', () => {
      const report = parse('duplicates_in_report.sarif');
      const changed = JSON.parse(fixture('duplicates_in_report.sarif')) as { runs: { results: { locations: { physicalLocation: { region: { snippet: { text: string } } } }[] }[] }[] };
      changed.runs[0].results[0].locations[0].physicalLocation.region.snippet.text = '    eval(expr)  # changed';
      const edited = sarifParser.parse(JSON.stringify(changed), 'edited.sarif');
      assert.notEqual(defaultHash(report, report.findings[0]), defaultHash(edited, edited.findings[0]));
    });
  });

  describe('bad input', () => {
    it('invalid JSON → error with line:column', () => {
      const error = expectParseError(() => sarifParser.parse('{\n  "runs": [,]\n}', 'bad.sarif'), /^bad\.sarif:2:\d+: invalid JSON/);
      assert.equal(error.fileName, 'bad.sarif');
    });

    it('a truncated file → "truncated JSON" with the position', () => {
      const text = fixture('one_finding.sarif');
      expectParseError(() => sarifParser.parse(text.slice(0, text.length / 2), 'cut.sarif'), /^cut\.sarif:\d+:\d+: (truncated JSON|invalid JSON)/);
    });

    it('the wrong format for the scan type (a Generic Findings Import document) → not a SARIF log', () => {
      expectParseError(() => sarifParser.parse('{"findings": []}', 'generic.json'), /not a SARIF log/);
      expectParseError(() => sarifParser.parse('[]', 'list.json'), /not a SARIF log/);
    });

    it('a valid but empty report: empty text is an error, an empty runs array is zero findings', () => {
      expectParseError(() => sarifParser.parse('', 'empty.sarif'), /the report is empty/);
      const report = sarifParser.parse('{"version":"2.1.0","runs":[]}', 'norun.sarif');
      assert.equal(report.findings.length, 0);
      assert.equal(report.testType, 'SARIF');
    });

    it('missing required fields and wrong types name the run or result', () => {
      expectParseError(() => sarifParser.parse('{"runs":[{"tool":{}}]}', 'x.sarif'), /x\.sarif:runs\[0\]: SARIF run without tool\.driver\.name/);
      expectParseError(() => sarifParser.parse('{"runs":[{"tool":{"driver":{"name":"t"}},"results":{}}]}', 'x.sarif'), /runs\[0\]: "results" is not an array/);
      expectParseError(() => sarifParser.parse('{"runs":[{"tool":{"driver":{"name":"t"}},"results":[42]}]}', 'x.sarif'), /runs\[0\]\.results\[0\]: result is not an object/);
    });

    it('tolerates numbers as strings and nulls where a value is optional', () => {
      const [finding] = parseRun(
        run([{ id: 'R', name: null, properties: { cwe: null, tags: null } }], [
          { ruleId: 'R', level: null, message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.js' }, region: { startLine: '12', snippet: null } } }], fixes: null },
        ]),
      );
      assert.equal(finding.line, 12);
      assert.equal(finding.severity, 'Medium');
    });

    it('deeply nested input is refused without a stack overflow', () => {
      const deep = `{"runs":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
      expectParseError(() => sarifParser.parse(deep, 'deep.sarif'), /nesting deeper than 512 levels/);
    });

    it('a report over the size limit is refused before parsing', () => {
      expectParseError(
        () => parseReport(fixture('one_finding.sarif'), { fileName: 'big.sarif', scanType: 'SARIF', maxBytes: 1024 }),
        /^big\.sarif: report is \d+ bytes, over the 1024 bytes limit$/,
      );
    });

  describe('flagged text for identity without the sources (issue 10)', () => {
    it('keeps a context-region snippet with the line it starts on, so the flagged line can be found in it', () => {
      const [finding] = parseRun(
        run([{ id: 'FF1001' }], [
          { ruleId: 'FF1001', message: { text: 'strcpy' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.c' }, region: { startLine: 12 }, contextRegion: { startLine: 11, endLine: 13, snippet: { text: 'char b[2];\nstrcpy(b, s);\nreturn 0;' } } } }] },
        ]),
      );
      assert.equal(finding.location?.snippet, 'char b[2];\nstrcpy(b, s);\nreturn 0;');
      assert.equal(finding.location?.snippetStartLine, 11);
    });

    it('a region snippet starts on the flagged line and needs no start line', () => {
      const [finding] = parseRun(
        run([{ id: 'R' }], [
          { ruleId: 'R', message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.js' }, region: { startLine: 4, snippet: { text: 'eval(x)' } }, contextRegion: { startLine: 3, snippet: { text: 'a\neval(x)' } } } }] },
        ]),
      );
      assert.equal(finding.location?.snippet, 'eval(x)');
      assert.equal(finding.location?.snippetStartLine, undefined);
    });
  });
  });
});
