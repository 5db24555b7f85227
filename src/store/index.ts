export { LedgerStore, type LedgerStoreOptions, type SetAsideEvent } from './ledger-store';
export { StoreError, StoreLockError, WorkspaceSettingsError } from './errors';
export {
  STORE_MIGRATIONS,
  migrateStoreDocument,
  readStoreDocument,
  findStructuralProblem,
  type StoreMigration,
  type StoreDocumentProblem,
  type StoreDocumentResult,
} from './schema';
export {
  SETTINGS_PREFIX,
  SETTING_KEYS,
  ENDPOINT_FIELDS,
  isSettingKey,
  validateSettingValue,
  parseSettingText,
  settingsFromJsonc,
  readWorkspaceSettings,
  applySettingToJsonc,
  writeWorkspaceSetting,
  workspaceSettingsPath,
  type SettingKey,
  type SettingValidation,
  type WorkspaceSettingsResult,
} from './workspace-settings';
