import { promises as fs } from 'node:fs';
import {
  applyNativeSuppressions,
  applySharedTriage,
  findEngagement,
  findReimportTarget,
  importScan,
  pendingSharedDecisions,
  reimportScan,
  SharedTriageFormatError,
  sharedDecisionFor,
  todayIso,
  triageFinding,
  type EngineContext,
  type ImportOptions,
  type ImportResult,
  type Ledger,
  type SharedTriageDecision,
  type TriageChange,
} from '../engine';
import type { Finding, ParsedReport } from '../model';
import { gitHead, gitRenames, previousGitHead } from './git';
import { StoreUnreadableError } from './errors';
import { LedgerStore } from './ledger-store';
import { journalPathOf } from './ledger-files';
import { cleanSharedTriageTemporaries, readSharedTriage, recordSharedTriageDecisions, sharedTriagePath } from './shared-triage-file';
import { readSuppressionSources, workspaceSource } from './workspace-source';

/**
 * The host side of an import and of a triage, shared by the CLI and the editor so both do the
 * same thing around the engine (docs/improvements.md §4–§5):
 * - before the engine runs: scanner-native suppressions from the workspace (`# nosec`,
 *   `.gitleaksignore`, …), the source files for content fingerprints, and git's renames since
 *   the test's previous import;
 * - after it, in the same store transaction: the team's decisions from `.scan-ledger/triage.json`;
 * - after a triage: the decision written to `.scan-ledger/triage.json`.
 *
 * `triage.json` is the journal of shared decisions: a triage writes it first and the store
 * second, so a process killed in between leaves the decision in the file only. Every import and
 * triage therefore first replays the file's decisions that are newer than the store's state onto
 * every finding, and `convergeSharedTriage` does the same when a command opens the workspace, so
 * the two files agree again on the next command whatever moment the kill hit.
 */

export interface WorkspaceImportRequest {
  /** The workspace folder: source files, ignore files and the triage file are read from it. */
  root: string;
  kind: 'import' | 'reimport';
  report: ParsedReport;
  options: ImportOptions;
  /**
   * Whether git may be run (the editor runs it only in trusted workspaces). Without git there
   * are no renames and no recorded HEAD; everything else works the same.
   */
  useGit: boolean;
}

export interface WorkspaceImportResult {
  result: ImportResult;
  /** Findings of the report a scanner-native suppression covers (shown as suppressed). */
  suppressed: number;
  /** Findings that took a decision from the shared triage file. */
  sharedTriageApplied: number;
  /** Files git reports renamed since the test's previous import. */
  renamedFiles: number;
  /** The git HEAD recorded on the import, when known. */
  gitHead: string | null;
}

/**
 * The test a run will land in when it is a reimport into an existing test, resolved as the
 * engine will resolve it (DefectDojo §4.1), so git can be asked about renames since that test's
 * previous import before the engine runs. Undefined for an import, or a reimport that imports.
 */
function targetTestId(ledger: Ledger, kind: 'import' | 'reimport', options: ImportOptions): number | undefined {
  if (kind === 'import') return undefined;
  if (options.testId !== undefined) return ledger.test(options.testId) ? options.testId : undefined;
  const engagement = findEngagement(ledger, {
    productTypeName: options.productTypeName,
    productName: options.productName,
    engagementName: options.engagementName,
  });
  return findReimportTarget(ledger, { scanType: options.scanType, testTitle: options.testTitle, engagement })?.id;
}

/**
 * Runs one import or reimport of `report` into `ledger` with the workspace around it. Call it
 * inside a store transaction (after `prepareLedger` / reopening expired acceptances): when it
 * throws (a malformed triage file, the engine refusing the report) the transaction saves
 * nothing. The parsed report's findings are marked in place when a native suppression covers
 * them.
 */
export async function importIntoWorkspace(ledger: Ledger, request: WorkspaceImportRequest, baseCtx: EngineContext): Promise<WorkspaceImportResult> {
  const { root, kind, report } = request;
  // Read first: a malformed triage file stops the run before anything changes.
  const shared = await readSharedTriage(root);
  const head = request.useGit ? await gitHead(root) : null;
  const since = request.useGit ? previousGitHead(ledger, targetTestId(ledger, kind, request.options)) : null;
  const renames = since ? await gitRenames(root, since) : new Map<string, string>();
  const ctx: EngineContext = { ...baseCtx, source: workspaceSource(root, renames) };
  // Replay what a killed triage left in the file only, before the run sees the ledger.
  applySharedTriage(ledger, ledger.data.findings, shared, ctx);

  const suppressed = applyNativeSuppressions(report.findings, report.scanType, readSuppressionSources(root, ctx.source!), todayIso(ctx));
  const options: ImportOptions = head ? { ...request.options, gitHead: head.commitHash } : request.options;
  const result = kind === 'import' ? importScan(ledger, report, options, ctx) : reimportScan(ledger, report, options, ctx);
  const applied = applySharedTriage(ledger, ledger.findingsOfTest(result.testId), shared, ctx);
  return { result, suppressed, sharedTriageApplied: applied.length, renamedFiles: renames.size, gitHead: head?.commitHash ?? null };
}

/**
 * Triages findings in `ledger` and records the decisions in the workspace's triage file, so a
 * teammate's next import applies them. Call it inside a store transaction: when the triage file
 * cannot be written (malformed, locked, unwritable) the error propagates and the transaction
 * saves nothing, so the store and the file never disagree about a decision made here. Notes
 * and `verified` are local only (`sharedDecisionFor` returns null for them).
 */
export async function triageInWorkspace(
  ledger: Ledger,
  root: string,
  findingIds: readonly number[],
  change: TriageChange,
  ctx: EngineContext,
): Promise<Finding[]> {
  // Replay what a killed triage left in the file only, so this triage starts from agreement.
  applySharedTriage(ledger, ledger.data.findings, await readSharedTriage(root), ctx);
  const changed: Finding[] = [];
  const decisions: SharedTriageDecision[] = [];
  for (const id of findingIds) {
    const finding = triageFinding(ledger, id, change, ctx);
    changed.push(finding);
    const decision = sharedDecisionFor(finding, change, ctx, ledger.test(finding.testId)?.scanType);
    if (decision) decisions.push(decision);
  }
  await recordSharedTriageDecisions(root, decisions);
  return changed;
}

async function modifiedAt(file: string): Promise<number | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? stat.mtimeMs : null;
  } catch {
    return null;
  }
}

/**
 * Brings the store at `storePath` up to the workspace's `triage.json` when a command opens the
 * workspace: removes temporaries of killed triage writers, and applies the decisions the file
 * holds that are newer than the findings' own status changes (what a triage killed between
 * writing the file and the store left behind, or a teammate's decisions from a pull). Returns
 * how many findings changed.
 *
 * It costs nothing in the usual case: the store is only opened when the triage file was written
 * after the store (a triage writes the file first, so a completed one leaves the store newer),
 * and only written when a decision is actually pending. A store that cannot be read, or a
 * triage file that is malformed, is left alone here: the command that opens it reports it.
 */
export async function convergeSharedTriage(storePath: string, root: string, context: () => EngineContext): Promise<number> {
  await cleanSharedTriageTemporaries(root);
  const [triageTime, indexTime, journalTime] = await Promise.all([
    modifiedAt(sharedTriagePath(root)),
    modifiedAt(storePath),
    modifiedAt(journalPathOf(storePath)),
  ]);
  // The store was last written to its index or, for a small change such as a triage, its journal.
  const storeTime = indexTime === null ? null : Math.max(indexTime, journalTime ?? 0);
  if (triageTime === null || storeTime === null || triageTime <= storeTime) return 0;
  try {
    const shared = await readSharedTriage(root);
    if (shared.decisions.length === 0) return 0;
    const store = await LedgerStore.open(storePath, { workspaceRoot: root, onUnreadable: 'fail' });
    try {
      if (pendingSharedDecisions(store.ledger.data.findings, shared).length === 0) return 0;
      const ctx = context();
      return await store.transaction(async (ledger) => {
        // Read again under the store lock: a triage running meanwhile may have recorded more.
        return applySharedTriage(ledger, ledger.data.findings, await readSharedTriage(root), ctx).length;
      });
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof SharedTriageFormatError || error instanceof StoreUnreadableError) return 0;
    throw error;
  }
}
