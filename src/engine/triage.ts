import type { Finding, RiskAcceptance } from '../model';
import type { EngineContext } from './context';
import { nowIso, todayIso } from './context';
import { applyRetroactiveFalsePositiveHistory } from './dedupe';
import type { Ledger } from './ledger';
import { reactivateEndpointStatuses } from './endpoint-status';
import { addNote, changeStatus, mitigateFinding, type StatusField } from './status';

/** The triage decisions a user can take on a finding (docs/improvements.md §5). */
export type TriageStatus = 'false-positive' | 'out-of-scope' | 'risk-accepted' | 'mitigated' | 'active' | 'verified' | 'unverified';

export const TRIAGE_STATUSES: readonly TriageStatus[] = [
  'false-positive',
  'out-of-scope',
  'risk-accepted',
  'mitigated',
  'active',
  'verified',
  'unverified',
];

export interface TriageChange {
  status: TriageStatus;
  /** Why; recorded in the audit trail and, for a risk acceptance, as its reason. */
  reason?: string;
  /** Who owns a risk acceptance; the acting user by default. */
  owner?: string;
  /** When a risk acceptance ends (YYYY-MM-DD, UTC); null or absent for never. */
  expires?: string | null;
  /** A note to add to the finding. */
  note?: string;
}

export type TriageErrorCode = 'unknown-finding' | 'unknown-status' | 'invalid-expiry' | 'expiry-in-past';

/** A triage request the engine refuses; the finding is left unchanged. */
export class TriageError extends Error {
  constructor(
    readonly code: TriageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TriageError';
  }
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * Checks the whole request before anything changes, so a refused triage leaves no partial
 * state. An acceptance ends at the start of its expiry day (UTC), so an expiry of today or
 * earlier would be expired on arrival and is refused.
 */
function validate(ledger: Ledger, findingId: number, change: TriageChange, ctx: EngineContext): Finding {
  const f = ledger.finding(findingId);
  if (!f) throw new TriageError('unknown-finding', `No finding #${findingId} in the ledger.`);
  if (!TRIAGE_STATUSES.includes(change.status)) {
    throw new TriageError('unknown-status', `Unknown triage status "${String(change.status)}"; expected one of ${TRIAGE_STATUSES.join(', ')}.`);
  }
  // Only a risk acceptance expires; an expiry sent along with another status (a shared
  // decision file may carry one) means nothing and is ignored rather than refused.
  const expires = change.status === 'risk-accepted' ? change.expires : null;
  if (expires != null) {
    if (!isIsoDate(expires)) throw new TriageError('invalid-expiry', `Expiry date "${expires}" is not a valid YYYY-MM-DD date.`);
    if (expires <= todayIso(ctx)) {
      throw new TriageError('expiry-in-past', `Expiry date ${expires} has already passed (today is ${todayIso(ctx)}, UTC); choose a later date.`);
    }
  }
  return f;
}

/** Sets or clears the finding's risk acceptance record, with an audit entry. */
function setRiskAcceptance(f: Finding, value: RiskAcceptance | null, ctx: EngineContext, reason: string): void {
  const before = f.riskAcceptance ?? null;
  if (before === null && value === null) return;
  f.riskAcceptance = value;
  f.audit.push({ at: nowIso(ctx), author: ctx.user, field: 'riskAcceptance', from: before, to: value, reason });
}

/**
 * Applies a triage decision with DefectDojo's semantics, every status change going through the
 * §1.4 invariants and the audit trail:
 * - false positive / out of scope: the invariants make the finding inactive, unverified and
 *   mitigated now;
 * - risk accepted: inactive but not mitigated, with the acceptance (reason, owner, expiry);
 * - mitigated: DefectDojo's `mitigate_finding` (§3.5), which also removes a risk acceptance;
 * - active: reopened, clearing false positive, out of scope, risk acceptance and mitigation;
 * - verified / unverified: the verified flag only.
 * Changing the false-positive flag also runs retroactive false-positive history when enabled.
 */
export function triageFinding(ledger: Ledger, findingId: number, change: TriageChange, ctx: EngineContext): Finding {
  const f = validate(ledger, findingId, change, ctx);
  ledger.touch(f);
  const givenReason = change.reason?.trim() || null;
  const reason = givenReason ?? `triage: ${change.status}`;
  const wasFalsePositive = f.falsePositive;
  let noteAdded = false;
  const patch = (p: Partial<Pick<Finding, StatusField>>): void => changeStatus(f, p, ctx, reason);

  switch (change.status) {
    case 'false-positive':
      patch({ falsePositive: true });
      break;
    case 'out-of-scope':
      patch({ outOfScope: true });
      break;
    case 'risk-accepted':
      patch({ riskAccepted: true, active: false });
      setRiskAcceptance(
        f,
        { reason: givenReason ?? '', owner: change.owner?.trim() || ctx.user, expires: change.expires ?? null, acceptedAt: nowIso(ctx) },
        ctx,
        reason,
      );
      break;
    case 'mitigated': {
      // `mitigate_finding` always leaves a note; the user's note (or reason) is that note.
      const note = change.note?.trim() || (givenReason ? `Mitigated: ${givenReason}` : `Mitigated by ${ctx.user}.`);
      mitigateFinding(ledger, f, ctx, { note });
      noteAdded = true;
      break;
    }
    case 'active':
      patch({ active: true, falsePositive: false, outOfScope: false, riskAccepted: false, isMitigated: false });
      setRiskAcceptance(f, null, ctx, reason);
      // Reopening a finding reopens its endpoints too, as DefectDojo's UI does (the special
      // endpoint states stay: they were decided per endpoint).
      reactivateEndpointStatuses(f);
      break;
    case 'verified':
      patch({ verified: true });
      break;
    case 'unverified':
      patch({ verified: false });
      break;
  }

  const note = change.note?.trim();
  if (note && !noteAdded) addNote(ledger, f, note, ctx);
  f.lastReviewed = nowIso(ctx);
  f.lastReviewedBy = ctx.user;
  if (f.falsePositive !== wasFalsePositive) applyRetroactiveFalsePositiveHistory(ledger, f, ctx);
  return f;
}

/** The note left on a finding whose risk acceptance ran out. */
export function riskAcceptanceExpiredNote(expires: string, reopened: boolean): string {
  return reopened ? `Risk acceptance expired on ${expires}; finding reopened.` : `Risk acceptance expired on ${expires}.`;
}

/**
 * The expiry date of a finding's risk acceptance when that day has begun (an acceptance ends at
 * the start of its expiry day, UTC), else null: the one expiry rule, shared by the reopening
 * below and by the hosts' cheap "is anything due?" checks, so they can never disagree.
 */
function riskAcceptanceExpiry(f: Finding, today: string): string | null {
  const expires = f.riskAcceptance?.expires;
  return f.riskAccepted && expires && expires <= today ? expires : null;
}

/**
 * Whether any risk acceptance in the ledger has expired as of `now`, i.e. whether
 * `reopenExpiredRiskAcceptances` would change anything. The hosts ask first, so that reading a
 * store (the CLI's listings, the editor's periodic check) writes it only when something is due.
 */
export function hasExpiredRiskAcceptance(ledger: Ledger, now: Date): boolean {
  const today = now.toISOString().slice(0, 10);
  return ledger.data.findings.some((f) => riskAcceptanceExpiry(f, today) !== null);
}

/**
 * Ends every risk acceptance whose expiry day has begun (UTC) and reopens its finding: active,
 * no longer risk accepted, with a note and an audit entry, as DefectDojo's expiry task does with
 * `reactivate_expired`. A finding that was meanwhile closed (mitigated, false positive, out of
 * scope) only loses the acceptance: reopening it would undo a later, deliberate decision.
 * Called on import and on store load. Returns the findings whose acceptance ended.
 */
export function reopenExpiredRiskAcceptances(ledger: Ledger, ctx: EngineContext): Finding[] {
  const today = todayIso(ctx);
  const ended: Finding[] = [];
  for (const f of ledger.data.findings) {
    const expires = riskAcceptanceExpiry(f, today);
    if (expires === null) continue;
    const reason = 'risk acceptance expired';
    ledger.touch(f);
    const closed = f.isMitigated || f.falsePositive || f.outOfScope;
    changeStatus(f, closed ? { riskAccepted: false } : { riskAccepted: false, active: true }, ctx, reason);
    setRiskAcceptance(f, null, ctx, reason);
    addNote(ledger, f, riskAcceptanceExpiredNote(expires, !closed), ctx);
    ended.push(f);
  }
  return ended;
}
