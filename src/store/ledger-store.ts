import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { assertResolvesInsideWorkspace, isInsideRoot } from './workspace-source';
import { Ledger } from '../engine';
import { emptyStoreData } from '../model';
import { StoreError, StoreLockError, StoreUnreadableError } from './errors';
import { acquireProcessLock, lockFolderIdentity, removeAbandonedLock, type HeldLock } from './process-lock';
import { readStoreDocument, STORE_MIGRATIONS, type StoreDocumentProblem, type StoreMigration } from './schema';

/** A store file that could not be read and was moved aside (never overwritten). */
export interface SetAsideEvent {
  /** The store path the file was read from. */
  from: string;
  /** Where the file now is, with its original bytes. */
  to: string;
  /** Why it could not be read, as a sentence for the user. */
  reason: string;
}

/**
 * What to do with a store file that cannot be read (corrupt, newer schema, a broken older
 * schema):
 * - `set-aside` (the default): move it aside, report it, and carry on with an empty store, as an
 *   import does: the report rebuilds what it can.
 * - `set-aside-and-fail`: move it aside and report it the same way, then fail with a
 *   `StoreUnreadableError`, for commands that answer from the store's contents (a gate must not
 *   pass on an empty store).
 * - `fail`: leave the file where it is and fail with a `StoreUnreadableError`, for a quick look
 *   that must not decide anything about the file.
 */
export type UnreadableStorePolicy = 'set-aside' | 'set-aside-and-fail' | 'fail';

export interface LedgerStoreOptions {
  /** Called once per file moved aside, so the CLI and the editor can tell the user. */
  onSetAside?: (event: SetAsideEvent) => void;
  /** What to do with a file that cannot be read; see `UnreadableStorePolicy`. Defaults to `set-aside`. */
  onUnreadable?: UnreadableStorePolicy;
  /** Migrations keyed by the version they upgrade from; defaults to the store's own. */
  migrations?: Readonly<Record<number, StoreMigration>>;
  /**
   * After how long without a heartbeat a lock counts as abandoned when its holder cannot be
   * checked directly (it runs on another machine, or was killed before recording its pid); a
   * holder on this machine is checked by pid instead (see `acquireLock`). proper-lockfile
   * refuses less than 2000 ms. Defaults to 30 s.
   */
  lockStaleMs?: number;
  /**
   * The workspace folder the store belongs to. When the store path lies inside it, the store
   * must also resolve inside it: a committed `.scan-ledger` symbolic link never redirects
   * writes elsewhere. An explicitly configured store outside the folder is left alone.
   */
  workspaceRoot?: string;
  /** About how long to wait for another process's transaction before giving up. Defaults to 120 s. */
  lockWaitMs?: number;
  /**
   * Flush the new file and its directory entry to disk after each write, so a committed
   * transaction also survives a power cut, not only a killed process. Defaults to true.
   */
  fsync?: boolean;
  /** The clock that stamps set-aside file names; injectable so tests can pin it. */
  now?: () => Date;
}

/**
 * What lowdb holds: the parsed file wrapped in a box. lowdb's `Low.read` keeps its previous data
 * when the adapter returns a falsy value, so a file holding `null` or `0` would silently read
 * as the previous store; boxing the value lets us see exactly what the file held.
 */
interface StoreDocumentBox {
  document: unknown;
}

type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'ok'; ledger: Ledger; signature: string }
  | { kind: 'unreadable'; problem: StoreDocumentProblem; signature: string };

const DEFAULT_LOCK_STALE_MS = 30_000;
const DEFAULT_LOCK_WAIT_MS = 120_000;
const GITIGNORE_HEADER = '# Written by Scan Ledger.';

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Identifies one version of the store file. Every write renames a fresh temporary file over the
 * store, so the inode changes with each write; together with size and nanosecond mtime this
 * tells "changed since we read it" without hashing a file that can be a hundred megabytes.
 */
async function fileSignature(filePath: string): Promise<string | null> {
  try {
    const s = await fs.stat(filePath, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new StoreError(filePath, `cannot read the store: ${describe(error)}`, { cause: error });
  }
}

/** `2026-11-22T06-10-00-123Z`: an ISO time without the characters Windows refuses in file names. */
function fileTimestamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await fs.lstat(filePath);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes the store folder's `.gitignore`: the store, its lock and temporary files and the files
 * set aside are local data, while `triage.json` next to them is meant to be committed and so is
 * deliberately not listed. A `.gitignore` we did not write is left alone.
 */
async function ensureGitignore(storePath: string): Promise<void> {
  const dir = path.dirname(storePath);
  const name = path.basename(storePath);
  const ext = path.extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  const wanted = [
    `/${name}`, `/${name}.lock`, `/${name}.lock-owner`, `/.${name}.tmp`, `/${stem}.corrupt-*`, `/${stem}.newer-schema-*`, `/${stem}.old-schema-*`,
    // The shared triage file's lock and temporary files; triage.json itself is committed.
    '/triage.json.lock', '/triage.json.lock-owner', '/.triage.json.*.tmp',
  ];
  const file = path.join(dir, '.gitignore');
  let current: string | null = null;
  try {
    // A committed link here could point anywhere; we only ever append to a file of our own.
    if (!(await fs.lstat(file)).isFile()) return;
    current = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw new StoreError(file, `cannot read: ${describe(error)}`, { cause: error });
  }
  try {
    if (current === null) {
      const text = [
        `${GITIGNORE_HEADER} The store is local data rebuilt by importing reports;`,
        '# triage.json is meant to be committed, so it is not listed here.',
        ...wanted,
        '',
      ].join('\n');
      // `wx` so two processes opening a new store at once do not both write the file.
      await fs.writeFile(file, text, { flag: 'wx' }).catch((error: unknown) => {
        if (errorCode(error) !== 'EEXIST') throw error;
      });
      return;
    }
    if (!current.startsWith(GITIGNORE_HEADER)) return;
    const present = new Set(current.split(/\r?\n/).map((l) => l.trim()));
    const missing = wanted.filter((l) => !present.has(l));
    if (missing.length > 0) await fs.appendFile(file, (current.endsWith('\n') ? '' : '\n') + missing.join('\n') + '\n');
  } catch (error) {
    throw new StoreError(file, `cannot write: ${describe(error)}`, { cause: error });
  }
}

/**
 * The per-workspace store: one JSON file read and written through lowdb, holding the Ledger.
 *
 * Every change goes through `transaction`, which is serialised through one in-process queue and
 * an inter-process lock, reloads the file when another process changed it, and writes the
 * result atomically (steno writes a temporary file and renames it over the store, so a killed
 * process leaves either the old or the new file, never half of one). A file that cannot be read
 * is moved aside with a timestamp and reported, never overwritten.
 *
 * `ledger` is replaced when the store reloads; read it afresh after each transaction rather
 * than holding on to an old one.
 */
export class LedgerStore {
  readonly path: string;
  /** The folder proper-lockfile creates as the inter-process lock. */
  private readonly lockPath: string;
  /** steno's temporary file: the next store version, renamed over the store once complete. */
  private readonly tempPath: string;
  /** Every file this store moved aside since it was opened. */
  readonly setAside: SetAsideEvent[] = [];
  private currentLedger: Ledger;
  /** The signature of the file the in-memory ledger was read from or last written to. */
  private signature: string | null = null;
  private readonly db: Low<StoreDocumentBox>;
  private readonly options: Required<Omit<LedgerStoreOptions, 'onSetAside' | 'workspaceRoot'>> & Pick<LedgerStoreOptions, 'onSetAside'>;
  /** Whether the file was unreadable when the store was opened (see `unreadableOnOpen`). */
  private openedUnreadable: SetAsideEvent | null = null;
  /** Set once the first load is done, so later set-asides are not mistaken for the opening one. */
  private opened = false;
  private queueTail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(storePath: string, options: LedgerStoreOptions) {
    this.path = storePath;
    this.lockPath = `${storePath}.lock`;
    this.tempPath = path.join(path.dirname(storePath), `.${path.basename(storePath)}.tmp`);
    this.options = {
      onSetAside: options.onSetAside,
      onUnreadable: options.onUnreadable ?? 'set-aside',
      migrations: options.migrations ?? STORE_MIGRATIONS,
      lockStaleMs: Math.max(options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS, 2000),
      lockWaitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
      fsync: options.fsync ?? true,
      now: options.now ?? (() => new Date()),
    };
    // lowdb's JSONFile indents by two spaces; the store is machine data that can reach a
    // hundred megabytes, so it is written compactly through lowdb's DataFile instead.
    const adapter = new DataFile<StoreDocumentBox>(storePath, {
      parse: (text) => ({ document: JSON.parse(text) as unknown }),
      stringify: (box) => JSON.stringify(box.document),
    });
    this.db = new Low<StoreDocumentBox>(adapter, { document: null });
    this.currentLedger = new Ledger(emptyStoreData());
  }

  /**
   * Opens (or starts) the store at `storePath`: creates its folder and `.gitignore`, reads the
   * file, migrates an older schema, and sets aside a file that cannot be read.
   */
  static async open(storePath: string, options: LedgerStoreOptions = {}): Promise<LedgerStore> {
    const absolute = path.resolve(storePath);
    const root = options.workspaceRoot ? path.resolve(options.workspaceRoot) : undefined;
    if (root && isInsideRoot(root, absolute)) await assertResolvesInsideWorkspace(root, absolute, 'the store');
    try {
      await fs.mkdir(path.dirname(absolute), { recursive: true });
    } catch (error) {
      throw new StoreError(absolute, `cannot create the store folder: ${describe(error)}`, { cause: error });
    }
    // Checked again once the folder exists: creating it may have gone through a link.
    if (root && isInsideRoot(root, absolute)) await assertResolvesInsideWorkspace(root, absolute, 'the store');
    await ensureGitignore(absolute);
    const store = new LedgerStore(absolute, options);
    await store.enqueue(async () => {
      await store.load(false);
      store.opened = true;
      await removeAbandonedLock(store.path, 'the store');
      await store.removeStaleTemporary();
    });
    return store;
  }

  /**
   * The file that could not be read when the store was opened and was moved aside (the store
   * then started empty), or null when the store opened with its own contents or had none yet.
   * A command that answers from the store's contents checks this, or opens with
   * `onUnreadable: 'set-aside-and-fail'`, rather than answer for an empty store.
   */
  get unreadableOnOpen(): SetAsideEvent | null {
    return this.openedUnreadable;
  }

  get ledger(): Ledger {
    return this.currentLedger;
  }

  /**
   * Runs `fn` on the ledger and saves the result, or, when `fn` throws, discards every change
   * it made (the ledger is reloaded from the untouched file) and rethrows.
   */
  transaction<T>(fn: (ledger: Ledger) => T | Promise<T>): Promise<T> {
    return this.enqueue(() => this.runTransaction(fn));
  }

  /** Rereads the file, picking up what other processes wrote. */
  reload(): Promise<void> {
    return this.enqueue(() => this.load(false));
  }

  /** Waits for queued transactions to finish; later transactions are refused. */
  async close(): Promise<void> {
    await this.enqueue(async () => {
      this.closed = true;
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queueTail.then(() => {
      if (this.closed) throw new StoreError(this.path, 'the store is closed');
      return task();
    });
    this.queueTail = run.catch(() => undefined);
    return run;
  }

  private async runTransaction<T>(fn: (ledger: Ledger) => T | Promise<T>): Promise<T> {
    let held = await this.acquireLock();
    try {
      // Every writer holds the lock, so a temporary seen now was left by a killed one.
      await this.removeTemporary();
      if ((await fileSignature(this.path)) !== this.signature) await this.load(true);
      let result: T;
      try {
        result = await fn(this.currentLedger);
      } catch (error) {
        await this.discardChanges();
        throw error;
      }
      held = await this.confirmLock(held);
      await this.write();
      return result;
    } finally {
      await held.release().catch(() => undefined);
    }
  }

  /**
   * Throws away what a failed transaction did to the in-memory ledger by reading the file
   * again. Should even that fail, the next transaction is made to reload first, and the
   * caller still gets the transaction's own error.
   */
  private async discardChanges(): Promise<void> {
    try {
      await this.load(true);
    } catch {
      this.signature = 'discarded';
    }
  }

  /**
   * Makes sure, right before writing, that the lock is still ours and the file is still the one
   * we read. A transaction that blocks the event loop past the stale time (a large import is
   * synchronous work) stops our heartbeat, and a process that cannot check our pid (one on
   * another machine) may then have taken the lock over: proper-lockfile only tells us at its
   * next heartbeat, which has not run yet, so we also
   * compare the lock folder's identity (a takeover removes and recreates it) and the store
   * file's signature (a takeover that finished has written it).
   *
   * When the lock was lost, we wait for it again; if nobody wrote the file in between we may
   * still write, since nothing of theirs can be lost. Otherwise nothing is written: the
   * in-memory ledger goes back to the file and the caller gets an error to run it again.
   */
  private async confirmLock(held: HeldLock): Promise<HeldLock> {
    const lockLost = held.compromised || (await lockFolderIdentity(this.lockPath)) !== held.identity;
    const fileChanged = (await fileSignature(this.path)) !== this.signature;
    if (!lockLost && !fileChanged) return held;
    if (!lockLost) {
      // The lock was ours all along, so something that ignores it (an editor, a file sync, a
      // checkout) replaced the store; keep its version rather than write over it.
      await this.load(true);
      throw new StoreError(this.path, 'the store file was replaced by another program during the transaction; nothing was saved, run it again');
    }
    // A lock proper-lockfile still thinks is ours must not be released: that would remove the
    // lock folder of the process that took it over. Its heartbeat notices and forgets it.
    held.release = async () => undefined;
    const regained = await this.acquireLock();
    if ((await fileSignature(this.path)) === this.signature) return regained;
    await this.load(true).finally(() => regained.release().catch(() => undefined));
    throw new StoreLockError(
      this.path,
      'another process took over the store lock (this one went stale while the transaction ran) and changed the store; nothing was saved, run it again',
    );
  }

  /**
   * Takes the inter-process lock, waiting up to `lockWaitMs` for a live holder; a dead holder's
   * lock is taken over at once and a lock path that is not ours in shape fails at once (see
   * `acquireProcessLock`).
   */
  private acquireLock(): Promise<HeldLock> {
    return acquireProcessLock(this.path, { staleMs: this.options.lockStaleMs, waitMs: this.options.lockWaitMs, what: 'the store' });
  }

  /**
   * Removes steno's temporary file: what a writer killed between writing and renaming it left
   * behind (it can be as large as the store). Call it holding the lock: every writer holds it,
   * so no live one is writing the file. It also removes a link planted at the temporary's path
   * before steno could write through it.
   */
  private async removeTemporary(): Promise<void> {
    try {
      await fs.rm(this.tempPath, { force: true });
    } catch (error) {
      throw new StoreError(this.path, `cannot remove the leftover temporary file ${this.tempPath}: ${describe(error)}`, { cause: error });
    }
  }

  /** On open: removes a temporary left by a killed writer, taking the lock only when there is one. */
  private async removeStaleTemporary(): Promise<void> {
    if (!(await exists(this.tempPath))) return;
    const held = await this.acquireLock();
    try {
      await this.removeTemporary();
    } finally {
      await held.release().catch(() => undefined);
    }
  }

  /**
   * Reads the file into a fresh ledger. Outside the lock, a file that cannot be read is read
   * again under the lock before it is moved aside, so a file replaced by another process in the
   * meantime is never set aside by mistake.
   */
  private async load(underLock: boolean): Promise<void> {
    const outcome = await this.readFile();
    if (outcome.kind === 'ok') {
      this.currentLedger = outcome.ledger;
      this.signature = outcome.signature;
      return;
    }
    if (outcome.kind === 'missing') {
      this.currentLedger = new Ledger(emptyStoreData());
      this.signature = null;
      return;
    }
    if (this.options.onUnreadable === 'fail') throw new StoreUnreadableError(this.path, outcome.problem.reason, null);
    if (!underLock) {
      const held = await this.acquireLock();
      try {
        await this.load(true);
      } finally {
        await held.release().catch(() => undefined);
      }
      return;
    }
    const event = await this.moveAside(outcome.problem);
    this.currentLedger = new Ledger(emptyStoreData());
    this.signature = null;
    if (!this.opened) this.openedUnreadable = event;
    if (this.options.onUnreadable === 'set-aside-and-fail') throw new StoreUnreadableError(this.path, event.reason, event.to);
  }

  private async readFile(): Promise<LoadOutcome> {
    // A writer renaming a new file in while we read would give us one file's bytes and another's
    // signature; reading until the signature holds still avoids that.
    for (let attempt = 0; ; attempt++) {
      const before = await fileSignature(this.path);
      if (before === null) return { kind: 'missing' };
      let box: StoreDocumentBox | null = null;
      let parseFailure: string | null = null;
      this.db.data = { document: null };
      try {
        await this.db.read();
        box = this.db.data;
      } catch (error) {
        if (errorCode(error) === 'ENOENT') continue;
        if (!(error instanceof SyntaxError)) {
          throw new StoreError(this.path, `cannot read the store: ${describe(error)}`, { cause: error });
        }
        parseFailure = `the file is not valid JSON (${error.message})`;
      }
      const after = await fileSignature(this.path);
      if (after !== before && attempt < 10) continue;
      if (after === null) return { kind: 'missing' };
      if (parseFailure !== null || box === null) {
        return { kind: 'unreadable', signature: after, problem: { kind: 'corrupt', reason: parseFailure ?? 'the file is empty' } };
      }
      const result = readStoreDocument(box.document, this.options.migrations);
      this.db.data = { document: null };
      if (!result.ok) return { kind: 'unreadable', signature: after, problem: result.problem };
      return { kind: 'ok', ledger: new Ledger(result.data), signature: after };
    }
  }

  /** Renames the unreadable file to a timestamped name nothing else uses, and reports it. */
  private async moveAside(problem: StoreDocumentProblem): Promise<SetAsideEvent> {
    const ext = path.extname(this.path);
    const stem = ext ? this.path.slice(0, -ext.length) : this.path;
    const base = `${stem}.${problem.kind}-${fileTimestamp(this.options.now())}`;
    let target = `${base}${ext}`;
    // We hold the lock, so no other Scan Ledger process is choosing a name at the same time.
    for (let n = 1; await exists(target); n++) target = `${base}-${n}${ext}`;
    try {
      await fs.rename(this.path, target);
    } catch (error) {
      throw new StoreError(this.path, `cannot move the unreadable store aside (${problem.reason}): ${describe(error)}`, { cause: error });
    }
    const event: SetAsideEvent = { from: this.path, to: target, reason: problem.reason };
    this.setAside.push(event);
    this.options.onSetAside?.(event);
    return event;
  }

  private async write(): Promise<void> {
    this.db.data = { document: this.currentLedger.data };
    try {
      await this.db.write();
      if (this.options.fsync) await this.flushToDisk();
    } catch (error) {
      // The in-memory ledger now holds changes the file may not; go back to the file. (A
      // value JSON cannot hold, such as a circular reference, fails here before any byte is
      // written.) A partial temporary (a full disk) would keep the disk full until the next
      // write, so it goes too; we still hold the lock, so it is ours.
      await fs.rm(this.tempPath, { force: true }).catch(() => undefined);
      await this.discardChanges();
      throw new StoreError(this.path, `cannot write the store: ${describe(error)}`, { cause: error });
    } finally {
      this.db.data = { document: null };
    }
    this.signature = await fileSignature(this.path);
  }

  /**
   * steno renames its temporary file without flushing it. The rename already makes the write
   * atomic against a killed process; flushing the file and its folder afterwards makes a
   * committed transaction durable across a power cut too.
   */
  private async flushToDisk(): Promise<void> {
    const file = await fs.open(this.path, 'r');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    let dir: fs.FileHandle | null = null;
    try {
      dir = await fs.open(path.dirname(this.path), 'r');
      await dir.sync();
    } catch {
      // Windows cannot open a folder as a file; NTFS journals the rename itself.
    } finally {
      await dir?.close();
    }
  }
}
