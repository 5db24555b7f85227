import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Ledger } from '../../engine';
import {
  DEDUPE_ALGORITHMS,
  DEFECTDOJO_SCAN_TYPE_DEFAULTS,
  HASHCODE_ALLOWED_FIELDS,
  SEVERITIES,
  defaultSettings,
  type ScanTypeDefaults,
} from '../../model';
import { ENDPOINT_FIELDS } from '../../store';
import { describeError } from '../log';
import { SETTINGS_SECTION } from '../settings';
import { testLabel } from '../tree/tree-model';
import type { SessionRegistry, WorkspaceSession } from '../workspace-session';
import { excessDuplicatesSummary } from './excess-duplicates';
import { applyDraft, changedKeys, draftConflicts, parsePanelRequest } from './messages';
import { lastImportOf, previewReimport, previewTestLabel } from './preview';
import { loadPreviewReport, type PreviewReport } from './preview-report';
import {
  PANEL_SETTING_KEYS,
  type PanelEvent,
  type PanelScanType,
  type PanelSettingKey,
  type PanelSettings,
  type PanelState,
  type PreviewCounts,
  type PreviewResult,
  type SaveTarget,
  type SettingsDraft,
} from './protocol';

export interface SettingsPanelScope {
  /** Folder URI string; the first folder with a store when absent. */
  folder?: string;
  testId?: number | null;
}

function nonce(): string {
  return randomBytes(18).toString('base64url');
}

function pick(settings: PanelSettings): PanelSettings {
  return Object.fromEntries(PANEL_SETTING_KEYS.map((k) => [k, settings[k]])) as unknown as PanelSettings;
}

/**
 * The settings webview: one panel, reused, showing one workspace folder's `scanLedger.*`
 * settings and one test for the preview. Every inbound message is validated by
 * `parsePanelRequest` before anything is read or written.
 */
export class SettingsPanel implements vscode.Disposable {
  private static current: SettingsPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private folder: string | undefined;
  private testId: number | null = null;
  private cached: PreviewReport | undefined;
  /** The preview with the saved settings, which stays valid while only the draft changes. */
  private currentPreview: { key: string; counts: PreviewCounts } | undefined;

  static show(extensionUri: vscode.Uri, registry: SessionRegistry, log: vscode.LogOutputChannel, scope: SettingsPanelScope = {}): SettingsPanel {
    if (SettingsPanel.current) {
      SettingsPanel.current.select(scope);
      SettingsPanel.current.panel.reveal();
      return SettingsPanel.current;
    }
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel('scanLedger.settings', 'Scan Ledger Settings', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [media],
      // The panel rebuilds its form from the host's state message when it becomes visible again.
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'scan-ledger.svg');
    SettingsPanel.current = new SettingsPanel(panel, media, registry, log, scope);
    return SettingsPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly media: vscode.Uri,
    private readonly registry: SessionRegistry,
    private readonly log: vscode.LogOutputChannel,
    scope: SettingsPanelScope,
  ) {
    this.select(scope, false);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      registry.onDidChange(() => void this.postState()),
      registry.onDidChangeSessions(() => void this.postState()),
    );
  }

  private select(scope: SettingsPanelScope, post = true): void {
    if (scope.folder !== undefined) this.folder = scope.folder;
    if (scope.testId !== undefined) this.testId = scope.testId;
    if (post) void this.postState();
  }

  private html(): string {
    const webview = this.panel.webview;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'build', 'settings-panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'settings', 'settings-panel.css'));
    const n = nonce();
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${n}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Scan Ledger Settings</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">Loading settings…</p></main>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  private session(): WorkspaceSession | undefined {
    const sessions = this.registry.sessions();
    const named = this.folder ? sessions.find((s) => s.folder.uri.toString() === this.folder) : undefined;
    const chosen = named ?? sessions.find((s) => s.ledger) ?? sessions[0];
    this.folder = chosen?.folder.uri.toString();
    return chosen;
  }

  private post(event: PanelEvent): void {
    void this.panel.webview.postMessage(event);
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parsePanelRequest(raw);
    if (!parsed.ok) {
      this.log.warn(`Settings panel: ignored a message: ${parsed.error}`);
      return;
    }
    const request = parsed.value;
    try {
      switch (request.type) {
        case 'ready':
          await this.postState();
          return;
        case 'selectScope':
          if (!this.registry.sessions().some((s) => s.folder.uri.toString() === request.folder)) {
            this.log.warn('Settings panel: ignored a scope naming no open workspace folder.');
            return;
          }
          this.folder = request.folder;
          this.testId = request.testId;
          await this.postState();
          return;
        case 'preview': {
          this.post({ type: 'preview', requestId: request.requestId, result: await this.preview(request.draft) });
          const session = this.session();
          const excess = session?.ledger ? excessDuplicatesSummary(session.ledger, session.settings(), request.draft) : null;
          this.post({ type: 'excessDuplicates', requestId: request.requestId, result: excess });
          return;
        }
        case 'save':
          await this.save(request.draft, request.target);
          return;
        case 'openSettingsJson':
          await vscode.commands.executeCommand(
            (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? 'workbench.action.openFolderSettingsFile' : 'workbench.action.openWorkspaceSettingsFile',
          );
          return;
      }
    } catch (error) {
      this.log.error(`Settings panel: ${describeError(error)}`);
      this.post({ type: 'error', message: describeError(error) });
    }
  }

  private async postState(): Promise<void> {
    const state = await this.state();
    if (state) this.post({ type: 'state', state });
  }

  private async state(): Promise<PanelState | undefined> {
    const session = this.session();
    if (!session) return undefined;
    if (!session.store && (await session.storeExists().catch(() => false))) await session.openStore().catch(() => undefined);
    const ledger = session.ledger;
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, session.folder.uri);
    const overridden = PANEL_SETTING_KEYS.filter((key) => {
      const i = config.inspect(key);
      return i !== undefined && (i.workspaceFolderValue !== undefined || i.workspaceValue !== undefined || i.globalValue !== undefined);
    });
    const tests = ledger ? this.tests(ledger) : [];
    if (this.testId === null || !tests.some((t) => t.id === this.testId)) {
      this.testId = tests.find((t) => t.lastImport !== null)?.id ?? null;
    }
    return {
      folders: this.registry.sessions().map((s) => ({ folder: s.folder.uri.toString(), name: s.folder.name })),
      folder: session.folder.uri.toString(),
      folderName: session.folder.name,
      multiRoot: (vscode.workspace.workspaceFolders?.length ?? 0) > 1,
      trusted: vscode.workspace.isTrusted,
      settings: pick(session.settings()),
      defaults: pick(defaultSettings()),
      overridden: [...overridden],
      engagements: ledger
        ? ledger.data.engagements.map((e) => ({
            id: e.id,
            name: e.name,
            productName: ledger.product(e.productId)?.name ?? '',
            deduplicationOnEngagement: e.deduplicationOnEngagement,
          }))
        : [],
      tests,
      testId: this.testId,
      scanTypes: this.scanTypes(ledger),
      hashFieldNames: HASHCODE_ALLOWED_FIELDS,
      endpointFieldNames: ENDPOINT_FIELDS,
      algorithms: DEDUPE_ALGORITHMS,
      severities: SEVERITIES,
    };
  }

  private tests(ledger: Ledger): PanelState['tests'] {
    return ledger.data.tests.map((t) => {
      const last = lastImportOf(ledger, t.id);
      return {
        id: t.id,
        label: testLabel(t),
        engagementName: ledger.engagement(t.engagementId)?.name ?? '',
        scanType: t.scanType,
        testType: t.testType,
        lastImport: last ? { id: last.id, created: last.created, reportName: last.settings.reportName ?? null } : null,
      };
    });
  }

  /**
   * DefectDojo's table rows, with the scan and test types of the store's tests first. A test
   * type without its own entry shows the default of its scan type, which DefectDojo falls back to
   * (§6.1: the Test_Type name is looked up first, then the scan type).
   */
  private scanTypes(ledger: Ledger | undefined): PanelScanType[] {
    const inUse = new Set<string>();
    const scanTypeOf = new Map<string, string>();
    for (const t of ledger?.data.tests ?? []) {
      inUse.add(t.testType);
      inUse.add(t.scanType);
      if (!scanTypeOf.has(t.testType)) scanTypeOf.set(t.testType, t.scanType);
    }
    const names = new Set<string>([...inUse, ...Object.keys(DEFECTDOJO_SCAN_TYPE_DEFAULTS)]);
    const defaultsOf = (name: string): ScanTypeDefaults => {
      const own = Object.prototype.hasOwnProperty.call(DEFECTDOJO_SCAN_TYPE_DEFAULTS, name) ? DEFECTDOJO_SCAN_TYPE_DEFAULTS[name] : undefined;
      const scanType = scanTypeOf.get(name);
      const fallback = scanType && Object.prototype.hasOwnProperty.call(DEFECTDOJO_SCAN_TYPE_DEFAULTS, scanType) ? DEFECTDOJO_SCAN_TYPE_DEFAULTS[scanType] : undefined;
      return own ?? fallback ?? {};
    };
    return [...names]
      .map((name) => ({ name, defaults: defaultsOf(name), inUse: inUse.has(name) }))
      .sort((a, b) => Number(b.inUse) - Number(a.inUse) || a.name.localeCompare(b.name));
  }

  /** Reads and parses the test's last report, or says why it cannot. */
  private async lastReport(session: WorkspaceSession, reportName: string, sha256: string | null): Promise<PreviewReport | string> {
    const request = { workspaceRoot: session.folder.uri.fsPath, reportName, sha256, maxReportSizeMb: session.settings().maxReportSizeMb };
    const loaded = await loadPreviewReport(request, this.cached);
    if (typeof loaded !== 'string') this.cached = loaded;
    return loaded;
  }

  private async preview(draft: SettingsDraft): Promise<PreviewResult> {
    const unavailable = (reason: string): PreviewResult => ({ status: 'unavailable', reason });
    if (!vscode.workspace.isTrusted) return unavailable('The preview reads report files, which Scan Ledger does not do in an untrusted workspace.');
    const session = this.session();
    const ledger = session?.ledger;
    if (!session || !ledger) return unavailable('Nothing has been imported in this folder yet.');
    if (this.testId === null) return unavailable('Choose a test to preview.');
    const test = ledger.test(this.testId);
    const last = test ? lastImportOf(ledger, test.id) : undefined;
    if (!test || !last) return unavailable('This test has no import to replay.');
    const reportName = last.settings.reportName;
    if (!reportName) return unavailable('The last import of this test did not record its report file (imported by the CLI from elsewhere?).');
    const report = await this.lastReport(session, reportName, last.settings.reportSha256 ?? null);
    if (typeof report === 'string') return unavailable(`Preview unavailable: ${report}.`);
    const ctx = await session.engineContext();
    const saved = session.settings();
    const base = { ledger, testId: test.id, report: report.report, user: ctx.user, now: new Date() };
    // Each run copies the whole ledger, so the saved-settings run is kept until the store, the
    // report or the saved settings change, and a draft without changes is not run twice.
    const key = JSON.stringify([session.folder.uri.toString(), session.version, test.id, report.file, report.sha256, saved]);
    let current: PreviewCounts;
    let withDraft: PreviewCounts;
    try {
      if (this.currentPreview?.key !== key) {
        this.currentPreview = { key, counts: previewReimport({ ...base, settings: saved, engagements: [] }) };
      }
      current = this.currentPreview.counts;
      const unchanged = changedKeys(saved, draft).length === 0 && draft.engagements.length === 0;
      withDraft = unchanged ? current : previewReimport({ ...base, settings: applyDraft(saved, draft), engagements: draft.engagements });
    } catch (error) {
      // A report the engine refuses (another test type, an unknown severity) says so here, as an
      // import of it would.
      return unavailable(`Preview unavailable: a reimport of ${reportName} would fail: ${describeError(error)}`);
    }
    return {
      status: 'ok',
      testLabel: previewTestLabel(test, reportName),
      reportName: report.sha256Matches ? reportName : `${reportName} (changed since import #${last.id})`,
      importId: last.id,
      current,
      draft: withDraft,
    };
  }

  private async save(draft: SettingsDraft, target: SaveTarget): Promise<void> {
    const session = this.session();
    if (!session) return;
    const saved = session.settings();
    const conflicts = draftConflicts(saved, draft);
    if (conflicts.length > 0) {
      this.post({ type: 'error', message: conflicts.join(' ') });
      return;
    }
    const keys: PanelSettingKey[] = changedKeys(saved, draft);
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, session.folder.uri);
    const configurationTarget =
      target === 'workspaceFolder' && (vscode.workspace.workspaceFolders?.length ?? 0) > 1
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : vscode.ConfigurationTarget.Workspace;
    for (const key of keys) await config.update(key, draft.settings[key], configurationTarget);
    const engagementChanges = draft.engagements.filter((c) => session.ledger?.engagement(c.engagementId)?.deduplicationOnEngagement !== c.deduplicationOnEngagement);
    if (engagementChanges.length > 0) {
      await session.update('settings', (ledger) => {
        for (const change of engagementChanges) {
          const engagement = ledger.engagement(change.engagementId);
          if (engagement) engagement.deduplicationOnEngagement = change.deduplicationOnEngagement;
        }
      });
    }
    this.log.info(`Settings panel: saved ${keys.length > 0 ? keys.map((k) => `scanLedger.${k}`).join(', ') : 'no setting'}${engagementChanges.length > 0 ? ` and ${engagementChanges.length} engagement scope(s)` : ''} for ${session.folder.name}.`);
    session.invalidateSettings();
    this.post({ type: 'saved', keys, engagements: engagementChanges.length });
    await this.postState();
  }

  dispose(): void {
    if (SettingsPanel.current === this) SettingsPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

