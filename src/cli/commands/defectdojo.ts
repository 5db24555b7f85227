import * as path from 'node:path';
import type { Command } from 'commander';
import { ImportTargetError, ImportValidationError, Ledger, type EngineContext } from '../../engine';
import { emptyStoreData } from '../../model';
import {
  compareStatistics,
  DefectDojoClient,
  DefectDojoError,
  planSync,
  predictReimport,
  pushReport,
  recordSent,
  syncAuthor,
  type ImportStatistics,
  type ReimportResponse,
  type SeverityStatistics,
  type ServerFinding,
  type SyncOperation,
} from '../../defectdojo';
import { badInput, CliError, EXIT_FAILURE } from '../errors';
import { print, printJson } from '../output';
import type { CliRuntime } from '../runtime';
import { engineContext, inTransaction, loadReport, openWorkspace, readLedger, storeExists, type CliWorkspace } from '../session';
import { addScanOptions, importOptions, type ReimportOptions } from './import';
import { addCommonOptions, addContextOptions, contextNames, type ContextOptions } from './shared';
import type { CommonOptions } from '../options';

/**
 * `scan-ledger push` and `scan-ledger pull`: a DefectDojo server as the team's shared ledger
 * (issue 14, docs/improvements.md §10). The server's URL comes from `--url` or `DD_URL`, and the API token
 * only from `DD_API_TOKEN`: a command-line option would land in shell history and process
 * lists. The workspace's `scanLedger.defectdojo.url` setting is deliberately not used here: it
 * arrives with the repository, and a changed URL in a pull request must not be able to send a
 * pipeline's token to another server.
 */

/** Exit code of a push whose server statistics differ from the prediction (docs/cli-contract.md: a failure). */
export const EXIT_DRIFT = EXIT_FAILURE;

interface ServerOptions {
  url?: string;
}

interface PushOptions extends ReimportOptions, ServerOptions {
  productType?: string;
}

interface PullOptions extends CommonOptions, ContextOptions, ServerOptions {
  serverTest?: number;
}

/** The client for this run, or a bad input saying what is missing. */
function connect(workspace: CliWorkspace, opts: ServerOptions): DefectDojoClient {
  const url = opts.url ?? process.env.DD_URL;
  const token = process.env.DD_API_TOKEN;
  if (!url) {
    const configured = workspace.settings['defectdojo.url'];
    throw badInput(
      configured
        ? `no DefectDojo URL: pass --url or set DD_URL (the workspace setting defectdojo.url = ${configured} is used by the editor only, so a repository cannot redirect a pipeline's token)`
        : 'no DefectDojo URL: pass --url or set DD_URL',
    );
  }
  if (!token) throw badInput('no DefectDojo API token: set DD_API_TOKEN (the token is never taken from the command line)');
  try {
    return new DefectDojoClient({ url, token });
  } catch (error) {
    if (error instanceof DefectDojoError) throw badInput(error.message);
    throw error;
  }
}

/** A DefectDojo failure as the CLI reports it: configuration problems are bad input, the rest failures. */
function asCliError(error: unknown): unknown {
  if (error instanceof DefectDojoError) return new CliError(`DefectDojo: ${error.message}`, error.kind === 'configuration' ? 2 : EXIT_FAILURE);
  return error;
}

/** The server-side names: the mapping settings, else the local names. */
function serverNames(workspace: CliWorkspace, opts: ContextOptions): { product: string; engagement: string } {
  const local = contextNames(workspace, opts);
  return {
    product: workspace.settings['defectdojo.product'] || local.product,
    engagement: workspace.settings['defectdojo.engagement'] || local.engagement,
  };
}

function severityLine(stats: SeverityStatistics | undefined): string {
  if (!stats) return '—';
  return (['critical', 'high', 'medium', 'low', 'info'] as const)
    .map((s) => `${s} ${stats[s].total}/${stats[s].active}`)
    .join(', ');
}

function statisticsLines(label: string, stats: Partial<ImportStatistics> | undefined): string[] {
  const lines = [`${label}:`, `  after (total/active): ${severityLine(stats?.after)}`];
  if (stats?.delta) {
    const d = stats.delta;
    lines.push(`  delta: created ${d.created.total.total}, closed ${d.closed.total.total}, reactivated ${d.reactivated.total.total}, untouched ${d.untouched.total.total}`);
  }
  return lines;
}

async function push(runtime: CliRuntime, file: string, opts: PushOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  if (opts.test !== undefined) throw badInput('push: --test names a local test; the server chooses its test by product, engagement, scan type and title');
  const client = connect(workspace, opts);
  const loaded = await loadReport(workspace, file, opts.scanType, true);
  const settings = workspace.settings;
  const options = importOptions(workspace, opts, loaded.report.scanType, file, loaded.sha256);
  // The values the server receives are spelled out, so the prediction runs with the same ones
  // and the server's own defaults never decide silently.
  options.closeOldFindings = opts.closeOldFindings ?? settings['reimport.closeOldFindings'];
  options.doNotReactivate = opts.doNotReactivate ?? settings['reimport.doNotReactivate'];
  options.minimumSeverity = opts.minimumSeverity ?? settings.minimumSeverity;
  const ctx: EngineContext = engineContext(workspace);
  const ledger = (await storeExists(workspace)) ? await readLedger(workspace, (l) => new Ledger(structuredClone(l.data))) : new Ledger(emptyStoreData());
  let prediction;
  try {
    prediction = predictReimport(ledger, loaded.report, options, ctx);
  } catch (error) {
    if (error instanceof ImportValidationError || error instanceof ImportTargetError) throw badInput(`${file}: ${error.message}`);
    throw error;
  }
  const names = serverNames(workspace, opts);
  let response: ReimportResponse;
  try {
    response = await pushReport(client, {
      scanType: loaded.report.scanType,
      fileName: path.basename(file),
      // The very bytes the prediction parsed: read once, through the bounded regular-file read.
      bytes: loaded.bytes,
      productName: names.product,
      engagementName: names.engagement,
      productTypeName: opts.productType ?? (workspace.settings['defectdojo.productType'] || undefined),
      testTitle: opts.testTitle,
      closeOldFindings: options.closeOldFindings ?? true,
      closeOldFindingsProductScope: opts.closeOldFindingsProductScope,
      doNotReactivate: options.doNotReactivate ?? false,
      minimumSeverity: options.minimumSeverity ?? 'Info',
      active: opts.active,
      verified: opts.verified,
      scanDate: opts.scanDate,
      version: opts.version,
      branchTag: opts.branchTag,
      commitHash: opts.commitHash,
      buildId: opts.buildId,
      service: opts.service,
      tags: opts.tags,
      groupBy: opts.groupBy ?? undefined,
      createFindingGroupsForAllFindings: opts.createFindingGroupsForAllFindings,
    });
  } catch (error) {
    throw asCliError(error);
  }
  const differences = compareStatistics(prediction.statistics, response?.statistics);
  if (workspace.json) {
    await printJson(runtime, {
      server: client.serverName,
      testId: response?.test_id ?? null,
      engagementId: response?.engagement_id ?? null,
      productId: response?.product_id ?? null,
      prediction: { type: prediction.type, statistics: prediction.statistics },
      statistics: response?.statistics ?? null,
      drift: differences,
    });
  } else {
    print(runtime, `${loaded.report.scanType} → ${client.serverName} test #${response?.test_id ?? '?'} (product "${names.product}", engagement "${names.engagement}")`);
    for (const line of statisticsLines(`local prediction (parity, ${prediction.type})`, prediction.statistics)) print(runtime, line);
    for (const line of statisticsLines('server', response?.statistics)) print(runtime, line);
  }
  if (differences.length > 0) {
    const shown = differences
      .slice(0, 5)
      .map((d) => `${d.path} predicted ${d.predicted}, server ${d.server}`)
      .join('; ');
    throw new CliError(`drift: the server's statistics differ from the local prediction in ${differences.length} place(s): ${shown}`, EXIT_DRIFT);
  }
}

async function send(client: DefectDojoClient, op: SyncOperation): Promise<void> {
  const findingPath = `/api/v2/findings/${op.serverId}/`;
  if (op.kind === 'patch') await client.patchJson(findingPath, op.body);
  else if (op.kind === 'note') await client.postJson(`${findingPath}notes/`, op.body);
  else {
    await client.patchJson(findingPath, op.reopen);
    await client.postJson('/api/v2/risk_acceptance/', op.body);
  }
}

async function pull(runtime: CliRuntime, opts: PullOptions): Promise<void> {
  const workspace = await openWorkspace(runtime, opts);
  const client = connect(workspace, opts);
  const local = contextNames(workspace, opts);
  const names = serverNames(workspace, opts);
  let findings: ServerFinding[];
  let identity;
  try {
    identity = await client.checkServer();
    findings = await client.list<ServerFinding>('/api/v2/findings/', { product_name: names.product, test: opts.serverTest, related_fields: true });
  } catch (error) {
    throw asCliError(error);
  }
  const serverName = client.serverName;
  const plan = await inTransaction(workspace, 'existing', (ledger, ctx) =>
    planSync(ledger, findings, { serverName, productName: local.product, serverUserId: identity.userId }, ctx),
  );
  const done: SyncOperation[] = [];
  let failure: unknown = null;
  for (const op of plan.operations) {
    try {
      await send(client, op);
      done.push(op);
    } catch (error) {
      failure = error;
      break;
    }
  }
  // What went is recorded even when a later operation failed; the sync time only moves once
  // everything went, so the next pull sends the rest.
  await inTransaction(workspace, 'existing', (ledger) => recordSent(ledger, serverName, done, failure === null ? runtime.now().toISOString() : null));
  const summary = {
    server: serverName,
    serverFindings: findings.length,
    appliedFromServer: plan.appliedFromServer.length,
    notesFromServer: plan.notesFromServer,
    sentToServer: done.filter((op) => op.kind !== 'note').length,
    notesToServer: done.filter((op) => op.kind === 'note').length,
    conflicts: plan.conflicts,
    unmatched: plan.unmatched,
    skipped: plan.skipped,
    author: syncAuthor(serverName),
  };
  if (workspace.json) await printJson(runtime, summary);
  else {
    print(runtime, `${serverName}: ${findings.length} server finding(s) in product "${names.product}", ${plan.unmatched} without a local match`);
    print(runtime, `from the server: ${summary.appliedFromServer} decision(s), ${summary.notesFromServer} note(s); to the server: ${summary.sentToServer} decision(s), ${summary.notesToServer} note(s)`);
    for (const c of plan.conflicts) {
      print(runtime, `conflict on finding #${c.localId} (server #${c.serverId}): local ${c.local} vs server ${c.server}; the ${c.winner === 'local' ? 'local' : "server's"} decision is later and wins`);
    }
    for (const s of plan.skipped) print(runtime, `skipped: ${s}`);
  }
  if (failure !== null) throw asCliError(failure);
}

export function registerDefectDojoCommands(program: Command, runtime: CliRuntime): void {
  addScanOptions(
    program
      .command('push')
      .description('send a report to DefectDojo (POST /api/v2/reimport-scan/) and compare its statistics with the local parity prediction; exit 1 with "drift" when they differ')
      .argument('<report>', 'report file'),
  )
    .option('--url <url>', 'DefectDojo server URL (default: DD_URL); the token comes from DD_API_TOKEN only')
    .option('--product-type <name>', "DefectDojo's product_type_name, needed when the server must create the product")
    .option('--do-not-reactivate', 'leave mitigated findings closed when the report has them again')
    .option('--no-close-old-findings', 'keep findings the report no longer contains open')
    .option('--test <id>', 'not accepted: the server chooses its test')
    .action((file: string, opts: PushOptions) => push(runtime, file, opts));

  addCommonOptions(
    addContextOptions(
      program
        .command('pull')
        .description("bring the DefectDojo server's triage onto the local findings and send local decisions back (later decision wins)")
        .option('--url <url>', 'DefectDojo server URL (default: DD_URL); the token comes from DD_API_TOKEN only')
        .option('--server-test <id>', "only the findings of this server test (DefectDojo's test id)", (v: string) => {
          if (!/^[1-9]\d*$/.test(v.trim())) throw badInput(`--server-test: expected a positive integer id`);
          return Number(v);
        }),
      'must exist locally',
    ),
  ).action((opts: PullOptions) => pull(runtime, opts));
}
