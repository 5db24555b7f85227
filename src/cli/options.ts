import { InvalidArgumentError } from 'commander';
import { GROUP_BY_OPTIONS, type GroupByOption } from '../engine';
import { SEVERITIES, type Severity } from '../model';

/**
 * Value parsers for commander options. Each throws commander's `InvalidArgumentError`, which the
 * entry point turns into one stderr line and exit 2, so a bad value never reaches the store.
 */

/** `--store` and `--json`, which every command accepts. */
export interface CommonOptions {
  store?: string;
  json?: boolean;
}

/** `true` / `false`, as DefectDojo's API takes booleans. */
export function parseBoolean(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InvalidArgumentError(`expected true or false.`);
}

/** A DefectDojo severity, case-insensitive (`high` → `High`). */
export function parseSeverity(value: string): Severity {
  const wanted = value.trim().toLowerCase();
  const match = SEVERITIES.find((s) => s.toLowerCase() === wanted);
  if (!match) throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}.`);
  return match;
}

/** A calendar date written YYYY-MM-DD; `2026-02-30` is refused rather than rolled over. */
export function parseDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return `${m[1]}-${m[2]}-${m[3]}`;
    }
  }
  throw new InvalidArgumentError(`expected a date YYYY-MM-DD.`);
}

/** A positive integer id (finding, test, import). */
export function parseId(value: string): number {
  const v = value.trim();
  if (/^[1-9]\d*$/.test(v)) {
    const id = Number(v);
    if (Number.isSafeInteger(id)) return id;
  }
  throw new InvalidArgumentError(`expected a positive integer id.`);
}

/** A non-negative integer (`--new-since-import 0` means "every import"). */
export function parseCount(value: string): number {
  const v = value.trim();
  if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw new InvalidArgumentError(`expected a non-negative integer.`);
}

/** A comma-separated tag list; blanks are dropped, order and spelling kept. */
export function parseTags(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** A free-text value that must not be blank (a name, a reason). */
export function parseNonBlank(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a non-empty value.');
  return value;
}

/** A triage status, one of the engine's (`false-positive`, `risk-accepted`, …), case-insensitive. */
export function parseTriageStatus<S extends string>(value: string, statuses: readonly S[]): S {
  const v = value.trim().toLowerCase();
  const match = statuses.find((s) => s === v);
  if (!match) throw new InvalidArgumentError(`expected one of ${statuses.join(', ')}.`);
  return match;
}

/** A DefectDojo `group_by` option (`component_name`, `file_path`, …), case-insensitive. */
export function parseGroupBy(value: string): GroupByOption {
  const v = value.trim().toLowerCase();
  const match = GROUP_BY_OPTIONS.find((o) => o === v);
  if (!match) throw new InvalidArgumentError(`expected one of ${GROUP_BY_OPTIONS.join(', ')}.`);
  return match;
}
