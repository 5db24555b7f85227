/**
 * The editor's side of a DefectDojo server as the shared ledger (issue 14): "Connect to
 * DefectDojo…", "Sync with DefectDojo", the tree's server row, and pushing each watched
 * reimport when `scanLedger.defectdojo.pushOnWatchedReimport` is on.
 *
 * The API token lives only in VS Code's `SecretStorage`, keyed by the server it was entered for:
 * a repository whose settings point `scanLedger.defectdojo.url` elsewhere finds no token for that
 * server, so it can never make the editor send the user's token to a host the user did not
 * connect to. Nothing here writes the token to settings or the log; the client redacts it from
 * every error message it builds.
 */
import * as vscode from 'vscode';
import {
  compareStatistics,
  DefectDojoClient,
  planSync,
  predictReimport,
  pushReport,
  recordSent,
  type ServerFinding,
  type SyncOperation,
} from '../../defectdojo';
import type { EngineContext, ImportOptions, Ledger } from '../../engine';
import { effectiveSettings, type ParsedReport } from '../../model';
import { describeError, log, showError, showWarning } from '../log';
import { SETTINGS_SECTION } from '../settings';
import type { SessionRegistry, WorkspaceSession } from '../workspace-session';
import { isNonInteractive, parseConnectArguments, serverUrlProblem, tokenProblem } from './connect-arguments';
import { serverKey, serverRow, type ServerRow } from './server-node-model';

export const CONNECT_COMMAND = 'scanLedger.defectdojo.connect';
export const SYNC_COMMAND = 'scanLedger.defectdojo.sync';
const SECRET_PREFIX = 'scanLedger.defectdojo.token:';

/** What a watched reimport hands over before it changes the ledger (see `ReportImporter`). */
export interface WatchedReimport {
  session: WorkspaceSession;
  /** The ledger before the reimport; read synchronously, never changed. */
  ledger: Ledger;
  report: ParsedReport;
  options: ImportOptions;
  reportName: string;
  bytes: Uint8Array;
}

export class DefectDojoCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly connected = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when a connection or a sync changes what the tree's server row shows. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly registry: SessionRegistry,
  ) {
    this.disposables.push(
      this.emitter,
      vscode.commands.registerCommand(CONNECT_COMMAND, (arg?: unknown) => this.connect(arg)),
      vscode.commands.registerCommand(SYNC_COMMAND, (arg?: { folder?: string }) => this.sync(arg?.folder)),
      secrets.onDidChange(() => void this.refreshConnected()),
      // Which servers have a token depends on each folder's `defectdojo.url`: a changed setting
      // (the connect command's own write included, which lands after the token is stored) must
      // not leave the row saying "not connected".
      registry.onDidChange((change) => {
        if (change.kind === 'settings') void this.refreshConnected();
      }),
      registry.onDidChangeSessions(() => void this.refreshConnected()),
    );
    void this.refreshConnected();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** The tree rows: one per folder with a configured server. */
  rows(): ServerRow[] {
    const rows: ServerRow[] = [];
    for (const session of this.registry.sessions()) {
      const url = this.serverUrl(session);
      const key = url ? serverKey(url) : null;
      const row = url ? serverRow(session.folder.uri.toString(), session.folder.name, url, session.ledger?.data, key !== null && this.connected.has(key)) : null;
      if (row) rows.push(row);
    }
    return rows;
  }

  /** The folder's server URL; none in an untrusted workspace, whose settings are not the user's. */
  private serverUrl(session: WorkspaceSession): string {
    return vscode.workspace.isTrusted ? session.settings()['defectdojo.url'] : '';
  }

  private async refreshConnected(): Promise<void> {
    this.connected.clear();
    for (const session of this.registry.sessions()) {
      const key = serverKey(this.serverUrl(session));
      if (key && (await this.secrets.get(SECRET_PREFIX + key))) this.connected.add(key);
    }
    this.emitter.fire();
  }

  private async pickSession(folder?: string): Promise<WorkspaceSession | undefined> {
    const sessions = this.registry.sessions();
    if (folder) return this.registry.sessionNamed(folder) ?? sessions.find((s) => s.folder.uri.toString() === folder);
    if (sessions.length <= 1) return sessions[0];
    const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder syncs with DefectDojo?' });
    return picked ? sessions.find((s) => s.folder.uri.toString() === picked.uri.toString()) : undefined;
  }

  /**
   * "Connect to DefectDojo…". Without an argument it asks for the URL and the API key; with
   * `{ folder?, url?, token? }` (see `parseConnectArguments`) a given folder is not picked, a
   * given URL pre-fills its box, and a URL with a token connects without asking anything.
   * Resolves with whether the folder is now connected.
   */
  async connect(arg?: unknown): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      void showWarning('Scan Ledger: connect to DefectDojo from a trusted workspace; an untrusted one could redirect the token.');
      return false;
    }
    const args = parseConnectArguments(arg);
    if (typeof args === 'string') {
      void showWarning(`Scan Ledger: cannot connect to DefectDojo: ${args}.`);
      return false;
    }
    const session = await this.pickSession(args.folder);
    if (!session) {
      if (args.folder) void showWarning(`Scan Ledger: cannot connect to DefectDojo: no workspace folder "${args.folder}".`);
      return false;
    }
    let url: string | undefined;
    let token: string | undefined;
    if (isNonInteractive(args)) {
      ({ url, token } = args);
    } else {
      url = await vscode.window.showInputBox({
        title: 'Connect to DefectDojo (1/2)',
        prompt: 'The DefectDojo server URL (https://…)',
        value: args.url ?? session.settings()['defectdojo.url'],
        ignoreFocusOut: true,
        validateInput: serverUrlProblem,
      });
      if (!url) return false;
      token =
        args.token ??
        (await vscode.window.showInputBox({
          title: 'Connect to DefectDojo (2/2)',
          prompt: 'Your DefectDojo API v2 key (kept in the editor\'s secret storage, never in settings or logs)',
          password: true,
          ignoreFocusOut: true,
          validateInput: tokenProblem,
        }));
      if (!token) return false;
    }
    try {
      const client = new DefectDojoClient({ url, token: token.trim() });
      const identity = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Scan Ledger: connecting to ${client.serverName}…` }, () => client.checkServer());
      await this.secrets.store(SECRET_PREFIX + client.serverName, token.trim());
      await vscode.workspace.getConfiguration(SETTINGS_SECTION, session.folder.uri).update('defectdojo.url', url.trim(), vscode.ConfigurationTarget.WorkspaceFolder);
      log().info(`${session.folder.name}: connected to ${client.serverName} as ${identity.username} (DefectDojo ${identity.version}).`);
      void vscode.window.showInformationMessage(`Scan Ledger: connected to ${client.serverName} as ${identity.username} (DefectDojo ${identity.version}).`);
      await this.refreshConnected();
      return true;
    } catch (error) {
      void showError(`Scan Ledger could not connect to DefectDojo: ${describeError(error)}`, error);
      return false;
    }
  }

  /** The client for a folder's configured server, or a reason why there is none. */
  private async clientFor(session: WorkspaceSession): Promise<DefectDojoClient | string> {
    const url = this.serverUrl(session);
    if (!url) return `no DefectDojo server is configured for ${session.folder.name} (run "Scan Ledger: Connect to DefectDojo…")`;
    const key = serverKey(url);
    const token = key ? await this.secrets.get(SECRET_PREFIX + key) : undefined;
    if (!token) return `no API token is stored for ${key ?? url} (run "Scan Ledger: Connect to DefectDojo…")`;
    try {
      return new DefectDojoClient({ url, token });
    } catch (error) {
      return describeError(error);
    }
  }

  /** Pull the server's triage, then send the local decisions back, with a progress notification. */
  async sync(folder?: string): Promise<void> {
    const session = await this.pickSession(folder);
    if (!session) return;
    const client = await this.clientFor(session);
    if (typeof client === 'string') {
      void showWarning(`Scan Ledger: cannot sync: ${client}.`);
      return;
    }
    try {
      const message = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Scan Ledger: syncing with ${client.serverName}`, cancellable: false },
        (progress) => this.runSync(session, client, progress),
      );
      log().info(`${session.folder.name}: ${message}`);
      void vscode.window.showInformationMessage(`Scan Ledger: ${message}`);
    } catch (error) {
      void showError(`Scan Ledger could not sync with DefectDojo: ${describeError(error)}`, error);
    } finally {
      this.emitter.fire();
    }
  }

  private async runSync(session: WorkspaceSession, client: DefectDojoClient, progress: vscode.Progress<{ message?: string; increment?: number }>): Promise<string> {
    progress.report({ message: 'checking the server…' });
    const identity = await client.checkServer();
    const settings = session.settings();
    const productName = settings['defectdojo.product'] || session.productName;
    progress.report({ message: `reading the findings of "${productName}"…` });
    const findings = await client.list<ServerFinding>('/api/v2/findings/', { product_name: productName, related_fields: true });
    const serverName = client.serverName;
    await session.openStore();
    const plan = await session.update('triage', (ledger, ctx) => planSync(ledger, findings, { serverName, productName: session.productName, serverUserId: identity.userId }, ctx));
    const done: SyncOperation[] = [];
    // Boxed, so whatever a request threw is rethrown as is once the sent part is recorded.
    let failure: { error: unknown } | null = null;
    for (const op of plan.operations) {
      progress.report({ message: `sending ${done.length + 1} of ${plan.operations.length}…`, increment: 100 / plan.operations.length });
      try {
        if (op.kind === 'patch') await client.patchJson(`/api/v2/findings/${op.serverId}/`, op.body);
        else if (op.kind === 'note') await client.postJson(`/api/v2/findings/${op.serverId}/notes/`, op.body);
        else {
          await client.patchJson(`/api/v2/findings/${op.serverId}/`, op.reopen);
          await client.postJson('/api/v2/risk_acceptance/', op.body);
        }
        done.push(op);
      } catch (error) {
        failure = { error };
        break;
      }
    }
    // What went is recorded even when a later operation failed; the sync time moves only once all went.
    await session.update('triage', (ledger) => recordSent(ledger, serverName, done, failure === null ? new Date().toISOString() : null));
    if (failure !== null) throw failure.error;
    const conflicts = plan.conflicts.length > 0 ? `, ${plan.conflicts.length} conflict(s) settled by the later decision` : '';
    for (const s of plan.skipped) log().warn(`${session.folder.name}: DefectDojo sync skipped ${s}`);
    return `synced with ${serverName}: ${plan.appliedFromServer.length} decision(s) and ${plan.notesFromServer} note(s) from the server, ${done.length} change(s) sent${conflicts}.`;
  }

  /**
   * Called by the importer before a watched reimport changes the ledger. The prediction is taken
   * now, from the ledger as it is; the upload and the comparison run afterwards, off the import.
   */
  beforeWatchedReimport(event: WatchedReimport): void {
    const settings = event.session.settings();
    if (!settings['defectdojo.pushOnWatchedReimport'] || !this.serverUrl(event.session)) return;
    const ctx: EngineContext = { now: new Date(), user: 'Scan Ledger', settings: effectiveSettings(settings) };
    const closeOldFindings = event.options.closeOldFindings ?? settings['reimport.closeOldFindings'];
    const doNotReactivate = event.options.doNotReactivate ?? settings['reimport.doNotReactivate'];
    const minimumSeverity = event.options.minimumSeverity ?? settings.minimumSeverity;
    let prediction;
    try {
      prediction = predictReimport(event.ledger, event.report, { ...event.options, closeOldFindings, doNotReactivate, minimumSeverity }, ctx);
    } catch (error) {
      log().warn(`${event.session.folder.name}: no DefectDojo push for ${event.reportName}: the local prediction failed: ${describeError(error)}`);
      return;
    }
    void (async () => {
      const client = await this.clientFor(event.session);
      if (typeof client === 'string') {
        log().warn(`${event.session.folder.name}: ${event.reportName} was not pushed: ${client}.`);
        return;
      }
      try {
        const response = await pushReport(client, {
          scanType: event.report.scanType,
          fileName: event.reportName.split('/').pop() ?? event.reportName,
          bytes: event.bytes,
          productName: settings['defectdojo.product'] || event.options.productName,
          engagementName: settings['defectdojo.engagement'] || event.options.engagementName,
          // Without a product type DefectDojo cannot create a product the server lacks.
          ...(settings['defectdojo.productType'] ? { productTypeName: settings['defectdojo.productType'] } : {}),
          testTitle: event.options.testTitle,
          closeOldFindings,
          doNotReactivate,
          minimumSeverity,
          branchTag: event.options.branchTag,
          commitHash: event.options.commitHash,
        });
        const drift = compareStatistics(prediction.statistics, response.statistics);
        if (drift.length === 0) log().info(`${event.session.folder.name}: pushed ${event.reportName} to ${client.serverName} (test #${response.test_id ?? '?'}); the server agrees with the local prediction.`);
        else {
          const shown = drift.slice(0, 3).map((d) => `${d.path} predicted ${d.predicted}, server ${d.server}`).join('; ');
          void showWarning(`Scan Ledger: DefectDojo drift on ${event.reportName}: the server's statistics differ from the local prediction (${shown}).`);
        }
      } catch (error) {
        void showError(`Scan Ledger could not push ${event.reportName} to DefectDojo: ${describeError(error)}`, error);
      }
    })();
  }
}
