import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, scanLedger, sessionOf, storeBytes } from './harness';

interface ContributedCommand {
  command: string;
}

describe('activation on the fixture workspace', () => {
  it('activates without error and returns its API, and settles `ready`', async () => {
    const api = await scanLedger();
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(extension?.isActive, true);
    for (const part of ['registry', 'tree', 'documents', 'filter', 'statusBar', 'queue', 'watcher'] as const) {
      assert.ok(api[part], `the API has ${part}`);
    }
    await api.ready;
    assert.equal(api.registry.sessions().length, 1, 'one session for the one workspace folder');
  });

  it('registers every command the manifest contributes', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    const contributed = (extension?.packageJSON as { contributes: { commands: ContributedCommand[] } }).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 20, `the manifest contributes the palette commands (${contributed.length})`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'no contributed command is left unregistered');
  });

  it('starts with no store and an empty tree before any report exists', async () => {
    const api = await scanLedger();
    const session = sessionOf(api);
    assert.equal(await session.storeExists(), false, 'no store is created by activation alone');
    assert.equal(await storeBytes(session), null);
    assert.deepEqual(await api.tree.getChildren(), [], 'the tree is empty, so its welcome content shows');
  });
});
