import { HASHCODE_ALLOWED_FIELDS, pythonStr } from '../model';
import { casefold } from './casefold';
import type { HashConfig } from './dedupe-config';
import { sha256Hex } from './sha256';

/** The finding fields a hash code can read (parsed or stored findings both fit). */
export interface HashableFinding {
  title: string;
  description: string;
  severity: string;
  cwe?: number | null;
  cwes?: number[];
  line?: number | null;
  filePath?: string | null;
  payload?: string | null;
  componentName?: string | null;
  componentVersion?: string | null;
  uniqueIdFromTool?: string | null;
  vulnIdFromTool?: string | null;
  mitigation?: string | null;
  vulnerabilityIds?: string[];
  endpoints?: string[];
  service?: string | null;
}

/** Sorted like Python sorts strings: by code point, not by UTF-16 unit or locale. */
function codePointSort(values: string[]): string[] {
  return values.sort((a, b) => {
    const ai = [...a];
    const bi = [...b];
    for (let i = 0; i < Math.min(ai.length, bi.length); i++) {
      const d = ai[i].codePointAt(0)! - bi[i].codePointAt(0)!;
      if (d !== 0) return d;
    }
    return ai.length - bi.length;
  });
}

function renderField(f: HashableFinding, field: string): string {
  switch (field) {
    case 'vulnerabilityIds':
      // Before save DefectDojo de-duplicates and sorts the unsaved list; after save the stored
      // list is already de-duplicated, so both paths meet here.
      return codePointSort([...new Set((f.vulnerabilityIds ?? []).map(String))]).join('');
    case 'cwes': {
      const labels = new Set<string>();
      if (f.cwe && f.cwe > 0) labels.add(`CWE-${f.cwe}`);
      for (const c of f.cwes ?? []) labels.add(`CWE-${c}`);
      return codePointSort([...labels]).join('');
    }
    case 'endpoints':
      // DefectDojo 3.2 hashes V3 locations: the set of URL strings, each cut to 2048, sorted.
      return codePointSort([...new Set((f.endpoints ?? []).map((e) => e.slice(0, 2048)))]).join('');
    default:
      return pythonStr((f as unknown as Record<string, unknown>)[field]);
  }
}

/** `title + str(cwe) + str(line) + str(file_path) + description`: DefectDojo's legacy hash input. */
export function legacyHashInput(f: HashableFinding): string {
  return f.title + pythonStr(f.cwe) + pythonStr(f.line) + pythonStr(f.filePath) + f.description;
}

/** The string DefectDojo hashes for this finding and configuration, before the `H` step. */
export function hashInput(f: HashableFinding, config: HashConfig): string {
  const fields = config.fields;
  const useLegacy =
    !fields ||
    fields.length === 0 ||
    fields.some((field) => !HASHCODE_ALLOWED_FIELDS.includes(field)) ||
    // A CWE of 0 means "unset"; null is not 0 and proceeds (§6.2).
    (f.cwe === 0 && !config.allowsNullCwe);
  return useLegacy ? legacyHashInput(f) : fields.map((field) => renderField(f, field)).join('');
}

/** Python's `bytes.strip()` set: space, \t, \n, \r, \v, \f. */
function isAsciiWhitespace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Strips ASCII whitespace from both ends (Python's `bytes.strip()`). Looks only at the ends:
 * a regular expression anchored at the end tried every position of the hash input, which holds
 * the whole description (40 ms of a 100,000-finding reimport).
 */
export function stripAsciiWhitespace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isAsciiWhitespace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * DefectDojo's `H`: append the always-hashed fields when truthy, full case fold, strip ASCII
 * whitespace from both ends (Python's `bytes.strip()`), SHA-256, lowercase hex.
 */
export function hashString(input: string, f: HashableFinding, fieldsAlways: readonly string[]): string {
  let s = input;
  for (const field of fieldsAlways) {
    const value = (f as unknown as Record<string, unknown>)[field];
    if (value) s += String(value);
  }
  const folded = stripAsciiWhitespace(casefold(s));
  return sha256Hex(folded);
}

/** DefectDojo's `compute_hash_code` for a finding under a configuration (§6.2). */
export function computeHashCode(f: HashableFinding, config: HashConfig): string {
  return hashString(hashInput(f, config), f, config.fieldsAlways);
}
