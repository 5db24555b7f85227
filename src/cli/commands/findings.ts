import type { Command } from 'commander';
import { DeleteError, deleteFinding, findingGroupNames, type Ledger } from '../../engine';
import type { Finding, Severity } from '../../model';
import { badInput } from '../errors';
import { parseId, parseSeverity, type CommonOptions } from '../options';
import { findingJson, pluralise, print, printFindingsTable, printJson } from '../output';
import type { CliRuntime } from '../runtime';
import { inTransaction, openWorkspace, readWithExpiredReopened } from '../session';
import { addCommonOptions, groupCommand } from './shared';

interface FindingsOptions extends CommonOptions {
  test?: number;
  product?: string;
  engagement?: string;
  active?: boolean;
  duplicates?: boolean;
  severity?: Severity;
}

/**
 * The findings a listing asks for. A named test, product or engagement that does not exist is
 * a bad input rather than an empty list, so a typo in a pipeline does not pass silently.
 */
export function selectFindings(ledger: Ledger, opts: FindingsOptions): Finding[] {
  let testIds: Set<number> | null = null;
  if (opts.test !== undefined) {
    if (!ledger.test(opts.test)) throw badInput(`--test ${opts.test}: no such test`);
    testIds = new Set([opts.test]);
  }
  if (opts.product !== undefined || opts.engagement !== undefined) {
    const products = opts.product !== undefined ? ledger.data.products.filter((p) => p.name === opts.product) : ledger.data.products;
    if (products.length === 0) throw badInput(`--product "${opts.product}": no such product`);
    const productIds = new Set(products.map((p) => p.id));
    const engagements = ledger.data.engagements.filter(
      (e) => productIds.has(e.productId) && (opts.engagement === undefined || e.name === opts.engagement),
    );
    if (engagements.length === 0) throw badInput(`--engagement "${opts.engagement}": no such engagement${opts.product !== undefined ? ` in product "${opts.product}"` : ''}`);
    const engagementIds = new Set(engagements.map((e) => e.id));
    const inScope = new Set(ledger.data.tests.filter((t) => engagementIds.has(t.engagementId)).map((t) => t.id));
    testIds = testIds ? new Set([...testIds].filter((id) => inScope.has(id))) : inScope;
  }
  return ledger.data.findings.filter(
    (f) =>
      (testIds === null || testIds.has(f.testId)) &&
      (!opts.active || f.active) &&
      (!opts.duplicates || f.duplicate) &&
      (opts.severity === undefined || f.severity === opts.severity),
  );
}

async function listFindings(runtime: CliRuntime, opts: FindingsOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const { findings, groups } = await readWithExpiredReopened(workspace, (ledger) => ({
    findings: selectFindings(ledger, opts),
    groups: findingGroupNames(ledger),
  }));
  if (workspace.json) {
    await printJson(runtime, findings.map((f) => findingJson(f, groups.get(f.id) ?? null)));
    return;
  }
  await printFindingsTable(runtime, findings);
  if (findings.length > 0 && !runtime.stdoutClosed?.()) {
    let active = 0;
    let duplicates = 0;
    for (const f of findings) {
      if (f.active) active++;
      if (f.duplicate) duplicates++;
    }
    print(runtime, `${pluralise(findings.length, 'finding')}: ${active} active, ${pluralise(duplicates, 'duplicate')}`);
  }
}

/**
 * Deletes one finding with DefectDojo's rules for an original (§5.7): its lowest-id duplicate
 * becomes the new original and the others are re-pointed to it.
 */
async function deleteOne(runtime: CliRuntime, id: number, opts: CommonOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const outcome = await inTransaction(workspace, 'existing', (ledger, ctx) => {
    const finding = ledger.finding(id);
    if (!finding) throw badInput(`finding ${id}: no such finding`);
    try {
      const result = deleteFinding(ledger, id, ctx);
      return { deleted: id, title: finding.title, newOriginal: result.promoted[0] ?? null };
    } catch (error) {
      if (error instanceof DeleteError) throw badInput(`finding ${id}: ${error.message}`);
      throw error;
    }
  });
  if (workspace.json) {
    await printJson(runtime, { deleted: outcome.deleted, newOriginal: outcome.newOriginal });
    return;
  }
  const successorText = outcome.newOriginal !== null ? `; finding #${outcome.newOriginal} is now the original` : '';
  print(runtime, `Deleted finding #${outcome.deleted}: ${outcome.title}${successorText}`);
}

export function registerFindingCommands(program: Command, runtime: CliRuntime): void {
  addCommonOptions(
    program
      .command('findings')
      .description('list findings')
      .option('--test <id>', 'only this test', parseId)
      .option('--product <name>', 'only this product')
      .option('--engagement <name>', 'only this engagement')
      .option('--active', 'only active findings')
      .option('--duplicates', 'only duplicates')
      .option('--severity <severity>', 'only this severity', parseSeverity),
  ).action((opts: FindingsOptions) => listFindings(runtime, opts));

  const finding = groupCommand(program, 'finding', 'change one finding', ['delete']);
  addCommonOptions(
    finding.command('delete').description("delete a finding (a deleted original's first duplicate takes its place)").argument('<finding id>', 'finding id', parseId),
  ).action((id: number, opts: CommonOptions) => deleteOne(runtime, id, opts));
}
