import type { Command } from 'commander';
import { createTest, ensureEngagement, findEngagement, ImportTargetError, type Ledger } from '../../engine';
import type { Engagement, Test } from '../../model';
import { SCAN_TYPES } from '../../parsers';
import { badInput } from '../errors';
import { parseBoolean, parseNonBlank, type CommonOptions } from '../options';
import { print, printJson } from '../output';
import type { CliRuntime } from '../runtime';
import { canonicalScanType, inTransaction, openWorkspace } from '../session';
import { addCommonOptions, contextNames, groupCommand, type ContextOptions } from './shared';

interface EngagementOptions extends CommonOptions {
  product?: string;
  deduplicationOnEngagement?: boolean;
}

interface TestCreateOptions extends CommonOptions, ContextOptions {
  scanType: string;
  testTitle?: string;
}

function engagementJson(ledger: Ledger, e: Engagement): Record<string, unknown> {
  return { ...e, productName: ledger.product(e.productId)?.name ?? null };
}

function engagementLine(ledger: Ledger, e: Engagement, verb: string): string {
  const product = ledger.product(e.productId)?.name ?? `#${e.productId}`;
  const scope = e.deduplicationOnEngagement ? 'deduplication within the engagement only' : 'deduplication across the product';
  return `${verb} engagement #${e.id} "${e.name}" in product "${product}" (${scope})`;
}

/** The engine's refusal to resolve a context (e.g. a product of another type) is a bad input. */
function asBadInput<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ImportTargetError) throw badInput(error.message);
    throw error;
  }
}

async function engagementCommand(runtime: CliRuntime, mode: 'create' | 'set', name: string, opts: EngagementOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const { product } = contextNames(workspace, opts);
  const { text, json } = await inTransaction(workspace, 'create', (ledger, ctx) => {
    const ref = { productName: product, engagementName: name };
    const existing = asBadInput(() => findEngagement(ledger, ref));
    if (mode === 'create' && existing) {
      throw badInput(`engagement "${name}" already exists in product "${product}" (#${existing.id}); use "engagement set" to change it`);
    }
    const engagement =
      existing ?? asBadInput(() => ensureEngagement(ledger, { ...ref, deduplicationOnEngagement: opts.deduplicationOnEngagement }, ctx));
    // ensureEngagement only applies the flag when it creates; `set` changes an existing one.
    if (existing && opts.deduplicationOnEngagement !== undefined) {
      existing.deduplicationOnEngagement = opts.deduplicationOnEngagement;
    }
    const verb = existing ? 'Updated' : 'Created';
    return { text: engagementLine(ledger, engagement, verb), json: engagementJson(ledger, engagement) };
  });
  if (workspace.json) await printJson(runtime, json);
  else print(runtime, text);
}

async function createEmptyTest(runtime: CliRuntime, opts: TestCreateOptions): Promise<void> {
  const scanType = canonicalScanType(opts.scanType);
  if (!scanType) throw badInput(`--scan-type "${opts.scanType}": unknown scan type; supported: ${SCAN_TYPES.join(', ')}`);
  const workspace = await openWorkspace(runtime, opts);
  const names = contextNames(workspace, opts);
  const test: Test = await inTransaction(workspace, 'create', (ledger, ctx) => {
    const engagement = asBadInput(() => ensureEngagement(ledger, { productName: names.product, engagementName: names.engagement }, ctx));
    return createTest(ledger, { engagement, scanType, title: opts.testTitle ?? null }, ctx);
  });
  if (workspace.json) await printJson(runtime, test);
  else print(runtime, `Created test #${test.id} (${scanType}${test.title ? `, "${test.title}"` : ''}) in "${names.product}" / "${names.engagement}"`);
}

export function registerContextCommands(program: Command, runtime: CliRuntime): void {
  const engagement = groupCommand(program, 'engagement', 'create or change an engagement', ['create', 'set']);
  for (const mode of ['create', 'set'] as const) {
    addCommonOptions(
      engagement
        .command(mode)
        .description(mode === 'create' ? 'create an engagement' : 'change an engagement (created when missing)')
        .argument('<name>', 'engagement name', parseNonBlank)
        .option('--product <name>', "product name (default: the current folder's name; created when missing)")
        .option('--deduplication-on-engagement <bool>', 'deduplicate only within this engagement (true) or across the product (false)', parseBoolean),
    ).action((name: string, opts: EngagementOptions) => engagementCommand(runtime, mode, name, opts));
  }

  const test = groupCommand(program, 'test', 'create an empty test, or merge one into another', ['create', 'merge']);
  addCommonOptions(
    test
      .command('create')
      .description('create an empty test, to reimport into later')
      .requiredOption('--scan-type <type>', 'DefectDojo scan type')
      .option('--product <name>', "product name (default: the current folder's name; created when missing)")
      .option('--engagement <name>', 'engagement name (default: "Local scans"; created when missing)')
      .option('--test-title <title>', 'test title'),
  ).action((opts: TestCreateOptions) => createEmptyTest(runtime, opts));
}
