import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import type { WorkspaceSession } from '../../../src/extension/workspace-session';
import {
  deleteSuiteTests,
  importsOf,
  settledSession,
  waitFor,
  waitForImportCount,
  workspacePath,
  writeReport,
} from './harness';

/**
 * Issue 16, item 8: a repository is untrusted input. A committed symbolic link inside the
 * workspace (`vendor-link -> /somewhere/outside`) passes every lexical check on a finding's
 * path, so reveal and the Problems panel must decide on the real path. The suite leaves the
 * workspace as it found it (its test deleted, the link removed) for the suites and UI checks
 * that follow.
 */

const REPORT = 'reports/linked.sarif';
const LINK = 'vendor-link';
const FILE_LINK = 'secret-link.js';

describe('issue 16 item 8: symbolic links out of the workspace', function () {
  this.timeout(60_000);
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let outside: string;
  let testId: number | undefined;

  before(async () => {
    ({ api, session } = await settledSession());
    outside = await fs.mkdtemp(path.join(tmpdir(), 'scan-ledger-outside-'));
    await fs.writeFile(path.join(outside, 'secret.js'), 'const secret = "outside the workspace";\n');
    await fs.symlink(outside, workspacePath(LINK), 'dir');
    await fs.symlink(path.join(outside, 'secret.js'), workspacePath(FILE_LINK), 'file');
  });

  after(async () => {
    await deleteSuiteTests(session, testId);
    await fs.rm(workspacePath(REPORT), { force: true });
    await fs.rm(workspacePath(LINK), { force: true });
    await fs.rm(workspacePath(FILE_LINK), { force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('a finding in a symlinked folder or file is neither opened by Reveal nor listed in the Problems panel', async () => {
    const result = (uri: string, rule: string) => ({
      ruleId: rule,
      level: 'error',
      message: { text: `finding in ${uri}` },
      locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } } }],
    });
    const report = {
      version: '2.1.0',
      runs: [{
        tool: { driver: { name: 'HostileTool', rules: [{ id: 'hostile/folder' }, { id: 'hostile/file' }, { id: 'hostile/control' }] } },
        // The control result on a real file of the folder shows when the Problems panel has
        // caught up with the import, so the absence of the other two means something.
        results: [result(`${LINK}/secret.js`, 'hostile/folder'), result(FILE_LINK, 'hostile/file'), result('src/app.js', 'hostile/control')],
      }],
    };
    const before = importsOf(session).length;
    await writeReport(REPORT, JSON.stringify(report));
    const record = await waitForImportCount(api, before + 1, 'the report with linked paths');
    testId = record.testId;
    const findings = session.ledger?.findingsOfTest(record.testId) ?? [];
    assert.equal(findings.length, 3, 'every result is a finding (the report itself is not refused)');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const f of findings.filter((x) => x.filePath !== 'src/app.js')) {
      await vscode.commands.executeCommand('scanLedger.revealFinding', f.id);
      const opened = vscode.window.visibleTextEditors.map((e) => e.document.uri.fsPath);
      assert.ok(
        opened.every((p) => !p.endsWith('secret.js') && !p.endsWith(FILE_LINK)),
        `finding #${f.id} (${f.filePath}) opened nothing outside the folder; editors: ${opened.join(', ') || 'none'}`,
      );
    }

    await waitFor('the control finding in the Problems panel', () =>
      vscode.languages.getDiagnostics(vscode.Uri.file(workspacePath('src', 'app.js'))).some((d) => d.message.includes('finding in src/app.js')),
    );
    const problems = vscode.languages.getDiagnostics().filter(([uri]) => uri.fsPath.includes(LINK) || uri.fsPath.endsWith(FILE_LINK));
    assert.deepEqual(problems.map(([uri]) => uri.fsPath), [], 'no Problems entry points through the links');
  });
});
