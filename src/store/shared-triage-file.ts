import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  parseSharedTriage,
  recordSharedDecision,
  serialiseSharedTriage,
  SharedTriageFormatError,
  type SharedTriageDecision,
  type SharedTriageFile,
} from '../engine';
import { StoreError } from './errors';
import { acquireProcessLock, removeAbandonedLock } from './process-lock';
import { assertResolvesInsideWorkspace } from './workspace-source';
import { writeThroughTemporary } from './atomic-file';

/**
 * `.scan-ledger/triage.json` on disk (docs/improvements.md §5): the triage decisions the team shares
 * through git. The format and the conflict rules are the engine's (`shared-triage.ts`); this
 * module reads the file, and records decisions with a read-modify-write that is atomic (a temp
 * file renamed over the old one, so a reader never sees half a file) and serialised across
 * processes by a lock of its own (so two processes triaging at once both keep their decision).
 * A malformed file is an error naming it and is never overwritten: it may hold a teammate's
 * decisions with a merge conflict the user has to resolve.
 */

/** Where the shared triage file lives, relative to the workspace folder. */
export const SHARED_TRIAGE_FILE = path.join('.scan-ledger', 'triage.json');

/** A triage file larger than this is refused rather than parsed (a real one is kilobytes). */
const MAX_SHARED_TRIAGE_BYTES = 32 * 1024 * 1024;
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 30_000;

export function sharedTriagePath(workspaceRoot: string): string {
  return path.join(path.resolve(workspaceRoot), SHARED_TRIAGE_FILE);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Optional text fields of a decision: a hostile file must not put objects where text is shown. */
const OPTIONAL_TEXT_FIELDS = ['reason', 'expires', 'scanType', 'title', 'filePath'] as const;

/**
 * Keeps only the fields a decision has, after checking the optional ones are text. The engine's
 * parser checks the required fields; this drops anything else a hostile file adds (`__proto__`,
 * `constructor`, unknown keys), so nothing beyond the format reaches the engine or is written back.
 */
function sanitiseDecisions(file: SharedTriageFile, fileName: string): SharedTriageFile {
  const decisions = file.decisions.map((d, i) => {
    const clean: SharedTriageDecision = { key: d.key, status: d.status, author: d.author, at: d.at };
    for (const field of OPTIONAL_TEXT_FIELDS) {
      if (!Object.prototype.hasOwnProperty.call(d, field)) continue;
      const value: unknown = d[field];
      if (value !== null && value !== undefined && typeof value !== 'string') {
        throw new SharedTriageFormatError(fileName, `decision ${i} has a "${field}" that is not text`);
      }
      clean[field] = value;
    }
    return clean;
  });
  return { version: 1, decisions };
}

/**
 * The decisions in the workspace's triage file: none when there is no file; a
 * `SharedTriageFormatError` naming the file when it is not a valid triage file (invalid JSON,
 * an unresolved merge conflict, an entry that is not a decision).
 */
export async function readSharedTriage(workspaceRoot: string): Promise<SharedTriageFile> {
  const file = sharedTriagePath(workspaceRoot);
  await assertResolvesInsideWorkspace(workspaceRoot, file, 'the triage file');
  let text: string;
  try {
    // What the file holds is the repository's content, so a folder, a device or a file too
    // large to be a triage file is a bad input to fix (exit 2 in the CLI), reported like a
    // malformed file rather than as a failure of ours.
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new SharedTriageFormatError(file, 'is not a regular file');
    if (stat.size > MAX_SHARED_TRIAGE_BYTES) {
      throw new SharedTriageFormatError(file, `is ${Math.round(stat.size / 1024 / 1024)} MB, over the ${MAX_SHARED_TRIAGE_BYTES / 1024 / 1024} MB limit for a triage file`);
    }
    text = await fs.readFile(file, 'utf8');
    // The size can grow between the check and the read (a file being appended to).
    if (Buffer.byteLength(text, 'utf8') > MAX_SHARED_TRIAGE_BYTES) {
      throw new SharedTriageFormatError(file, `is over the ${MAX_SHARED_TRIAGE_BYTES / 1024 / 1024} MB limit for a triage file`);
    }
  } catch (error) {
    if (error instanceof SharedTriageFormatError) throw error;
    if (errorCode(error) === 'ENOENT') return { version: 1, decisions: [] };
    throw new StoreError(file, `cannot read: ${describe(error)}`, { cause: error });
  }
  return sanitiseDecisions(parseSharedTriage(text, file), file);
}

/** Writes `text` to `file` through a temp file in the same folder and a rename. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeThroughTemporary(file, text, temp, { fsync: true, exclusive: true });
  } catch (error) {
    throw new StoreError(file, `cannot write: ${describe(error)}`, { cause: error });
  }
}

/** Whether a file name is one of the temporaries `writeAtomically` makes for `triage.json`. */
function isTriageTemporary(name: string, file: string): boolean {
  const prefix = `.${path.basename(file)}.`;
  return name.startsWith(prefix) && name.endsWith('.tmp') && name.length > prefix.length + 4;
}

/**
 * Removes the temporaries of killed writers. Call it holding the triage lock: every writer
 * holds it while its temporary exists, so whatever is left now belongs to a dead one.
 */
async function removeTriageTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (isTriageTemporary(name, file)) await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}

/**
 * Runs `fn` holding the triage file's inter-process lock (`triage.json.lock`, with the same
 * owner record and takeover rules as the store's), after removing leftover temporaries.
 */
async function withTriageLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const held = await acquireProcessLock(file, { staleMs: LOCK_STALE_MS, waitMs: LOCK_WAIT_MS, what: 'the triage file' });
  try {
    await removeTriageTemporaries(file);
    return await fn();
  } finally {
    await held.release().catch(() => undefined);
  }
}

/**
 * Removes `triage.json` temporaries and a lock left by killed writers (taking the triage lock
 * only when there are temporaries), so that opening a workspace after a crash leaves no debris.
 */
export async function cleanSharedTriageTemporaries(workspaceRoot: string): Promise<void> {
  const file = sharedTriagePath(workspaceRoot);
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(file));
  } catch {
    return;
  }
  const lockLeft = names.includes(`${path.basename(file)}.lock`);
  const temporariesLeft = names.some((name) => isTriageTemporary(name, file));
  if (!lockLeft && !temporariesLeft) return;
  // Nothing is removed through a `.scan-ledger` that leads out of the workspace.
  await assertResolvesInsideWorkspace(workspaceRoot, file, 'the triage file');
  if (lockLeft) await removeAbandonedLock(file, 'the triage file');
  if (temporariesLeft) await withTriageLock(file, () => Promise.resolve());
}

/**
 * Records decisions made here in the workspace's triage file, each replacing its key's earlier
 * decisions, and returns the file as written. Nothing is written when there is nothing to
 * record or the bytes would not change (so a reimport that re-triages nothing leaves git
 * status clean).
 */
export async function recordSharedTriageDecisions(workspaceRoot: string, decisions: readonly SharedTriageDecision[]): Promise<SharedTriageFile> {
  const file = sharedTriagePath(workspaceRoot);
  if (decisions.length === 0) return readSharedTriage(workspaceRoot);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
  } catch (error) {
    throw new StoreError(file, `cannot create its folder: ${describe(error)}`, { cause: error });
  }
  // Before the lock, which is itself a folder created next to the file.
  await assertResolvesInsideWorkspace(workspaceRoot, file, 'the triage file');
  return withTriageLock(file, async () => {
    // Read under the lock: another process may have recorded a decision since we last looked.
    const current = await readSharedTriage(workspaceRoot);
    let next = current;
    for (const decision of decisions) next = recordSharedDecision(next, decision);
    const text = serialiseSharedTriage(next);
    if (text !== serialiseSharedTriage(current)) await writeAtomically(file, text);
    return next;
  });
}

/** Records one decision; see `recordSharedTriageDecisions`. A null decision records nothing. */
export async function recordSharedTriageDecision(workspaceRoot: string, decision: SharedTriageDecision | null): Promise<SharedTriageFile> {
  return recordSharedTriageDecisions(workspaceRoot, decision ? [decision] : []);
}
