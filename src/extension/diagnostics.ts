import * as vscode from 'vscode';
import type { Finding, Severity } from '../model';
import { flowStepsOf } from './code-flow-model';
import type { FindingFilterState } from './finding-filter';
import { displayStatus } from './decoration-model';
import type { DocumentFindings } from './document-findings';
import { cweUrl, safeExternalUrl } from './hover-model';
import { isOutsideFolderPath } from './report-paths';
import { FolderFileResolver } from './folder-files';
import type { SessionRegistry, WorkspaceSession } from './workspace-session';

/**
 * Open findings in the Problems panel: one `DiagnosticCollection` per workspace folder, the
 * rule id as the diagnostic code (linked to the rule's documentation when the report gives
 * it). Duplicates are left out (their original is listed) and so are closed and triaged
 * findings: the Problems panel lists what needs work.
 */

export const DIAGNOSTIC_SOURCE = 'Scan Ledger';

export function diagnosticSeverity(severity: Severity): vscode.DiagnosticSeverity {
  if (severity === 'Critical' || severity === 'High') return vscode.DiagnosticSeverity.Error;
  if (severity === 'Medium') return vscode.DiagnosticSeverity.Warning;
  return vscode.DiagnosticSeverity.Information;
}

/** The diagnostic code: the rule id (or the CWE), with its documentation link when known. */
export function diagnosticCode(f: Finding): vscode.Diagnostic['code'] {
  const rule = f.location?.ruleId || f.vulnIdFromTool || null;
  if (rule) {
    const help = safeExternalUrl(f.location?.ruleHelpUri);
    return help ? { value: rule, target: vscode.Uri.parse(help, true) } : rule;
  }
  const cwe = cweUrl(f.cwe);
  return cwe ? { value: `CWE-${f.cwe}`, target: vscode.Uri.parse(cwe, true) } : undefined;
}

/** Debounce for updating a document's diagnostics while the user types. */
const EDIT_DELAY_MS = 250;

export class FindingDiagnostics implements vscode.Disposable {
  private readonly collections = new Map<WorkspaceSession, vscode.DiagnosticCollection>();
  private readonly pendingDocs = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly registry: SessionRegistry,
    private readonly documents: DocumentFindings,
    private readonly viewFilter?: FindingFilterState,
  ) {
    if (viewFilter) this.disposables.push(viewFilter.onDidChange(() => this.registry.sessions().forEach((s) => this.refresh(s))));
    this.disposables.push(
      registry.onDidChange((change) => {
        if (change.kind !== 'settings') this.refresh(change.session);
      }),
      registry.onDidChangeSessions(() => this.pruneRemoved()),
      documents.onDidMoveFindings((doc) => this.scheduleDocument(doc)),
    );
    for (const session of registry.sessions()) if (session.ledger) this.refresh(session);
  }

  private collectionOf(session: WorkspaceSession): vscode.DiagnosticCollection {
    let collection = this.collections.get(session);
    if (!collection) {
      collection = vscode.languages.createDiagnosticCollection(`scanLedger:${session.folder.name}`);
      this.collections.set(session, collection);
    }
    return collection;
  }

  /**
   * A SARIF finding's code flow and related locations as related information, each a link to
   * its file and line; steps outside the folder (or behind a link that leads out) are left out.
   */
  private relatedInformation(session: WorkspaceSession, f: Finding, files: FolderFileResolver): vscode.DiagnosticRelatedInformation[] {
    const out: vscode.DiagnosticRelatedInformation[] = [];
    for (const step of flowStepsOf(f, session.folder.uri.path)) {
      const file = files.resolve(step.relPath);
      if (file.kind === 'outside') continue;
      const position = new vscode.Position(step.line - 1, (step.column ?? 1) - 1);
      const uri = vscode.Uri.joinPath(session.folder.uri, step.relPath);
      out.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, position), step.label));
    }
    return out;
  }

  private diagnosticsFor(session: WorkspaceSession, findings: readonly Finding[], doc?: vscode.TextDocument, files = new FolderFileResolver(session.folder.uri)): vscode.Diagnostic[] {
    const reactivatedBy = session.reactivatedBy();
    const passes = session.ledger ? this.viewFilter?.predicateFor(session.ledger) : null;
    const result: vscode.Diagnostic[] = [];
    for (const f of findings) {
      if (displayStatus(f) !== 'open') continue;
      if (passes && !passes(f)) continue;
      const line = doc ? this.documents.lineOf(doc, findings, f) : typeof f.line === 'number' && f.line >= 1 ? f.line - 1 : 0;
      const startCol = typeof f.location?.column === 'number' && f.location.column >= 1 ? f.location.column - 1 : 0;
      const sameLine = f.location?.endLine == null || f.location.endLine === f.line;
      const endCol =
        sameLine && typeof f.location?.endColumn === 'number' && f.location.endColumn - 1 > startCol
          ? f.location.endColumn - 1
          : doc
            ? doc.lineAt(line).range.end.character
            : startCol + 1000;
      const reopened = reactivatedBy.get(f.id);
      const message = reopened != null ? `${f.title} (reopened by import #${reopened})` : f.title;
      const d = new vscode.Diagnostic(new vscode.Range(line, startCol, line, Math.max(endCol, startCol)), message, diagnosticSeverity(f.severity));
      d.source = DIAGNOSTIC_SOURCE;
      d.code = diagnosticCode(f);
      const related = this.relatedInformation(session, f, files);
      if (related.length > 0) d.relatedInformation = related;
      result.push(d);
    }
    return result;
  }

  /** Rebuilds every diagnostic of a folder (after an import, a triage, a reload). */
  refresh(session: WorkspaceSession): void {
    const collection = this.collectionOf(session);
    collection.clear();
    if (!session.ledger) return;
    const index = session.findingsIndex();
    const openDocs = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
    const files = new FolderFileResolver(session.folder.uri);
    for (const relPath of index.paths()) {
      if (isOutsideFolderPath(relPath) || relPath === '') continue;
      // A committed symbolic link must not turn a Problems entry into a way to open a file
      // outside the folder; a path not on disk (yet) still gets its entry.
      if (files.resolve(relPath).kind === 'outside') continue;
      const uri = vscode.Uri.joinPath(session.folder.uri, relPath);
      const diagnostics = this.diagnosticsFor(session, index.findingsFor(relPath), openDocs.get(uri.toString()), files);
      if (diagnostics.length > 0) entries.push([uri, diagnostics]);
    }
    collection.set(entries);
  }

  private scheduleDocument(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const seen = this.pendingDocs.get(key);
    if (seen) clearTimeout(seen);
    this.pendingDocs.set(
      key,
      setTimeout(() => {
        this.pendingDocs.delete(key);
        const found = this.documents.findingsOf(doc);
        if (!found || doc.isClosed) return;
        this.collectionOf(found.session).set(doc.uri, this.diagnosticsFor(found.session, found.findings, doc));
      }, EDIT_DELAY_MS),
    );
  }

  private pruneRemoved(): void {
    const live = new Set(this.registry.sessions());
    for (const [session, collection] of this.collections) {
      if (!live.has(session)) {
        collection.dispose();
        this.collections.delete(session);
      }
    }
  }

  dispose(): void {
    for (const t of this.pendingDocs.values()) clearTimeout(t);
    for (const c of this.collections.values()) c.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
