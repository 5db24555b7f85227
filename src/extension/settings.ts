import type * as vscode from 'vscode';
import type { Settings } from '../model';
import { SETTING_KEYS, settingsFromValues } from '../store';

/**
 * Reads the `scanLedger.*` settings of one workspace folder into the engine's `Settings`.
 * Only types come from `vscode` (the configuration object is passed in), so the reader is unit
 * tested without an editor. Every value goes through the store's validator, the one the CLI
 * uses on the same `settings.json`, so both hosts accept, normalise and refuse exactly the same
 * values (issue 15). A refused value (hand-edited `settings.json`) falls back to the default and
 * is reported, rather than reaching the engine.
 */

export const SETTINGS_SECTION = 'scanLedger';

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
  // VS Code hands out configuration objects as read-only proxies; the validator builds fresh
  // values from them, so nothing the engine holds is shared with the configuration.
  const read = settingsFromValues(SETTING_KEYS.map((key) => [key, config.get<unknown>(key)] as const));
  const problems = read.problems.map(
    (p) => `Setting ${SETTINGS_SECTION}.${p.key} has an invalid value (${JSON.stringify(p.value)}): ${p.error}; using the default.`,
  );
  return { settings: read.settings, problems };
}
