import { STATUS_FIELDS } from '../engine';
import type { Finding, ImportRecord, ParsedFinding } from '../model';
import type { CliRuntime } from './runtime';

/**
 * Output formatting for the CLI: the JSON shapes of product.md §7 and the short human tables.
 * JSON goes to stdout only; nothing else is printed when `--json` is given, so a pipeline can
 * parse stdout as is.
 */

/** Writes a line (or block) to stdout, ending it with a newline. */
export function print(runtime: CliRuntime, text: string): void {
  runtime.stdout(text.endsWith('\n') ? text : text + '\n');
}

export function printJson(runtime: CliRuntime, value: unknown): void {
  print(runtime, JSON.stringify(value, null, 2));
}

/**
 * The DefectDojo finding fields, camelCased, in the order the JSON lists them; then our own
 * fields. Every key is always present (null or an empty list when the finding has no value), so
 * consumers can rely on the key set.
 */
const PARSED_FINDING_SCALARS = [
  'title',
  'severity',
  'description',
  'date',
  'cwe',
  'cve',
  'filePath',
  'line',
  'componentName',
  'componentVersion',
  'uniqueIdFromTool',
  'vulnIdFromTool',
  'hashCode',
  'service',
  'mitigation',
  'impact',
  'references',
  'stepsToReproduce',
  'severityJustification',
  'payload',
  'cvssv3',
  'cvssv3Score',
  'scannerConfidence',
  'fixAvailable',
  'fixVersion',
  'nbOccurences',
  'sastSourceObject',
  'sastSinkObject',
  'sastSourceLine',
  'sastSourceFilePath',
  // The status fields, in the engine's order (DefectDojo's `update_finding_status` fields).
  ...STATUS_FIELDS,
  'staticFinding',
  'dynamicFinding',
] as const;

const FINDING_LISTS = ['cwes', 'vulnerabilityIds', 'endpoints', 'tags'] as const;

/** Fields only a stored finding has (identity, duplicate link, review and SLA bookkeeping). */
const STORED_ONLY_SCALARS = [
  'numericalSeverity',
  'duplicate',
  'duplicateOf',
  'reporter',
  'created',
  'lastStatusUpdate',
  'lastReviewed',
  'lastReviewedBy',
  'slaStartDate',
  'slaExpirationDate',
] as const;

/** Lists only a stored finding has: DefectDojo's per-endpoint statuses (§3.5, §4.5). */
const STORED_ONLY_LISTS = ['endpointStatus'] as const;

/** Our own fields beyond DefectDojo's (product.md §4, §5). */
const OWN_PARSED_FIELDS = ['location', 'suppression'] as const;
const OWN_STORED_FIELDS = ['fingerprint', 'riskAcceptance', 'foundBy', 'notes', 'audit'] as const;

/** The key set of a finding in `findings --json`, in output order. */
export const FINDING_JSON_KEYS: readonly string[] = [
  'id',
  'testId',
  ...PARSED_FINDING_SCALARS,
  ...STORED_ONLY_SCALARS,
  ...FINDING_LISTS,
  ...STORED_ONLY_LISTS,
  ...OWN_PARSED_FIELDS,
  ...OWN_STORED_FIELDS,
  // Not a finding field: the name of the finding's group (§3.4), null when it is in none.
  'findingGroup',
];

/** The key set of a finding in `parse --json`: the same fields, without ids and stored-only ones. */
export const PARSED_FINDING_JSON_KEYS: readonly string[] = [...PARSED_FINDING_SCALARS, ...FINDING_LISTS, ...OWN_PARSED_FIELDS];

const LIST_KEYS = new Set<string>([...FINDING_LISTS, ...STORED_ONLY_LISTS, 'foundBy', 'notes', 'audit']);

function project(source: object, keys: readonly string[]): Record<string, unknown> {
  const values = source as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = values[key];
    out[key] = value === undefined ? (LIST_KEYS.has(key) ? [] : null) : value;
  }
  return out;
}

/** A stored finding as `findings --json` prints it, with the name of its group when it has one. */
export function findingJson(f: Finding, findingGroup: string | null = null): Record<string, unknown> {
  const out = project(f, FINDING_JSON_KEYS);
  out.findingGroup = findingGroup;
  return out;
}

export function parsedFindingJson(f: ParsedFinding): Record<string, unknown> {
  return project(f, PARSED_FINDING_JSON_KEYS);
}

/**
 * Lays rows out in columns padded to the widest cell, numbers (the `right` columns) aligned
 * right; trailing spaces are trimmed.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((r) => (r[col] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((cell, col) => (right.includes(col) ? cell.padStart(widths[col]) : cell.padEnd(widths[col])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * A few words for a finding's state, most telling first. A duplicate is inactive by
 * definition, so it reads "duplicate of #12" unless it also has a status of its own.
 */
export function findingStatus(f: Finding): string {
  let status: string | null = null;
  if (f.falsePositive) status = 'false positive';
  else if (f.outOfScope) status = 'out of scope';
  else if (f.riskAccepted) status = 'risk accepted';
  else if (f.isMitigated) status = 'mitigated';
  else if (f.active) status = 'active';
  else if (!f.duplicate) status = 'inactive';
  const duplicate = f.duplicate && f.duplicateOf != null ? `duplicate of #${f.duplicateOf}` : null;
  return [status, duplicate].filter((part) => part !== null).join(', ') || 'inactive';
}

export function findingLocation(f: { filePath?: string | null; line?: number | null }): string {
  if (!f.filePath) return '';
  return f.line != null ? `${f.filePath}:${f.line}` : f.filePath;
}

/** Keeps table cells on one line and bounded, whatever a report put in a title. */
export function cell(text: string | null | undefined, max = 80): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** Like `cell`, but keeps the end of the text (the file name of a long path). */
export function cellTail(text: string | null | undefined, max = 40): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? '…' + flat.slice(flat.length - max + 1) : flat;
}

export function findingsTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings.';
  const rows = findings.map((f) => [`#${f.id}`, f.severity, findingStatus(f), cellTail(findingLocation(f), 60), cell(f.title)]);
  return table(['ID', 'SEVERITY', 'STATUS', 'LOCATION', 'TITLE'], rows);
}

export function countsText(counts: ImportRecord['counts']): string {
  return `${counts.created} created, ${counts.closed} closed, ${counts.reactivated} reactivated, ${counts.untouched} untouched`;
}

export function pluralise(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
