import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { userInfo } from 'node:os';
import * as path from 'node:path';
import { Ledger, rehashIfConfigChanged, reopenExpiredRiskAcceptances, todayIso, type EngineContext } from '../engine';
import { effectiveSettings, emptyStoreData, type ParsedReport, type Settings } from '../model';
import { decodeReport, parseReport, SCAN_TYPES } from '../parsers';
import { LedgerStore, readWorkspaceSettings, workspaceSource } from '../store';
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

export async function openWorkspace(runtime: CliRuntime, common: CommonOptions): Promise<CliWorkspace> {
  const root = runtime.cwd;
  const read = await readWorkspaceSettings(root);
  // Ignored settings values do not stop a run (the editor ignores them too), but say so.
  for (const warning of read.warnings) runtime.stderr(`scan-ledger: warning: ${warning}\n`);
  const settings = effectiveSettings(read.settings);
  const storePath = path.resolve(root, common.store ?? settings.storePath);
  return { runtime, root, settings, storePath, json: common.json === true };
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

export function engineContext(workspace: CliWorkspace): EngineContext {
  return {
    now: workspace.runtime.now(),
    user: actingUser(workspace.root),
    settings: workspace.settings,
    source: workspaceSource(workspace.root),
  };
}

/** Opens the store, reporting any unreadable file it had to move aside. */
export async function openStore(workspace: CliWorkspace): Promise<LedgerStore> {
  return LedgerStore.open(workspace.storePath, {
    workspaceRoot: workspace.root,
    onSetAside: (event) =>
      workspace.runtime.stderr(`scan-ledger: warning: ${event.from}: ${event.reason}; moved aside to ${event.to}\n`),
  });
}

/**
 * Runs `fn` in one store transaction: its changes are saved together, or, when it throws, none
 * of them are (the store file stays byte for byte as it was).
 */
export async function inTransaction<T>(workspace: CliWorkspace, fn: (ledger: Ledger, ctx: EngineContext) => T | Promise<T>): Promise<T> {
  const store = await openStore(workspace);
  try {
    const ctx = engineContext(workspace);
    return await store.transaction((ledger) => fn(ledger, ctx));
  } finally {
    await store.close();
  }
}

/**
 * Whether the store file exists. Reading commands run on an empty ledger without opening a
 * missing store, because opening creates its folder: a `gate` or `findings` before the first
 * import should leave the workspace as it found it.
 */
async function storeExists(workspace: CliWorkspace): Promise<boolean> {
  try {
    await fs.access(workspace.storePath);
    return true;
  } catch {
    return false;
  }
}

/** Reads the store without writing it. */
export async function readLedger<T>(workspace: CliWorkspace, fn: (ledger: Ledger) => T): Promise<T> {
  if (!(await storeExists(workspace))) return fn(new Ledger(emptyStoreData()));
  const store = await openStore(workspace);
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
}

/**
 * Reads and parses a report. Every failure is a bad input naming the file: missing, a folder,
 * unreadable, over the size limit, malformed, of an unknown scan type.
 */
export async function loadReport(workspace: CliWorkspace, file: string, scanType: string | undefined): Promise<LoadedReport> {
  const absolute = path.resolve(workspace.root, file);
  const maxBytes = Math.round(workspace.settings.maxReportSizeMb * 1024 * 1024);
  let bytes: Buffer;
  try {
    const stat = await fs.stat(absolute);
    if (stat.isDirectory()) throw badInput(`${file}: is a folder, not a report file`);
    if (stat.size > maxBytes) {
      throw badInput(`${file}: the report is ${formatBytes(stat.size)}, over the ${workspace.settings.maxReportSizeMb} MB limit (setting maxReportSizeMb)`);
    }
    bytes = await fs.readFile(absolute);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw badInput(`${file}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw badInput(`${file}: permission denied`);
    throw badInput(`${file}: cannot read: ${(error as Error).message}`);
  }
  const text = decodeReport(bytes, file);
  // A scan type the parsers know is accepted in any case; an unknown one is left for
  // parseReport to refuse, naming the file.
  const knownScanType = scanType !== undefined ? (canonicalScanType(scanType) ?? scanType) : undefined;
  const report = parseReport(text, { fileName: file, scanType: knownScanType, maxBytes, workspaceRoot: workspace.root });
  return { fileName: file, report, sha256: createHash('sha256').update(bytes).digest('hex') };
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
 * Reads the ledger after reopening expired risk acceptances (issue 2: "an expired acceptance
 * reopens the finding on the next import or store load"). The store is written only when an
 * acceptance has actually expired, so a listing stays a plain read otherwise.
 */
export async function readWithExpiredReopened<T>(workspace: CliWorkspace, read: (ledger: Ledger) => T): Promise<T> {
  if (!(await storeExists(workspace))) return read(new Ledger(emptyStoreData()));
  const store = await openStore(workspace);
  try {
    const ctx = engineContext(workspace);
    if (!hasExpiredRiskAcceptance(store.ledger, ctx)) return read(store.ledger);
    return await store.transaction((ledger) => {
      reopenExpiredRiskAcceptances(ledger, ctx);
      return read(ledger);
    });
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

/**
 * Whether any risk acceptance has reached its expiry date (it ends at the start of that day,
 * UTC), i.e. whether reopening would change anything. Checked first so that reading commands
 * only write the store when there is something to reopen.
 */
function hasExpiredRiskAcceptance(ledger: Ledger, ctx: EngineContext): boolean {
  const today = todayIso(ctx);
  return ledger.data.findings.some((f) => f.riskAccepted && f.riskAcceptance?.expires != null && f.riskAcceptance.expires <= today);
}
