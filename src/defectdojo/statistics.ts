/**
 * DefectDojo's import statistics (`ImportStatisticsSerializer`): per severity, how many of a
 * set of findings are active, verified, duplicate, false positive, out of scope, mitigated and
 * risk accepted, plus the total; `after` for the test once the run is done, `before` for the
 * test before a reimport, and `delta` per import action (created, closed, reactivated,
 * untouched) over the findings that action touched, as they are after the run. Computed here
 * from the engine's ledger, so a push can print the local prediction next to the server's.
 */
import type { Ledger } from '../engine';
import type { Finding, ImportActionRecord } from '../model';

export const STAT_FIELDS = ['active', 'verified', 'duplicate', 'false_p', 'out_of_scope', 'is_mitigated', 'risk_accepted', 'total'] as const;
export type StatField = (typeof STAT_FIELDS)[number];
export type StatusCounts = Record<StatField, number>;

export const STAT_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
/** One `SeverityStatusStatisticsSerializer`: the five severities and their `total`. */
export type SeverityStatistics = Record<(typeof STAT_SEVERITIES)[number] | 'total', StatusCounts>;

export const IMPORT_ACTION_NAMES = ['created', 'closed', 'reactivated', 'untouched'] as const;
export type ImportActionName = (typeof IMPORT_ACTION_NAMES)[number];

export interface ImportStatistics {
  before?: SeverityStatistics;
  delta?: Record<ImportActionName, SeverityStatistics>;
  after: SeverityStatistics;
}

function zeroCounts(): StatusCounts {
  return { active: 0, verified: 0, duplicate: 0, false_p: 0, out_of_scope: 0, is_mitigated: 0, risk_accepted: 0, total: 0 };
}

export function emptySeverityStatistics(): SeverityStatistics {
  return { info: zeroCounts(), low: zeroCounts(), medium: zeroCounts(), high: zeroCounts(), critical: zeroCounts(), total: zeroCounts() };
}

function add(counts: StatusCounts, f: Finding): void {
  if (f.active) counts.active++;
  if (f.verified) counts.verified++;
  if (f.duplicate) counts.duplicate++;
  if (f.falsePositive) counts.false_p++;
  if (f.outOfScope) counts.out_of_scope++;
  if (f.isMitigated) counts.is_mitigated++;
  if (f.riskAccepted) counts.risk_accepted++;
  counts.total++;
}

/** The statistics of a set of findings, as DefectDojo's `_get_statistics_for_queryset` counts them. */
export function statisticsOf(findings: Iterable<Finding>): SeverityStatistics {
  const stats = emptySeverityStatistics();
  for (const f of findings) {
    const key = f.severity.toLowerCase() as (typeof STAT_SEVERITIES)[number];
    if (stats[key]) add(stats[key], f);
    add(stats.total, f);
  }
  return stats;
}

/** The `delta` of one run: per action, the statistics of the findings that action touched. */
export function deltaOf(ledger: Ledger, actions: readonly ImportActionRecord[]): Record<ImportActionName, SeverityStatistics> {
  const byAction: Record<ImportActionName, Finding[]> = { created: [], closed: [], reactivated: [], untouched: [] };
  for (const a of actions) {
    const f = ledger.finding(a.findingId);
    if (f && (IMPORT_ACTION_NAMES as readonly string[]).includes(a.action)) byAction[a.action].push(f);
  }
  return {
    created: statisticsOf(byAction.created),
    closed: statisticsOf(byAction.closed),
    reactivated: statisticsOf(byAction.reactivated),
    untouched: statisticsOf(byAction.untouched),
  };
}

/** One difference between a prediction and the server's answer, e.g. `after.high.active`. */
export interface StatisticsDifference {
  path: string;
  predicted: number;
  server: number;
}

function compareSeverityStatistics(prefix: string, predicted: SeverityStatistics, server: unknown, out: StatisticsDifference[]): void {
  const s = (server ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const severity of [...STAT_SEVERITIES, 'total'] as const) {
    for (const field of STAT_FIELDS) {
      const value = s[severity]?.[field];
      const serverValue = typeof value === 'number' ? value : 0;
      if (predicted[severity][field] !== serverValue) {
        out.push({ path: `${prefix}.${severity}.${field}`, predicted: predicted[severity][field], server: serverValue });
      }
    }
  }
}

/**
 * Compares the prediction with the server's statistics, part by part. A part the server left
 * out (DefectDojo omits `delta` when import history is off, and `before` for a new test) is not
 * compared; the `after` statistics always are.
 */
export function compareStatistics(predicted: ImportStatistics, server: Partial<ImportStatistics> | undefined): StatisticsDifference[] {
  const out: StatisticsDifference[] = [];
  compareSeverityStatistics('after', predicted.after, server?.after, out);
  if (server?.before && predicted.before) compareSeverityStatistics('before', predicted.before, server.before, out);
  if (server?.delta && predicted.delta) {
    for (const action of IMPORT_ACTION_NAMES) compareSeverityStatistics(`delta.${action}`, predicted.delta[action], server.delta[action], out);
  }
  return out;
}
