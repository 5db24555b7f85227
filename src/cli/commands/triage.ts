import type { Command } from 'commander';
import { SharedTriageFormatError, TRIAGE_STATUSES, TriageError, falsePositiveHistoryActive, findingGroupOf, type TriageStatus } from '../../engine';
import { effectiveSettings } from '../../model';
import { triageInWorkspace } from '../../store';
import type { Finding } from '../../model';
import { badInput } from '../errors';
import { parseDate, parseId, parseNonBlank, parseTriageStatus, type CommonOptions } from '../options';
import { findingJson, findingStatus, print, printJson } from '../output';
import type { CliRuntime } from '../runtime';
import { inTransaction, openWorkspace } from '../session';
import { addCommonOptions } from './shared';

interface TriageOptions extends CommonOptions {
  status: TriageStatus;
  reason?: string;
  owner?: string;
  expires?: string;
  note?: string;
}

async function triage(runtime: CliRuntime, id: number, opts: TriageOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  let findingGroup: string | null = null;
  // A triage reads and writes one finding, so only that finding is loaded (issue 13), unless
  // retroactive false-positive history may change the equal findings of the whole product.
  const settings = effectiveSettings(workspace.settings);
  const scope = falsePositiveHistoryActive(settings) && settings.retroactiveFalsePositiveHistory ? undefined : [id];
  const finding: Finding = await inTransaction(workspace, 'existing', async (ledger, ctx) => {
    if (!ledger.finding(id)) throw badInput(`finding ${id}: no such finding`);
    try {
      // The decision also goes to .scan-ledger/triage.json, so teammates and CI get it.
      const [changed] = await triageInWorkspace(
        ledger,
        workspace.root,
        [id],
        { status: opts.status, reason: opts.reason, owner: opts.owner, expires: opts.expires, note: opts.note },
        ctx,
      );
      findingGroup = findingGroupOf(ledger, changed)?.name ?? null;
      return changed;
    } catch (error) {
      // The engine checks the whole request before changing anything (e.g. an expiry already
      // passed), so its refusal is a bad input and the transaction saves nothing; so is a
      // triage file that cannot be read (a merge conflict), which is never overwritten.
      if (error instanceof TriageError) throw badInput(`finding ${id}: ${error.message}`);
      if (error instanceof SharedTriageFormatError) throw badInput(`${error.message} (fix the file and triage again; the store was not changed)`);
      throw error;
    }
  }, scope);
  if (workspace.json) await printJson(runtime, findingJson(finding, findingGroup));
  else print(runtime, `Finding #${finding.id} is now ${findingStatus(finding)}: ${finding.title}`);
}

export function registerTriageCommand(program: Command, runtime: CliRuntime): void {
  addCommonOptions(
    program
      .command('triage')
      .description('set the status of a finding; the decision holds on every later reimport')
      .argument('<finding id>', 'finding id', parseId)
      .requiredOption('--status <status>', TRIAGE_STATUSES.join(', '), (value: string) => parseTriageStatus(value, TRIAGE_STATUSES))
      .option('--reason <text>', 'why (recorded in the audit trail)', parseNonBlank)
      .option('--owner <name>', 'who owns a risk acceptance (default: the acting user)', parseNonBlank)
      .option('--expires <date>', 'risk acceptance end date, YYYY-MM-DD', parseDate)
      .option('--note <text>', 'a note to add to the finding', parseNonBlank),
  ).action((id: number, opts: TriageOptions) => triage(runtime, id, opts));
}
