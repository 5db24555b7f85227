import type { Command } from 'commander';
import { findingGroupNames, type Ledger } from '../../engine';
import { SEVERITY_RANK, type Finding, type Severity } from '../../model';
import { GateFailure } from '../errors';
import { parseCount, parseSeverity, type CommonOptions } from '../options';
import { findingJson, findingsTable, pluralise, print, printJson } from '../output';
import type { CliRuntime } from '../runtime';
import { openWorkspace, readWithExpiredReopened } from '../session';
import { addCommonOptions } from './shared';

interface GateOptions extends CommonOptions {
  failOn: Severity;
  newSinceImport?: number;
}

/**
 * The findings that fail the gate: active originals (duplicates are counted once, through their
 * original) at or above the severity; with `--new-since-import N`, only those created by an
 * import or reimport with an id above N.
 */
export function gateFindings(ledger: Ledger, failOn: Severity, newSinceImport: number | undefined): Finding[] {
  let createdSince: Set<number> | null = null;
  if (newSinceImport !== undefined) {
    createdSince = new Set();
    for (const record of ledger.data.imports) {
      if (record.id <= newSinceImport) continue;
      for (const a of record.actions) if (a.action === 'created') createdSince.add(a.findingId);
    }
  }
  const threshold = SEVERITY_RANK[failOn];
  return ledger.data.findings.filter(
    (f) => f.active && !f.duplicate && SEVERITY_RANK[f.severity] <= threshold && (createdSince === null || createdSince.has(f.id)),
  );
}

async function runGate(runtime: CliRuntime, opts: GateOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const { failing, groups } = await readWithExpiredReopened(workspace, (ledger) => ({
    failing: gateFindings(ledger, opts.failOn, opts.newSinceImport),
    groups: findingGroupNames(ledger),
  }));
  const scope = opts.newSinceImport !== undefined ? ` new since import #${opts.newSinceImport}` : '';
  const verdict = `${pluralise(failing.length, 'active finding')} at or above ${opts.failOn}${scope}`;
  if (workspace.json) {
    printJson(runtime, {
      passed: failing.length === 0,
      failOn: opts.failOn,
      newSinceImport: opts.newSinceImport ?? null,
      findings: failing.map((f) => findingJson(f, groups.get(f.id) ?? null)),
    });
  } else if (failing.length > 0) {
    print(runtime, findingsTable(failing));
  } else {
    print(runtime, `Gate passed: ${verdict}.`);
  }
  if (failing.length > 0) throw new GateFailure(`gate failed: ${verdict}`);
}

export function registerGateCommand(program: Command, runtime: CliRuntime): void {
  addCommonOptions(
    program
      .command('gate')
      .description('fail (exit 1) when active findings at or above a severity exist')
      .requiredOption('--fail-on <severity>', 'lowest severity that fails the gate', parseSeverity)
      .option('--new-since-import <id>', 'only findings created by imports after this one', parseCount),
  ).action((opts: GateOptions) => runGate(runtime, opts));
}
