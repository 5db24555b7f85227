import * as vscode from 'vscode';
import type { Ledger } from '../engine';
import type { Finding, Severity } from '../model';
import { SEVERITIES } from '../model';
import { creationIndex, type CreationIndex, describeFilter, type FindingFilter, isFiltering, NO_FILTER, type NewSince, passesFilter, readFilter } from './finding-filter-model';
import { log } from './log';
import type { SessionRegistry } from './workspace-session';

/**
 * The severity and "new since" filters of the findings tree and the Problems panel, kept in
 * workspace state (per workspace, surviving a reload). The rules are in
 * `finding-filter-model.ts`; this holds the choice, the commands and the context key the view's
 * menus read.
 */

export const FILTER_COMMANDS = {
  severity: 'scanLedger.filterBySeverity',
  newSince: 'scanLedger.filterNewSince',
  clear: 'scanLedger.clearFindingFilters',
} as const;

/** Context key: true while a filter hides findings, so the view offers "Clear Filters". */
export const FILTERING_CONTEXT = 'scanLedger.filteringFindings';
const FILTER_STATE = 'scanLedger.findingFilter';

export class FindingFilterState implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<FindingFilter>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  /** The creation index per ledger, rebuilt when the ledger changes (an import adds actions). */
  private readonly indexes = new WeakMap<Ledger, { imports: number; index: CreationIndex }>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly registry: SessionRegistry,
  ) {
    void vscode.commands.executeCommand('setContext', FILTERING_CONTEXT, isFiltering(this.current));
    this.disposables.push(
      vscode.commands.registerCommand(FILTER_COMMANDS.severity, (arg?: unknown) => this.chooseSeverity(arg)),
      vscode.commands.registerCommand(FILTER_COMMANDS.newSince, (arg?: unknown) => this.chooseNewSince(arg)),
      vscode.commands.registerCommand(FILTER_COMMANDS.clear, () => this.set({ ...NO_FILTER })),
    );
  }

  get current(): FindingFilter {
    return readFilter(this.state.get(FILTER_STATE));
  }

  async set(filter: FindingFilter): Promise<FindingFilter> {
    const next = readFilter(filter);
    await this.state.update(FILTER_STATE, next);
    await vscode.commands.executeCommand('setContext', FILTERING_CONTEXT, isFiltering(next));
    log().info(`Findings tree and Problems panel: ${describeFilter(next)}.`);
    this.emitter.fire(next);
    return next;
  }

  /** A predicate for one ledger's findings under the current filter (null: everything passes). */
  predicateFor(ledger: Ledger): ((f: Finding) => boolean) | null {
    const filter = this.current;
    if (!isFiltering(filter)) return null;
    let index: CreationIndex | null = null;
    if (filter.newSince !== null) {
      const cached = this.indexes.get(ledger);
      if (cached && cached.imports === ledger.data.imports.length) index = cached.index;
      else {
        index = creationIndex(ledger.data.imports);
        this.indexes.set(ledger, { imports: ledger.data.imports.length, index });
      }
    }
    return (f) => passesFilter(f, filter, index);
  }

  /** "Filter by Severity…": a severity argument (or `all`), else a quick pick. */
  private async chooseSeverity(arg: unknown): Promise<FindingFilter | undefined> {
    let minimumSeverity: Severity | null | undefined;
    if (arg === 'all') minimumSeverity = null;
    else if (typeof arg === 'string' && (SEVERITIES as readonly string[]).includes(arg)) minimumSeverity = arg as Severity;
    else {
      const items: (vscode.QuickPickItem & { value: Severity | null })[] = [
        { label: 'All severities', value: null },
        ...SEVERITIES.filter((s) => s !== 'Info').map((s) => ({ label: s === 'Critical' ? 'Critical only' : `${s} and above`, value: s })),
      ];
      const current = this.current.minimumSeverity;
      for (const item of items) if (item.value === current) item.description = 'current';
      const picked = await vscode.window.showQuickPick(items, { title: 'Scan Ledger: show findings of at least this severity' });
      if (!picked) return undefined;
      minimumSeverity = picked.value;
    }
    return this.set({ ...this.current, minimumSeverity });
  }

  /** "Show New Findings Since…": an import id, `baseline` or `all`, else a quick pick of the recent imports. */
  private async chooseNewSince(arg: unknown): Promise<FindingFilter | undefined> {
    let newSince: NewSince | null | undefined;
    if (arg === 'all') newSince = null;
    else if (arg === 'baseline') newSince = 'baseline';
    else if (typeof arg === 'number' && Number.isSafeInteger(arg) && arg >= 0) newSince = arg;
    else {
      const items: (vscode.QuickPickItem & { value: NewSince | null })[] = [
        { label: 'All findings', value: null },
        { label: 'New since the baseline', detail: 'Findings later scans added after the first import of their test.', value: 'baseline' },
      ];
      const imports = this.registry
        .sessions()
        .flatMap((s) => (s.ledger?.data.imports ?? []).map((r) => ({ r, ledger: s.ledger!, folder: s.folder.name })))
        .sort((a, b) => b.r.created.localeCompare(a.r.created))
        .slice(0, 20);
      for (const { r, ledger, folder } of imports) {
        const test = ledger.test(r.testId);
        items.push({
          label: `New since import #${r.id}`,
          description: `${r.type} ${r.created.slice(0, 16).replace('T', ' ')}`,
          detail: `${folder}: ${r.settings.reportName ?? test?.title ?? test?.testType ?? `test #${r.testId}`}`,
          value: r.id,
        });
      }
      const picked = await vscode.window.showQuickPick(items, { title: 'Scan Ledger: show only findings created after…' });
      if (!picked) return undefined;
      newSince = picked.value;
    }
    return this.set({ ...this.current, newSince });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
