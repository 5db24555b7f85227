import { strict as assert } from 'node:assert';
import { importScan, Ledger } from '../../src/engine';
import { formatImportSummary, lastReportSha256, latestImportOfTest, testOfReport } from '../../src/extension/import-summary';
import { decodeReport } from '../../src/parsers';
import { defaultSettings, effectiveSettings, emptyStoreData } from '../../src/model';
import { importRecord } from './extension-finding-factory';

describe('extension import summary', () => {
  it('says what an import changed, as the status bar shows it', () => {
    assert.equal(formatImportSummary('Trivy Scan', { created: 3, closed: 1, reactivated: 1, untouched: 9 }), 'Trivy Scan: 3 created, 1 closed, 1 reactivated');
    assert.equal(formatImportSummary('SARIF', { created: 0, closed: 2, reactivated: 0, untouched: 1 }), 'SARIF: 2 closed');
    assert.equal(formatImportSummary('SARIF', { created: 0, closed: 0, reactivated: 0, untouched: 4 }), 'SARIF: no changes (4 untouched)');
  });

  it('finds the content hash of the latest import of a report, to skip unchanged content', () => {
    const a = importRecord(1, 1, []);
    a.settings.reportName = 'trivy.json';
    a.settings.reportSha256 = 'old';
    const b = importRecord(2, 1, []);
    b.settings.reportName = 'trivy.json';
    b.settings.reportSha256 = 'new';
    const other = importRecord(3, 2, []);
    other.settings.reportName = 'semgrep.json';
    other.settings.reportSha256 = 'x';
    assert.equal(lastReportSha256([b, a, other], 'trivy.json'), 'new');
    assert.equal(lastReportSha256([a, b, other], 'trivy.json', 2), null);
    assert.equal(lastReportSha256([a, b], 'missing.json'), null);
  });

  it('finds the latest import of a test', () => {
    assert.equal(latestImportOfTest([importRecord(1, 1, []), importRecord(4, 1, []), importRecord(3, 2, [])], 1)?.id, 4);
    assert.equal(latestImportOfTest([], 1), undefined);
  });
});

describe('extension report decoding', () => {
  it('reads UTF-8, and UTF-16 with a byte-order mark (PowerShell\'s ">")', () => {
    assert.equal(decodeReport(Buffer.from('{"a":"é"}', 'utf8'), 'r.json'), '{"a":"é"}');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')]);
    assert.equal(decodeReport(utf16, 'r.json').replace(/^\uFEFF/, ''), '{"a":1}');
  });

  it('refuses bytes that are not text, naming the file', () => {
    assert.throws(() => decodeReport(Buffer.from([0x7b, 0xff, 0xfe, 0xfd]), 'reports/bin.json'), /reports\/bin\.json: is not UTF-8 text/);
  });
});

describe('extension report → test mapping', () => {
  const ctx = { now: new Date('2026-11-22T10:00:00Z'), user: 'tester', settings: effectiveSettings(defaultSettings()) };
  const report = { scanType: 'Generic Findings Import', testType: 'Generic Findings Import', findings: [{ title: 'Weak hash', severity: 'High', description: 'md5' }] };
  const want = { scanType: 'Generic Findings Import', engagementName: 'Local scans', productName: 'repo' };

  function ledgerWithCliImport(): Ledger {
    const ledger = new Ledger(emptyStoreData());
    // What `scan-ledger import reports/findings.json` records: no test title, the report's name.
    importScan(ledger, report, { scanType: report.scanType, productName: 'repo', engagementName: 'Local scans', testTitle: null, reportName: 'reports/findings.json', reportSha256: 'a' }, ctx);
    return ledger;
  }

  it('finds the test a report file was last imported into, whatever its title', () => {
    const ledger = ledgerWithCliImport();
    assert.equal(testOfReport(ledger, 'reports/findings.json', want), ledger.data.tests[0].id);
  });

  it('ignores it for another report, scan type, engagement or product', () => {
    const ledger = ledgerWithCliImport();
    assert.equal(testOfReport(ledger, 'reports/other.json', want), undefined);
    assert.equal(testOfReport(ledger, 'reports/findings.json', { ...want, scanType: 'SARIF' }), undefined);
    assert.equal(testOfReport(ledger, 'reports/findings.json', { ...want, engagementName: 'CI' }), undefined);
    assert.equal(testOfReport(ledger, 'reports/findings.json', { ...want, productName: 'other' }), undefined);
  });
});
