import type { DedupeAlgorithm, Finding, Settings } from '../model';
import type { EngineContext } from './context';
import { addTo } from './lists';

/**
 * One stored finding an incoming finding may be bound to on reimport, and how it was found.
 * `tier` names the rule that matched (`hash_code`, `unique_id_from_tool`, `legacy`, or a tiered
 * algorithm's label such as `fingerprint:moved`); it is recorded on the import action together
 * with where the finding moved from and to, so history can say "moved from line 40 to 52".
 */
export interface ReimportMatch {
  finding: Finding;
  tier: string;
  fromLine?: number | null;
  toLine?: number | null;
  fromFile?: string | null;
}

/**
 * What reimport matching reads of an incoming finding: the keys of DefectDojo's algorithms
 * (hash code, unique id, title and severity), the §4.2 sort key, and what the fingerprint tiers
 * compare (file, line, rule, region, line hashes, fingerprint). A reimport keeps only these of
 * each incoming finding while the whole report is matched and drafts a finding whole when it
 * processes it, so the report's drafts are never all alive at once (issue 13). A stored
 * `Finding` is one too.
 */
export type MatchableFinding = Pick<
  Finding,
  'hashCode' | 'uniqueIdFromTool' | 'filePath' | 'line' | 'title' | 'severity' | 'vulnIdFromTool' | 'location' | 'fingerprint' | 'lineHash' | 'regionHash'
>;

/**
 * The candidate index one matcher builds over the target test's findings for one reimport run.
 * Candidates come back best first: strictest tier first, and within a tier oldest (lowest id)
 * first, which for DefectDojo's algorithms is simply ascending id (§4.3).
 */
export interface ReimportCandidateIndex {
  /**
   * Optional: sees every incoming finding of the run before any is matched, for algorithms
   * whose bindings depend on the whole report (tiered matching binds the strictest tier first).
   */
  prepare?(incoming: readonly MatchableFinding[]): void;
  candidates(incoming: MatchableFinding): ReimportMatch[];
  /**
   * A finding created during this run: later identical incoming findings must match it instead
   * of creating a second copy (§4.3, "new findings created earlier in the same batch are added
   * to the in-memory candidate maps").
   */
  add(created: Finding): void;
}

/**
 * A reimport matching algorithm. The decision table (reimport-scan.ts) only sees this
 * interface, so a further algorithm plugs in by registering a matcher.
 */
export interface ReimportMatcher {
  readonly algorithm: DedupeAlgorithm;
  /** Builds the index over the target test's findings (all statuses, duplicates included). */
  buildIndex(testFindings: readonly Finding[], ctx: EngineContext): ReimportCandidateIndex;
  /**
   * Import's close-old "still present" rule (§3.3 step 3): given the findings just created and
   * not mitigated, says whether an older finding is still reported.
   */
  stillPresent(created: readonly Finding[]): (candidate: Finding) => boolean;
}

/**
 * An index keyed by one string per finding. Lists stay in ascending id order because the
 * test's findings come oldest first and findings created later always get higher ids.
 */
function keyedIndex(
  testFindings: readonly Finding[],
  keyOf: (f: MatchableFinding) => string | null,
  tier: string,
): ReimportCandidateIndex {
  const byKey = new Map<string, Finding[]>();
  for (const f of testFindings) {
    const key = keyOf(f);
    if (key !== null) addTo(byKey, key, f);
  }
  return {
    candidates(incoming) {
      const key = keyOf(incoming);
      if (key === null) return [];
      const list = byKey.get(key);
      return list ? list.map((finding) => ({ finding, tier })) : [];
    },
    add(created) {
      const key = keyOf(created);
      if (key !== null) addTo(byKey, key, created);
    },
  };
}

const hashKey = (f: MatchableFinding): string | null => f.hashCode ?? null;
/** `unique_id_from_tool`: null never matches, but the empty string is a value (§4.3). */
const uniqueIdKey = (f: MatchableFinding): string | null => f.uniqueIdFromTool ?? null;
/** Legacy reimport key: lower(title) and severity; an empty title never matches (§4.3). */
const legacyKey = (f: MatchableFinding): string | null => (f.title ? `${f.title.toLowerCase()}\u0000${f.severity}` : null);

/** The set of non-null values of a key over some findings. */
function keySet(findings: readonly Finding[], keyOf: (f: MatchableFinding) => string | null): Set<string> {
  const set = new Set<string>();
  for (const f of findings) {
    const k = keyOf(f);
    if (k !== null) set.add(k);
  }
  return set;
}

export const hashCodeMatcher: ReimportMatcher = {
  algorithm: 'hash_code',
  buildIndex: (testFindings) => keyedIndex(testFindings, hashKey, 'hash_code'),
  stillPresent(created) {
    const hashes = keySet(created, hashKey);
    return (c) => c.hashCode != null && hashes.has(c.hashCode);
  },
};

/**
 * Same unique id within the target test. DefectDojo also requires the same Test_Type, which the
 * test scope already guarantees.
 */
export const uniqueIdMatcher: ReimportMatcher = {
  algorithm: 'unique_id_from_tool',
  buildIndex: (testFindings) => keyedIndex(testFindings, uniqueIdKey, 'unique_id_from_tool'),
  stillPresent(created) {
    const ids = keySet(created, uniqueIdKey);
    return (c) => c.uniqueIdFromTool != null && ids.has(c.uniqueIdFromTool);
  },
};

/**
 * The union of unique-id and hash candidates, de-duplicated by id and walked in ascending id,
 * with no preference for either kind (§4.3, §9): a lower-id hash match wins over an exact
 * unique-id match, as in DefectDojo.
 */
export const uniqueIdOrHashMatcher: ReimportMatcher = {
  algorithm: 'unique_id_from_tool_or_hash_code',
  buildIndex(testFindings) {
    const byUid = keyedIndex(testFindings, uniqueIdKey, 'unique_id_from_tool');
    const byHash = keyedIndex(testFindings, hashKey, 'hash_code');
    return {
      candidates(incoming) {
        const a = byUid.candidates(incoming);
        const b = byHash.candidates(incoming);
        if (a.length === 0) return b;
        if (b.length === 0) return a;
        // Merge two ascending-id lists; a finding in both is listed once, as a unique-id match.
        const out: ReimportMatch[] = [];
        let i = 0;
        let j = 0;
        while (i < a.length || j < b.length) {
          if (j >= b.length || (i < a.length && a[i].finding.id < b[j].finding.id)) out.push(a[i++]);
          else if (i >= a.length || b[j].finding.id < a[i].finding.id) out.push(b[j++]);
          else {
            out.push(a[i++]);
            j++;
          }
        }
        return out;
      },
      add(created) {
        byUid.add(created);
        byHash.add(created);
      },
    };
  },
  stillPresent(created) {
    const hashes = keySet(created, hashKey);
    const ids = keySet(created, uniqueIdKey);
    return (c) => (c.hashCode != null && hashes.has(c.hashCode)) || (c.uniqueIdFromTool != null && ids.has(c.uniqueIdFromTool));
  },
};

/**
 * Legacy reimport matching: case-insensitive title and equal severity; file, line and CWE are
 * ignored (§4.3). Import's close-old treats legacy like `hash_code` (§3.3 step 3).
 */
export const legacyMatcher: ReimportMatcher = {
  algorithm: 'legacy',
  buildIndex: (testFindings) => keyedIndex(testFindings, legacyKey, 'legacy'),
  stillPresent: (created) => hashCodeMatcher.stillPresent(created),
};

/**
 * Chooses the stored finding an incoming finding is bound to. DefectDojo takes the first
 * candidate, i.e. the lowest id (§4.3). With one-to-one matching (improvement 1), the first
 * candidate not yet bound in this run wins, and only when every candidate is taken does it fall
 * back to the first one, so identical copies in one test each keep their own incoming finding
 * instead of all but one being closed (§8 items 1–2).
 */
export function selectMatch(
  candidates: readonly ReimportMatch[],
  bound: ReadonlySet<number>,
  oneToOne: boolean,
): ReimportMatch | undefined {
  if (candidates.length === 0) return undefined;
  if (oneToOne) {
    for (const c of candidates) if (!bound.has(c.finding.id)) return c;
  }
  return candidates[0];
}

/**
 * Whether improvement 2 applies to a test's findings. Under `unique_id_from_tool` alone the
 * unique id is the only key: nulling a repeated one would make those findings match nothing
 * and be recreated and closed on every reimport, so there the ids are kept and one-to-one
 * matching (improvement 1) keeps repeated ids apart instead. Every other algorithm has the
 * hash code to fall back on.
 */
export function ignoresUnreliableUniqueIds(algorithm: DedupeAlgorithm, settings: Pick<Settings, 'reimport.ignoreUnreliableUniqueIds'>): boolean {
  return settings['reimport.ignoreUnreliableUniqueIds'] && algorithm !== 'unique_id_from_tool';
}

/** Placeholder unique ids some scanners emit when they have none (§8 item 2). */
const PLACEHOLDER_UNIQUE_IDS = new Set(['requires login', 'none', 'null', 'undefined', 'n/a']);

/** True for a unique id that is empty, whitespace or a known placeholder. */
export function isPlaceholderUniqueId(uid: string): boolean {
  const t = uid.trim();
  return t === '' || PLACEHOLDER_UNIQUE_IDS.has(t.toLowerCase());
}

/**
 * Improvement 2: the unique ids of one report that cannot identify a finding: those repeated
 * within the report (as upstream DefectDojo PR #15817 drops them), empty ones and placeholders.
 * Returns a predicate over unique ids.
 */
export function unreliableUniqueIds(uids: Iterable<string | null | undefined>): (uid: string) => boolean {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const uid of uids) {
    if (uid == null) continue;
    if (seen.has(uid)) repeated.add(uid);
    else seen.add(uid);
  }
  return (uid) => repeated.has(uid) || isPlaceholderUniqueId(uid);
}
