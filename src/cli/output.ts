import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { STATUS_FIELDS } from '../engine';
import type { Finding, ImportRecord, ParsedFinding } from '../model';
import type { CliRuntime } from './runtime';

/**
 * Output formatting for the CLI: the JSON shapes of docs/cli-contract.md and the short human tables.
 * JSON goes to stdout only; nothing else is printed when `--json` is given, so a pipeline can
 * parse stdout as is.
 *
 * Outputs can hold a million findings, so nothing here builds the whole output as one string
 * (V8 caps a string's length) or spreads a list into a call's arguments (the stack caps their
 * number): JSON and tables are produced in pieces and written to stdout in chunks, at the pace
 * stdout takes them.
 */

/** Writes a line (or block) to stdout, ending it with a newline. */
export function print(runtime: CliRuntime, text: string): void {
  runtime.stdout(text.endsWith('\n') ? text : text + '\n');
}

/** About how many characters are gathered before they are handed to stdout in one write. */
const WRITE_CHUNK_CHARS = 64 * 1024;

/**
 * Joins pieces of text into chunks of about `WRITE_CHUNK_CHARS` and hands each to `write`, so
 * no output is ever one string (V8 caps a string's length) and each chunk can wait for its
 * reader. Stops early when `stopped` says the reader has gone.
 */
async function writeInChunks(pieces: Iterable<string>, write: (chunk: string) => unknown, stopped: () => boolean = () => false): Promise<void> {
  let parts: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    parts.push(piece);
    size += piece.length;
    if (size < WRITE_CHUNK_CHARS) continue;
    await write(parts.join(''));
    parts = [];
    size = 0;
    if (stopped()) return;
  }
  if (size > 0) await write(parts.join(''));
}

/**
 * Writes pieces of text to stdout in chunks, waiting for stdout to drain between chunks, and
 * stops early once stdout's reader has gone.
 */
export async function writePieces(runtime: CliRuntime, pieces: Iterable<string>): Promise<void> {
  await writeInChunks(
    pieces,
    async (chunk) => {
      runtime.stdout(chunk);
      if (!runtime.stdoutClosed?.()) await runtime.drain?.();
    },
    () => runtime.stdoutClosed?.() === true,
  );
}

/**
 * Writes pieces of text to a file in chunks, through a temporary file renamed into place, so a
 * reader (a CI step that uploads the report) never sees half a file and a failed run leaves no
 * partial one behind.
 */
export async function writeFileInPieces(target: string, pieces: Iterable<string>): Promise<void> {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  const handle = await fs.open(temporary, 'w');
  try {
    await writeInChunks(pieces, (chunk) => handle.write(chunk));
    await handle.close();
    await fs.rename(temporary, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Prints a value as JSON indented by two spaces (as `JSON.stringify(value, null, 2)`), streamed. */
export async function printJson(runtime: CliRuntime, value: unknown): Promise<void> {
  await writePieces(runtime, jsonLines(value));
}

/** `value` as `JSON.stringify(value, null, 2)` followed by a newline, in pieces. */
export function* jsonLines(value: unknown): Generator<string> {
  yield* jsonPieces(value, '');
  yield '\n';
}

/**
 * Nodes and characters below which a value is serialised by `JSON.stringify` in one go: a
 * finding or an import record without many actions is, a list of them is not.
 */
const SMALL_JSON_NODES = 4096;
const SMALL_JSON_CHARS = 1024 * 1024;

/** Whether `value` is small enough to be serialised in one piece; stops counting at the budget. */
function isSmallJson(value: object): boolean {
  let nodes = 0;
  let chars = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (++nodes > SMALL_JSON_NODES) return false;
    if (typeof next === 'string') {
      chars += next.length;
      if (chars > SMALL_JSON_CHARS) return false;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (next !== null && typeof next === 'object') {
      for (const key in next) {
        chars += key.length;
        pending.push((next as Record<string, unknown>)[key]);
      }
    }
  }
  return true;
}

/** What `JSON.stringify` leaves out of an object and writes as null in an array. */
function isUnrepresentable(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * `JSON.stringify(value, null, 2)` with every line after the first indented by `indent`. Rather
 * than re-indenting the text (a pass over every character), the value is wrapped in as many
 * one-element arrays as `indent` has levels, so `JSON.stringify` indents it in place, and the
 * wrapping brackets are cut off again.
 */
function indentedJson(value: unknown, indent: string): string {
  if (indent === '') return JSON.stringify(value, null, 2) ?? 'null';
  const depth = indent.length / 2;
  let wrapped: unknown = value === undefined ? null : value;
  for (let level = 0; level < depth; level++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // Each level j (1..depth) adds "[\n" and 2j spaces before the value, and "\n", 2(j-1)
  // spaces and "]" after it.
  const before = 2 * depth + depth * (depth + 1);
  const after = 2 * depth + depth * (depth - 1);
  return text.slice(before, text.length - after);
}

/**
 * The pieces of `JSON.stringify(value, null, 2)`, with every line after the first indented by
 * `indent`. Large arrays and objects are walked one element at a time; everything small is
 * left to `JSON.stringify`, so the output is byte for byte what it would produce.
 */
function* jsonPieces(value: unknown, indent: string): Generator<string> {
  const toJson = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  if (typeof toJson === 'function') value = (toJson as () => unknown).call(value);
  if (value === null || typeof value !== 'object' || isSmallJson(value)) {
    yield indentedJson(value, indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield i === 0 ? `\n${inner}` : `,\n${inner}`;
      const item: unknown = value[i];
      yield* jsonPieces(isUnrepresentable(item) ? null : item, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  const record = value as Record<string, unknown>;
  let first = true;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (isUnrepresentable(item)) continue;
    yield first ? `{\n${inner}${JSON.stringify(key)}: ` : `,\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonPieces(item, inner);
  }
  yield first ? '{}' : `\n${indent}}`;
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
  'cvssv4',
  'cvssv4Score',
  'epssScore',
  'epssPercentile',
  'knownExploited',
  'ransomwareUsed',
  'kevDate',
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

/** Our own fields beyond DefectDojo's (docs/improvements.md §4, §5). */
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
 * The lines of a table: columns padded to the widest cell, numbers (the `right` columns)
 * aligned right; trailing spaces are trimmed. Widths are found with a loop rather than
 * `Math.max(...cells)`, which overflows the stack from about 130k rows.
 */
export function* tableLines(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): Generator<string> {
  const widths = header.map((h) => h.length);
  for (const row of rows) {
    for (let col = 0; col < widths.length; col++) {
      const length = (row[col] ?? '').length;
      if (length > widths[col]) widths[col] = length;
    }
  }
  const line = (r: readonly string[]): string =>
    r
      .map((cell, col) => (right.includes(col) ? cell.padStart(widths[col]) : cell.padEnd(widths[col])))
      .join('  ')
      .trimEnd();
  yield line(header);
  for (const row of rows) yield line(row);
}

/** A table as one string, for short tables; long ones go through `printTable`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  return Array.from(tableLines(header, rows, right)).join('\n');
}

/** Prints a table of any length to stdout, a chunk at a time. */
export async function printTable(
  runtime: CliRuntime,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): Promise<void> {
  await writePieces(runtime, withNewlines(tableLines(header, rows, right)));
}

function* withNewlines(lines: Iterable<string>): Generator<string> {
  for (const line of lines) yield `${line}\n`;
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

/** Prints findings as a table (ID, severity, status, location, title), or says there are none. */
export async function printFindingsTable(runtime: CliRuntime, findings: readonly Finding[]): Promise<void> {
  if (findings.length === 0) {
    print(runtime, 'No findings.');
    return;
  }
  const rows = findings.map((f) => [`#${f.id}`, f.severity, findingStatus(f), cellTail(findingLocation(f), 60), cell(f.title)]);
  await printTable(runtime, ['ID', 'SEVERITY', 'STATUS', 'LOCATION', 'TITLE'], rows);
}

export function countsText(counts: ImportRecord['counts']): string {
  return `${counts.created} created, ${counts.closed} closed, ${counts.reactivated} reactivated, ${counts.untouched} untouched`;
}

export function pluralise(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
