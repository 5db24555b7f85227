import * as vscode from 'vscode';
import type { Severity } from '../model';
import { buildLineDecorations, type DecorationKind } from './decoration-model';
import type { DocumentFindings } from './document-findings';
import type { SessionRegistry } from './workspace-session';

/**
 * Draws findings on visible editors: a gutter icon per severity and an after-line label, in
 * contributed theme colours. All layout decisions are in `decoration-model.ts`; this file
 * creates the decoration types once and hands each editor its ranges.
 */

export const TOGGLE_CLOSED_COMMAND = 'scanLedger.toggleClosedFindings';
/** Context key for menus ("Show Closed Findings" vs "Hide Closed Findings"). */
export const SHOWING_CLOSED_CONTEXT = 'scanLedger.showingClosedFindings';
const SHOWING_CLOSED_STATE = 'scanLedger.showClosedFindings';

/** Whether closed and triaged findings are drawn, remembered per workspace. */
export class ClosedFindingsFilter implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly state: vscode.Memento) {
    void vscode.commands.executeCommand('setContext', SHOWING_CLOSED_CONTEXT, this.showClosed);
  }

  get showClosed(): boolean {
    return this.state.get<boolean>(SHOWING_CLOSED_STATE, false);
  }

  async toggle(): Promise<boolean> {
    const next = !this.showClosed;
    await this.state.update(SHOWING_CLOSED_STATE, next);
    await vscode.commands.executeCommand('setContext', SHOWING_CLOSED_CONTEXT, next);
    this.emitter.fire(next);
    return next;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function severityColor(severity: Severity): vscode.ThemeColor {
  return new vscode.ThemeColor(`scanLedger.${severity.toLowerCase()}Foreground`);
}

function labelColor(kind: DecorationKind, severity: Severity): vscode.ThemeColor {
  if (kind === 'duplicate') return new vscode.ThemeColor('scanLedger.duplicateForeground');
  if (kind === 'reactivated') return new vscode.ThemeColor('scanLedger.reactivatedForeground');
  if (kind === 'hidden') return new vscode.ThemeColor('disabledForeground');
  return severityColor(severity);
}

export class FindingDecorations implements vscode.Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly registry: SessionRegistry,
    private readonly documents: DocumentFindings,
    private readonly filter: ClosedFindingsFilter,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.render(e))),
      registry.onDidChange((change) => {
        for (const editor of vscode.window.visibleTextEditors) {
          if (registry.sessionFor(editor.document.uri) === change.session) this.render(editor);
        }
      }),
      documents.onDidMoveFindings((doc) => {
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === doc) this.render(editor);
      }),
      filter.onDidChange(() => this.renderAll()),
    );
  }

  private typeFor(severity: Severity, kind: DecorationKind): vscode.TextEditorDecorationType {
    const key = `${severity}:${kind}`;
    let type = this.types.get(key);
    if (!type) {
      const icon = vscode.Uri.joinPath(this.extensionUri, 'media', `severity-${severity.toLowerCase()}.svg`);
      type = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        gutterIconPath: icon,
        gutterIconSize: 'contain',
        overviewRulerColor: kind === 'hidden' ? undefined : severityColor(severity),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
        after: {
          color: labelColor(kind, severity),
          margin: '0 0 0 3em',
          fontStyle: kind === 'duplicate' || kind === 'hidden' ? 'italic' : 'normal',
        },
      });
      this.types.set(key, type);
    }
    return type;
  }

  renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.render(editor);
  }

  /** Sets every decoration type on one editor (empty lists clear what an earlier render drew). */
  render(editor: vscode.TextEditor): void {
    const byType = new Map<string, vscode.DecorationOptions[]>();
    for (const key of this.types.keys()) byType.set(key, []);
    const found = this.documents.findingsOf(editor.document, true);
    if (found && found.findings.length > 0) {
      const anchors = this.documents.anchorsOf(editor.document, found.findings);
      const specs = buildLineDecorations({
        findings: found.findings,
        lineOf: (f) => anchors.lineOf(f),
        reactivatedBy: found.session.reactivatedBy(),
        showClosed: this.filter.showClosed,
        lineCount: editor.document.lineCount,
      });
      for (const spec of specs) {
        const key = `${spec.severity}:${spec.kind}`;
        this.typeFor(spec.severity, spec.kind);
        let list = byType.get(key);
        if (!list) byType.set(key, (list = []));
        const end = editor.document.lineAt(spec.line).range.end;
        list.push({
          range: new vscode.Range(spec.line, 0, spec.line, end.character),
          renderOptions: { after: { contentText: spec.label } },
        });
      }
    }
    for (const [key, options] of byType) {
      const type = this.types.get(key);
      if (type) editor.setDecorations(type, options);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const t of this.types.values()) t.dispose();
    this.types.clear();
  }
}

/** Context key for the editor context menu's triage submenu. */
export const FINDING_AT_CURSOR_CONTEXT = 'scanLedger.findingAtCursor';

/**
 * Keeps `scanLedger.findingAtCursor` true while a cursor of the active editor is on a line with
 * a finding (any status, so "Reopen" is offered on a triaged one), so the editor's context menu
 * offers triage only where it applies. The key is only set when its value changes.
 */
export class FindingAtCursorContext implements vscode.Disposable {
  private value = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    registry: SessionRegistry,
    private readonly documents: DocumentFindings,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.update();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      registry.onDidChange(() => this.update()),
      documents.onDidMoveFindings(() => this.update()),
    );
    void vscode.commands.executeCommand('setContext', FINDING_AT_CURSOR_CONTEXT, false);
    this.update();
  }

  private update(): void {
    const editor = vscode.window.activeTextEditor;
    let next = false;
    if (editor) {
      const lines = new Set<number>();
      for (const s of editor.selections) for (let l = s.start.line; l <= s.end.line && lines.size < 1000; l++) lines.add(l);
      next = (this.documents.findingsAtLines(editor.document, lines, 'all')?.findings.length ?? 0) > 0;
    }
    if (next !== this.value) {
      this.value = next;
      void vscode.commands.executeCommand('setContext', FINDING_AT_CURSOR_CONTEXT, next);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
