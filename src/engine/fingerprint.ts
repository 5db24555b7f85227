import { createHash } from 'node:crypto';
import type { Finding, ParsedFinding } from '../model';
import type { EngineContext } from './context';
import { registerDedupeRule, uniqueIdOrHashCandidates } from './dedupe';
import { isPlaceholderUniqueId, registerReimportMatcher, uniqueIdOrHashMatcher, type ReimportCandidateIndex, type ReimportMatch, type ReimportMatcher } from './matching';

/**
 * Identity that survives code moves (product.md §4). A finding's fingerprint is the tool's own
 * stable fingerprint when the report has one, otherwise a content fingerprint computed from the
 * flagged source line: rule + file + normalised line text + one line of context + an occurrence
 * counter among identical lines (the idea behind GitHub's `primaryLocationLineHash`). Neither
 * contains the line number, so adding a line above a finding does not change it.
 *
 * The engine stays pure: the host reads files and hands their lines over through
 * `EngineContext.source`.
 */

/** What the host provides: the current lines of a workspace file, and files git saw renamed. */
export interface SourcePort {
  /** The lines of a workspace-relative file, or undefined when it cannot be read. */
  lines(filePath: string): readonly string[] | undefined;
  /** Old path → new path for files renamed since the previous scan (git rename detection). */
  renamedFiles?(): ReadonlyMap<string, string>;
}

type Fingerprintable = Pick<ParsedFinding, 'filePath' | 'line' | 'vulnIdFromTool' | 'title' | 'location'> & {
  fingerprint?: string | null;
  lineHash?: string | null;
};

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

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

/** The flagged lines of a finding (start to end line), normalised and joined. */
function flaggedText(lines: readonly string[], f: Fingerprintable): string | null {
  const start = f.line ?? 0;
  if (start < 1 || start > lines.length) return null;
  const end = Math.min(Math.max(f.location?.endLine ?? start, start), lines.length, start + 20);
  return lines
    .slice(start - 1, end)
    .map(normaliseLineText)
    .join('\n');
}

/** The nearest non-blank line above the flagged line: a little context for the fingerprint. */
function contextAbove(lines: readonly string[], line: number): string {
  for (let i = line - 2; i >= 0; i--) {
    const t = normaliseLineText(lines[i]);
    if (t !== '') return t;
  }
  return '';
}

/**
 * Assigns `fingerprint` and `lineHash` to every finding of one report, in place. `lineHash` is
 * the rule plus the normalised flagged text, without the path, so a rename can be recognised.
 * Identical flagged lines of one rule in one file are numbered in line order, so each keeps its
 * own identity; the number is part of the content fingerprint.
 */
export function assignFingerprints(findings: Fingerprintable[], ctx: Pick<EngineContext, 'source'>): void {
  const occurrences = new Map<string, number>();
  const ordered = findings
    .map((f, index) => ({ f, index }))
    .sort((a, b) => (a.f.line ?? 0) - (b.f.line ?? 0) || a.index - b.index);
  for (const { f } of ordered) {
    const path = sourcePathOf(f);
    const lines = path && ctx.source ? ctx.source.lines(path) : undefined;
    const text = lines ? flaggedText(lines, f) : null;
    f.lineHash = text !== null ? sha(`${ruleOf(f)}\u0000${text}`) : null;
    const tool = toolFingerprint(f);
    if (tool) {
      f.fingerprint = tool;
    } else if (f.lineHash && lines && path) {
      const occurrenceKey = `${path}\u0000${f.lineHash}`;
      const n = (occurrences.get(occurrenceKey) ?? 0) + 1;
      occurrences.set(occurrenceKey, n);
      f.fingerprint = `content:${sha(`${path}\u0000${f.lineHash}\u0000${contextAbove(lines, f.line ?? 1)}`)}:${n}`;
    } else {
      f.fingerprint = null;
    }
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

function addTo(map: Map<string, Finding[]>, key: string | null | undefined, f: Finding): void {
  if (!key) return;
  const list = map.get(key);
  if (list) list.push(f);
  else map.set(key, [f]);
}

/** Same file and same rule + text: the key of the `moved` and `renamed` tiers. */
function textKey(path: string | null, lineHash: string | null | undefined): string | null {
  return path && lineHash ? `${path}\u0000${lineHash}` : null;
}

/** Same rule at the same line of the same file: the key of the `edited` tier. */
function lineKey(f: Finding): string | null {
  const path = sourcePathOf(f);
  return path && f.line != null ? `${ruleOf(f)}\u0000${path}\u0000${f.line}` : null;
}

/**
 * The `fingerprint` reimport algorithm: tiered matching, strictest first, each incoming finding
 * bound to one stored finding.
 * 1. `fingerprint`: the same fingerprint (tool or content);
 * 2. `fingerprint:moved`: the same rule and line text elsewhere in the same file (nearest
 *    line first);
 * 3. `fingerprint:edited`: the same rule at the same line of the same file, its text edited,
 *    only when nothing stricter claimed that stored finding;
 * 4. `fingerprint:renamed`: the same rule and line text in a file git reports as renamed;
 * 5. DefectDojo's `unique_id_from_tool_or_hash_code` keys, for findings with nothing to
 *    fingerprint (no file, or the file could not be read).
 * A stricter tier for one incoming finding must beat a looser tier for another, so the bindings
 * are decided for the whole report at once in `prepare`, tier by tier.
 */
export const fingerprintMatcher: ReimportMatcher = {
  algorithm: 'fingerprint',
  buildIndex(testFindings, ctx): ReimportCandidateIndex {
    const byFingerprint = new Map<string, Finding[]>();
    const byText = new Map<string, Finding[]>();
    const byLine = new Map<string, Finding[]>();
    const fallback = uniqueIdOrHashMatcher.buildIndex(testFindings, ctx);
    const index = (f: Finding) => {
      addTo(byFingerprint, f.fingerprint, f);
      addTo(byText, textKey(sourcePathOf(f), f.lineHash), f);
      addTo(byLine, lineKey(f), f);
    };
    for (const f of testFindings) index(f);

    const renamed = ctx.source?.renamedFiles?.() ?? new Map<string, string>();
    const oldPathOf = new Map([...renamed].map(([from, to]) => [to, from]));
    const assigned = new Map<Finding, ReimportMatch>();
    const prepared = new Set<Finding>();
    const createdInRun = new Set<number>();

    const match = (stored: Finding, incoming: Finding, tier: string): ReimportMatch => ({
      finding: stored,
      tier,
      fromLine: stored.line ?? null,
      toLine: incoming.line ?? null,
      fromFile: sourcePathOf(stored) !== sourcePathOf(incoming) ? sourcePathOf(stored) : null,
    });

    return {
      prepare(incoming) {
        const claimed = new Set<number>();
        const open = incoming.filter((f) => !prepared.has(f));
        for (const f of open) prepared.add(f);
        const bind = (f: Finding, stored: Finding | undefined, tier: string) => {
          if (!stored) return;
          claimed.add(stored.id);
          assigned.set(f, match(stored, f, tier));
        };
        const free = (list: readonly Finding[] | undefined) => (list ?? []).filter((s) => !claimed.has(s.id));
        const nearest = (list: Finding[], line: number | null | undefined) =>
          list.sort((a, b) => Math.abs((a.line ?? 0) - (line ?? 0)) - Math.abs((b.line ?? 0) - (line ?? 0)) || a.id - b.id)[0];
        const tiers: [string, (f: Finding) => Finding | undefined][] = [
          ['fingerprint', (f) => (f.fingerprint ? free(byFingerprint.get(f.fingerprint))[0] : undefined)],
          ['fingerprint:moved', (f) => nearest(free(byText.get(textKey(sourcePathOf(f), f.lineHash) ?? '')), f.line)],
          ['fingerprint:edited', (f) => free(byLine.get(lineKey(f) ?? ''))[0]],
          ['fingerprint:renamed', (f) => {
            const path = sourcePathOf(f);
            const oldPath = path ? oldPathOf.get(path) : undefined;
            return oldPath ? nearest(free(byText.get(textKey(oldPath, f.lineHash) ?? '')), f.line) : undefined;
          }],
        ];
        for (const [tier, find] of tiers) {
          for (const f of open) if (!assigned.has(f)) bind(f, find(f), tier);
        }
        for (const f of open) {
          if (assigned.has(f) || f.fingerprint) continue;
          const m = fallback.candidates(f).find((c) => !claimed.has(c.finding.id));
          if (m) bind(f, m.finding, m.tier);
        }
      },
      candidates(incoming) {
        const bound = assigned.get(incoming);
        if (bound) return [bound];
        if (!prepared.has(incoming)) return fallback.candidates(incoming);
        // A finding created earlier in this run with the same fingerprint is its match, so one
        // report never creates two copies of one fingerprint.
        const same = incoming.fingerprint ? byFingerprint.get(incoming.fingerprint) ?? [] : [];
        return same.filter((s) => createdInRun.has(s.id)).map((s) => match(s, incoming, 'fingerprint'));
      },
      add(created) {
        createdInRun.add(created.id);
        index(created);
        fallback.add(created);
      },
    };
  },
  stillPresent(created) {
    const prints = new Set(created.map((f) => f.fingerprint).filter((p): p is string => !!p));
    const others = uniqueIdOrHashMatcher.stillPresent(created);
    return (c) => (c.fingerprint ? prints.has(c.fingerprint) : others(c));
  },
};

// The fingerprint algorithm plugs into reimport through the matcher registry and into passive
// deduplication through the rule registry; the decision table never needs to know it exists.
registerReimportMatcher(fingerprintMatcher);

/**
 * Passive deduplication under `fingerprint`: an older original of the same Test_Type with the
 * same fingerprint (the same code, found again by another test of the product); findings with
 * nothing to fingerprint fall back to DefectDojo's unique-id-or-hash rule.
 */
registerDedupeRule('fingerprint', {
  *candidates(f, placement, run) {
    if (!f.fingerprint) {
      yield* uniqueIdOrHashCandidates(f, placement, run);
      return;
    }
    for (const c of run.olderOriginals('fingerprint', f.fingerprint, f)) {
      const cp = run.placementOf(c);
      if (cp && cp.test.testType === placement.test.testType) yield c;
    }
  },
  skipsFlaggedDuplicates: true,
});
