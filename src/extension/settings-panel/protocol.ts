/**
 * The messages between the settings panel's webview script (`media/settings/settings-panel.ts`)
 * and the extension host. Types and constants only, imported by both sides; the host validates
 * every inbound message in `messages.ts` because the webview is a browser page that shows report
 * text and must be treated as untrusted.
 */
// Through the model's index like every other import of a layer: the webview bundle imports this
// file too, and esbuild's tree shaking keeps the scan-type tables out of it all the same (the
// bundle is byte for byte the size it was with a deep import of model/settings).
import { IMPROVEMENT_KEYS, type DedupeAlgorithm, type ScanTypeDefaults, type Settings, type Severity } from '../../model';

/**
 * The settings the panel edits: every deduplication and reimport option (docs/improvements.md §8, §9).
 * `watch`, `storePath` and `maxReportSizeMb` are deliberately absent, so a compromised webview
 * cannot point the store or the watcher elsewhere; they are edited in `settings.json`. The ten
 * improvements come last, in the model's order, which is the order the panel lists them in.
 */
export const PANEL_SETTING_KEYS = [
  'defectdojoParity',
  'dedupe.enabled',
  'dedupe.algorithmPerScanType',
  'dedupe.hashFieldsPerScanType',
  'dedupe.hashAllowsNullCwePerScanType',
  'dedupe.hashFieldsAlways',
  'dedupe.endpointFields',
  'dedupe.deleteDuplicates',
  'dedupe.maxDuplicates',
  'falsePositiveHistory',
  'retroactiveFalsePositiveHistory',
  'import.closeOldFindings',
  'reimport.closeOldFindings',
  'reimport.doNotReactivate',
  'minimumSeverity',
  ...IMPROVEMENT_KEYS,
] as const satisfies readonly (keyof Settings)[];

export type PanelSettingKey = (typeof PANEL_SETTING_KEYS)[number];

export type PanelSettings = Pick<Settings, PanelSettingKey>;

/** Where a save goes: the folder's `.vscode/settings.json` or the workspace file of a multi-root workspace. */
export type SaveTarget = 'workspaceFolder' | 'workspace';

/** What the user changed and has not saved yet: setting values and engagements' dedupe scope. */
export interface SettingsDraft {
  settings: Partial<PanelSettings>;
  engagements: EngagementScopeChange[];
}

export interface EngagementScopeChange {
  engagementId: number;
  deduplicationOnEngagement: boolean;
}

/** Webview → host. */
export type PanelRequest =
  | { type: 'ready' }
  | { type: 'selectScope'; folder: string; testId: number | null }
  | { type: 'preview'; requestId: number; draft: SettingsDraft }
  | { type: 'save'; draft: SettingsDraft; target: SaveTarget }
  | { type: 'openSettingsJson' };

export interface PanelFolder {
  folder: string;
  name: string;
}

export interface PanelEngagement {
  id: number;
  name: string;
  productName: string;
  deduplicationOnEngagement: boolean;
}

export interface PanelTest {
  id: number;
  label: string;
  engagementName: string;
  scanType: string;
  testType: string;
  /** When the test has an import, its time and report file name. */
  lastImport: { id: number; created: string; reportName: string | null } | null;
}

/** A scan type row of the per-scan-type tables with DefectDojo's default for it. */
export interface PanelScanType {
  name: string;
  defaults: ScanTypeDefaults;
  /** True when a test of the store uses it (shown first). */
  inUse: boolean;
}

export interface PanelState {
  folders: PanelFolder[];
  folder: string;
  folderName: string;
  /** True in a multi-root workspace, where "workspace" and "folder" targets differ. */
  multiRoot: boolean;
  trusted: boolean;
  settings: PanelSettings;
  defaults: PanelSettings;
  /** Keys whose value comes from the folder's or the workspace's settings, not the default. */
  overridden: PanelSettingKey[];
  engagements: PanelEngagement[];
  tests: PanelTest[];
  testId: number | null;
  scanTypes: PanelScanType[];
  hashFieldNames: readonly string[];
  endpointFieldNames: readonly string[];
  algorithms: readonly DedupeAlgorithm[];
  severities: readonly Severity[];
}

/** What a reimport does, in DefectDojo's counters, plus matches and new duplicates. */
export interface PreviewCounts {
  /** Incoming findings matched to a stored finding (reactivated + untouched). */
  matched: number;
  created: number;
  closed: number;
  reactivated: number;
  untouched: number;
  /** Findings that passive deduplication marked duplicate. */
  duplicates: number;
}

export type PreviewResult =
  | {
      status: 'ok';
      testLabel: string;
      reportName: string;
      importId: number;
      /** A reimport of the last report now, with the saved settings. */
      current: PreviewCounts;
      /** The same reimport with the draft settings. */
      draft: PreviewCounts;
    }
  | { status: 'unavailable'; reason: string };

/** What §5.8 would delete now with the draft's `maxDuplicates` (issue 17). */
export interface ExcessDuplicatesSummary {
  deleteDuplicates: boolean;
  maxDuplicates: number | null;
  total: number;
  nextRun: number;
  perRunLimit: number;
  /** The tests that would lose most, most first (test titles come from reports: shown as text). */
  tests: { testId: number; title: string; count: number }[];
  moreTests: number;
  /** Tests whose findings mostly duplicate another test's: the same report imported as new tests. */
  duplicateTests: { testId: number; message: string }[];
}

/** Host → webview. */
export type PanelEvent =
  | { type: 'state'; state: PanelState }
  | { type: 'preview'; requestId: number; result: PreviewResult }
  | { type: 'excessDuplicates'; requestId: number; result: ExcessDuplicatesSummary | null }
  | { type: 'saved'; keys: string[]; engagements: number }
  | { type: 'error'; message: string };

/**
 * DefectDojo runs false-positive history only while deduplication is off, and its settings page
 * refuses to save both on (semantics §1.7, §5.9). The panel shows this before the host refuses.
 */
export const FP_HISTORY_EXCLUSIVE_MESSAGE =
  'DefectDojo runs false-positive history only while deduplication is off, and refuses to save both on. Turn deduplication off first.';

export const RETROACTIVE_REQUIRES_MESSAGE = 'Retroactive false-positive history requires false-positive history.';
