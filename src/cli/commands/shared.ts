import * as path from 'node:path';
import type { Command } from 'commander';
import type { ImportResult } from '../../engine';
import { badInput } from '../errors';
import type { CliWorkspace } from '../session';

/** The engagement a run lands in when none is named (docs/improvements.md §2). */
export const DEFAULT_ENGAGEMENT_NAME = 'Local scans';

/** `--store` and `--json`, on every command. */
export function addCommonOptions(command: Command): Command {
  return command
    .option('--store <path>', 'store file (default .scan-ledger/store.json under the current folder)')
    .option('--json', 'machine-readable output on stdout');
}

export interface ContextOptions {
  product?: string;
  engagement?: string;
}

export function addContextOptions(command: Command, what = 'created when missing'): Command {
  return command
    .option('--product <name>', `product name (default: the current folder's name; ${what})`)
    .option('--engagement <name>', `engagement name (default: "${DEFAULT_ENGAGEMENT_NAME}"; ${what})`);
}

/**
 * The product and engagement a command works in: the named ones, or the current folder's name
 * and "Local scans", as the editor names them.
 */
export function contextNames(workspace: CliWorkspace, opts: ContextOptions): { product: string; engagement: string } {
  return {
    product: opts.product ?? (path.basename(workspace.root) || workspace.root),
    engagement: opts.engagement ?? DEFAULT_ENGAGEMENT_NAME,
  };
}

/** The import / reimport `--json` shape of docs/cli-contract.md, with exactly its keys. */
export function importResultJson(result: ImportResult): Record<string, unknown> {
  return {
    testId: result.testId,
    importId: result.importId,
    type: result.type,
    scanType: result.scanType,
    counts: {
      created: result.counts.created,
      closed: result.counts.closed,
      reactivated: result.counts.reactivated,
      untouched: result.counts.untouched,
    },
    actions: result.actions.map((a) => ({ findingId: a.findingId, action: a.action })),
  };
}

/**
 * A command that only groups subcommands (`config`, `engagement`, `test`). Called without a
 * known subcommand it reports one line naming the choices, rather than commander's multi-line
 * help on stderr.
 */
export function groupCommand(program: Command, name: string, description: string, subcommands: readonly string[]): Command {
  const choices = subcommands.map((s) => `"${name} ${s}"`).join(' or ');
  return program
    .command(name)
    .description(description)
    .argument('[subcommand]')
    .allowExcessArguments(true)
    .action((sub: string | undefined) => {
      throw badInput(sub === undefined ? `${name}: missing subcommand; use ${choices}` : `${name}: unknown subcommand "${sub}"; use ${choices}`);
    });
}
