import type { Finding, ImportRecord, Severity } from '../model';
import { SEVERITY_RANK } from '../model';

/**
 * The view filters of the findings tree and the Problems panel (issue 11): a minimum severity,
 * and "new since": findings created after a given import, or after the baseline (the first
 * import of their test, i.e. what later scans added). Pure, so the rules are unit tested; the
 * editor keeps the choice in workspace state (`finding-filter.ts`).
 */

/** "New since": an import id, or `baseline` for the first import of each finding's test. */
export type NewSince = number | 'baseline';

export interface FindingFilter {
  /** Findings of this severity or more severe; null for all. */
  minimumSeverity: Severity | null;
  newSince: NewSince | null;
}

export const NO_FILTER: Readonly<FindingFilter> = { minimumSeverity: null, newSince: null };

export function isFiltering(filter: FindingFilter): boolean {
  return filter.minimumSeverity !== null || filter.newSince !== null;
}

/** A short description of the filter for the view and the log, e.g. "High and above, new since import #4". */
export function describeFilter(filter: FindingFilter): string {
  const parts: string[] = [];
  if (filter.minimumSeverity) parts.push(filter.minimumSeverity === 'Critical' ? 'Critical only' : `${filter.minimumSeverity} and above`);
  if (filter.newSince === 'baseline') parts.push('new since the baseline');
  else if (filter.newSince !== null) parts.push(`new since import #${filter.newSince}`);
  return parts.length > 0 ? parts.join(', ') : 'all findings';
}

/** Reads a filter back from workspace state (or a command argument), dropping what is not valid. */
export function readFilter(value: unknown): FindingFilter {
  if (typeof value !== 'object' || value === null) return { ...NO_FILTER };
  const v = value as Record<string, unknown>;
  const minimumSeverity = typeof v.minimumSeverity === 'string' && v.minimumSeverity in SEVERITY_RANK ? (v.minimumSeverity as Severity) : null;
  const newSince = v.newSince === 'baseline' || (typeof v.newSince === 'number' && Number.isSafeInteger(v.newSince) && v.newSince >= 0) ? v.newSince : null;
  return { minimumSeverity, newSince };
}

/**
 * Which import created each finding, and the first import of each test, from the import
 * history. Built once per refresh: the history is the only place a finding's creating import
 * is recorded.
 */
export interface CreationIndex {
  createdBy: ReadonlyMap<number, number>;
  firstImportOfTest: ReadonlyMap<number, number>;
}

export function creationIndex(imports: readonly ImportRecord[]): CreationIndex {
  const createdBy = new Map<number, number>();
  const firstImportOfTest = new Map<number, number>();
  for (const r of imports) {
    const first = firstImportOfTest.get(r.testId);
    if (first === undefined || r.id < first) firstImportOfTest.set(r.testId, r.id);
    for (const a of r.actions) {
      if (a.action !== 'created') continue;
      const seen = createdBy.get(a.findingId);
      if (seen === undefined || r.id < seen) createdBy.set(a.findingId, r.id);
    }
  }
  return { createdBy, firstImportOfTest };
}

/**
 * Whether a finding passes the filter. A finding whose creating import is unknown (history
 * deleted, a store from before import actions) is not "new": the filter answers "what did the
 * later scans add", and such a finding cannot be shown to be one of them.
 */
export function passesFilter(f: Finding, filter: FindingFilter, index: CreationIndex | null): boolean {
  if (filter.minimumSeverity && SEVERITY_RANK[f.severity] > SEVERITY_RANK[filter.minimumSeverity]) return false;
  if (filter.newSince === null) return true;
  const created = index?.createdBy.get(f.id);
  if (created === undefined) return false;
  if (filter.newSince === 'baseline') {
    const first = index?.firstImportOfTest.get(f.testId);
    return first !== undefined && created > first;
  }
  return created > filter.newSince;
}
