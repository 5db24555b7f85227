/**
 * Findings out of the ledger, as SARIF 2.1.0 (for code scanning dashboards and other SARIF
 * viewers) and as CSV (for spreadsheets, with DefectDojo's column names). Pure functions of the
 * findings, so the exact output is unit-tested; the command only picks findings and a file. The
 * SARIF model itself lives in the engine (`sarif-export.ts`), shared with the CLI's
 * `gate --format sarif`; this module gives it the editor's status words and paths.
 */
import type * as sarif from 'sarif';
import { stringify } from 'csv-stringify/sync';
import { findingsToSarif as sharedFindingsToSarif, type SarifExportOptions as SharedSarifExportOptions } from '../../engine';
import type { Finding, Test } from '../../model';
import { displayPath, findingStatus } from '../tree/tree-model';

export { SARIF_SCHEMA, artifactLocation, ruleIdOf, selectFindingsForSarif, suppressionsOf } from '../../engine';

export interface SarifExportOptions extends Omit<SharedSarifExportOptions, 'displayPath' | 'statusOf'> {
  /**
   * The workspace folder as a POSIX path (`Uri.path`): file paths inside it, however the scanner
   * wrote them (`file://` URI, absolute, `./`), are exported relative to it.
   */
  folderPath?: string;
}

/** The shared SARIF model with the editor's status words and workspace-relative paths. */
export function findingsToSarif(findings: readonly Finding[], options: SarifExportOptions = {}): sarif.Log {
  const { folderPath, ...shared } = options;
  return sharedFindingsToSarif(findings, { ...shared, statusOf: findingStatus, displayPath: (p) => displayPath(p, folderPath) });
}

/** The CSV columns, named as DefectDojo's finding export names them. */
export const CSV_COLUMNS = [
  'id',
  'title',
  'severity',
  'numerical_severity',
  'status',
  'date',
  'cwe',
  'vulnerability_ids',
  'file_path',
  'line',
  'component_name',
  'component_version',
  'unique_id_from_tool',
  'vuln_id_from_tool',
  'hash_code',
  'active',
  'verified',
  'false_p',
  'out_of_scope',
  'risk_accepted',
  'is_mitigated',
  'mitigated',
  'duplicate',
  'duplicate_finding',
  'test',
  'found_by',
  'service',
  'tags',
  'description',
  'mitigation',
  'references',
  'notes',
] as const;

/**
 * Spreadsheet programs run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return as a formula. Report text is untrusted, so such cells get a leading apostrophe (OWASP's
 * advice for CSV injection); numbers are written as numbers and never need it.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function pythonBool(value: boolean): string {
  return value ? 'True' : 'False';
}

export interface CsvExportOptions {
  testsById?: ReadonlyMap<number, Test>;
  /** As for SARIF: file paths inside this folder are written relative to it. */
  folderPath?: string;
}

/** Findings as CSV with a header row, one finding per row, RFC 4180 quoting. */
export function findingsToCsv(findings: readonly Finding[], options: CsvExportOptions = {}): string {
  const rows = findings.map((f) => {
    const test = options.testsById?.get(f.testId);
    const row: Record<(typeof CSV_COLUMNS)[number], string | number> = {
      id: f.id,
      title: f.title,
      severity: f.severity,
      numerical_severity: f.numericalSeverity,
      status: findingStatus(f),
      date: f.date,
      cwe: f.cwe ?? '',
      vulnerability_ids: f.vulnerabilityIds.join(' '),
      file_path: displayPath(f.filePath, options.folderPath),
      line: f.line ?? '',
      component_name: f.componentName ?? '',
      component_version: f.componentVersion ?? '',
      unique_id_from_tool: f.uniqueIdFromTool ?? '',
      vuln_id_from_tool: f.vulnIdFromTool ?? '',
      hash_code: f.hashCode ?? '',
      active: pythonBool(f.active),
      verified: pythonBool(f.verified),
      false_p: pythonBool(f.falsePositive),
      out_of_scope: pythonBool(f.outOfScope),
      risk_accepted: pythonBool(f.riskAccepted),
      is_mitigated: pythonBool(f.isMitigated),
      mitigated: f.mitigated ?? '',
      duplicate: pythonBool(f.duplicate),
      duplicate_finding: f.duplicateOf ?? '',
      test: test ? `${test.title || test.testType} (#${test.id})` : `#${f.testId}`,
      found_by: f.foundBy.join(', '),
      service: f.service ?? '',
      tags: f.tags.join(', '),
      description: f.description,
      mitigation: f.mitigation ?? '',
      references: f.references ?? '',
      notes: f.notes.map((n) => `${n.author} (${n.at}): ${n.text}`).join('\n'),
    };
    return CSV_COLUMNS.map((c) => {
      const value = row[c];
      return typeof value === 'string' ? neutraliseFormula(value) : value;
    });
  });
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows', quoted: true });
}
