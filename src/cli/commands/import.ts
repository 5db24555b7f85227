import * as path from 'node:path';
import { Command, Option } from 'commander';
import { ImportTargetError, ImportValidationError, SharedTriageFormatError, recordHashConfig, type GroupByOption, type ImportOptions, type ImportResult } from '../../engine';
import { importIntoWorkspace, type WorkspaceImportResult } from '../../store';
import type { Severity } from '../../model';
import { badInput } from '../errors';
import { parseBoolean, parseDate, parseGroupBy, parseId, parseSeverity, parseTags, type CommonOptions } from '../options';
import { countsText, pluralise, print, printJson } from '../output';
import type { CliRuntime } from '../runtime';
import { inTransaction, loadReport, openWorkspace, prepareLedger, type CliWorkspace, type Preparation } from '../session';
import { addCommonOptions, addContextOptions, contextNames, importResultJson, type ContextOptions } from './shared';

/** The options `import` and `reimport` share, named after DefectDojo's API fields. */
export interface ScanOptions extends CommonOptions, ContextOptions {
  scanType?: string;
  testTitle?: string;
  minimumSeverity?: Severity;
  active?: boolean;
  verified?: boolean;
  closeOldFindings?: boolean;
  closeOldFindingsProductScope?: boolean;
  scanDate?: string;
  service?: string;
  version?: string;
  branchTag?: string;
  buildId?: string;
  commitHash?: string;
  tags?: string[];
  groupBy?: GroupByOption;
  createFindingGroupsForAllFindings?: boolean;
}

export interface ReimportOptions extends ScanOptions {
  test?: number;
  doNotReactivate?: boolean;
}

export function addScanOptions(command: Command): Command {
  command
    .option('--scan-type <type>', 'DefectDojo scan type (detected from the report when absent)')
    .option('--test-title <title>', 'test title')
    .option('--minimum-severity <severity>', 'drop findings below this severity', parseSeverity)
    .option('--active <bool>', 'force every finding active (true) or inactive (false)', parseBoolean)
    .option('--verified <bool>', 'force every finding verified (true) or not (false)', parseBoolean)
    .option('--close-old-findings', 'close findings the report no longer contains')
    .option('--close-old-findings-product-scope', 'close old findings across the whole product, not only the engagement')
    .option('--scan-date <date>', 'date of the scan, YYYY-MM-DD (not in the future)', parseDate)
    .option('--service <name>', 'service the findings belong to (part of the hash code)')
    .option('--version <version>', "version of the code scanned (DefectDojo's field; scan-ledger's own version is \"scan-ledger --version\")")
    .option('--branch-tag <tag>', 'branch or tag scanned')
    .option('--build-id <id>', 'CI build id')
    .option('--commit-hash <hash>', 'commit scanned')
    .option('--tags <list>', 'comma-separated tags for the test', parseTags)
    .option(
      '--group-by <option>',
      'group new findings: component_name, component_name+component_version, file_path, finding_title or vuln_id_from_tool',
      parseGroupBy,
    )
    .option('--create-finding-groups-for-all-findings <bool>', 'with --group-by, create a group even for a single finding (default true)', parseBoolean);
  addContextOptions(command);
  return addCommonOptions(command);
}

/** The report as the history names it: relative to the workspace when inside it. */
function reportName(workspace: CliWorkspace, file: string): string {
  const absolute = path.resolve(workspace.root, file);
  const relative = path.relative(workspace.root, absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join('/');
}

export function importOptions(workspace: CliWorkspace, opts: ScanOptions, scanType: string, file: string, sha256: string): ImportOptions {
  const names = contextNames(workspace, opts);
  return {
    scanType,
    productName: names.product,
    engagementName: names.engagement,
    testTitle: opts.testTitle ?? null,
    active: opts.active ?? null,
    verified: opts.verified ?? null,
    minimumSeverity: opts.minimumSeverity,
    scanDate: opts.scanDate ?? null,
    tags: opts.tags,
    service: opts.service ?? null,
    version: opts.version,
    branchTag: opts.branchTag,
    buildId: opts.buildId,
    commitHash: opts.commitHash,
    closeOldFindings: opts.closeOldFindings,
    closeOldFindingsProductScope: opts.closeOldFindingsProductScope,
    groupBy: opts.groupBy ?? null,
    createFindingGroupsForAllFindings: opts.createFindingGroupsForAllFindings,
    reportName: reportName(workspace, file),
    reportSha256: sha256,
  };
}

/**
 * Runs an import or reimport: everything that can refuse the input (options, the file, the
 * parser, the engine's own checks) runs before the transaction commits, so a refused report
 * leaves the store as it was.
 */
async function runScan(runtime: CliRuntime, kind: 'import' | 'reimport', file: string, opts: ReimportOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const loaded = await loadReport(workspace, file, opts.scanType);
  const options = importOptions(workspace, opts, loaded.report.scanType, file, loaded.sha256);
  if (kind === 'reimport') {
    options.testId = opts.test;
    options.doNotReactivate = opts.doNotReactivate;
  }
  let result: ImportResult;
  let workspaceRun: WorkspaceImportResult;
  let preparation: Preparation;
  try {
    ({ result, workspaceRun, preparation } = await inTransaction(workspace, 'create', async (ledger, ctx) => {
      const prepared = prepareLedger(ledger, ctx);
      // Native suppressions, source files, git renames before the engine; the team's shared
      // triage decisions after it, in this same transaction.
      const run = await importIntoWorkspace(ledger, { root: workspace.root, kind, report: loaded.report, options, useGit: true }, ctx);
      // prepareLedger brought every test type's hash codes in line with the current settings,
      // and the run computed its own with them, so the test's type is current now: recorded,
      // the next run of a new type does not recompute every hash code to find that out.
      const test = ledger.test(run.result.testId);
      if (test && ctx.settings['dedupe.rehashOnConfigChange']) recordHashConfig(ledger, test, ctx);
      return { result: run.result, workspaceRun: run, preparation: prepared };
    }));
  } catch (error) {
    if (error instanceof ImportValidationError) throw badInput(`${file}: ${error.message}`);
    if (error instanceof ImportTargetError) throw badInput(`${file}: ${error.message}`);
    // A triage file with a merge conflict or bad JSON: the user must fix it; nothing was saved.
    if (error instanceof SharedTriageFormatError) throw badInput(`${error.message} (fix the file and run the import again; the store was not changed)`);
    throw error;
  }
  if (workspace.json) {
    await printJson(runtime, importResultJson(result));
    return;
  }
  if (preparation.reopened > 0) print(runtime, `${pluralise(preparation.reopened, 'expired risk acceptance')} ended first.`);
  if (preparation.rehashed > 0) {
    print(runtime, `The hash configuration changed: ${pluralise(preparation.rehashed, 'stored hash code')} recomputed first.`);
  }
  if (workspaceRun.suppressed > 0) {
    print(runtime, `${pluralise(workspaceRun.suppressed, 'finding')} suppressed in the code or an ignore file (# nosec, nosemgrep, .gitleaksignore, .trivyignore, checkov:skip).`);
  }
  if (workspaceRun.renamedFiles > 0) print(runtime, `git reports ${pluralise(workspaceRun.renamedFiles, 'file')} renamed since the test's previous import.`);
  print(runtime, `${result.scanType} → test #${result.testId} (${result.type} #${result.importId}): ${countsText(result.counts)}`);
  if (workspaceRun.sharedTriageApplied > 0) {
    print(runtime, `${pluralise(workspaceRun.sharedTriageApplied, 'finding')} took a decision from .scan-ledger/triage.json.`);
  }
}

export function registerImportCommands(program: Command, runtime: CliRuntime): void {
  const importCommand = program
    .command('import')
    .description('import a report into a new test')
    .argument('<report>', 'report file');
  addScanOptions(importCommand).action((file: string, opts: ScanOptions) => runScan(runtime, 'import', file, opts));

  const reimportCommand = program
    .command('reimport')
    .description('reimport a report into its test (chosen as DefectDojo does; imports when there is none)')
    .argument('<report>', 'report file');
  // The negated option is declared after --close-old-findings, so that "not given" stays
  // undefined and the reimport.closeOldFindings setting decides (commander would otherwise
  // default a lone --no-* option to true).
  addScanOptions(reimportCommand)
    .option('--test <id>', 'the test to reimport into', parseId)
    .option('--do-not-reactivate', 'leave mitigated findings closed when the report has them again')
    .addOption(new Option('--no-close-old-findings', 'keep findings the report no longer contains open'))
    .action((file: string, opts: ReimportOptions) => runScan(runtime, 'reimport', file, opts));
}
