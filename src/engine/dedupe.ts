import type { DedupeAlgorithm, Engagement, Finding, Settings, Test } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';
import { hashConfigFor } from './dedupe-config';
import type { Ledger } from './ledger';
import { changeStatus, recordStatusChanges, statusSnapshot } from './status';

/*
 * Passive deduplication (docs/defectdojo-rules.md §5.1–§5.6) and false-positive history (§5.9):
 * the post-processing DefectDojo runs over a batch of imported or reimported findings once they
 * are stored. Every lookup goes through the ledger's hash and unique-id indexes, so a batch costs
 * time in proportion to its size and to the number of equal findings, never to the store size.
 */

/** Where a finding sits in the hierarchy, resolved once per test and run. */
export interface Placement {
  test: Test;
  engagement: Engagement;
  productId: number;
}

/** Resolves and remembers placements and per-test configuration for one run. */
class RunContext {
  private readonly placements = new Map<number, Placement | null>();
  private readonly algorithms = new Map<number, DedupeAlgorithm>();

  constructor(
    readonly ledger: Ledger,
    readonly ctx: EngineContext,
  ) {}

  get settings(): Settings {
    return this.ctx.settings;
  }

  placementOf(f: Finding): Placement | null {
    let placement = this.placements.get(f.testId);
    if (placement === undefined) {
      const test = this.ledger.test(f.testId);
      const engagement = test ? this.ledger.engagement(test.engagementId) : undefined;
      placement = test && engagement ? { test, engagement, productId: engagement.productId } : null;
      this.placements.set(f.testId, placement);
    }
    return placement;
  }

  /** The matching algorithm of the finding's test (§6.1 lookup: Test_Type name, then scan type). */
  algorithmOf(placement: Placement): DedupeAlgorithm {
    let algorithm = this.algorithms.get(placement.test.id);
    if (algorithm === undefined) {
      algorithm = hashConfigFor(placement.test.testType, placement.test.scanType, this.settings).algorithm;
      this.algorithms.set(placement.test.id, algorithm);
    }
    return algorithm;
  }
}

// ---------------------------------------------------------------------------------------------
// Scope, status predicates, endpoints
// ---------------------------------------------------------------------------------------------

/**
 * §5.2 scope with the pairwise guard: same product; findings of different engagements are never
 * duplicates when either engagement deduplicates on its own. This one predicate covers both the
 * candidate scope of the new finding's engagement and the guard on the candidate's engagement.
 */
export function inDedupeScope(a: Placement, b: Placement): boolean {
  if (a.productId !== b.productId) return false;
  if (a.engagement.id === b.engagement.id) return true;
  return !a.engagement.deduplicationOnEngagement && !b.engagement.deduplicationOnEngagement;
}

/** DefectDojo's `finding_mitigated`: inactive and either flagged mitigated or carrying a date. */
export function isMitigatedFinding(f: Finding): boolean {
  return !f.active && (f.isMitigated || f.mitigated != null);
}

/**
 * §5.6 reopen guard (`is_duplicate_reopen`): a mitigated original that a human did not close as
 * false positive or out of scope is a fixed vulnerability; a new, unmitigated copy of it is a
 * regression and must stay an original so it is seen.
 */
export function isDuplicateReopen(newFinding: Finding, original: Finding): boolean {
  return isMitigatedFinding(original) && !original.outOfScope && !original.falsePositive && !isMitigatedFinding(newFinding);
}

/** The URL parts DefectDojo's `DEDUPE_ALGO_ENDPOINT_FIELDS` may name. */
type EndpointParts = Readonly<Record<string, string>>;

/** A base for scheme-relative endpoints; its scheme is reported as empty below. */
const SCHEME_RELATIVE_BASE = 'http://scheme-relative.invalid';

/**
 * Splits an endpoint into the parts §5.4 compares. DefectDojo prefixes `//` to an endpoint
 * without `://` so `host/path` parses as a host and a path; the WHATWG parser needs a base for
 * that form, and the base's scheme is not reported, so `example.com` and `https://example.com`
 * still differ on `scheme` as they do in DefectDojo. An endpoint that does not parse compares
 * by its full text in every part, so it only ever agrees with the identical text.
 */
export function endpointParts(endpoint: string): EndpointParts {
  const hasScheme = endpoint.includes('://');
  try {
    const url = hasScheme ? new URL(endpoint) : new URL(`//${endpoint}`, SCHEME_RELATIVE_BASE);
    const scheme = hasScheme ? url.protocol.replace(/:$/, '') : '';
    const user = decodeURIComponentSafe(url.username);
    const password = decodeURIComponentSafe(url.password);
    return {
      scheme,
      protocol: scheme,
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      fragment: url.hash.replace(/^#/, ''),
      user,
      userinfo: password ? `${user}:${password}` : user,
    };
  } catch {
    const raw = endpoint;
    return { scheme: raw, protocol: raw, host: raw, port: raw, path: raw, query: raw, fragment: raw, user: raw, userinfo: raw };
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parsed endpoints per finding id, so each finding's endpoints are parsed once per run. */
class EndpointCache {
  private readonly parsed = new Map<number, EndpointParts[]>();

  of(f: Finding): EndpointParts[] {
    let parts = this.parsed.get(f.id);
    if (!parts) {
      parts = f.endpoints.map(endpointParts);
      this.parsed.set(f.id, parts);
    }
    return parts;
  }
}

/**
 * §5.4 `are_locations_duplicates`: no configured fields always passes; two findings without
 * endpoints pass; one side without endpoints fails; otherwise any pair agreeing on every
 * configured field passes.
 */
export function endpointsAgree(a: Finding, b: Finding, fields: readonly string[], cache = new EndpointCache()): boolean {
  if (fields.length === 0) return true;
  if (a.endpoints.length === 0 && b.endpoints.length === 0) return true;
  if (a.endpoints.length === 0 || b.endpoints.length === 0) return false;
  const left = cache.of(a);
  const right = cache.of(b);
  return left.some((l) => right.some((r) => fields.every((field) => (l[field] ?? '') === (r[field] ?? ''))));
}

// ---------------------------------------------------------------------------------------------
// Candidate selection per algorithm (§5.3)
// ---------------------------------------------------------------------------------------------

/**
 * The originals sharing a hash code or a unique id, sorted by id, copied once per run from the
 * ledger index. The index lists lose their id order when a finding is re-indexed (a duplicate
 * link change re-appends it), and they also hold duplicates, which are never candidates; one
 * sorted copy per key keeps every later lookup of that key cheap even when a batch adds many
 * copies of the same finding.
 */
class OriginalsByKey {
  private readonly cache = new Map<DedupeIndex, Map<string, Finding[]>>();

  constructor(private readonly ledger: Ledger) {}

  sorted(index: DedupeIndex, key: string): Finding[] {
    let byKey = this.cache.get(index);
    if (!byKey) {
      byKey = new Map();
      this.cache.set(index, byKey);
    }
    let list = byKey.get(key);
    if (!list) {
      const source =
        index === 'hash' ? this.ledger.findingsByHash : index === 'uniqueId' ? this.ledger.findingsByUniqueId : this.ledger.findingsByFingerprint;
      list = (source.get(key) ?? []).filter((f) => !f.duplicate).sort((a, b) => a.id - b.id);
      byKey.set(key, list);
    }
    return list;
  }
}

/** Originals in `list` older than `f`, oldest first, skipping any that became duplicates this run. */
function* olderOriginals(list: readonly Finding[], f: Finding): Generator<Finding> {
  for (const c of list) {
    if (c.id >= f.id) return;
    if (!c.duplicate) yield c;
  }
}

/** Merges two id-sorted candidate streams into one, oldest first, each finding once. */
export function* mergeById(a: Iterator<Finding>, b: Iterator<Finding>): Generator<Finding> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value.id < y.value.id)) {
      yield x.value as Finding;
      x = a.next();
    } else if (x.done || y.value.id < x.value.id) {
      yield y.value;
      y = b.next();
    } else {
      yield x.value;
      x = a.next();
      y = b.next();
    }
  }
}

const NONE: readonly Finding[] = [];

/** The ledger indexes a dedupe rule can draw candidates from. */
export type DedupeIndex = 'hash' | 'uniqueId' | 'fingerprint';

/** What a dedupe rule sees of the run: lookups that stay cheap however large the batch. */
export interface DedupeRunView {
  readonly ledger: Ledger;
  readonly ctx: EngineContext;
  placementOf(f: Finding): Placement | null;
  /** Originals (not duplicates) under `key` in a ledger index, older than `f`, oldest first. */
  olderOriginals(index: DedupeIndex, key: string, f: Finding): Iterable<Finding>;
  /** §5.4 endpoint comparison under `dedupe.endpointFields`. */
  endpointsAgree(a: Finding, b: Finding): boolean;
}

/** A passive-dedupe run: the shared run context plus the per-run lookup caches. */
class DedupeRun extends RunContext implements DedupeRunView {
  private readonly originals: OriginalsByKey;
  private readonly endpoints = new EndpointCache();
  private readonly endpointFields: readonly string[];

  constructor(ledger: Ledger, ctx: EngineContext) {
    super(ledger, ctx);
    this.originals = new OriginalsByKey(ledger);
    this.endpointFields = ctx.settings['dedupe.endpointFields'];
  }

  olderOriginals(index: DedupeIndex, key: string, f: Finding): Iterable<Finding> {
    // Ledger index lists are kept oldest first, so when the oldest finding under the key is not
    // older than `f` there is nothing to look at: the common case of a unique finding, answered
    // without building the cached originals list.
    const raw = (index === 'hash' ? this.ledger.findingsByHash : index === 'uniqueId' ? this.ledger.findingsByUniqueId : this.ledger.findingsByFingerprint).get(key);
    if (!raw || raw[0].id >= f.id) return NONE;
    return olderOriginals(this.originals.sorted(index, key), f);
  }

  endpointsAgree(a: Finding, b: Finding): boolean {
    return endpointsAgree(a, b, this.endpointFields, this.endpoints);
  }
}

/**
 * One algorithm's passive-dedupe rule: which older originals may be the new finding's original,
 * oldest first, with the algorithm's extra conditions applied (scope and `set_duplicate`'s
 * refusals are the caller's), and whether a new finding already flagged as a duplicate is left
 * alone.
 */
export interface DedupeRule {
  candidates(f: Finding, placement: Placement, run: DedupeRunView): Iterable<Finding>;
  skipsFlaggedDuplicates: boolean;
}

/** Older originals with the same hash code, of any test type. */
function* sameHash(f: Finding, run: DedupeRunView): Generator<Finding> {
  if (f.hashCode) yield* run.olderOriginals('hash', f.hashCode, f);
}

/** `hash_code`: same hash code, any test type, and the §5.4 endpoint comparison passes. */
export function* hashCandidates(f: Finding, run: DedupeRunView): Generator<Finding> {
  for (const c of sameHash(f, run)) {
    if (run.endpointsAgree(f, c)) yield c;
  }
}

/** Unique-id candidates: same unique id and same Test_Type; endpoints are not compared. */
export function* uniqueIdCandidates(f: Finding, placement: Placement, run: DedupeRunView): Generator<Finding> {
  // An empty unique id is no unique id, as DefectDojo's truthiness test on the field treats it.
  if (!f.uniqueIdFromTool) return;
  for (const c of run.olderOriginals('uniqueId', f.uniqueIdFromTool, f)) {
    const cp = run.placementOf(c);
    if (cp && cp.test.testType === placement.test.testType) yield c;
  }
}

/**
 * `unique_id_from_tool_or_hash_code`: the union of unique-id and hash candidates walked in
 * ascending id, no preference for either kind, and the endpoint comparison applies to both.
 */
export function* uniqueIdOrHashCandidates(f: Finding, placement: Placement, run: DedupeRunView): Generator<Finding> {
  for (const c of mergeById(uniqueIdCandidates(f, placement, run), sameHash(f, run))) {
    if (run.endpointsAgree(f, c)) yield c;
  }
}

/**
 * §5.5 legacy: same exact title or same non-zero CWE, and always the same hash code, then
 * either candidate endpoints ⊆ new endpoints (both have endpoints) or, for a static finding with
 * a file path, the same line and file path. Because the hash must be equal anyway, the hash
 * index yields exactly the findings the title/CWE query could return that can pass.
 */
export function* legacyCandidates(f: Finding, run: DedupeRunView): Generator<Finding> {
  for (const c of sameHash(f, run)) {
    const sameTitleOrCwe = c.title === f.title || (f.cwe != null && f.cwe !== 0 && c.cwe === f.cwe);
    if (sameTitleOrCwe && legacyLocationAgrees(f, c)) yield c;
  }
}

function legacyLocationAgrees(f: Finding, c: Finding): boolean {
  if (f.endpoints.length > 0 && c.endpoints.length > 0) {
    const mine = new Set(f.endpoints);
    return c.endpoints.every((e) => mine.has(e));
  }
  if (f.staticFinding && f.filePath) {
    // DefectDojo compares `str(line)`, under which a missing line on both sides is equal.
    return (c.line ?? null) === (f.line ?? null) && c.filePath === f.filePath;
  }
  return false;
}

/**
 * Passive deduplication under `fingerprint` (docs/improvements.md §4): an older original of the same
 * Test_Type with the same fingerprint (the same code, found again by another test of the
 * product); findings with nothing to fingerprint fall back to DefectDojo's unique-id-or-hash rule.
 */
const fingerprintRule: DedupeRule = {
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
};

/**
 * The passive-dedupe rule of every algorithm. A static table typed by `DedupeAlgorithm`, so the
 * compiler refuses an algorithm without a rule: there is no registration at load time, and so
 * no fallback for a rule that was never registered.
 */
export const DEDUPE_RULES: Readonly<Record<DedupeAlgorithm, DedupeRule>> = {
  hash_code: { candidates: (f, _p, run) => hashCandidates(f, run), skipsFlaggedDuplicates: false },
  unique_id_from_tool: { candidates: uniqueIdCandidates, skipsFlaggedDuplicates: false },
  unique_id_from_tool_or_hash_code: { candidates: uniqueIdOrHashCandidates, skipsFlaggedDuplicates: true },
  legacy: { candidates: (f, _p, run) => legacyCandidates(f, run), skipsFlaggedDuplicates: false },
  fingerprint: fingerprintRule,
};

/** The rule for a configured algorithm. */
export function dedupeRuleFor(algorithm: DedupeAlgorithm): DedupeRule {
  return DEDUPE_RULES[algorithm];
}

// ---------------------------------------------------------------------------------------------
// set_duplicate (§5.6)
// ---------------------------------------------------------------------------------------------

/**
 * Writes the duplicate link directly, as DefectDojo does (no §1.4 invariants): inactive,
 * unverified, pointing at the original; false-positive and mitigation flags stay as they were.
 * Every field that changed is audited.
 */
function linkAsDuplicate(ledger: Ledger, f: Finding, original: Finding, ctx: EngineContext): void {
  const reason = `deduplication: duplicate of finding #${original.id}`;
  const before = statusSnapshot(f);
  const wasDuplicate = f.duplicate;
  const previousOriginal = f.duplicateOf;
  ledger.touch(f);
  f.active = false;
  f.verified = false;
  ledger.updateIndexed(f, { duplicate: true, duplicateOf: original.id });
  recordStatusChanges(f, before, ctx, reason);
  const at = nowIso(ctx);
  if (!wasDuplicate) f.audit.push({ at, author: ctx.user, field: 'duplicate', from: false, to: true, reason });
  if (previousOriginal !== original.id) {
    f.audit.push({ at, author: ctx.user, field: 'duplicateOf', from: previousOriginal, to: original.id, reason });
  }
}

function addFoundBy(ledger: Ledger, original: Finding, testType: string): void {
  if (original.foundBy.includes(testType)) return;
  original.foundBy.push(testType);
  ledger.touch(original);
}

/**
 * DefectDojo's `set_duplicate`: returns false when it refuses (the caller tries the next
 * candidate). Refuses when the candidate is a duplicate or the finding itself, under the reopen
 * guard, and when an already-duplicate finding would be attached to a mitigated original.
 * Otherwise links the finding, re-points every finding that pointed at it (so chains never grow
 * beyond one level), and adds the finding's Test_Type to the original's `foundBy`.
 */
export function setDuplicate(ledger: Ledger, f: Finding, original: Finding, ctx: EngineContext): boolean {
  if (original.duplicate || original.id === f.id) return false;
  if (isDuplicateReopen(f, original)) return false;
  if (f.duplicate && isMitigatedFinding(original)) return false;
  linkAsDuplicate(ledger, f, original, ctx);
  const testType = ledger.test(f.testId)?.testType;
  if (testType) addFoundBy(ledger, original, testType);
  // DefectDojo re-points the former duplicates with a recursive `set_duplicate`, whose refusals
  // would abort half-way and leave a two-level chain; the link is re-pointed unconditionally
  // here so the one-level invariant every reader relies on always holds.
  for (const d of [...(ledger.duplicatesOf.get(f.id) ?? [])].sort((a, b) => b.id - a.id)) {
    linkAsDuplicate(ledger, d, original, ctx);
    const dType = ledger.test(d.testId)?.testType;
    if (dType) addFoundBy(ledger, original, dType);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Batch post-processing
// ---------------------------------------------------------------------------------------------

/**
 * Post-processes a stored batch (import: the new findings; reimport: new and matched findings),
 * oldest first: passive deduplication when `dedupe.enabled`, otherwise false-positive history
 * when `falsePositiveHistory` is on (DefectDojo never runs both; its settings forbid it).
 */
export function deduplicateFindings(ledger: Ledger, findings: Finding[], ctx: EngineContext): void {
  const batch = findings.filter((f) => ledger.finding(f.id) === f).sort((a, b) => a.id - b.id);
  if (batch.length === 0) return;
  if (ctx.settings['dedupe.enabled']) passiveDedupe(ledger, batch, ctx);
  else if (ctx.settings.falsePositiveHistory) falsePositiveHistory(ledger, batch, ctx);
}

function passiveDedupe(ledger: Ledger, batch: readonly Finding[], ctx: EngineContext): void {
  const run = new DedupeRun(ledger, ctx);
  for (const f of batch) {
    const placement = run.placementOf(f);
    if (!placement) continue;
    const rule = dedupeRuleFor(run.algorithmOf(placement));
    if (rule.skipsFlaggedDuplicates && f.duplicate) continue;
    for (const c of rule.candidates(f, placement, run)) {
      const cp = run.placementOf(c);
      if (!cp || !inDedupeScope(placement, cp)) continue;
      if (setDuplicate(ledger, f, c, ctx)) break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// False-positive history (§5.9)
// ---------------------------------------------------------------------------------------------

/**
 * Whether false-positive history runs at all. DefectDojo only runs it with deduplication off
 * (its settings page refuses both on), so the same gate applies to the batch and to triage.
 */
export function falsePositiveHistoryActive(settings: Settings): boolean {
  return settings.falsePositiveHistory && !settings['dedupe.enabled'];
}

/** Legacy equality for FP history: same title ignoring case and same severity. */
function legacyTitleKey(f: Finding): string {
  // Django's `iexact` compares `UPPER(x) = UPPER(y)` on PostgreSQL, hence upper-casing.
  return `${f.severity}\u0000${f.title.toUpperCase()}`;
}

type HistoryKind = 'hash' | 'uid' | 'legacy';

/**
 * The findings of one product that share one equality key, and which of them are false
 * positives, split into stored ones and ones of the batch being post-processed (which only
 * count under `legacy`). Keeping the false positives apart makes "is an equal finding a false
 * positive?" constant time even when thousands of findings share a title.
 */
interface HistoryBucket {
  findings: Finding[];
  storedFalsePositives: Set<Finding>;
  batchFalsePositives: Set<Finding>;
  /** Set once a retroactive sweep has marked every active equal finding. */
  swept: boolean;
}

/**
 * Equal findings for false-positive history, product-wide, of any test type and including
 * duplicates (§5.9). Buckets are built on first use from the ledger's hash and unique-id
 * indexes; the legacy title buckets from one pass over the store, because the ledger has no
 * title index.
 */
class FalsePositiveHistory {
  private readonly buckets = new Map<string, HistoryBucket>();
  private legacyBuilt = false;

  constructor(
    private readonly run: RunContext,
    private readonly batchIds: ReadonlySet<number>,
  ) {}

  /** The equality keys of `f` under the algorithm of its test (empty values are absent). */
  private keysOf(f: Finding, placement: Placement): [HistoryKind, string][] {
    const keys: [HistoryKind, string][] = [];
    const byHash = (): void => {
      if (f.hashCode) keys.push(['hash', f.hashCode]);
    };
    const byUid = (): void => {
      if (f.uniqueIdFromTool) keys.push(['uid', f.uniqueIdFromTool]);
    };
    switch (this.run.algorithmOf(placement)) {
      case 'hash_code':
        byHash();
        break;
      case 'unique_id_from_tool':
        byUid();
        break;
      case 'unique_id_from_tool_or_hash_code':
      // `fingerprint` follows `unique_id_from_tool_or_hash_code` until its own rule lands.
      case 'fingerprint':
        byUid();
        byHash();
        break;
      case 'legacy':
        keys.push(['legacy', legacyTitleKey(f)]);
        break;
    }
    return keys;
  }

  private newBucket(findings: Finding[]): HistoryBucket {
    const bucket: HistoryBucket = { findings, storedFalsePositives: new Set(), batchFalsePositives: new Set(), swept: false };
    for (const c of findings) if (c.falsePositive) this.noteFalsePositiveIn(bucket, c);
    return bucket;
  }

  private noteFalsePositiveIn(bucket: HistoryBucket, c: Finding): void {
    (this.batchIds.has(c.id) ? bucket.batchFalsePositives : bucket.storedFalsePositives).add(c);
  }

  private bucket(kind: HistoryKind, productId: number, value: string): HistoryBucket {
    const id = `${kind}\u0000${productId}\u0000${value}`;
    if (kind === 'legacy') this.buildLegacy();
    let bucket = this.buckets.get(id);
    if (!bucket) {
      // Every stored finding is in a legacy bucket once built, so only hash and unique-id
      // buckets are created here (a legacy key of no stored finding gets an empty bucket).
      const index = kind === 'hash' ? this.run.ledger.findingsByHash : kind === 'uid' ? this.run.ledger.findingsByUniqueId : null;
      const inProduct = (index?.get(value) ?? []).filter((c) => this.run.placementOf(c)?.productId === productId);
      bucket = this.newBucket(inProduct);
      this.buckets.set(id, bucket);
    }
    return bucket;
  }

  private buildLegacy(): void {
    if (this.legacyBuilt) return;
    this.legacyBuilt = true;
    const lists = new Map<string, Finding[]>();
    for (const c of this.run.ledger.data.findings) {
      const cp = this.run.placementOf(c);
      if (!cp) continue;
      const id = `legacy\u0000${cp.productId}\u0000${legacyTitleKey(c)}`;
      const list = lists.get(id);
      if (list) list.push(c);
      else lists.set(id, [c]);
    }
    for (const [id, list] of lists) this.buckets.set(id, this.newBucket(list));
  }

  private bucketsOf(f: Finding, placement: Placement): { kind: HistoryKind; bucket: HistoryBucket }[] {
    return this.keysOf(f, placement).map(([kind, value]) => ({ kind, bucket: this.bucket(kind, placement.productId, value) }));
  }

  /**
   * An equal false positive that counts as history for `f`: never `f` itself, and a finding of
   * the batch only under `legacy`, whose DefectDojo query does not exclude the batch.
   */
  falsePositiveFor(f: Finding, placement: Placement): Finding | undefined {
    for (const { kind, bucket } of this.bucketsOf(f, placement)) {
      for (const c of bucket.storedFalsePositives) if (c !== f) return c;
      if (kind === 'legacy') for (const c of bucket.batchFalsePositives) if (c !== f) return c;
    }
    return undefined;
  }

  /** Equal findings of `f`, oldest first, with the batch left out except under `legacy`. */
  equalTo(f: Finding, placement: Placement): Finding[] {
    return this.equalIn(f, this.bucketsOf(f, placement));
  }

  private equalIn(f: Finding, entries: readonly { kind: HistoryKind; bucket: HistoryBucket }[]): Finding[] {
    const found = new Map<number, Finding>();
    for (const { kind, bucket } of entries) {
      for (const c of bucket.findings) {
        if (c === f || (kind !== 'legacy' && this.batchIds.has(c.id))) continue;
        found.set(c.id, c);
      }
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * Marks every active, non-false-positive finding equal to the false positive `f`. A bucket
   * swept once holds no such finding afterwards (nothing is reactivated during a run), so
   * repeated sweeps of the same key by later copies in the batch are skipped.
   */
  sweep(f: Finding, placement: Placement, ctx: EngineContext): Finding[] {
    const entries = this.bucketsOf(f, placement).filter((e) => !e.bucket.swept);
    const marked: Finding[] = [];
    for (const c of this.equalIn(f, entries)) {
      if (c.active && !c.falsePositive) {
        markFalsePositiveFromHistory(this.run.ledger, c, ctx, `retroactive false-positive history: equal to false positive #${f.id}`);
        this.noteFalsePositive(c);
        marked.push(c);
      }
    }
    for (const e of entries) e.bucket.swept = true;
    return marked;
  }

  /** Keeps the buckets already built in step with a finding that just became a false positive. */
  noteFalsePositive(c: Finding): void {
    const placement = this.run.placementOf(c);
    if (!placement) return;
    const keys: [HistoryKind, string][] = [['legacy', legacyTitleKey(c)]];
    if (c.hashCode) keys.push(['hash', c.hashCode]);
    if (c.uniqueIdFromTool) keys.push(['uid', c.uniqueIdFromTool]);
    for (const [kind, value] of keys) {
      const bucket = this.buckets.get(`${kind}\u0000${placement.productId}\u0000${value}`);
      if (bucket) this.noteFalsePositiveIn(bucket, c);
    }
  }
}

/**
 * Marks a finding false positive because an equal finding is one. With improvement 5
 * (`falsePositiveHistoryMitigates`, default on) the §1.4 invariants apply, so the finding is
 * also mitigated like a manually marked false positive; with it off (DefectDojo parity) the
 * flags are written directly and the finding is not mitigated, as DefectDojo's bulk update does.
 */
function markFalsePositiveFromHistory(ledger: Ledger, f: Finding, ctx: EngineContext, reason: string): void {
  ledger.touch(f);
  const patch = { falsePositive: true, active: false, verified: false };
  if (ctx.settings.falsePositiveHistoryMitigates) {
    changeStatus(f, patch, ctx, reason);
  } else {
    const before = statusSnapshot(f);
    Object.assign(f, patch);
    recordStatusChanges(f, before, ctx, reason);
  }
}

function falsePositiveHistory(ledger: Ledger, batch: readonly Finding[], ctx: EngineContext): void {
  const run = new RunContext(ledger, ctx);
  const history = new FalsePositiveHistory(run, new Set(batch.map((f) => f.id)));
  const retroactive = ctx.settings.retroactiveFalsePositiveHistory;
  for (const f of batch) {
    const placement = run.placementOf(f);
    if (!placement) continue;
    if (!f.falsePositive) {
      const fp = history.falsePositiveFor(f, placement);
      if (fp) {
        markFalsePositiveFromHistory(ledger, f, ctx, `false-positive history: equal to false positive #${fp.id}`);
        history.noteFalsePositive(f);
      }
    }
    if (retroactive && f.falsePositive) history.sweep(f, placement, ctx);
  }
}

/**
 * Retroactive false-positive history for one finding whose false-positive flag a user just
 * changed (triage). Marked false positive: every equal finding that is active and not a false
 * positive is marked the same way. Un-marked: every equal false positive is un-marked and copies
 * the finding's active, verified, out-of-scope and mitigated flags, through the §1.4 invariants
 * as DefectDojo's ordinary save does. Returns the findings changed; a no-op unless
 * false-positive history and its retroactive variant are both on (and dedupe off).
 */
export function applyRetroactiveFalsePositiveHistory(ledger: Ledger, f: Finding, ctx: EngineContext): Finding[] {
  const settings = ctx.settings;
  if (!falsePositiveHistoryActive(settings) || !settings.retroactiveFalsePositiveHistory) return [];
  const run = new RunContext(ledger, ctx);
  const placement = run.placementOf(f);
  if (!placement) return [];
  const history = new FalsePositiveHistory(run, new Set());
  if (f.falsePositive) return history.sweep(f, placement, ctx);
  const changed: Finding[] = [];
  for (const c of history.equalTo(f, placement)) {
    if (!c.falsePositive) continue;
    ledger.touch(c);
    changeStatus(
      c,
      { falsePositive: false, active: f.active, verified: f.verified, outOfScope: f.outOfScope, isMitigated: f.isMitigated },
      ctx,
      `retroactive false-positive history: finding #${f.id} is no longer a false positive`,
    );
    changed.push(c);
  }
  return changed;
}
