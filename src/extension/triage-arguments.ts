/**
 * What a triage command was invoked with, normalised. Pure, so every calling convention is
 * tested: the palette (no argument: use the cursor), a finding id, hover and quick-fix links
 * (`{ folder, findingIds }`), and the tree's multi-select, where VS Code passes the clicked item
 * and then the array of all selected items.
 */

import { isIsoDate } from '../engine';

/** The engine's date rule, re-exported for the input box validation and the tests. */
export { isIsoDate };

export interface TriageRequest {
  /** The workspace folder (URI string, path or name); absent when the caller did not say. */
  folder?: string;
  findingIds: number[];
  /** Given by links or tests to skip the prompts. */
  reason?: string;
  expires?: string | null;
  note?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asFindingId(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^#?\d+$/.test(value.trim())) return Number(value.trim().replace('#', ''));
  return null;
}

/** A `vscode.Uri` as a tree item carries it, seen from this pure file: its string is the URI. */
interface UriLike {
  scheme: string;
  toString(): string;
}

function isUriLike(value: unknown): value is UriLike {
  return isRecord(value) && typeof value.scheme === 'string';
}

function folderOf(value: Record<string, unknown>): string | undefined {
  const folder = value.folder;
  if (typeof folder === 'string' && folder) return folder;
  // A tree item may carry the folder as a `vscode.Uri` or a `WorkspaceFolder`.
  if (isRecord(folder)) {
    if (isUriLike(folder)) return String(folder);
    if (isUriLike(folder.uri)) return String(folder.uri);
  }
  return undefined;
}

/** The ids one argument names: a number, `{ findingIds }`, `{ findingId }`, `{ finding: { id } }`, `{ id }`. */
function idsOf(value: unknown): number[] {
  const single = asFindingId(value);
  if (single != null) return [single];
  if (Array.isArray(value)) return value.flatMap(idsOf);
  if (!isRecord(value)) return [];
  if (Array.isArray(value.findingIds)) return value.findingIds.map(asFindingId).filter((id): id is number => id != null);
  const direct = asFindingId(value.findingId);
  if (direct != null) return [direct];
  if (isRecord(value.finding)) {
    const nested = asFindingId(value.finding.id);
    if (nested != null) return [nested];
  }
  // A bare `{ id }` counts only when the object says it is a finding (tree items have other kinds).
  if ((value.kind === 'finding' || value.type === 'finding') && asFindingId(value.id) != null) return [Number(value.id)];
  return [];
}

/**
 * Normalises the arguments of a triage command; null means "nothing named: use the findings at
 * the cursor". Duplicate ids are dropped; the first folder named wins.
 */
export function parseTriageArguments(args: readonly unknown[]): TriageRequest | null {
  const ids: number[] = [];
  let folder: string | undefined;
  let reason: string | undefined;
  let expires: string | null | undefined;
  let note: string | undefined;
  for (const arg of args) {
    ids.push(...idsOf(arg));
    const records = Array.isArray(arg) ? arg.filter(isRecord) : isRecord(arg) ? [arg] : [];
    for (const r of records) {
      folder ??= folderOf(r) ?? (isRecord(r.finding) ? folderOf(r.finding) : undefined);
      if (reason === undefined && typeof r.reason === 'string') reason = r.reason;
      if (expires === undefined && (typeof r.expires === 'string' || r.expires === null)) expires = r.expires;
      if (note === undefined && typeof r.note === 'string') note = r.note;
    }
  }
  const unique = [...new Set(ids)];
  if (unique.length === 0) return null;
  const request: TriageRequest = { findingIds: unique };
  if (folder !== undefined) request.folder = folder;
  if (reason !== undefined) request.reason = reason;
  if (expires !== undefined) request.expires = expires;
  if (note !== undefined) request.note = note;
  return request;
}

/**
 * Validates the risk acceptance expiry typed in the input box: empty (no expiry) or a real
 * date after today (an acceptance that ends today or earlier would reopen at once). Returns the
 * problem, or undefined when the text is acceptable.
 */
export function validateExpiry(text: string, today: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!isIsoDate(t)) return 'Write the date as YYYY-MM-DD, e.g. 2027-03-31, or leave it empty for no expiry.';
  if (t <= today) return `The expiry must be after today (${today}); an acceptance ending earlier would reopen the finding at once.`;
  return undefined;
}
