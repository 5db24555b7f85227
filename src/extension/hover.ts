import * as vscode from 'vscode';
import type { Ledger } from '../engine';
import type { Finding } from '../model';
import { SEVERITY_RANK } from '../model';
import type { ClosedFindingsFilter } from './decorations';
import type { DocumentFindings } from './document-findings';
import { type FlowStep, flowStepsOf } from './code-flow-model';
import { FolderFileResolver } from './folder-files';
import { buildLineHover, TRIAGE_COMMAND_IDS, type FindingHistoryEntry, type FindingHoverView } from './hover-model';
import type { WorkspaceSession } from './workspace-session';

/**
 * The hover over a decorated line: every shown finding on it, with triage links. The markdown
 * is built (and escaped) in `hover-model.ts`; only our triage commands are enabled in it and
 * HTML is off.
 */

/** How many imports of a test the history section looks through (newest first). */
const HISTORY_IMPORTS = 20;

function historyOf(ledger: Ledger, f: Finding): FindingHistoryEntry[] {
  const entries: FindingHistoryEntry[] = [];
  const imports = ledger.importsOfTest(f.testId).sort((a, b) => b.id - a.id).slice(0, HISTORY_IMPORTS);
  for (const r of imports) {
    const action = r.actions.find((a) => a.findingId === f.id);
    if (action) {
      entries.push({
        importId: r.id,
        type: r.type,
        created: r.created,
        action: action.action,
        untouchedReason: action.untouchedReason,
        fromLine: action.fromLine,
        toLine: action.toLine,
        fromFile: action.fromFile,
      });
    }
  }
  return entries;
}

/** The finding's code flow and related locations whose files resolve inside the folder (symbolic links followed). */
function flowStepsInside(session: WorkspaceSession, f: Finding): FlowStep[] {
  const steps = flowStepsOf(f, session.folder.uri.path);
  if (steps.length === 0) return steps;
  const files = new FolderFileResolver(session.folder.uri);
  return steps.filter((s) => files.resolve(s.relPath).kind !== 'outside');
}

/** Gathers what the hover shows about one finding from the ledger. */
export function hoverViewOf(session: WorkspaceSession, ledger: Ledger, f: Finding): FindingHoverView {
  const test = ledger.test(f.testId);
  const testLabel = test ? (test.title ? `${test.title} (${test.testType})` : test.testType) : `test #${f.testId}`;
  const original = f.duplicate && f.duplicateOf != null ? ledger.finding(f.duplicateOf) : undefined;
  return {
    finding: f,
    folder: session.folder.uri.toString(),
    testLabel,
    duplicateOf: f.duplicateOf != null ? { id: f.duplicateOf, title: original?.title ?? '' } : null,
    duplicates: (ledger.duplicatesOf.get(f.id) ?? []).map((d) => ({ id: d.id, title: d.title })),
    reactivatedByImport: session.reactivatedBy().get(f.id) ?? null,
    history: historyOf(ledger, f),
    flowSteps: flowStepsInside(session, f),
  };
}

/** A trusted-for-our-commands-only markdown string. */
export function findingMarkdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text, false);
  md.isTrusted = { enabledCommands: [...TRIAGE_COMMAND_IDS] };
  md.supportHtml = false;
  return md;
}

export class FindingHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly documents: DocumentFindings,
    private readonly filter: ClosedFindingsFilter,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const found = this.documents.findingsAtLines(document, new Set([position.line]), { showClosed: this.filter.showClosed });
    const ledger = found?.session.ledger;
    if (!found || !ledger || found.findings.length === 0) return undefined;
    const ordered = [...found.findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.id - b.id);
    const views = ordered.map((f) => hoverViewOf(found.session, ledger, f));
    const line = document.lineAt(position.line).range;
    return new vscode.Hover(findingMarkdown(buildLineHover(views)), line);
  }
}
