import * as vscode from 'vscode';
import type { FindingFilterState } from '../finding-filter';
import type { SessionRegistry, WorkspaceSession } from '../workspace-session';
import { effectiveSettings } from '../../model';
import { duplicateWarnings, NO_DUPLICATE_WARNINGS, type DuplicateWarnings } from './duplicate-warning-model';
import { childNodes, GROUP_BY_VALUES, isOpenFinding, rootNodes, type DefectDojoServerNode, type GroupBy, type TreeNode, type TreeSource } from './tree-model';
import type { ServerRow } from '../defectdojo/server-node-model';

/** The workspaceState key of the grouping, so the choice survives a reload of the window. */
const GROUP_BY_STATE_KEY = 'scanLedger.tree.groupBy';

/** The workspaceState key of the duplicate-health warnings the user chose to ignore. */
const IGNORED_DUPLICATES_STATE_KEY = 'scanLedger.duplicates.ignored';

/** The context key the view title menu reads to offer the other grouping. */
export const GROUP_BY_CONTEXT_KEY = 'scanLedger.groupBy';

export const FINDINGS_VIEW_ID = 'scanLedger.findings';

const COLLAPSIBLE: Record<TreeNode['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/**
 * Adapts the pure tree model to VS Code: nodes become TreeItems, the grouping is kept in
 * workspace state, and the tree refreshes after every store change the registry announces.
 */
export class FindingsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private viewFilter: FindingFilterState | undefined;
  /** Duplicate-health warnings per folder, computed once per refresh (they read the whole ledger). */
  private readonly warningCache = new Map<string, DuplicateWarnings>();

  constructor(
    private readonly registry: SessionRegistry,
    private readonly workspaceState: vscode.Memento,
  ) {
    this.disposables.push(
      registry.onDidChange(() => this.refresh()),
      registry.onDidChangeSessions(() => this.refresh()),
    );
    void vscode.commands.executeCommand('setContext', GROUP_BY_CONTEXT_KEY, this.groupBy);
  }

  get groupBy(): GroupBy {
    const stored = this.workspaceState.get<string>(GROUP_BY_STATE_KEY);
    return (GROUP_BY_VALUES as readonly string[]).includes(stored ?? '') ? (stored as GroupBy) : 'severity';
  }

  async setGroupBy(groupBy: GroupBy): Promise<void> {
    await this.workspaceState.update(GROUP_BY_STATE_KEY, groupBy);
    await vscode.commands.executeCommand('setContext', GROUP_BY_CONTEXT_KEY, groupBy);
    this.refresh();
  }

  refresh(): void {
    this.warningCache.clear();
    this.emitter.fire();
  }

  /** Lists only the findings the severity / "new since" filter passes, refreshing when it changes. */
  useFilter(filter: FindingFilterState): void {
    this.viewFilter = filter;
    this.disposables.push(filter.onDidChange(() => this.refresh()));
    this.refresh();
  }

  /** The folders whose store is open, as the model reads them. */
  sources(): TreeSource[] {
    const sources: TreeSource[] = [];
    for (const session of this.registry.sessions()) {
      const ledger = session.ledger;
      if (ledger) sources.push({ folder: session.folder.uri.toString(), folderName: session.folder.name, folderPath: session.folder.uri.path, ledger });
    }
    return sources;
  }

  sourceOf(folder: string): TreeSource | undefined {
    return this.sources().find((s) => s.folder === folder);
  }

  /** The duplicate-health warnings of a folder's ledger, at its threshold, without the ignored ones. */
  duplicateWarningsOf(source: TreeSource): DuplicateWarnings {
    const cached = this.warningCache.get(source.folder);
    if (cached) return cached;
    const session = this.registry.sessionNamed(source.folder);
    const warnings = session
      ? duplicateWarnings(source.folder, source.ledger, effectiveSettings(session.settings()), new Set(this.ignoredDuplicateWarnings()))
      : NO_DUPLICATE_WARNINGS;
    this.warningCache.set(source.folder, warnings);
    return warnings;
  }

  ignoredDuplicateWarnings(): string[] {
    const stored = this.workspaceState.get<unknown>(IGNORED_DUPLICATES_STATE_KEY);
    return Array.isArray(stored) ? stored.filter((k): k is string => typeof k === 'string') : [];
  }

  /** Remembers an ignored warning in workspace state, so it stays hidden after a reload. */
  async ignoreDuplicateWarning(key: string): Promise<void> {
    const ignored = new Set(this.ignoredDuplicateWarnings());
    ignored.add(key);
    await this.workspaceState.update(IGNORED_DUPLICATES_STATE_KEY, [...ignored]);
    this.refresh();
  }

  /** Open findings over every folder, for the view's badge. */
  openCount(): number {
    let open = 0;
    for (const source of this.sources()) for (const f of source.ledger.data.findings) if (isOpenFinding(f)) open++;
    return open;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, COLLAPSIBLE[node.collapsible]);
    item.id = node.key;
    item.description = node.description;
    // Plain strings, never MarkdownString: titles and paths come from untrusted reports.
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    item.accessibilityInformation = { label: node.ariaLabel ?? (node.description ? `${node.label}, ${node.description}` : node.label) };
    if (node.kind === 'finding') {
      item.command = { command: 'scanLedger.revealFinding', title: 'Reveal Finding in Editor', arguments: [node] };
    }
    if (node.kind === 'defectdojoServer') item.command = { command: 'scanLedger.defectdojo.sync', title: 'Sync with DefectDojo', arguments: [{ folder: node.folder }] };
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      await this.openExistingStores();
      return [...rootNodes(this.sources()), ...this.serverNodes()];
    }
    if (node.kind === 'defectdojoServer') return [];
    const source = this.sourceOf(node.folder);
    return source
      ? childNodes(node, source, {
          groupBy: this.groupBy,
          passes: this.viewFilter?.predicateFor(source.ledger),
          duplicateWarnings: node.kind === 'product' || node.kind === 'engagement' ? this.duplicateWarningsOf(source) : undefined,
        })
      : [];
  }

  /**
   * Where the DefectDojo server rows come from (set by the extension's wiring; none before).
   * Each row runs "Sync with DefectDojo" for its folder when clicked.
   */
  defectdojoRows: (() => readonly ServerRow[]) | null = null;

  private serverNodes(): DefectDojoServerNode[] {
    return (this.defectdojoRows?.() ?? []).map((row) => ({
      kind: 'defectdojoServer',
      key: row.key,
      folder: row.folder,
      label: row.label,
      description: row.description,
      tooltip: row.tooltip,
      contextValue: 'defectdojoServer',
      collapsible: 'none',
      icon: { id: 'cloud' },
    }));
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  /**
   * Opens the stores that exist on disk but are not open yet (the tree can be the first thing a
   * user looks at); opening announces a change, which refreshes the tree with their data.
   */
  private async openExistingStores(): Promise<void> {
    const closed: WorkspaceSession[] = this.registry.sessions().filter((s) => !s.store);
    await Promise.all(
      closed.map(async (session) => {
        try {
          if (await session.storeExists()) await session.openStore();
        } catch {
          // The session reports an unreadable store itself (set aside, with a warning).
        }
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
