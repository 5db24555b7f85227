import type { Finding } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';
import type { Ledger } from './ledger';

/** DefectDojo's `DUPE_DELETE_MAX_PER_RUN`: at most this many duplicates go per run. */
export const DUPE_DELETE_MAX_PER_RUN = 200;

/** Newest first by `(date, id)`: later discovery date first, then higher id. */
function newestFirst(a: Finding, b: Finding): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  return b.id - a.id;
}

/**
 * §5.8 `async_dupe_delete`: with `dedupe.deleteDuplicates` on and `dedupe.maxDuplicates` set,
 * every original keeps its `maxDuplicates` newest duplicates by `(date, id)` and the older ones
 * are deleted, lowest ids first and at most 200 per run (the rest go on the next run, as
 * DefectDojo's periodic task does). `maxDuplicates` 0 deletes every duplicate; originals are
 * never deleted. Returns the deleted ids in ascending order.
 */
export function deleteExcessDuplicates(ledger: Ledger, ctx: EngineContext): number[] {
  const max = ctx.settings['dedupe.maxDuplicates'];
  if (!ctx.settings['dedupe.deleteDuplicates'] || max == null) return [];
  const doomed = excessDuplicates(ledger, max).slice(0, DUPE_DELETE_MAX_PER_RUN);
  const ids = new Set(doomed.map((d) => d.id));
  for (const d of doomed) repointChildren(ledger, d, ids, ctx);
  ledger.removeFindings(ids);
  return [...ids];
}

/**
 * Every duplicate beyond the `maxDuplicates` newest of its original, in ascending id order: what
 * §5.8 deletes, 200 per run. Shared with the preview (`previewExcessDuplicates`), so the preview
 * and the delete cannot disagree.
 */
export function excessDuplicates(ledger: Ledger, maxDuplicates: number): Finding[] {
  const keep = Math.max(0, maxDuplicates);
  const excess: Finding[] = [];
  for (const duplicates of ledger.duplicatesOf.values()) {
    if (duplicates.length <= keep) continue;
    excess.push(...[...duplicates].sort(newestFirst).slice(keep));
  }
  return excess.filter((d) => d.duplicate).sort((a, b) => a.id - b.id);
}

/**
 * Chains are flat, so nothing should point at a duplicate; if stored data has such a link
 * anyway, the finding is re-pointed to the chain's surviving root, or becomes an original when
 * there is none, so no link dangles after the delete.
 */
function repointChildren(ledger: Ledger, d: Finding, doomed: ReadonlySet<number>, ctx: EngineContext): void {
  const children = ledger.duplicatesOf.get(d.id);
  if (!children) return;
  const root = d.duplicateOf != null ? ledger.finding(d.duplicateOf) : undefined;
  const reason = `duplicate #${d.id} deleted (max duplicates)`;
  const at = nowIso(ctx);
  for (const c of [...children]) {
    if (doomed.has(c.id)) continue;
    if (root && !root.duplicate && !doomed.has(root.id)) {
      ledger.updateIndexed(c, { duplicateOf: root.id });
      c.audit.push({ at, author: ctx.user, field: 'duplicateOf', from: d.id, to: root.id, reason });
    } else {
      ledger.updateIndexed(c, { duplicate: false, duplicateOf: null });
      c.audit.push({ at, author: ctx.user, field: 'duplicate', from: true, to: false, reason });
    }
  }
}
