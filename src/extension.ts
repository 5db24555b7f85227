import * as vscode from 'vscode';
import { hasExpiredRiskAcceptance, reopenExpiredRiskAcceptances } from './engine';
import { ClosedFindingsFilter, FindingAtCursorContext, FindingDecorations, TOGGLE_CLOSED_COMMAND } from './extension/decorations';
import { DefectDojoCommands } from './extension/defectdojo/defectdojo-commands';
import { FindingDiagnostics } from './extension/diagnostics';
import { FindingFilterState } from './extension/finding-filter';
import { DocumentFindings } from './extension/document-findings';
import { FindingHoverProvider } from './extension/hover';
import { ImportCommands } from './extension/import-commands';
import { ImportQueue, SYSTEM_TIMERS } from './extension/import-queue';
import { describeError, disposeLog, log, registerShowLog, showError, shownNotifications } from './extension/log';
import { registerInsertSuppression, TriageQuickFixes } from './extension/quick-fixes';
import { registerViews } from './extension/register-views';
import { registerConsentCommand, ReportConsentGate } from './extension/report-consent';
import { RestrictedModeHint } from './extension/restricted-mode';
import { ReportImporter } from './extension/report-import';
import { ImportStatusBar } from './extension/status-bar';
import { registerTerminalCli } from './extension/terminal-cli';
import { TriageCommands } from './extension/triage-commands';
import { ReportWatcher } from './extension/watcher';
import type { FindingsTreeProvider } from './extension/tree/findings-tree';
import { SessionRegistry } from './extension/workspace-session';

/**
 * Wiring only: creates the editor runtime's parts and registers them. Activation is cheap:
 * nothing reads a report or the store until one exists (the store of each folder is opened
 * when its file is found, or by the first import).
 */

/** What the extension returns from `activate`, for the tree view, the settings panel and tests. */
export interface ScanLedgerApi {
  registry: SessionRegistry;
  tree: FindingsTreeProvider;
  documents: DocumentFindings;
  filter: ClosedFindingsFilter;
  statusBar: ImportStatusBar;
  queue: ImportQueue;
  watcher: ReportWatcher;
  /** First-run consent for reports only the default watch patterns found (tests replace its prompt). */
  consent: ReportConsentGate;
  /** The severity and "new since" filter of the tree and the Problems panel. */
  viewFilter: FindingFilterState;
  /** The status-bar hint that a watched report was not imported in Restricted Mode. */
  restricted: RestrictedModeHint;
  /** Settles once existing stores are open and the start-up sweep of watched reports is done. */
  ready: Promise<void>;
  /** The latest error and warning notifications shown to the user, oldest first. */
  notifications: () => readonly string[];
}

/** How often expired risk acceptances are looked for while the editor stays open. */
const EXPIRY_CHECK_MS = 60 * 60 * 1000;

let registryForDeactivate: SessionRegistry | undefined;

export function activate(context: vscode.ExtensionContext): ScanLedgerApi {
  const started = Date.now();
  const registry = new SessionRegistry();
  registryForDeactivate = registry;
  const documents = new DocumentFindings(registry);
  const filter = new ClosedFindingsFilter(context.workspaceState);
  const statusBar = new ImportStatusBar();
  const queue = new ImportQueue(SYSTEM_TIMERS, (key, error) => void showError(`Scan Ledger: import of ${key} failed: ${describeError(error)}`, error));
  const importer = new ReportImporter(statusBar);
  const consent = new ReportConsentGate(context.workspaceState);
  const restricted = new RestrictedModeHint();
  const watcher = new ReportWatcher(registry, importer, queue, consent, restricted);
  // The tree view, the settings panel and export (the other half of the editor).
  const tree = registerViews(context, registry, log());
  const viewFilter = new FindingFilterState(context.workspaceState, registry);
  tree.useFilter(viewFilter);
  // The team's DefectDojo server (issue 14): its token in the editor's secret storage, its row in
  // the tree, and a push after each watched reimport when the setting asks for it.
  const defectdojo = new DefectDojoCommands(context.secrets, registry);
  tree.defectdojoRows = () => defectdojo.rows();
  importer.beforeWatchedReimport = (event) => defectdojo.beforeWatchedReimport(event);
  context.subscriptions.push(defectdojo, defectdojo.onDidChange(() => tree.refresh()));
  const selector: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'vscode-remote' }];

  context.subscriptions.push(
    registry,
    documents,
    filter,
    statusBar,
    restricted,
    { dispose: () => queue.dispose() },
    watcher,
    new FindingDecorations(context.extensionUri, registry, documents, filter),
    viewFilter,
    new FindingDiagnostics(registry, documents, viewFilter),
    new FindingAtCursorContext(registry, documents),
    new TriageCommands(registry, documents, filter),
    new ImportCommands(registry, importer, queue, watcher),
    vscode.languages.registerHoverProvider(selector, new FindingHoverProvider(documents, filter)),
    vscode.languages.registerCodeActionsProvider(selector, new TriageQuickFixes(documents, filter), {
      providedCodeActionKinds: TriageQuickFixes.providedCodeActionKinds,
    }),
    registerShowLog(),
    registerConsentCommand(consent, watcher),
    registerInsertSuppression(registry),
    vscode.commands.registerCommand(TOGGLE_CLOSED_COMMAND, () => filter.toggle()),
    { dispose: disposeLog },
  );

  // Open the stores that already exist, then pick up reports written while the editor was
  // closed; both off the activation path. `ready` tells tests and the benchmark when done.
  const ready = (async () => {
    for (const session of registry.sessions()) {
      try {
        if (await session.storeExists()) await session.openStore();
      } catch (error) {
        void showError(`Scan Ledger could not open the store of ${session.folder.name}: ${describeError(error)}`, error);
      }
    }
    if (vscode.workspace.isTrusted) await watcher.sweep();
    else log().info('Workspace not trusted: reports are not imported automatically.');
    log().info(`Scan Ledger ready ${Date.now() - started} ms after activation.`);
  })().catch((error: unknown) => void showError(`Scan Ledger could not start watching reports: ${describeError(error)}`, error));

  context.subscriptions.push(
    registry.onDidChange((change) => {
      const ledger = change.session.ledger;
      // The status bar starts from the newest import already in a store.
      if (change.kind === 'open' && ledger) statusBar.showLatestOf(ledger, change.session.folder.name);
      // A store opened or rewritten by another process may hold acceptances that have expired
      // since; they reopen now, as they would on the CLI's next read.
      if (change.kind === 'open' || change.kind === 'reload') void checkExpiredRiskAcceptances(registry);
    }),
  );

  const expiryTimer = setInterval(() => void checkExpiredRiskAcceptances(registry), EXPIRY_CHECK_MS);
  context.subscriptions.push({ dispose: () => clearInterval(expiryTimer) });

  registerTerminalCli(context);

  log().info(`Scan Ledger activated in ${Date.now() - started} ms.`);
  return { registry, tree, documents, filter, statusBar, queue, watcher, consent, restricted, viewFilter, ready, notifications: shownNotifications };
}

/**
 * Reopens findings whose risk acceptance has expired (DefectDojo does this in a daily job), in
 * every open store; a store is written only when something reopened.
 */
async function checkExpiredRiskAcceptances(registry: SessionRegistry): Promise<void> {
  for (const session of registry.sessions()) {
    const ledger = session.ledger;
    if (!ledger) continue;
    if (!hasExpiredRiskAcceptance(ledger, new Date())) continue;
    try {
      const reopened = await session.update('triage', (l, ctx) => reopenExpiredRiskAcceptances(l, ctx).map((f) => f.id));
      if (reopened.length > 0) log().info(`${session.folder.name}: risk acceptance expired; reopened ${reopened.map((id) => `#${id}`).join(', ')}.`);
    } catch (error) {
      log().error(`${session.folder.name}: cannot reopen expired risk acceptances`, error);
    }
  }
}

export async function deactivate(): Promise<void> {
  const registry = registryForDeactivate;
  registryForDeactivate = undefined;
  await Promise.all((registry?.sessions() ?? []).map((s) => s.closeStore()));
}
