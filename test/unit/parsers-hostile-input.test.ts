import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedFinding } from '../../src/model';
import { MAX_FIELD_LENGTH, parseReport, truncationMarker } from '../../src/parsers';
import { boundField, boundFindingFields } from '../../src/parsers/field-bound';
import { htmlToText } from '../../src/parsers/html-text';
import { textwrapShorten } from '../../src/parsers/python-text';
import { replaceBetweenParenAndBracket } from '../../src/parsers/spotbugs';
import { boundXmlSource } from '../../src/parsers/xml';
import { seededRandom } from '../seeded-random';

/**
 * Issue 16 item 5: one huge value in a report. An 8 MB text node made an import take seconds and
 * hundreds of megabytes; every value is now bounded (`MAX_FIELD_LENGTH`) and cut with a visible
 * marker, and the conversions that were quadratic on hostile text are linear. Time is measured
 * by the parse benchmark (scripts/bench-parse.ts), never here: these tests check the results.
 */

const EIGHT_MB = 8 * 1024 * 1024;
const MARKER = /… \[truncated by Scan Ledger: \d+ characters omitted\]$/;

function words(length: number): string {
  const unit = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

function zapReport(desc: string): string {
  return `<?xml version="1.0"?>
<OWASPZAPReport programName="ZAP" version="2.14.0"><site name="http://localhost" host="localhost" port="80" ssl="false"><alerts>
<alertitem><pluginid>10038</pluginid><alert>Big alert</alert><riskcode>2</riskcode><desc>${desc}</desc><instances><instance><uri>http://localhost/a</uri></instance></instances><solution>&lt;p&gt;Fix it.&lt;/p&gt;</solution><cweid>693</cweid></alertitem>
<alertitem><pluginid>10039</pluginid><alert>Small alert</alert><riskcode>1</riskcode><desc>&lt;p&gt;A small &amp;amp; ordinary description.&lt;/p&gt;</desc><cweid>-1</cweid></alertitem>
</alerts></site></OWASPZAPReport>
`;
}

function sarifReport(message: string): string {
  const result = (text: string, uri: string, line: number) => ({
    ruleId: 'r1',
    level: 'error',
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: line } } }],
  });
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'T', version: '1', rules: [{ id: 'r1', shortDescription: { text: 'rule' } }] } }, results: [result(message, 'src/a.js', 3), result('small message', 'src/b.js', 4)] }],
  });
}

/** Every string a finding carries, with where it is, for the bound assertions. */
function strings(finding: ParsedFinding): [string, string][] {
  const found: [string, string][] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') found.push([path, value]);
    else if (Array.isArray(value)) value.forEach((entry, index) => walk(entry, `${path}[${index}]`));
    else if (value !== null && typeof value === 'object') for (const [key, entry] of Object.entries(value)) walk(entry, `${path}.${key}`);
  };
  walk(finding, 'finding');
  return found;
}

function assertBounded(findings: ParsedFinding[]): void {
  for (const finding of findings) {
    for (const [path, value] of strings(finding)) assert.ok(value.length <= MAX_FIELD_LENGTH, `${path} is ${value.length} characters`);
  }
}

describe('hostile input: a single huge value is bounded (issue 16 item 5)', () => {
  describe('the bound', () => {
    it('leaves a value within the bound untouched (the same string), so real hash inputs never change', () => {
      const value = words(MAX_FIELD_LENGTH);
      assert.equal(boundField(value), value);
    });

    it('cuts a longer value to at most the bound, ending with a marker that counts what was left out', () => {
      const value = words(MAX_FIELD_LENGTH + 12345);
      const bounded = boundField(value);
      assert.ok(bounded.length <= MAX_FIELD_LENGTH);
      assert.match(bounded, MARKER);
      const kept = bounded.slice(0, bounded.indexOf('… [truncated'));
      assert.ok(value.startsWith(kept));
      assert.ok(bounded.endsWith(truncationMarker(value.length - kept.length)));
    });

    it('never splits a surrogate pair', () => {
      const value = '😀'.repeat(MAX_FIELD_LENGTH);
      const bounded = boundField(value);
      const kept = bounded.slice(0, bounded.indexOf('… [truncated'));
      assert.equal(kept.length % 2, 0);
      assert.equal(Array.from(kept).every((c) => c === '😀'), true);
    });

    it('bounds every text field of a finding and warns once per cut', () => {
      const huge = 'x'.repeat(MAX_FIELD_LENGTH + 1);
      const finding: ParsedFinding = {
        title: 'ok',
        severity: 'High',
        description: huge,
        mitigation: 'short',
        endpoints: ['a', huge],
        location: { snippet: huge, codeFlow: [{ filePath: 'a.js', message: huge }], fingerprints: { f: huge } },
      };
      const warnings: string[] = [];
      boundFindingFields([finding], warnings);
      assertBounded([finding]);
      assert.equal(finding.title, 'ok');
      assert.equal(finding.mitigation, 'short');
      assert.deepEqual(
        warnings.map((w) => w.slice(0, w.indexOf(':'))),
        ['findings[0].description', 'findings[0].endpoints[1]', 'findings[0].location.snippet', 'findings[0].location.codeFlow[0].message', 'findings[0].location.fingerprints.f'],
      );
    });
  });

  describe('XML source', () => {
    it('returns the very same text when no value is over the bound', () => {
      const text = zapReport(words(MAX_FIELD_LENGTH));
      const bounded = boundXmlSource(text);
      assert.equal(bounded.text, text);
      assert.deepEqual(bounded.cuts, []);
    });

    it('cuts text runs, CDATA sections and attribute values, never inside a reference', () => {
      const limit = 100;
      const run = `${'a'.repeat(limit - 82)}&amp;${'b'.repeat(200)}`;
      const text = `<r a="${'v'.repeat(300)}"><x>${run}</x><![CDATA[${'c'.repeat(300)}]]><y>short &amp; fine</y></r>`;
      const bounded = boundXmlSource(text, limit);
      assert.equal(bounded.cuts.length, 3);
      assert.ok(bounded.text.includes(`<x>${'a'.repeat(limit - 82)}… [truncated by Scan Ledger: `));
      assert.ok(!bounded.text.includes('&am…'));
      assert.ok(bounded.text.includes('<y>short &amp; fine</y></r>'));
      assert.match(bounded.text, /^<r a="v+… \[truncated by Scan Ledger: \d+ characters omitted\]">/);
      assert.match(bounded.text, /<!\[CDATA\[c+… \[truncated by Scan Ledger: \d+ characters omitted\]\]\]>/);
    });
  });

  describe('reports with one 8 MB value', () => {
    it('ZAP: the 8 MB description is bounded, converted from its beginning, and warned about; the other alert is unchanged', () => {
      const report = parseReport(zapReport(words(EIGHT_MB)), { fileName: 'zap.xml' });
      assert.equal(report.scanType, 'ZAP Scan');
      assert.equal(report.findings.length, 2);
      assertBounded(report.findings);
      const [big, small] = report.findings;
      // The value is cut in the XML source, so the marker goes through the HTML conversion with
      // the text and may be wrapped onto two lines like any other words.
      assert.match(big.description, /…\s+\[truncated\s+by\s+Scan\s+Ledger:\s+\d+\s+characters\s+omitted\]\n\n$/);
      assert.ok(big.description.startsWith(htmlToText(words(1000)).slice(0, 900)));
      assert.equal(big.mitigation, 'Fix it.\n\n');
      assert.equal(small.description, htmlToText('<p>A small &amp; ordinary description.</p>'));
      assert.equal(report.warnings?.length, 1);
      assert.match(report.warnings?.[0] ?? '', /^XML value at 3:\d+: 8,388,608 characters, over the 1,048,576-character bound/);
    });

    it('Dependency-Check and SpotBugs: the 8 MB text is bounded and the finding is otherwise read as usual', () => {
      const dc = readFileSync(join(__dirname, '..', 'fixtures', 'dependency-check-scan', 'one_finding.xml'), 'utf8');
      const hugeDc = dc.replace(/<description>[^<]*<\/description>/, `<description>${words(EIGHT_MB)}</description>`);
      assert.notEqual(hugeDc, dc);
      const expected = parseReport(dc, { fileName: 'dependency-check-report.xml' });
      const parsed = parseReport(hugeDc, { fileName: 'dependency-check-report.xml' });
      assertBounded(parsed.findings);
      assert.equal(parsed.findings.length, expected.findings.length);
      assert.equal(parsed.findings[0].title, expected.findings[0].title);
      assert.match(parsed.findings[0].description, /truncated by Scan Ledger: \d+ characters omitted/);
      assert.ok((parsed.warnings ?? []).length >= 1);

      const spotbugs = readFileSync(join(__dirname, '..', 'fixtures', 'spotbugs-scan', 'one_finding.xml'), 'utf8');
      const hugeSpotbugs = spotbugs.replace(/<LongMessage>[^<]*<\/LongMessage>/, `<LongMessage>${words(EIGHT_MB)})</LongMessage>`);
      assert.notEqual(hugeSpotbugs, spotbugs);
      const bugs = parseReport(hugeSpotbugs, { fileName: 'spotbugs.xml' });
      assertBounded(bugs.findings);
      assert.equal(bugs.findings.length, 1);
    });

    it('SARIF: the 8 MB message gives a 150-character title and a bounded description; the other result is unchanged', () => {
      const message = words(EIGHT_MB);
      const report = parseReport(sarifReport(message), { fileName: 'x.sarif' });
      const reference = parseReport(sarifReport(words(2000)), { fileName: 'x.sarif' });
      assertBounded(report.findings);
      const [big, small] = report.findings;
      assert.equal(big.title, textwrapShorten(words(2000), 150));
      assert.match(big.description, MARKER);
      assert.ok(big.description.startsWith(reference.findings[0].description.slice(0, 1500)));
      assert.deepEqual(small, reference.findings[1]);
      assert.deepEqual(
        (report.warnings ?? []).map((w) => w.slice(0, w.indexOf(':'))),
        ['findings[0].description'],
      );
      assert.equal(reference.warnings, undefined);
    });
  });

  describe('conversions are linear and unchanged on real text', () => {
    it('textwrap.shorten of a long text is that of its beginning (the prefix it now splits)', () => {
      const random = seededRandom(0x5107);
      const pieces = ['word', 'a-b', 'long-hyphenated-word', '--', 'é', '😀', 'x'.repeat(170), '1.5', 'end.'];
      for (let round = 0; round < 200; round++) {
        const parts: string[] = [];
        while (parts.join(' ').length < 4000) parts.push(pieces[Math.floor(random() * pieces.length)]);
        const text = parts.join(' ');
        assert.equal(textwrapShorten(text, 150), textwrapShorten(text.slice(0, 1200), 150), text.slice(0, 200));
      }
    });

    it("SpotBugs' reference rewrite equals DefectDojo's regular expression", () => {
      const random = seededRandom(0xb06);
      const alphabet = ['(', ')', '[', ']', 'a', ' ', '\n', '\r', '\u2028', ')[', '))'];
      for (let round = 0; round < 5000; round++) {
        let text = '';
        const length = Math.floor(random() * 24);
        for (let k = 0; k < length; k++) text += alphabet[Math.floor(random() * alphabet.length)];
        assert.equal(replaceBetweenParenAndBracket(text), text.replace(/(?<=\))(.*?)(?=\[)/g, '\n'), JSON.stringify(text));
      }
    });

    it('HTML that nests without end is cut at the bound rather than grown without limit', () => {
      const html = '<blockquote>'.repeat(200_000) + '<p>x'.repeat(200_000);
      const text = htmlToText(html);
      assert.ok(text.length <= MAX_FIELD_LENGTH);
      assert.match(text, MARKER);
    });

    it('HTML with thousands of script tags or unclosed tags converts as before', () => {
      assert.equal(htmlToText('<script>a</script>'.repeat(20_000) + '<p>after</p>'), 'after\n\n');
      assert.equal(htmlToText('<a '.repeat(3)), '<a <a <a\n\n');
    });
  });
});
