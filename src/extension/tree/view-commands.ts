/**
 * The commands `registerViews` registers; the manifest declares them, and the triage and import commands, with titles.
 * Kept in one place so a test can compare them with `contributes.commands`.
 */
export const VIEW_COMMANDS = {
  openSettings: 'scanLedger.openSettings',
  showImportHistory: 'scanLedger.showImportHistory',
  exportFindings: 'scanLedger.exportFindings',
  groupBySeverity: 'scanLedger.tree.groupBySeverity',
  groupByFile: 'scanLedger.tree.groupByFile',
  deleteTest: 'scanLedger.deleteTest',
  revealFinding: 'scanLedger.revealFinding',
  refreshTree: 'scanLedger.refreshTree',
  duplicatesReimportIntoTarget: 'scanLedger.duplicates.reimportIntoTarget',
  duplicatesMergeIntoTarget: 'scanLedger.duplicates.mergeIntoTarget',
  duplicatesIgnore: 'scanLedger.duplicates.ignore',
} as const;
