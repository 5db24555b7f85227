import * as path from 'node:path';
import * as vscode from 'vscode';
import { applySharedTriage } from '../engine';
import type { WatchEntry } from '../model';
import { detectScanType } from '../parsers';
import { readSharedTriage } from '../store';
import type { ImportQueue } from './import-queue';
import { describeError, log } from './log';
import type { ImportOrigin, ImportOutcome, ReportImporter } from './report-import';
import type { ReportConsentGate } from './report-consent';
import type { RestrictedModeHint } from './restricted-mode';
import { activeFilesExcludeGlobs, EXCLUDED_REPORT_GLOBS, isExcludedReportPath, matchWatchEntry, watchedTestTitle } from './report-paths';
import { DEFAULT_ENGAGEMENT, type SessionRegistry, type WorkspaceSession } from './workspace-session';

/**
 * Watches each folder's `scanLedger.watch` patterns and reimports a report its scanner
 * created or rewrote, after a quiet period, through the one import queue. Also watches the
 * store file, so a CLI run in the terminal shows up in the editor.
 *
 * Nothing is imported automatically in an untrusted workspace: there the report watchers only
 * notice that a report changed and say once that it was not imported (Restricted Mode hint);
 * importing starts when the user grants trust. The store watcher runs regardless (reading our
 * own store is safe).
 */

/** Quiet period after the last file event before a report is imported. */
export const WATCH_DEBOUNCE_MS = 500;
const STORE_DEBOUNCE_MS = 300;
/** How many files of a new folder are looked at for reports: a scanner's output folder is small. */
const NEW_FOLDER_SCAN_LIMIT = 500;
/**
 * Files a default pattern found that are larger than this are taken for reports without being
 * read before the consent question: a file that big matching `**\/bandit*.json` is a report, and
 * reading it twice at start-up would cost more than the question saves.
 */
const SNIFF_MAX_BYTES = 8 * 1024 * 1024;

interface FolderWatch {
  /** The watch settings and store path the watchers were made for, to notice changes. */
  signature: string;
  reportWatchers: vscode.Disposable[];
  storeWatcher: vscode.Disposable;
  /** `.scan-ledger/triage.json`: a teammate's decisions arriving through git (trusted only). */
  sharedTriageWatchers: vscode.Disposable[];
}

export interface SweepResult {
  reports: number;
  imported: number;
  unchanged: number;
  failed: number;
}

/**
 * Whether the folder's watch patterns are the user's own (`scanLedger.watch` set in any
 * settings scope) or the defaults: a failure on a file the user's own pattern names is worth
 * a notification, one on a default pattern's match is only logged.
 */
export function watchOrigin(session: WorkspaceSession): ImportOrigin {
  const inspected = vscode.workspace.getConfiguration('scanLedger', session.folder.uri).inspect('watch');
  const own = inspected?.globalValue ?? inspected?.workspaceValue ?? inspected?.workspaceFolderValue;
  return own === undefined ? 'pattern' : 'setting';
}

/**
 * The folder's exclusions on top of the fixed ones: `scanLedger.watchExclude` (test and fixture
 * folders by default) and the user's `files.exclude`, for both file events and the sweep.
 */
export function reportExcludes(session: WorkspaceSession): string[] {
  const filesExclude = vscode.workspace.getConfiguration('files', session.folder.uri).get<unknown>('exclude');
  return [...session.settings().watchExclude, ...activeFilesExcludeGlobs(filesExclude)];
}

export class ReportWatcher implements vscode.Disposable {
  private readonly folders = new Map<WorkspaceSession, FolderWatch>();
  private readonly storeTimers = new Map<WorkspaceSession, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly registry: SessionRegistry,
    private readonly importer: ReportImporter,
    private readonly queue: ImportQueue,
    private readonly consent: ReportConsentGate,
    private readonly restricted: RestrictedModeHint,
  ) {
    this.disposables.push(
      registry.onDidChange((change) => {
        if (change.kind === 'settings') this.sync();
      }),
      registry.onDidChangeSessions(() => this.sync()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        log().info('Workspace trusted: watching scanner reports.');
        this.sync();
        void this.sweep();
      }),
    );
    this.sync();
  }

  /** The store path relative to the folder, or null when it lies outside. */
  private storeRelPath(session: WorkspaceSession): string | null {
    const rel = path.relative(session.folder.uri.fsPath, session.storePath());
    return rel.startsWith('..') || path.isAbsolute(rel) ? null : rel.split(path.sep).join('/');
  }

  /** Creates, replaces or removes watchers to match the folders, their settings and trust. */
  sync(): void {
    const live = new Set(this.registry.sessions());
    for (const [session, watch] of this.folders) {
      if (!live.has(session)) {
        this.disposeFolder(watch);
        this.folders.delete(session);
      }
    }
    for (const session of live) {
      const settings = session.settings();
      const signature = JSON.stringify([settings.watch, settings.storePath, vscode.workspace.isTrusted]);
      const seen = this.folders.get(session);
      if (seen?.signature === signature) continue;
      if (seen) this.disposeFolder(seen);
      this.folders.set(session, {
        signature,
        // Untrusted, the watchers only feed the Restricted Mode hint; `reportChanged` imports nothing.
        reportWatchers: this.watchReports(session, settings.watch),
        storeWatcher: this.watchStore(session),
        sharedTriageWatchers: vscode.workspace.isTrusted ? [this.watchSharedTriage(session)] : [],
      });
    }
  }

  private watchReports(session: WorkspaceSession, entries: readonly WatchEntry[]): vscode.Disposable[] {
    const globs = [...new Set(entries.map((e) => e.glob))];
    const disposables: vscode.Disposable[] = [];
    for (const glob of globs) {
      // Deletions are ignored: a scanner that deletes its report before rewriting it would
      // otherwise close every finding in between.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.folder, glob), false, false, true);
      watcher.onDidCreate((uri) => this.reportChanged(session, uri));
      watcher.onDidChange((uri) => this.reportChanged(session, uri));
      disposables.push(watcher);
    }
    // A scanner that creates its output folder and writes the report into it at once can beat
    // the file watcher to the new folder (inotify watches a new folder only once it has seen
    // it), and then no event ever names the report. A new folder is therefore searched for
    // reports once its writes settle; what the pattern watchers did see is debounced into the
    // same job, so nothing is imported twice.
    const folders = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.folder, '**'), false, true, true);
    folders.onDidCreate((uri) => void this.folderCreated(session, uri));
    disposables.push(folders);
    log().info(`${session.folder.name}: watching ${globs.length} report pattern${globs.length === 1 ? '' : 's'}.`);
    return disposables;
  }

  /** Looks for watched reports in a folder that was just created (see `watchReports`). */
  private async folderCreated(session: WorkspaceSession, uri: vscode.Uri): Promise<void> {
    const relPath = session.relativePath(uri);
    // Cheap path checks first: most created files are not folders, and excluded trees
    // (node_modules, .git, our store, test fixtures) are never searched.
    const excludes = reportExcludes(session);
    if (matchWatchEntry(relPath, session.settings().watch, this.storeRelPath(session) ?? undefined, excludes)) return;
    // A file inside the new folder stands for its contents: `**/node_modules/**` excludes them.
    if (isExcludedReportPath(`${relPath}/_`, excludes)) return;
    try {
      if ((await vscode.workspace.fs.stat(uri)).type !== vscode.FileType.Directory) return;
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, WATCH_DEBOUNCE_MS));
    const exclude = `{${EXCLUDED_REPORT_GLOBS.join(',')}}`;
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/*'), exclude, NEW_FOLDER_SCAN_LIMIT);
    for (const file of found) this.reportChanged(session, file);
  }

  private watchStore(session: WorkspaceSession): vscode.Disposable {
    const storePath = session.storePath();
    // The index and the journal beside it (`store.json`, `store.journal`): a triage by the CLI
    // only appends to the journal.
    const ext = path.extname(storePath);
    const stem = path.basename(storePath, ext);
    const pattern = new vscode.RelativePattern(vscode.Uri.file(path.dirname(storePath)), `{${path.basename(storePath)},${stem}.journal}`);
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const changed = (): void => {
      const seen = this.storeTimers.get(session);
      if (seen) clearTimeout(seen);
      this.storeTimers.set(
        session,
        setTimeout(() => {
          this.storeTimers.delete(session);
          session.storeFileChanged().catch((error: unknown) => log().error(`${session.folder.name}: cannot reload the store`, error));
        }, STORE_DEBOUNCE_MS),
      );
    };
    watcher.onDidCreate(changed);
    watcher.onDidChange(changed);
    return watcher;
  }

  /**
   * Applies `.scan-ledger/triage.json` when it changes (a `git pull` brought a teammate's
   * decisions), so they show without waiting for the next import. Through the import queue,
   * so it never interleaves with an import of the same store.
   */
  private watchSharedTriage(session: WorkspaceSession): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.folder, '.scan-ledger/triage.json'));
    const changed = (): void => {
      if (!vscode.workspace.isTrusted) return;
      this.queue.debounce(`${session.folder.uri.toString()}#triage.json`, WATCH_DEBOUNCE_MS, async () => {
        // Without a store there is nothing to apply decisions to; the next import reads the file.
        if (!(await session.storeExists())) return;
        try {
          const file = await readSharedTriage(session.folder.uri.fsPath);
          const changed = await session.update('triage', (ledger, ctx) => applySharedTriage(ledger, ledger.data.findings, file, ctx));
          if (changed.length > 0) log().info(`${session.folder.name}: applied ${changed.length} shared triage decision(s) from .scan-ledger/triage.json.`);
        } catch (error) {
          log().error(`${session.folder.name}: cannot apply .scan-ledger/triage.json`, error);
        }
      });
    };
    watcher.onDidCreate(changed);
    watcher.onDidChange(changed);
    return watcher;
  }

  /** A watched file was created or written: import it once the writes settle. */
  reportChanged(session: WorkspaceSession, uri: vscode.Uri): void {
    const reportName = session.relativePath(uri);
    const entry = matchWatchEntry(reportName, session.settings().watch, this.storeRelPath(session) ?? undefined, reportExcludes(session));
    if (!entry) return;
    if (!vscode.workspace.isTrusted) {
      this.restricted.reportSkipped(session.folder.name, reportName);
      return;
    }
    if (watchOrigin(session) === 'pattern' && !this.consent.allowsWrite(session, reportName)) {
      log().info(`${session.folder.name}: ${reportName} changed but is not imported: you chose not to import it (command "Choose Reports to Import…" asks again).`);
      return;
    }
    log().debug(`${session.folder.name}: ${reportName} changed; importing in ${WATCH_DEBOUNCE_MS} ms.`);
    this.queue.debounce(uri.toString(), WATCH_DEBOUNCE_MS, async () => {
      await this.importWatched(session, uri, entry);
    });
  }

  /** Reimports one watched report into the test its watch entry (or its path) names. */
  importWatched(session: WorkspaceSession, uri: vscode.Uri, entry: WatchEntry | null, skipUnchanged = true, origin?: ImportOrigin): Promise<ImportOutcome> {
    const reportName = session.relativePath(uri);
    return this.importer.run({
      origin: origin ?? watchOrigin(session),
      session,
      uri,
      mode: 'reimport',
      scanType: entry?.scanType,
      engagementName: entry?.engagement?.trim() || DEFAULT_ENGAGEMENT,
      testTitle: watchedTestTitle(reportName, entry),
      skipUnchanged,
      // A watch entry that names its test keeps to it; otherwise the file keeps its own test.
      followReport: !entry?.testTitle?.trim(),
    });
  }

  /**
   * Every report matching a folder's watch patterns, first entry per file. One search per
   * folder with the patterns joined, rather than one per pattern, keeps start-up light.
   */
  async watchedReports(session: WorkspaceSession): Promise<{ uri: vscode.Uri; entry: WatchEntry }[]> {
    const entries = session.settings().watch;
    if (entries.length === 0) return [];
    const globs = [...new Set(entries.map((e) => e.glob))];
    const include = globs.length === 1 ? globs[0] : `{${globs.join(',')}}`;
    // The fixed exclusions go to the search (they are where the bulk of files is); the folder's
    // own (`scanLedger.watchExclude`, `files.exclude`) are applied to what it found, because a
    // search exclude is one brace glob and those may hold braces themselves.
    const exclude = `{${EXCLUDED_REPORT_GLOBS.join(',')}}`;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(session.folder, include), exclude);
    const excludes = reportExcludes(session);
    const found: { uri: vscode.Uri; entry: WatchEntry }[] = [];
    for (const uri of uris) {
      const entry = matchWatchEntry(session.relativePath(uri), entries, this.storeRelPath(session) ?? undefined, excludes);
      if (entry) found.push({ uri, entry });
    }
    return found.sort((a, b) => a.uri.path.localeCompare(b.uri.path));
  }

  /**
   * Queues every watched report of every folder; reports already imported with the same
   * content are skipped. Used at start-up (reports written while the editor was closed) and
   * by "Reimport All Watched Reports". A folder without its own `scanLedger.watch` imports only
   * what the user consented to (asked once per workspace; `only` limits the sweep to folders).
   */
  async sweep(only?: ReadonlySet<WorkspaceSession>): Promise<SweepResult> {
    const result: SweepResult = { reports: 0, imported: 0, unchanged: 0, failed: 0 };
    // Folders are swept side by side: one waiting for the user's consent does not hold up the others.
    const folders = this.registry.sessions().filter((session) => !only || only.has(session));
    const sweepFolder = async (session: WorkspaceSession): Promise<void> => {
      let reports = await this.watchedReports(session);
      if (watchOrigin(session) === 'pattern') reports = await this.consent.sweepReports(session, reports, (items) => this.reportsAmong(session, items));
      result.reports += reports.length;
      const jobs = reports.map(({ uri, entry }) =>
        this.queue.enqueue(async () => {
          const outcome = await this.importWatched(session, uri, entry);
          result[outcome.kind === 'imported' ? 'imported' : outcome.kind === 'failed' ? 'failed' : 'unchanged']++;
        }),
      );
      await Promise.all(jobs);
    };
    await Promise.all(folders.map(sweepFolder));
    return result;
  }

  /**
   * Of the never-imported files the default patterns matched, the ones that are scanner
   * reports, for the consent question: a loose pattern (`**\/findings*.json`) also matches a
   * project's own data files, and the question must count reports, not those. A file that is
   * not a report, an empty one (its scanner is still writing it) or one that cannot be read is
   * left out with a log line, never a notification: nobody named it.
   */
  private async reportsAmong<T extends { uri: vscode.Uri }>(session: WorkspaceSession, found: readonly T[]): Promise<T[]> {
    const reports: T[] = [];
    for (const item of found) {
      const reportName = session.relativePath(item.uri);
      let why: string | null;
      try {
        const size = (await vscode.workspace.fs.stat(item.uri)).size;
        if (size === 0) why = 'it is empty (its scanner may still be writing it; it is imported when it changes)';
        else if (size > SNIFF_MAX_BYTES) why = null;
        else {
          const detection = detectScanType((await this.importer.readReport(session, item.uri)).text, reportName);
          why = detection.scanType === null ? detection.reason : null;
        }
      } catch (error) {
        why = `it cannot be read (${describeError(error)})`;
      }
      if (why === null) reports.push(item);
      else log().info(`${session.folder.name}: ${reportName} matches a default watch pattern but is left out: ${why}.`);
    }
    return reports;
  }

  /**
   * "Choose Reports to Import…": forgets the answers of the folders that use the default watch
   * patterns and sweeps them again, which asks again. Folders with their own `scanLedger.watch`
   * are not asked: their setting already says what to import.
   */
  async reviewConsent(): Promise<{ folders: number; result: SweepResult }> {
    const folders = new Set(this.registry.sessions().filter((s) => watchOrigin(s) === 'pattern'));
    for (const session of folders) await this.consent.forget(session);
    const result = folders.size > 0 ? await this.sweep(folders) : { reports: 0, imported: 0, unchanged: 0, failed: 0 };
    return { folders: folders.size, result };
  }

  private disposeFolder(watch: FolderWatch): void {
    for (const d of watch.reportWatchers) d.dispose();
    for (const d of watch.sharedTriageWatchers) d.dispose();
    watch.storeWatcher.dispose();
  }

  dispose(): void {
    for (const watch of this.folders.values()) this.disposeFolder(watch);
    this.folders.clear();
    for (const t of this.storeTimers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
