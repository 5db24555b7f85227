import type { AuditEntry, Finding, RiskAcceptance } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';
import { hashConfigFor } from './dedupe-config';
import { deleteTest, type DeleteResult } from './delete-finding';
import type { Ledger } from './ledger';
import { selectMatch } from './matching';
import { reimportMatcherFor } from './reimport-matchers';
import { changeStatus } from './status';

/*
 * Merging one test into another (issue 17): "Merge test #A into test #B" for a report that was
 * imported as a new test where it should have been reimported. The merge keeps everything a
 * person decided: A's findings are matched to B's by the ledger's duplicate links first and then
 * by B's reimport matcher (DefectDojo's keys for B's algorithm, one stored finding per incoming
 * one); each matched finding of B receives A's triage decision, notes and audit trail; A's
 * findings that B does not hold move into B whole; then A is deleted with `deleteTest`.
 *
 * B's history gains A's import records (re-pointed to B, their actions re-pointed to the
 * findings that now carry them) plus one audit entry per affected finding naming the merge. No
 * synthetic import record is written: an import record's counts mean "what a report did", and
 * the last import record is what the settings preview replays and what the next reimport reads
 * its git HEAD from, so a made-up one would mislead both. The imports A really ran, in id order
 * among B's own, are the union of the two histories.
 */

/** Why a merge was refused; nothing was changed. */
export type TestMergeErrorCode = 'unknown-test' | 'same-test' | 'other-product' | 'other-scan-type';

export class TestMergeError extends Error {
  constructor(
    readonly code: TestMergeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TestMergeError';
  }
}

/** A triage decision in DefectDojo's words, as a merge carries it. */
export type MergedDecision = 'false-positive' | 'out-of-scope' | 'risk-accepted';

/** One finding of the merged test and the finding of the target that takes it over. */
export interface MergeMatch {
  fromFindingId: number;
  intoFindingId: number;
  /** `duplicate-link`, or the reimport matcher's tier (`hash_code`, `fingerprint:moved`, …). */
  tier: string;
}

export interface CarriedDecision {
  fromFindingId: number;
  intoFindingId: number;
  decision: MergedDecision;
}

/** Both findings carry a decision; the more recently reviewed one is kept, the other stays in the audit trail. */
export interface DecisionConflict {
  fromFindingId: number;
  intoFindingId: number;
  fromDecision: MergedDecision;
  intoDecision: MergedDecision;
  kept: 'from' | 'into';
}

/** What a merge changes, computed without changing anything (the preview), and what it changed. */
export interface TestMergePlan {
  fromTestId: number;
  intoTestId: number;
  matched: MergeMatch[];
  /** Findings of the merged test that the target does not hold: they move into it whole. */
  moved: number[];
  decisionsCarried: CarriedDecision[];
  conflicts: DecisionConflict[];
  notesCarried: number;
  auditEntriesCarried: number;
  /** The merged test's import records, which join the target's history. */
  importsCarried: number[];
  /** The findings deleted with the merged test (the matched ones, whose history moved over). */
  deleted: number[];
}

export interface TestMergeResult extends TestMergePlan {
  /** Duplicates elsewhere that became originals because their original was deleted (§5.7). */
  promoted: number[];
}

/** The triage decision a finding carries, if any. */
export function decisionOf(f: Finding): MergedDecision | null {
  if (f.falsePositive) return 'false-positive';
  if (f.outOfScope) return 'out-of-scope';
  if (f.riskAccepted) return 'risk-accepted';
  return null;
}

function checkMerge(ledger: Ledger, fromTestId: number, intoTestId: number): void {
  const from = ledger.test(fromTestId);
  const into = ledger.test(intoTestId);
  if (!from) throw new TestMergeError('unknown-test', `No test #${fromTestId} in the ledger.`);
  if (!into) throw new TestMergeError('unknown-test', `No test #${intoTestId} in the ledger.`);
  if (fromTestId === intoTestId) throw new TestMergeError('same-test', `Test #${fromTestId} cannot be merged into itself.`);
  if (ledger.productOfTest(fromTestId)?.id !== ledger.productOfTest(intoTestId)?.id) {
    throw new TestMergeError('other-product', `Test #${fromTestId} and test #${intoTestId} belong to different products; only tests of one product are merged.`);
  }
  if (from.scanType !== into.scanType) {
    throw new TestMergeError('other-scan-type', `Test #${fromTestId} is ${from.scanType} and test #${intoTestId} is ${into.scanType}; only tests of one scan type are merged.`);
  }
}

/**
 * Binds each finding of `from` to at most one finding of `into`: the ledger's links first (one
 * is the other's duplicate, or both duplicate one original), then the reimport matcher of the
 * target's algorithm, as a reimport of the merged findings into the target would bind them.
 */
function matchFindings(ledger: Ledger, fromTestId: number, intoTestId: number, ctx: EngineContext): MergeMatch[] {
  const into = ledger.test(intoTestId);
  if (!into) return [];
  const fromFindings = [...ledger.findingsOfTest(fromTestId)];
  const intoFindings = ledger.findingsOfTest(intoTestId);
  const bound = new Set<number>();
  const matches: MergeMatch[] = [];
  const unmatched: Finding[] = [];
  const inTarget = (f: Finding | undefined): f is Finding => !!f && f.testId === intoTestId && !bound.has(f.id);
  for (const a of fromFindings) {
    const linked: Finding[] = [];
    if (a.duplicate && a.duplicateOf != null) {
      linked.push(...[ledger.finding(a.duplicateOf)].filter(inTarget));
      linked.push(...(ledger.duplicatesOf.get(a.duplicateOf) ?? []).filter(inTarget));
    }
    linked.push(...(ledger.duplicatesOf.get(a.id) ?? []).filter(inTarget));
    const b = linked.sort((x, y) => x.id - y.id)[0];
    if (b) {
      bound.add(b.id);
      matches.push({ fromFindingId: a.id, intoFindingId: b.id, tier: 'duplicate-link' });
    } else {
      unmatched.push(a);
    }
  }
  const algorithm = hashConfigFor(into.testType, into.scanType, ctx.settings).algorithm;
  const index = reimportMatcherFor(algorithm).buildIndex(intoFindings, ctx);
  index.prepare?.(unmatched);
  for (const a of unmatched) {
    const match = selectMatch(index.candidates(a), bound, true);
    if (match && !bound.has(match.finding.id)) {
      bound.add(match.finding.id);
      matches.push({ fromFindingId: a.id, intoFindingId: match.finding.id, tier: match.tier });
    }
  }
  return matches.sort((x, y) => x.fromFindingId - y.fromFindingId);
}

/** When a finding's decision was last made: its last review, else its last status change. */
function decidedAt(f: Finding): string {
  return f.lastReviewed ?? f.lastStatusUpdate ?? '';
}

/**
 * The preview of "Merge test #from into test #into": which findings match, which decisions,
 * notes and audit entries are carried, which findings move and which are deleted. Pure: the
 * ledger is not changed.
 */
export function previewTestMerge(ledger: Ledger, fromTestId: number, intoTestId: number, ctx: EngineContext): TestMergePlan {
  checkMerge(ledger, fromTestId, intoTestId);
  const matched = matchFindings(ledger, fromTestId, intoTestId, ctx);
  const matchedIds = new Set(matched.map((m) => m.fromFindingId));
  const decisionsCarried: CarriedDecision[] = [];
  const conflicts: DecisionConflict[] = [];
  let notesCarried = 0;
  let auditEntriesCarried = 0;
  for (const m of matched) {
    const a = ledger.finding(m.fromFindingId) as Finding;
    const b = ledger.finding(m.intoFindingId) as Finding;
    notesCarried += a.notes.length;
    auditEntriesCarried += a.audit.length;
    const fromDecision = decisionOf(a);
    const intoDecision = decisionOf(b);
    if (fromDecision === null || fromDecision === intoDecision) continue;
    if (intoDecision === null) {
      decisionsCarried.push({ fromFindingId: a.id, intoFindingId: b.id, decision: fromDecision });
      continue;
    }
    const kept = decidedAt(a) > decidedAt(b) ? 'from' : 'into';
    conflicts.push({ fromFindingId: a.id, intoFindingId: b.id, fromDecision, intoDecision, kept });
    if (kept === 'from') decisionsCarried.push({ fromFindingId: a.id, intoFindingId: b.id, decision: fromDecision });
  }
  const fromFindings = ledger.findingsOfTest(fromTestId);
  return {
    fromTestId,
    intoTestId,
    matched,
    moved: fromFindings.filter((f) => !matchedIds.has(f.id)).map((f) => f.id),
    decisionsCarried,
    conflicts,
    notesCarried,
    auditEntriesCarried,
    importsCarried: ledger.importsOfTest(fromTestId).map((r) => r.id).sort((x, y) => x - y),
    deleted: [...matchedIds].sort((x, y) => x - y),
  };
}

/** The status patch that makes a finding carry a decision, as triage would set it. */
function decisionPatch(decision: MergedDecision): Partial<Pick<Finding, 'falsePositive' | 'outOfScope' | 'riskAccepted' | 'active'>> {
  switch (decision) {
    case 'false-positive':
      return { falsePositive: true, outOfScope: false, riskAccepted: false };
    case 'out-of-scope':
      return { outOfScope: true, falsePositive: false, riskAccepted: false };
    case 'risk-accepted':
      return { riskAccepted: true, falsePositive: false, outOfScope: false, active: false };
  }
}

/** Audit entries in time order; entries of one instant keep their order (the sort is stable). */
function byTime(entries: AuditEntry[]): AuditEntry[] {
  return entries.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
}

/** Carries one matched finding's decision, notes and audit trail onto the finding that takes it over. */
function carryOnto(
  ledger: Ledger,
  a: Finding,
  b: Finding,
  decision: MergedDecision | null,
  deleted: ReadonlySet<number>,
  ctx: EngineContext,
  reason: string,
): void {
  ledger.touch(b);
  const at = nowIso(ctx);
  const origin = `finding #${a.id} of test #${a.testId}`;
  b.audit.push(...a.audit.map((e) => ({ ...e, reason: e.reason ? `${e.reason} (on ${origin})` : `on ${origin}` })));
  byTime(b.audit);
  if (decision) {
    changeStatus(b, decisionPatch(decision), ctx, reason);
    const acceptance: RiskAcceptance | null = decision === 'risk-accepted' ? (a.riskAcceptance ?? null) : null;
    if ((b.riskAcceptance ?? null) !== acceptance) {
      b.audit.push({ at, author: ctx.user, field: 'riskAcceptance', from: b.riskAcceptance ?? null, to: acceptance, reason });
      b.riskAcceptance = acceptance;
    }
    b.lastReviewed = a.lastReviewed ?? b.lastReviewed ?? null;
    b.lastReviewedBy = a.lastReviewedBy ?? b.lastReviewedBy ?? null;
  }
  if (a.verified && !b.verified && b.active) changeStatus(b, { verified: true }, ctx, reason);
  b.notes.push(...a.notes);
  b.notes.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.id - y.id));
  b.audit.push({ at, author: ctx.user, field: 'mergedFrom', from: a.id, to: b.id, reason });
  // Duplicates of the merged finding now belong to the finding that takes it over, so deleting
  // the merged test promotes nothing that is still the same finding. Findings deleted with the
  // merged test are left alone; findings that move out of it are outside the delete and re-pointed.
  const children = [...(ledger.duplicatesOf.get(a.id) ?? [])].filter((d) => !deleted.has(d.id));
  if (b.duplicate && b.duplicateOf === a.id) {
    ledger.updateIndexed(b, { duplicate: false, duplicateOf: null });
    b.audit.push({ at, author: ctx.user, field: 'duplicate', from: true, to: false, reason });
  }
  const root = b.duplicate && b.duplicateOf != null ? b.duplicateOf : b.id;
  for (const d of children) {
    if (d.id === b.id) continue;
    ledger.updateIndexed(d, { duplicateOf: root });
    d.audit.push({ at, author: ctx.user, field: 'duplicateOf', from: a.id, to: root, reason });
  }
}

/**
 * Applies "Merge test #from into test #into" to the ledger, as the preview describes: matched
 * findings of the target take over the merged findings' decisions, notes and audit trails;
 * unmatched findings move into the target; the merged test's import records join the target's
 * history; then the merged test is deleted (§5.7 re-homes any duplicate left pointing into it).
 * Run it inside one store transaction: a failure leaves nothing half merged.
 */
export function mergeTests(ledger: Ledger, fromTestId: number, intoTestId: number, ctx: EngineContext): TestMergeResult {
  const plan = previewTestMerge(ledger, fromTestId, intoTestId, ctx);
  const reason = `test #${fromTestId} merged into test #${intoTestId}`;
  const carried = new Map(plan.decisionsCarried.map((d) => [d.fromFindingId, d.decision]));
  const intoOf = new Map<number, number>();
  const doomed = new Set(plan.deleted);
  for (const m of plan.matched) {
    const a = ledger.finding(m.fromFindingId) as Finding;
    const b = ledger.finding(m.intoFindingId) as Finding;
    carryOnto(ledger, a, b, carried.get(a.id) ?? null, doomed, ctx, reason);
    intoOf.set(a.id, b.id);
  }
  const at = nowIso(ctx);
  for (const id of plan.moved) {
    const f = ledger.finding(id) as Finding;
    ledger.updateIndexed(f, { testId: intoTestId });
    f.audit.push({ at, author: ctx.user, field: 'testId', from: fromTestId, to: intoTestId, reason });
  }
  ledger.touchTest(fromTestId);
  ledger.touchTest(intoTestId);
  for (const r of ledger.importsOfTest(fromTestId)) {
    r.testId = intoTestId;
    r.actions = r.actions.map((a) => (intoOf.has(a.findingId) ? { ...a, findingId: intoOf.get(a.findingId) as number } : a));
  }
  const deleted: DeleteResult = deleteTest(ledger, fromTestId, ctx);
  return { ...plan, deleted: deleted.deleted, promoted: deleted.promoted };
}
