import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Puts the bundled `scan-ledger` CLI on the integrated terminal's PATH, so `scan-ledger gate`
 * works in the editor's terminal with no install, on the same engine version as the editor.
 * The launchers in `dist/bin` run `dist/cli.js` with the editor's own runtime (named in
 * `SCAN_LEDGER_NODE`, run as plain Node), so a machine without Node.js still runs the CLI.
 */
export const CLI_BIN_FOLDER = ['dist', 'bin'] as const;

export function registerTerminalCli(context: vscode.ExtensionContext): void {
  const collection = context.environmentVariableCollection;
  collection.description = new vscode.MarkdownString('Puts the bundled `scan-ledger` command on the PATH.');
  // The terminal is usually opened before anything is imported; applying at creation keeps
  // the first terminal of a window from missing the command.
  collection.persistent = true;
  const bin = path.join(context.extensionPath, ...CLI_BIN_FOLDER);
  collection.prepend('PATH', bin + path.delimiter, { applyAtProcessCreation: true });
  collection.replace('SCAN_LEDGER_NODE', process.execPath, { applyAtProcessCreation: true });
}
