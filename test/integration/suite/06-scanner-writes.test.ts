import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import { watchOrigin } from '../../../src/extension/watcher';
import type { WorkspaceSession } from '../../../src/extension/workspace-session';
import {
  deleteSuiteTests,
  importsOf,
  queueSettled,
  reportText,
  settledSession,
  waitForImportCount,
  workspacePath,
  writeReport,
} from './harness';

/**
 * Issue 11, items 2 and 3: a scanner that creates its report empty and fills it later (bandit
 * does) must not raise an error, and a file that only matches a default watch pattern but is
 * not a report is a log line, not a notification. The suite deletes its test afterwards, so
 * the workspace stays as the earlier suites left it for the UI checks.
 */

const REPORT = 'reports/slow-scanner.sarif';
const NOT_A_REPORT = 'reports/findings-notes.json';

describe('issue 11: reports still being written, and files that are not reports', function () {
  this.timeout(60_000);
  let api: ScanLedgerApi;
  let session: WorkspaceSession;
  let testId: number | undefined;

  before(async () => {
    ({ api, session } = await settledSession());
  });

  after(async () => {
    await deleteSuiteTests(session, testId);
    await fs.rm(workspacePath(REPORT), { force: true });
    await fs.rm(workspacePath(NOT_A_REPORT), { force: true });
  });

  it('an empty report file, filled in two writes a second later, is imported once with no error notification', async () => {
    const notificationsBefore = api.notifications().length;
    const importsBefore = importsOf(session).length;
    // The scanner creates the file empty, works for longer than the watcher's quiet period,
    // then writes the report in two parts.
    await writeReport(REPORT, '');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await queueSettled(api);
    assert.equal(importsOf(session).length, importsBefore, 'the empty file imported nothing');
    const text = reportText('v1').split('/src/app.js').join('/src/slow.js');
    const handle = await fs.open(workspacePath(REPORT), 'w');
    await handle.write(text.slice(0, Math.floor(text.length / 2)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await handle.write(text.slice(Math.floor(text.length / 2)));
    await handle.close();
    const record = await waitForImportCount(api, importsBefore + 1, 'the filled report');
    testId = record.testId;
    assert.equal(session.ledger?.test(record.testId)?.title, REPORT);
    assert.ok(record.counts.created > 0, 'its findings were created');
    assert.deepEqual(api.notifications().slice(notificationsBefore), [], 'no error or warning notification was shown');
  });

  it('a file matched by a default pattern that is not a report is logged, not notified; the fixture folder’s own patterns count as the user’s', async () => {
    assert.equal(watchOrigin(session), 'setting', 'the fixture workspace sets scanLedger.watch, so its matches are the user’s');
    await writeReport(NOT_A_REPORT, JSON.stringify({ notes: ['not a scanner report'] }));
    const notificationsBefore = api.notifications().length;
    const importsBefore = importsOf(session).length;
    const outcome = await api.queue.enqueue(() => api.watcher.importWatched(session, vscode.Uri.file(workspacePath(NOT_A_REPORT)), null, true, 'pattern'));
    assert.equal(outcome.kind, 'failed', 'the file is not imported');
    assert.equal(importsOf(session).length, importsBefore, 'the store is unchanged');
    assert.deepEqual(api.notifications().slice(notificationsBefore), [], 'no notification for a default pattern’s match');
  });
});
