import type * as vscode from 'vscode';
import type { Settings, WatchEntry } from '../model';
import { DEDUPE_ALGORITHMS, defaultSettings, SEVERITIES } from '../model';
import { isDefectDojoUrlSetting } from '../store/workspace-settings';

/**
 * Reads the `scanLedger.*` settings of one workspace folder into the engine's `Settings`.
 * Only types come from `vscode` (the configuration object is passed in), so the validation is
 * unit tested without an editor. A value of the wrong shape (hand-edited `settings.json`) falls
 * back to the default and is reported, rather than reaching the engine.
 */

export const SETTINGS_SECTION = 'scanLedger';

type Check = (value: unknown) => boolean;

const isBoolean: Check = (v) => typeof v === 'boolean';
const isString: Check = (v) => typeof v === 'string';
const isStringArray: Check = (v) => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isRecordOf =
  (check: Check): Check =>
  (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(check);
const isAlgorithm: Check = (v) => typeof v === 'string' && (DEDUPE_ALGORITHMS as readonly string[]).includes(v);
const isSeverity: Check = (v) => typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
const isWatchEntry: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  if (typeof e.glob !== 'string' || e.glob.trim() === '') return false;
  return ['scanType', 'engagement', 'testTitle'].every((k) => e[k] === undefined || typeof e[k] === 'string');
};

/** How each key is validated; a key missing here is validated by its default's type. */
const CHECKS: Partial<Record<keyof Settings, Check>> = {
  'dedupe.algorithmPerScanType': isRecordOf(isAlgorithm),
  'dedupe.hashFieldsPerScanType': isRecordOf(isStringArray),
  'dedupe.hashAllowsNullCwePerScanType': isRecordOf(isBoolean),
  'dedupe.hashFieldsAlways': isStringArray,
  'dedupe.endpointFields': isStringArray,
  'dedupe.maxDuplicates': (v) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0),
  // The same rule as the store's validator: a whole percentage from 1 to 100.
  'duplicates.warnThreshold': (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100,
  'reimport.refreshMatchedFields': isStringArray,
  minimumSeverity: isSeverity,
  maxReportSizeMb: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  'sla.days': (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.entries(v).every(
      ([k, d]) => ['Critical', 'High', 'Medium', 'Low'].includes(k) && (d === null || (typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)),
    ),
  watch: (v) => Array.isArray(v) && v.every(isWatchEntry),
  // The same rule as the store's validator (and so the CLI's `config set`): non-empty globs, each once.
  watchExclude: (v) => isStringArray(v) && (v as string[]).every((g) => g.trim() !== '') && new Set(v as string[]).size === (v as string[]).length,
  storePath: (v) => isString(v) && (v as string).trim() !== '',
  // The same rule as the store's validator (and so the CLI's `config set`).
  'defectdojo.url': (v) => isString(v) && isDefectDojoUrlSetting(v as string),
};

function checkFor(key: keyof Settings, fallback: unknown): Check {
  const explicit = CHECKS[key];
  if (explicit) return explicit;
  return (v) => typeof v === typeof fallback;
}

/** The subset of `WorkspaceConfiguration` the reader uses (a plain object in tests). */
export type ConfigurationReader = Pick<vscode.WorkspaceConfiguration, 'get'>;

export interface SettingsReadResult {
  settings: Settings;
  /** One sentence per rejected value, for the log. */
  problems: string[];
}

/**
 * The folder's settings: each key as `settings.json` (or the contributed default) gives it,
 * validated; defaults for keys missing or invalid.
 */
export function readSettings(config: ConfigurationReader): SettingsReadResult {
  const defaults = defaultSettings();
  const settings = defaultSettings() as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(defaults) as (keyof Settings)[]) {
    const value = config.get<unknown>(key);
    if (value === undefined) continue;
    if (!checkFor(key, defaults[key])(value)) {
      problems.push(`Setting ${SETTINGS_SECTION}.${key} has an invalid value (${JSON.stringify(value)}); using the default.`);
      continue;
    }
    // VS Code hands out configuration objects as read-only proxies, which `structuredClone`
    // refuses; a JSON round trip copies them (settings are JSON by definition).
    settings[key] = JSON.parse(JSON.stringify(value)) as unknown;
  }
  const result = settings as unknown as Settings;
  result.watch = result.watch.map((e: WatchEntry) => ({ ...e, glob: e.glob.trim() }));
  return { settings: result, problems };
}
