import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineContext, Ledger } from '../engine';
import type { Finding, ImportRecord, Settings } from '../model';
import { defaultSettings, effectiveSettings } from '../model';
import { LedgerStore, readFindingsOfFiles, resolveWorkspaceStorePath, StorePathError, workspaceSource } from '../store';
import { FindingsByDocument, reactivationsByLatestImport, shownFilesFilter } from './decoration-model';
import { log, showWarning } from './log';
import { readSettings, SETTINGS_SECTION } from './settings';

/**
 * One workspace folder's Scan Ledger state: its store (one product per folder, named after the
 * folder), its settings, and the indexes the editor draws from. Multi-root workspaces get one
 * session per folder; nothing is shared between folders.
 */

/**
 * Why the ledger changed; views re-anchor line positions only after imports and reloads.
 * `preview`: the findings of the shown files were read ahead of the store (`previewing`).
 */
export type LedgerChangeKind = 'preview' | 'open' | 'import' | 'triage' | 'delete' | 'reload' | 'settings';

export interface LedgerChange {
  session: WorkspaceSession;
  kind: LedgerChangeKind;
}

/** The engagement the editor imports into unless a watch entry names another (docs/improvements.md §2). */
export const DEFAULT_ENGAGEMENT = 'Local scans';

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

async function fileStamp(file: string): Promise<string | null> {
  try {
    const s = await fs.stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The acting user for audit entries: git's `user.name` for the folder when git knows it (so the
 * triage file names the same person as the commits), else the OS account. Git is not run in an
 * untrusted workspace, whose repository configuration we do not want to act on.
 */
function userName(folder: string, trusted: boolean): Promise<string> {
  const fallback = (): string => {
    try {
      return os.userInfo().username || 'unknown';
    } catch {
      return 'unknown';
    }
  };
  if (!trusted) return Promise.resolve(fallback());
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.name'], { cwd: folder, timeout: 3000, windowsHide: true }, (error, stdout) => {
      const name = error ? '' : String(stdout).trim();
      resolve(name || fallback());
    });
  });
}

export class WorkspaceSession {
  readonly folder: vscode.WorkspaceFolder;
  private readonly registry: SessionRegistry;
  private openedStore: LedgerStore | undefined;
  private opening: Promise<LedgerStore> | undefined;
  private cachedSettings: Settings | undefined;
  /** The store path last resolved from the configured value, so it is judged (and warned about) once. */
  private resolvedStore: { configured: string; path: string } | undefined;
  private user: Promise<string> | undefined;
  private derived: { ledger: Ledger | undefined; version: number; index: FindingsByDocument; reactivatedBy: Map<number, number> } | undefined;
  /**
   * The findings of the files shown when the store began to open, read ahead of it
   * (`readFindingsOfFiles`), so they are drawn while the rest is read; gone once it is open.
   */
  private preview: { findings: Finding[]; imports: ImportRecord[] } | undefined;
  /** Whether the store opened after a preview of it (see `openedAfterPreview`). */
  private previewedBeforeOpen = false;
  /** Bumped on every change, so views can cache per version. */
  version = 0;

  constructor(folder: vscode.WorkspaceFolder, registry: SessionRegistry) {
    this.folder = folder;
    this.registry = registry;
  }

  /** The folder's settings, validated; re-read after a configuration change. */
  settings(): Settings {
    if (!this.cachedSettings) {
      const { settings, problems } = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION, this.folder.uri));
      for (const p of problems) log().warn(`${this.folder.name}: ${p}`);
      this.cachedSettings = settings;
    }
    return this.cachedSettings;
  }

  /** Forgets the cached settings, so the next `settings()` reads the configuration again. */
  invalidateSettings(): void {
    this.cachedSettings = undefined;
    this.resolvedStore = undefined;
  }

  /**
   * Re-reads the settings after a configuration change. When `storePath` moved, the old store
   * is closed and the one at the new path opened (if it exists), so views never show one file
   * while imports write another.
   */
  async settingsChanged(): Promise<void> {
    this.cachedSettings = undefined;
    this.resolvedStore = undefined;
    const open = this.openedStore;
    if (!open || open.path === this.storePath()) return;
    log().info(`${this.folder.name}: store path changed to ${this.storePath()}.`);
    await this.closeStore();
    if (await this.storeExists()) await this.openStore();
    else this.changed('open');
  }

  /** The product this folder's findings belong to. */
  get productName(): string {
    return this.folder.name;
  }

  /**
   * The store file, `scanLedger.storePath` resolved against the folder. A value the workspace
   * itself sets (its `.vscode/settings.json` or workspace file, which arrive with the
   * repository) must stay inside the folder and out of `.git`, as in the CLI; one that does not
   * is refused with a warning and the default path is used. (VS Code already ignores the
   * workspace's value in an untrusted workspace: the setting is restricted.) A value from the
   * user's own settings is their choice and used as given.
   */
  storePath(): string {
    const configured = this.settings().storePath;
    if (this.resolvedStore?.configured === configured) return this.resolvedStore.path;
    const root = this.folder.uri.fsPath;
    let resolved = path.resolve(root, configured);
    const inspected = vscode.workspace.getConfiguration(SETTINGS_SECTION, this.folder.uri).inspect<string>('storePath');
    const workspaceValue = vscode.workspace.isTrusted ? (inspected?.workspaceFolderValue ?? inspected?.workspaceValue) : undefined;
    // The default path is judged too: its `.scan-ledger` folder arrives with the repository.
    const fromUser = workspaceValue === undefined && inspected?.globalValue === configured;
    if (!fromUser) {
      try {
        resolved = resolveWorkspaceStorePath(root, configured);
      } catch (error) {
        if (!(error instanceof StorePathError)) throw error;
        log().warn(`${this.folder.name}: ${error.message}`);
        const fallback = path.resolve(root, defaultSettings().storePath);
        // The default folder itself may be the problem (a committed link); the store then
        // refuses to open there, naming it, rather than write anywhere else.
        if (fallback !== resolved) void showWarning(`Scan Ledger ignored the workspace's store path: ${error.problem}. It uses ${fallback} instead.`);
        resolved = fallback;
      }
    }
    this.resolvedStore = { configured, path: resolved };
    return resolved;
  }

  /** The store once opened; undefined before the first report or when there is no store yet. */
  get store(): LedgerStore | undefined {
    return this.openedStore;
  }

  /** The ledger when the store is open. Read it afresh: the store replaces it on reload. */
  get ledger(): Ledger | undefined {
    return this.openedStore?.ledger;
  }

  /** True when the store file exists, without opening it. */
  async storeExists(): Promise<boolean> {
    return (await fileStamp(this.storePath())) !== null;
  }

  /** Opens the store (once); creates it on first use. */
  openStore(): Promise<LedgerStore> {
    if (this.openedStore) return Promise.resolve(this.openedStore);
    this.opening ??= (async () => {
      const file = this.storePath();
      const started = Date.now();
      try {
        await this.previewShownFiles(file, started);
        const store = await LedgerStore.open(file, {
          workspaceRoot: this.folder.uri.fsPath,
          onSetAside: (event) => {
            void showWarning(`Scan Ledger could not read its store (${event.reason}); the file was moved to ${event.to} and a new store started.`);
          },
        });
        this.openedStore = store;
        this.previewedBeforeOpen = this.preview !== undefined;
        this.preview = undefined;
        log().info(`${this.folder.name}: opened ${file} (${store.ledger.data.findings.length} findings) in ${Date.now() - started} ms`);
        this.changed('open');
        return store;
      } catch (error) {
        // What was drawn ahead of a store that could not be opened goes with it.
        if (this.preview) {
          this.preview = undefined;
          this.changed('reload');
        }
        throw error;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  /**
   * Reads the findings of the files shown in this folder's editors ahead of the store and
   * announces them, so they are drawn while the rest is read. Nothing happens when no file of
   * the folder is shown or the store cannot answer without a full read (see
   * `readFindingsOfFiles`); the open that follows is the authority either way.
   */
  private async previewShownFiles(file: string, started: number): Promise<void> {
    const shown = vscode.window.visibleTextEditors
      .map((e) => e.document.uri)
      .filter((uri) => uri.scheme === 'file' && this.registry.sessionFor(uri) === this)
      .map((uri) => this.relativePath(uri));
    if (shown.length === 0) return;
    const preview = await readFindingsOfFiles(file, shownFilesFilter(shown, this.folder.uri.path));
    if (!preview || this.openedStore) return;
    this.preview = preview;
    log().info(`${this.folder.name}: read the ${preview.findings.length} findings of ${shown.length} shown file(s) in ${Date.now() - started} ms, ahead of the store`);
    this.changed('preview');
  }

  /** Whether the open store followed a preview of the same store (its line anchors stay). */
  get openedAfterPreview(): boolean {
    return this.previewedBeforeOpen;
  }

  /** True while the shown files' findings come from a preview (it is dropped when the store opens). */
  get previewing(): boolean {
    return this.preview !== undefined;
  }

  /** Closes the store (storePath changed or the folder was removed). */
  async closeStore(): Promise<void> {
    const store = this.openedStore;
    this.openedStore = undefined;
    this.derived = undefined;
    this.preview = undefined;
    this.previewedBeforeOpen = false;
    if (store) await store.close();
  }

  /** The context every engine call gets: clock, acting user, effective settings, source files. */
  async engineContext(): Promise<EngineContext> {
    this.user ??= userName(this.folder.uri.fsPath, vscode.workspace.isTrusted);
    return {
      now: new Date(),
      user: await this.user,
      settings: effectiveSettings(this.settings()),
      // A fresh reader per operation: its cache must not outlive the files it read.
      source: workspaceSource(this.folder.uri.fsPath),
    };
  }

  /**
   * Runs one change in a store transaction and tells every view. When `fn` throws, the store
   * discards the change and the error reaches the caller; nothing is announced.
   */
  async update<T>(kind: LedgerChangeKind, fn: (ledger: Ledger, ctx: EngineContext) => T | Promise<T>): Promise<T> {
    const store = await this.openStore();
    const ctx = await this.engineContext();
    const result = await store.transaction((ledger) => fn(ledger, ctx));
    this.changed(kind);
    return result;
  }

  /**
   * Called when the store file changed on disk: rereads it unless the change is our own write
   * (a CLI run in the terminal, a teammate's tool), so the views show what the file holds.
   */
  async storeFileChanged(): Promise<void> {
    if (!this.openedStore) {
      if ((await fileStamp(this.storePath()).catch(() => null)) !== null) await this.openStore();
      return;
    }
    // The stamp covers the index and the journal (a CLI triage only appends to the journal). The
    // store's own stamp is taken under its lock at each read and write, so a change another
    // program makes right after one of ours is never mistaken for ours.
    const stamp = await this.openedStore.stamp().catch(() => null);
    if (stamp === this.openedStore.loadedStamp) return;
    await this.openedStore.reload();
    this.changed('reload');
  }

  /** Findings by workspace-relative document path, rebuilt once per change. */
  findingsIndex(): FindingsByDocument {
    return this.derivedState().index;
  }

  /** Finding id → import id, for findings reopened by their test's latest import. */
  reactivatedBy(): ReadonlyMap<number, number> {
    return this.derivedState().reactivatedBy;
  }

  private derivedState(): NonNullable<WorkspaceSession['derived']> {
    const ledger = this.ledger;
    if (!this.derived || this.derived.ledger !== ledger || this.derived.version !== this.version) {
      this.derived = {
        ledger,
        version: this.version,
        index: new FindingsByDocument(ledger?.data.findings ?? this.preview?.findings ?? [], this.folder.uri.path),
        reactivatedBy: reactivationsByLatestImport(ledger?.data.imports ?? this.preview?.imports ?? []),
      };
    }
    return this.derived;
  }

  /** The folder-relative POSIX path of a URI inside this folder. */
  relativePath(uri: vscode.Uri): string {
    const root = this.folder.uri.path.replace(/\/+$/, '');
    return uri.path.startsWith(`${root}/`) ? uri.path.slice(root.length + 1) : path.posix.relative(root, uri.path);
  }

  /** Announces a change to every view; part 2's tree listens here too. */
  changed(kind: LedgerChangeKind): void {
    this.version++;
    this.registry.fire({ session: this, kind });
  }
}

/**
 * The sessions of the open workspace folders, kept in step with folder changes, and the one
 * event every view listens to. This is the API the tree view, the settings panel and the export
 * (part 2 of the editor) use.
 */
export class SessionRegistry implements vscode.Disposable {
  private readonly byFolder = new Map<string, WorkspaceSession>();
  private readonly emitter = new vscode.EventEmitter<LedgerChange>();
  private readonly sessionsEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Fired after every store change: import, triage, delete, reload from disk, store opened. */
  readonly onDidChange: vscode.Event<LedgerChange> = this.emitter.event;
  /** Fired when folders are added or removed. */
  readonly onDidChangeSessions: vscode.Event<void> = this.sessionsEmitter.event;

  constructor() {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.add(folder);
    this.disposables.push(
      this.emitter,
      this.sessionsEmitter,
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) void this.remove(folder);
        for (const folder of e.added) this.add(folder);
        this.sessionsEmitter.fire();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        for (const session of this.byFolder.values()) {
          if (e.affectsConfiguration(SETTINGS_SECTION, session.folder.uri)) {
            session
              .settingsChanged()
              .catch((error: unknown) => log().error(`${session.folder.name}: cannot switch stores`, error))
              .finally(() => this.fire({ session, kind: 'settings' }));
          }
        }
      }),
    );
  }

  private add(folder: vscode.WorkspaceFolder): void {
    this.byFolder.set(folder.uri.toString(), new WorkspaceSession(folder, this));
  }

  private async remove(folder: vscode.WorkspaceFolder): Promise<void> {
    const session = this.byFolder.get(folder.uri.toString());
    this.byFolder.delete(folder.uri.toString());
    await session?.closeStore();
  }

  sessions(): WorkspaceSession[] {
    return [...this.byFolder.values()].sort((a, b) => a.folder.index - b.folder.index);
  }

  /** The session of the folder holding `uri`, if any. */
  sessionFor(uri: vscode.Uri): WorkspaceSession | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.byFolder.get(folder.uri.toString()) : undefined;
  }

  /** A session named by folder URI string, file system path or folder name (command arguments). */
  sessionNamed(name: string): WorkspaceSession | undefined {
    const direct = this.byFolder.get(name);
    if (direct) return direct;
    for (const session of this.byFolder.values()) {
      const f = session.folder;
      if (f.uri.fsPath === name || f.uri.path === name || f.name === name) return session;
      try {
        if (vscode.Uri.parse(name, true).toString() === f.uri.toString()) return session;
      } catch {
        // Not a URI; the comparisons above were the ones that could match.
      }
    }
    return undefined;
  }

  fire(change: LedgerChange): void {
    this.emitter.fire(change);
  }

  dispose(): void {
    for (const session of this.byFolder.values()) void session.closeStore();
    this.byFolder.clear();
    for (const d of this.disposables) d.dispose();
  }
}
