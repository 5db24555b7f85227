import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { userInfo } from 'node:os';
import * as path from 'node:path';
import { hasExpiredRiskAcceptance, Ledger, rehashIfConfigChanged, reopenExpiredRiskAcceptances, type EngineContext } from '../engine';
import { effectiveSettings, type ParsedReport, type Settings } from '../model';
import { parseReport, SCAN_TYPES } from '../parsers';
import {
  convergeSharedTriage,
  LedgerStore,
  readReport,
  readReportBytes as readStoreReportBytes,
  readWorkspaceSettings,
  ReportFileError,
  resolveWorkspaceStorePath,
  StorePathError,
  StoreUnreadableError,
  workspaceSource,
  type SetAsideEvent,
} from '../store';
import { badInput, CliError } from './errors';
import type { CommonOptions } from './options';
import type { CliRuntime } from './runtime';

/**
 * Everything a command needs about where it runs: the workspace folder (the current directory),
 * its settings from `.vscode/settings.json` (so the editor and a pipeline use the same rules),
 * and the store path.
 */
export interface CliWorkspace {
  runtime: CliRuntime;
  root: string;
  /** The settings the engine runs with (`effectiveSettings` applied). */
  settings: Settings;
  storePath: string;
  json: boolean;
}

/**
 * The workspace a command runs in. The store path comes from `--store` (the user's own choice,
 * taken as given) or else from the workspace's settings, which arrive with the repository and
 * so must stay inside the folder and out of `.git` (a bad input otherwise, before anything is
 * written). Then the store is brought up to `.scan-ledger/triage.json` when a killed triage left
 * the two disagreeing (see `convergeSharedTriage`), so every command sees them agree.
 */
export async function openWorkspace(runtime: CliRuntime, common: CommonOptions): Promise<CliWorkspace> {
  const root = runtime.cwd;
  const read = await readWorkspaceSettings(root);
  // Ignored settings values do not stop a run (the editor ignores them too), but say so.
  for (const warning of read.warnings) runtime.stderr(`scan-ledger: warning: ${warning}\n`);
  const settings = effectiveSettings(read.settings);
  let storePath: string;
  try {
    storePath = common.store !== undefined ? path.resolve(root, common.store) : resolveWorkspaceStorePath(root, settings.storePath);
  } catch (error) {
    if (error instanceof StorePathError) throw badInput(error.message);
    throw error;
  }
  const workspace: CliWorkspace = { runtime, root, settings, storePath, json: common.json === true };
  // Quietly: the decisions are the team's own, and each finding's audit trail records them.
  await convergeSharedTriage(storePath, root, () => engineContext(workspace));
  return workspace;
}

/**
 * The acting user for audit entries and notes: git's `user.name` in the workspace (what a
 * developer's commits carry), else the operating-system account name.
 */
export function actingUser(cwd: string): string {
  try {
    const name = execFileSync('git', ['config', 'user.name'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    if (name) return name;
  } catch {
    // Not a git checkout, git missing or no user configured: fall back to the OS account.
  }
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * The engine's context for a command. The acting user is asked of git the first time something
 * is recorded in their name, not before: finding it starts a git process (about 20 ms), which a
 * listing, a gate or a history never needs unless a risk acceptance expired on the way.
 */
export function engineContext(workspace: CliWorkspace): EngineContext {
  let user: string | undefined;
  return {
    now: workspace.runtime.now(),
    get user(): string {
      user ??= actingUser(workspace.root);
      return user;
    },
    settings: workspace.settings,
    source: workspaceSource(workspace.root),
  };
}

/**
 * Whether a command may start a store where there is none. Commands that record something
 * (import, reimport, engagement and test creation) do; commands that read or change what is
 * already recorded (findings, history, gate, triage, finding delete) need an existing store and
 * fail closed without one: in CI a missing store means the import step did not run or `--store`
 * points elsewhere, and "no findings" would then pass a gate it should fail.
 */
export type StoreUse = 'create' | 'existing';

/**
 * The message of a store that could not be read (and was moved aside, when `setAsideTo` says
 * where). Nothing runs on the empty store that would replace it: a gate would pass, a listing
 * would be empty, and an import would silently start a new history. The next command finds no
 * store: an import then starts a new one, a reading command fails closed.
 */
export function unreadableStoreMessage(file: string, reason: string, setAsideTo: string | null): string {
  return setAsideTo
    ? `${file}: the store could not be read (${reason}); it was set aside as ${setAsideTo} and nothing was run (an import starts a new store)`
    : `${file}: the store could not be read (${reason}); nothing was run`;
}

function setAsideError(event: SetAsideEvent): CliError {
  return badInput(unreadableStoreMessage(event.from, event.reason, event.to));
}

/** The bad input of a command that needs a store where there is none. */
function missingStoreError(storePath: string): CliError {
  return badInput(`${storePath}: no store (nothing has been imported here yet); run "scan-ledger import <report>" first or pass --store`);
}

/**
 * Fails, without creating anything, when the command needs an existing store and there is
 * none. Opening a store creates its folder, so a `gate` or `findings` in the wrong folder must
 * be refused before that.
 */
/** Whether the workspace's store file exists (a read that may run on an empty ledger asks first). */
export async function storeExists(workspace: CliWorkspace): Promise<boolean> {
  try {
    await fs.access(workspace.storePath);
    return true;
  } catch {
    return false;
  }
}

async function requireStore(workspace: CliWorkspace, use: StoreUse): Promise<void> {
  if (use === 'create') return;
  try {
    await fs.access(workspace.storePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw missingStoreError(workspace.storePath);
    }
    // Any other problem (permissions) is left for the store to report when it opens the file.
  }
}

/** Throws when the store moved an unreadable file aside since it was opened. */
function refuseSetAside(store: LedgerStore): void {
  const [first] = store.setAside;
  if (first) throw setAsideError(first);
}

/**
 * Opens the store; a file it had to move aside while opening is a bad input (exit 2) naming the
 * file and where it went. The store itself refuses to carry on with an empty ledger
 * (`set-aside-and-fail`); the check of `setAside` afterwards keeps that promise whatever the
 * store's policy does.
 */
export async function openStore(workspace: CliWorkspace, use: StoreUse, findings?: readonly number[]): Promise<LedgerStore> {
  await requireStore(workspace, use);
  let store: LedgerStore;
  try {
    store = await LedgerStore.open(workspace.storePath, { workspaceRoot: workspace.root, onUnreadable: 'set-aside-and-fail', findings });
  } catch (error) {
    if (error instanceof StoreUnreadableError) throw badInput(unreadableStoreMessage(error.filePath, error.reason, error.setAsideTo));
    throw error;
  }
  try {
    refuseSetAside(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Mentions, as a warning, a file the store moved aside while a command was failing for another
 * reason (a failed transaction rereads the file), so the move is never silent.
 */
function warnOfLateSetAside(workspace: CliWorkspace, store: LedgerStore, error: unknown): void {
  const [first] = store.setAside;
  if (!first || error instanceof StoreUnreadableError || (error instanceof CliError && error.message === setAsideError(first).message)) return;
  workspace.runtime.stderr(`scan-ledger: warning: ${first.from}: ${first.reason}; moved aside to ${first.to}\n`);
}

/**
 * Runs `fn` in one store transaction: its changes are saved together, or, when it throws, none
 * of them are (the store file stays byte for byte as it was). A store file that turns out to be
 * unreadable when the transaction rereads it (another program replaced it since we opened it)
 * stops the transaction before `fn` runs on an empty ledger. With `findings`, only those
 * findings are loaded (see `LedgerStoreOptions.findings`): for a change to findings the
 * command names, whose cost then does not grow with the store.
 */
export async function inTransaction<T>(
  workspace: CliWorkspace,
  use: StoreUse,
  fn: (ledger: Ledger, ctx: EngineContext) => T | Promise<T>,
  findings?: readonly number[],
): Promise<T> {
  const store = await openStore(workspace, use, findings);
  try {
    const ctx = engineContext(workspace);
    return await store.transaction((ledger) => {
      refuseSetAside(store);
      return fn(ledger, ctx);
    });
  } catch (error) {
    warnOfLateSetAside(workspace, store, error);
    throw error;
  } finally {
    await store.close();
  }
}

/** Reads an existing store without writing it. */
export async function readLedger<T>(workspace: CliWorkspace, fn: (ledger: Ledger) => T): Promise<T> {
  const store = await openStore(workspace, 'existing');
  try {
    return fn(store.ledger);
  } finally {
    await store.close();
  }
}

/** A report read from disk and parsed, ready to import; nothing has touched the store yet. */
export interface LoadedReport {
  fileName: string;
  report: ParsedReport;
  sha256: string;
  /**
   * The bytes that were parsed, only for a command that also sends them on (`push`): an import
   * does not keep them, since they would stay in memory for the whole run (39 MB for a report
   * of 100,000 SARIF results, at the run's peak).
   */
  bytes?: Buffer;
}

/**
 * Reads and parses a report. Every failure is a bad input naming the file: missing, not a
 * regular file, unreadable, over the size limit, malformed, of an unknown scan type.
 */
export async function loadReport(workspace: CliWorkspace, file: string, scanType: string | undefined, keepBytes: true): Promise<LoadedReport & { bytes: Buffer }>;
export async function loadReport(workspace: CliWorkspace, file: string, scanType: string | undefined): Promise<LoadedReport>;
export async function loadReport(workspace: CliWorkspace, file: string, scanType: string | undefined, keepBytes = false): Promise<LoadedReport> {
  const maxBytes = Math.round(workspace.settings.maxReportSizeMb * 1024 * 1024);
  const read = await asBadInput(
    readReport({ path: path.resolve(workspace.root, file), fileName: file, maxBytes, limitMb: workspace.settings.maxReportSizeMb }),
  );
  const progress = reportProgress(workspace, file, read.size);
  progress(`parsing ${formatBytes(read.size)}`);
  // A scan type the parsers know is accepted in any case; an unknown one is left for
  // parseReport to refuse, naming the file.
  const knownScanType = scanType !== undefined ? (canonicalScanType(scanType) ?? scanType) : undefined;
  const report = parseReport(read.text, { fileName: file, scanType: knownScanType, maxBytes, workspaceRoot: workspace.root });
  // A value cut to the per-field bound is kept, with a marker; the user is told which.
  for (const warning of report.warnings ?? []) workspace.runtime.stderr(`scan-ledger: warning: ${file}: ${warning}\n`);
  progress(`${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} read`);
  const loaded: LoadedReport = { fileName: file, report, sha256: read.sha256 };
  return keepBytes ? { ...loaded, bytes: read.bytes } : loaded;
}

/** Reports at least this large take long enough to parse and import that a person is shown the stages. */
const PROGRESS_AT_BYTES = 8 * 1024 * 1024;

/**
 * Stage lines for a long import, on stderr and only when a person watches it (a terminal): a
 * 200 MB report takes tens of seconds, and silence looks like a hang. Pipelines see nothing.
 */
function reportProgress(workspace: CliWorkspace, file: string, size: number): (stage: string) => void {
  if (workspace.runtime.interactive !== true || size < PROGRESS_AT_BYTES) return () => undefined;
  return (stage) => workspace.runtime.stderr(`scan-ledger: ${file}: ${stage}…\n`);
}

/** A report file the store cannot read is the user's input at fault: exit 2, naming the file. */
async function asBadInput<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ReportFileError) throw badInput(error.message);
    throw error;
  }
}

/**
 * The bytes of a report file, at most `maxBytes` of them, read by the store's `readReportBytes`
 * (regular files only, opened without blocking, the read itself bounded); a refusal is a bad
 * input (exit 2) naming the file.
 */
export async function readReportBytes(absolute: string, file: string, maxBytes: number, limitMb: number): Promise<Buffer> {
  return (await asBadInput(readStoreReportBytes({ path: absolute, fileName: file, maxBytes, limitMb }))).bytes;
}

/** The canonical spelling of a scan type the parsers know, matched case-insensitively. */
export function canonicalScanType(value: string): string | undefined {
  const wanted = value.trim().toLowerCase();
  return SCAN_TYPES.find((t) => t.toLowerCase() === wanted);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${n} bytes`;
}

/**
 * Reads an existing store after reopening expired risk acceptances (issue 2: "an expired
 * acceptance reopens the finding on the next import or store load"). The store is written only
 * when an acceptance has actually expired, so a listing stays a plain read otherwise.
 */
export async function readWithExpiredReopened<T>(workspace: CliWorkspace, read: (ledger: Ledger) => T): Promise<T> {
  const store = await openStore(workspace, 'existing');
  try {
    const ctx = engineContext(workspace);
    if (!hasExpiredRiskAcceptance(store.ledger, ctx.now)) return read(store.ledger);
    return await store.transaction((ledger) => {
      refuseSetAside(store);
      reopenExpiredRiskAcceptances(ledger, ctx);
      return read(ledger);
    });
  } catch (error) {
    warnOfLateSetAside(workspace, store, error);
    throw error;
  } finally {
    await store.close();
  }
}

/** What `prepareLedger` changed before the run itself. */
export interface Preparation {
  reopened: number;
  rehashed: number;
}

/**
 * What every import and reimport does to the ledger first, inside its transaction, so the run
 * sees current data: reopen expired risk acceptances, and recompute stored hash codes when the
 * hash configuration changed since they were computed (improvement 10; a no-op with
 * `dedupe.rehashOnConfigChange` off).
 */
export function prepareLedger(ledger: Ledger, ctx: EngineContext): Preparation {
  const reopened = reopenExpiredRiskAcceptances(ledger, ctx).length;
  const rehashed = rehashIfConfigChanged(ledger, ctx);
  return { reopened, rehashed };
}
