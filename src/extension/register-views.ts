import * as vscode from 'vscode';
import { deleteTest } from '../engine';
import type { Finding, Test } from '../model';
import { registerDuplicateCommands } from './duplicate-commands';
import { exportFindings } from './export/export-command';
import { describeError, showError } from './log';
import { resolveFolderFile } from './folder-files';
import { isOutsideFolderPath, normaliseFindingPath } from './report-paths';
import { SettingsPanel } from './settings-panel/settings-panel';
import { parseTriageArguments } from './triage-arguments';
import { FINDINGS_VIEW_ID, FindingsTreeProvider } from './tree/findings-tree';
import { VIEW_COMMANDS } from './tree/view-commands';
import { importHistoryNodeOf, plural, testLabel, type TreeNode } from './tree/tree-model';
import type { SessionRegistry, WorkspaceSession } from './workspace-session';

interface TestChoice {
  session: WorkspaceSession;
  test: Test;
}

function isTreeNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && 'kind' in value && 'folder' in value && 'key' in value;
}

/** The test a command argument names (a test node or anything under one), else asks the user. */
async function chooseTest(registry: SessionRegistry, arg: unknown, title: string): Promise<TestChoice | undefined> {
  if (isTreeNode(arg)) {
    const session = registry.sessionNamed(arg.folder);
    const testId = 'testId' in arg && typeof arg.testId === 'number' ? arg.testId : undefined;
    const test = testId !== undefined ? session?.ledger?.test(testId) : undefined;
    if (session && test) return { session, test };
  }
  const choices = registry.sessions().flatMap((session) => {
    const ledger = session.ledger;
    if (!ledger) return [];
    return ledger.data.tests.map((test) => {
      const imports = ledger.importsOfTest(test.id);
      const last = imports.length > 0 ? imports[imports.length - 1] : undefined;
      return {
        label: testLabel(test),
        description: `${ledger.engagement(test.engagementId)?.name ?? ''} · ${session.folder.name}`,
        detail: `${test.testType} · ${ledger.findingsOfTest(test.id).length} findings · ${imports.length} imports${last ? `, last ${last.created.slice(0, 16).replace('T', ' ')}` : ''}`,
        choice: { session, test },
      };
    });
  });
  if (choices.length === 0) {
    void vscode.window.showInformationMessage('Scan Ledger has no test yet: import a report first.');
    return undefined;
  }
  if (choices.length === 1) return choices[0].choice;
  const picked = await vscode.window.showQuickPick(choices, { title, matchOnDescription: true, matchOnDetail: true });
  return picked?.choice;
}

/** The finding a reveal names: a tree node, `{ folder, findingIds }`, or an id. */
function findingOf(registry: SessionRegistry, args: readonly unknown[]): { session: WorkspaceSession; finding: Finding } | undefined {
  const request = parseTriageArguments(args.slice(0, 1));
  if (!request) return undefined;
  const id = request.findingIds[0];
  const sessions = request.folder ? [registry.sessionNamed(request.folder)] : registry.sessions();
  for (const session of sessions) {
    const finding = session?.ledger?.finding(id);
    if (session && finding) return { session, finding };
  }
  return undefined;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Opens a finding's file with its region selected. */
async function revealFinding(registry: SessionRegistry, args: readonly unknown[]): Promise<void> {
  const found = findingOf(registry, args);
  if (!found) {
    void vscode.window.showWarningMessage('Scan Ledger: that finding is no longer in the store.');
    return;
  }
  const { session, finding } = found;
  if (!finding.filePath) {
    void vscode.window.showInformationMessage(`Finding #${finding.id} has no file location (${finding.componentName ?? 'no component'}).`);
    return;
  }
  const relative = normaliseFindingPath(finding.location?.resolvedPath ?? finding.filePath, session.folder.uri.path);
  // Report paths are untrusted: a finding never opens a file outside its workspace folder.
  if (isOutsideFolderPath(relative)) {
    void vscode.window.showWarningMessage(`Scan Ledger: ${finding.filePath} (finding #${finding.id}) lies outside the workspace folder, so it is not opened.`);
    return;
  }
  // The lexical check above misses a committed symbolic link to a folder or file outside;
  // the real path decides.
  const file = await resolveFolderFile(session.folder.uri, relative);
  if (file.kind === 'outside') {
    void vscode.window.showWarningMessage(`Scan Ledger: ${finding.filePath} (finding #${finding.id}) resolves outside the workspace folder, so it is not opened.`);
    return;
  }
  const uri = file.kind === 'inside' ? file.uri : vscode.Uri.joinPath(session.folder.uri, relative);
  if (file.kind === 'missing' || !(await exists(uri))) {
    void vscode.window.showWarningMessage(`Scan Ledger: ${finding.filePath} (finding #${finding.id}) is not in the workspace.`);
    return;
  }
  const line = Math.max(0, (finding.line ?? 1) - 1);
  const detail = finding.location ?? {};
  const startColumn = Math.max(0, (detail.column ?? 1) - 1);
  const endLine = detail.endLine != null && detail.endLine >= line + 1 ? detail.endLine - 1 : line;
  const endColumn = detail.endColumn != null && detail.endColumn > 0 ? detail.endColumn - 1 : endLine === line && detail.column != null ? startColumn : Number.MAX_SAFE_INTEGER;
  const document = await vscode.workspace.openTextDocument(uri);
  const lastLine = Math.max(0, document.lineCount - 1);
  const range = document.validateRange(new vscode.Range(Math.min(line, lastLine), startColumn, Math.min(endLine, lastLine), endColumn));
  const editor = await vscode.window.showTextDocument(document, { selection: new vscode.Selection(range.start, range.end), preview: true });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

async function confirmAndDeleteTest(registry: SessionRegistry, arg: unknown, log: vscode.LogOutputChannel): Promise<void> {
  const chosen = await chooseTest(registry, arg, 'Delete which test?');
  if (!chosen) return;
  const { session, test } = chosen;
  const ledger = session.ledger;
  if (!ledger) return;
  const findings = ledger.findingsOfTest(test.id).length;
  const imports = ledger.importsOfTest(test.id).length;
  const answer = await vscode.window.showWarningMessage(
    `Delete the test “${testLabel(test)}” from ${session.folder.name}?`,
    {
      modal: true,
      detail: `Its ${plural(findings, 'finding')} (with their triage and notes) and its ${plural(imports, 'import')} are removed from the store. Duplicates of its findings in other tests take their place, as DefectDojo does. This cannot be undone; the next reimport of its report creates a new test.`,
    },
    'Delete Test',
  );
  if (answer !== 'Delete Test') return;
  try {
    const result = await session.update('delete', (l, ctx) => deleteTest(l, test.id, ctx));
    log.info(
      `${session.folder.name}: deleted test #${test.id} (${result.deleted.length} findings, ${imports} imports${result.promoted.length > 0 ? `; promoted ${result.promoted.map((id) => `#${id}`).join(', ')} to original` : ''}).`,
    );
  } catch (error) {
    void showError(`Scan Ledger could not delete the test: ${describeError(error)}`, error);
  }
}

/**
 * Registers the findings tree, the settings panel, export and the tree's own commands. Called
 * once from `activate`; everything is pushed onto `context.subscriptions`.
 */
export function registerViews(context: vscode.ExtensionContext, registry: SessionRegistry, log: vscode.LogOutputChannel): FindingsTreeProvider {
  const provider = new FindingsTreeProvider(registry, context.workspaceState);
  const view = vscode.window.createTreeView(FINDINGS_VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const updateBadge = (): void => {
    const open = provider.openCount();
    view.badge = open > 0 ? { value: open, tooltip: `${open} open finding${open === 1 ? '' : 's'}` } : undefined;
  };
  updateBadge();
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '');

  const run =
    (name: string, body: (...args: unknown[]) => Promise<void> | void) =>
    async (...args: unknown[]): Promise<void> => {
      try {
        await body(...args);
      } catch (error) {
        void showError(`Scan Ledger: ${name} failed: ${describeError(error)}`, error);
      }
    };

  context.subscriptions.push(
    provider,
    view,
    registry.onDidChange(updateBadge),
    vscode.commands.registerCommand(VIEW_COMMANDS.refreshTree, () => provider.refresh()),
    ...registerDuplicateCommands(registry, provider, log),
    vscode.commands.registerCommand(VIEW_COMMANDS.groupBySeverity, run('Group by Severity', () => provider.setGroupBy('severity'))),
    vscode.commands.registerCommand(VIEW_COMMANDS.groupByFile, run('Group by File', () => provider.setGroupBy('file'))),
    vscode.commands.registerCommand(VIEW_COMMANDS.revealFinding, run('Reveal Finding', (...args) => revealFinding(registry, args))),
    vscode.commands.registerCommand(VIEW_COMMANDS.deleteTest, run('Delete Test', (arg) => confirmAndDeleteTest(registry, arg, log))),
    vscode.commands.registerCommand(VIEW_COMMANDS.exportFindings, run('Export Findings', (arg) => exportFindings(registry, version, arg))),
    vscode.commands.registerCommand(
      VIEW_COMMANDS.showImportHistory,
      run('Show Import History', async (arg) => {
        const chosen = await chooseTest(registry, arg, 'Show the import history of which test?');
        if (!chosen) return;
        const source = provider.sourceOf(chosen.session.folder.uri.toString());
        const node = source ? importHistoryNodeOf(source, chosen.test.id, { groupBy: provider.groupBy }) : undefined;
        if (!node) return;
        await view.reveal(node, { select: true, focus: true, expand: 2 });
      }),
    ),
    vscode.commands.registerCommand(
      VIEW_COMMANDS.openSettings,
      run('Open Settings', (arg) => {
        const scope = isTreeNode(arg)
          ? { folder: arg.folder, testId: 'testId' in arg && typeof arg.testId === 'number' ? arg.testId : undefined }
          : {};
        SettingsPanel.show(context.extensionUri, registry, log, scope);
      }),
    ),
  );
  return provider;
}
