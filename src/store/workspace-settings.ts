import { promises as fs } from 'node:fs';
import * as path from 'node:path';
// The ESM build, named explicitly: the package's `main` is a UMD wrapper whose internal
// requires esbuild cannot follow, so bundling it into dist/ fails at run time with
// "Cannot find module './impl/format'".
import { applyEdits, modify, parse, printParseErrorCode, type FormattingOptions, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { defaultSettings, type Settings } from '../model';
import { WorkspaceSettingsError } from './errors';
import { isRecord, isSettingKey, SETTINGS_PREFIX, settingsFromValues, show, validateSettingValue } from './settings-validation';
import { writeThroughTemporary } from './atomic-file';

// The validator moved to `settings-validation.ts` (pure, shared with the editor); these
// re-exports keep the store's public names where callers expect them.
export {
  ENDPOINT_FIELDS,
  isDefectDojoUrlSetting,
  isSettingKey,
  parseSettingText,
  SETTING_KEYS,
  SETTINGS_PREFIX,
  settingsFromValues,
  validateSettingValue,
  type SettingKey,
  type SettingProblem,
  type SettingValidation,
} from './settings-validation';

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
  // Keys without our prefix belong to other extensions; ours go through the shared validator.
  const ours = Object.entries(value)
    .filter(([fullKey]) => fullKey.startsWith(SETTINGS_PREFIX))
    .map(([fullKey, raw]) => [fullKey.slice(SETTINGS_PREFIX.length), raw] as const);
  const read = settingsFromValues(ours);
  for (const p of read.problems) warnings.push(`${filePath}: "${SETTINGS_PREFIX}${p.key}" ignored: ${p.error}`);
  return { settings: read.settings, warnings };
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
    await writeThroughTemporary(filePath, bom + updated.text, temporary, { fsync: false });
  } catch (error) {
    throw new WorkspaceSettingsError(filePath, `cannot write: ${(error as Error).message}`, { cause: error });
  }
  return updated.value;
}
