import type { Settings } from '../model';

/**
 * What the host provides for content fingerprints (docs/improvements.md §4): the current lines of a
 * workspace file, and files git saw renamed. It lives beside `EngineContext`, which carries it,
 * so the context does not import the fingerprint module that uses it (no import cycle).
 */
export interface SourcePort {
  /** The lines of a workspace-relative file, or undefined when it cannot be read. */
  lines(filePath: string): readonly string[] | undefined;
  /** Old path → new path for files renamed since the previous scan (git rename detection). */
  renamedFiles?(): ReadonlyMap<string, string>;
}

/**
 * What every engine operation is given instead of reaching for globals: the clock, the acting
 * user (git user name where known) and the effective settings (`effectiveSettings(...)`
 * already applied). Injecting the clock keeps the engine deterministic under test.
 */
export interface EngineContext {
  now: Date;
  user: string;
  settings: Settings;
  /**
   * The host's view of the workspace files, for content fingerprints (docs/improvements.md §4). Absent in
   * contexts without a workspace; fingerprints then come from the tools only.
   */
  source?: SourcePort;
}

/** ISO date-time of the context's clock. */
export function nowIso(ctx: EngineContext): string {
  return ctx.now.toISOString();
}

/** ISO date (YYYY-MM-DD, UTC) of the context's clock. */
export function todayIso(ctx: EngineContext): string {
  return ctx.now.toISOString().slice(0, 10);
}
