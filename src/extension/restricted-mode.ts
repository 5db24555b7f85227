import * as vscode from 'vscode';
import { log } from './log';

export { UNTRUSTED_IMPORT_ITEMS, UNTRUSTED_IMPORT_ORDER } from './restricted-mode-model';

/**
 * What the user sees about Restricted Mode (issue 11, item 6). In an untrusted workspace nothing
 * is imported automatically, and a scanner rewriting its report used to change nothing without
 * a word. The first watched report that changes shows one status-bar item saying so, whose click
 * opens VS Code's workspace trust editor; it goes away when the workspace is trusted.
 */

export const RESTRICTED_HINT_TEXT = '$(workspace-untrusted) Scan Ledger: reports not imported (Restricted Mode)';
export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';

export class RestrictedModeHint implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private shownFor: string | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('scanLedger.restrictedMode', vscode.StatusBarAlignment.Left, 49);
    this.item.name = 'Scan Ledger: Restricted Mode';
    this.item.text = RESTRICTED_HINT_TEXT;
    this.item.command = { command: MANAGE_TRUST_COMMAND, title: 'Trust Workspace…' };
    this.disposables.push(
      this.item,
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.shownFor = undefined;
        this.item.hide();
      }),
    );
  }

  /** A watched report changed in an untrusted workspace: say so, once per editor session. */
  reportSkipped(folderName: string, reportName: string): void {
    if (this.shownFor !== undefined) return;
    this.shownFor = reportName;
    log().info(`${folderName}: ${reportName} changed, but the workspace is in Restricted Mode, so it is not imported. Trust the workspace to import reports automatically.`);
    const tooltip = new vscode.MarkdownString(
      `${folderName}: \`${reportName.replace(/`/g, "'")}\` changed, but Scan Ledger imports nothing automatically in Restricted Mode.\n\nClick to trust the workspace…`,
    );
    tooltip.isTrusted = false;
    tooltip.supportHtml = false;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  /** The report the hint was shown for (undefined: not shown), for the extension-host tests. */
  get shownForReport(): string | undefined {
    return this.shownFor;
  }

  get text(): string {
    return this.item.text;
  }

  /** The command the item runs when clicked. */
  get command(): string | undefined {
    const c = this.item.command;
    return typeof c === 'string' ? c : c?.command;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
