import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { scanLedger, waitFor } from './harness';

/**
 * Issue 9: the bundled CLI is on the integrated terminal's PATH, so `scan-ledger gate` works in
 * the editor's terminal with no install. A real terminal of the installed extension runs it
 * and writes what it printed to a file the test reads.
 */
describe('issue 9: the bundled CLI in the integrated terminal', function () {
  this.timeout(60_000);

  it('`scan-ledger --version` runs in a new terminal and prints the extension’s version', async () => {
    await scanLedger();
    const extension = vscode.extensions.getExtension('scan-ledger.scan-ledger');
    const version = (extension?.packageJSON as { version?: string } | undefined)?.version;
    assert.ok(version, 'the extension has a version');
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'scan-ledger-terminal-'));
    const out = path.join(dir, 'version.txt');
    const terminal = vscode.window.createTerminal({
      name: 'scan-ledger check',
      shellPath: '/bin/sh',
      shellArgs: ['-c', `scan-ledger --version > '${out}.tmp' 2>&1; mv '${out}.tmp' '${out}'`],
    });
    try {
      const printed = await waitFor('the terminal to run scan-ledger --version', async () => {
        try {
          return await fs.readFile(out, 'utf8');
        } catch {
          return undefined;
        }
      }, 45_000);
      assert.equal(printed.trim(), version);
    } finally {
      terminal.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
