import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_MAX_REPORT_BYTES,
  detectScanType,
  parseReport,
  parserFor,
  PARSERS,
  SCAN_TYPES,
} from '../../src/parsers';
import { assertReportSize, findExcessiveNesting, parseJson, readArray, readBoolean, readInteger, readNumber, readString } from '../../src/parsers/json';
import { decodeXmlEntities, parseXml, XML_DOCTYPE_REFUSED } from '../../src/parsers/xml';
import { expectParseError, FIXTURE_ROOT } from './parser-fixtures';

/** test/fixtures/<scan-type-slug>/, with the Generic Findings Import kept in `generic/`. */
function fixtureFolder(scanType: string): string {
  const slug = scanType.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return join(FIXTURE_ROOT, slug === 'generic-findings-import' ? 'generic' : slug);
}

describe('format detection and the parser registry', () => {
  describe('registry', () => {
    it('lists every scan type once, SARIF and Generic Findings Import included', () => {
      assert.equal(new Set(SCAN_TYPES).size, SCAN_TYPES.length);
      assert.ok(SCAN_TYPES.includes('SARIF'));
      assert.ok(SCAN_TYPES.includes('Generic Findings Import'));
      assert.equal(SCAN_TYPES.length, PARSERS.length);
    });

    it('parserFor finds the exact DefectDojo spelling, and any case', () => {
      assert.equal(parserFor('SARIF')?.scanType, 'SARIF');
      assert.equal(parserFor('generic findings import')?.scanType, 'Generic Findings Import');
      assert.equal(parserFor('Nessus'), undefined);
    });

    it('parseReport refuses an unknown scan type and lists the supported ones', () => {
      const error = expectParseError(() => parseReport('{}', { fileName: 'r.json', scanType: 'Nessus Scan' }), /r\.json: unknown scan type "Nessus Scan"; supported: SARIF, /);
      for (const scanType of SCAN_TYPES) assert.ok(error.message.includes(scanType));
    });

    it('parseReport refuses a report over the limit (default 256 MB) before any parsing', () => {
      assert.equal(DEFAULT_MAX_REPORT_BYTES, 256 * 1024 * 1024);
      expectParseError(() => parseReport('x'.repeat(3 * 1024 * 1024), { fileName: 'big.sarif', maxBytes: 2 * 1024 * 1024 }), /^big\.sarif: report is 3 MB, over the 2 MB limit$/);
      expectParseError(() => assertReportSize('é'.repeat(600), 'utf8.json', 1000), /report is 1200 bytes, over the 1000 bytes limit/);
      assert.doesNotThrow(() => assertReportSize('é'.repeat(500), 'utf8.json', 1000));
    });

    it('parseReport detects the scan type when none is given and passes the workspace root on', () => {
      const text = readFileSync(join(FIXTURE_ROOT, 'sarif', 'eslint-security.sarif'), 'utf8');
      const report = parseReport(text, { fileName: 'eslint.sarif', workspaceRoot: '/work/main' });
      assert.equal(report.scanType, 'SARIF');
      assert.equal(report.findings[0].location?.resolvedPath, 'test/fixtures/sarif/eslint-sample/server.js');
    });

    it('parseReport decodes a detected JSON report once and gives the same findings as with the scan type named', () => {
      const text = readFileSync(join(FIXTURE_ROOT, 'sarif', 'many_findings.sarif'), 'utf8');
      const original = JSON.parse;
      let decodes = 0;
      JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
        decodes++;
        return original(...args) as unknown;
      }) as typeof JSON.parse;
      let detected;
      try {
        detected = parseReport(text, { fileName: 'scan.sarif' });
      } finally {
        JSON.parse = original;
      }
      assert.equal(decodes, 1);
      assert.deepEqual(detected, parseReport(text, { fileName: 'scan.sarif', scanType: 'SARIF' }));
      const generic = readFileSync(join(FIXTURE_ROOT, 'generic', 'many_findings.json'), 'utf8');
      assert.deepEqual(parseReport(generic, { fileName: 'g.json' }), parseReport(generic, { fileName: 'g.json', scanType: 'Generic Findings Import' }));
    });

    it('parseReport names the file and the reason when nothing recognises the report', () => {
      expectParseError(() => parseReport('{"hello": "world"}', { fileName: 'unknown.json' }), /^unknown\.json: not a supported report: the JSON content matches none of the JSON formats \(SARIF, /);
      expectParseError(() => parseReport('just some text', { fileName: 'notes.txt' }), /^notes\.txt: not a supported report: the content is neither JSON, XML nor CSV$/);
      expectParseError(() => parseReport('{"runs": [', { fileName: 'cut.sarif' }), /^cut\.sarif: not a supported report: truncated JSON/);
    });
  });

  describe('detectScanType', () => {
    it('recognises SARIF by content, whatever the file is called', () => {
      const text = readFileSync(join(FIXTURE_ROOT, 'sarif', 'one_finding.sarif'), 'utf8');
      assert.deepEqual(detectScanType(text, 'results.json'), { scanType: 'SARIF' });
      assert.deepEqual(detectScanType(`\ufeff  ${text}`, 'codeql.sarif'), { scanType: 'SARIF' });
    });

    it('recognises the Generic Findings Import in JSON and in CSV', () => {
      assert.deepEqual(detectScanType(readFileSync(join(FIXTURE_ROOT, 'generic', 'many_findings.json'), 'utf8'), 'out.json'), { scanType: 'Generic Findings Import' });
      assert.deepEqual(detectScanType(readFileSync(join(FIXTURE_ROOT, 'generic', 'one_finding.csv'), 'utf8'), 'export.csv'), { scanType: 'Generic Findings Import' });
      assert.deepEqual(detectScanType('Date,Title,Severity,Description\n', 'findings'), { scanType: 'Generic Findings Import' });
    });

    it('recognises the real fixtures (one_finding / many_findings) of every registered parser', () => {
      let checked = 0;
      for (const parser of PARSERS) {
        const folder = fixtureFolder(parser.scanType);
        if (!existsSync(folder)) continue;
        for (const name of readdirSync(folder)) {
          if (!/^(one_finding|many_findings)\./.test(name)) continue;
          const text = readFileSync(join(folder, name), 'utf8');
          assert.deepEqual(detectScanType(text, name), { scanType: parser.scanType }, `${parser.scanType}: ${name}`);
          checked++;
        }
      }
      assert.ok(checked >= 6, `only ${checked} fixtures checked`);
    });

    it('gives a reason for empty, unknown, broken and hostile input', () => {
      assert.deepEqual(detectScanType('', 'a.json'), { scanType: null, reason: 'not a supported report: the file is empty' });
      const unknown = detectScanType('[1, 2, 3]', 'numbers.json');
      assert.equal(unknown.scanType, null);
      const broken = detectScanType('<a><b></a>', 'broken.xml');
      assert.ok(broken.scanType === null && /not well-formed XML/.test(broken.reason));
      const hostile = detectScanType('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>', 'evil.xml');
      assert.ok(hostile.scanType === null && hostile.reason.includes(XML_DOCTYPE_REFUSED));
      const csv = detectScanType('a,b,c\n1,2,3\n', 'data.csv');
      assert.ok(csv.scanType === null && /CSV content matches none/.test(csv.reason));
    });
  });

  describe('parseXml: safe XML decoding', () => {
    it('parses attributes with the @_ prefix and keeps values as strings', () => {
      const document = parseXml('<?xml version="1.0"?><report id="007"><item risk="3">1.10</item></report>', 'r.xml') as {
        report: { '@_id': string; item: { '@_risk': string; '#text': string } };
      };
      assert.equal(document.report['@_id'], '007');
      assert.equal(document.report.item['#text'], '1.10');
    });

    it('decodes the predefined entities and character references once, and leaves CDATA alone', () => {
      const document = parseXml('<r a="1&amp;2"><t>&lt;b&gt; &#65;&#x42; &amp;lt; &quot;&apos;</t><c><![CDATA[&amp; <raw>]]></c></r>', 'r.xml') as {
        r: { '@_a': string; t: string; c: string };
      };
      assert.equal(document.r['@_a'], '1&2');
      assert.equal(document.r.t, '<b> AB &lt; "\'');
      assert.equal(document.r.c, '&amp; <raw>');
      assert.equal(decodeXmlEntities('&nbsp; &#0; &#xD800;'), '&nbsp; &#0; &#xD800;');
    });

    it('refuses a DOCTYPE (billion laughs) with the position', () => {
      const laughs =
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n' +
        ' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\n]>\n<lolz>&lol2;</lolz>';
      const error = expectParseError(() => parseXml(laughs, 'laughs.xml'), /^laughs\.xml:2:1: XML DOCTYPE and entity declarations are not allowed in reports$/);
      assert.equal(error.position, '2:1');
    });

    it('refuses external entities (XXE) and entity declarations anywhere outside comments and CDATA', () => {
      expectParseError(() => parseXml('<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>', 'xxe.xml'), /not allowed in reports/);
      expectParseError(() => parseXml('<!doctype html><html/>', 'lower.xml'), /not allowed in reports/);
      expectParseError(() => parseXml('<r/><!ENTITY late "x">', 'late.xml'), /not allowed in reports/);
      const allowed = parseXml('<r><!-- <!DOCTYPE x> --><c><![CDATA[<!DOCTYPE html>]]></c></r>', 'ok.xml') as { r: { c: string } };
      assert.equal(allowed.r.c, '<!DOCTYPE html>');
    });

    it('an undeclared entity is left as text, never resolved', () => {
      const document = parseXml('<r>&xxe;</r>', 'r.xml') as { r: string };
      assert.equal(document.r, '&xxe;');
    });

    it('malformed, truncated and deeply nested XML give ReportParseError with line:column', () => {
      expectParseError(() => parseXml('<a>\n<b></a>', 'bad.xml'), /^bad\.xml:2:\d+: not well-formed XML: /);
      expectParseError(() => parseXml('<a><b>text</b>', 'cut.xml'), /^cut\.xml:1:\d+: not well-formed XML: Unclosed tag 'a'/);
      expectParseError(() => parseXml('', 'empty.xml'), /^empty\.xml:1: not well-formed XML/);
      expectParseError(() => parseXml(`${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}`, 'deep.xml'), /^deep\.xml: unreadable XML: Maximum nested tags exceeded/);
      expectParseError(() => parseXml('<r><__proto__>1</__proto__></r>', 'proto.xml'), /proto\.xml: unreadable XML/);
    });
  });

  describe('parseJson and field readers', () => {
    it('reports syntax errors with line:column and truncation as such', () => {
      expectParseError(() => parseJson('{\n  "a": 1,\n  "b": tru\n}', 'f.json'), /^f\.json:3:\d+: invalid JSON: /);
      expectParseError(() => parseJson('{"a": [1, 2', 'f.json'), /^f\.json:1:12: truncated JSON \(unexpected end of input\)$/);
    });

    it('refuses nesting beyond 512 levels without recursion; strings with brackets do not count', () => {
      assert.equal(findExcessiveNesting(`${'['.repeat(512)}${']'.repeat(512)}`), -1);
      assert.equal(findExcessiveNesting(`${'['.repeat(513)}${']'.repeat(513)}`), 512);
      assert.equal(findExcessiveNesting(`["${'['.repeat(2000)}\\"${'{'.repeat(2000)}"]`), -1);
      expectParseError(() => parseJson(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 'deep.json'), /^deep\.json:1:\d+: JSON nesting deeper than 512 levels$/);
    });

    it('readers accept numbers as strings and nulls, and refuse other types', () => {
      const record = { s: 'x', n: 7, ns: ' 7.5 ', i: '42', f: 4.2, b: 'TRUE', nul: null, list: [1], obj: {} };
      assert.equal(readString(record, 'n'), '7');
      assert.equal(readString(record, 'nul'), undefined);
      assert.equal(readString(record, 'obj'), undefined);
      assert.equal(readNumber(record, 'ns'), 7.5);
      assert.equal(readNumber(record, 's'), undefined);
      assert.equal(readInteger(record, 'i'), 42);
      assert.equal(readInteger(record, 'f'), undefined);
      assert.equal(readBoolean(record, 'b'), true);
      assert.equal(readBoolean(record, 'n'), undefined);
      assert.deepEqual(readArray(record, 'list'), [1]);
      assert.deepEqual(readArray(record, 'nul'), []);
      assert.equal(readArray(record, 'obj'), undefined);
      assert.equal(readString(record, 'toString'), undefined, 'inherited properties are never read');
    });
  });
});
