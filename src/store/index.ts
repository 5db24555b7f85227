export { LedgerStore, type LedgerStoreOptions, type SetAsideEvent, type UnreadableStorePolicy } from './ledger-store';
export { StoreError, StoreLockError, StorePathError, StoreUnreadableError, WorkspaceSettingsError } from './errors';
export { resolveWorkspaceStorePath } from './store-path';
export {
  STORE_MIGRATIONS,
  migrateStoreDocument,
  readStoreDocument,
  findStructuralProblem,
  findFieldProblem,
  type StoreMigration,
  type StoreDocumentProblem,
  type StoreDocumentResult,
} from './schema';
export {
  SETTINGS_PREFIX,
  SETTING_KEYS,
  ENDPOINT_FIELDS,
  isSettingKey,
  isDefectDojoUrlSetting,
  validateSettingValue,
  settingsFromValues,
  parseSettingText,
  settingsFromJsonc,
  readWorkspaceSettings,
  applySettingToJsonc,
  writeWorkspaceSetting,
  workspaceSettingsPath,
  type SettingKey,
  type SettingValidation,
  type SettingProblem,
  type WorkspaceSettingsResult,
} from './workspace-settings';
export {
  MAX_SOURCE_BYTES,
  MAX_IGNORE_FILE_BYTES,
  isInsideRoot,
  workspaceSource,
  readSuppressionSources,
} from './workspace-source';
export {
  SHARED_TRIAGE_FILE,
  sharedTriagePath,
  readSharedTriage,
  recordSharedTriageDecision,
  recordSharedTriageDecisions,
  cleanSharedTriageTemporaries,
} from './shared-triage-file';
export { gitHead, gitRenames, parseRenames, previousGitHead, type GitHead } from './git';
export {
  importIntoWorkspace,
  triageInWorkspace,
  convergeSharedTriage,
  type WorkspaceImportRequest,
  type WorkspaceImportResult,
} from './workspace-import';
export { readReport, readReportBytes, ReportFileError, type ReadReportOptions, type ReportFile, type ReportFileProblem } from './report-file';
export { partsFolderOf, journalPathOf, decodeFinding, encodeFinding } from './ledger-files';
export { readFindingsOfFiles, type FindingsOfFiles } from './findings-of-files';
