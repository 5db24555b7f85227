import { DEFAULT_SLA_DAYS, type Finding, type Settings, type Severity } from '../model';

/**
 * DefectDojo's finding SLA (§1.6): `sla_expiration_date = (sla_start_date or date) + N days`,
 * N from the SLA configuration for the finding's severity. DefectDojo recomputes it on every
 * `save()`; the engine recomputes it wherever a run creates a finding or may have changed the
 * severity, the date or the start date.
 */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * The days to fix for a severity, or null when the severity has no SLA: Info never has one,
 * and a severity configured as null is not enforced (DefectDojo's `enforce_<severity>` off). A
 * severity missing from a hand-edited table falls back to DefectDojo's default.
 */
export function slaDaysFor(severity: Severity, settings: Settings): number | null {
  if (severity === 'Info') return null;
  const configured = settings['sla.days']?.[severity];
  return configured === undefined ? DEFAULT_SLA_DAYS[severity] : configured;
}

/**
 * The last sum computed per number of days. A report's findings nearly all share one date (the
 * scan date) and there are four SLA lengths, so remembering one result per length skips the
 * date arithmetic, which would otherwise be the largest per-finding cost of a large reimport.
 */
const lastSums = new Map<number, { date: string; result: string | null }>();

/** `YYYY-MM-DD` plus whole days, in UTC; null when the start is not a date. */
export function addDays(date: string, days: number): string | null {
  const last = lastSums.get(days);
  if (last !== undefined && last.date === date) return last.result;
  const result = computeAddDays(date, days);
  // Bounded by the distinct SLA lengths in use; a pathological configuration cannot grow it.
  if (lastSums.size > 64) lastSums.clear();
  lastSums.set(days, { date, result });
  return result;
}

function computeAddDays(date: string, days: number): string | null {
  const m = ISO_DATE.exec(date);
  if (!m) return null;
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(start)) return null;
  return new Date(start + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Recomputes a finding's SLA expiration date (DefectDojo's `set_sla_expiration_date`). With
 * the SLA turned off nothing is computed and stored dates stay as they are, as DefectDojo
 * returns early; a severity without an SLA clears the date.
 */
export function updateSlaExpiration(f: Finding, settings: Settings): void {
  if (!settings['sla.enabled']) return;
  const days = slaDaysFor(f.severity, settings);
  if (days === null) {
    f.slaExpirationDate = null;
    return;
  }
  f.slaExpirationDate = addDays(f.slaStartDate || f.date, days);
}

/**
 * `restart_sla_on_reactivation` (§1.6, §4.4 B.3): a reactivated finding's SLA starts again
 * today, and the expiration follows from the new start.
 */
export function restartSla(f: Finding, today: string, settings: Settings): void {
  f.slaStartDate = today;
  updateSlaExpiration(f, settings);
}
