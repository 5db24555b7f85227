import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RESTRICTED_HINT_TEXT } from '../../../src/extension/restricted-mode';
import { WATCH_DEBOUNCE_MS } from '../../../src/extension/watcher';
import { queueSettled, reportText, scanLedger, sessionOf, storeBytes, waitFor, workspaceFolder, writeReport } from './harness';

/**
 * Run by the e2e runner in a second editor session that opens the workspace in Restricted Mode
 * (Workspace Trust on), selected by the title prefix `untrusted`.
 */
describe('untrusted workspace', () => {
  it('untrusted: the workspace opens in Restricted Mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('untrusted: the extension activates in limited mode and does not import a report written into the workspace', async () => {
    const api = await scanLedger();
    await api.ready;
    const session = sessionOf(api);

    // Our own watcher proves the editor delivered the file event the extension would act on.
    // A watcher starts asynchronously, so the report is rewritten until the event arrives.
    let seen = false;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(workspaceFolder(), 'reports/*.sarif'));
    watcher.onDidCreate(() => (seen = true));
    watcher.onDidChange(() => (seen = true));
    try {
      let lastWrite = 0;
      await waitFor('the editor to report the new file', async () => {
        if (!seen && Date.now() - lastWrite > 1000) {
          await writeReport('reports/eslint.sarif', reportText('v1'));
          lastWrite = Date.now();
        }
        return seen;
      });
    } finally {
      watcher.dispose();
    }

    // Give a trusted workspace's watcher four times its quiet period to have started an import.
    const deadline = Date.now() + 4 * WATCH_DEBOUNCE_MS + 2000;
    await waitFor('the generous wait for an import that must not happen', () => Date.now() >= deadline || api.queue.busy, 10_000);
    assert.equal(api.queue.busy, false, 'no import was queued');
    await queueSettled(api);
    assert.equal(await storeBytes(session), null, 'no store was created');
    assert.equal(session.ledger, undefined);
    assert.deepEqual(await api.tree.getChildren(), [], 'the tree stays empty');
  });

  it('untrusted: says once, in the status bar, that the rewritten report was not imported, with a "Trust Workspace…" action', async () => {
    const api = await scanLedger();
    // The previous test's writes reached the extension's own watcher too (its patterns are the
    // defaults here: Restricted Mode ignores the workspace's scanLedger.watch).
    await waitFor('the Restricted Mode hint', () => api.restricted.shownForReport);
    assert.equal(api.restricted.shownForReport, 'reports/eslint.sarif');
    assert.equal(api.restricted.text, RESTRICTED_HINT_TEXT);
    assert.match(api.restricted.text, /reports not imported \(Restricted Mode\)/);
    assert.equal(api.restricted.command, 'workbench.trust.manage', 'clicking it opens the workspace trust editor');
    // Another rewrite does not say it again (the hint stays about the first report).
    await writeReport('reports/eslint.sarif', reportText('v2'));
    await new Promise((resolve) => setTimeout(resolve, 2 * WATCH_DEBOUNCE_MS));
    assert.equal(api.restricted.shownForReport, 'reports/eslint.sarif');
    assert.equal(api.queue.busy, false, 'still nothing imported');
    assert.equal(await storeBytes(sessionOf(api)), null, 'still no store');
  });
});
