import * as vscode from 'vscode';
import type { Finding } from '../model';
import { isShown, LineAnchors, type TextChange } from './decoration-model';
import type { SessionRegistry, WorkspaceSession } from './workspace-session';

/**
 * Which findings belong to an open document and on which line they are now. Decorations,
 * hovers, diagnostics, quick fixes and the cursor-based triage commands all ask here, so they
 * agree while the user edits: each edit shifts the document's anchors once, and an import
 * (which re-reads lines from the scanner) re-anchors.
 */
export class DocumentFindings implements vscode.Disposable {
  private readonly anchors = new Map<string, LineAnchors>();
  private readonly movedEmitter = new vscode.EventEmitter<vscode.TextDocument>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Fired when an edit moved findings of a document. */
  readonly onDidMoveFindings = this.movedEmitter.event;

  constructor(private readonly registry: SessionRegistry) {
    this.disposables.push(
      this.movedEmitter,
      vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(e)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.anchors.delete(doc.uri.toString())),
      registry.onDidChange((change) => {
        // Triage changes no line; keeping the anchors keeps decorations where the user's
        // unsaved edits put them. Imports and reloads carry the scanner's fresh lines.
        // An open after a preview keeps them: the preview held every finding of the shown files,
        // anchored where the user's edits since have put them.
        const opened = change.kind === 'open' && !change.session.openedAfterPreview;
        if (change.kind === 'import' || change.kind === 'reload' || opened || change.kind === 'delete') {
          this.forgetFolder(change.session);
        }
      }),
    );
  }

  private forgetFolder(session: WorkspaceSession): void {
    const prefix = session.folder.uri.toString().replace(/\/?$/, '/');
    for (const key of [...this.anchors.keys()]) if (key.startsWith(prefix)) this.anchors.delete(key);
  }

  private documentChanged(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const anchors = this.anchors.get(e.document.uri.toString());
    if (!anchors) return;
    const changes: TextChange[] = e.contentChanges.map((c) => ({
      startLine: c.range.start.line,
      startCharacter: c.range.start.character,
      endLine: c.range.end.line,
      endCharacter: c.range.end.character,
      text: c.text,
    }));
    if (anchors.applyChanges(changes)) this.movedEmitter.fire(e.document);
  }

  /**
   * The session and every finding (any status) of a document. Only once the store is open,
   * unless `preview` allows the findings read ahead of it (drawing them is all they are for:
   * hovers, quick fixes and triage wait for the store).
   */
  findingsOf(document: vscode.TextDocument, preview = false): { session: WorkspaceSession; findings: readonly Finding[] } | undefined {
    const session = this.registry.sessionFor(document.uri);
    if (!session?.ledger && !(preview && session?.previewing)) return undefined;
    const findings = session.findingsIndex().findingsFor(session.relativePath(document.uri));
    return { session, findings };
  }

  /** The anchors of a document, created from the stored lines on first use. */
  anchorsOf(document: vscode.TextDocument, findings: readonly Finding[]): LineAnchors {
    const key = document.uri.toString();
    let anchors = this.anchors.get(key);
    if (!anchors) {
      anchors = new LineAnchors(findings);
      this.anchors.set(key, anchors);
    }
    return anchors;
  }

  /** The line a finding is on now in this document, clamped to the document. */
  lineOf(document: vscode.TextDocument, findings: readonly Finding[], f: Finding): number {
    const line = this.anchorsOf(document, findings).lineOf(f);
    return Math.min(Math.max(0, line), Math.max(0, document.lineCount - 1));
  }

  /**
   * The findings on the given lines of a document. `shown` filters to what the decorations show
   * under the closed-findings filter; `all` includes closed and triaged (for "reopen").
   */
  findingsAtLines(
    document: vscode.TextDocument,
    lines: ReadonlySet<number>,
    which: { showClosed: boolean } | 'all',
  ): { session: WorkspaceSession; findings: Finding[] } | undefined {
    const found = this.findingsOf(document);
    if (!found) return undefined;
    const result = found.findings.filter(
      (f) => lines.has(this.lineOf(document, found.findings, f)) && (which === 'all' || isShown(f, which.showClosed)),
    );
    return { session: found.session, findings: result };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.anchors.clear();
  }
}
