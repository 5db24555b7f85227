import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ReportParseError } from './errors';
import { lineColumnAt } from './xml';

/**
 * JSON decoding and field reading for untrusted reports. Scanners are inconsistent about types
 * (numbers as strings, `null` for absent, a single value where a list is documented), so the
 * readers below accept those variants and return `undefined` for anything else, leaving each
 * parser to decide whether a missing value is an error.
 */

/** Nesting deeper than this is refused: no scanner report comes close, and deep input is an attack. */
export const MAX_JSON_DEPTH = 512;

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Finds where nesting first exceeds `maxDepth`, without recursion: a single pass over the text
 * that skips string literals with `indexOf`, so its cost stays a small fraction of `JSON.parse`.
 * Returns the offending offset or -1.
 */
export function findExcessiveNesting(text: string, maxDepth: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34) {
      // Skip the string literal: jump to the next quote not escaped by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      while (end !== -1) {
        let backslashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === 92; j--) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) return -1;
      i = end;
    } else if (code === 91 || code === 123) {
      depth++;
      if (depth > maxDepth) return i;
    } else if (code === 93 || code === 125) {
      depth--;
    }
  }
  return -1;
}

/** Removes a leading byte-order mark, which some Windows tools write and `JSON.parse` rejects. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses a JSON report. Errors name the file and, for syntax errors, the line and column (found
 * with jsonc-parser's error-tolerant scanner, since V8's messages do not always carry one).
 */
export function parseJson(text: string, fileName: string): unknown {
  const body = stripBom(text);
  if (body.trim() === '') throw new ReportParseError(fileName, 'the report is empty');
  const tooDeep = findExcessiveNesting(body);
  if (tooDeep !== -1) {
    throw new ReportParseError(fileName, `JSON nesting deeper than ${MAX_JSON_DEPTH} levels`, lineColumnAt(body, tooDeep));
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const errors: ParseError[] = [];
    parseJsonc(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (first) {
      const problem = first.offset >= body.length ? 'truncated JSON (unexpected end of input)' : `invalid JSON: ${printParseErrorCode(first.error)}`;
      throw new ReportParseError(fileName, problem, lineColumnAt(body, first.offset));
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new ReportParseError(fileName, `invalid JSON: ${message}`);
  }
}

/** Refuses a report larger than `maxBytes` (UTF-8 bytes) before any parsing work is done. */
export function assertReportSize(text: string, fileName: string, maxBytes: number): void {
  // A UTF-16 string never has more UTF-8 bytes than 3 per code unit, so the exact (and costly)
  // byte count is only needed near the limit.
  if (text.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    throw new ReportParseError(fileName, `report is ${formatSize(bytes)}, over the ${formatSize(maxBytes)} limit`);
  }
}

/** `256 MB`, `2.5 MB`, or plain bytes below one megabyte (only tests set such small limits). */
function formatSize(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  if (megabytes < 1) return `${bytes} bytes`;
  return `${megabytes >= 10 ? Math.round(megabytes) : Math.round(megabytes * 100) / 100} MB`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The property itself, only if it is an own property (never one inherited from Object.prototype). */
export function own(record: unknown, key: string): unknown {
  if (!isJsonObject(record)) return undefined;
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Whether the object has the key at all, as Python's `key in dict` asks. */
export function hasKey(record: unknown, key: string): boolean {
  return isJsonObject(record) && Object.prototype.hasOwnProperty.call(record, key);
}

/** A string, or a number/boolean rendered as one; `undefined` for null, objects and arrays. */
export function readString(record: unknown, key: string): string | undefined {
  return asString(own(record, key));
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/** A finite number, or a string holding one (`"7.5"`); `undefined` otherwise. */
export function readNumber(record: unknown, key: string): number | undefined {
  return asNumber(own(record, key));
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value.trim());
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** An integer, or a string holding one (`"42"`); `undefined` for fractions and non-numbers. */
export function readInteger(record: unknown, key: string): number | undefined {
  return asInteger(own(record, key));
}

export function asInteger(value: unknown): number | undefined {
  const number = asNumber(value);
  return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
}

/** A boolean, or `"true"`/`"false"` (any case); `undefined` otherwise. */
export function readBoolean(record: unknown, key: string): boolean | undefined {
  return asBoolean(own(record, key));
}

export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lowered = value.trim().toLowerCase();
    if (lowered === 'true') return true;
    if (lowered === 'false') return false;
  }
  return undefined;
}

/** An array, or `[]` when the property is absent or null; `undefined` for any other type. */
export function readArray(record: unknown, key: string): unknown[] | undefined {
  const value = own(record, key);
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : undefined;
}

/** An object, or `undefined`. */
export function readObject(record: unknown, key: string): JsonObject | undefined {
  const value = own(record, key);
  return isJsonObject(value) ? value : undefined;
}
