import { strict as assert } from 'node:assert';
import type { ParsedFinding, ParsedReport } from '../../src/model';
import { genericParser, parseCsvDate } from '../../src/parsers/generic';
import { expectParseError, fixtureReader, hashUnderDefaults } from './parser-fixtures';

const { read, parse } = fixtureReader('generic', genericParser);

function parseFindings(findings: unknown[], extra: Record<string, unknown> = {}): ParsedFinding[] {
  return genericParser.parse(JSON.stringify({ ...extra, findings }), 'inline.json').findings;
}

function defaultHash(report: ParsedReport, finding: ParsedFinding): string {
  return hashUnderDefaults(report, { ...finding, cwe: finding.cwe ?? 0 });
}

const REQUIRED = { title: 't', severity: 'High', description: 'd' };

describe('Generic Findings Import parser (docs/defectdojo-rules.md §7.9)', () => {
  describe('JSON', () => {
    it('empty.json: a valid report without findings', () => {
      const report = parse('empty.json');
      assert.equal(report.findings.length, 0);
      assert.equal(report.scanType, 'Generic Findings Import');
      assert.equal(report.testType, 'Generic Findings Import');
    });

    it('one_finding.json: snake_case fields map to the camelCase model; legacy hash under the default configuration', () => {
      const report = parse('one_finding.json');
      assert.equal(report.findings.length, 1);
      assert.deepEqual(report.findings[0], {
        title: 'Hard-coded database password',
        severity: 'High',
        description: 'The password for the orders database is written in the source.',
        date: '2024-02-29',
        cwe: 798,
        filePath: 'config/database.js',
        line: 14,
        componentName: 'orders-service',
        componentVersion: '2.3.0',
        uniqueIdFromTool: 'secret-7f3a',
        vulnIdFromTool: 'HARDCODED_PASSWORD',
        mitigation: 'Read the password from the environment.',
        references: 'https://cwe.mitre.org/data/definitions/798.html',
        active: true,
        verified: false,
        staticFinding: true,
        dynamicFinding: false,
        tags: ['secrets', 'database'],
      });
      // §6.5: Generic Findings Import hashes title+cwe+line+file_path+description (value from Python).
      assert.equal(defaultHash(report, report.findings[0]), 'c21bfe0e11df94eb9ad8feb40e19601b3433f2555b97252c348c6b047f8704d4');
    });

    it('§3.2: a top-level "type" names the Test_Type "<type> Scan (Generic Findings Import)"; name and version are kept', () => {
      const report = parse('many_findings.json');
      assert.equal(report.testType, 'Acme Audit Scan (Generic Findings Import)');
      assert.equal(report.toolName, 'Internal Audit');
      assert.equal(report.toolVersion, '4.2.0');
      assert.equal(parseFindings([], { type: 'Generic Findings Import' }).length, 0);
      const sameType = genericParser.parse(JSON.stringify({ type: 'Generic Findings Import', findings: [] }), 'x.json');
      assert.equal(sameType.testType, 'Generic Findings Import');
    });

    it('many_findings.json: vulnerability ids (cve first, strings and {vulnerability_id} objects), cvss, fix fields', () => {
      const [lodash] = parse('many_findings.json').findings;
      assert.equal(lodash.cve, 'CVE-2020-8203');
      assert.deepEqual(lodash.vulnerabilityIds, ['CVE-2020-8203', 'GHSA-p6mc-m468-83gw', 'SNYK-JS-LODASH-567746']);
      assert.equal(lodash.cvssv3, 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H');
      assert.equal(lodash.cvssv3Score, 7.4);
      assert.equal(lodash.fixAvailable, true);
      assert.equal(lodash.fixVersion, '4.17.19');
      assert.equal(lodash.componentName, 'lodash');
    });

    it('many_findings.json: cwes, endpoints (strings and objects), DAST fields, service (appended to the hash)', () => {
      const report = parse('many_findings.json');
      const xss = report.findings[1];
      assert.equal(xss.cwe, 79, 'a number given as a string is accepted');
      assert.deepEqual(xss.cwes, [116, 20]);
      assert.deepEqual(xss.endpoints, ['https://shop.example.com/search?q=x', 'https://api.example.com:8443/v1/search']);
      assert.equal(xss.payload, '<script>alert(1)</script>');
      assert.equal(xss.dynamicFinding, true);
      assert.equal(xss.stepsToReproduce, 'Open /search?q=<script>alert(1)</script>');
      assert.equal(xss.impact, 'Session theft');
      assert.equal(xss.severityJustification, 'Requires a click');
      assert.equal(xss.service, 'storefront');
      assert.equal(defaultHash(report, xss), '8e55157f9286ee09f01910a6f29def37fb31ffbdecd1f156b28895bff9b44beb');
    });

    it('many_findings.json: status flags, SAST fields, counts; "true" and "88" as strings are accepted', () => {
      const [, , accepted, fixed] = parse('many_findings.json').findings;
      assert.equal(accepted.riskAccepted, true);
      assert.equal(accepted.active, false);
      assert.equal(accepted.verified, true);
      assert.equal(accepted.outOfScope, false);
      assert.equal(accepted.falsePositive, false);
      assert.equal(accepted.underReview, false);
      assert.equal(accepted.line, 88);
      assert.equal(accepted.scannerConfidence, 2);
      assert.equal(accepted.nbOccurences, 3);
      assert.equal(accepted.sastSourceObject, 'err');
      assert.equal(accepted.sastSinkObject, 'res.send');
      assert.equal(accepted.sastSourceLine, 80);
      assert.equal(accepted.sastSourceFilePath, 'src/handler.ts');
      assert.equal(fixed.isMitigated, true);
      assert.equal(fixed.mitigated, '2024-01-15T09:30:00Z');
      assert.equal(fixed.date, '2024-01-10');
    });

    it('§7.9: DefectDojo fields without a place in our model (param, planned remediation, …) are accepted and ignored', () => {
      const fixed = parse('many_findings.json').findings[3];
      assert.equal(Object.prototype.hasOwnProperty.call(fixed, 'param'), false);
    });

    it('§4.10: duplicates_in_report.json — the JSON variant merges nothing; identical findings share a hash code', () => {
      const report = parse('duplicates_in_report.json');
      assert.equal(report.findings.length, 3);
      const hashes = report.findings.map((f) => defaultHash(report, f));
      assert.equal(hashes[0], 'ed0fda08d60322ae39713d28eee9c2165370437ef976b26b9b8374d9af19b960');
      assert.equal(hashes[1], hashes[0]);
      assert.notEqual(hashes[2], hashes[0]);
    });

    it('§7.9: title, severity and description are required → error naming the finding index and the fields', () => {
      const error = expectParseError(() => parseFindings([REQUIRED, { title: 'only a title' }]), /inline\.json:findings\[1\]: required fields are missing: severity, description/);
      assert.equal(error.position, 'findings[1]');
      expectParseError(() => parseFindings([{ ...REQUIRED, description: null }]), /required fields are missing: description/);
    });

    it('issue 12: fields outside DefectDojo\'s list are ignored with a warning, never refusing the report', () => {
      const report = genericParser.parse(JSON.stringify({ findings: [{ ...REQUIRED, colour: 'red', __proto__x: 1 }] }), 'inline.json');
      assert.equal(report.findings.length, 1);
      assert.deepEqual(report.findings[0], REQUIRED);
      assert.equal(report.warnings?.length, 1);
      assert.match(report.warnings[0], /findings\[0\]: unknown field\(s\) __proto__x, colour ignored/);
      const proto = genericParser.parse('{"findings":[{"title":"t","severity":"High","description":"d","__proto__":{}}]}', 'p.json');
      assert.equal(Object.getPrototypeOf(proto.findings[0]), Object.prototype);
      assert.match(proto.warnings?.[0] ?? '', /__proto__/);
    });

    it('issue 12: DefectDojo 3.2.0 fields cvssv4, cvssv4_score, epss_score, epss_percentile, kev_date, known_exploited, ransomware_used import', () => {
      const report = genericParser.parse(
        JSON.stringify({
          findings: [
            {
              ...REQUIRED,
              cvssv4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
              cvssv4_score: 9.3,
              epss_score: '0.97',
              epss_percentile: 0.999,
              kev_date: '2024-01-31',
              known_exploited: true,
              ransomware_used: false,
            },
          ],
        }),
        'inline.json',
      );
      assert.equal(report.warnings, undefined);
      assert.deepEqual(report.findings[0], {
        ...REQUIRED,
        cvssv4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
        cvssv4Score: 9.3,
        epssScore: 0.97,
        epssPercentile: 0.999,
        kevDate: '2024-01-31',
        knownExploited: true,
        ransomwareUsed: false,
      });
    });

    it('issue 12: _normalize_numeric_fields — a numeric field holding no number is dropped with a warning, int() truncates a JSON fraction', () => {
      const report = genericParser.parse(JSON.stringify({ findings: [{ ...REQUIRED, cwe: 'seventy-nine', line: 'N/A', nb_occurences: 2.9, cvssv3_score: 'nan', scanner_confidence: true }] }), 'inline.json');
      assert.deepEqual(report.findings[0], { ...REQUIRED, nbOccurences: 2 });
      assert.equal(report.warnings?.length, 4);
      assert.match(report.warnings?.[0] ?? '', /findings\[0\]\.cwe: "seventy-nine" is not a number; ignored/);
    });

    it('issue 12: cwes — primary is cwe_number(cwes[0]) unless cwe is set, the ordered list is kept, non-CWEs dropped', () => {
      const [first, second, third] = parseFindings([
        { ...REQUIRED, cwes: ['CWE-79', 89, 'cwe-79', 'x'] },
        { ...REQUIRED, cwe: 20, cwes: ['CWE-79', 'CWE-89'] },
        { ...REQUIRED, cwe: 0, cwes: ['junk', 'CWE-89'] },
      ]);
      assert.equal(first.cwe, 79);
      assert.deepEqual(first.cwes, [79, 89]);
      assert.equal(second.cwe, 20);
      assert.deepEqual(second.cwes, [79, 89]);
      // DefectDojo takes the first entry only: a non-CWE first entry leaves no primary.
      assert.equal(third.cwe, 0);
      assert.deepEqual(third.cwes, [89]);
    });

    it('issue 12: date and mitigated are read with dateutil.parser.parse (month first, day first when the first number exceeds 12)', () => {
      const [a, b, c] = parseFindings([
        { ...REQUIRED, date: '28/02/2021' },
        { ...REQUIRED, date: '01/02/2021', mitigated: '28/02/2021 10:30' },
        { ...REQUIRED, date: '2021-02-28T23:30:00-05:00', mitigated: '2021-02-28T23:30:00-05:00' },
      ]);
      assert.equal(a.date, '2021-02-28');
      assert.equal(b.date, '2021-01-02');
      assert.equal(b.mitigated, '2021-02-28T10:30:00');
      // `.date()` keeps the date as written, whatever the zone.
      assert.equal(c.date, '2021-02-28');
      assert.equal(c.mitigated, '2021-02-28T23:30:00-05:00');
    });

    it('wrong types name the finding and the field', () => {
      expectParseError(() => parseFindings([{ ...REQUIRED, active: 'maybe' }]), /findings\[0\]\.active: "active" must be true or false/);
      expectParseError(() => parseFindings([{ ...REQUIRED, date: '13/13/2024' }]), /findings\[0\]\.date: "date" must be a date/);
      expectParseError(() => parseFindings([{ ...REQUIRED, date: '2023-02-29' }]), /"date" must be a date/);
      expectParseError(() => parseFindings([{ ...REQUIRED, title: { text: 'x' } }]), /findings\[0\]\.title: "title" must be a string/);
      expectParseError(() => parseFindings([{ ...REQUIRED, tags: [1, {}] }]), /findings\[0\]\.tags\[1\]/);
      expectParseError(() => parseFindings([{ ...REQUIRED, vulnerability_ids: [{ id: 'x' }] }]), /vulnerability_ids\[0\]/);
      expectParseError(() => parseFindings([{ ...REQUIRED, endpoints: [{ path: '/x' }] }]), /endpoints\[0\]: an endpoint object needs a "host"/);
      expectParseError(() => parseFindings(['not an object']), /findings\[0\]: a finding must be a JSON object/);
    });

    it('nulls count as absent for optional fields', () => {
      const [finding] = parseFindings([{ ...REQUIRED, cwe: null, line: null, tags: null, file_path: null }]);
      assert.deepEqual(finding, { title: 't', severity: 'High', description: 'd' });
    });

    it('bad input: invalid JSON, truncated file, wrong format, empty text, deep nesting', () => {
      expectParseError(() => genericParser.parse('{"findings": [}', 'bad.json'), /^bad\.json:1:\d+: invalid JSON/);
      const text = read('many_findings.json');
      expectParseError(() => genericParser.parse(text.slice(0, 200), 'cut.json'), /^cut\.json:\d+:\d+: (truncated|invalid) JSON/);
      expectParseError(() => genericParser.parse('{"runs": []}', 'sarif.json'), /not a Generic Findings Import report/);
      expectParseError(() => genericParser.parse('  ', 'blank.json'), /the report is empty/);
      expectParseError(() => genericParser.parse(`{"findings":${'['.repeat(600)}${']'.repeat(600)}}`, 'deep.json'), /nesting deeper than 512/);
    });
  });

  describe('CSV', () => {
    it('empty.csv: a header without rows is a valid, empty report', () => {
      const report = parse('empty.csv');
      assert.equal(report.findings.length, 0);
      assert.equal(report.testType, 'Generic Findings Import');
    });

    it('one_finding.csv: DefectDojo\'s columns, quoted fields with newlines, CVSS vector extracted; legacy hash', () => {
      const report = parse('one_finding.csv');
      assert.equal(report.findings.length, 1);
      const [finding] = report.findings;
      assert.deepEqual(finding, {
        title: 'SQL injection in "login"',
        description: 'User input is concatenated\ninto the query.',
        date: '2024-01-21',
        severity: 'High',
        nbOccurences: 1,
        active: true,
        mitigation: 'Use bound parameters.',
        impact: 'Data theft',
        references: 'https://owasp.org/www-community/attacks/SQL_Injection',
        verified: false,
        falsePositive: false,
        vulnerabilityIds: ['CVE-2024-0001'],
        cwe: 89,
        cvssv3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        endpoints: ['https://app.example.com/login'],
      });
      assert.equal(defaultHash(report, finding), 'd60c00fd96c0a94e9e5114db532a30107917aa8c1c98938b96377a3d2e38d2be');
    });

    it('many_findings.csv: dateutil-style dates, booleans true only when starting with "t", unknown severity → Info', () => {
      const findings = parse('many_findings.csv').findings;
      assert.deepEqual(findings.map((f) => f.date), ['2024-03-01', '2024-03-01', '2024-03-02', '2024-03-03']);
      assert.deepEqual(findings.map((f) => [f.active, f.verified, f.falsePositive]), [
        [true, true, false],
        [true, false, false],
        [false, false, false],
        [true, false, false],
      ]);
      assert.equal(findings[2].severity, 'Info');
      assert.deepEqual(findings[0].endpoints, ['shop.example.com']);
      assert.deepEqual(findings[3].vulnerabilityIds, ['CVE-2020-11022']);
      assert.equal(findings[3].cwe, 1104);
    });

    it('§7 intro: the CSV parser merges rows with the same severity|title|description (endpoints and ids appended, nb_occurences counted)', () => {
      const findings = parse('duplicates_in_report.csv').findings;
      assert.equal(findings.length, 2);
      assert.equal(findings[0].nbOccurences, 3);
      assert.deepEqual(findings[0].endpoints, ['https://a.example.com/files/', 'https://b.example.com/files/', 'https://c.example.com/files/']);
      assert.deepEqual(findings[0].vulnerabilityIds, ['CVE-2000-0001', 'GHSA-aaaa-bbbb-cccc']);
      assert.equal(findings[1].severity, 'Medium');
      assert.equal(findings[1].nbOccurences, 1);
    });

    it('missing required columns, bad dates and bad CWE ids name the row', () => {
      expectParseError(() => genericParser.parse('Title,Severity\nx,High\n', 'x.csv'), /x\.csv:1: not a Generic Findings Import CSV: missing column\(s\) Description, Date/);
      expectParseError(() => genericParser.parse('Date,Title,Severity,Description\nsoon,x,High,d\n', 'x.csv'), /x\.csv:row 2: Date "soon" is not a date/);
      expectParseError(() => genericParser.parse('Date,Title,Severity,Description,CweId\n2024-01-01,x,High,d,abc\n', 'x.csv'), /row 2: CweId "abc"/);
      // Python's csv ends a quote still open at the end of the text there, as DefectDojo reads it:
      // the whole rest is one Date cell, which is not a date.
      expectParseError(() => genericParser.parse('Date,Title,Severity,Description\n"2024-01-01,x\n', 'x.csv'), /x\.csv:row 2: Date "2024-01-01,x\\n" is not a date/);
      expectParseError(() => genericParser.parse('', 'x.csv'), /the report is empty/);
    });

    it('short rows read missing cells as empty, as csv.DictReader does (no crash)', () => {
      const [finding] = genericParser.parse('Date,Title,Severity,Description,Active\n2024-01-01,x,High\n', 'x.csv').findings;
      assert.equal(finding.description, '');
      assert.equal(finding.active, false);
    });

    it('dateutil date forms', () => {
      assert.equal(parseCsvDate('2024-02-29T10:00:00Z'), '2024-02-29');
      assert.equal(parseCsvDate('12/31/2023'), '2023-12-31');
      assert.equal(parseCsvDate('2023.12.31'), '2023-12-31');
      assert.equal(parseCsvDate('5 Jan 2024'), '2024-01-05');
      assert.equal(parseCsvDate('January 5, 2024'), '2024-01-05');
      assert.equal(parseCsvDate('02/30/2024'), undefined);
      assert.equal(parseCsvDate(''), undefined);
    });

    it('issue 12: the CSV Date column is dateutil.parser.parse(...).date(): 28/02/2021, 01/02/2021 (January 2), ISO with times', () => {
      const csv = 'Date,Title,Severity,Description\n28/02/2021,a,High,d\n01/02/2021,b,High,d\n2021-02-28T10:15:30+02:00,c,High,d\n2021-02-28 10:15,e,High,d\nSun 28 Feb 2021,f,High,d\n';
      const findings = genericParser.parse(csv, 'dates.csv').findings;
      assert.deepEqual(findings.map((f) => f.date), ['2021-02-28', '2021-01-02', '2021-02-28', '2021-02-28', '2021-02-28']);
      assert.equal(parseCsvDate('13/01/2021'), '2021-01-13');
      assert.equal(parseCsvDate('01/13/2021'), '2021-01-13');
      assert.equal(parseCsvDate('20210228'), '2021-02-28');
      assert.equal(parseCsvDate('13/13/2021'), undefined);
    });

    it('issue 12: CSV columns CweIds (parse_cwes), epss_score, epss_percentile, CVSSV4, CVSSV4_score, IsMitigated, MitigatedDate', () => {
      const csv =
        'Date,Title,Severity,Description,CweIds,epss_score,epss_percentile,CVSSV4,CVSSV4_score,IsMitigated,MitigatedDate,known_exploited\n' +
        '2021-02-28,a,High,d,"CWE-79, 89 x 79",0.5,0.9,"see CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",9.3,True,2021-03-01,False\n';
      const [finding] = genericParser.parse(csv, 'more.csv').findings;
      assert.equal(finding.cwe, 79);
      assert.deepEqual(finding.cwes, [79, 89]);
      assert.equal(finding.epssScore, 0.5);
      assert.equal(finding.epssPercentile, 0.9);
      assert.equal(finding.cvssv4, 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N');
      assert.equal(finding.cvssv4Score, 9.3);
      assert.equal(finding.isMitigated, true);
      assert.equal(finding.mitigated, '2021-03-01T00:00:00');
      // `bool("False")` is True in Python, and DefectDojo reads the column with `bool`.
      assert.equal(finding.knownExploited, true);
      expectParseError(() => genericParser.parse('Date,Title,Severity,Description,epss_score\n2021-01-01,a,High,d,high\n', 'x.csv'), /row 2: epss_score "high" is not a number/);
    });

    it('a file named .csv is read as CSV, .json as JSON, and otherwise by its first character', () => {
      assert.equal(genericParser.parse('{"findings":[]}', 'report').findings.length, 0);
      assert.equal(genericParser.parse('Date,Title,Severity,Description\n2024-01-01,x,High,d\n', 'report.txt').findings.length, 1);
      expectParseError(() => genericParser.parse('Date,Title,Severity,Description\n', 'report.json'), /invalid JSON/);
    });
  });
});
