import type { Finding, ImportRecord, Severity } from '../model';
import { findingFilePath, SEVERITY_RANK } from '../model';
import { isAbsoluteFindingPath, normaliseFindingPath } from './report-paths';

/**
 * What the editor draws for findings, as plain data: which line, which severity icon, which
 * colour family and which after-line label. Pure (no `vscode`), so ranges, labels, filtering
 * and line shifting under edits are unit tested; `decorations.ts` only turns these specs into
 * `TextEditor.setDecorations` calls.
 */

/** How a finding stands for display purposes. */
export type FindingDisplayStatus = 'open' | 'duplicate' | 'triaged' | 'closed' | 'inactive';

/** The colour family of a decorated line. */
export type DecorationKind = 'open' | 'duplicate' | 'reactivated' | 'hidden';

/** DefectDojo's flags reduced to what the editor distinguishes. */
export function displayStatus(f: Finding): FindingDisplayStatus {
  // A triage decision names the state better than "closed" (a false positive that a history
  // rule also mitigated is still, to the user, a false positive), as the tree says it.
  if (f.falsePositive || f.outOfScope || f.riskAccepted) return 'triaged';
  if (f.isMitigated) return 'closed';
  // DefectDojo makes a duplicate inactive but not mitigated: it is still something to see.
  if (f.duplicate) return 'duplicate';
  return f.active ? 'open' : 'inactive';
}

/** Open findings and duplicates are always drawn; the rest only when the filter shows them. */
export function isShown(f: Finding, showClosed: boolean): boolean {
  const s = displayStatus(f);
  return s === 'open' || s === 'duplicate' || showClosed;
}

/** A finding's 0-based line as the store has it; findings without a line sit on the first. */
export function storedLine(f: Finding): number {
  return typeof f.line === 'number' && Number.isFinite(f.line) && f.line >= 1 ? Math.floor(f.line) - 1 : 0;
}

/**
 * For each finding reactivated by the latest import of its test, the id of that import: the
 * "reopened by import #K" label. Only the latest import counts, so a finding reopened long
 * ago and imported unchanged since is drawn as an ordinary open finding.
 */
export function reactivationsByLatestImport(imports: readonly ImportRecord[]): Map<number, number> {
  const latest = new Map<number, ImportRecord>();
  for (const r of imports) {
    const seen = latest.get(r.testId);
    if (!seen || r.id > seen.id) latest.set(r.testId, r);
  }
  const reactivatedBy = new Map<number, number>();
  for (const r of latest.values()) {
    for (const a of r.actions) if (a.action === 'reactivated') reactivatedBy.set(a.findingId, r.id);
  }
  return reactivatedBy;
}

/** One-line, bounded text for labels: whitespace collapsed, cut with an ellipsis. */
export function truncateLabel(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, Math.max(0, max - 1));
  // Cut at the last word boundary when there is one in the last quarter, so a label never
  // ends in half a word; a single long token (a path, a hash) is cut where it must be.
  const space = cut.lastIndexOf(' ');
  const end = space >= Math.floor(max * 0.75) ? space : cut.length;
  return `${cut.slice(0, end).trimEnd()}…`;
}

export const TITLE_MAX = 80;

/** What one decorated line looks like. */
export interface LineDecorationSpec {
  /** 0-based line in the document as it is now (after edits). */
  line: number;
  /** Severity of the line's primary finding: picks the gutter icon. */
  severity: Severity;
  kind: DecorationKind;
  label: string;
  /** Every shown finding on the line, primary first. */
  findingIds: number[];
}

export interface DecorationInputs {
  /** The findings whose file is this document (any status). */
  findings: readonly Finding[];
  /** Current 0-based line per finding id, after edits; a finding missing here uses its stored line. */
  lineOf: (f: Finding) => number;
  /** `reactivationsByLatestImport(...)` of the store. */
  reactivatedBy: ReadonlyMap<number, number>;
  showClosed: boolean;
  /** The document's line count: lines past the end are drawn on the last line. */
  lineCount?: number;
}

function kindOf(f: Finding, reactivatedBy: ReadonlyMap<number, number>): DecorationKind {
  const s = displayStatus(f);
  if (s === 'duplicate') return 'duplicate';
  if (s !== 'open') return 'hidden';
  return reactivatedBy.has(f.id) ? 'reactivated' : 'open';
}

/** The suffix that says why a finding is drawn distinctly, or '' for an ordinary one. */
export function findingNote(f: Finding, reactivatedBy: ReadonlyMap<number, number>): string {
  const s = displayStatus(f);
  if (s === 'duplicate') return f.duplicateOf != null ? `duplicate of #${f.duplicateOf}` : 'duplicate';
  if (s === 'open') {
    const k = reactivatedBy.get(f.id);
    return k != null ? `reopened by import #${k}` : '';
  }
  if (s === 'closed') return 'closed';
  if (s === 'triaged') return f.falsePositive ? 'false positive' : f.outOfScope ? 'out of scope' : 'risk accepted';
  return 'inactive';
}

/**
 * Orders the findings of one line: originals before duplicates, open before hidden, then by
 * severity and id, so the label and icon speak for the most important finding.
 */
function compareOnLine(a: Finding, b: Finding, reactivatedBy: ReadonlyMap<number, number>): number {
  const weight = (f: Finding): number => {
    const k = kindOf(f, reactivatedBy);
    return k === 'hidden' ? 2 : k === 'duplicate' ? 1 : 0;
  };
  return weight(a) - weight(b) || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.id - b.id;
}

/**
 * One spec per decorated line. The label is "<Severity>: <title>", followed by what makes the
 * primary finding special ("duplicate of #N", "reopened by import #K"), by the same notes for up
 * to two other findings on the line ("#12 duplicate of #5"), and by "+N more".
 */
export function buildLineDecorations(inputs: DecorationInputs): LineDecorationSpec[] {
  const byLine = new Map<number, Finding[]>();
  const lastLine = inputs.lineCount != null ? Math.max(0, inputs.lineCount - 1) : Number.POSITIVE_INFINITY;
  for (const f of inputs.findings) {
    if (!isShown(f, inputs.showClosed)) continue;
    const line = Math.min(Math.max(0, inputs.lineOf(f)), lastLine);
    const list = byLine.get(line);
    if (list) list.push(f);
    else byLine.set(line, [f]);
  }
  const specs: LineDecorationSpec[] = [];
  for (const [line, list] of byLine) {
    list.sort((a, b) => compareOnLine(a, b, inputs.reactivatedBy));
    const primary = list[0];
    const parts = [`${primary.severity}: ${truncateLabel(primary.title, TITLE_MAX)}`];
    const note = findingNote(primary, inputs.reactivatedBy);
    if (note) parts[0] += ` — ${note}`;
    let described = 0;
    for (const other of list.slice(1)) {
      const otherNote = findingNote(other, inputs.reactivatedBy);
      if (!otherNote || described >= 2) continue;
      parts.push(`#${other.id} ${otherNote}`);
      described++;
    }
    const rest = list.length - 1 - described;
    if (rest > 0) parts.push(`+${rest} more`);
    specs.push({
      line,
      severity: primary.severity,
      kind: kindOf(primary, inputs.reactivatedBy),
      label: parts.join(' · '),
      findingIds: list.map((f) => f.id),
    });
  }
  return specs.sort((a, b) => a.line - b.line);
}

/** A text change as VS Code reports it, with 0-based positions in the document before it. */
export interface TextChange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  text: string;
}

function newlineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Where a line ends up after one change. Lines below the change move by the number of lines
 * it added or removed. A line inside a replaced range stays within the replacement (it was
 * edited, not moved). A line at whose very start whole lines are inserted (Enter at column 0,
 * a paste of full lines) moves down with its text.
 */
export function shiftLine(line: number, change: TextChange): number {
  const added = newlineCount(change.text);
  const removed = change.endLine - change.startLine;
  if (line > change.endLine) return line + added - removed;
  if (line < change.startLine) return line;
  const pureInsertion = change.startLine === change.endLine && change.startCharacter === change.endCharacter;
  if (pureInsertion && line === change.startLine) {
    return change.startCharacter === 0 && change.text.endsWith('\n') ? line + added : line;
  }
  if (line === change.startLine) return line;
  return change.startLine + Math.min(line - change.startLine, added);
}

/**
 * The current line of every finding of one document while the user edits it. Created from the
 * stored lines when the document is first decorated (and again after each import, which
 * re-anchors to what the scanner saw); each edit shifts every anchored finding once, so a
 * keystroke costs one pass over the document's findings and never touches the rest of the store.
 */
export class LineAnchors {
  private readonly lines = new Map<number, number>();

  constructor(findings: readonly Finding[]) {
    for (const f of findings) this.lines.set(f.id, storedLine(f));
  }

  /** The finding's current line, or its stored line when it was not anchored (a newer finding). */
  lineOf(f: Finding): number {
    return this.lines.get(f.id) ?? storedLine(f);
  }

  /** How many findings are anchored. */
  get size(): number {
    return this.lines.size;
  }

  /**
   * Applies the changes of one `onDidChangeTextDocument` event. VS Code gives every range of
   * one event against the document before the event, without overlaps; applying them from the
   * bottom up keeps each later (higher) range valid. Returns whether any finding moved.
   */
  applyChanges(changes: readonly TextChange[]): boolean {
    if (changes.length === 0 || this.lines.size === 0) return false;
    const ordered = [...changes].sort((a, b) => b.startLine - a.startLine || b.startCharacter - a.startCharacter);
    let moved = false;
    for (const change of ordered) {
      const added = newlineCount(change.text);
      // Typing within one line moves nothing: skip the pass over every finding.
      if (added === 0 && change.startLine === change.endLine) continue;
      for (const [id, line] of this.lines) {
        const next = shiftLine(line, change);
        if (next !== line) {
          this.lines.set(id, next);
          moved = true;
        }
      }
    }
    return moved;
  }
}

/**
 * Whether a finding whose file is `raw` (as the store has it) is drawn in one of the documents
 * at these folder-relative paths: the rule `FindingsByDocument.findingsFor` applies, as a test
 * on one path, so the store can pick the findings of the shown files before it is read whole.
 */
export function shownFilesFilter(relPaths: readonly string[], folderPath: string): (raw: string) => boolean {
  const direct = new Set(relPaths);
  return (raw) => {
    const p = normaliseFindingPath(raw, folderPath);
    if (!isAbsoluteFindingPath(p)) return direct.has(p);
    return relPaths.some((rel) => absolutePathIsDocument(p, rel));
  };
}

/**
 * Whether a path that stayed absolute (a CI machine's checkout) names the document at this
 * folder-relative path: by a suffix of at least one folder and the file name. A top-level file
 * name alone is too weak a suffix: `app.js` would also claim the CI machine's
 * `/ci/repo/src/app.js`.
 */
function absolutePathIsDocument(absolute: string, relPath: string): boolean {
  return relPath.includes('/') && absolute.endsWith(`/${relPath}`);
}

/**
 * Findings by workspace-relative path, built once per store change from every finding's
 * `location.resolvedPath ?? filePath`, so looking up a document's findings is one map lookup.
 * Paths that stay absolute (a CI machine's checkout) are matched by a suffix of at least one
 * folder and the file name, once per document.
 */
export class FindingsByDocument {
  private readonly byPath = new Map<string, Finding[]>();
  private readonly absolute = new Map<string, Finding[]>();
  private readonly suffixCache = new Map<string, Finding[]>();

  constructor(findings: Iterable<Finding>, folderPath: string) {
    for (const f of findings) {
      const raw = findingFilePath(f);
      if (!raw) continue;
      const p = normaliseFindingPath(raw, folderPath);
      const target = isAbsoluteFindingPath(p) ? this.absolute : this.byPath;
      const list = target.get(p);
      if (list) list.push(f);
      else target.set(p, [f]);
    }
  }

  /** The findings of the document at this workspace-relative path. */
  findingsFor(relPath: string): readonly Finding[] {
    const direct = this.byPath.get(relPath) ?? [];
    if (this.absolute.size === 0) return direct;
    let bySuffix = this.suffixCache.get(relPath);
    if (!bySuffix) {
      bySuffix = [];
      for (const [abs, list] of this.absolute) if (absolutePathIsDocument(abs, relPath)) bySuffix.push(...list);
      this.suffixCache.set(relPath, bySuffix);
    }
    return bySuffix.length === 0 ? direct : [...direct, ...bySuffix];
  }

  /** Every workspace-relative path that has findings (for the Problems panel). */
  paths(): IterableIterator<string> {
    return this.byPath.keys();
  }
}
