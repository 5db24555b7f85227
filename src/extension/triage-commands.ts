import * as vscode from 'vscode';
import { addNote } from '../engine';
import { triageInWorkspace } from '../store';
import type { Finding } from '../model';
import type { ClosedFindingsFilter } from './decorations';
import { displayStatus } from './decoration-model';
import type { DocumentFindings } from './document-findings';
import { TRIAGE_COMMANDS } from './hover-model';
import { describeError, log, showError } from './log';
import { isIsoDate, parseTriageArguments, validateExpiry, type TriageRequest } from './triage-arguments';
import type { SessionRegistry, WorkspaceSession } from './workspace-session';

/**
 * The triage commands. Each accepts a finding id, `{ folder, findingIds }` (hover links, quick
 * fixes, the tree's multi-select) or nothing (the findings on the cursor lines of the active
 * editor). Every change is one store transaction, written at once.
 */

type TriageStatus = 'false-positive' | 'out-of-scope' | 'risk-accepted' | 'mitigated' | 'active';

interface TriageAction {
  command: string;
  /** The engine status, or `note` for "Add Note". */
  status: TriageStatus | 'note';
  /** Past tense for the confirmation ("marked as false positive"). */
  done: string;
}

const ACTIONS: readonly TriageAction[] = [
  { command: TRIAGE_COMMANDS.falsePositive, status: 'false-positive', done: 'marked as false positive' },
  { command: TRIAGE_COMMANDS.outOfScope, status: 'out-of-scope', done: 'marked as out of scope' },
  { command: TRIAGE_COMMANDS.acceptRisk, status: 'risk-accepted', done: 'risk accepted' },
  { command: TRIAGE_COMMANDS.mitigated, status: 'mitigated', done: 'marked as mitigated' },
  { command: TRIAGE_COMMANDS.reopen, status: 'active', done: 'reopened' },
  { command: TRIAGE_COMMANDS.addNote, status: 'note', done: 'note added' },
];

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function describeFinding(f: Finding): string {
  return `#${f.id} ${f.severity}: ${f.title}`;
}

export class TriageCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly registry: SessionRegistry,
    private readonly documents: DocumentFindings,
    private readonly filter: ClosedFindingsFilter,
  ) {
    for (const action of ACTIONS) {
      this.disposables.push(vscode.commands.registerCommand(action.command, (...args: unknown[]) => this.run(action, args)));
    }
  }

  /** Runs one triage command; resolves with the ids changed (for tests and callers). */
  private async run(action: TriageAction, args: unknown[]): Promise<number[]> {
    try {
      const target = await this.resolveTarget(action, args);
      if (!target) return [];
      const details = await this.askDetails(action, target.request, target.findings);
      if (!details) return [];
      const ids = target.findings.map((f) => f.id);
      const status = action.status;
      await target.session.update('triage', async (ledger, ctx) => {
        for (const id of ids) {
          if (!ledger.finding(id)) throw new Error(`Finding #${id} is no longer in the store.`);
        }
        if (status === 'note') {
          for (const id of ids) addNote(ledger, ledger.finding(id)!, details.note ?? '', ctx);
          return;
        }
        // One transaction for the store and one write of .scan-ledger/triage.json for the whole
        // selection, so teammates and CI get every decision; should the file be unwritable (a
        // merge conflict in it), the store is left unchanged too.
        await triageInWorkspace(
          ledger,
          target.session.folder.uri.fsPath,
          ids,
          {
            status,
            reason: details.reason,
            owner: status === 'risk-accepted' ? ctx.user : undefined,
            expires: details.expires ?? undefined,
            note: details.note,
          },
          ctx,
        );
      });
      const what = ids.length === 1 ? `Finding #${ids[0]}` : `${ids.length} findings`;
      log().info(`${target.session.folder.name}: ${what} ${action.done}.`);
      vscode.window.setStatusBarMessage(`$(check) Scan Ledger: ${what} ${action.done}`, 4000);
      return ids;
    } catch (error) {
      void showError(`Scan Ledger: triage failed: ${describeError(error)}`, error);
      return [];
    }
  }

  /** The session and findings a command applies to, asking the user where it must. */
  private async resolveTarget(
    action: TriageAction,
    args: unknown[],
  ): Promise<{ session: WorkspaceSession; findings: Finding[]; request: TriageRequest | null } | undefined> {
    const request = parseTriageArguments(args);
    if (!request) {
      const atCursor = await this.findingsAtCursor(action);
      return atCursor ? { ...atCursor, request: null } : undefined;
    }
    const session = await this.sessionForRequest(request);
    if (!session) return undefined;
    await session.openStore();
    const ledger = session.ledger;
    const findings: Finding[] = [];
    const missing: number[] = [];
    for (const id of request.findingIds) {
      const f = ledger?.finding(id);
      if (f) findings.push(f);
      else missing.push(id);
    }
    if (missing.length > 0) {
      throw new Error(`${session.folder.name} has no finding ${missing.map((id) => `#${id}`).join(', ')}.`);
    }
    return { session, findings, request };
  }

  private async sessionForRequest(request: TriageRequest): Promise<WorkspaceSession | undefined> {
    if (request.folder) {
      const named = this.registry.sessionNamed(request.folder);
      if (!named) throw new Error(`No workspace folder ${request.folder} is open.`);
      return named;
    }
    const editor = vscode.window.activeTextEditor;
    const fromEditor = editor ? this.registry.sessionFor(editor.document.uri) : undefined;
    if (fromEditor?.ledger?.finding(request.findingIds[0])) return fromEditor;
    const holding = this.registry.sessions().filter((s) => request.findingIds.every((id) => s.ledger?.finding(id)));
    if (holding.length === 1) return holding[0];
    if (holding.length === 0) {
      const only = this.registry.sessions();
      if (only.length === 1) return only[0];
      throw new Error(`No workspace folder's store has finding ${request.findingIds.map((id) => `#${id}`).join(', ')}.`);
    }
    const picked = await vscode.window.showQuickPick(
      holding.map((s) => ({ label: s.folder.name, session: s })),
      { title: 'Scan Ledger: which folder’s finding?' },
    );
    return picked?.session;
  }

  /**
   * The findings on the lines of every selection in the active editor: shown ones for triage,
   * closed and triaged ones for "reopen". Asks which when there are several.
   */
  private async findingsAtCursor(action: TriageAction): Promise<{ session: WorkspaceSession; findings: Finding[] } | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Scan Ledger: open a file and put the cursor on a finding, or triage from the Scan Ledger view.');
      return undefined;
    }
    const lines = new Set<number>();
    for (const s of editor.selections) for (let l = s.start.line; l <= s.end.line && lines.size < 10_000; l++) lines.add(l);
    const found = this.documents.findingsAtLines(editor.document, lines, action.status === 'active' ? 'all' : { showClosed: this.filter.showClosed });
    const candidates = (found?.findings ?? []).filter((f) => {
      const s = displayStatus(f);
      if (action.status === 'active') return s === 'closed' || s === 'triaged';
      if (action.status === 'note') return true;
      return s === 'open' || s === 'duplicate' || s === 'inactive';
    });
    if (!found || candidates.length === 0) {
      const what = action.status === 'active' ? 'closed or triaged finding' : 'Scan Ledger finding';
      void vscode.window.showInformationMessage(`Scan Ledger: no ${what} on the selected line${lines.size > 1 ? 's' : ''}.`);
      return undefined;
    }
    if (candidates.length === 1) return { session: found.session, findings: candidates };
    const picked = await vscode.window.showQuickPick(
      candidates.map((f) => ({ label: describeFinding(f), picked: true, finding: f })),
      { title: `Scan Ledger: which findings (${action.done})?`, canPickMany: true },
    );
    if (!picked || picked.length === 0) return undefined;
    return { session: found.session, findings: picked.map((p) => p.finding) };
  }

  /** Reason, expiry and note: from the arguments when given, else asked. */
  private async askDetails(
    action: TriageAction,
    request: TriageRequest | null,
    findings: Finding[],
  ): Promise<{ reason?: string; expires?: string | null; note?: string } | undefined> {
    const subject = findings.length === 1 ? describeFinding(findings[0]) : `${findings.length} findings`;
    if (action.status === 'note') {
      const note =
        request?.note ??
        (await vscode.window.showInputBox({
          title: `Scan Ledger: add a note to ${subject}`,
          prompt: 'The note is stored with your name and the time.',
          validateInput: (v) => (v.trim() ? undefined : 'Write the note, or press Escape to cancel.'),
        }));
      if (note === undefined || note.trim() === '') return undefined;
      return { note: note.trim() };
    }
    if (action.status !== 'risk-accepted') return { reason: request?.reason, note: request?.note };
    const reason =
      request?.reason ??
      (await vscode.window.showInputBox({
        title: `Scan Ledger: accept the risk of ${subject}`,
        prompt: 'Why is the risk acceptable?',
        validateInput: (v) => (v.trim() ? undefined : 'A risk acceptance needs a reason.'),
      }));
    if (reason === undefined || reason.trim() === '') return undefined;
    let expires: string | null | undefined = request?.expires;
    if (expires !== undefined && expires !== null && !isIsoDate(expires)) {
      throw new Error(`The expiry ${expires} is not a date written YYYY-MM-DD.`);
    }
    if (expires === undefined) {
      const today = todayUtc();
      const typed = await vscode.window.showInputBox({
        title: `Scan Ledger: accept the risk of ${subject}`,
        prompt: 'Expiry date (YYYY-MM-DD), after which the finding reopens. Leave empty for no expiry.',
        placeHolder: 'YYYY-MM-DD',
        validateInput: (v) => validateExpiry(v, today),
      });
      if (typed === undefined) return undefined;
      expires = typed.trim() === '' ? null : typed.trim();
    }
    return { reason: reason.trim(), expires, note: request?.note };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
