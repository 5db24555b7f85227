import type { Command } from 'commander';
import type { Ledger } from '../../engine';
import type { ImportRecord } from '../../model';
import { badInput } from '../errors';
import { parseId, type CommonOptions } from '../options';
import { cell, cellTail, print, printJson, printTable } from '../output';
import type { CliRuntime } from '../runtime';
import { openWorkspace, readLedger } from '../session';
import { addCommonOptions } from './shared';

interface HistoryOptions extends CommonOptions {
  test?: number;
}

function selectImports(ledger: Ledger, opts: HistoryOptions): ImportRecord[] {
  if (opts.test !== undefined && !ledger.test(opts.test)) throw badInput(`--test ${opts.test}: no such test`);
  const records = opts.test !== undefined ? ledger.importsOfTest(opts.test) : [...ledger.data.imports];
  return records.sort((a, b) => a.id - b.id);
}

/** `2026-11-22T06:13:18.123Z` → `2026-11-22 06:13`: enough to tell runs apart in a table. */
function shortTime(iso: string): string {
  return iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso;
}

/** Version, branch, build and commit, whichever the run recorded. */
function runLabel(r: ImportRecord): string {
  const parts = [r.version && `v${r.version}`, r.branchTag, r.buildId && `build ${r.buildId}`, r.commitHash && r.commitHash.slice(0, 12)];
  return parts.filter((p) => p).join(' ');
}

/** Prints the import records as a table, one row per import. */
async function printHistoryTable(runtime: CliRuntime, ledger: Ledger, records: readonly ImportRecord[]): Promise<void> {
  if (records.length === 0) {
    print(runtime, 'No imports yet.');
    return;
  }
  const rows = records.map((r) => {
    const test = ledger.test(r.testId);
    const testLabel = test ? `#${test.id} ${test.title ?? test.testType}` : `#${r.testId}`;
    return [
      `#${r.id}`,
      shortTime(r.created),
      r.type,
      cell(testLabel, 40),
      String(r.counts.created),
      String(r.counts.closed),
      String(r.counts.reactivated),
      String(r.counts.untouched),
      cellTail(r.settings.reportName ?? '', 40),
      cell(runLabel(r), 40),
    ];
  });
  await printTable(runtime, ['IMPORT', 'DATE (UTC)', 'TYPE', 'TEST', 'CREATED', 'CLOSED', 'REACTIVATED', 'UNTOUCHED', 'REPORT', 'RUN'], rows, [4, 5, 6, 7]);
}

async function showHistory(runtime: CliRuntime, opts: HistoryOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  // The store is closed before printing: the records stay valid, and a slow reader of stdout
  // does not hold the store open.
  const { ledger, records } = await readLedger(workspace, (ledger) => ({ ledger, records: selectImports(ledger, opts) }));
  // `--json` gives the records as stored, per-finding actions included (docs/cli-contract.md).
  if (workspace.json) await printJson(runtime, records);
  else await printHistoryTable(runtime, ledger, records);
}

export function registerHistoryCommand(program: Command, runtime: CliRuntime): void {
  addCommonOptions(
    program.command('history').description('import records with their counts').option('--test <id>', 'only this test', parseId),
  ).action((opts: HistoryOptions) => showHistory(runtime, opts));
}
