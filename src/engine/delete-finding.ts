import type { Finding } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';
import type { Ledger } from './ledger';
import { changeStatus } from './status';

/** What a delete could not find. */
export type DeleteErrorCode = 'unknown-finding' | 'unknown-test' | 'unknown-engagement';

/** A delete that names something the ledger does not hold; nothing was changed. */
export class DeleteError extends Error {
  constructor(
    readonly code: DeleteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeleteError';
  }
}

/** What a delete removed, and which duplicates became originals in place of deleted ones. */
export interface DeleteResult {
  deleted: number[];
  promoted: number[];
}

/**
 * §5.7 with `DUPLICATE_CLUSTER_CASCADE_DELETE=False` (DefectDojo's default): the lowest-id
 * duplicate of a deleted original becomes the new original, copying the deleted original's
 * `active`, `verified` and `is_mitigated` (not the mitigation date, nor the false-positive,
 * out-of-scope or risk flags) and its `found_by`; the other duplicates are re-pointed to it.
 * The status copy is an ordinary save in DefectDojo, so it runs through the §1.4 invariants and
 * is audited. Returns the promoted finding, if any.
 */
function rehomeDuplicates(ledger: Ledger, original: Finding, survivors: Finding[], ctx: EngineContext): Finding | null {
  if (survivors.length === 0) return null;
  const [promoted, ...rest] = [...survivors].sort((a, b) => a.id - b.id);
  const reason = `original finding #${original.id} deleted`;
  const at = nowIso(ctx);
  ledger.updateIndexed(promoted, { duplicate: false, duplicateOf: null });
  promoted.audit.push(
    { at, author: ctx.user, field: 'duplicate', from: true, to: false, reason },
    { at, author: ctx.user, field: 'duplicateOf', from: original.id, to: null, reason },
  );
  changeStatus(promoted, { active: original.active, verified: original.verified, isMitigated: original.isMitigated }, ctx, reason);
  promoted.foundBy = [...original.foundBy];
  for (const d of rest) {
    ledger.updateIndexed(d, { duplicateOf: promoted.id });
    d.audit.push({ at, author: ctx.user, field: 'duplicateOf', from: original.id, to: promoted.id, reason });
  }
  return promoted;
}

/**
 * Prepares a set of findings for deletion as DefectDojo's `prepare_duplicates_for_delete` does:
 * duplicates inside the set go with it; duplicates outside the set of an original inside it are
 * re-homed (§5.7). Then removes the findings.
 */
function deleteFindingSet(ledger: Ledger, findings: readonly Finding[], ctx: EngineContext): DeleteResult {
  const ids = new Set(findings.map((f) => f.id));
  const promoted: number[] = [];
  for (const f of findings) {
    const outside = (ledger.duplicatesOf.get(f.id) ?? []).filter((d) => !ids.has(d.id));
    const p = rehomeDuplicates(ledger, f, outside, ctx);
    if (p) promoted.push(p.id);
  }
  ledger.removeFindings(ids);
  return { deleted: [...ids].sort((a, b) => a - b), promoted };
}

/** Deletes one finding; if it is an original, its lowest-id duplicate takes its place (§5.7). */
export function deleteFinding(ledger: Ledger, findingId: number, ctx: EngineContext): DeleteResult {
  const f = ledger.finding(findingId);
  if (!f) throw new DeleteError('unknown-finding', `No finding #${findingId} in the ledger.`);
  return deleteFindingSet(ledger, [f], ctx);
}

/**
 * Deletes a test, its findings and its import records. Duplicates inside the test go with it;
 * duplicates in other tests of an original inside it are re-homed (§5.7, last paragraph).
 */
export function deleteTest(ledger: Ledger, testId: number, ctx: EngineContext): DeleteResult {
  if (!ledger.test(testId)) throw new DeleteError('unknown-test', `No test #${testId} in the ledger.`);
  const result = deleteFindingSet(ledger, [...ledger.findingsOfTest(testId)], ctx);
  ledger.removeTest(testId);
  return result;
}

/**
 * Deletes an engagement with all its tests, findings and import records, re-homing duplicates
 * outside the engagement of originals inside it (§5.7, last paragraph).
 */
export function deleteEngagement(ledger: Ledger, engagementId: number, ctx: EngineContext): DeleteResult {
  if (!ledger.engagement(engagementId)) {
    throw new DeleteError('unknown-engagement', `No engagement #${engagementId} in the ledger.`);
  }
  const tests = ledger.testsOfEngagement(engagementId);
  const findings = tests.flatMap((t) => [...ledger.findingsOfTest(t.id)]);
  const result = deleteFindingSet(ledger, findings, ctx);
  for (const t of tests) ledger.removeTest(t.id);
  ledger.removeEngagement(engagementId);
  return result;
}
