import * as vscode from 'vscode';
import type { Finding } from '../model';
import type { ClosedFindingsFilter } from './decorations';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { DocumentFindings } from './document-findings';
import { TRIAGE_COMMANDS, type TriageLinkArgument } from './hover-model';
import { inlineSuppression, type InlineSuppression, type LineEdit } from './inline-suppression-model';
import { describeError, showError } from './log';
import type { SessionRegistry, WorkspaceSession } from './workspace-session';

/** Inserts the scanner's own suppression comment for a finding, asking for the reason. */
export const INSERT_SUPPRESSION_COMMAND = 'scanLedger.insertSuppression';

/** The argument of the insert-suppression command (the quick fix passes it; tests too, with a reason). */
export interface InsertSuppressionArgument {
  uri: string;
  folder: string;
  findingId: number;
  line: number;
  reason?: string;
}

/**
 * Triage from the light bulb: for each finding on the lines of our diagnostics (or of the
 * selection), quick fixes that run the triage commands with that finding's id.
 */
export class TriageQuickFixes implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly documents: DocumentFindings,
    private readonly filter: ClosedFindingsFilter,
  ) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix) && !vscode.CodeActionKind.QuickFix.contains(context.only)) return [];
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    const lines = new Set<number>(ours.map((d) => d.range.start.line));
    for (let line = range.start.line; line <= range.end.line && lines.size < 200; line++) lines.add(line);
    const found = this.documents.findingsAtLines(document, lines, { showClosed: this.filter.showClosed });
    if (!found || found.findings.length === 0) return [];
    const folder = found.session.folder.uri.toString();
    const actions: vscode.CodeAction[] = [];
    for (const f of found.findings.slice(0, 10)) {
      const line = this.documents.lineOf(document, found.findings, f);
      const diagnostics = ours.filter((d) => d.range.start.line === line && d.message.startsWith(f.title));
      actions.push(...this.actionsFor(f, folder, diagnostics));
      const suppress = this.suppressionAction(found.session, document, f, line, diagnostics);
      if (suppress) actions.push(suppress);
    }
    return actions;
  }

  /** "Suppress in the code (# nosec B307)…", for an open finding whose scanner reads such a comment. */
  private suppressionAction(session: WorkspaceSession, document: vscode.TextDocument, f: Finding, line: number, diagnostics: vscode.Diagnostic[]): vscode.CodeAction | null {
    if (!f.active || f.isMitigated || line < 0 || line >= document.lineCount) return null;
    const planned = suppressionFor(session, document, f, line, '');
    if (!planned) return null;
    const title = `Scan Ledger: Suppress #${f.id} in the code (${planned.marker})…`;
    const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    const arg: InsertSuppressionArgument = { uri: document.uri.toString(), folder: session.folder.uri.toString(), findingId: f.id, line };
    action.command = { title, command: INSERT_SUPPRESSION_COMMAND, arguments: [arg] };
    if (diagnostics.length > 0) action.diagnostics = diagnostics;
    return action;
  }

  private actionsFor(f: Finding, folder: string, diagnostics: vscode.Diagnostic[]): vscode.CodeAction[] {
    const arg: TriageLinkArgument = { folder, findingIds: [f.id] };
    const closed = f.isMitigated || f.falsePositive || f.outOfScope || f.riskAccepted;
    const entries: [string, string][] = closed
      ? [[`Reopen finding #${f.id}`, TRIAGE_COMMANDS.reopen]]
      : [
          [`Mark #${f.id} as false positive`, TRIAGE_COMMANDS.falsePositive],
          [`Mark #${f.id} as out of scope`, TRIAGE_COMMANDS.outOfScope],
          [`Accept the risk of #${f.id}…`, TRIAGE_COMMANDS.acceptRisk],
          [`Mark #${f.id} as mitigated`, TRIAGE_COMMANDS.mitigated],
        ];
    entries.push([`Add a note to #${f.id}…`, TRIAGE_COMMANDS.addNote]);
    return entries.map(([title, command]) => {
      const action = new vscode.CodeAction(`Scan Ledger: ${title}`, vscode.CodeActionKind.QuickFix);
      action.command = { title, command, arguments: [arg] };
      if (diagnostics.length > 0) action.diagnostics = diagnostics;
      return action;
    });
  }
}

/** The suppression for a finding on a document line, from its test's scanner and the document's language. */
function suppressionFor(session: WorkspaceSession, document: vscode.TextDocument, f: Finding, line: number, reason: string): InlineSuppression | null {
  const test = session.ledger?.test(f.testId);
  if (!test) return null;
  return inlineSuppression({
    scanType: test.scanType,
    testType: test.testType,
    ruleId: f.location?.ruleId || f.vulnIdFromTool || null,
    languageId: document.languageId,
    line,
    lineText: document.lineAt(line).text,
    nextLineText: line + 1 < document.lineCount ? document.lineAt(line + 1).text : undefined,
    reason,
  });
}

/** The edits as one `WorkspaceEdit`; several lines inserted before the same line keep their order. */
function workspaceEdit(document: vscode.TextDocument, edits: readonly LineEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const inserts = new Map<number, string[]>();
  for (const e of edits) {
    if (e.kind === 'append') edit.insert(document.uri, document.lineAt(e.line).range.end, e.text);
    else inserts.set(e.line, [...(inserts.get(e.line) ?? []), e.text]);
  }
  for (const [line, texts] of inserts) {
    if (line < document.lineCount) edit.insert(document.uri, new vscode.Position(line, 0), texts.map((t) => t + eol).join(''));
    else edit.insert(document.uri, document.lineAt(document.lineCount - 1).range.end, texts.map((t) => eol + t).join(''));
  }
  return edit;
}

/**
 * Registers "Suppress in the Code…": asks for the reason (unless the argument gives it), then
 * inserts the comment. The finding is not triaged here: the next scan reports it suppressed, and
 * the reimport records that with the reason, as for a suppression written by hand.
 */
export function registerInsertSuppression(registry: SessionRegistry): vscode.Disposable {
  return vscode.commands.registerCommand(INSERT_SUPPRESSION_COMMAND, async (arg?: unknown): Promise<boolean> => {
    try {
      const a = arg as Partial<InsertSuppressionArgument> | undefined;
      if (!a || typeof a.uri !== 'string' || typeof a.folder !== 'string' || typeof a.findingId !== 'number' || typeof a.line !== 'number') {
        throw new Error('Suppress in the code is run from the quick fix of a finding.');
      }
      const session = registry.sessionNamed(a.folder);
      const f = session?.ledger?.finding(a.findingId);
      if (!session || !f) throw new Error(`Finding #${a.findingId} is not in an open store.`);
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(a.uri, true));
      // Only a file of the finding's own folder is edited, whatever the argument names.
      if (registry.sessionFor(document.uri) !== session) throw new Error(`${document.uri.fsPath} is not in ${session.folder.name}.`);
      if (a.line < 0 || a.line >= document.lineCount) throw new Error(`Line ${a.line + 1} is not in ${document.uri.fsPath}.`);
      const reason =
        typeof a.reason === 'string'
          ? a.reason
          : await vscode.window.showInputBox({
              title: `Scan Ledger: suppress #${f.id} in the code`,
              prompt: 'Why is this not a problem? The reason is written into the comment, for reviewers.',
              validateInput: (v) => (v.trim() ? undefined : 'Give a reason; reviewers read it next to the code.'),
            });
      if (reason === undefined) return false;
      const planned = suppressionFor(session, document, f, a.line, reason);
      if (!planned) throw new Error(`The scanner of finding #${f.id} has no inline suppression Scan Ledger can write in this language.`);
      return await vscode.workspace.applyEdit(workspaceEdit(document, planned.edits));
    } catch (error) {
      void showError(`Scan Ledger: ${describeError(error)}`, error);
      return false;
    }
  });
}
