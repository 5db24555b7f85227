import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPreviewReport } from '../../src/extension/settings-panel/preview-report';
import { ReportParseError } from '../../src/parsers';
import { readReport, ReportFileError } from '../../src/store';

/** Issue 15, item 2: one report reader for the CLI, the editor's import and the settings preview. */
describe('store: readReport, the one report reader of both hosts (issue 15)', () => {
  let root: string;
  let outside: string;
  const sarif = readFileSync(path.join(__dirname, '../fixtures/sarif/one_finding.sarif'), 'utf8');
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sarif, 'utf16le')]);

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'scan-ledger-read-report-'));
    outside = mkdtempSync(path.join(tmpdir(), 'scan-ledger-read-report-outside-'));
    mkdirSync(path.join(root, 'reports'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const options = (name: string, extra: { confine?: boolean; maxBytes?: number } = {}) => ({
    path: path.join(root, name),
    fileName: name,
    maxBytes: extra.maxBytes ?? 1024 * 1024,
    limitMb: 1,
    confineTo: extra.confine === false ? undefined : root,
  });

  async function refusal(name: string, extra: { confine?: boolean; maxBytes?: number } = {}): Promise<ReportFileError> {
    try {
      await readReport(options(name, extra));
    } catch (error) {
      assert.ok(error instanceof ReportFileError, String(error));
      return error;
    }
    assert.fail(`${name} was read`);
  }

  it('decodes UTF-8 and UTF-16 with a byte-order mark alike, and hashes the bytes as read', async () => {
    writeFileSync(path.join(root, 'reports/utf8.sarif'), sarif);
    writeFileSync(path.join(root, 'reports/utf16.sarif'), utf16);
    const utf8Read = await readReport(options('reports/utf8.sarif'));
    const utf16Read = await readReport(options('reports/utf16.sarif'));
    assert.equal(utf16Read.text, utf8Read.text);
    assert.equal(utf16Read.sha256, createHash('sha256').update(utf16).digest('hex'));
    assert.equal(utf16Read.size, utf16.length);
    assert.equal(utf16Read.realPath, path.join(realRoot(), 'reports/utf16.sarif'));
  });

  it('bytes that are not text are the parsers\' ReportParseError, which both hosts already report', async () => {
    writeFileSync(path.join(root, 'reports/bad.sarif'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x80]));
    await assert.rejects(readReport(options('reports/bad.sarif')), (e: unknown) => e instanceof ReportParseError);
  });

  it('refuses a link that resolves outside the confining folder, and reads it when not confined (the CLI reads what its user typed)', async () => {
    writeFileSync(path.join(outside, 'secret.sarif'), sarif);
    symlinkSync(path.join(outside, 'secret.sarif'), path.join(root, 'reports/link.sarif'));
    const refused = await refusal('reports/link.sarif');
    assert.equal(refused.kind, 'outside');
    assert.match(refused.message, /^reports\/link\.sarif: resolves to .*outside the workspace folder/);
    assert.equal((await readReport(options('reports/link.sarif', { confine: false }))).text, sarif);
  });

  it('names each refusal by kind: missing, a folder, over the limit', async () => {
    assert.equal((await refusal('reports/nope.sarif')).kind, 'missing');
    assert.equal((await refusal('reports')).kind, 'not-regular');
    writeFileSync(path.join(root, 'reports/big.sarif'), 'x'.repeat(101));
    const big = await refusal('reports/big.sarif', { maxBytes: 100 });
    assert.equal(big.kind, 'too-large');
    assert.match(big.message, /^reports\/big\.sarif: the report is 101 bytes, over the 1 MB limit \(setting scanLedger\.maxReportSizeMb\)$/);
  });

  it('refuses a named pipe without blocking on it', async function () {
    if (process.platform === 'win32') this.skip();
    execFileSync('mkfifo', [path.join(root, 'reports/pipe.sarif')]);
    const refused = await refusal('reports/pipe.sarif');
    assert.equal(refused.kind, 'not-regular');
    assert.match(refused.message, /is not a regular file \(a named pipe\)/);
  });

  describe('the settings panel preview reads through it', () => {
    const request = (reportName: string, sha256: string | null = null) => ({ workspaceRoot: root, reportName, sha256, maxReportSizeMb: 1 });

    it('regression: a UTF-16 SARIF report, which imports fine, is previewed too (it was "not a supported report")', async () => {
      writeFileSync(path.join(root, 'reports/utf16.sarif'), utf16);
      const loaded = await loadPreviewReport(request('reports/utf16.sarif', createHash('sha256').update(utf16).digest('hex')));
      if (typeof loaded === 'string') assert.fail(loaded);
      assert.equal(loaded.report.findings.length, 1);
      assert.equal(loaded.sha256Matches, true);
    });

    it('reuses the parse while the content is the same, and says when the file changed since the import', async () => {
      const file = path.join(root, 'reports/a.sarif');
      writeFileSync(file, sarif);
      const first = await loadPreviewReport(request('reports/a.sarif'));
      assert.ok(typeof first !== 'string');
      const again = await loadPreviewReport(request('reports/a.sarif', first.sha256), first);
      assert.ok(typeof again !== 'string');
      assert.equal(again.report, first.report, 'the parse is reused');
      writeFileSync(file, `${sarif}\n`);
      const changed = await loadPreviewReport(request('reports/a.sarif', first.sha256), first);
      assert.ok(typeof changed !== 'string');
      assert.notEqual(changed.report, first.report);
      assert.equal(changed.sha256Matches, false);
    });

    it('says why it cannot preview: the report is gone, or leads outside the folder', async () => {
      assert.equal(await loadPreviewReport(request('reports/gone.sarif')), 'the report reports/gone.sarif of the last import is no longer in the workspace');
      writeFileSync(path.join(outside, 'x.sarif'), sarif);
      symlinkSync(path.join(outside, 'x.sarif'), path.join(root, 'reports/x.sarif'));
      assert.equal(await loadPreviewReport(request('reports/x.sarif')), 'the report reports/x.sarif resolves outside the workspace folder');
    });
  });

  function realRoot(): string {
    return execFileSync('realpath', [root], { encoding: 'utf8' }).trim();
  }
});
