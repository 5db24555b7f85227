import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { assertResolvesInsideWorkspace, isInsideRoot } from './workspace-source';
import { Ledger } from '../engine';
import { emptyStoreData, STORE_SCHEMA_VERSION, type Finding, type ImportRecord, type StoreData } from '../model';
import { StoreError, StoreLockError, StoreUnreadableError } from './errors';
import { acquireProcessLock, lockFolderIdentity, removeAbandonedLock, type HeldLock } from './process-lock';
import { readStoreDocument, STORE_MIGRATIONS, type StoreDocumentProblem, type StoreMigration } from './schema';
import {
  appendJournal,
  documentOfPathTable,
  encodeFinding,
  indexFieldsOf,
  indexLayoutProblem,
  isIndexDocument,
  isPartFileName,
  isPartTemporaryName,
  isPathTableTemporaryName,
  journalLine,
  journalPathOf,
  LedgerFileError,
  listPartsFolder,
  partFileName,
  partsFolderOf,
  pathTableNameOf,
  pathTableOf,
  rangesHold,
  readJournal,
  readPart,
  readPartFindings,
  writePart,
  writePathTable,
  type IndexDocument,
  type IndexFields,
  type JournalEntry,
  type JournalLine,
  type PartEntry,
  type PartLines,
  type PartReuse,
} from './ledger-files';

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
  /**
   * Past this journal size the next change compacts the journal into the per-test documents.
   * Defaults to 8 MB; tests lower it to exercise compaction.
   */
  journalMaxBytes?: number;
  /**
   * Load only these findings (with the index: products, engagements, tests, counters), found
   * through the index's id ranges without reading the rest of their documents: for a command
   * that changes findings it names, such as `triage` from the command line. Such a store saves
   * only changes to those findings (as journal lines) and refuses any other. A store of schema
   * 1 loads whole regardless.
   */
  findings?: readonly number[];
}

/**
 * What lowdb holds: the parsed file wrapped in a box. lowdb's `Low.read` keeps its previous data
 * when the adapter returns a falsy value, so a file holding `null` or `0` would silently read
 * as the previous store; boxing the value lets us see exactly what the file held.
 */
interface StoreDocumentBox {
  document: unknown;
}

/** The layout facts of the index last read or written (absent for a store of schema 1). */
interface IndexLayout {
  /** The schema version the index on disk says; a journal adds findings only from version 3. */
  schemaVersion: number;
  generation: number;
  journalThrough: number;
  parts: Record<string, PartEntry>;
}

/** What a load found on disk, beyond the data itself. */
interface LoadedState {
  /** Null when the file was a single document of schema 1 (migrated on the next write). */
  layout: IndexLayout | null;
  /** True when only the findings the store was opened for were loaded. */
  partial: boolean;
  journalSeq: number;
  journalBytes: number;
  /** The findings the journal changed since the documents were written, with their tests. */
  journalFindings: Map<number, number>;
  /** Test id → where its document's lines are, for copying unedited findings (see `PartLines`). */
  lines: Map<number, PartLines>;
}

type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'ok'; ledger: Ledger; signature: string; state: LoadedState }
  | { kind: 'unreadable'; problem: StoreDocumentProblem; signature: string };

/**
 * A change touching at most this many findings, none added, removed or moved, is appended to
 * the journal instead of rewriting documents: a triage, a note, a few status changes.
 */
const JOURNAL_MAX_FINDINGS = 2000;
/** Past this size (or a quarter of the documents' bytes, when larger) the next change compacts the journal into the documents. */
const DEFAULT_JOURNAL_MAX_BYTES = 8 * 1024 * 1024;
/** Set (by the test suites) to check after every transaction that each changed finding was recorded. */
const CHECK_CHANGES_ENV = 'SCAN_LEDGER_CHECK_CHANGES';

const DEFAULT_LOCK_STALE_MS = 30_000;
const DEFAULT_LOCK_WAIT_MS = 120_000;
const GITIGNORE_HEADER = '# Written by Scan Ledger.';

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
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

/** Identifies one version of the journal: it is appended to, and removed when compacted. */
async function journalSignature(filePath: string): Promise<string> {
  try {
    const s = await fs.stat(filePath, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'none';
    throw new StoreError(filePath, `cannot read the store's journal: ${describe(error)}`, { cause: error });
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
    // The per-test documents and the journal of the store (issue 13).
    `/${stem}.parts`, `/${stem}.journal`,
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
 * The per-workspace store: an index document read and written through lowdb, one document per
 * test holding its findings and import records, and a journal of small changes (see
 * `ledger-files.ts` for the layout). Together they hold the Ledger.
 *
 * Every change goes through `transaction`, which is serialised through one in-process queue and
 * an inter-process lock, reloads when another process changed the store, and saves only what
 * changed: a change small beside the store (a few findings edited, or a reimport's edits and
 * additions, see `journalEntryFor`) is one flushed journal line; anything else writes the
 * documents of the tests it changed (and of the tests the journal touched, which empties the
 * journal) under new names, then renames a new index over the old one. That rename is the
 * commit: a killed process leaves either the old index, whose documents are untouched, or the
 * new one, whose documents were flushed before it. Files the index does not name are removed
 * under the lock. A store that cannot be read is moved aside with a timestamp and reported,
 * never overwritten.
 *
 * `ledger` is replaced when the store reloads; read it afresh after each transaction rather
 * than holding on to an old one.
 */
export class LedgerStore {
  readonly path: string;
  /** The folder of per-test documents. */
  readonly partsPath: string;
  /** The journal of small changes. */
  readonly journalPath: string;
  /** The folder proper-lockfile creates as the inter-process lock. */
  private readonly lockPath: string;
  /** steno's temporary file: the next index version, renamed over the index once complete. */
  private readonly tempPath: string;
  /** Every file this store moved aside since it was opened. */
  readonly setAside: SetAsideEvent[] = [];
  private currentLedger: Ledger;
  /** The signature of the index and journal the in-memory ledger was read from or last saved to. */
  private signature: string | null = null;
  /** The layout of the index on disk, or null before the first write or for a store of schema 1. */
  private layout: IndexLayout | null = null;
  /** The findings to load, when the store was opened for a few (see `LedgerStoreOptions.findings`). */
  private readonly scope: readonly number[] | null;
  /** True when only the findings in `scope` are loaded. */
  private partial = false;
  /** The last journal sequence number the in-memory ledger holds. */
  private journalSeq = 0;
  /** The journal's length in complete entries (a torn line after it is cut off on the next append). */
  private journalBytes = 0;
  /**
   * The findings the journal changed since the documents were written (finding id → test id):
   * their tests' documents are rewritten at the next compaction, and their lines there are stale.
   */
  private journalFindings = new Map<number, number>();
  /** Test id → where the lines of its current document are, so a rewrite copies what nobody edited. */
  private partLines = new Map<number, PartLines>();
  /** The index fields as last read or saved, to tell whether a change touched them. */
  private indexText = '';
  /** In checking mode: every finding's and test's saved form, to catch an unrecorded change. */
  private savedForms: { findings: Map<number, string>; imports: Map<number, string> } | null = null;
  private readonly checkChanges: boolean;
  private readonly db: Low<StoreDocumentBox>;
  private readonly options: Required<Omit<LedgerStoreOptions, 'onSetAside' | 'workspaceRoot' | 'findings'>> & Pick<LedgerStoreOptions, 'onSetAside'>;
  /** Whether the file was unreadable when the store was opened (see `unreadableOnOpen`). */
  private openedUnreadable: SetAsideEvent | null = null;
  /** Set once the first load is done, so later set-asides are not mistaken for the opening one. */
  private opened = false;
  private queueTail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(storePath: string, options: LedgerStoreOptions) {
    this.path = storePath;
    this.partsPath = partsFolderOf(storePath);
    this.journalPath = journalPathOf(storePath);
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
      journalMaxBytes: options.journalMaxBytes ?? DEFAULT_JOURNAL_MAX_BYTES,
    };
    this.checkChanges = process.env[CHECK_CHANGES_ENV] === '1';
    this.scope = options.findings ? [...options.findings] : null;
    // lowdb's JSONFile indents by two spaces; the index is machine data, so it is written
    // compactly through lowdb's DataFile instead.
    const adapter = new DataFile<StoreDocumentBox>(storePath, {
      parse: (text) => ({ document: JSON.parse(text) as unknown }),
      stringify: (box) => JSON.stringify(box.document),
    });
    this.db = new Low<StoreDocumentBox>(adapter, { document: null });
    this.currentLedger = new Ledger(emptyStoreData());
  }

  /**
   * Opens (or starts) the store at `storePath`: creates its folder and `.gitignore`, reads the
   * files, migrates an older schema, and sets aside a store that cannot be read.
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
    if (root && isInsideRoot(root, absolute)) {
      await assertResolvesInsideWorkspace(root, absolute, 'the store');
      // The documents folder and the journal are written too, so a committed link there must not redirect them.
      await assertResolvesInsideWorkspace(root, partsFolderOf(absolute), 'the store');
      await assertResolvesInsideWorkspace(root, journalPathOf(absolute), 'the store');
    }
    await ensureGitignore(absolute);
    const store = new LedgerStore(absolute, options);
    await store.enqueue(async () => {
      await store.load(false);
      store.opened = true;
      await removeAbandonedLock(store.path, 'the store');
      await store.removeStaleTemporaries();
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
   * Identifies the store's current version on disk (index and journal), or null when there is
   * none. Compared with `loadedStamp`, it tells whether another program changed the store since
   * this one last read or wrote it.
   */
  async stamp(): Promise<string | null> {
    return this.storeSignature();
  }

  /**
   * The version of the store's files the in-memory ledger holds: taken when they were read, and
   * right after each write while the lock was still held, so a change another program makes
   * afterwards never passes for our own (as a stamp taken later could).
   */
  get loadedStamp(): string | null {
    return this.signature;
  }

  /**
   * Runs `fn` on the ledger and saves the result, or, when `fn` throws, discards every change
   * it made (the ledger is reloaded from the untouched files) and rethrows.
   */
  transaction<T>(fn: (ledger: Ledger) => T | Promise<T>): Promise<T> {
    return this.enqueue(() => this.runTransaction(fn));
  }

  /** Rereads the store, picking up what other processes wrote. */
  reload(): Promise<void> {
    return this.enqueue(() => this.refresh(false));
  }

  /**
   * Brings the in-memory ledger up to what is on disk: nothing when nothing changed, the new
   * journal entries alone when only the journal grew (another process's triage), else a full load.
   */
  private async refresh(underLock: boolean): Promise<void> {
    const current = await this.storeSignature();
    if (current === this.signature) return;
    if (await this.catchUpWithJournal()) return;
    await this.load(underLock);
  }

  /**
   * Applies the entries another process appended to the journal since we read it, when that is
   * all that changed (same index, same journal file, longer). Returns false when a full load is
   * needed instead: the index changed, the journal was replaced, or an entry changes the index.
   */
  private async catchUpWithJournal(): Promise<boolean> {
    if (this.signature === null || this.layout === null) return false;
    const [indexThen, journalThen] = this.signature.split('|');
    for (let attempt = 0; attempt < 10; attempt++) {
      const before = await this.storeSignature();
      if (before === null) return false;
      const [indexNow, journalNow] = before.split('|');
      if (indexNow !== indexThen || journalNow === 'none') return false;
      if (journalThen !== 'none' && journalNow.split(':')[0] !== journalThen.split(':')[0]) return false;
      let tail;
      try {
        tail = await readJournal(this.journalPath, this.journalBytes);
      } catch {
        return false;
      }
      if (!tail) return false;
      const entries = tail.entries.filter((e) => e.seq > this.journalSeq);
      const ledger = this.currentLedger;
      // An entry's index fields usually differ from ours only in the id counters (a note took
      // an id); anything else (a product renamed, a sync state) is rare enough for a full load.
      const withoutCounters = ({ nextIds: _n, ...rest }: IndexFields): string => JSON.stringify(rest);
      const ours = entries.some((e) => e.index) ? withoutCounters(indexFieldsOf(ledger.data)) : '';
      if (entries.some((e) => e.index && withoutCounters(e.index) !== ours)) return false;
      // Additions (another process's reimport) change lists and indexes: a full load.
      if (entries.some((e) => e.added?.length || e.imports?.length)) return false;
      for (const e of entries) for (const f of e.findings) if (ledger.finding(f.id)?.testId !== f.testId) return false;
      for (const e of entries) {
        for (const f of e.findings) replaceFinding(ledger, ledger.finding(f.id) as Finding, f);
        recordJournaled(this.journalFindings, e);
        if (e.index) ledger.data.nextIds = { ...e.index.nextIds };
        this.journalSeq = e.seq;
      }
      this.indexText = JSON.stringify(indexFieldsOf(ledger.data));
      this.journalBytes += tail.validBytes;
      ledger.changes.clear();
      this.rememberSavedForms();
      const after = await this.storeSignature();
      // Signed with what was there before the read, so anything appended meanwhile is read next time.
      this.signature = after === before ? after : before;
      if (after === before) return true;
    }
    return true;
  }

  /** Waits for queued transactions to finish; later transactions are refused. */
  async close(): Promise<void> {
    await this.enqueue(() => {
      this.closed = true;
      return Promise.resolve();
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

  /** The index's signature and the journal's, or null when there is no index. */
  private async storeSignature(): Promise<string | null> {
    const index = await fileSignature(this.path);
    if (index === null) return null;
    return `${index}|${await journalSignature(this.journalPath)}`;
  }

  private async runTransaction<T>(fn: (ledger: Ledger) => T | Promise<T>): Promise<T> {
    let held = await this.acquireLock();
    try {
      // Every writer holds the lock, so a temporary seen now was left by a killed one.
      await this.removeTemporary();
      await this.refresh(true);
      this.currentLedger.changes.clear();
      let result: T;
      try {
        result = await fn(this.currentLedger);
      } catch (error) {
        await this.discardChanges();
        throw error;
      }
      held = await this.confirmLock(held);
      await this.save();
      return result;
    } finally {
      await held.release().catch(() => undefined);
    }
  }

  /**
   * Throws away what a failed transaction did to the in-memory ledger by reading the store
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
   * Makes sure, right before writing, that the lock is still ours and the store is still the one
   * we read. A transaction that blocks the event loop past the stale time (a large import is
   * synchronous work) stops our heartbeat, and a process that cannot check our pid (one on
   * another machine) may then have taken the lock over: proper-lockfile only tells us at its
   * next heartbeat, which has not run yet, so we also compare the lock folder's identity (a
   * takeover removes and recreates it) and the store's signature (a takeover that finished has
   * written it).
   *
   * When the lock was lost, we wait for it again; if nobody wrote the store in between we may
   * still write, since nothing of theirs can be lost. Otherwise nothing is written: the
   * in-memory ledger goes back to the files and the caller gets an error to run it again.
   */
  private async confirmLock(held: HeldLock): Promise<HeldLock> {
    const lockLost = held.compromised || (await lockFolderIdentity(this.lockPath)) !== held.identity;
    const fileChanged = (await this.storeSignature()) !== this.signature;
    if (!lockLost && !fileChanged) return held;
    if (!lockLost) {
      // The lock was ours all along, so something that ignores it (an editor, a file sync, a
      // checkout) replaced the store; keep its version rather than write over it.
      await this.load(true);
      throw new StoreError(this.path, 'the store file was replaced by another program during the transaction; nothing was saved, run it again');
    }
    // A lock proper-lockfile still thinks is ours must not be released: that would remove the
    // lock folder of the process that took it over. Its heartbeat notices and forgets it.
    held.release = () => Promise.resolve();
    const regained = await this.acquireLock();
    if ((await this.storeSignature()) === this.signature) return regained;
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
   * behind (it can be as large as the index). Call it holding the lock: every writer holds it,
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

  /**
   * The files of the documents folder the index does not name: documents of an index that was
   * never committed or was replaced, and temporaries of killed writers. Other files are not
   * ours and are left alone.
   */
  private async strayParts(): Promise<string[]> {
    const named = new Set(Object.values(this.layout?.parts ?? {}).map((p) => p.file));
    const names = await listPartsFolder(this.partsPath).catch(() => []);
    return names.filter((n) => {
      if (isPartFileName(n)) return !named.has(n);
      // A path table goes with its document.
      const document = documentOfPathTable(n);
      if (document !== null) return !named.has(document);
      return isPartTemporaryName(n) || isPathTableTemporaryName(n);
    });
  }

  /**
   * On open: removes what killed writers left (the index's temporary, stray documents), taking
   * the lock only when there is something to remove. The index is read again under the lock, so
   * a document another process committed meanwhile is never taken for a stray.
   */
  private async removeStaleTemporaries(): Promise<void> {
    if (!(await exists(this.tempPath)) && (await this.strayParts()).length === 0) return;
    const held = await this.acquireLock();
    try {
      await this.removeTemporary();
      if ((await this.storeSignature()) !== this.signature) await this.load(true);
      await this.removeStrayParts();
    } finally {
      await held.release().catch(() => undefined);
    }
  }

  /** Removes the stray documents; call it holding the lock. */
  private async removeStrayParts(): Promise<void> {
    for (const name of await this.strayParts()) await fs.rm(path.join(this.partsPath, name), { force: true }).catch(() => undefined);
  }

  /**
   * Reads the store into a fresh ledger. Outside the lock, a store that cannot be read is read
   * again under the lock before it is moved aside, so a store replaced by another process in
   * the meantime is never set aside by mistake.
   */
  private async load(underLock: boolean): Promise<void> {
    const outcome = await this.readStore();
    if (outcome.kind === 'ok') {
      this.adopt(outcome.ledger, outcome.signature, outcome.state);
      return;
    }
    if (outcome.kind === 'missing') {
      this.adopt(new Ledger(emptyStoreData()), null, null);
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
    this.adopt(new Ledger(emptyStoreData()), null, null);
    if (!this.opened) this.openedUnreadable = event;
    if (this.options.onUnreadable === 'set-aside-and-fail') throw new StoreUnreadableError(this.path, event.reason, event.to);
  }

  /** Makes a freshly read ledger the current one, with what was learnt about the files. */
  private adopt(ledger: Ledger, signature: string | null, state: LoadedState | null): void {
    this.currentLedger = ledger;
    this.signature = signature;
    this.layout = state?.layout ?? null;
    this.partial = state?.partial ?? false;
    this.journalSeq = state ? state.journalSeq : 0;
    this.journalBytes = state?.journalBytes ?? 0;
    this.journalFindings = state?.journalFindings ?? new Map<number, number>();
    this.partLines = state?.lines ?? new Map<number, PartLines>();
    this.indexText = JSON.stringify(indexFieldsOf(ledger.data));
    ledger.changes.clear();
    this.rememberSavedForms();
  }

  /** In checking mode, records every finding's and test's saved form. */
  private rememberSavedForms(): void {
    if (!this.checkChanges) return;
    const data = this.currentLedger.data;
    const findings = new Map<number, string>();
    for (const f of data.findings) findings.set(f.id, encodeFinding(f));
    const imports = new Map<number, string>();
    for (const [testId, records] of importsByTest(data.imports)) imports.set(testId, JSON.stringify(records));
    this.savedForms = { findings, imports };
  }

  /**
   * In checking mode, fails a transaction that changed a finding or a test's import records
   * without recording it in `ledger.changes`: in normal use that change would be saved only by
   * chance and lost at the next load.
   */
  private checkRecordedChanges(): void {
    const saved = this.savedForms;
    if (!this.checkChanges || !saved) return;
    const { changes, data } = this.currentLedger;
    const seen = new Set<number>();
    for (const f of data.findings) {
      seen.add(f.id);
      // A finding of a test whose list changed is checked too: its test's document is
      // rewritten, but from the bytes it was read from unless it is recorded as edited.
      if (changes.findings.has(f.id)) continue;
      const before = saved.findings.get(f.id);
      if (before === undefined) {
        if (changes.tests.has(f.testId)) continue;
        throw new Error(`unrecorded change: finding ${f.id} was added to test ${f.testId} without Ledger.addFinding`);
      }
      if (before !== encodeFinding(f)) throw new Error(`unrecorded change: finding ${f.id} (test ${f.testId}) was edited without Ledger.touch`);
    }
    for (const id of saved.findings.keys()) {
      if (!seen.has(id)) {
        const testId = (JSON.parse(saved.findings.get(id) as string) as { testId: number }).testId;
        if (!changes.tests.has(testId)) throw new Error(`unrecorded change: finding ${id} was removed without Ledger.removeFinding`);
      }
    }
    for (const [testId, records] of importsByTest(data.imports)) {
      if (changes.tests.has(testId)) continue;
      if (saved.imports.get(testId) !== JSON.stringify(records)) throw new Error(`unrecorded change: the import records of test ${testId} changed without Ledger.addImport`);
    }
  }

  private async readStore(): Promise<LoadOutcome> {
    // A writer committing while we read would give us one version's files and another's
    // signature; reading until the signature holds still avoids that.
    for (let attempt = 0; ; attempt++) {
      const before = await this.storeSignature();
      if (before === null) return { kind: 'missing' };
      let outcome: LoadOutcome;
      try {
        outcome = await this.readStoreOnce(before);
      } catch (error) {
        // A document renamed away by a concurrent compaction: read again.
        if (error instanceof LedgerFileError && attempt < 10 && (await this.storeSignature()) !== before) continue;
        if (error instanceof LedgerFileError) {
          outcome = { kind: 'unreadable', signature: before, problem: { kind: 'corrupt', reason: error.message } };
        } else if (errorCode(error) === 'ENOENT') {
          continue;
        } else {
          throw error;
        }
      }
      const after = await this.storeSignature();
      if (after !== before && attempt < 10) continue;
      if (after === null) return { kind: 'missing' };
      return outcome.kind === 'missing' ? outcome : { ...outcome, signature: after };
    }
  }

  /** One attempt at reading the index, its documents and the journal. */
  private async readStoreOnce(signature: string): Promise<LoadOutcome> {
    let box: StoreDocumentBox | null = null;
    this.db.data = { document: null };
    try {
      await this.db.read();
      box = this.db.data;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
      if (!(error instanceof SyntaxError)) throw new StoreError(this.path, `cannot read the store: ${describe(error)}`, { cause: error });
      return { kind: 'unreadable', signature, problem: { kind: 'corrupt', reason: `the file is not valid JSON (${error.message})` } };
    } finally {
      this.db.data = { document: null };
    }
    if (box === null) return { kind: 'unreadable', signature, problem: { kind: 'corrupt', reason: 'the file is empty' } };
    const document = box.document;
    if (!isIndexDocument(document)) {
      // A single-document store of schema 1: migrated, and rewritten as an index with
      // documents by the next transaction.
      const result = readStoreDocument(document, this.options.migrations);
      if (!result.ok) return { kind: 'unreadable', signature, problem: result.problem };
      const state: LoadedState = { layout: null, partial: false, journalSeq: 0, journalBytes: 0, journalFindings: new Map(), lines: new Map() };
      return { kind: 'ok', ledger: new Ledger(result.data), signature, state };
    }
    const index = document as Record<string, unknown>;
    // A newer schema may lay its documents out differently; say so before reading them.
    if (typeof index.schemaVersion === 'number' && index.schemaVersion > STORE_SCHEMA_VERSION) {
      const result = readStoreDocument(index, this.options.migrations);
      if (!result.ok) return { kind: 'unreadable', signature, problem: result.problem };
    }
    const layoutProblem = indexLayoutProblem(index);
    if (layoutProblem) return { kind: 'unreadable', signature, problem: { kind: 'corrupt', reason: layoutProblem } };
    const { generation, journalThrough, parts, ...fields } = index as unknown as IndexDocument;
    const schemaVersion = fields.schemaVersion;
    const findings: Finding[] = [];
    const imports: ImportRecord[] = [];
    const lines = new Map<number, PartLines>();
    const missingTables: [string, string][] = [];
    const scope = this.scope;
    const partial = scope !== null && Object.values(parts).every((entry) => entry.ids !== undefined);
    // One listing of the folder tells which documents lack a path table (not a stat each).
    const folder = partial || schemaVersion !== STORE_SCHEMA_VERSION ? null : await listPartsFolder(this.partsPath).then((names) => new Set(names), () => null);
    for (const [testId, entry] of Object.entries(parts)) {
      const file = path.join(this.partsPath, entry.file);
      if (partial) {
        const wanted = scope.filter((id) => rangesHold(entry.ids ?? [], id));
        if (wanted.length > 0) for (const f of await readPartFindings(file, Number(testId), wanted)) findings.push(f);
        continue;
      }
      const part = await readPart(file, Number(testId), entry);
      if (part.lines) lines.set(Number(testId), part.lines);
      // A document written before path tables gets its table now, taken from the lines just
      // read (before the journal or a migration changes any finding), so the editor can read
      // the files it shows ahead of the rest from the next open on.
      if (part.lines && folder && !folder.has(pathTableNameOf(entry.file))) {
        missingTables.push([entry.file, pathTableOf(entry.file, entry.bytes, part.findings, part.lines)]);
      }
      for (const f of part.findings) findings.push(f);
      for (const r of part.imports) imports.push(r);
    }
    imports.sort((a, b) => a.id - b.id);
    const data = { ...fields, findings, imports };
    const journal = await readJournal(this.journalPath);
    let journalSeq = journalThrough;
    const journalFindings = new Map<number, number>();
    if (journal) {
      const later = journal.entries.filter((e) => e.seq > journalThrough);
      replayJournal(data, later, this.journalPath, partial ? new Set(scope) : null);
      for (const e of later) {
        journalSeq = Math.max(journalSeq, e.seq);
        recordJournaled(journalFindings, e);
      }
    }
    const result = readStoreDocument(data, this.options.migrations);
    if (!result.ok) return { kind: 'unreadable', signature, problem: result.problem };
    // A table is a shortcut: one that cannot be written (a read-only folder) is simply not there.
    for (const [document, table] of missingTables) await writePathTable(this.partsPath, document, table).catch(() => undefined);
    const state: LoadedState = {
      layout: { schemaVersion, generation, journalThrough, parts },
      partial,
      journalSeq,
      journalBytes: journal?.validBytes ?? 0,
      journalFindings,
      // A migration may have changed findings after they were read: their lines are not theirs.
      lines: result.migratedFrom === null ? lines : new Map<number, PartLines>(),
    };
    return { kind: 'ok', ledger: new Ledger(result.data), signature, state };
  }

  /**
   * Renames the unreadable store (index, documents folder and journal) to timestamped names
   * nothing else uses, and reports it.
   */
  private async moveAside(problem: StoreDocumentProblem): Promise<SetAsideEvent> {
    const ext = path.extname(this.path);
    const stem = ext ? this.path.slice(0, -ext.length) : this.path;
    const base = `${stem}.${problem.kind}-${fileTimestamp(this.options.now())}`;
    let target = base;
    // We hold the lock, so no other Scan Ledger process is choosing a name at the same time.
    for (let n = 1; (await exists(`${target}${ext}`)) || (await exists(`${target}.parts`)) || (await exists(`${target}.journal`)); n++) target = `${base}-${n}`;
    try {
      await fs.rename(this.path, `${target}${ext}`);
      if (await exists(this.partsPath)) await fs.rename(this.partsPath, `${target}.parts`);
      if (await exists(this.journalPath)) await fs.rename(this.journalPath, `${target}.journal`);
    } catch (error) {
      throw new StoreError(this.path, `cannot move the unreadable store aside (${problem.reason}): ${describe(error)}`, { cause: error });
    }
    const event: SetAsideEvent = { from: this.path, to: `${target}${ext}`, reason: problem.reason };
    this.setAside.push(event);
    this.options.onSetAside?.(event);
    return event;
  }

  /**
   * Saves what the transaction changed: nothing when nothing changed, one journal line when a
   * few findings' fields changed, otherwise the changed tests' documents and a new index.
   */
  private async save(): Promise<void> {
    this.checkRecordedChanges();
    const ledger = this.currentLedger;
    const { changes } = ledger;
    const indexText = JSON.stringify(indexFieldsOf(ledger.data));
    const indexChanged = indexText !== this.indexText;
    try {
      if (this.signature !== null && this.layout !== null && changes.empty && !indexChanged) return;
      const touched = [...changes.findings].filter((id) => !changes.added.has(id)).map((id) => ledger.finding(id));
      const entry = this.journalEntryFor(touched, indexChanged);
      if (this.partial && !entry) throw new StoreError(this.path, 'this change needs the whole store, which was opened for a few findings only');
      if (entry) await this.appendToJournal(entry.entry, entry.line);
      else await this.writeDocuments(new Set([...changes.tests, ...(touched.filter(Boolean) as Finding[]).map((f) => f.testId)]));
    } catch (error) {
      // The in-memory ledger now holds changes the files may not; go back to the files. (A
      // value JSON cannot hold, such as a circular reference, fails here before any byte is
      // written.) A partial temporary (a full disk) would keep the disk full until the next
      // write, so it goes too; we still hold the lock, so it is ours.
      await fs.rm(this.tempPath, { force: true }).catch(() => undefined);
      await this.removeStrayParts().catch(() => undefined);
      await this.discardChanges();
      throw new StoreError(this.path, `cannot write the store: ${describe(error)}`, { cause: error });
    }
    this.indexText = indexText;
    changes.clear();
    this.signature = await this.storeSignature();
    this.rememberSavedForms();
  }

  /**
   * The journal entry that saves the transaction's changes, or null when they need the documents
   * rewritten. Two kinds of change are journaled:
   * - a small edit (a triage, a note, a few status changes: at most JOURNAL_MAX_FINDINGS findings
   *   edited, none added or removed) while the journal is under its bound; a store opened for a
   *   few findings cannot rewrite documents it has not read, so it appends past the bound too;
   * - a change that edits and adds findings and import records without removing or moving any
   *   (a reimport, an import into a new test) and whose line is small beside the documents: the
   *   journal, this line included, stays within a quarter of the documents' bytes (and its
   *   bound). Such a reimport of a large test writes what it changed instead of the test's whole
   *   document again; replaying the journal on open then costs at most a quarter more reading,
   *   and the write that passes the bound folds it into the documents. Needs an index of schema
   *   3 on disk, since a release that reads schema 2 would skip the additions.
   */
  private journalEntryFor(findings: (Finding | undefined)[], indexChanged: boolean): { entry: JournalEntry; line: JournalLine } | null {
    const ledger = this.currentLedger;
    const { changes } = ledger;
    if (this.signature === null || this.layout === null || changes.rearranged.size > 0) return null;
    if (!findings.every((f) => f !== undefined)) return null;
    const index = indexChanged ? indexFieldsOf(ledger.data) : undefined;
    const seq = this.journalSeq + 1;
    if (changes.added.size === 0 && changes.imports.size === 0) {
      if (findings.length <= JOURNAL_MAX_FINDINGS && (this.journalBytes < this.options.journalMaxBytes || this.partial)) {
        const entry: JournalEntry = { seq, index, findings };
        return { entry, line: journalLine(entry) };
      }
    }
    if (this.partial || this.layout.schemaVersion < 3) return null;
    const documentBytes = Object.values(this.layout.parts).reduce((sum, part) => sum + part.bytes, 0);
    const bound = Math.max(this.options.journalMaxBytes, documentBytes / 4);
    // Counted before encoding, so a change as large as the store is not encoded twice.
    const storeFindings = ledger.data.findings.length;
    if ((findings.length + changes.added.size) * 4 > storeFindings) return null;
    const added = [...changes.added].map((id) => ledger.finding(id));
    if (!added.every((f) => f !== undefined)) return null;
    const imports = ledger.data.imports.filter((r) => changes.imports.has(r.id));
    const entry: JournalEntry = { seq, index, findings, added, imports };
    const line = journalLine(entry, bound - this.journalBytes);
    return line ? { entry, line } : null;
  }

  /** Appends an entry's flushed line to the journal. */
  private async appendToJournal(entry: JournalEntry, line: JournalLine): Promise<void> {
    const { size, created } = await appendJournal(this.journalPath, line, this.journalBytes, this.options.fsync);
    if (created && this.options.fsync) await this.flushFolder(path.dirname(this.journalPath));
    this.journalSeq = entry.seq;
    this.journalBytes = size;
    recordJournaled(this.journalFindings, entry);
  }

  /**
   * Writes the documents of the changed tests (all of them for a new store or one of schema 1,
   * and the tests the journal changed, so the journal can go), then the index that names them,
   * then removes what the old index named and the new one does not, and the journal.
   */
  private async writeDocuments(changedTests: ReadonlySet<number>): Promise<void> {
    const ledger = this.currentLedger;
    const previous = this.layout;
    const rewriteAll = previous === null;
    const generation = (previous?.generation ?? 0) + 1;
    const importsOf = importsByTest(ledger.data.imports);
    const testIds = new Set<number>([...ledger.data.tests.map((t) => t.id), ...ledger.findingsByTest.keys(), ...importsOf.keys()]);
    const parts: Record<string, PartEntry> = {};
    const journalTests = new Set(this.journalFindings.values());
    const written = new Map<number, PartLines>();
    let wrote = false;
    await fs.mkdir(this.partsPath, { recursive: true });
    for (const testId of [...testIds].sort((a, b) => a - b)) {
      const kept = previous?.parts[testId];
      if (!rewriteAll && kept && !changedTests.has(testId) && !journalTests.has(testId)) {
        parts[testId] = kept;
        continue;
      }
      const findings = ledger.findingsOfTest(testId);
      const imports = importsOf.get(testId) ?? [];
      if (findings.length === 0 && imports.length === 0) continue;
      const file = partFileName(testId, generation);
      // Findings nobody edited since the test's document was written are copied from it.
      const old = this.partLines.get(testId);
      const { findings: edited } = ledger.changes;
      const reuse: PartReuse | undefined =
        !rewriteAll && kept && old && old.file === kept.file
          ? { path: path.join(this.partsPath, kept.file), lines: old, edited: (id) => edited.has(id) || this.journalFindings.has(id) }
          : undefined;
      const { bytes, ids, lines } = await writePart(this.partsPath, file, testId, imports, findings, this.options.fsync, reuse);
      parts[testId] = { file, findings: findings.length, imports: imports.length, bytes, ids };
      written.set(testId, lines);
      wrote = true;
    }
    if (wrote && this.options.fsync) await this.flushFolder(this.partsPath);
    // A journal left from a store that was deleted would otherwise be replayed onto this one.
    if (previous === null) await fs.rm(this.journalPath, { force: true });
    const { schemaVersion, ...fields } = indexFieldsOf(ledger.data);
    const index: IndexDocument = { schemaVersion, generation, journalThrough: this.journalSeq, parts, ...fields };
    this.db.data = { document: index };
    try {
      await this.db.write();
    } finally {
      this.db.data = { document: null };
    }
    if (this.options.fsync) await this.flushToDisk();
    // Committed: the new index names every document it needs.
    this.layout = { schemaVersion, generation, journalThrough: this.journalSeq, parts };
    await fs.rm(this.journalPath, { force: true });
    this.journalBytes = 0;
    this.journalFindings = new Map<number, number>();
    // Lines of documents the new index still names stay right; the others' files are gone.
    for (const testId of [...this.partLines.keys()]) if (parts[testId]?.file !== this.partLines.get(testId)?.file) this.partLines.delete(testId);
    for (const [testId, lines] of written) this.partLines.set(testId, lines);
    await this.removeStrayParts();
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
    await this.flushFolder(path.dirname(this.path));
  }

  /** Flushes a folder's entries (a created or renamed file) to disk. */
  private async flushFolder(folder: string): Promise<void> {
    let dir: fs.FileHandle | null = null;
    try {
      dir = await fs.open(folder, 'r');
      await dir.sync();
    } catch {
      // Windows cannot open a folder as a file; NTFS journals the rename itself.
    } finally {
      await dir?.close();
    }
  }
}

/** Fields the ledger indexes a finding by; changed through `updateIndexed` to keep the indexes right. */
const INDEXED_FIELDS = ['hashCode', 'uniqueIdFromTool', 'filePath', 'fingerprint', 'duplicate', 'duplicateOf'] as const;

/** Makes `target` (a finding in the ledger) hold exactly `source`'s fields, keeping the indexes right. */
function replaceFinding(ledger: Ledger, target: Finding, source: Finding): void {
  const indexed: Partial<Pick<Finding, (typeof INDEXED_FIELDS)[number]>> = {};
  for (const key of INDEXED_FIELDS) if (target[key] !== source[key]) (indexed as Record<string, unknown>)[key] = source[key];
  ledger.updateIndexed(target, indexed);
  const t = target as unknown as Record<string, unknown>;
  for (const key of Object.keys(t)) if (!(key in source)) delete t[key];
  Object.assign(target, source);
}

/** Records the findings a journal entry edited or added, with their tests (finding id → test id). */
function recordJournaled(journalFindings: Map<number, number>, entry: JournalEntry): void {
  for (const f of entry.findings) journalFindings.set(f.id, f.testId);
  for (const f of entry.added ?? []) journalFindings.set(f.id, f.testId);
}

/** Import records grouped by test, in id order. */
function importsByTest(imports: readonly ImportRecord[]): Map<number, ImportRecord[]> {
  const byTest = new Map<number, ImportRecord[]>();
  for (const r of imports) {
    const list = byTest.get(r.testId);
    if (list) list.push(r);
    else byTest.set(r.testId, [r]);
  }
  return byTest;
}

/**
 * Applies journal entries, oldest first, to store data read from the documents: each entry's
 * findings replace the stored ones with the same id, its added findings and import records
 * join the data, and its index fields replace the index's. An entry naming a finding the store
 * does not hold, moving one to another test, or adding a finding or import record whose id is
 * taken cannot come from this store's own writes and makes the journal unreadable. A store
 * loaded for a few findings (`scope`) holds only those: it skips the others' entries, takes
 * added findings in its scope, and leaves import records out, as its documents' are.
 */
function replayJournal(data: StoreData, entries: readonly JournalEntry[], journalPath: string, scope: ReadonlySet<number> | null): void {
  if (entries.length === 0) return;
  const at = new Map<number, number>();
  data.findings.forEach((f, i) => at.set(f.id, i));
  const importIds = new Set(data.imports.map((r) => r.id));
  for (const entry of entries) {
    if (entry.index) Object.assign(data, entry.index);
    for (const f of entry.findings) {
      const i = at.get(f.id);
      if (scope && i === undefined) continue;
      if (i === undefined || data.findings[i].testId !== f.testId) {
        throw new LedgerFileError(journalPath, `entry ${entry.seq} names finding ${String(f.id)}, which the store does not hold in test ${String(f.testId)}`);
      }
      data.findings[i] = f;
    }
    for (const f of entry.added ?? []) {
      if (at.has(f.id)) throw new LedgerFileError(journalPath, `entry ${entry.seq} adds finding ${String(f.id)}, which the store already holds`);
      if (scope && !scope.has(f.id)) continue;
      at.set(f.id, data.findings.length);
      data.findings.push(f);
    }
    if (scope) continue;
    for (const r of entry.imports ?? []) {
      if (importIds.has(r.id)) throw new LedgerFileError(journalPath, `entry ${entry.seq} adds import record ${String(r.id)}, which the store already holds`);
      importIds.add(r.id);
      data.imports.push(r);
    }
  }
}
