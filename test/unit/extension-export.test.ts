import { strict as assert } from 'node:assert';
import { parse } from 'csv-parse/sync';
import {
  artifactLocation,
  CSV_COLUMNS,
  findingsToCsv,
  findingsToSarif,
  neutraliseFormula,
  selectFindingsForSarif,
} from '../../src/extension/export/export-model';
import { aFinding, aTest } from './extension-ledger-builder';

describe('SARIF export', () => {
  const tests = new Map([[1, aTest(1, 1)]]);
  const open = aFinding(1, 1, {
    title: 'SQL injection',
    severity: 'Critical',
    filePath: 'src/db.ts',
    line: 12,
    location: {
      ruleId: 'js/sql-injection',
      column: 5,
      endLine: 13,
      endColumn: 20,
      snippet: 'db.query(q)',
      ruleHelpUri: 'https://codeql.github.com/js/sql-injection',
      partialFingerprints: { primaryLocationLineHash: 'abc123:1' },
      relatedLocations: [{ filePath: 'src/input.ts', line: 4, message: 'user input' }],
    },
  });
  const falsePositive = aFinding(2, 1, {
    title: 'SQL injection',
    severity: 'Critical',
    active: false,
    falsePositive: true,
    location: { ruleId: 'js/sql-injection' },
    audit: [{ at: '2026-11-02T00:00:00Z', author: 'ana', field: 'falsePositive', from: false, to: true, reason: 'query is constant' }],
  });
  const riskAccepted = aFinding(3, 1, {
    title: 'Weak hash',
    severity: 'Low',
    active: false,
    riskAccepted: true,
    vulnIdFromTool: 'B303',
    cwe: 328,
    riskAcceptance: { reason: 'legacy checksum only', owner: 'ana', expires: '2027-01-01', acceptedAt: '2026-11-02T00:00:00Z' },
  });
  const outOfScope = aFinding(4, 1, { active: false, outOfScope: true, cwe: 0, vulnIdFromTool: null, title: 'Vendored code' });

  it('writes one SARIF 2.1.0 run with a rule per distinct rule id, in order of first appearance', () => {
    const log = findingsToSarif([open, falsePositive, riskAccepted, outOfScope], { testsById: tests, toolVersion: '0.1.0' });
    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'Scan Ledger');
    assert.equal(driver.version, '0.1.0');
    assert.deepEqual(driver.rules?.map((r) => r.id), ['js/sql-injection', 'B303', 'Vendored code']);
    assert.deepEqual(log.runs[0].results?.map((r) => [r.ruleId, r.ruleIndex]), [
      ['js/sql-injection', 0],
      ['js/sql-injection', 0],
      ['B303', 1],
      ['Vendored code', 2],
    ]);
    assert.equal(driver.rules?.[0].helpUri, 'https://codeql.github.com/js/sql-injection');
    assert.deepEqual(driver.rules?.[1].properties?.tags, ['security', 'external/cwe/cwe-328']);
    assert.equal(driver.rules?.[0].properties?.['security-severity'], '9.5');
  });

  it('gives each result its location, region, snippet, related locations and level', () => {
    const [result] = findingsToSarif([open], { sourceRoot: 'file:///work/app/' }).runs[0].results ?? [];
    assert.equal(result.level, 'error');
    assert.deepEqual(result.message, { text: 'SQL injection' });
    assert.deepEqual(result.locations?.[0].physicalLocation, {
      artifactLocation: { uri: 'src/db.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 12, startColumn: 5, endLine: 13, endColumn: 20, snippet: { text: 'db.query(q)' } },
    });
    assert.equal(result.relatedLocations?.[0].message?.text, 'user input');
    assert.equal(result.relatedLocations?.[0].physicalLocation?.region?.startLine, 4);
  });

  it('preserves the scanner\'s partialFingerprints and adds the DefectDojo hash code beside them', () => {
    const [result] = findingsToSarif([open]).runs[0].results ?? [];
    assert.deepEqual(result.partialFingerprints, { primaryLocationLineHash: 'abc123:1', 'defectDojoHashCode/v1': 'hash-1' });
  });

  it('marks false positive, out of scope and risk accepted findings with accepted external suppressions and their justification', () => {
    const results = findingsToSarif([open, falsePositive, riskAccepted, outOfScope]).runs[0].results ?? [];
    assert.equal(results[0].suppressions, undefined, 'an open finding is not suppressed');
    assert.deepEqual(results[1].suppressions, [{ kind: 'external', status: 'accepted', justification: 'False positive: query is constant' }]);
    assert.deepEqual(results[2].suppressions, [
      { kind: 'external', status: 'accepted', justification: 'Risk accepted: legacy checksum only, owner ana, until 2027-01-01' },
    ]);
    assert.deepEqual(results[3].suppressions, [{ kind: 'external', status: 'accepted', justification: 'Out of scope' }]);
  });

  it('records a scanner-native suppression as inSource when it lives in the code', () => {
    const nosec = aFinding(5, 1, { suppression: { kind: 'nosec', reason: 'test fixture' } });
    const [result] = findingsToSarif([nosec]).runs[0].results ?? [];
    assert.deepEqual(result.suppressions, [{ kind: 'inSource', status: 'accepted', justification: 'Suppressed by nosec: test fixture' }]);
  });

  it('exports open and triaged findings, not mitigated ones nor duplicates', () => {
    const mitigated = aFinding(6, 1, { active: false, isMitigated: true });
    const duplicate = aFinding(7, 1, { active: false, duplicate: true, duplicateOf: 1 });
    const selected = selectFindingsForSarif([open, falsePositive, riskAccepted, outOfScope, mitigated, duplicate]);
    assert.deepEqual(selected.map((f) => f.id), [1, 2, 3, 4]);
  });

  it('percent-encodes artifact URIs and turns absolute paths into file URIs', () => {
    assert.deepEqual(artifactLocation('src/my file#1.ts', undefined), { uri: 'src/my%20file%231.ts' });
    assert.deepEqual(artifactLocation('./src/a.ts', 'file:///w/'), { uri: 'src/a.ts', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('/home/u/app/a.ts', 'file:///w/'), { uri: 'file:///home/u/app/a.ts' });
    assert.deepEqual(artifactLocation('C:\\repo\\src\\a b.ts', undefined), { uri: 'file:///C:/repo/src/a%20b.ts' });
  });

  it('writes paths inside the workspace folder relative to %SRCROOT%, however the scanner wrote them', () => {
    const fromUri = aFinding(8, 1, { filePath: 'file:///work/app/src/a.js', line: 3 });
    const absolute = aFinding(9, 1, { filePath: '/work/app/lib/b.js', line: 4 });
    const outside = aFinding(10, 1, { filePath: 'file:///elsewhere/c.js', line: 5 });
    const results = findingsToSarif([fromUri, absolute, outside], { sourceRoot: 'file:///work/app/', folderPath: '/work/app' }).runs[0].results ?? [];
    assert.deepEqual(results.map((r) => r.locations?.[0].physicalLocation?.artifactLocation), [
      { uri: 'src/a.js', uriBaseId: '%SRCROOT%' },
      { uri: 'lib/b.js', uriBaseId: '%SRCROOT%' },
      { uri: 'file:///elsewhere/c.js' },
    ]);
    const [row] = parse<Record<string, string>>(findingsToCsv([fromUri], { folderPath: '/work/app' }), { columns: true });
    assert.equal(row.file_path, 'src/a.js');
  });

  it('produces JSON that survives a round trip unchanged', () => {
    const log = findingsToSarif([open, falsePositive], { testsById: tests });
    assert.deepEqual(JSON.parse(JSON.stringify(log)), log);
  });
});

describe('CSV export', () => {
  it('writes a header row with DefectDojo\'s column names, even with no findings', () => {
    const csv = findingsToCsv([]);
    assert.equal(csv, `${CSV_COLUMNS.map((c) => `"${c}"`).join(',')}\r\n`);
  });

  it('quotes every field, so a spreadsheet splitting on ";" never turns "x;=HYPERLINK(…)" into a formula cell', () => {
    const f = aFinding(1, 1, { title: 'x;=HYPERLINK("https://evil.example","click")' });
    const csv = findingsToCsv([f]);
    assert.match(csv, /"x;=HYPERLINK\(""https:\/\/evil\.example"",""click""\)"/);
  });

  it('writes one row per finding that a CSV parser reads back field for field, with quoting of commas, quotes and newlines', () => {
    const f = aFinding(1, 1, {
      title: 'Use of "eval", again',
      description: 'line one\nline two',
      vulnerabilityIds: ['CVE-2024-1', 'GHSA-x'],
      notes: [{ id: 1, at: '2026-11-02T00:00:00Z', author: 'ana', text: 'checked' }],
      duplicate: true,
      duplicateOf: 9,
      active: false,
    });
    const csv = findingsToCsv([f], { testsById: new Map([[1, aTest(1, 1, { title: 'CodeQL' })]]) });
    const [row] = parse<Record<string, string>>(csv, { columns: true });
    assert.equal(row.id, '1');
    assert.equal(row.title, 'Use of "eval", again');
    assert.equal(row.description, 'line one\nline two');
    assert.equal(row.vulnerability_ids, 'CVE-2024-1 GHSA-x');
    assert.equal(row.duplicate, 'True');
    assert.equal(row.duplicate_finding, '9');
    assert.equal(row.false_p, 'False');
    assert.equal(row.status, 'duplicate of #9');
    assert.equal(row.test, 'CodeQL (#1)');
    assert.equal(row.notes, 'ana (2026-11-02T00:00:00Z): checked');
    assert.equal(row.file_path, 'src/app.ts');
  });

  it('neutralises report text that a spreadsheet would run as a formula', () => {
    const hostile = aFinding(1, 1, { title: '=HYPERLINK("http://evil","x")', componentName: '@scope/pkg', description: '-2+3' });
    const [row] = parse<Record<string, string>>(findingsToCsv([hostile]), { columns: true });
    assert.equal(row.title, `'=HYPERLINK("http://evil","x")`);
    assert.equal(row.component_name, "'@scope/pkg");
    assert.equal(row.description, "'-2+3");
    assert.equal(row.line, '1', 'numbers are written as numbers, untouched');
    assert.equal(neutraliseFormula('plain'), 'plain');
    assert.equal(neutraliseFormula('\tcmd'), "'\tcmd");
  });
});
