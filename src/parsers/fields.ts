import { pythonStr } from '../model';
import { ReportParseError } from './errors';
import { isJsonObject, type JsonObject } from './json';

export { pythonCapitalize } from './python-text';

/**
 * Typed reads of decoded report values for the scanner parsers. Every read names the place it
 * reads (`results[3].line_number`), so a report with a wrong type fails with an error that says
 * which finding and which field, instead of a TypeError deep inside a parser.
 */

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** A decoded JSON object (not null, not an array). */
export const isObject = isJsonObject;

/** Reads typed fields of one object, reporting problems at `path` in `fileName`. */
export class FieldReader {
  readonly fileName: string;
  readonly path: string;
  readonly value: JsonObject;

  constructor(fileName: string, path: string, value: unknown) {
    if (!isObject(value)) {
      throw new ReportParseError(fileName, `expected an object, got ${describeType(value)}`, path || null);
    }
    this.fileName = fileName;
    this.path = path;
    this.value = value;
  }

  fail(field: string, problem: string): never {
    throw new ReportParseError(this.fileName, problem, this.at(field));
  }

  at(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  has(field: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.value, field);
  }

  raw(field: string): unknown {
    return this.has(field) ? this.value[field] : undefined;
  }

  /**
   * A text field. Numbers and booleans are accepted as their text, since Python's f-strings
   * and `str()` would render them the same way; objects and arrays are refused.
   */
  optString(field: string): string | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    return this.fail(field, `expected text, got ${describeType(v)}`);
  }

  string(field: string): string {
    const v = this.optString(field);
    if (v === null) return this.fail(field, this.has(field) ? 'required text is null' : 'required field is missing');
    return v;
  }

  /** An integer field; a string of digits is accepted, as Django's IntegerField would coerce it. */
  optInt(field: string): number | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
    return this.fail(field, `expected an integer, got ${describeType(v)}${typeof v === 'string' ? ` "${v.slice(0, 40)}"` : ''}`);
  }

  int(field: string): number {
    const v = this.optInt(field);
    if (v === null) return this.fail(field, this.has(field) ? 'required integer is null' : 'required field is missing');
    return v;
  }

  optNumber(field: string): number | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return this.fail(field, `expected a number, got ${describeType(v)}`);
  }

  optObject(field: string): FieldReader | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return null;
    if (!isObject(v)) return this.fail(field, `expected an object, got ${describeType(v)}`);
    return new FieldReader(this.fileName, this.at(field), v);
  }

  object(field: string): FieldReader {
    const v = this.optObject(field);
    if (v === null) return this.fail(field, this.has(field) ? 'required object is null' : 'required field is missing');
    return v;
  }

  optArray(field: string): unknown[] | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v)) return this.fail(field, `expected an array, got ${describeType(v)}`);
    return v as unknown[];
  }

  /** An array of text; non-text entries are refused with their index. */
  optStringArray(field: string): string[] | null {
    const list = this.optArray(field);
    if (list === null) return null;
    return list.map((entry, index) => {
      if (typeof entry === 'string') return entry;
      if (typeof entry === 'number' && Number.isFinite(entry)) return String(entry);
      return this.fail(`${field}[${index}]`, `expected text, got ${describeType(entry)}`);
    });
  }

  /** Each element of an array field as a reader, for arrays of objects. */
  objects(field: string): FieldReader[] {
    const list = this.optArray(field) ?? [];
    return list.map((entry, index) => new FieldReader(this.fileName, `${this.at(field)}[${index}]`, entry));
  }
}

/** Python's `str.title()` for the ASCII words scanners use for severities (`HIGH` → `High`). */
export function pythonTitle(value: string): string {
  return value.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
}


/**
 * Python's `json.dumps(value)` with its default settings (`", "` and `": "` separators,
 * non-ASCII escaped as `\uXXXX`), for the parsers that embed a dumped value in a description
 * or mitigation that enters the hash.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
  if (typeof value === 'string') return pythonJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return pythonJsonString(String(value));
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python's `str()` of an optional value inside an f-string: null renders as `None`. */
export const pyStr: (value: string | number | boolean | null | undefined) => string = pythonStr;

/**
 * The calendar date DefectDojo stores for a report timestamp: `dateutil` parses it and Django's
 * DateField converts an aware value to UTC (the default time zone) before taking the date.
 * Returns null when the text is not an ISO-like date.
 */
export function utcDateOf(text: string): string | null {
  const match = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?/.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, zone] = match;
  if (hour === undefined || zone === undefined) return `${year}-${month}-${day}`;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? 0)) - offsetMinutes * 60000;
  if (Number.isNaN(utc)) return null;
  return new Date(utc).toISOString().slice(0, 10);
}
