import * as vscode from 'vscode';
import type { Test } from '../model';
import { detectScanType, SCAN_TYPES } from '../parsers';
import type { ImportQueue } from './import-queue';
import { latestImportOfTest } from './import-summary';
import { describeError, showError } from './log';
import type { ImportOutcome, ReportImporter } from './report-import';
import { matchWatchEntry, REPORT_FILE_EXTENSIONS } from './report-paths';
import { UNTRUSTED_IMPORT_ITEMS, UNTRUSTED_IMPORT_ORDER } from './restricted-mode';
import type { ReportWatcher } from './watcher';
import { DEFAULT_ENGAGEMENT, type SessionRegistry, type WorkspaceSession } from './workspace-session';

/**
 * The import commands of the palette, the explorer and the tree: "Reimport Report…", "Import
 * Report as New Test…", "Reimport All Watched Reports" and "Reimport" on a report file or a
 * test. Each runs through the one import queue, so it never overlaps a watched import.
 *
 * The interactive commands also take their answers as arguments (`uri`, then
 * `{ scanType, engagement, testTitle, testId }`), which the tree and the extension-host tests use.
 */

export const IMPORT_COMMANDS = {
  reimportReport: 'scanLedger.reimportReport',
  importReportAsNewTest: 'scanLedger.importReportAsNewTest',
  reimportAllWatched: 'scanLedger.reimportAllWatched',
  reimportFile: 'scanLedger.reimportFile',
} as const;

/** Scan-type choice meaning "let the parser detect it" (detection failed in the picker). */
const AUTO_SCAN_TYPE = '\u0000auto';

/** Answers a caller may give instead of the pickers. */
export interface ImportChoices {
  scanType?: string;
  engagement?: string;
  /** Null: DefectDojo's default target (latest test of the scan type, any title). */
  testTitle?: string | null;
  testId?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (isRecord(value) && value.resourceUri instanceof vscode.Uri) return value.resourceUri;
  if (typeof value === 'string' && value) {
    return /^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value) ? vscode.Uri.parse(value, true) : vscode.Uri.file(value);
  }
  return undefined;
}

function asChoices(value: unknown): ImportChoices {
  if (!isRecord(value)) return {};
  const choices: ImportChoices = {};
  if (typeof value.scanType === 'string') choices.scanType = value.scanType;
  if (typeof value.engagement === 'string') choices.engagement = value.engagement;
  if (typeof value.testTitle === 'string' || value.testTitle === null) choices.testTitle = value.testTitle;
  if (typeof value.testId === 'number') choices.testId = value.testId;
  return choices;
}

/**
 * Asks before a manual import in an untrusted workspace: the report is parsed and the store
 * written in the folder, which a user who has not trusted the folder should agree to.
 */
export async function confirmUntrusted(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  // The safe answer comes first, so Enter (VS Code's default button) imports nothing.
  const choice = await vscode.window.showWarningMessage(
    `This workspace is not trusted. Import ${what} anyway?`,
    { modal: true, detail: 'Scan Ledger will parse the report and write its store in this folder. Automatic imports stay off until you trust the workspace.' },
    ...UNTRUSTED_IMPORT_ORDER,
  );
  return choice === UNTRUSTED_IMPORT_ITEMS.importAnyway;
}

export class ImportCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly registry: SessionRegistry,
    private readonly importer: ReportImporter,
    private readonly queue: ImportQueue,
    private readonly watcher: ReportWatcher,
  ) {
    this.disposables = [
      vscode.commands.registerCommand(IMPORT_COMMANDS.reimportReport, (uri?: unknown, choices?: unknown) => this.pickAndImport('reimport', uri, choices)),
      vscode.commands.registerCommand(IMPORT_COMMANDS.importReportAsNewTest, (uri?: unknown, choices?: unknown) =>
        this.pickAndImport('import', uri, choices),
      ),
      vscode.commands.registerCommand(IMPORT_COMMANDS.reimportAllWatched, () => this.reimportAllWatched()),
      vscode.commands.registerCommand(IMPORT_COMMANDS.reimportFile, (target?: unknown) => this.reimportFile(target)),
    ];
  }

  /**
   * "Reimport Report…" and "Import Report as New Test…". From the tree, the clicked test or
   * engagement fixes where the report goes: a reimport on a test goes into that test (the
   * picker starts at the test's last report), an import on an engagement into that engagement.
   */
  private async pickAndImport(mode: 'import' | 'reimport', arg: unknown, choicesArg: unknown): Promise<ImportOutcome | undefined> {
    try {
      const node = this.treeContext(arg);
      const given = asChoices(choicesArg);
      const uri = asUri(arg) ?? (await this.pickReport(mode, node ? this.lastReportUri(node.session, node.testId) : undefined));
      if (!uri) return undefined;
      const session = this.registry.sessionFor(uri);
      if (!session) throw new Error(`${uri.fsPath} is not inside a workspace folder; Scan Ledger imports reports of the open folders only.`);
      if (node && node.session !== session) throw new Error(`${uri.fsPath} is not in ${node.session.folder.name}, the folder of the chosen ${node.testId !== undefined ? 'test' : 'engagement'}.`);
      if (!(await confirmUntrusted(session.relativePath(uri)))) return undefined;
      const report = await this.importer.readReport(session, uri);
      await session.openStore();
      const ledger = session.ledger;
      const nodeTest = node?.testId !== undefined ? ledger?.test(node.testId) : undefined;
      const nodeEngagement =
        node?.engagementId !== undefined ? ledger?.engagement(node.engagementId) : nodeTest ? ledger?.engagementOfTest(nodeTest.id) : undefined;
      const scanType = given.scanType ?? (mode === 'reimport' ? nodeTest?.scanType : undefined) ?? (await this.pickScanType(report.text, report.reportName));
      if (!scanType) return undefined;
      const engagement = given.engagement ?? nodeEngagement?.name ?? (await this.pickEngagement(session));
      if (!engagement) return undefined;
      let target: { testTitle: string | null; testId?: number; followReport?: boolean } | undefined;
      if (given.testId !== undefined || given.testTitle !== undefined) {
        target = { testTitle: given.testTitle ?? null, testId: given.testId };
      } else if (mode === 'reimport' && nodeTest) {
        target = { testTitle: nodeTest.title, testId: nodeTest.id };
      } else if (mode === 'reimport') {
        target = await this.pickTest(session, engagement, scanType, report.reportName);
      } else {
        const title = await vscode.window.showInputBox({
          title: 'Scan Ledger: title of the new test',
          value: report.reportName,
          prompt: 'Reimports of this report go into the test with this title.',
        });
        target = title === undefined ? undefined : { testTitle: title.trim() || null };
      }
      if (!target) return undefined;
      const chosen = target;
      return await this.queue.enqueue(() =>
        this.importer.run({
          session,
          uri,
          mode,
          scanType: scanType === AUTO_SCAN_TYPE ? undefined : scanType,
          engagementName: engagement,
          testTitle: chosen.testTitle,
          testId: chosen.testId,
          skipUnchanged: false,
          followReport: chosen.followReport,
        }),
      );
    } catch (error) {
      void showError(`Scan Ledger: ${describeError(error)}`, error);
      return undefined;
    }
  }

  /** A tree test or engagement item the command was invoked on. */
  private treeContext(arg: unknown): { session: WorkspaceSession; testId?: number; engagementId?: number } | undefined {
    if (!isRecord(arg) || typeof arg.folder !== 'string') return undefined;
    const session = this.registry.sessionNamed(arg.folder);
    if (!session) return undefined;
    if (arg.kind === 'test' && typeof arg.testId === 'number') return { session, testId: arg.testId };
    if (arg.kind === 'engagement' && typeof arg.engagementId === 'number') return { session, engagementId: arg.engagementId };
    return undefined;
  }

  /** The report a test was last imported from, to start the file picker there. */
  private lastReportUri(session: WorkspaceSession, testId: number | undefined): vscode.Uri | undefined {
    if (testId === undefined || !session.ledger) return undefined;
    const name = latestImportOfTest(session.ledger.data.imports, testId)?.settings.reportName;
    return name ? vscode.Uri.joinPath(session.folder.uri, name) : undefined;
  }

  private async pickReport(mode: 'import' | 'reimport', start?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const picked = await vscode.window.showOpenDialog({
      title: mode === 'import' ? 'Import Report as New Test' : 'Reimport Report',
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      defaultUri: start ?? vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: mode === 'import' ? 'Import' : 'Reimport',
      filters: { 'Scanner reports': [...REPORT_FILE_EXTENSIONS], 'All files': ['*'] },
    });
    return picked?.[0];
  }

  /** The scan type, detected one first; the user may override a wrong detection. */
  private async pickScanType(text: string, reportName: string): Promise<string | undefined> {
    const detection = detectScanType(text, reportName);
    const detected = detection.scanType;
    const items: (vscode.QuickPickItem & { scanType: string })[] = [];
    if (detected) items.push({ label: detected, description: 'detected from the report', scanType: detected });
    else items.push({ label: 'Detect when importing', description: detection.scanType === null ? detection.reason : undefined, scanType: AUTO_SCAN_TYPE });
    for (const t of SCAN_TYPES) if (t !== detected) items.push({ label: t, scanType: t });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Scan Ledger: scan type of ${reportName}`,
      placeHolder: detected ? `Detected: ${detected}` : 'The scan type could not be detected; pick one',
    });
    return picked?.scanType;
  }

  private async pickEngagement(session: WorkspaceSession): Promise<string | undefined> {
    const ledger = session.ledger;
    const product = ledger?.data.products.find((p) => p.name === session.productName);
    const names = new Set<string>([DEFAULT_ENGAGEMENT]);
    if (ledger && product) for (const e of ledger.engagementsOfProduct(product.id)) names.add(e.name);
    const NEW = '\u0000new';
    const items: (vscode.QuickPickItem & { value: string })[] = [...names].map((name) => ({ label: name, value: name }));
    items.push({ label: '$(add) New engagement…', value: NEW });
    const picked = await vscode.window.showQuickPick(items, { title: `Scan Ledger: engagement in ${session.productName}` });
    if (!picked) return undefined;
    if (picked.value !== NEW) return picked.value;
    const name = await vscode.window.showInputBox({
      title: 'Scan Ledger: new engagement',
      prompt: 'Engagements group tests, e.g. a release or a CI pipeline.',
      validateInput: (v) => (v.trim() ? undefined : 'Give the engagement a name.'),
    });
    return name?.trim() || undefined;
  }

  /** The test a reimport goes into: this report's own test, an existing test, or DefectDojo's default. */
  private async pickTest(
    session: WorkspaceSession,
    engagementName: string,
    scanType: string,
    reportName: string,
  ): Promise<{ testTitle: string | null; testId?: number; followReport?: boolean } | undefined> {
    const ledger = session.ledger;
    const product = ledger?.data.products.find((p) => p.name === session.productName);
    const engagement = ledger && product ? ledger.engagementsOfProduct(product.id).find((e) => e.name === engagementName) : undefined;
    const tests: Test[] = ledger && engagement ? ledger.testsOfEngagement(engagement.id) : [];
    type Item = vscode.QuickPickItem & { target: { testTitle: string | null; testId?: number; followReport?: boolean } };
    const items: Item[] = [
      {
        label: `This report's test`,
        description: reportName,
        detail: 'The test titled with the report path; created on the first import.',
        target: { testTitle: reportName, followReport: true },
      },
      {
        label: 'Latest test of this scan type',
        detail: 'DefectDojo’s default: the newest test with the same scan type, whatever its title.',
        target: { testTitle: null },
      },
    ];
    const sameType = tests.filter((t) => scanType === AUTO_SCAN_TYPE || t.scanType === scanType).sort((a, b) => b.id - a.id);
    for (const t of sameType) {
      const last = ledger ? latestImportOfTest(ledger.data.imports, t.id) : undefined;
      items.push({
        label: `#${t.id} ${t.title ?? t.testType}`,
        description: t.testType,
        detail: last ? `last ${last.type} ${last.created.slice(0, 16).replace('T', ' ')}` : 'never imported',
        target: { testTitle: t.title, testId: t.id },
      });
    }
    const picked = await vscode.window.showQuickPick(items, { title: `Scan Ledger: reimport ${reportName} into…` });
    return picked?.target;
  }

  /** "Reimport All Watched Reports": every watched report, unchanged ones skipped. */
  private async reimportAllWatched(): Promise<{ reports: number; imported: number; unchanged: number; failed: number } | undefined> {
    if (!(await confirmUntrusted('every watched report'))) return undefined;
    const result = await this.watcher.sweep();
    const parts = [`${result.imported} imported`, `${result.unchanged} unchanged`];
    if (result.failed > 0) parts.push(`${result.failed} failed`);
    const text = result.reports === 0 ? 'Scan Ledger: no watched reports found (setting scanLedger.watch).' : `Scan Ledger: ${result.reports} reports: ${parts.join(', ')}.`;
    void vscode.window.showInformationMessage(text);
    return result;
  }

  /**
   * "Reimport" on a report file (explorer, editor title) or on a test in the tree, which
   * reimports the report that test was last imported from.
   */
  private async reimportFile(target: unknown): Promise<ImportOutcome | undefined> {
    try {
      const uri = asUri(target) ?? (target === undefined ? vscode.window.activeTextEditor?.document.uri : undefined);
      if (uri) {
        const session = this.registry.sessionFor(uri);
        if (!session) throw new Error(`${uri.fsPath} is not inside a workspace folder.`);
        if (!(await confirmUntrusted(session.relativePath(uri)))) return undefined;
        const entry = matchWatchEntry(session.relativePath(uri), session.settings().watch);
        return await this.queue.enqueue(() => this.watcher.importWatched(session, uri, entry, false, 'user'));
      }
      const test = this.testOf(target);
      if (!test) throw new Error('Reimport needs a report file or a test.');
      const { session, testId } = test;
      await session.openStore();
      const last = session.ledger ? latestImportOfTest(session.ledger.data.imports, testId) : undefined;
      const reportName = last?.settings.reportName;
      if (!reportName) throw new Error(`Test #${testId} has no recorded report file; use "Reimport Report…" and pick the test.`);
      const reportUri = vscode.Uri.joinPath(session.folder.uri, reportName);
      if (!(await confirmUntrusted(reportName))) return undefined;
      const engagement = session.ledger?.engagementOfTest(testId);
      return await this.queue.enqueue(() =>
        this.importer.run({
          session,
          uri: reportUri,
          mode: 'reimport',
          engagementName: engagement?.name,
          testId,
          testTitle: session.ledger?.test(testId)?.title ?? null,
          skipUnchanged: false,
        }),
      );
    } catch (error) {
      void showError(`Scan Ledger: ${describeError(error)}`, error);
      return undefined;
    }
  }

  /** A tree test item: `{ folder, testId }`, `{ testId }` or `{ test: { id } }`. */
  private testOf(target: unknown): { session: WorkspaceSession; testId: number } | undefined {
    if (!isRecord(target)) return undefined;
    const testId = typeof target.testId === 'number' ? target.testId : isRecord(target.test) && typeof target.test.id === 'number' ? target.test.id : undefined;
    if (testId === undefined) return undefined;
    const folder = typeof target.folder === 'string' ? target.folder : isRecord(target.folder) ? String(target.folder.uri ?? target.folder) : undefined;
    const session = folder ? this.registry.sessionNamed(folder) : this.registry.sessions().find((s) => s.ledger?.test(testId));
    return session ? { session, testId } : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
