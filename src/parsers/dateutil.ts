/**
 * The date forms `dateutil.parser.parse` reads, with its defaults (`dayfirst=False`,
 * `yearfirst=False`), as DefectDojo's Generic Findings Import calls it for `date`, `mitigated`
 * and the CSV `Date`. This is not a full port of dateutil: it covers the forms reports use
 * (ISO dates and date-times, `a/b/c` with `/`, `-` or `.`, compact `YYYYMMDD`, month names with
 * an optional weekday, each optionally followed by a time and a zone), and for each of them it
 * resolves the day, month and year exactly as dateutil's `_ymd.resolve_ymd` does, so
 * `01/02/2021` is January 2 and `28/02/2021` is February 28 (28 cannot be a month). A form
 * outside this set is `undefined`, and the caller refuses it, as DefectDojo refuses what
 * dateutil cannot read.
 */

/** A calendar date and, when the text had one, a time of day and a zone as written. */
export interface DateutilResult {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Whether the text had a time of day. */
  hasTime: boolean;
  /** `Z` or `±HH:MM`, when the text named a zone. */
  zone: string | null;
}

const MONTH_NAMES: Readonly<Record<string, number>> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
};

const WEEKDAY = /^(?:mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday)\b[,.]?\s*/i;

/** The optional time and zone after a date; everything else after the date is refused. */
const TIME_TAIL =
  /^(?:(?:[T ]|,\s*)\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp][Mm])?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * dateutil's two-digit-year rule (`convertyear`): the year within 50 years of `now`'s year.
 * `now` is a parameter so tests do not depend on the clock.
 */
function convertYear(year: number, digits: number, now: Date): number {
  if (year >= 100 || digits > 2) return year;
  const current = now.getUTCFullYear();
  let full = year + current - (current % 100);
  if (full >= current + 50) full -= 100;
  else if (full < current - 50) full += 100;
  return full;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

interface Part {
  value: number;
  digits: number;
}

/**
 * `_ymd.resolve_ymd` for three numbers, none of them a month name (dayfirst and yearfirst off):
 * the indices of the year, month and day. A number of more than two digits is the year.
 */
function resolveNumeric(parts: Part[]): [number, number, number] {
  const [a] = parts;
  if (a.value > 31 || a.digits > 2) return [0, 1, 2];
  if (a.value > 12) return [2, 1, 0];
  return [2, 0, 1];
}

/**
 * `_ymd.resolve_ymd` for two numbers beside a month name at position `monthIndex` of the three
 * tokens: the indices, among the two numbers, of the year and the day. A number of more than two
 * digits is the year (`_resolve_from_stridxs`); otherwise dateutil's per-position rules apply.
 */
function resolveWithMonth(numbers: Part[], monthIndex: number): [number, number] {
  const [x, y] = numbers;
  if (x.digits > 2) return [0, 1];
  if (y.digits > 2) return [1, 0];
  if (monthIndex === 0) return x.value > 31 ? [0, 1] : [1, 0];
  if (monthIndex === 1) return x.value > 31 ? [0, 1] : [1, 0];
  return y.value > 31 ? [1, 0] : [0, 1];
}

function withTime(year: number, month: number, day: number, tail: string, yearDigits: number, now: Date): DateutilResult | undefined {
  const time = TIME_TAIL.exec(tail);
  if (!time) return undefined;
  const fullYear = convertYear(year, yearDigits, now);
  if (!validDate(fullYear, month, day)) return undefined;
  let hour = time[1] !== undefined ? Number(time[1]) : 0;
  const minute = time[2] !== undefined ? Number(time[2]) : 0;
  const second = time[3] !== undefined ? Number(time[3]) : 0;
  const meridian = time[4]?.toLowerCase();
  if (meridian !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    if (meridian === 'pm' && hour !== 12) hour += 12;
    if (meridian === 'am' && hour === 12) hour = 0;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let zone: string | null = null;
  const rawZone = time[5];
  if (rawZone !== undefined) {
    if (/^(?:Z|UTC|GMT)$/.test(rawZone)) zone = 'Z';
    else {
      const digits = rawZone.replace(':', '');
      zone = `${digits.slice(0, 3)}:${digits.length > 3 ? digits.slice(3, 5) : '00'}`;
    }
  }
  return { year: fullYear, month, day, hour, minute, second, hasTime: time[1] !== undefined, zone };
}

/** What `dateutil.parser.parse(text)` gives for the supported forms, or `undefined`. */
export function parseDateutil(value: string, now: Date = new Date()): DateutilResult | undefined {
  const text = value.trim().replace(WEEKDAY, '');
  if (text === '') return undefined;

  // Compact ISO: `20210228`, optionally `T101500`.
  let match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z)?$/.exec(text);
  if (match) {
    const tail = match[4] !== undefined ? `T${match[4]}:${match[5]}${match[6] !== undefined ? `:${match[6]}` : ''}${match[7] ?? ''}` : (match[7] ?? '');
    return withTime(Number(match[1]), Number(match[2]), Number(match[3]), tail, 4, now);
  }

  // Three numbers with one separator: `2021-02-28`, `28/02/2021`, `01.02.21`.
  match = /^(\d{1,4})([/.-])(\d{1,4})\2(\d{1,4})(.*)$/.exec(text);
  if (match) {
    const parts = [match[1], match[3], match[4]].map((p) => ({ value: Number(p), digits: p.length }));
    if (parts.filter((p) => p.digits > 2).length > 1) return undefined;
    const [y, m, d] = resolveNumeric(parts);
    return withTime(parts[y].value, parts[m].value, parts[d].value, match[5], parts[y].digits, now);
  }

  // A month name with two numbers: `28 Feb 2021`, `Feb 28, 2021`, `28-Feb-2021`, `2021 Feb 28`.
  match = /^([A-Za-z]+\.?|\d{1,4})(?:[\s-]+|,\s*)([A-Za-z]+\.?|\d{1,4})(?:[\s-]+|,\s*)([A-Za-z]+\.?|\d{1,4})(.*)$/.exec(text);
  if (match) {
    const tokens = [match[1], match[2], match[3]];
    const monthIndex = tokens.findIndex((t) => /^[A-Za-z]/.test(t));
    if (monthIndex < 0 || tokens.filter((t) => /^[A-Za-z]/.test(t)).length > 1) return undefined;
    const month = MONTH_NAMES[tokens[monthIndex].replace('.', '').toLowerCase()];
    if (month === undefined) return undefined;
    const numbers = tokens.filter((_, i) => i !== monthIndex).map((p) => ({ value: Number(p), digits: p.length }));
    const [y, d] = resolveWithMonth(numbers, monthIndex);
    return withTime(numbers[y].value, month, numbers[d].value, match[4], numbers[y].digits, now);
  }
  return undefined;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `parse(text).date()` as `YYYY-MM-DD`: the date as written, whatever the zone. */
export function dateutilDate(value: string, now?: Date): string | undefined {
  const parsed = parseDateutil(value, now);
  return parsed ? `${pad(parsed.year, 4)}-${pad(parsed.month)}-${pad(parsed.day)}` : undefined;
}

/** `parse(text)` as an ISO date-time (`YYYY-MM-DDTHH:MM:SS`, with the zone when the text had one). */
export function dateutilDateTime(value: string, now?: Date): string | undefined {
  const parsed = parseDateutil(value, now);
  if (!parsed) return undefined;
  return `${pad(parsed.year, 4)}-${pad(parsed.month)}-${pad(parsed.day)}T${pad(parsed.hour)}:${pad(parsed.minute)}:${pad(parsed.second)}${parsed.zone ?? ''}`;
}
