import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { reopenExpiredRiskAcceptances, type ImportOptions, type ImportResult } from '../engine';
import { parseReport, ReportParseError } from '../parsers';
import { gitHead, importIntoWorkspace, readReport as readReportFile, ReportFileError } from '../store';
import { formatImportSummary, lastReportSha256, testOfReport } from './import-summary';
import { describeError, log, showError } from './log';
import type { ImportStatusBar } from './status-bar';
import { DEFAULT_ENGAGEMENT, type WorkspaceSession } from './workspace-session';
import type { WatchedReimport } from './defectdojo/defectdojo-commands';

/**
 * One report import, from file to store: refuse paths outside the workspace folder, refuse
 * oversized files, skip content already imported, parse, import or reimport in one store
 * transaction, then tell the user. The store is untouched when anything fails.
 */

/** A report path that resolves (through symbolic links) outside its workspace folder. */
export class ReportLocationError extends Error {
  constructor(
    readonly fileName: string,
    problem: string,
  ) {
    super(`${fileName}: ${problem}`);
    this.name = 'ReportLocationError';
  }
}

export interface ImportRequest {
  session: WorkspaceSession;
  uri: vscode.Uri;
  /** `reimport` finds the test as DefectDojo does (and imports when there is none). */
  mode: 'import' | 'reimport';
  scanType?: string;
  engagementName?: string;
  /** The test title; null asks for DefectDojo's "latest test of this scan type". */
  testTitle?: string | null;
  testId?: number;
  /** Watched and bulk imports skip a report whose content was already imported. */
  skipUnchanged: boolean;
  /**
   * Reimport into the test this report file was last imported into (same scan type and
   * engagement), whatever its title: a test the CLI created for the file, or one renamed since.
   */
  followReport?: boolean;
  /**
   * Who asked for the import. `user`: a command on a file the user picked (the default).
   * `setting`: a watch pattern the user configured. `pattern`: one of the default watch
   * patterns. Watched files may still be being written, so they are waited for and an empty
   * file is skipped; and only a file the user named deserves a notification when it fails: a
   * default pattern that matched something that is not a report is a log line.
   */
  origin?: ImportOrigin;
}

export type ImportOrigin = 'user' | 'setting' | 'pattern';

export type ImportOutcome =
  | {
      kind: 'imported';
      result: ImportResult;
      summary: string;
      reportName: string;
      /** Findings a scanner-native suppression (`# nosec`, `.trivyignore`, …) covers. */
      suppressed?: number;
      /** Findings that took a decision from `.scan-ledger/triage.json`. */
      sharedTriageApplied?: number;
      /** Files git reports renamed since the test's previous import. */
      renamedFiles?: number;
    }
  | { kind: 'unchanged'; reportName: string }
  /** A watched file still being written (empty, or changed while it was read): the next change imports it. */
  | { kind: 'incomplete'; reportName: string; reason: string }
  | { kind: 'failed'; reportName: string; error: unknown };

/** A report read from disk, with the name it is recorded under and its content hash. */
export interface ReportFile {
  reportName: string;
  text: string;
  sha256: string;
  size: number;
}

/** Imports slower than this get a progress notification. */
const PROGRESS_AFTER_MS = 1000;
/** Reports larger than this get one at once: parsing them blocks for a while. */
const PROGRESS_AT_ONCE_BYTES = 8 * 1024 * 1024;

/** How often a watched file's size and time are compared while its scanner may be writing it. */
const WRITE_SETTLE_POLL_MS = 200;
/** How long to wait for a watched file to stop changing before reading it anyway. */
const WRITE_SETTLE_MAX_MS = 10_000;

/** A file's size and modification time, or null when it is gone. */
async function fileState(uri: vscode.Uri): Promise<string | null> {
  try {
    const s = await fs.stat(uri.fsPath);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

/**
 * Waits until a watched file has kept the same size and modification time for one poll
 * interval (scanners write their reports in several steps: bandit creates the file empty,
 * then fills it at the end). Returns the settled state, or the last one seen at the deadline.
 */
export async function waitForSettledWrite(uri: vscode.Uri, pollMs = WRITE_SETTLE_POLL_MS, maxMs = WRITE_SETTLE_MAX_MS): Promise<string | null> {
  const deadline = Date.now() + maxMs;
  let previous = await fileState(uri);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const current = await fileState(uri);
    if (current === previous) return current;
    previous = current;
  }
  return previous;
}

/** Lets the extension host handle pending events (and a progress timer) between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ReportImporter {
  /**
   * Told about each watched reimport before it changes the ledger, with the ledger as it is:
   * the DefectDojo push predicts from it (issue 14). It must not change the ledger.
   */
  beforeWatchedReimport: ((event: WatchedReimport) => void) | null = null;

  constructor(private readonly statusBar: ImportStatusBar) {}

  /**
   * Reads a report with the store's `readReport`, the CLI's too: its real path must lie inside
   * the workspace folder (a symbolic link to `/etc/shadow` in a cloned repository is refused),
   * it must be a regular file within the size limit. A file over the limit is a
   * `ReportParseError`, as it always was here; every other refusal a `ReportLocationError`.
   */
  async readReport(session: WorkspaceSession, uri: vscode.Uri): Promise<ReportFile> {
    const reportName = session.relativePath(uri);
    if (uri.scheme !== 'file') throw new ReportLocationError(reportName, `only files on disk can be imported (got ${uri.scheme}:)`);
    const maxMb = session.settings().maxReportSizeMb;
    try {
      const read = await readReportFile({
        path: uri.fsPath,
        fileName: reportName,
        maxBytes: maxMb * 1024 * 1024,
        limitMb: maxMb,
        confineTo: session.folder.uri.fsPath,
      });
      return { reportName, text: read.text, sha256: read.sha256, size: read.size };
    } catch (error) {
      if (!(error instanceof ReportFileError)) throw error;
      if (error.kind === 'too-large') throw new ReportParseError(reportName, error.problem);
      throw new ReportLocationError(reportName, error.kind === 'missing' ? 'the file does not exist' : error.problem);
    }
  }

  /**
   * Runs one import and reports the outcome to the user: the summary in the status bar, or
   * an error naming the file and the problem with a "Show Log" action.
   */
  async run(request: ImportRequest): Promise<ImportOutcome> {
    const { session } = request;
    const reportName = session.relativePath(request.uri);
    const origin = request.origin ?? 'user';
    let settled: string | null = null;
    if (origin !== 'user') {
      settled = await waitForSettledWrite(request.uri);
      if (settled !== null && settled.startsWith('0:')) {
        log().info(`${session.folder.name}: ${reportName} is empty, so its scanner is probably still writing it; it is imported when it changes.`);
        return { kind: 'incomplete', reportName, reason: 'the file is empty' };
      }
    }
    this.statusBar.importing(reportName);
    try {
      const outcome = await this.withProgress(reportName, request, () => this.importReport(request));
      if (outcome.kind === 'unchanged') {
        log().info(`${session.folder.name}: ${reportName} is unchanged since its last import; skipped.`);
        this.statusBar.settle();
      } else if (outcome.kind === 'imported') {
        const r = outcome.result;
        const tooltip = `${reportName} → test #${r.testId} (${r.type} #${r.importId}): ${r.counts.created} created, ${r.counts.closed} closed, ${r.counts.reactivated} reactivated, ${r.counts.untouched} untouched`;
        log().info(`${session.folder.name}: ${tooltip}`);
        if (outcome.suppressed) log().info(`${session.folder.name}: ${outcome.suppressed} finding(s) suppressed in the code or an ignore file (# nosec, nosemgrep, .gitleaksignore, .trivyignore, checkov:skip).`);
        if (outcome.renamedFiles) log().info(`${session.folder.name}: git reports ${outcome.renamedFiles} file(s) renamed since the test's previous import.`);
        if (outcome.sharedTriageApplied) log().info(`${session.folder.name}: ${outcome.sharedTriageApplied} finding(s) took a decision from .scan-ledger/triage.json.`);
        this.statusBar.summary(outcome.summary, tooltip);
      }
      return outcome;
    } catch (error) {
      this.statusBar.settle();
      const message =
        error instanceof ReportParseError || error instanceof ReportLocationError
          ? `Scan Ledger could not import ${error.message}`
          : `Scan Ledger could not import ${reportName}: ${describeError(error)}`;
      // A watched file that changed while it was read is a report still being written: its
      // next change event imports it, so this attempt is not an error.
      if (origin !== 'user' && error instanceof ReportParseError && (await fileState(request.uri)) !== settled) {
        log().info(`${session.folder.name}: ${reportName} changed while it was read (still being written); it is imported when it settles.`);
        return { kind: 'incomplete', reportName, reason: 'the file changed while it was read' };
      }
      if (origin === 'pattern') {
        // Only a file the user named deserves a notification: a default pattern that matched a
        // file that is not a report (a fixture, a `findings.json` of something else) is logged.
        log().warn(`${message}. The store was not changed. (${reportName} matched a default watch pattern; set scanLedger.watch to choose the reports to import.)`);
      } else {
        void showError(`${message}. The store was not changed.`, error);
      }
      return { kind: 'failed', reportName, error };
    }
  }

  private async importReport(request: ImportRequest): Promise<ImportOutcome> {
    const { session } = request;
    const report = await this.readReport(session, request.uri);
    const store = await session.openStore();
    if (request.skipUnchanged) {
      const last = lastReportSha256(store.ledger.data.imports, report.reportName, request.testId);
      if (last === report.sha256) return { kind: 'unchanged', reportName: report.reportName };
    }
    await yieldToEventLoop();
    const settings = session.settings();
    const parsed = parseReport(report.text, {
      fileName: report.reportName,
      scanType: request.scanType,
      maxBytes: settings.maxReportSizeMb * 1024 * 1024,
      workspaceRoot: session.folder.uri.fsPath,
    });
    // A value cut to the per-field bound is imported with a marker; the log says which.
    for (const warning of parsed.warnings ?? []) log().warn(`${session.folder.name}: ${report.reportName}: ${warning}`);
    await yieldToEventLoop();
    const options: ImportOptions = {
      scanType: parsed.scanType,
      productName: session.productName,
      engagementName: request.engagementName ?? DEFAULT_ENGAGEMENT,
      testTitle: request.testTitle === undefined ? report.reportName : request.testTitle,
      reportName: report.reportName,
      reportSha256: report.sha256,
    };
    if (request.testId !== undefined) options.testId = request.testId;
    // Git is run only in a trusted workspace (its configuration can name programs to run).
    const useGit = vscode.workspace.isTrusted;
    if (useGit) {
      const head = await gitHead(session.folder.uri.fsPath);
      if (head) {
        options.commitHash = head.commitHash;
        if (head.branchTag) options.branchTag = head.branchTag;
      }
    }
    if (request.mode === 'reimport' && (request.origin ?? 'user') !== 'user' && this.beforeWatchedReimport) {
      this.beforeWatchedReimport({ session, ledger: store.ledger, report: parsed, options, reportName: report.reportName, bytes: Buffer.from(report.text, 'utf8') });
    }
    const workspaceRun = await session.update('import', async (ledger, ctx) => {
      const followed =
        request.followReport && request.mode === 'reimport' && options.testId === undefined
          ? testOfReport(ledger, report.reportName, {
              scanType: options.scanType,
              engagementName: options.engagementName,
              productName: session.productName,
            })
          : undefined;
      const run = followed !== undefined ? { ...options, testId: followed } : options;
      // An acceptance that expired while the editor was closed reopens before the report is
      // matched, so the reimport sees the finding as DefectDojo's daily job would leave it.
      reopenExpiredRiskAcceptances(ledger, ctx);
      // The same host steps as the CLI: native suppressions, source files and git renames
      // before the engine, the team's .scan-ledger/triage.json decisions after it.
      return importIntoWorkspace(ledger, { root: session.folder.uri.fsPath, kind: request.mode, report: parsed, options: run, useGit }, ctx);
    });
    const { result } = workspaceRun;
    return {
      kind: 'imported',
      result,
      summary: formatImportSummary(parsed.testType, result.counts),
      reportName: report.reportName,
      suppressed: workspaceRun.suppressed,
      sharedTriageApplied: workspaceRun.sharedTriageApplied,
      renamedFiles: workspaceRun.renamedFiles,
    };
  }

  /**
   * Shows a progress notification when the import is still running after a second, or at
   * once for a large report; fast imports never flash a notification.
   */
  private async withProgress<T>(reportName: string, request: ImportRequest, work: () => Promise<T>): Promise<T> {
    const running = work();
    const show = (): void => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Scan Ledger: ${request.mode === 'import' ? 'importing' : 'reimporting'} ${reportName}…` },
        () => running.then(
          () => undefined,
          () => undefined,
        ),
      );
    };
    let size = 0;
    try {
      size = (await fs.stat(request.uri.fsPath)).size;
    } catch {
      // The import itself reports a missing file.
    }
    if (size >= PROGRESS_AT_ONCE_BYTES) {
      show();
      return running;
    }
    const timer = setTimeout(show, PROGRESS_AFTER_MS);
    try {
      return await running;
    } finally {
      clearTimeout(timer);
    }
  }
}
