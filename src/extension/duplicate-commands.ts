import * as vscode from 'vscode';
import { lastImportOf, mergeTests, previewTestMerge, testDisplayName, type Ledger, type TestMergePlan, type TestMergeResult } from '../engine';
import { describeError, showError } from './log';
import { SETTINGS_SECTION } from './settings';
import { ignoreKey, reimportMapping, type EngagementWarning, type ReimportMapping, type TestWarning } from './tree/duplicate-warning-model';
import type { FindingsTreeProvider } from './tree/findings-tree';
import type { TreeNode } from './tree/tree-model';
import { VIEW_COMMANDS } from './tree/view-commands';
import type { SessionRegistry, WorkspaceSession } from './workspace-session';

/*
 * The actions of a duplicate-health warning in the findings tree (issue 17): reimport into the
 * duplicated test from now on, merge into it, or ignore the warning. Each takes the warned test
 * or engagement node VS Code passes from the context menu.
 */

/**
 * The second argument a caller may pass to skip the modal preview (`{ confirmed: true }`): the
 * extension-host tests, which cannot click a modal dialog. From a context menu VS Code passes the
 * selection there instead, an array, so a menu click always shows the preview.
 */
interface MergeConfirmation {
  confirmed: true;
}

function isConfirmation(value: unknown): value is MergeConfirmation {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { confirmed?: unknown }).confirmed === true;
}

interface WarnedNode {
  session: WorkspaceSession;
  ledger: Ledger;
  warning: TestWarning | EngagementWarning;
}

/** The warning of the node a command was given, or a message saying why there is none. */
function warnedNode(registry: SessionRegistry, tree: FindingsTreeProvider, arg: unknown): WarnedNode | undefined {
  const node = arg as Partial<TreeNode> | undefined;
  const session = typeof node?.folder === 'string' ? registry.sessionNamed(node.folder) : undefined;
  const source = node?.folder ? tree.sourceOf(node.folder) : undefined;
  if (!session || !source) {
    void vscode.window.showInformationMessage('Scan Ledger: choose a test or engagement with a duplicate warning in the Scan Ledger view.');
    return undefined;
  }
  const warnings = tree.duplicateWarningsOf(source);
  const warning =
    node?.kind === 'test' && typeof node.testId === 'number'
      ? warnings.tests.get(node.testId)
      : node?.kind === 'engagement' && typeof node.engagementId === 'number'
        ? warnings.engagements.get(node.engagementId)
        : undefined;
  if (!warning) {
    void vscode.window.showInformationMessage('Scan Ledger: that test or engagement no longer duplicates another.');
    return undefined;
  }
  return { session, ledger: source.ledger, warning };
}

function testName(ledger: Ledger, testId: number): string {
  const t = ledger.test(testId);
  return t ? `test #${t.id} “${testDisplayName(t)}”` : `test #${testId}`;
}

/** The modal's detail: what the merge changes, in the preview's numbers. */
export function mergePreviewDetail(ledger: Ledger, plans: readonly TestMergePlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(
      `${testName(ledger, plan.fromTestId)} → ${testName(ledger, plan.intoTestId)}:`,
      `• ${plan.matched.length} findings matched, ${plan.moved.length} moved over whole`,
      `• ${plan.decisionsCarried.length} triage decisions, ${plan.notesCarried} notes and ${plan.auditEntriesCarried} audit entries carried over`,
      `• ${plan.importsCarried.length} imports join the history of test #${plan.intoTestId}`,
      `• ${plan.deleted.length} findings are deleted with test #${plan.fromTestId}`,
    );
    for (const c of plan.conflicts) {
      lines.push(`• finding #${c.intoFindingId} keeps “${c.kept === 'into' ? c.intoDecision : c.fromDecision}” (the later decision; #${c.fromFindingId} was “${c.fromDecision}”)`);
    }
  }
  return lines.join('\n');
}

/**
 * The test pairs an engagement warning merges: each test of the warned engagement into the test
 * of the target engagement it duplicates most, when that reaches the threshold.
 */
function engagementMergePairs(tree: FindingsTreeProvider, ledger: Ledger, warning: EngagementWarning, folder: string): [number, number][] {
  const source = tree.sourceOf(folder);
  if (!source) return [];
  const pairs: [number, number][] = [];
  for (const t of ledger.testsOfEngagement(warning.engagementId)) {
    const w = tree.duplicateWarningsOf(source).tests.get(t.id);
    if (w && ledger.test(w.targetTestId)?.engagementId === warning.targetEngagementId) pairs.push([t.id, w.targetTestId]);
  }
  return pairs;
}

/** "Merge into test #N" (or every duplicated test of an engagement): a modal preview, then one store transaction. */
async function mergeIntoTarget(registry: SessionRegistry, tree: FindingsTreeProvider, log: vscode.LogOutputChannel, arg: unknown, second: unknown): Promise<TestMergeResult[]> {
  const warned = warnedNode(registry, tree, arg);
  if (!warned) return [];
  const { session, ledger, warning } = warned;
  const pairs: [number, number][] =
    warning.kind === 'test' ? [[warning.testId, warning.targetTestId]] : engagementMergePairs(tree, ledger, warning, session.folder.uri.toString());
  if (pairs.length === 0) {
    void vscode.window.showInformationMessage(`Scan Ledger: no test of engagement #${warning.kind === 'engagement' ? warning.engagementId : ''} duplicates one of engagement #${warning.kind === 'engagement' ? warning.targetEngagementId : ''} enough to merge.`);
    return [];
  }
  const ctx = await session.engineContext();
  const plans = pairs.map(([from, into]) => previewTestMerge(ledger, from, into, ctx));
  if (!isConfirmation(second)) {
    const title =
      warning.kind === 'test'
        ? `Merge ${testName(ledger, warning.testId)} into ${testName(ledger, warning.targetTestId)}?`
        : `Merge ${pairs.length} test(s) of engagement #${warning.engagementId} into engagement #${warning.targetEngagementId}?`;
    const answer = await vscode.window.showWarningMessage(
      title,
      { modal: true, detail: `${mergePreviewDetail(ledger, plans)}\n\nEvery triage decision and note is kept; the merged test is then deleted.` },
      'Merge',
    );
    if (answer !== 'Merge') return [];
  }
  try {
    const results = await session.update('delete', (l, c) => pairs.map(([from, into]) => mergeTests(l, from, into, c)));
    for (const r of results) {
      log.info(
        `${session.folder.name}: merged test #${r.fromTestId} into test #${r.intoTestId} (${r.matched.length} matched, ${r.moved.length} moved, ${r.decisionsCarried.length} decisions and ${r.notesCarried} notes carried, ${r.importsCarried.length} imports joined).`,
      );
    }
    return results;
  } catch (error) {
    void showError(`Scan Ledger could not merge: ${describeError(error)}`, error);
    return [];
  }
}

/**
 * "Reimport into test #N from now on": a watched report gets a watch entry naming the target's
 * engagement and title, written through the configuration API as the settings panel writes;
 * any other report gets the CLI line, offered for copying.
 */
async function reimportIntoTarget(registry: SessionRegistry, tree: FindingsTreeProvider, log: vscode.LogOutputChannel, arg: unknown): Promise<ReimportMapping | undefined> {
  const warned = warnedNode(registry, tree, arg);
  if (!warned || warned.warning.kind !== 'test') return undefined;
  const { session, ledger, warning } = warned;
  const target = ledger.test(warning.targetTestId);
  if (!target) return undefined;
  const reportPath = lastImportOf(ledger, warning.testId)?.settings.reportName ?? null;
  const engagementName = ledger.engagement(target.engagementId)?.name ?? '';
  const mapping = reimportMapping(reportPath, session.settings().watch, { testId: target.id, title: target.title, engagementName });
  if (mapping.kind === 'cli') {
    const copy = 'Copy Command';
    const answer = await vscode.window.showInformationMessage(
      `${reportPath ?? 'The report'} is not a watched report, so reimport it into test #${target.id} where it is produced: ${mapping.command}`,
      copy,
    );
    if (answer === copy) await vscode.env.clipboard.writeText(mapping.command);
    return mapping;
  }
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, session.folder.uri);
  await config.update('watch', mapping.watch, vscode.ConfigurationTarget.WorkspaceFolder);
  session.invalidateSettings();
  log.info(`${session.folder.name}: ${mapping.entry.glob} now reimports into test #${target.id} (“${mapping.entry.testTitle}” in “${engagementName}”).`);
  const newer = ledger.data.tests.filter((t) => t.engagementId === target.engagementId && t.scanType === target.scanType && t.title === target.title && t.id > target.id);
  void vscode.window.showInformationMessage(
    newer.length > 0
      ? `Scan Ledger: ${mapping.entry.glob} reimports into “${target.title}” from now on; merge ${newer.map((t) => `test #${t.id}`).join(', ')} into test #${target.id} first, or the newest test of that title receives the reimports.`
      : `Scan Ledger: ${mapping.entry.glob} reimports into test #${target.id} from now on.`,
  );
  return mapping;
}

async function ignoreWarning(registry: SessionRegistry, tree: FindingsTreeProvider, arg: unknown): Promise<void> {
  const warned = warnedNode(registry, tree, arg);
  if (!warned) return;
  await tree.ignoreDuplicateWarning(ignoreKey(warned.session.folder.uri.toString(), warned.warning));
}

export const DUPLICATE_COMMANDS = {
  reimportIntoTarget: VIEW_COMMANDS.duplicatesReimportIntoTarget,
  mergeIntoTarget: VIEW_COMMANDS.duplicatesMergeIntoTarget,
  ignore: VIEW_COMMANDS.duplicatesIgnore,
} as const;

/** Registers the warning actions; called from `registerViews`, which owns the tree. */
export function registerDuplicateCommands(registry: SessionRegistry, tree: FindingsTreeProvider, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const run =
    <T>(name: string, body: (...args: unknown[]) => Promise<T>) =>
    async (...args: unknown[]): Promise<T | undefined> => {
      try {
        return await body(...args);
      } catch (error) {
        void showError(`Scan Ledger: ${name} failed: ${describeError(error)}`, error);
        return undefined;
      }
    };
  return [
    vscode.commands.registerCommand(DUPLICATE_COMMANDS.reimportIntoTarget, run('Reimport Into the Duplicated Test', (arg) => reimportIntoTarget(registry, tree, log, arg))),
    vscode.commands.registerCommand(DUPLICATE_COMMANDS.mergeIntoTarget, run('Merge Into the Duplicated Test', (arg, second) => mergeIntoTarget(registry, tree, log, arg, second))),
    vscode.commands.registerCommand(DUPLICATE_COMMANDS.ignore, run('Ignore Duplicate Warning', (arg) => ignoreWarning(registry, tree, arg))),
  ];
}
