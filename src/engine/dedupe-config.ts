import {
  DEFECTDOJO_SCAN_TYPE_DEFAULTS,
  FINGERPRINT_DEFAULT_SCAN_TYPES,
  HASH_FIELD_SNAKE_NAMES,
  type DedupeAlgorithm,
  type Settings,
} from '../model';

/** The deduplication configuration of one test type, resolved as DefectDojo resolves it (§6.1). */
export interface HashConfig {
  algorithm: DedupeAlgorithm;
  /** Hash fields in camelCase, or null for the legacy hash. */
  fields: string[] | null;
  allowsNullCwe: boolean;
  /** Appended when non-empty (`HASH_CODE_FIELDS_ALWAYS`, `["service"]` by default). */
  fieldsAlways: string[];
}

const CAMEL_BY_SNAKE: Record<string, string> = Object.fromEntries(
  Object.entries(HASH_FIELD_SNAKE_NAMES).map(([camel, snake]) => [snake, camel]),
);

/** Accepts DefectDojo's snake_case names as well as ours, so copied settings just work. */
export function toCamelHashField(name: string): string {
  return CAMEL_BY_SNAKE[name] ?? name;
}

/**
 * DefectDojo looks the test's Test_Type name up first, then its scan type (§6.1). A user
 * override for either key replaces DefectDojo's default for that key only.
 */
function lookup<T>(
  testType: string,
  scanType: string,
  overrides: Record<string, T>,
  pick: (scanTypeKey: string) => T | undefined,
): T | undefined {
  for (const key of [testType, scanType]) {
    if (Object.prototype.hasOwnProperty.call(overrides, key)) return overrides[key];
    const fromDefaults = pick(key);
    if (fromDefaults !== undefined) return fromDefaults;
  }
  return undefined;
}

export function hashConfigFor(testType: string, scanType: string, settings: Settings): HashConfig {
  const defaults = (key: string) => DEFECTDOJO_SCAN_TYPE_DEFAULTS[key];
  const ourDefault = (key: string) =>
    !settings.defectdojoParity && FINGERPRINT_DEFAULT_SCAN_TYPES.includes(key) ? ('fingerprint' as const) : undefined;
  const algorithm =
    lookup(testType, scanType, settings['dedupe.algorithmPerScanType'], (k) => ourDefault(k) ?? defaults(k)?.algorithm) ?? 'legacy';
  const fields = lookup(testType, scanType, settings['dedupe.hashFieldsPerScanType'], (k) =>
    defaults(k) && Object.prototype.hasOwnProperty.call(defaults(k), 'hashFields') ? (defaults(k)?.hashFields ?? null) : undefined,
  );
  const allowsNullCwe =
    lookup(testType, scanType, settings['dedupe.hashAllowsNullCwePerScanType'], (k) => defaults(k)?.allowsNullCwe) ?? true;
  return {
    algorithm,
    fields: fields && fields.length > 0 ? fields.map(toCamelHashField) : null,
    allowsNullCwe,
    fieldsAlways: settings['dedupe.hashFieldsAlways'].map(toCamelHashField),
  };
}
