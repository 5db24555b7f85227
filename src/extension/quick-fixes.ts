import * as vscode from 'vscode';
import type { Finding } from '../model';
import type { ClosedFindingsFilter } from './decorations';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { DocumentFindings } from './document-findings';
import { TRIAGE_COMMANDS, type TriageLinkArgument } from './hover-model';

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
    }
    return actions;
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
