import { InvalidArgumentError, type Command } from 'commander';
import {
  duplicateHealth,
  mergeTests,
  previewExcessDuplicates,
  previewTestMerge,
  TestMergeError,
  type DuplicateHealthReport,
  type ExcessDuplicatesPreview,
  type Ledger,
  type TestMergePlan,
} from '../../engine';
import type { Settings } from '../../model';
import { badInput } from '../errors';
import { parseId, type CommonOptions } from '../options';
import { cell, pluralise, print, printJson, table } from '../output';
import type { CliRuntime } from '../runtime';
import { engineContext, inTransaction, openWorkspace, readLedger } from '../session';
import { addCommonOptions } from './shared';

/*
 * `scan-ledger duplicates` (issue 17): the duplicate-health report the editor's tree shows, so a
 * pipeline owner sees that the pipeline imports where it should reimport; and `scan-ledger test
 * merge`, which folds such a test into the one it duplicates, keeping every triage decision.
 */

interface DuplicatesOptions extends CommonOptions {
  product?: string;
  threshold?: number;
}

interface MergeOptions extends CommonOptions {
  into: number;
  dryRun?: boolean;
}

/** `--threshold`: a whole percentage from 1 to 100, as the setting takes it. */
function parseThreshold(value: string): number {
  const v = value.trim();
  if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100) return Number(v);
  throw new InvalidArgumentError('expected a whole percentage from 1 to 100.');
}

/** The report plus the §5.8 preview, the `--json` shape of `duplicates`. */
interface DuplicatesJson extends DuplicateHealthReport {
  excessDuplicates: ExcessDuplicatesPreview & { deleteDuplicates: boolean };
}

function testName(ledger: Ledger, testId: number): string {
  const t = ledger.test(testId);
  return t ? `#${t.id} ${t.title && t.title.trim() ? `"${t.title}"` : t.testType}` : `#${testId}`;
}

/** The report as text: warnings with the command that fixes each, then the figures. */
function duplicatesText(ledger: Ledger, report: DuplicatesJson): string {
  const lines: string[] = [];
  const testWarnings = report.warnings.filter((w) => w.kind === 'test');
  const engagementWarnings = report.warnings.filter((w) => w.kind === 'engagement');
  lines.push(
    report.warnings.length === 0
      ? `No test or engagement duplicates another at ${report.threshold}% or more.`
      : `${pluralise(report.warnings.length, 'warning')} at ${report.threshold}% or more:`,
  );
  for (const w of testWarnings) {
    if (w.kind !== 'test') continue;
    lines.push(`  test ${testName(ledger, w.testId)}: ${w.message}`);
    if (w.reportName) lines.push(`    reimport from now on: scan-ledger reimport ${w.reportName} --test ${w.targetTestId}`);
    lines.push(`    merge: scan-ledger test merge ${w.testId} --into ${w.targetTestId}`);
  }
  for (const w of engagementWarnings) {
    if (w.kind !== 'engagement') continue;
    lines.push(`  engagement #${w.engagementId} "${ledger.engagement(w.engagementId)?.name ?? ''}": ${w.message}`);
  }
  const rows = report.tests.map((h) => {
    const top = h.overlaps[0];
    return [`#${h.testId}`, cell(h.title, 40), cell(h.scanType, 30), String(h.findings), top ? `#${top.testId}` : '', top ? `${top.duplicates} (${top.percent}%)` : '0'];
  });
  if (rows.length > 0) {
    lines.push('', table(['Test', 'Title', 'Scan type', 'Findings', 'Duplicates test', 'Duplicates'], rows, [3, 5]).trimEnd());
  }
  if (report.engagementPairs.length > 0) {
    const pairRows = report.engagementPairs.map((p) => [
      `#${p.engagementId} ${cell(ledger.engagement(p.engagementId)?.name, 30)}`,
      `#${p.otherEngagementId} ${cell(ledger.engagement(p.otherEngagementId)?.name, 30)}`,
      `${p.shared}/${p.findings} (${p.percent}%)`,
      `${p.otherShared}/${p.otherFindings} (${p.otherPercent}%)`,
    ]);
    lines.push('', table(['Engagement', 'Other engagement', 'Shared (first)', 'Shared (other)'], pairRows).trimEnd());
  }
  const excess = report.excessDuplicates;
  lines.push('');
  if (excess.maxDuplicates == null) lines.push('Delete excess duplicates: maxDuplicates is null, so nothing would ever be deleted.');
  else {
    const state = excess.deleteDuplicates ? 'on' : 'off';
    const where = excess.tests.map((t) => `${t.count} in test #${t.testId}`).join(', ');
    lines.push(
      `Delete excess duplicates (${state}, keep ${excess.maxDuplicates} per original): ${pluralise(excess.total, 'duplicate')} beyond the limit` +
        (excess.total > 0 ? `, ${excess.nextRun} deleted ${excess.deleteDuplicates ? 'on the next run' : 'on the first run once it is turned on'}${where ? ` (${where})` : ''}.` : '.'),
    );
  }
  return lines.join('\n');
}

function duplicatesReport(ledger: Ledger, settings: Settings, productId: number | undefined, threshold: number | undefined): DuplicatesJson {
  const health = duplicateHealth(ledger, settings, { productId, threshold });
  const excess = previewExcessDuplicates(ledger, settings['dedupe.maxDuplicates']);
  return { ...health, excessDuplicates: { ...excess, deleteDuplicates: settings['dedupe.deleteDuplicates'] } };
}

async function duplicatesCommand(runtime: CliRuntime, opts: DuplicatesOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const { json, text } = await readLedger(workspace, (ledger) => {
    let productId: number | undefined;
    if (opts.product !== undefined) {
      productId = ledger.data.products.find((p) => p.name === opts.product)?.id;
      if (productId === undefined) throw badInput(`--product "${opts.product}": no such product in the store`);
    }
    const report = duplicatesReport(ledger, workspace.settings, productId, opts.threshold);
    return { json: report, text: duplicatesText(ledger, report) };
  });
  if (workspace.json) await printJson(runtime, json);
  else print(runtime, text);
}

function mergeText(ledger: Ledger, plan: TestMergePlan, dryRun: boolean): string {
  const verb = dryRun ? 'Would merge' : 'Merged';
  const lines = [
    `${verb} test #${plan.fromTestId} into test ${testName(ledger, plan.intoTestId)}:`,
    `  ${pluralise(plan.matched.length, 'finding')} matched, ${plan.moved.length} moved over whole`,
    `  ${pluralise(plan.decisionsCarried.length, 'triage decision')}, ${pluralise(plan.notesCarried, 'note')} and ${plan.auditEntriesCarried} audit ${plan.auditEntriesCarried === 1 ? 'entry' : 'entries'} carried`,
    `  ${pluralise(plan.importsCarried.length, 'import record')} joined the history of test #${plan.intoTestId}`,
    `  ${pluralise(plan.deleted.length, 'finding')} ${dryRun ? 'would be' : 'were'} deleted with test #${plan.fromTestId}`,
  ];
  for (const c of plan.conflicts) {
    lines.push(`  finding #${c.intoFindingId} keeps ${c.kept === 'into' ? c.intoDecision : c.fromDecision} (#${c.fromFindingId} was ${c.fromDecision}, the later decision wins)`);
  }
  return lines.join('\n');
}

/** The engine's refusal (unknown test, another product or scan type) is a bad input. */
function asBadInput<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TestMergeError) throw badInput(error.message);
    throw error;
  }
}

async function mergeCommand(runtime: CliRuntime, from: number, opts: MergeOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const dryRun = opts.dryRun === true;
  const { json, text } = dryRun
    ? await readLedger(workspace, (ledger) => {
        const plan = asBadInput(() => previewTestMerge(ledger, from, opts.into, engineContext(workspace)));
        return { json: { dryRun: true, ...plan, promoted: [] as number[] }, text: mergeText(ledger, plan, true) };
      })
    : await inTransaction(workspace, 'existing', (ledger, ctx) => {
        const result = asBadInput(() => mergeTests(ledger, from, opts.into, ctx));
        return { json: { dryRun: false, ...result }, text: mergeText(ledger, result, false) };
      });
  if (workspace.json) await printJson(runtime, json);
  else print(runtime, text);
}

export function registerDuplicateCommands(program: Command, runtime: CliRuntime): void {
  addCommonOptions(
    program
      .command('duplicates')
      .description('show tests and engagements whose findings duplicate others (imports that should be reimports)')
      .option('--product <name>', 'only this product')
      .option('--threshold <percent>', 'warn at this share of duplicated findings (default: setting duplicates.warnThreshold)', parseThreshold),
  ).action((opts: DuplicatesOptions) => duplicatesCommand(runtime, opts));

  // `test` is the group `test create` lives in; merge joins it.
  const test = program.commands.find((c) => c.name() === 'test');
  if (!test) throw new Error('The "test" command group must be registered before "test merge".');
  addCommonOptions(
    test
      .command('merge')
      .description('merge a test into another of the same scan type: keep every triage decision and note, then delete it')
      .argument('<from>', 'the test to merge and delete', parseId)
      .requiredOption('--into <test>', 'the test that takes over its findings and history', parseId)
      .option('--dry-run', 'show what would change, change nothing'),
  ).action((from: number, opts: MergeOptions) => mergeCommand(runtime, from, opts));
}
