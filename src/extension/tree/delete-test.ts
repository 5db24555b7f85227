/**
 * Deleting a test from the tree, with DefectDojo's rules for the duplicates that cross the
 * deleted scope (semantics §5.7, `DUPLICATE_CLUSTER_CASCADE_DELETE=False`): duplicates inside
 * the test go with it; an original inside the test whose duplicates live in other tests hands
 * its place to the lowest-id outside duplicate, which copies the original's `active`,
 * `verified`, `is_mitigated` and `found_by`, and the other outside duplicates are re-pointed to
 * it. Pure over the ledger, so the rule is unit-tested.
 */
import type { EngineContext, Ledger } from '../../engine';
import { recordStatusChanges, statusSnapshot } from '../../engine';
import type { Finding } from '../../model';

export interface DeletedTest {
  testId: number;
  deletedFindings: number;
  deletedImports: number;
  /** Outside duplicates promoted to originals, by the id of the deleted original they replace. */
  promoted: { from: number; to: number }[];
}

export function deleteTest(ledger: Ledger, testId: number, ctx: EngineContext): DeletedTest {
  const test = ledger.test(testId);
  if (!test) throw new Error(`test #${testId} does not exist`);
  const inside = [...ledger.findingsOfTest(testId)];
  const insideIds = new Set(inside.map((f) => f.id));
  const reason = `test #${testId} deleted`;
  const promoted: DeletedTest['promoted'] = [];

  for (const original of inside) {
    if (original.duplicate) continue;
    const outside = (ledger.duplicatesOf.get(original.id) ?? []).filter((d) => !insideIds.has(d.id)).sort((a, b) => a.id - b.id);
    if (outside.length === 0) continue;
    const [heir, ...rest] = outside;
    promote(ledger, heir, original, ctx, reason);
    for (const d of rest) ledger.updateIndexed(d, { duplicate: true, duplicateOf: heir.id });
    promoted.push({ from: original.id, to: heir.id });
  }

  const deletedImports = ledger.importsOfTest(testId).length;
  for (const f of inside) ledger.removeFinding(f.id);
  ledger.removeTest(testId);
  return { testId, deletedFindings: inside.length, deletedImports, promoted };
}

function promote(ledger: Ledger, heir: Finding, original: Finding, ctx: EngineContext, reason: string): void {
  const before = statusSnapshot(heir);
  ledger.updateIndexed(heir, { duplicate: false, duplicateOf: null });
  heir.active = original.active;
  heir.verified = original.verified;
  heir.isMitigated = original.isMitigated;
  heir.foundBy = [...original.foundBy];
  heir.audit.push({ at: ctx.now.toISOString(), author: ctx.user, field: 'duplicate', from: true, to: false, reason });
  recordStatusChanges(heir, before, ctx, reason);
}
