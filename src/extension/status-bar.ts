import * as vscode from 'vscode';
import type { Ledger } from '../engine';
import { formatImportSummary } from './import-summary';

/**
 * The status-bar item: a spinner while a report is imported, then the last import's summary
 * ("Trivy Scan: 3 created, 1 closed, 1 reactivated"). Hidden until the first import, so a
 * workspace without reports shows nothing. Clicking opens the import history (tree view).
 */
export class ImportStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private lastSummary: { text: string; tooltip: string } | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('scanLedger.importStatus', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Scan Ledger';
    this.item.command = 'scanLedger.showImportHistory';
  }

  /** Shows that an import is running. */
  importing(reportName: string): void {
    this.item.text = `$(sync~spin) Scan Ledger: importing ${reportName}`;
    this.item.tooltip = `Scan Ledger is importing ${reportName}`;
    this.item.show();
  }

  /** Shows the summary of a finished import. */
  summary(text: string, tooltip: string): void {
    this.lastSummary = { text, tooltip };
    this.item.text = `$(shield) ${text}`;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  /**
   * At start-up, the store's own latest import (from an earlier session or the CLI), so the
   * status bar says where things stand before the next scan. An import made in this session wins.
   */
  showLatestOf(ledger: Ledger, folderName: string): void {
    if (this.lastSummary) return;
    let latest: Ledger['data']['imports'][number] | undefined;
    for (const r of ledger.data.imports) if (!latest || r.created > latest.created) latest = r;
    const test = latest ? ledger.test(latest.testId) : undefined;
    if (!latest || !test) return;
    const when = latest.created.slice(0, 16).replace('T', ' ');
    this.summary(
      formatImportSummary(test.testType, latest.counts),
      `${folderName}: last ${latest.type} #${latest.id} into test #${test.id} (${latest.settings.reportName ?? test.title ?? test.testType}), ${when} UTC`,
    );
  }

  /** Back to the last summary (after a skipped or failed import), or hidden when none. */
  settle(): void {
    if (this.lastSummary) this.summary(this.lastSummary.text, this.lastSummary.tooltip);
    else this.item.hide();
  }

  /** The item's current text, for tests in the extension host. */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
