/**
 * Validation of every message the settings webview sends. The webview renders text from
 * scanner reports (test titles, scan types), so a script injected there must not be able to make
 * the host write anything the panel's own controls could not: messages are checked for their
 * type, their exact set of keys and the type of every value, and setting values go through the
 * same `validateSettingValue` that `settings.json` reading and the CLI use.
 */
import type { Settings } from '../../model';
import { validateSettingValue } from '../../store';
import {
  FP_HISTORY_EXCLUSIVE_MESSAGE,
  PANEL_SETTING_KEYS,
  RETROACTIVE_REQUIRES_MESSAGE,
  type EngagementScopeChange,
  type PanelRequest,
  type PanelSettingKey,
  type PanelSettings,
  type SettingsDraft,
} from './protocol';

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Validated<T> => ({ ok: true, value });
const fail = <T>(error: string): Validated<T> => ({ ok: false, error });

/** Limits that no real configuration reaches, so a hostile message cannot make the host churn. */
const MAX_TABLE_ENTRIES = 500;
const MAX_LIST_ITEMS = 100;
const MAX_STRING_LENGTH = 256;
const MAX_ENGAGEMENT_CHANGES = 1000;
const MAX_FOLDER_LENGTH = 4096;

/** Names that would reach an object's prototype if a table were copied with plain assignment. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The object has exactly the required keys, plus any of the optional ones, and no other. */
function hasExactKeys(value: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): string | null {
  for (const key of required) if (!Object.prototype.hasOwnProperty.call(value, key)) return `missing "${key}"`;
  for (const key of Object.keys(value)) if (!required.includes(key) && !optional.includes(key)) return `unexpected key "${key.slice(0, 40)}"`;
  return null;
}

function isPanelKey(key: string): key is PanelSettingKey {
  return (PANEL_SETTING_KEYS as readonly string[]).includes(key);
}

function isPositiveId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Bounds the sizes `validateSettingValue` does not: table entries, list lengths, string lengths. */
function sizeProblem(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return value.length > MAX_STRING_LENGTH ? `a text longer than ${MAX_STRING_LENGTH} characters` : null;
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_ITEMS) return `a list longer than ${MAX_LIST_ITEMS} items`;
    for (const item of value) {
      const problem = sizeProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    if (!isPlainRecord(value)) return 'an object of an unexpected kind';
    if (depth > 2) return 'nesting deeper than any setting has';
    const entries = Object.entries(value);
    if (entries.length > MAX_TABLE_ENTRIES) return `a table with more than ${MAX_TABLE_ENTRIES} entries`;
    for (const [name, item] of entries) {
      if (FORBIDDEN_NAMES.has(name)) return `the reserved name "${name}"`;
      if (name.length > MAX_STRING_LENGTH) return `a name longer than ${MAX_STRING_LENGTH} characters`;
      const problem = sizeProblem(item, depth + 1);
      if (problem) return problem;
    }
  }
  return null;
}

/**
 * One setting value from the webview: a key the panel edits, of the right shape and size.
 * Returns the normalised value to write.
 */
export function validatePanelSetting(key: unknown, value: unknown): Validated<{ key: PanelSettingKey; value: unknown }> {
  if (typeof key !== 'string' || !isPanelKey(key)) return fail(`the panel does not edit the setting ${JSON.stringify(String(key).slice(0, 60))}`);
  if (typeof value === 'number' && !Number.isFinite(value)) return fail(`${key}: not a finite number`);
  const tooBig = sizeProblem(value);
  if (tooBig) return fail(`${key}: ${tooBig}`);
  const checked = validateSettingValue(key, value);
  if (!checked.ok) return fail(`${key}: ${checked.error}`);
  return ok({ key, value: checked.value });
}

function validateEngagementChange(value: unknown): Validated<EngagementScopeChange> {
  if (!isPlainRecord(value)) return fail('an engagement change is not an object');
  const keys = hasExactKeys(value, ['engagementId', 'deduplicationOnEngagement']);
  if (keys) return fail(`engagement change: ${keys}`);
  if (!isPositiveId(value.engagementId)) return fail('engagement change: "engagementId" must be a positive whole number');
  if (typeof value.deduplicationOnEngagement !== 'boolean') return fail('engagement change: "deduplicationOnEngagement" must be true or false');
  return ok({ engagementId: value.engagementId, deduplicationOnEngagement: value.deduplicationOnEngagement });
}

export function validateDraft(value: unknown): Validated<SettingsDraft> {
  if (!isPlainRecord(value)) return fail('"draft" must be an object');
  const keys = hasExactKeys(value, ['settings', 'engagements']);
  if (keys) return fail(`draft: ${keys}`);
  if (!isPlainRecord(value.settings)) return fail('draft: "settings" must be an object');
  const settings: Partial<Record<PanelSettingKey, unknown>> = {};
  for (const [key, raw] of Object.entries(value.settings)) {
    const checked = validatePanelSetting(key, raw);
    if (!checked.ok) return fail(checked.error);
    settings[checked.value.key] = checked.value.value;
  }
  if (!Array.isArray(value.engagements)) return fail('draft: "engagements" must be a list');
  if (value.engagements.length > MAX_ENGAGEMENT_CHANGES) return fail(`draft: more than ${MAX_ENGAGEMENT_CHANGES} engagement changes`);
  const engagements: EngagementScopeChange[] = [];
  const seen = new Set<number>();
  for (const item of value.engagements) {
    const checked = validateEngagementChange(item);
    if (!checked.ok) return fail(checked.error);
    if (seen.has(checked.value.engagementId)) return fail(`draft: engagement ${checked.value.engagementId} is listed twice`);
    seen.add(checked.value.engagementId);
    engagements.push(checked.value);
  }
  return ok({ settings: settings as Partial<PanelSettings>, engagements });
}

function validateFolder(value: unknown): Validated<string> {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FOLDER_LENGTH) return fail('"folder" must be a folder URI');
  return ok(value);
}

/**
 * Parses a message posted by the webview. Anything but the five known shapes, with exactly
 * their keys and value types, is refused with a sentence saying why (for the log).
 */
export function parsePanelRequest(message: unknown): Validated<PanelRequest> {
  if (!isPlainRecord(message)) return fail('the message is not an object');
  const type = message.type;
  switch (type) {
    case 'ready':
    case 'openSettingsJson': {
      const keys = hasExactKeys(message, ['type']);
      return keys ? fail(`${type}: ${keys}`) : ok({ type });
    }
    case 'selectScope': {
      const keys = hasExactKeys(message, ['type', 'folder', 'testId']);
      if (keys) return fail(`selectScope: ${keys}`);
      const folder = validateFolder(message.folder);
      if (!folder.ok) return fail(`selectScope: ${folder.error}`);
      if (message.testId !== null && !isPositiveId(message.testId)) return fail('selectScope: "testId" must be a positive whole number or null');
      return ok({ type, folder: folder.value, testId: message.testId });
    }
    case 'preview': {
      const keys = hasExactKeys(message, ['type', 'requestId', 'draft']);
      if (keys) return fail(`preview: ${keys}`);
      if (typeof message.requestId !== 'number' || !Number.isSafeInteger(message.requestId) || message.requestId < 0) {
        return fail('preview: "requestId" must be a whole number');
      }
      const draft = validateDraft(message.draft);
      if (!draft.ok) return fail(`preview: ${draft.error}`);
      return ok({ type, requestId: message.requestId, draft: draft.value });
    }
    case 'save': {
      const keys = hasExactKeys(message, ['type', 'draft', 'target']);
      if (keys) return fail(`save: ${keys}`);
      if (message.target !== 'workspace' && message.target !== 'workspaceFolder') return fail('save: "target" must be "workspace" or "workspaceFolder"');
      const draft = validateDraft(message.draft);
      if (!draft.ok) return fail(`save: ${draft.error}`);
      return ok({ type, draft: draft.value, target: message.target });
    }
    default:
      return fail(`unknown message type ${JSON.stringify(typeof type === 'string' ? type.slice(0, 40) : typeof type)}`);
  }
}

/** The settings a draft would produce over the current ones. */
export function applyDraft(current: Settings, draft: SettingsDraft): Settings {
  return { ...current, ...structuredClone(draft.settings) };
}

/**
 * DefectDojo's own rules between settings, checked before a save: false-positive history
 * cannot be turned on with deduplication on (or deduplication turned on with it), and the
 * retroactive variant needs it. Values already saved that way (a hand-edited `settings.json`)
 * do not block unrelated changes.
 */
export function draftConflicts(current: Settings, draft: SettingsDraft): string[] {
  const next = applyDraft(current, draft);
  const touched = (key: PanelSettingKey): boolean => Object.prototype.hasOwnProperty.call(draft.settings, key);
  const problems: string[] = [];
  if (next['dedupe.enabled'] && next.falsePositiveHistory && (touched('dedupe.enabled') || touched('falsePositiveHistory'))) {
    problems.push(FP_HISTORY_EXCLUSIVE_MESSAGE);
  }
  if (next.retroactiveFalsePositiveHistory && !next.falsePositiveHistory && (touched('retroactiveFalsePositiveHistory') || touched('falsePositiveHistory'))) {
    problems.push(RETROACTIVE_REQUIRES_MESSAGE);
  }
  return problems;
}

/** The draft's keys whose value differs from the current one, so a save writes only real changes. */
export function changedKeys(current: Settings, draft: SettingsDraft): PanelSettingKey[] {
  return (Object.keys(draft.settings) as PanelSettingKey[]).filter(
    (key) => JSON.stringify(draft.settings[key]) !== JSON.stringify(current[key]),
  );
}
