import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { findingGroupNames, findingsToSarif, type Ledger } from '../../engine';
import { SEVERITY_RANK, type Finding, type Severity, type Test } from '../../model';
import { badInput, GateFailure } from '../errors';
import { junitGatePieces } from '../junit';
import { parseCount, parseSeverity, type CommonOptions } from '../options';
import { findingJson, findingStatus, jsonLines, pluralise, print, printFindingsTable, printJson, writeFileInPieces, writePieces } from '../output';
import type { CliRuntime } from '../runtime';
import { openWorkspace, readWithExpiredReopened, type CliWorkspace } from '../session';
import { CLI_VERSION } from '../version';
import { addCommonOptions } from './shared';

/** The report formats `gate --format` writes, for CI systems to show the gated findings. */
export const GATE_REPORT_FORMATS = ['sarif', 'junit'] as const;
export type GateReportFormat = (typeof GATE_REPORT_FORMATS)[number];

interface GateOptions extends CommonOptions {
  failOn: Severity;
  newSinceImport?: number;
  format?: GateReportFormat;
  output?: string;
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

/**
 * A stored file path as the gate's SARIF shows it: relative to the workspace when it lies
 * inside (so `%SRCROOT%` resolves it wherever the report is opened), as stored otherwise.
 */
function sarifPath(workspace: CliWorkspace, filePath: string): string {
  if (!path.isAbsolute(filePath)) return filePath;
  const relative = path.relative(workspace.root, filePath);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? filePath : relative.split(path.sep).join('/');
}

/** The gated findings in the requested report format, in pieces. */
function gateReportPieces(
  workspace: CliWorkspace,
  opts: GateOptions,
  format: GateReportFormat,
  failing: readonly Finding[],
  testsById: ReadonlyMap<number, Test>,
): Iterable<string> {
  if (format === 'junit') {
    return junitGatePieces({ failOn: opts.failOn, newSinceImport: opts.newSinceImport, failing, testsById, timestamp: workspace.runtime.now() });
  }
  const log = findingsToSarif(failing, {
    testsById,
    toolVersion: CLI_VERSION,
    sourceRoot: `${pathToFileURL(workspace.root).href.replace(/\/+$/, '')}/`,
    displayPath: (filePath) => sarifPath(workspace, filePath),
    statusOf: findingStatus,
  });
  return jsonLines(log);
}

/**
 * Checks the report options before the store is read: `--output` needs a format, and a report
 * on stdout cannot share it with `--json`.
 */
function checkReportOptions(opts: GateOptions): void {
  if (opts.output !== undefined && opts.format === undefined) {
    throw badInput(`--output ${opts.output}: say which report to write with --format ${GATE_REPORT_FORMATS.join('|')}`);
  }
  if (opts.format !== undefined && opts.output === undefined && opts.json) {
    throw badInput(`--format ${opts.format} and --json both write to stdout; write the report to a file with --output FILE`);
  }
}

/** Writes the report to `--output`; a path that cannot be written is a bad input naming it. */
async function writeReportFile(workspace: CliWorkspace, file: string, pieces: Iterable<string>): Promise<void> {
  const target = path.resolve(workspace.root, file);
  try {
    await writeFileInPieces(target, pieces);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw badInput(`--output ${file}: its folder does not exist`);
    if (code === 'EISDIR') throw badInput(`--output ${file}: is a folder`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw badInput(`--output ${file}: permission denied`);
    throw badInput(`--output ${file}: cannot write: ${(error as Error).message}`);
  }
}

/**
 * The CI gate. It needs the store: without one, or with one that could not be read, it fails
 * closed (exit 2) instead of passing on nothing. A failed gate exits 1, as every failure that
 * is not bad input does (docs/cli-contract.md fixes the codes 0, 1 and 2); a pipeline tells a failed
 * gate from a broken run by the stderr line "gate failed: …" or by `passed: false` in `--json`
 * (a broken run prints nothing on stdout).
 */
async function runGate(runtime: CliRuntime, opts: GateOptions): Promise<void> {
  checkReportOptions(opts);
  const workspace = await openWorkspace(runtime, opts);
  const { failing, groups, testsById } = await readWithExpiredReopened(workspace, (ledger: Ledger) => ({
    failing: gateFindings(ledger, opts.failOn, opts.newSinceImport),
    groups: findingGroupNames(ledger),
    testsById: ledger.testsById,
  }));
  const scope = opts.newSinceImport !== undefined ? ` new since import #${opts.newSinceImport}` : '';
  const verdict = `${pluralise(failing.length, 'active finding')} at or above ${opts.failOn}${scope}`;
  if (opts.format !== undefined && opts.output !== undefined) {
    await writeReportFile(workspace, opts.output, gateReportPieces(workspace, opts, opts.format, failing, testsById));
  }
  if (opts.format !== undefined && opts.output === undefined) {
    await writePieces(runtime, gateReportPieces(workspace, opts, opts.format, failing, testsById));
  } else if (workspace.json) {
    await printJson(runtime, {
      passed: failing.length === 0,
      failOn: opts.failOn,
      newSinceImport: opts.newSinceImport ?? null,
      findings: failing.map((f) => findingJson(f, groups.get(f.id) ?? null)),
    });
  } else if (failing.length > 0) {
    await printFindingsTable(runtime, failing);
  } else {
    print(runtime, `Gate passed: ${verdict}.`);
  }
  if (failing.length > 0) throw new GateFailure(`gate failed: ${verdict}`);
}

export function registerGateCommand(program: Command, runtime: CliRuntime): void {
  addCommonOptions(
    program
      .command('gate')
      .description('fail (exit 1) when active findings at or above a severity exist; exit 2 when there is no readable store')
      .requiredOption('--fail-on <severity>', 'lowest severity that fails the gate', parseSeverity)
      .option('--new-since-import <id>', 'only findings created by imports after this one', parseCount)
      .addOption(
        new Option('--format <format>', 'also write the failing findings as SARIF 2.1.0 or JUnit XML (to stdout, or to --output)').choices(GATE_REPORT_FORMATS),
      )
      .option('--output <file>', 'write the --format report to this file (written whether the gate passes or fails)'),
  ).action((opts: GateOptions) => runGate(runtime, opts));
}
