import type { Command } from 'commander';
import { SETTINGS_PREFIX, SETTING_KEYS, isSettingKey, parseSettingText, readWorkspaceSettings, workspaceSettingsPath, writeWorkspaceSetting, type SettingKey } from '../../store';
import { badInput } from '../errors';
import type { CommonOptions } from '../options';
import { print, printJson } from '../output';
import type { CliRuntime } from '../runtime';
import { addCommonOptions, groupCommand } from './shared';

/**
 * `config get|set`: the same keys as the VS Code settings, read from and written to the
 * workspace's `.vscode/settings.json`, so the editor and a pipeline run with the same rules.
 * A key is accepted with or without the `scanLedger.` prefix (`minimumSeverity` and
 * `scanLedger.minimumSeverity` are one setting, for `get` and `set` alike), because users copy
 * keys from either place; output names the key without it, as docs/improvements.md §9 lists them. `get`
 * shows the value as configured (defaults filled in), not the value `defectdojoParity` may
 * override at run time.
 */

/** The setting key without the `scanLedger.` prefix; an unknown key is a bad input. */
export function settingKey(key: string): SettingKey {
  const bare = key.startsWith(SETTINGS_PREFIX) ? key.slice(SETTINGS_PREFIX.length) : key;
  if (!isSettingKey(bare)) {
    throw badInput(`unknown setting "${key}"; valid keys (with or without "${SETTINGS_PREFIX}"): ${SETTING_KEYS.join(', ')}`);
  }
  return bare;
}

async function getSetting(runtime: CliRuntime, given: string | undefined, opts: CommonOptions): Promise<void> {
  const key = given !== undefined ? settingKey(given) : undefined;
  const read = await readWorkspaceSettings(runtime.cwd);
  for (const warning of read.warnings) runtime.stderr(`scan-ledger: warning: ${warning}\n`);
  const all = read.settings as unknown as Record<string, unknown>;
  if (key === undefined) {
    if (opts.json) await printJson(runtime, all);
    else for (const k of SETTING_KEYS) print(runtime, `${k} = ${JSON.stringify(all[k])}`);
    return;
  }
  if (opts.json) await printJson(runtime, { key, value: all[key] });
  else print(runtime, JSON.stringify(all[key], null, 2));
}

async function setSetting(runtime: CliRuntime, given: string, text: string, opts: CommonOptions): Promise<void> {
  const key = settingKey(given);
  const checked = parseSettingText(key, text);
  if (!checked.ok) throw badInput(`${SETTINGS_PREFIX}${key}: ${checked.error}`);
  const stored = await writeWorkspaceSetting(runtime.cwd, key, checked.value);
  if (opts.json) await printJson(runtime, { key, value: stored });
  else print(runtime, `${SETTINGS_PREFIX}${key} = ${JSON.stringify(stored)} (${workspaceSettingsPath('.')})`);
}

export function registerConfigCommands(program: Command, runtime: CliRuntime): void {
  const config = groupCommand(program, 'config', 'read or change settings in .vscode/settings.json', ['get', 'set']);
  addCommonOptions(
    config.command('get').description('print a setting (all settings without a key)').argument('[key]', 'setting key, e.g. dedupe.enabled (the scanLedger. prefix is optional)'),
  ).action((key: string | undefined, opts: CommonOptions) => getSetting(runtime, key, opts));
  addCommonOptions(
    config
      .command('set')
      .description('change a setting; the value is JSON or a bare word')
      .argument('<key>', 'setting key, e.g. minimumSeverity (the scanLedger. prefix is optional)')
      .argument('<value>', 'new value, e.g. High, false, \'{"SARIF":"hash_code"}\''),
  ).action((key: string, value: string, opts: CommonOptions) => setSetting(runtime, key, value, opts));
}
