import type { Finding, ParsedFinding } from '../model';
import type { EngineContext } from './context';
import { addTo, partitionPoint } from './lists';
import {
  isPlaceholderUniqueId,
  uniqueIdOrHashMatcher,
  type MatchableFinding,
  type ReimportCandidateIndex,
  type ReimportMatch,
  type ReimportMatcher,
} from './matching';
import { sha256Hex } from './sha256';

/**
 * Identity that survives code moves (docs/improvements.md §4). A finding's fingerprint is the tool's own
 * stable fingerprint when the report has one, otherwise a content fingerprint computed from the
 * flagged source line: rule + file + normalised line text + one line of context + an occurrence
 * counter among identical lines (the idea behind GitHub's `primaryLocationLineHash`). Neither
 * contains the line number, so adding a line above a finding does not change it.
 *
 * The engine stays pure: the host reads files and hands their lines over through
 * `EngineContext.source`.
 */

type Fingerprintable = Pick<ParsedFinding, 'filePath' | 'line' | 'vulnIdFromTool' | 'title' | 'location'> & {
  fingerprint?: string | null;
  lineHash?: string | null;
  regionHash?: string | null;
};

/** Whitespace differences (re-indentation, reflowed spaces) do not change a line's identity. */
export function normaliseLineText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The rule a finding belongs to, for matching within one rule only. */
export function ruleOf(f: Fingerprintable): string {
  return f.location?.ruleId ?? f.vulnIdFromTool ?? f.title;
}

/** The workspace-relative path the editor and the source port know the file by. */
export function sourcePathOf(f: Pick<ParsedFinding, 'filePath' | 'location'>): string | null {
  return f.location?.resolvedPath ?? f.filePath ?? null;
}

function usable(value: string | null | undefined): value is string {
  return typeof value === 'string' && !isPlaceholderUniqueId(value);
}

/**
 * The tool's own stable fingerprint: SARIF `partialFingerprints` / `fingerprints`, Semgrep's
 * `fingerprint`, Gitleaks' `Fingerprint` without its commit part. Placeholders (`requires
 * login`, empty) count as none, because they would merge unrelated findings.
 */
export function toolFingerprint(f: Fingerprintable): string | null {
  const loc = f.location;
  if (!loc) return null;
  const pick = (record: Record<string, string> | undefined, transform: (name: string, value: string) => string = (_n, v) => v) => {
    if (!record) return null;
    const names = Object.keys(record).filter((name) => usable(record[name])).sort();
    if (names.length === 0) return null;
    return names.map((name) => `${name}=${transform(name, record[name])}`).join('|');
  };
  const withoutGitleaksCommit = (name: string, value: string) =>
    // Gitleaks fingerprints are `commit:file:rule:line` in git mode; the commit changes with
    // every commit that touches nothing about the secret, so it is dropped.
    name === 'gitleaks' && /^[0-9a-f]{7,40}:/.test(value) ? value.slice(value.indexOf(':') + 1) : value;
  const fromFingerprints = pick(loc.fingerprints, withoutGitleaksCommit);
  if (fromFingerprints) return `tool:${fromFingerprints}`;
  const fromPartial = pick(loc.partialFingerprints);
  return fromPartial ? `tool:${fromPartial}` : null;
}

/**
 * A finding's flagged text: the region's first line, which identity anchors on (an edit inside
 * a multi-line call keeps it), the whole region, which only breaks ties, and the nearest
 * non-blank line above, or null when the source of the text does not show it.
 */
interface FlaggedText {
  anchor: string;
  region: string;
  context: string | null;
}

/** Regions longer than this are cut: a whole function flagged as one region is no identity. */
const MAX_REGION_LINES = 21;

/** The flagged text as the workspace file has it. */
function flaggedTextInFile(lines: readonly string[], f: Fingerprintable): FlaggedText | null {
  const start = f.line ?? 0;
  if (start < 1 || start > lines.length) return null;
  const end = Math.min(Math.max(f.location?.endLine ?? start, start), lines.length, start + MAX_REGION_LINES - 1);
  const region = lines.slice(start - 1, end).map(normaliseLineText);
  return { anchor: region[0], region: region.join('\n'), context: contextAbove(lines, start) };
}

/** The nearest non-blank line above the flagged line: a little context for the fingerprint. */
function contextAbove(lines: readonly string[], line: number): string {
  for (let i = line - 2; i >= 0; i--) {
    const t = normaliseLineText(lines[i]);
    if (t !== '') return t;
  }
  return '';
}

/** Bandit (`12 code`) and gosec (`12: code`) number every line of their `code` field. */
const NUMBERED_LINE = /^(\d+)(?:(?::[ \t]?|[ \t])(.*))?$/;

/**
 * A report snippet's lines with the line number each is on. Numbered snippets (Bandit, gosec)
 * say so themselves; they count as numbered only when every line is, the numbers run on, and
 * the flagged line is among them, so a code line that merely starts with a number is not cut.
 * Other snippets start on the flagged line, or on `snippetStartLine` (a SARIF context region).
 */
export function snippetRows(snippet: string, firstLine: number, flaggedLine: number): { line: number; text: string }[] {
  const raw = snippet.replace(/\r\n?/g, '\n').split('\n');
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const numbered = raw.map((text) => NUMBERED_LINE.exec(text));
  const runsOn = numbered.every((m, i) => m !== null && (i === 0 || Number(m[1]) === Number(numbered[i - 1]![1]) + 1));
  if (runsOn && numbered.some((m) => Number(m![1]) === flaggedLine)) {
    return numbered.map((m) => ({ line: Number(m![1]), text: m![2] ?? '' }));
  }
  return raw.map((text, i) => ({ line: firstLine + i, text }));
}

/** The flagged text as the report's own snippet has it, normalised like the file's. */
function flaggedTextInSnippet(f: Fingerprintable): FlaggedText | null {
  const snippet = f.location?.snippet;
  const line = f.line ?? 0;
  if (!snippet || line < 1) return null;
  const rows = snippetRows(snippet, f.location?.snippetStartLine ?? line, line);
  const at = rows.findIndex((r) => r.line === line);
  if (at < 0) return null;
  const end = Math.min(Math.max(f.location?.endLine ?? line, line), line + MAX_REGION_LINES - 1);
  const region = rows.filter((r) => r.line >= line && r.line <= end).map((r) => normaliseLineText(r.text));
  if (region[0] === '') return null;
  let context: string | null = line === 1 ? '' : null;
  for (let i = at - 1; i >= 0; i--) {
    const t = normaliseLineText(rows[i].text);
    if (t !== '') {
      context = t;
      break;
    }
  }
  return { anchor: region[0], region: region.join('\n'), context };
}

/**
 * Whether the workspace file shows what the report flagged. A report scanned at another commit
 * (a CI artifact, a colleague's report) points at lines that now hold other code; its snippet
 * is then the better witness. Snippets may hold only the flagged columns (SARIF regions,
 * Gitleaks `Match`), so containment either way counts as agreement.
 */
function fileAgreesWithSnippet(file: FlaggedText, snippet: FlaggedText | null): boolean {
  if (!snippet) return true;
  return file.anchor !== '' && (file.anchor.includes(snippet.anchor) || snippet.anchor.includes(file.anchor));
}

/**
 * Assigns `fingerprint`, `lineHash` and `regionHash` to every finding of one report, in place.
 * The flagged text comes from the first source that has it: the workspace file when it agrees
 * with the report, else the report's own snippet. `lineHash` is the rule plus the normalised
 * first flagged line, without the path, so a rename can be recognised. Identical flagged lines
 * of one rule in one file are numbered in line order, so each keeps its own identity; the
 * number is part of the content fingerprint. Findings with no text from either source get no
 * content fingerprint and are matched on rule, file and message instead.
 */
export function assignFingerprints(findings: Fingerprintable[], ctx: Pick<EngineContext, 'source'>): void {
  // Only the occurrence counter depends on the order, so only the findings that get a content
  // fingerprint are put in line order (a report whose tool fingerprints every finding, as
  // CodeQL's and Semgrep's SARIF do, sorts nothing).
  const contentFingerprinted: { f: Fingerprintable; index: number; path: string; context: string }[] = [];
  for (let index = 0; index < findings.length; index++) {
    const f = findings[index];
    const path = sourcePathOf(f);
    const lines = path && ctx.source ? ctx.source.lines(path) : undefined;
    const inSnippet = flaggedTextInSnippet(f);
    const inFile = lines ? flaggedTextInFile(lines, f) : null;
    const text = inFile && fileAgreesWithSnippet(inFile, inSnippet) ? inFile : inSnippet;
    const rule = text ? ruleOf(f) : '';
    f.lineHash = text ? sha256Hex(`${rule}\u0000${text.anchor}`) : null;
    // A one-line region is its anchor: the same hash, without hashing it twice.
    f.regionHash = text ? (text.region === text.anchor ? f.lineHash : sha256Hex(`${rule}\u0000${text.region}`)) : null;
    const tool = toolFingerprint(f);
    if (tool) f.fingerprint = tool;
    else if (text && f.lineHash && path) contentFingerprinted.push({ f, index, path, context: text.context ?? '' });
    else f.fingerprint = null;
  }
  contentFingerprinted.sort((a, b) => (a.f.line ?? 0) - (b.f.line ?? 0) || a.index - b.index);
  const occurrences = new Map<string, number>();
  for (const { f, path, context } of contentFingerprinted) {
    const occurrenceKey = `${path}\u0000${f.lineHash}`;
    const n = (occurrences.get(occurrenceKey) ?? 0) + 1;
    occurrences.set(occurrenceKey, n);
    f.fingerprint = `content:${sha256Hex(`${path}\u0000${f.lineHash}\u0000${context}`)}:${n}`;
  }
}

/**
 * The key a triage decision is shared under (`.scan-ledger/triage.json`): the fingerprint, or
 * the hash code for findings that have no file to fingerprint (dependency advisories).
 */
export function identityKey(f: Pick<Finding, 'fingerprint' | 'hashCode'>): string | null {
  if (f.fingerprint) return f.fingerprint;
  return f.hashCode ? `hash:${f.hashCode}` : null;
}

/** Same file and same rule + text: the key of the `moved` and `renamed` tiers. */
function textKey(path: string | null, lineHash: string | null | undefined): string | null {
  return path && lineHash ? `${path}\u0000${lineHash}` : null;
}

/** Same rule at the same line of the same file: the key of the `edited` tier. */
function lineKey(f: MatchableFinding): string | null {
  const path = sourcePathOf(f);
  return path && f.line != null ? `${ruleOf(f)}\u0000${path}\u0000${f.line}` : null;
}

/** Same rule, file and message: the key of the position-independent `nearby` tier. */
function messageKey(f: MatchableFinding): string | null {
  const path = sourcePathOf(f);
  return path ? `${ruleOf(f)}\u0000${path}\u0000${normaliseLineText(f.title)}` : null;
}

const distance = (a: MatchableFinding, b: MatchableFinding): number => Math.abs((a.line ?? 0) - (b.line ?? 0));

/**
 * What a report says about the flagged text's extent without carrying the text: the width of a
 * one-line region (end column − start column) or the number of lines of a longer one. Moving or
 * re-indenting a line keeps it; editing the flagged expression usually does not
 * (`statuses[chunk]` → `statuses.message[chunk]`). Null when the report gives no columns.
 */
export function regionShape(f: Pick<Finding, 'line' | 'location'>): string | null {
  const end = f.location?.endLine;
  if (f.line != null && end != null && end > f.line) return `lines:${end - f.line}`;
  const [start, stop] = [f.location?.column, f.location?.endColumn];
  return start != null && stop != null ? `width:${stop - start}` : null;
}

/** Whether two findings' region shapes allow them to be one finding: equal, or one unknown. */
const shapesAgree = (a: MatchableFinding, b: MatchableFinding): boolean => {
  const [x, y] = [regionShape(a), regionShape(b)];
  return x === null || y === null || x === y;
};

/**
 * Groups larger than this (the smaller side × the larger side²) are bound nearest first instead
 * of aligned: the alignment is cubic, and a report with thousands of one rule's identical
 * messages in one file is a generated file, where the nearest line is as good a guess as any.
 */
const ALIGN_MAX_WORK = 4_000_000;
/** The alignment work one reimport may spend over all its groups, so many mid-sized groups cannot add up to minutes. */
const ALIGN_REPORT_WORK = 40_000_000;

/**
 * Both sides of an alignment in line order; equal lines keep the report's order (incoming) and
 * go oldest first (stored), so an alignment never depends on how the report lists them.
 */
function inLineOrder<I extends MatchableFinding>(incoming: readonly I[], stored: readonly Finding[]): [I[], Finding[]] {
  const position = new Map(incoming.map((f, index) => [f, index]));
  const inc = [...incoming].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const sto = [...stored].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.id - b.id);
  return [inc, sto];
}

/**
 * Binds the findings of one rule, file and message that have no line text, keeping their order:
 * code edits move lines but keep unchanged lines in the same order, so the k-th of a group stays
 * before the (k+1)-th. Nearest-first binding swaps two findings when the shift exceeds their
 * spacing (findings at 931 and 936 that moved to 936 and 941: the new 936 is nearest the old
 * 936); in order they cannot swap. Every finding of the smaller side is bound (as nearest-first
 * binds as many), and among the order-keeping choices the one whose shift changes least from
 * pair to pair wins: a block of code moves as a whole. The first pair's shift is measured from
 * `shift`, how far the code there moved as the anchors tell (`ShiftAnchors`), when they can;
 * otherwise the smaller first shift only breaks ties. The line text tells more than this, so it only runs
 * where a side has none. Remaining ties go to the earlier line, then the older finding, so the
 * result does not depend on the report's order. Returns null when the group is too large.
 */
export function alignInOrder<I extends MatchableFinding>(
  incoming: readonly I[],
  stored: readonly Finding[],
  shift: number | null,
  maxWork = ALIGN_MAX_WORK,
): [I, Finding][] | null {
  const n = Math.min(incoming.length, stored.length);
  const m = Math.max(incoming.length, stored.length);
  if (n === 0) return [];
  if (n * m * m > Math.min(maxWork, ALIGN_MAX_WORK)) return null;
  const [inc, sto] = inLineOrder(incoming, stored);
  const incomingSmaller = inc.length <= sto.length;
  const [small, large] = incomingSmaller ? [inc, sto] : [sto, inc];
  // The shift of a pair: how far the incoming finding is from the stored one.
  const delta = (i: number, j: number): number => (incomingSmaller ? (small[i].line ?? 0) - (large[j].line ?? 0) : (large[j].line ?? 0) - (small[i].line ?? 0));
  // For small[i] bound to large[j], every earlier one of the small side bound to an earlier one
  // of the large side: the least total change of shift, then the least first shift (which only
  // decides when no shift of the file is known), and the partner of small[i - 1].
  const change: number[][] = [];
  const first: number[][] = [];
  const from: number[][] = [];
  const better = (c: number, f: number, i: number, j: number) => c < change[i][j] || (c === change[i][j] && f < first[i][j]);
  for (let i = 0; i < n; i++) {
    change.push(new Array<number>(m).fill(Infinity));
    first.push(new Array<number>(m).fill(Infinity));
    from.push(new Array<number>(m).fill(-1));
    // small[i] needs i earlier partners and n - 1 - i later ones.
    for (let j = i; j <= m - n + i; j++) {
      if (i === 0) {
        change[0][j] = shift === null ? 0 : Math.abs(delta(0, j) - shift);
        first[0][j] = Math.abs(delta(0, j));
        continue;
      }
      for (let k = i - 1; k < j; k++) {
        const c = change[i - 1][k] + Math.abs(delta(i, j) - delta(i - 1, k));
        if (better(c, first[i - 1][k], i, j)) {
          change[i][j] = c;
          first[i][j] = first[i - 1][k];
          from[i][j] = k;
        }
      }
    }
  }
  let j = n - 1;
  for (let k = n; k < m; k++) if (better(change[n - 1][k], first[n - 1][k], n - 1, j)) j = k;
  const pairs: [I, Finding][] = [];
  for (let i = n - 1; i >= 0; i--) {
    pairs.push(pairAt(incomingSmaller, inc, sto, i, j));
    j = from[i][j];
  }
  return pairs.reverse();
}

/**
 * The i-th finding of an alignment's smaller side and the j-th of its larger, as the pair
 * (incoming, stored): the alignments walk the sides as smaller and larger, and bind them by role.
 */
function pairAt<I extends MatchableFinding>(incomingSmaller: boolean, incoming: readonly I[], stored: readonly Finding[], i: number, j: number): [I, Finding] {
  return incomingSmaller ? [incoming[i], stored[j]] : [incoming[j], stored[i]];
}

/** How many stored findings of a group too large to align each incoming one is paired with. */
const NEAREST_CANDIDATES = 16;

/**
 * The stored findings an incoming finding of a nearest-first group may bind to: all of a small
 * group, the NEAREST_CANDIDATES nearest lines of a large one (`byLine`, sorted by line), so a
 * generated file with thousands of identical findings costs a few pairs each, not every pair
 * (which ran out of memory).
 */
function nearestCandidates(f: MatchableFinding, byLine: readonly Finding[]): readonly Finding[] {
  if (byLine.length <= NEAREST_CANDIDATES) return byLine;
  const line = f.line ?? 0;
  // The first candidate at or below the line; then outwards, nearer first.
  const lo = partitionPoint(byLine, (s) => (s.line ?? 0) < line);
  const picked: Finding[] = [];
  let [left, right] = [lo - 1, lo];
  while (picked.length < NEAREST_CANDIDATES && (left >= 0 || right < byLine.length)) {
    const takeLeft = right >= byLine.length || (left >= 0 && line - (byLine[left].line ?? 0) <= (byLine[right].line ?? 0) - line);
    picked.push(takeLeft ? byLine[left--] : byLine[right++]);
  }
  return picked;
}

/** An anchor: an incoming finding's line, how far it moved, and whether it moved with the file. */
interface Anchor {
  line: number;
  storedLine: number;
  shift: number;
  /**
   * Whether the anchor is on its file's longest in-order chain of anchors (the lines a diff
   * would call unchanged). One off it sits in a block that moved or was copied: a copy of a
   * function pasted elsewhere carries anchors of its own that point back at the original.
   */
  inOrder: boolean;
}

/**
 * Where the code around a line moved: pairs bound by a fingerprint only they share (an incoming
 * finding, the stored one), per file, by incoming line. The shift at a line is the nearest
 * anchor's, as a diff's hunks shift the unchanged lines between them.
 */
class ShiftAnchors {
  /**
   * The pairs as they are bound, as two lists (one pair per report finding, so no array per
   * pair); indexed by file on the first question, if one is ever asked.
   */
  private readonly incoming: MatchableFinding[] = [];
  private readonly stored: Finding[] = [];
  private byPath: Map<string, Anchor[]> | null = null;

  add(incoming: MatchableFinding, stored: Finding): void {
    this.incoming.push(incoming);
    this.stored.push(stored);
    this.byPath = null;
  }

  private index(): Map<string, Anchor[]> {
    const byPath = new Map<string, Anchor[]>();
    for (let k = 0; k < this.incoming.length; k++) {
      const incoming = this.incoming[k];
      const stored = this.stored[k];
      const path = sourcePathOf(incoming);
      if (!path || path !== sourcePathOf(stored) || incoming.line == null || stored.line == null) continue;
      addTo(byPath, path, { line: incoming.line, storedLine: stored.line, shift: incoming.line - stored.line, inOrder: false });
    }
    for (const list of byPath.values()) {
      list.sort((a, b) => a.line - b.line || a.storedLine - b.storedLine);
      markLongestInOrderChain(list);
    }
    return byPath;
  }

  /** The anchors on either side of a finding's line in its file (at the line counts as both). */
  anchorsAround(f: MatchableFinding): { before: Anchor | null; after: Anchor | null } {
    this.byPath ??= this.index();
    const list = this.byPath.get(sourcePathOf(f) ?? '');
    if (!list || f.line == null) return { before: null, after: null };
    const lo = partitionPoint(list, (a) => a.line < (f.line ?? 0));
    const after = list[lo] ?? null;
    return { before: after && after.line === f.line ? after : list[lo - 1] ?? null, after };
  }

  /** The shift at a finding's line (the nearer anchor's), or null when no anchor is in its file. */
  shiftAt(f: MatchableFinding): number | null {
    const { before, after } = this.anchorsAround(f);
    if (!before || !after) return (before ?? after)?.shift ?? null;
    return (f.line ?? 0) - before.line < after.line - (f.line ?? 0) ? before.shift : after.shift;
  }
}

/**
 * Marks the anchors (sorted by incoming line) on the longest chain whose stored lines also rise:
 * patience sorting, O(k log k).
 */
function markLongestInOrderChain(anchors: Anchor[]): void {
  // tails[k]: the index of the anchor ending the best chain of length k + 1 found so far.
  const tails: number[] = [];
  const previous = new Array<number>(anchors.length).fill(-1);
  for (let i = 0; i < anchors.length; i++) {
    const lo = partitionPoint(tails, (t) => anchors[t].storedLine <= anchors[i].storedLine);
    previous[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) anchors[i].inOrder = true;
}

/**
 * Where the anchors say an incoming finding's line was: a stretch of stored lines, and how many
 * of the anchors that place it are off their file's in-order chain. Between two anchors the
 * code may have grown or shrunk anywhere, so every line between the places the two shifts give
 * is as likely as any other; a diff, too, cannot tell which of two identical lines in such a
 * stretch is the old one, and takes the first. Between equally near candidates, the one placed
 * by anchors that moved with their file wins over one placed by an anchor in a moved or copied
 * block: a near copy of a function pasted above the original takes nothing from it.
 */
interface ExpectedPlace {
  low: number;
  high: number;
  offChain: number;
}

function expectedPlace(anchors: ShiftAnchors, f: MatchableFinding): ExpectedPlace {
  const { before, after } = anchors.anchorsAround(f);
  const shifts = [before?.shift ?? after?.shift ?? 0, after?.shift ?? before?.shift ?? 0];
  return {
    low: (f.line ?? 0) - Math.max(...shifts),
    high: (f.line ?? 0) - Math.min(...shifts),
    offChain: Number(before !== null && !before.inOrder) + Number(after !== null && !after.inOrder),
  };
}

/**
 * How far a stored line is from an expected place, scaled so that a line of distance always
 * outweighs the tie-breaker (`scale` is more than twice the findings one alignment can bind).
 */
function expectedCost(place: ExpectedPlace, line: number, scale: number): number {
  const distance = line < place.low ? place.low - line : line > place.high ? line - place.high : 0;
  return distance * scale + place.offChain;
}

/** Pairs of findings sharing one fingerprint further apart than this are bound after every nearer pair. */
const NEAR_LINES = 200;

/**
 * Binds findings that share one fingerprint (flawfinder's hash is the same for a line in any
 * file), one file at a time, because line order only means something within a file; what is
 * left on both sides then goes across files (a renamed file keeps its findings).
 */
function alignByExpectedLine(incoming: readonly MatchableFinding[], stored: readonly Finding[], anchors: ShiftAnchors): [MatchableFinding, Finding][] {
  const pairs: [MatchableFinding, Finding][] = [];
  const bound = new Set<MatchableFinding>();
  const left = <F extends MatchableFinding>(list: readonly F[]) => list.filter((f) => !bound.has(f));
  const take = (found: [MatchableFinding, Finding][]) => {
    for (const pair of found) {
      pairs.push(pair);
      bound.add(pair[0]).add(pair[1]);
    }
  };
  const byPath = <F extends MatchableFinding>(list: readonly F[]) => {
    const map = new Map<string, F[]>();
    for (const f of list) addTo(map, sourcePathOf(f) ?? '\u0000', f);
    return map;
  };
  // Near pairs first, so one far pair (an identical line deleted 50,000 lines away) cannot
  // force a near one out of order; then, per file, what is left whatever the distance.
  for (const gap of [NEAR_LINES, Infinity]) {
    const storedByPath = byPath(left(stored));
    for (const [path, members] of byPath(left(incoming))) {
      const candidates = storedByPath.get(path);
      if (candidates) take(alignInOneOrder(members, candidates, anchors, gap));
    }
  }
  take(alignInOneOrder(left(incoming), left(stored), anchors, Infinity));
  return pairs;
}

/**
 * Binds findings that share one fingerprint, keeping their line order: the order-keeping choice
 * that puts each pair nearest where the anchors say its line went wins (a finding in another
 * file than its partner counts as far away). A finding of the smaller side may stay unbound at
 * the cost of `gap` lines (Infinity: every one is bound). Ties go to the earlier line, as a
 * diff's do. Groups too large to align fall back to the older findings first.
 */
function alignInOneOrder(incoming: readonly MatchableFinding[], stored: readonly Finding[], anchors: ShiftAnchors, gap: number): [MatchableFinding, Finding][] {
  const n = Math.min(incoming.length, stored.length);
  const m = Math.max(incoming.length, stored.length);
  if (n === 0) return [];
  if (n * m > ALIGN_MAX_WORK) {
    if (gap !== Infinity) return [];
    const older = [...stored].sort((a, b) => a.id - b.id);
    return incoming.slice(0, n).map((f, i) => [f, older[i]]);
  }
  const [inc, sto] = inLineOrder(incoming, stored);
  const scale = 2 * n + 1;
  const places = new Map<MatchableFinding, ExpectedPlace>();
  const cost = (f: MatchableFinding, s: Finding): number => {
    if (sourcePathOf(f) !== sourcePathOf(s)) return 1e12;
    let place = places.get(f);
    if (!place) places.set(f, (place = expectedPlace(anchors, f)));
    return expectedCost(place, s.line ?? 0, scale);
  };
  const skipCost = gap * scale;
  const incomingSmaller = inc.length <= sto.length;
  // The cost of `pairAt(…, i, j)`, without building the pair: it runs n × m times.
  const pairCost = (i: number, j: number) => (incomingSmaller ? cost(inc[i], sto[j]) : cost(inc[j], sto[i]));
  // best[i * (m + 1) + j]: the least cost of the first i of the small side against the first j
  // of the large side, each of those small ones bound to one of those large ones or skipped.
  const width = m + 1;
  const best = new Float64Array((n + 1) * width);
  for (let i = 1; i <= n; i++) {
    best[i * width] = i * skipCost;
    for (let j = 1; j <= m; j++) {
      best[i * width + j] = Math.min(best[(i - 1) * width + j - 1] + pairCost(i - 1, j - 1), best[i * width + j - 1], best[(i - 1) * width + j] + skipCost);
    }
  }
  // Walk back from the end: a large one left out when that costs no more (so the earlier line
  // takes a tie), a pair when it was the choice, else a skipped small one.
  const pairs: [MatchableFinding, Finding][] = [];
  let [i, j] = [n, m];
  while (i > 0 && j > 0) {
    const here = best[i * width + j];
    if (best[i * width + j - 1] <= here) j--;
    else if (best[(i - 1) * width + j - 1] + pairCost(i - 1, j - 1) <= here) {
      pairs.push(pairAt(incomingSmaller, inc, sto, i - 1, j - 1));
      i--;
      j--;
    } else i--;
  }
  return pairs.reverse();
}

/**
 * The `fingerprint` reimport algorithm: tiered matching, strictest first, each incoming finding
 * bound to one stored finding.
 * 1. `fingerprint`: the same fingerprint (tool or content);
 * 2. `fingerprint:moved`: the same rule and first flagged line elsewhere in the same file
 *    (the same whole region first, then the nearest line);
 * 3. `fingerprint:edited`: the same rule at the same line of the same file, its text edited,
 *    only when nothing stricter claimed that stored finding;
 * 4. `fingerprint:renamed`: the same rule and line text in a file git reports as renamed;
 * 5. `fingerprint:nearby`: when either side has no line text (neither the workspace file nor
 *    the report had it), the same rule, file and message, in line order (`alignInOrder`), ties
 *    to the lower line and the older finding;
 * 6. DefectDojo's `unique_id_from_tool_or_hash_code` keys, for findings with no line text.
 * A tool fingerprint that finds no stored finding does not end the search: tiers 2 to 6 still
 * run for it, so a tool whose fingerprint hashes neighbouring lines loses nothing when only the
 * neighbours changed. A stricter tier for one incoming finding must beat a looser tier for
 * another, so the bindings are decided for the whole report at once in `prepare`, tier by tier.
 */
export const fingerprintMatcher: ReimportMatcher = {
  algorithm: 'fingerprint',
  buildIndex(testFindings, ctx): ReimportCandidateIndex {
    const byFingerprint = new Map<string, Finding[]>();
    for (const f of testFindings) addTo(byFingerprint, f.fingerprint || null, f);
    // DefectDojo's keys are only asked for findings without line text, often none at all, so
    // they are indexed on first use (over the test's live list, which then holds the findings
    // this run created; those created later are added as they come).
    let fallbackIndex: ReimportCandidateIndex | null = null;
    const fallback = (): ReimportCandidateIndex => (fallbackIndex ??= uniqueIdOrHashMatcher.buildIndex(testFindings, ctx));

    const renamed = ctx.source?.renamedFiles?.() ?? new Map<string, string>();
    const oldPathOf = new Map([...renamed].map(([from, to]) => [to, from]));
    // Every prepared incoming finding, with its binding or null while it has none: one map
    // instead of a set of the prepared beside a map of the bound (a report's worth of entries).
    const assigned = new Map<MatchableFinding, ReimportMatch | null>();
    const isBound = (f: MatchableFinding): boolean => assigned.get(f) != null;
    const createdInRun = new Set<number>();

    const match = (stored: Finding, incoming: MatchableFinding, tier: string): ReimportMatch => ({
      finding: stored,
      tier,
      fromLine: stored.line ?? null,
      toLine: incoming.line ?? null,
      fromFile: sourcePathOf(stored) !== sourcePathOf(incoming) ? sourcePathOf(stored) : null,
    });

    return {
      prepare(incoming) {
        const claimed = new Set<number>();
        const open = incoming.filter((f) => !assigned.has(f));
        for (const f of open) assigned.set(f, null);
        const bind = (f: MatchableFinding, stored: Finding | undefined, tier: string) => {
          if (!stored) return;
          claimed.add(stored.id);
          assigned.set(f, match(stored, f, tier));
        };
        const free = (list: readonly Finding[] | undefined) => (list ?? []).filter((s) => !claimed.has(s.id));
        // Tier 1, the fingerprint. One that one incoming and one stored finding share is an
        // identity, and an anchor: how far its file moved there. One that several share (a
        // tool's hash of a line that occurs many times, as flawfinder's `contextHash/v1` of
        // `char zBuf[100];`) is bound by where the anchors around it say each one went.
        const anchors = new ShiftAnchors();
        // The incoming findings of each fingerprint, in the order the fingerprints first occur
        // (one pass over the report): a fingerprint of one incoming and one stored finding is
        // bound in that order, which is the report's order among such fingerprints. Only
        // fingerprints some stored finding has are grouped, keyed by the stored list (one
        // look-up of the fingerprint per incoming finding), and most belong to one incoming
        // finding: those are kept without a list of their own.
        const incomingOf = new Map<Finding[], MatchableFinding | MatchableFinding[]>();
        for (const f of open) {
          const stored = f.fingerprint ? byFingerprint.get(f.fingerprint) : undefined;
          if (!stored) continue;
          const seen = incomingOf.get(stored);
          if (seen === undefined) incomingOf.set(stored, f);
          else if (Array.isArray(seen)) seen.push(f);
          else incomingOf.set(stored, [seen, f]);
        }
        const shared: [Finding[], MatchableFinding[]][] = [];
        for (const [stored, members] of incomingOf) {
          if (stored.length === 1 && !Array.isArray(members)) {
            if (!claimed.has(stored[0].id)) {
              bind(members, stored[0], 'fingerprint');
              anchors.add(members, stored[0]);
            }
            continue;
          }
          shared.push([stored, Array.isArray(members) ? members : [members]]);
        }
        for (const [stored, members] of shared) {
          for (const [f, s] of alignByExpectedLine(members, free(stored), anchors)) bind(f, s, 'fingerprint');
        }
        // The looser tiers look only at stored findings the fingerprint left free, so they are
        // indexed after it: in a reimport where most findings keep their fingerprint, a few.
        const byText = new Map<string, Finding[]>();
        const byLine = new Map<string, Finding[]>();
        const byMessage = new Map<string, Finding[]>();
        for (const s of testFindings) {
          if (claimed.has(s.id)) continue;
          addTo(byText, textKey(sourcePathOf(s), s.lineHash), s);
          addTo(byLine, lineKey(s), s);
          addTo(byMessage, messageKey(s), s);
        }
        // Among stored findings with the same first line, the one whose whole region is
        // unchanged comes first, then the one nearest where the anchors say the line went,
        // then the oldest.
        const expectedDistance = (s: Finding, f: MatchableFinding) => Math.abs((f.line ?? 0) - (anchors.shiftAt(f) ?? 0) - (s.line ?? 0));
        const nearest = (list: Finding[], f: MatchableFinding) =>
          list.sort((a, b) =>
            Number(b.regionHash != null && b.regionHash === f.regionHash) - Number(a.regionHash != null && a.regionHash === f.regionHash) ||
            expectedDistance(a, f) - expectedDistance(b, f) ||
            a.id - b.id)[0];
        const tiers: [string, (f: MatchableFinding) => Finding | undefined][] = [
          ['fingerprint:moved', (f) => nearest(free(byText.get(textKey(sourcePathOf(f), f.lineHash) ?? '')), f)],
          // An edit is only recognisable when both sides have line text to differ.
          ['fingerprint:edited', (f) => (f.lineHash ? free(byLine.get(lineKey(f) ?? '')).find((s) => s.lineHash) : undefined)],
          ['fingerprint:renamed', (f) => {
            const path = sourcePathOf(f);
            const oldPath = path ? oldPathOf.get(path) : undefined;
            return oldPath ? nearest(free(byText.get(textKey(oldPath, f.lineHash) ?? '')), f) : undefined;
          }],
        ];
        // Later tiers look only at what the fingerprint left (usually a few of the report).
        const left = open.filter((f) => !isBound(f));
        for (const [tier, find] of tiers) {
          for (const f of left) if (!isBound(f)) bind(f, find(f), tier);
        }
        // Position-independent matching of one rule, file, message and region shape (a finding
        // whose flagged extent changed was edited) where a side has no line text: each such group
        // aligned in order (`alignInOrder`), from the shift the anchors give at its first
        // finding; what remains is bound nearest first over the whole report (below), so the
        // finding that moved least keeps its place whatever order the report lists them in.
        const groups = new Map<string, MatchableFinding[]>();
        for (const f of left) {
          const key = isBound(f) ? null : messageKey(f);
          addTo(groups, key && `${key}\u0000${regionShape(f) ?? ''}`, f);
        }
        let work = ALIGN_REPORT_WORK;
        for (const members of groups.values()) {
          const shape = regionShape(members[0]);
          const candidates = free(byMessage.get(messageKey(members[0]) ?? '')).filter((s) => regionShape(s) === shape);
          const textless = members.every((f) => !f.lineHash) || candidates.every((s) => !s.lineHash);
          const aligned = textless ? alignInOrder(members, candidates, anchors.shiftAt(members[0]), work) : null;
          if (!aligned) continue;
          const [n, m] = [Math.min(members.length, candidates.length), Math.max(members.length, candidates.length)];
          work -= n * m * m;
          for (const [f, s] of aligned) bind(f, s, 'fingerprint:nearby');
        }
        // What alignment did not bind (a group where some findings have line text, one too large
        // to align, or a side without columns) goes nearest first, among the stored findings of
        // the message whose shape agrees (a side without columns agrees with any).
        const pairs: { f: MatchableFinding; s: Finding; d: number }[] = [];
        const sortedCandidates = new Map<string, readonly Finding[]>();
        for (const [shaped, members] of groups) {
          for (const f of members) {
            if (isBound(f)) continue;
            let byLine = sortedCandidates.get(shaped);
            if (!byLine) {
              const agreeing = free(byMessage.get(messageKey(f) ?? '')).filter((s) => shapesAgree(f, s));
              byLine = agreeing.length > NEAREST_CANDIDATES ? agreeing.sort((x, y) => (x.line ?? 0) - (y.line ?? 0) || x.id - y.id) : agreeing;
              sortedCandidates.set(shaped, byLine);
            }
            for (const s of nearestCandidates(f, byLine)) {
              if (f.lineHash && s.lineHash) continue;
              pairs.push({ f, s, d: distance(f, s) });
            }
          }
        }
        pairs.sort((a, b) => a.d - b.d || (a.f.line ?? 0) - (b.f.line ?? 0) || a.s.id - b.s.id);
        for (const { f, s } of pairs) {
          if (!isBound(f) && !claimed.has(s.id)) bind(f, s, 'fingerprint:nearby');
        }
        for (const f of left) {
          if (isBound(f) || f.lineHash) continue;
          const m = fallback().candidates(f).find((c) => !claimed.has(c.finding.id));
          if (m) bind(f, m.finding, m.tier);
        }
      },
      candidates(incoming) {
        const bound = assigned.get(incoming);
        if (bound) return [bound];
        if (bound === undefined) return fallback().candidates(incoming);
        // A finding created earlier in this run with the same fingerprint is its match, so one
        // report never creates two copies of one fingerprint.
        const same = incoming.fingerprint ? byFingerprint.get(incoming.fingerprint) ?? [] : [];
        return same.filter((s) => createdInRun.has(s.id)).map((s) => match(s, incoming, 'fingerprint'));
      },
      add(created) {
        createdInRun.add(created.id);
        addTo(byFingerprint, created.fingerprint || null, created);
        fallbackIndex?.add(created);
      },
    };
  },
  stillPresent(created) {
    const prints = new Set(created.map((f) => f.fingerprint).filter((p): p is string => !!p));
    const others = uniqueIdOrHashMatcher.stillPresent(created);
    return (c) => (c.fingerprint ? prints.has(c.fingerprint) : others(c));
  },
};
