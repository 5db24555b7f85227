import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import lockfile from 'proper-lockfile';
import { StoreError, StoreLockError } from './errors';

/**
 * The inter-process lock of a file of ours (the store, `triage.json`): proper-lockfile's lock
 * folder `<file>.lock`, plus an owner record `<file>.lock-owner` naming the holder's pid, host
 * and lock folder, so that waiters can judge the holder instead of only the folder's age.
 *
 * proper-lockfile judges a lock abandoned by its age alone, which is both too slow and too
 * quick for us: a CLI killed in CI would block the next run for the whole stale time, while a
 * live process blocked in a large synchronous import would lose its lock. On the same host the
 * pid decides instead: a dead holder's lock is removed at once, a live holder's is never taken
 * over. The age rule remains for holders on other machines (a store on a network share).
 *
 * The lock paths live in `.scan-ledger/`, which arrives through git, so a pull request can
 * commit something there. Whatever is not ours in shape (a symbolic link, a file, a lock folder
 * with files in it, an owner record that is not a file) is reported at once, never waited on and
 * never removed: it may be the repository's own content.
 */

/** A lock held by this process, and whether proper-lockfile saw another process take it over. */
export interface HeldLock {
  release: () => Promise<void>;
  compromised: boolean;
  /** The lock folder's identity right after we created it (see `lockFolderIdentity`). */
  identity: string | null;
}

export interface ProcessLockOptions {
  /** After how long without a heartbeat a holder that cannot be checked by pid counts as gone. */
  staleMs: number;
  /** How long to wait for a live holder before failing with a `StoreLockError`. */
  waitMs: number;
  /** What the lock protects, for messages: "the store", "the triage file". */
  what: string;
}

/** What a lock holder records next to the lock, so waiters on the same machine can tell if it died. */
interface LockOwner {
  pid: number;
  host: string;
  /** The identity of the lock folder this record belongs to. */
  lock: string | null;
}

/**
 * Who holds the lock as it is now: nobody; a process of this machine that is alive or dead; a
 * holder we cannot check (another machine); an orphan (a folder whose holder died between
 * creating it and recording itself: no record matches it and it has not been touched since).
 */
type LockState = 'free' | 'alive' | 'dead' | 'unknown' | 'orphan';

/** How often a holder refreshes its lock's time stamp. */
const LOCK_HEARTBEAT_MS = 5_000;
/** Stale time used against a holder known to be alive on this machine: a week, i.e. never. */
const LIVE_HOLDER_STALE_MS = 7 * 24 * 3600 * 1000;
/**
 * A holder writes its record right after creating the lock folder (milliseconds); a folder this
 * old with no record matching it lost its holder in between.
 */
const ORPHAN_GRACE_MS = 2_000;
const MAX_RETRY_DELAY_MS = 250;
/** An owner record is a few dozen bytes; anything larger is not one of ours. */
const MAX_OWNER_RECORD_BYTES = 4096;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Identifies one lock folder. proper-lockfile's heartbeat only touches the folder's times, while
 * a process taking over a stale lock removes the folder and makes a new one: a new inode and
 * birth time. (A file system that reports no birth time still gives the inode.)
 */
export async function lockFolderIdentity(lockPath: string): Promise<string | null> {
  try {
    const s = await fs.lstat(lockPath, { bigint: true });
    return `${s.dev}:${s.ino}:${s.birthtimeNs}`;
  } catch {
    return null;
  }
}

/** Whether a process of this machine exists (EPERM: it exists but belongs to another user). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** The error for a lock path holding something Scan Ledger did not make. */
function foreignLock(file: string, what: string, lockPath: string, shape: string): StoreLockError {
  return new StoreLockError(
    file,
    `${lockPath} ${shape}, which is not a lock Scan Ledger makes, so ${what} cannot be locked; ` +
      'it may have been committed to the repository: remove it (and keep it out of git), then run again',
  );
}

/** Paths of the lock folder and owner record of `file`. */
export function lockPaths(file: string): { lockPath: string; ownerPath: string } {
  return { lockPath: `${file}.lock`, ownerPath: `${file}.lock-owner` };
}

/**
 * Reads the owner record: the record, null when there is none or it is not readable as one
 * (a holder killed while writing it leaves it empty), or throws when the path holds something
 * that is not a file (a folder, a link), which we must neither follow nor replace.
 */
async function readOwner(file: string, what: string, ownerPath: string): Promise<Partial<LockOwner> | null> {
  let stat;
  try {
    stat = await fs.lstat(ownerPath);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new StoreError(file, `cannot read the lock owner record ${ownerPath}: ${describe(error)}`, { cause: error });
  }
  if (stat.isSymbolicLink()) throw foreignLock(file, what, ownerPath, 'is a symbolic link');
  if (!stat.isFile()) throw foreignLock(file, what, ownerPath, 'is not a file');
  if (stat.size > MAX_OWNER_RECORD_BYTES) throw foreignLock(file, what, ownerPath, `is ${stat.size} bytes, not an owner record`);
  try {
    const owner: unknown = JSON.parse(await fs.readFile(ownerPath, 'utf8'));
    return typeof owner === 'object' && owner !== null ? owner : null;
  } catch {
    return null;
  }
}

/** Judges the lock as it is now; throws a `StoreLockError` at once when it is not ours in shape. */
async function lockState(file: string, what: string): Promise<{ state: LockState; identity: string | null }> {
  const { lockPath, ownerPath } = lockPaths(file);
  let stat;
  try {
    stat = await fs.lstat(lockPath);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw new StoreError(file, `cannot inspect the lock ${lockPath}: ${describe(error)}`, { cause: error });
    // Checked even when free, because we are about to write the record there.
    await readOwner(file, what, ownerPath);
    return { state: 'free', identity: null };
  }
  if (stat.isSymbolicLink()) throw foreignLock(file, what, lockPath, 'is a symbolic link');
  if (!stat.isDirectory()) throw foreignLock(file, what, lockPath, 'is a file, not a lock folder');
  // proper-lockfile's folder is always empty; git cannot even commit an empty folder, so a
  // committed lock folder always shows here.
  const entries = await fs.readdir(lockPath).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return [];
    throw new StoreError(file, `cannot inspect the lock ${lockPath}: ${describe(error)}`, { cause: error });
  });
  if (entries.length > 0) throw foreignLock(file, what, lockPath, `holds files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`);
  const identity = await lockFolderIdentity(lockPath);
  const owner = await readOwner(file, what, ownerPath);
  const recorded = owner !== null && typeof owner.pid === 'number' && typeof owner.host === 'string' && owner.lock === identity && identity !== null;
  if (!recorded) {
    // The folder's mtime is its last heartbeat; a holder that is alive has recorded itself long
    // before its folder is this old.
    return { state: Date.now() - stat.mtimeMs > ORPHAN_GRACE_MS ? 'orphan' : 'unknown', identity };
  }
  if (owner.host !== os.hostname()) return { state: 'unknown', identity };
  return { state: processIsAlive(owner.pid!) ? 'alive' : 'dead', identity };
}

/**
 * Writes the owner record. `O_NOFOLLOW` (where the platform has it) refuses a symbolic link
 * planted at the record's path instead of writing through it; a holder killed mid-write leaves a
 * record that matches nothing, which waiters treat as an orphaned lock.
 */
async function writeOwner(ownerPath: string, owner: LockOwner): Promise<void> {
  const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | (fsConstants.O_NOFOLLOW ?? 0);
  const handle = await fs.open(ownerPath, flags, 0o644);
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
}

/**
 * Takes the inter-process lock of `file`, waiting up to `waitMs` for a live holder. A lock left
 * by a dead holder of this machine, or orphaned before its holder recorded itself, is taken over
 * at once; a holder on another machine is waited for until its lock goes stale.
 */
export async function acquireProcessLock(file: string, options: ProcessLockOptions): Promise<HeldLock> {
  const { lockPath, ownerPath } = lockPaths(file);
  const held: HeldLock = { release: () => Promise.resolve(), compromised: false, identity: null };
  const staleMs = Math.max(options.staleMs, 2000);
  const deadline = Date.now() + options.waitMs;
  let delay = 10;
  for (;;) {
    const { state, identity } = await lockState(file, options.what);
    if ((state === 'dead' || state === 'orphan') && (await lockFolderIdentity(lockPath)) === identity) {
      // Checked to be the dead holder's own folder just now; another waiter may remove it
      // first, which rmdir then reports and we ignore.
      await fs.rmdir(lockPath).catch(() => undefined);
    }
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        // A live holder on this machine is waited for however long it takes.
        stale: state === 'alive' ? LIVE_HOLDER_STALE_MS : staleMs,
        update: Math.min(LOCK_HEARTBEAT_MS, staleMs / 2),
        retries: 0,
        // proper-lockfile's default throws from a timer, which would kill the process in the
        // middle of a transaction; we note it and decide at commit time instead.
        onCompromised: () => {
          held.compromised = true;
        },
      });
      held.identity = await lockFolderIdentity(lockPath);
      try {
        await writeOwner(ownerPath, { pid: process.pid, host: os.hostname(), lock: held.identity });
      } catch (error) {
        // Without a record a crash of ours would cost waiters the orphan grace; with a record
        // path that is not a file something foreign sits there. Either way, do not hold on.
        await release().catch(() => undefined);
        if (errorCode(error) === 'ELOOP' || errorCode(error) === 'EISDIR') throw foreignLock(file, options.what, ownerPath, 'is not a file');
        throw new StoreError(file, `cannot record the lock holder in ${ownerPath}: ${describe(error)}`, { cause: error });
      }
      // The record goes first, while the folder is still ours, so it can never remove the next
      // holder's record; a waiter meanwhile sees a fresh folder without a record and waits.
      // A lock proper-lockfile saw taken over is not ours to clean up.
      held.release = async () => {
        if (!held.compromised) {
          const owner = await readOwner(file, options.what, ownerPath).catch(() => null);
          if (owner?.lock === held.identity && owner?.pid === process.pid) await fs.rm(ownerPath, { force: true }).catch(() => undefined);
        }
        await release();
      };
      return held;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (errorCode(error) !== 'ELOCKED') throw new StoreError(file, `cannot lock ${options.what}: ${describe(error)}`, { cause: error });
      if (Date.now() >= deadline) {
        throw new StoreLockError(file, `another process has held the lock of ${options.what} for over ${Math.round(options.waitMs / 1000)} s`, { cause: error });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 1.5, MAX_RETRY_DELAY_MS);
  }
}

/**
 * Removes the lock of `file` when its holder is known to be gone (a dead process of this
 * machine, or a folder orphaned before its holder recorded itself), so a crash leaves no lock
 * folder behind once the next command has looked, even one that only reads. Anything else (a
 * live holder, one on another machine, a lock path that is not ours) is left as it is: a
 * command that needs the lock waits for it or reports it.
 */
export async function removeAbandonedLock(file: string, what: string): Promise<void> {
  const { lockPath, ownerPath } = lockPaths(file);
  try {
    await fs.lstat(lockPath);
  } catch {
    return;
  }
  try {
    const { state, identity } = await lockState(file, what);
    if ((state !== 'dead' && state !== 'orphan') || (await lockFolderIdentity(lockPath)) !== identity) return;
    await fs.rmdir(lockPath);
    // The dead holder's record names the folder just removed; nothing can match it any more.
    const owner = await readOwner(file, what, ownerPath);
    if (owner?.lock === identity) await fs.rm(ownerPath, { force: true });
  } catch {
    // Whoever needs the lock next judges it again and reports what is wrong.
  }
}
