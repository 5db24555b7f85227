/**
 * What a DefectDojo server should answer to a reimport, predicted by running the engine's own
 * reimport on a copy of the local ledger with `defectdojoParity: true` (every improvement off,
 * DefectDojo's algorithms), the way the settings panel previews a reimport. The ledger passed in
 * is never changed.
 */
import { findEngagement, findReimportTarget, Ledger, reimportScan, type EngineContext, type ImportOptions, type ImportResult } from '../engine';
import { effectiveSettings, type ParsedReport } from '../model';
import { deltaOf, statisticsOf, type ImportStatistics } from './statistics';

export interface Prediction {
  /** Whether DefectDojo reimports into an existing test or creates one (auto_create_context). */
  type: 'import' | 'reimport';
  result: ImportResult;
  statistics: ImportStatistics;
}

export function predictReimport(ledger: Ledger, report: ParsedReport, options: ImportOptions, ctx: EngineContext): Prediction {
  const copy = new Ledger(structuredClone(ledger.data));
  const parity: EngineContext = { ...ctx, settings: effectiveSettings({ ...ctx.settings, defectdojoParity: true }) };
  const engagement = findEngagement(copy, { productTypeName: options.productTypeName, productName: options.productName, engagementName: options.engagementName });
  const target = findReimportTarget(copy, { testId: options.testId, scanType: options.scanType, testTitle: options.testTitle, engagement });
  const before = target ? statisticsOf(copy.findingsOfTest(target.id)) : undefined;
  // The engine may normalise the report's findings in place; the prediction gets its own copy.
  const result = reimportScan(copy, structuredClone(report), options, parity);
  const statistics: ImportStatistics = { after: statisticsOf(copy.findingsOfTest(result.testId)) };
  // DefectDojo reports `before` and `delta` only for a reimport into an existing test; a test the
  // reimport had to create answers with `after` alone.
  if (result.type === 'reimport') {
    statistics.before = before;
    statistics.delta = deltaOf(copy, result.actions);
  }
  return { type: result.type, result, statistics };
}
