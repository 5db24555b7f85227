import {
  DEDUPE_ALGORITHMS,
  DEFAULT_SLA_DAYS,
  defaultSettings,
  SEVERITIES,
  type Settings,
  type Severity,
  type SlaDays,
  type SlaSeverity,
  type WatchEntry,
} from '../model';

/**
 * The one validator of `scanLedger.*` values, used by both hosts: the CLI reads
 * `.vscode/settings.json` through `settingsFromJsonc`, the editor reads VS Code's configuration
 * through `src/extension/settings.ts`, and both hand every value to `settingsFromValues` here.
 * Two validators drifted apart before (issue 15: `"high"` was Info in the editor and High in the
 * CLI), so this module is the only place a setting's rule is written. It is pure (no file
 * system) so the editor can use it on values VS Code has already read.
 */

/** The prefix every Scan Ledger key carries in `settings.json`; the CLI `config` keys drop it. */
export const SETTINGS_PREFIX = 'scanLedger.';

export type SettingKey = keyof Settings;

/** Every valid setting key, without the prefix, in the order `defaultSettings` lists them. */
export const SETTING_KEYS: readonly SettingKey[] = Object.keys(defaultSettings()) as SettingKey[];

export type SettingValidation<K extends SettingKey = SettingKey> = { ok: true; value: Settings[K] } | { ok: false; error: string };

/** The URL parts DefectDojo's `DEDUPE_ALGO_ENDPOINT_FIELDS` may name (Endpoint model fields). */
export const ENDPOINT_FIELDS: readonly string[] = ['protocol', 'userinfo', 'host', 'port', 'path', 'query', 'fragment'];

type Check = { ok: true; value: unknown } | { ok: false; error: string };

const ok = (value: unknown): Check => ({ ok: true, value });
const fail = (error: string): Check => ({ ok: false, error });

/** A value as a message quotes it, cut at 80 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkBoolean(value: unknown): Check {
  return typeof value === 'boolean' ? ok(value) : fail(`expected true or false, got ${show(value)}`);
}

function checkStringList(value: unknown, allowed?: readonly string[]): Check {
  if (!Array.isArray(value)) return fail(`expected a list of strings, got ${show(value)}`);
  const seen = new Set<string>();
  for (const item of value) {
    if (typeof item !== 'string' || item.trim() === '') return fail(`expected a list of non-empty strings, got ${show(item)} in it`);
    if (allowed && !allowed.includes(item)) return fail(`${show(item)} is not one of ${allowed.join(', ')}`);
    if (seen.has(item)) return fail(`${show(item)} is listed twice`);
    seen.add(item);
  }
  // Every item, in order: each went into `seen` once, or the list was refused.
  return ok([...seen]);
}

/** A table keyed by scan type, each value checked by `checkEntry`. */
function checkPerScanType(value: unknown, checkEntry: (entry: unknown) => Check): Check {
  if (!isRecord(value)) return fail(`expected an object keyed by scan type, got ${show(value)}`);
  const result: Record<string, unknown> = {};
  for (const [scanType, entry] of Object.entries(value)) {
    if (scanType.trim() === '') return fail('a scan type name is empty');
    const checked = checkEntry(entry);
    if (!checked.ok) return fail(`scan type ${show(scanType)}: ${checked.error}`);
    result[scanType] = checked.value;
  }
  return ok(result);
}

function checkAlgorithm(value: unknown): Check {
  return typeof value === 'string' && (DEDUPE_ALGORITHMS as readonly string[]).includes(value)
    ? ok(value)
    : fail(`expected one of ${DEDUPE_ALGORITHMS.join(', ')}, got ${show(value)}`);
}

function checkSeverity(value: unknown): Check {
  // DefectDojo's API accepts any casing of a severity name; the store spells them its way.
  const match = typeof value === 'string' ? SEVERITIES.find((s) => s.toLowerCase() === value.trim().toLowerCase()) : undefined;
  return match ? ok(match satisfies Severity) : fail(`expected one of ${SEVERITIES.join(', ')}, got ${show(value)}`);
}

/**
 * DefectDojo's SLA configuration: days per severity, a whole number of at least 1, or null for
 * a severity whose SLA is not enforced. Severities left out keep DefectDojo's defaults, so
 * `{ "High": 14 }` changes one value; Info is refused because DefectDojo never gives it an SLA.
 */
function checkSlaDays(value: unknown): Check {
  if (!isRecord(value)) return fail(`expected an object of days per severity, e.g. {"Critical": 7, "High": 30}, got ${show(value)}`);
  const days: SlaDays = { ...DEFAULT_SLA_DAYS };
  const severities = Object.keys(DEFAULT_SLA_DAYS) as SlaSeverity[];
  for (const [key, v] of Object.entries(value)) {
    const severity = severities.find((s) => s.toLowerCase() === key.trim().toLowerCase());
    if (!severity) return fail(`${show(key)} is not one of ${severities.join(', ')} (Info findings never get an SLA)`);
    if (v !== null && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) {
      return fail(`${severity}: expected a whole number of days of at least 1, or null for no SLA, got ${show(v)}`);
    }
    days[severity] = v;
  }
  return ok(days);
}

function checkWatch(value: unknown): Check {
  if (!Array.isArray(value)) return fail(`expected a list of { "glob": ... } entries, got ${show(value)}`);
  const entries: WatchEntry[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (!isRecord(item)) return fail(`entry ${i + 1} is not an object`);
    if (typeof item.glob !== 'string' || item.glob.trim() === '') return fail(`entry ${i + 1} has no "glob" pattern`);
    // Trimmed in both hosts: a stray space in a hand-edited glob would otherwise match nothing.
    const entry: WatchEntry = { glob: item.glob.trim() };
    for (const field of ['scanType', 'engagement', 'testTitle'] as const) {
      const v = item[field];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.trim() === '') return fail(`entry ${i + 1}: "${field}" must be a non-empty string`);
      entry[field] = v;
    }
    const unknownFields = Object.keys(item).filter((k) => !['glob', 'scanType', 'engagement', 'testTitle'].includes(k));
    if (unknownFields.length > 0) return fail(`entry ${i + 1}: unknown field ${show(unknownFields[0])}`);
    entries.push(entry);
  }
  return ok(entries);
}

const CHECKS: { [K in SettingKey]: (value: unknown) => Check } = {
  defectdojoParity: checkBoolean,
  'dedupe.enabled': checkBoolean,
  'dedupe.algorithmPerScanType': (v) => checkPerScanType(v, checkAlgorithm),
  'dedupe.hashFieldsPerScanType': (v) => checkPerScanType(v, (entry) => checkStringList(entry)),
  'dedupe.hashAllowsNullCwePerScanType': (v) => checkPerScanType(v, checkBoolean),
  'dedupe.hashFieldsAlways': (v) => checkStringList(v),
  'dedupe.endpointFields': (v) => checkStringList(v, ENDPOINT_FIELDS),
  'dedupe.deleteDuplicates': checkBoolean,
  'dedupe.maxDuplicates': (v) =>
    v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
      ? ok(v)
      : fail(`expected a whole number of at least 0, or null for no limit, got ${show(v)}`),
  'duplicates.warnThreshold': (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= 100 ? ok(v) : fail(`expected a whole percentage from 1 to 100, got ${show(v)}`),
  falsePositiveHistory: checkBoolean,
  retroactiveFalsePositiveHistory: checkBoolean,
  'import.closeOldFindings': checkBoolean,
  'reimport.closeOldFindings': checkBoolean,
  'reimport.doNotReactivate': checkBoolean,
  minimumSeverity: checkSeverity,
  'reimport.oneToOneMatching': checkBoolean,
  'reimport.ignoreUnreliableUniqueIds': checkBoolean,
  'reimport.syncVulnerabilityIdsBeforeHash': checkBoolean,
  'reimport.closeReportClosedOnce': checkBoolean,
  falsePositiveHistoryMitigates: checkBoolean,
  'reimport.keepTestMetadata': checkBoolean,
  'reimport.suppressedDoesNotReactivate': checkBoolean,
  'reimport.reconcileCwes': checkBoolean,
  'reimport.refreshMatchedFields': (v) => checkStringList(v),
  'dedupe.rehashOnConfigChange': checkBoolean,
  'sla.enabled': checkBoolean,
  'sla.days': checkSlaDays,
  'sla.restartOnReactivation': checkBoolean,
  maxReportSizeMb: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? ok(v) : fail(`expected a number of megabytes above 0, got ${show(v)}`)),
  watch: checkWatch,
  watchExclude: (v) => checkStringList(v),
  storePath: (v) => (typeof v === 'string' && v.trim() !== '' ? ok(v) : fail(`expected a file path, got ${show(v)}`)),
  'defectdojo.url': (v) =>
    typeof v === 'string' && isDefectDojoUrlSetting(v)
      ? ok(v.trim())
      : fail(`expected "" or an https:// URL without user name, password, query or fragment (http:// only on a loopback address), got ${show(v)}`),
  'defectdojo.product': (v) => (typeof v === 'string' ? ok(v.trim()) : fail(`expected a product name, or "" for the local product's name, got ${show(v)}`)),
  'defectdojo.engagement': (v) =>
    typeof v === 'string' ? ok(v.trim()) : fail(`expected an engagement name, or "" for the local engagement's name, got ${show(v)}`),
  'defectdojo.productType': (v) =>
    typeof v === 'string' ? ok(v.trim()) : fail(`expected a product type name, or "" to send none, got ${show(v)}`),
  'defectdojo.pushOnWatchedReimport': checkBoolean,
};

/**
 * The rule for `defectdojo.url`, shared with the editor's settings reader: empty (no server), or
 * an https URL (http only on a loopback address, where the token never crosses a network), with
 * no credentials, query or fragment. The DefectDojo client checks the same again before use.
 */
export function isDefectDojoUrlSetting(value: string): boolean {
  const text = value.trim();
  if (text === '') return true;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return false;
  return !url.username && !url.password && !url.search && !url.hash;
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(CHECKS, key);
}

/**
 * Checks a value for a setting key (without the `scanLedger.` prefix) and returns it normalised
 * (e.g. `high` → `High`), or says what is wrong. Shared by `settings.json` reading, the CLI
 * `config set` and the settings panel, so all three accept exactly the same values.
 */
export function validateSettingValue<K extends SettingKey>(key: K, value: unknown): SettingValidation<K>;
export function validateSettingValue(key: string, value: unknown): SettingValidation;
export function validateSettingValue(key: string, value: unknown): SettingValidation {
  if (!isSettingKey(key)) return { ok: false, error: `unknown setting ${show(key)}; valid keys: ${SETTING_KEYS.join(', ')}` };
  const checked = CHECKS[key](value);
  return checked.ok ? { ok: true, value: checked.value as Settings[SettingKey] } : checked;
}

/**
 * Reads a value typed on the command line (`scan-ledger config set minimumSeverity High`,
 * `... dedupe.enabled false`, `... dedupe.hashFieldsAlways '["service"]'`): JSON when it parses
 * as JSON, otherwise the text itself, then validated like any other value.
 */
export function parseSettingText(key: string, text: string): SettingValidation {
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: a bare word such as `High` or a path, taken as a string.
  }
  return validateSettingValue(key, value);
}

/** One value `settingsFromValues` refused: the key as given, the value and why. */
export interface SettingProblem {
  key: string;
  value: unknown;
  error: string;
}

/**
 * Overlays `[key, value]` pairs (keys without the `scanLedger.` prefix) on the defaults, each
 * value validated and normalised by `validateSettingValue`. A refused value leaves the default in
 * place and is returned as a problem, so each host words its own warning while both apply the
 * same rule. Values are copied, so later changes to the caller's objects never reach the engine.
 */
export function settingsFromValues(values: Iterable<readonly [string, unknown]>): { settings: Settings; problems: SettingProblem[] } {
  const settings = defaultSettings();
  const target = settings as unknown as Record<string, unknown>;
  const problems: SettingProblem[] = [];
  for (const [key, value] of values) {
    if (value === undefined) continue;
    const checked = validateSettingValue(key, value);
    if (checked.ok) target[key] = structuredClone(checked.value);
    else problems.push({ key, value, error: checked.error });
  }
  return { settings, problems };
}
