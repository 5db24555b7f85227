import type { Command } from 'commander';
import type { CommonOptions } from '../options';
import { cell, cellTail, findingLocation, parsedFindingJson, pluralise, print, printJson, printTable } from '../output';
import type { CliRuntime } from '../runtime';
import { loadReport, openWorkspace } from '../session';
import { addCommonOptions } from './shared';

interface ParseOptions extends CommonOptions {
  scanType?: string;
}

/** Shows what a parser makes of a report; the store is never opened. */
async function parseOnly(runtime: CliRuntime, file: string, opts: ParseOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const { report } = await loadReport(workspace, file, opts.scanType);
  if (workspace.json) {
    await printJson(runtime, { scanType: report.scanType, findings: report.findings.map(parsedFindingJson) });
    return;
  }
  const testType = report.testType && report.testType !== report.scanType ? ` (${report.testType})` : '';
  print(runtime, `${file}: ${report.scanType}${testType}, ${pluralise(report.findings.length, 'finding')}`);
  if (report.findings.length > 0) {
    const rows = report.findings.map((f) => [cell(String(f.severity), 12), cellTail(findingLocation(f), 60), cell(f.title)]);
    await printTable(runtime, ['SEVERITY', 'LOCATION', 'TITLE'], rows);
  }
}

export function registerParseCommand(program: Command, runtime: CliRuntime): void {
  addCommonOptions(
    program
      .command('parse')
      .description('print what the parser reads from a report; nothing is stored')
      .argument('<report>', 'report file')
      .option('--scan-type <type>', 'DefectDojo scan type (detected from the report when absent)'),
  ).action((file: string, opts: ParseOptions) => parseOnly(runtime, file, opts));
}
