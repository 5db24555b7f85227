import type { Finding, Note } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';
import { mitigateEndpointStatuses } from './endpoint-status';
import type { Ledger } from './ledger';

/** The finding fields DefectDojo's `update_finding_status` watches (§1.4), in our names. */
export const STATUS_FIELDS = [
  'active',
  'verified',
  'falsePositive',
  'outOfScope',
  'riskAccepted',
  'underReview',
  'isMitigated',
  'mitigated',
  'mitigatedBy',
] as const satisfies readonly (keyof Finding)[];

export type StatusField = (typeof STATUS_FIELDS)[number];

type StatusValues = Pick<Finding, StatusField>;

/** The status fields of a finding, copied, so a later comparison sees what changed. */
export function statusSnapshot(f: Finding): StatusValues {
  return {
    active: f.active,
    verified: f.verified,
    falsePositive: f.falsePositive,
    outOfScope: f.outOfScope,
    riskAccepted: f.riskAccepted,
    underReview: f.underReview,
    isMitigated: f.isMitigated,
    mitigated: f.mitigated,
    mitigatedBy: f.mitigatedBy,
  };
}

/**
 * DefectDojo's status invariants (§1.4 rules 1–6, `update_finding_status`), in DefectDojo's
 * order. `changed` is the set of status fields the caller changed, or `'new'` for a finding
 * being created, for which every rule is evaluated. The order matters: a new finding that
 * arrives active and mitigated ends up not mitigated because rule 3 runs after rules 1–2.
 */
export function applyStatusInvariants(f: Finding, changed: ReadonlySet<StatusField> | 'new', ctx: EngineContext): void {
  const isNew = changed === 'new';
  const has = (field: StatusField): boolean => isNew || changed.has(field);
  const now = nowIso(ctx);

  // Rule 1: mitigating keeps a mitigation date and author already set; un-mitigating clears both.
  if (has('isMitigated')) {
    if (f.isMitigated) {
      f.mitigated = f.mitigated || now;
      f.mitigatedBy = f.mitigatedBy || ctx.user;
    } else {
      f.mitigated = null;
      f.mitigatedBy = null;
    }
  }
  // Rule 2: a mitigated finding always has a date and an author, whatever else was edited.
  if (f.isMitigated) {
    f.mitigated = f.mitigated || now;
    f.mitigatedBy = f.mitigatedBy || ctx.user;
  }
  // Rule 3: (re)activating clears every closing state.
  if (has('active') && f.active) {
    f.falsePositive = false;
    f.outOfScope = false;
    f.isMitigated = false;
    f.mitigated = null;
    f.mitigatedBy = null;
  }
  // Rule 4: a false positive or out-of-scope finding is always also mitigated and inactive.
  if ((has('falsePositive') || has('outOfScope')) && (f.falsePositive || f.outOfScope)) {
    f.mitigated = f.mitigated || now;
    f.mitigatedBy = f.mitigatedBy || ctx.user;
    f.isMitigated = true;
    f.active = false;
    f.verified = false;
  }
  // Rule 5: only a duplicate points at an original.
  if (!f.duplicate) f.duplicateOf = null;
  // Rule 6.
  f.lastStatusUpdate = now;
}

/**
 * Changes status fields of a stored finding the way a DefectDojo `save()` does: applies the
 * patch, runs the invariants for the fields that actually changed, and records one audit entry
 * per status field whose value ended up different, including fields the invariants changed, so
 * every status change in the ledger can be traced to a time, an author and a reason. A patch
 * that changes nothing runs no invariant and records nothing, as a save without status changes
 * does not call `update_finding_status`.
 */
export function changeStatus(
  f: Finding,
  patch: Partial<Pick<Finding, StatusField>>,
  ctx: EngineContext,
  reason: string,
): void {
  const before = statusSnapshot(f);
  const changed = new Set<StatusField>();
  for (const field of STATUS_FIELDS) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (value === undefined) continue;
    if (value !== before[field]) changed.add(field);
    (f as unknown as Record<StatusField, unknown>)[field] = value;
  }
  if (changed.size === 0) return;
  applyStatusInvariants(f, changed, ctx);
  recordStatusChanges(f, before, ctx, reason);
}

/** Appends an audit entry for every status field that differs from `before`. */
export function recordStatusChanges(f: Finding, before: StatusValues, ctx: EngineContext, reason: string): void {
  const at = nowIso(ctx);
  for (const field of STATUS_FIELDS) {
    if (f[field] !== before[field]) {
      f.audit.push({ at, author: ctx.user, field, from: before[field], to: f[field], reason });
    }
  }
}

/** Adds a note to a finding, authored by the acting user now. */
export function addNote(ledger: Ledger, f: Finding, text: string, ctx: EngineContext): Note {
  const note: Note = { id: ledger.nextId('note'), at: nowIso(ctx), author: ctx.user, text };
  f.notes.push(note);
  ledger.touch(f);
  return note;
}

/**
 * Turns an import's scan date into the timestamp DefectDojo stores as `mitigated`: a date
 * (YYYY-MM-DD) is midnight UTC of that day, a full timestamp is kept, and no scan date means
 * now (DefectDojo's `scan_date` defaults to the import time).
 */
export function scanDateTimestamp(scanDate: string | null | undefined, ctx: EngineContext): string {
  if (!scanDate) return nowIso(ctx);
  if (/^\d{4}-\d{2}-\d{2}$/.test(scanDate)) return `${scanDate}T00:00:00.000Z`;
  return scanDate;
}

/** The extra note DefectDojo's `risk_unaccept` leaves when mitigation removes an acceptance. */
export function riskExceptionRemovedNote(user: string): string {
  return `${user} removed a risk exception from this finding`;
}

/**
 * DefectDojo's `mitigate_finding` (§3.5), used by both close-old paths: inactive, mitigated at
 * the scan date unless a mitigation date is already set, mitigated by the acting user, a note
 * saying why, and any risk acceptance removed with its own note (the finding stays inactive
 * because it is mitigated). The audit reason defaults to the note. Every endpoint status not yet
 * mitigated is mitigated now by the acting user.
 */
export function mitigateFinding(
  ledger: Ledger,
  f: Finding,
  ctx: EngineContext,
  opts: { note: string; scanDate?: string | null; reason?: string },
): void {
  ledger.touch(f);
  const hadRiskAcceptance = f.riskAccepted || f.riskAcceptance != null;
  const patch: Partial<Pick<Finding, StatusField>> = {
    active: false,
    isMitigated: true,
    mitigated: f.mitigated || scanDateTimestamp(opts.scanDate, ctx),
    mitigatedBy: ctx.user,
  };
  if (hadRiskAcceptance) patch.riskAccepted = false;
  changeStatus(f, patch, ctx, opts.reason ?? opts.note);
  mitigateEndpointStatuses(f, ctx);
  addNote(ledger, f, opts.note, ctx);
  if (hadRiskAcceptance) {
    f.riskAcceptance = null;
    addNote(ledger, f, riskExceptionRemovedNote(ctx.user), ctx);
  }
}
