import { SEVERITIES, SEVERITY_RANK, type Severity } from '../model';

/**
 * DefectDojo's `sanitize_severity` (§1.2): the five exact spellings pass; anything that,
 * lower-cased, starts with `info` or equals `none` becomes `Info`; everything else is invalid
 * and aborts the whole import, which the caller signals by getting null here.
 */
export function sanitizeSeverity(raw: string): Severity | null {
  if ((SEVERITIES as readonly string[]).includes(raw)) return raw as Severity;
  const lower = String(raw).toLowerCase();
  if (lower.startsWith('info') || lower === 'none') return 'Info';
  return null;
}

/** `S0` (Critical) … `S4` (Info); `S5` for anything else, as DefectDojo's save() derives it. */
export function numericalSeverity(severity: string): string {
  const rank = (SEVERITY_RANK as Record<string, number>)[severity];
  return rank === undefined ? 'S5' : `S${rank}`;
}

/** True when `minimum_severity` drops a finding of this severity (§1.2). */
export function isBelowMinimumSeverity(severity: Severity, minimum: Severity): boolean {
  return SEVERITY_RANK[severity] > SEVERITY_RANK[minimum];
}

/**
 * DefectDojo's `process_cve` (§3.2): blank ids are dropped; with ids and a `cve`, the `cve` is
 * put at the front; with ids only, `cve` becomes the first id; with a `cve` only, the ids become
 * `[cve]`. The front insertion may repeat an id, as DefectDojo's does; storing de-duplicates.
 */
export function syncVulnerabilityIds(f: { cve?: string | null; vulnerabilityIds?: string[] }): void {
  const ids = (f.vulnerabilityIds ?? []).filter((id) => typeof id === 'string' && id.trim() !== '');
  if (ids.length > 0 && f.cve) ids.unshift(f.cve);
  else if (ids.length > 0 && !f.cve) f.cve = ids[0];
  else if (ids.length === 0 && f.cve) ids.push(f.cve);
  f.vulnerabilityIds = ids;
}

/** Vulnerability ids as DefectDojo stores them: de-duplicated, order kept, `cve` = first. */
export function storedVulnerabilityIds(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => id.trim() !== ''))];
}
