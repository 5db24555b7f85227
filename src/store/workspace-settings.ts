import { promises as fs } from 'node:fs';
import * as path from 'node:path';
// The ESM build, named explicitly: the package's `main` is a UMD wrapper whose internal
// requires esbuild cannot follow, so bundling it into dist/ fails at run time with
// "Cannot find module './impl/format'".
import { applyEdits, modify, parse, printParseErrorCode, type FormattingOptions, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import {
  DEDUPE_ALGORITHMS,
  DEFAULT_SLA_DAYS,
  defaultSettings,
  SEVERITIES,
  type DedupeAlgorithm,
  type Settings,
  type Severity,
  type SlaDays,
  type SlaSeverity,
  type WatchEntry,
} from '../model';
import { WorkspaceSettingsError } from './errors';

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

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
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
  return ok([...value]);
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
    ? ok(value as DedupeAlgorithm)
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
    const entry: WatchEntry = { glob: item.glob };
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

export interface WorkspaceSettingsResult {
  /** Defaults overlaid with every valid `scanLedger.*` value found. */
  settings: Settings;
  /** One line per ignored value or parse problem, naming the file and the key. */
  warnings: string[];
  /** `<workspaceRoot>/.vscode/settings.json`. */
  filePath: string;
  /** Whether the file exists. */
  found: boolean;
}

/** The `settings.json` of a workspace folder. */
export function workspaceSettingsPath(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.vscode', 'settings.json');
}

/** Line and column (1-based) of an offset, for messages about JSONC text. */
function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}

function parseJsonc(text: string): { value: unknown; errors: ParseError[] } {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  return { value, errors };
}

/**
 * Overlays the `scanLedger.*` keys of a `settings.json` text (JSONC: comments and trailing
 * commas allowed, as VS Code allows them) on the defaults. Invalid values and unknown keys are
 * skipped with a warning rather than failing, as VS Code itself does with a bad setting.
 */
export function settingsFromJsonc(text: string, filePath: string): { settings: Settings; warnings: string[] } {
  const settings = defaultSettings();
  const warnings: string[] = [];
  const { value, errors } = parseJsonc(text);
  for (const e of errors) warnings.push(`${filePath}:${position(text, e.offset)}: ${printParseErrorCode(e.error)}`);
  if (!isRecord(value)) {
    if (text.trim() !== '') warnings.push(`${filePath}: expected a JSON object; using the default settings`);
    return { settings, warnings };
  }
  const target = settings as unknown as Record<string, unknown>;
  for (const [fullKey, raw] of Object.entries(value)) {
    if (!fullKey.startsWith(SETTINGS_PREFIX)) continue;
    const key = fullKey.slice(SETTINGS_PREFIX.length);
    const checked = validateSettingValue(key, raw);
    if (checked.ok) target[key] = checked.value;
    else warnings.push(`${filePath}: "${fullKey}" ignored: ${checked.error}`);
  }
  return { settings, warnings };
}

/** Reads the workspace's `.vscode/settings.json`; a missing file gives the defaults. */
export async function readWorkspaceSettings(workspaceRoot: string): Promise<WorkspaceSettingsResult> {
  const filePath = workspaceSettingsPath(workspaceRoot);
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { settings: defaultSettings(), warnings: [], filePath, found: false };
    throw new WorkspaceSettingsError(filePath, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  return { ...settingsFromJsonc(stripBom(text), filePath), filePath, found: true };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Keeps the file's own indentation when we add a key, so the edit looks hand-made. */
function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^([ \t]+)\S/m.exec(text);
  if (indented && indented[1].startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indented ? indented[1].length : 4, eol };
}

/**
 * Applies a setting to a `settings.json` text with jsonc-parser's `modify`, so comments,
 * ordering and formatting around it survive. `undefined` removes the key. Returns the new text
 * and the value stored (normalised). Throws when the value is invalid or the text is not valid
 * JSONC (editing a broken file could damage it).
 */
export function applySettingToJsonc(text: string, filePath: string, key: string, value: unknown): { text: string; value: unknown } {
  let stored: unknown = undefined;
  if (value !== undefined) {
    const checked = validateSettingValue(key, value);
    if (!checked.ok) throw new WorkspaceSettingsError(filePath, `"${SETTINGS_PREFIX}${key}": ${checked.error}`);
    stored = checked.value;
  } else if (!isSettingKey(key)) {
    throw new WorkspaceSettingsError(filePath, `unknown setting ${show(key)}`);
  }
  const base = text.trim() === '' ? '{}' : text;
  const { value: parsed, errors } = parseJsonc(base);
  if (errors.length > 0) {
    const e = errors[0];
    throw new WorkspaceSettingsError(filePath, `not changed: fix the syntax error first (${position(base, e.offset)}: ${printParseErrorCode(e.error)})`);
  }
  if (!isRecord(parsed)) throw new WorkspaceSettingsError(filePath, 'not changed: the file does not hold a JSON object');
  const edits = modify(base, [SETTINGS_PREFIX + key], stored, { formattingOptions: detectFormatting(base) });
  return { text: applyEdits(base, edits), value: stored };
}

/**
 * Writes one `scanLedger.*` key into `<workspaceRoot>/.vscode/settings.json` (created when
 * missing), keeping everything else in the file as it was. The new text is written to a
 * temporary file and renamed over the old one, so a crash never leaves a half-written
 * settings file. Returns the value stored (normalised).
 */
export async function writeWorkspaceSetting(workspaceRoot: string, key: string, value: unknown): Promise<unknown> {
  let filePath = workspaceSettingsPath(workspaceRoot);
  let text = '';
  let bom = '';
  try {
    // Edit the file a symlinked settings.json points at, rather than replacing the link.
    filePath = await fs.realpath(filePath);
    const raw = await fs.readFile(filePath, 'utf8');
    bom = raw.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
    text = stripBom(raw);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new WorkspaceSettingsError(filePath, `cannot read: ${(error as Error).message}`, { cause: error });
    }
  }
  const updated = applySettingToJsonc(text, filePath, key, value);
  const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.tmp`);
  try {
    await fs.mkdir(path.dirname(filePath), { recursive: true });
    await fs.writeFile(temporary, bom + updated.text, 'utf8');
    await fs.rename(temporary, filePath);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw new WorkspaceSettingsError(filePath, `cannot write: ${(error as Error).message}`, { cause: error });
  }
  return updated.value;
}
