/**
 * What "Connect to DefectDojo…" was invoked with, checked. Pure (no VS Code), so every case is
 * unit tested: the palette passes nothing and the command asks for both values; a test or a
 * script passes `{ folder?, url?, token? }`.
 *
 * A URL without a token only pre-fills the URL box: the user still sees and confirms where the
 * token they type will go, so an argument alone can never direct the user's token to a server
 * the user did not choose. Only a caller that already holds the token (and so chose the server
 * itself) skips both prompts. No message here ever contains the token.
 */
import { normaliseServerUrl } from '../../defectdojo';

export interface ConnectArguments {
  /** The workspace folder (URI string or name); absent when the caller did not say. */
  folder?: string;
  url?: string;
  token?: string;
}

/** Why a server URL cannot be used, or null when it can. */
export function serverUrlProblem(url: string): string | null {
  try {
    normaliseServerUrl(url);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Why an API key cannot be used, or null when it can. It never repeats the key. */
export function tokenProblem(token: string): string | null {
  const trimmed = token.trim();
  return trimmed === '' || /\s/.test(trimmed) ? 'An API key is one word without spaces.' : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The command's argument as `ConnectArguments` (values trimmed), or a sentence saying why it is
 * refused. `undefined` and `null` (the palette, a keybinding) mean no argument.
 */
export function parseConnectArguments(arg: unknown): ConnectArguments | string {
  if (arg === undefined || arg === null) return {};
  if (!isRecord(arg)) return 'the argument must be an object { folder?, url?, token? }';
  const unknown = Object.keys(arg).filter((k) => k !== 'folder' && k !== 'url' && k !== 'token');
  // A misspelt key (e.g. `apiKey`) would otherwise silently fall back to the prompts.
  if (unknown.length > 0) return `unknown argument field(s): ${unknown.join(', ')} (expected folder, url, token)`;
  const result: ConnectArguments = {};
  for (const key of ['folder', 'url', 'token'] as const) {
    const value = arg[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return `"${key}" must be a string`;
    result[key] = value.trim();
  }
  if (result.folder === '') delete result.folder;
  if (result.url !== undefined) {
    const problem = serverUrlProblem(result.url);
    if (problem) return problem;
  }
  if (result.token !== undefined) {
    const problem = tokenProblem(result.token);
    if (problem) return `the token is not usable: ${problem}`;
  }
  return result;
}

/** Whether both values are given, so the command connects without asking anything. */
export function isNonInteractive(args: ConnectArguments): args is ConnectArguments & { url: string; token: string } {
  return args.url !== undefined && args.token !== undefined;
}
