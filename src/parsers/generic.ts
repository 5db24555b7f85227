import { parse as parseCsv } from 'csv-parse/sync';
import type { ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { asBoolean, asString, isJsonObject, parseJson, stripBom } from './json';
import { dateutilDate, dateutilDateTime } from './dateutil';
import type { ParseOptions, ReportParser } from './parser';
import { pythonFloat, pythonInt } from './python-text';
import { testTypeName } from './test-type';

/**
 * DefectDojo's `Generic Findings Import` (`dojo/tools/generic/`): a JSON document
 * `{ "name", "type", "version", "findings": [...] }` whose findings carry DefectDojo finding
 * fields in snake_case, or the older CSV with fixed column names. It doubles as Scan Ledger's
 * canonical input for tools without a parser. A field outside DefectDojo's list is ignored with
 * a warning in the import record rather than refusing the whole report: DefectDojo's list grows
 * with every release (`cvssv4`, `epss_score`, `kev_date`, …), and a report written for a newer
 * DefectDojo should still import here. The list followed is DefectDojo 3.2.0's.
 */

export const GENERIC_SCAN_TYPE = 'Generic Findings Import';

type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';

/**
 * DefectDojo's `NUMERIC_FIELDS`: a value that holds no number is dropped (with a warning here)
 * instead of refusing the report, because DefectDojo drops it so the model default applies.
 */
const NUMERIC_KINDS = new Set<FieldKind>(['integer', 'number']);

/** DefectDojo field → our camelCase field and the type we accept for it. */
const SCALAR_FIELDS: Readonly<Record<string, readonly [keyof ParsedFinding, FieldKind]>> = {
  title: ['title', 'string'],
  severity: ['severity', 'string'],
  description: ['description', 'string'],
  date: ['date', 'date'],
  cwe: ['cwe', 'integer'],
  cve: ['cve', 'string'],
  cvssv3: ['cvssv3', 'string'],
  cvssv3_score: ['cvssv3Score', 'number'],
  cvssv4: ['cvssv4', 'string'],
  cvssv4_score: ['cvssv4Score', 'number'],
  epss_score: ['epssScore', 'number'],
  epss_percentile: ['epssPercentile', 'number'],
  kev_date: ['kevDate', 'date'],
  known_exploited: ['knownExploited', 'boolean'],
  ransomware_used: ['ransomwareUsed', 'boolean'],
  mitigation: ['mitigation', 'string'],
  impact: ['impact', 'string'],
  steps_to_reproduce: ['stepsToReproduce', 'string'],
  severity_justification: ['severityJustification', 'string'],
  references: ['references', 'string'],
  active: ['active', 'boolean'],
  verified: ['verified', 'boolean'],
  false_p: ['falsePositive', 'boolean'],
  out_of_scope: ['outOfScope', 'boolean'],
  risk_accepted: ['riskAccepted', 'boolean'],
  under_review: ['underReview', 'boolean'],
  is_mitigated: ['isMitigated', 'boolean'],
  mitigated: ['mitigated', 'datetime'],
  payload: ['payload', 'string'],
  line: ['line', 'integer'],
  file_path: ['filePath', 'string'],
  component_name: ['componentName', 'string'],
  component_version: ['componentVersion', 'string'],
  static_finding: ['staticFinding', 'boolean'],
  dynamic_finding: ['dynamicFinding', 'boolean'],
  scanner_confidence: ['scannerConfidence', 'integer'],
  unique_id_from_tool: ['uniqueIdFromTool', 'string'],
  vuln_id_from_tool: ['vulnIdFromTool', 'string'],
  sast_source_object: ['sastSourceObject', 'string'],
  sast_sink_object: ['sastSinkObject', 'string'],
  sast_source_line: ['sastSourceLine', 'integer'],
  sast_source_file_path: ['sastSourceFilePath', 'string'],
  nb_occurences: ['nbOccurences', 'integer'],
  service: ['service', 'string'],
  fix_available: ['fixAvailable', 'boolean'],
  fix_version: ['fixVersion', 'string'],
};

/**
 * Fields DefectDojo's whitelist accepts but that have no place in our model (threads, planned
 * remediation, file uploads, …). They are accepted so that a report DefectDojo imports is never
 * refused here, and ignored.
 */
const ACCEPTED_UNMAPPED_FIELDS = new Set([
  'thread_id',
  'numerical_severity',
  'param',
  'publish_date',
  'planned_remediation_date',
  'planned_remediation_version',
  'effort_for_fixing',
  'files',
]);

const LIST_FIELDS = new Set(['tags', 'cwes', 'endpoints', 'vulnerability_ids']);
const REQUIRED_FIELDS = ['title', 'severity', 'description'] as const;

function fail(fileName: string, position: string, problem: string): never {
  throw new ReportParseError(fileName, problem, position);
}

/** A `YYYY-MM-DD` date from a date or date-time string, or `undefined`. */
function isoDate(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) {
    return undefined;
  }
  return `${year}-${month}-${day}`;
}

function convertScalar(value: unknown, kind: FieldKind): string | number | boolean | undefined {
  switch (kind) {
    case 'string':
      return asString(value);
    case 'integer':
      return pythonNumber(value, true);
    case 'number':
      return pythonNumber(value, false);
    case 'boolean':
      return asBoolean(value);
    case 'date':
      return typeof value === 'string' ? dateutilDate(value) : undefined;
    case 'datetime':
      // An ISO date-time is kept as written (its zone and fraction included); other forms
      // dateutil reads are rewritten as ISO.
      if (typeof value !== 'string') return undefined;
      return isoDate(value) !== undefined ? value.trim() : dateutilDateTime(value);
  }
}

/**
 * DefectDojo's `to_number` with `int` or `float`: booleans hold no number, strings are stripped,
 * `int(7.9)` truncates a JSON fraction but `int("7.9")` fails, and infinities and NaN are dropped.
 */
function pythonNumber(value: unknown, integer: boolean): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    return integer ? Math.trunc(value) : value;
  }
  if (typeof value !== 'string') return undefined;
  const number = integer ? pythonInt(value) : pythonFloat(value);
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

const KIND_WORDS: Readonly<Record<FieldKind, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date (a form dateutil reads, e.g. YYYY-MM-DD)',
  datetime: 'a date-time (a form dateutil reads, e.g. ISO 8601)',
};

function stringList(value: unknown, field: string, position: string, fileName: string): string[] {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items)) fail(fileName, position, `"${field}" must be a list of strings`);
  return items.map((item, index) => {
    const text = asString(item);
    if (text === undefined) fail(fileName, `${position}.${field}[${index}]`, `"${field}" must hold strings`);
    return text;
  });
}

/**
 * DefectDojo's `cwe_number`: `"CWE-79"`, `"79"` or `79` is 79; anything else (zero, fractions,
 * text, more than seven digits) is no CWE.
 */
export function cweNumber(value: unknown): number | undefined {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'object') return undefined;
  let token = String(value).trim().toUpperCase();
  if (token.startsWith('CWE-')) token = token.slice(4);
  if (!/^\d+$/.test(token)) return undefined;
  const number = Number(token);
  return number > 0 && number <= 9_999_999 ? number : undefined;
}

/**
 * The `cwes` list as DefectDojo keeps it: the primary CWE is `cwe_number` of the first entry
 * (undefined when that entry is not a CWE), and `finding_cwe_labels` drops entries that are not
 * CWEs from the stored list, so they are dropped here with a warning rather than refused.
 */
function cweList(value: unknown, position: string, fileName: string, warnings: string[]): { primary: number | undefined; all: number[] } {
  // DefectDojo indexes the value as a list; a lone value is read as a one-entry list.
  const items = Array.isArray(value) ? value : [value];
  const all: number[] = [];
  items.forEach((item, index) => {
    const number = cweNumber(item);
    if (number === undefined) warnings.push(`${position}.cwes[${index}]: ${JSON.stringify(item)} is not a CWE; ignored, as DefectDojo ignores it`);
    else if (!all.includes(number)) all.push(number);
  });
  return { primary: items.length > 0 ? cweNumber(items[0]) : undefined, all };
}

/** Endpoint objects as DefectDojo's Endpoint fields, rendered back into one URL string. */
function endpointString(item: unknown, position: string, fileName: string): string {
  const text = asString(item);
  if (text !== undefined) return text;
  if (!isJsonObject(item)) fail(fileName, position, 'an endpoint must be a URL string or an object with "host"');
  const host = asString(item.host);
  if (host === undefined || host === '') fail(fileName, position, 'an endpoint object needs a "host"');
  const protocol = asString(item.protocol);
  const userInfo = asString(item.userinfo);
  const port = asString(item.port);
  const path = asString(item.path);
  const query = asString(item.query);
  const fragment = asString(item.fragment);
  let url = protocol ? `${protocol}://` : '';
  if (userInfo) url += `${userInfo}@`;
  url += host;
  if (port) url += `:${port}`;
  if (path) url += path.startsWith('/') ? path : `/${path}`;
  if (query) url += `?${query}`;
  if (fragment) url += `#${fragment}`;
  return url;
}

function vulnerabilityIdList(value: unknown, position: string, fileName: string): string[] {
  const items = typeof value === 'string' || isJsonObject(value) ? [value] : value;
  if (!Array.isArray(items)) fail(fileName, position, '"vulnerability_ids" must be a list');
  return items.map((item, index) => {
    const id = isJsonObject(item) ? asString(item.vulnerability_id) : asString(item);
    if (id === undefined) {
      fail(fileName, `${position}.vulnerability_ids[${index}]`, 'a vulnerability id must be a string or {"vulnerability_id": "…"}');
    }
    return id;
  });
}

function jsonFinding(item: unknown, position: string, fileName: string, warnings: string[]): ParsedFinding {
  if (!isJsonObject(item)) fail(fileName, position, 'a finding must be a JSON object');
  const present = (key: string): boolean => Object.prototype.hasOwnProperty.call(item, key) && item[key] !== null;
  const missing = REQUIRED_FIELDS.filter((key) => !present(key));
  if (missing.length > 0) fail(fileName, position, `required fields are missing: ${missing.join(', ')}`);
  const notAllowed = Object.keys(item)
    .filter((key) => !Object.prototype.hasOwnProperty.call(SCALAR_FIELDS, key) && !LIST_FIELDS.has(key) && !ACCEPTED_UNMAPPED_FIELDS.has(key))
    .sort();
  if (notAllowed.length > 0) {
    warnings.push(`${position}: unknown field(s) ${notAllowed.join(', ')} ignored (not in DefectDojo 3.2.0's Generic Findings Import fields)`);
  }

  const finding: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    const scalar = Object.prototype.hasOwnProperty.call(SCALAR_FIELDS, key) ? SCALAR_FIELDS[key] : undefined;
    if (scalar === undefined || value === null) continue;
    const [field, kind] = scalar;
    const converted = convertScalar(value, kind);
    if (converted === undefined && NUMERIC_KINDS.has(kind)) {
      warnings.push(`${position}.${key}: ${JSON.stringify(value)} is not a number; ignored, as DefectDojo ignores it`);
      continue;
    }
    if (converted === undefined) fail(fileName, `${position}.${key}`, `"${key}" must be ${KIND_WORDS[kind]}, not ${JSON.stringify(value)}`);
    finding[field] = converted;
  }
  const parsed = finding as unknown as ParsedFinding;
  if (present('tags')) parsed.tags = stringList(item.tags, 'tags', position, fileName);
  if (present('cwes')) {
    const cwes = cweList(item.cwes, position, fileName, warnings);
    // `if not finding.cwe`: an absent or zero `cwe` takes the first entry of the list.
    if (!parsed.cwe && cwes.primary !== undefined) parsed.cwe = cwes.primary;
    if (cwes.all.length > 0) parsed.cwes = cwes.all;
  }
  if (present('endpoints')) {
    const endpoints = Array.isArray(item.endpoints) ? item.endpoints : [item.endpoints];
    parsed.endpoints = endpoints.map((endpoint, index) => endpointString(endpoint, `${position}.endpoints[${index}]`, fileName));
  }
  // DefectDojo: the `cve` first, then `vulnerability_ids` (which it appends as one nested list,
  // a bug; we flatten). Blank ids are dropped here as the importer's CVE sync would drop them.
  const ids: string[] = [];
  if (parsed.cve) ids.push(parsed.cve);
  if (present('vulnerability_ids')) ids.push(...vulnerabilityIdList(item.vulnerability_ids, position, fileName));
  const nonBlank = ids.filter((id) => id.trim() !== '');
  if (nonBlank.length > 0) parsed.vulnerabilityIds = nonBlank;
  return parsed;
}

function parseGenericJson(text: string, fileName: string, decodedJson?: { value: unknown }): ParsedReport {
  const document = decodedJson ? decodedJson.value : parseJson(text, fileName);
  if (!isJsonObject(document) || !Array.isArray(document.findings)) {
    throw new ReportParseError(fileName, `not a ${GENERIC_SCAN_TYPE} report: expected a JSON object with a "findings" array`);
  }
  const type = asString(document.type);
  const name = asString(document.name);
  const version = asString(document.version);
  const warnings: string[] = [];
  const findings = document.findings.map((item, index) => jsonFinding(item, `findings[${index}]`, fileName, warnings));
  return {
    scanType: GENERIC_SCAN_TYPE,
    testType: testTypeName(type ?? GENERIC_SCAN_TYPE, GENERIC_SCAN_TYPE),
    toolName: name ?? type ?? null,
    toolVersion: version ?? null,
    description: asString(document.description) ?? null,
    findings,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

/** `dateutil.parser.parse(value).date()`, as DefectDojo reads the CSV `Date` column. */
export function parseCsvDate(value: string): string | undefined {
  return dateutilDate(value);
}

/** DefectDojo's `_convert_bool`: true exactly when the value starts with `t` or `T`. */
function csvBoolean(value: string): boolean {
  return value.toLowerCase().startsWith('t');
}

const CSV_SEVERITIES = new Set(['Info', 'Low', 'Medium', 'High', 'Critical']);
const CVSS3_VECTOR = /CVSS:3\.[01]\/[A-Za-z]{1,3}:[A-Za-z](?:\/[A-Za-z]{1,3}:[A-Za-z])*/;
const CVSS4_VECTOR = /CVSS:4\.0\/[A-Za-z]{1,3}:[A-Za-z](?:\/[A-Za-z]{1,3}:[A-Za-z])*/;

/** DefectDojo's `parse_cwes`: CWEs separated by commas or whitespace, non-CWEs skipped, no repeats. */
function parseCweColumn(text: string): number[] {
  const result: number[] = [];
  for (const token of text.replace(/,/g, '\n').split(/\s+/)) {
    const number = token === '' ? undefined : cweNumber(token);
    if (number !== undefined && !result.includes(number)) result.push(number);
  }
  return result;
}

/** Python's `float(cell)` for the CSV number columns: DefectDojo fails the import when it raises. */
function csvFloat(cell: string, column: string, position: string, fileName: string): number {
  const number = pythonFloat(cell);
  if (number === undefined) fail(fileName, position, `${column} ${JSON.stringify(cell)} is not a number`);
  return number;
}

const CSV_OPTIONS = { relax_column_count: true, relax_quotes: false, skip_empty_lines: true } as const;

/**
 * The rows as Python's `csv` module reads them. Its default dialect is not strict: a quoted
 * field still open at the end of the text ends there, with what it holds (DefectDojo's own
 * `generic_report_kev_cvssv4.csv` sample ends so), where csv-parse reports an unclosed quote;
 * closing the quote at the end gives Python's value.
 */
function readCsvRows(text: string): string[][] {
  try {
    return parseCsv(text, CSV_OPTIONS);
  } catch (error) {
    if ((error as { code?: string }).code !== 'CSV_QUOTE_NOT_CLOSED') throw error;
    return parseCsv(`${text}"`, CSV_OPTIONS);
  }
}

function parseGenericCsv(text: string, fileName: string): ParsedReport {
  let rows: string[][];
  try {
    rows = readCsvRows(stripBom(text));
  } catch (error) {
    const details = error as { message?: string; lines?: number };
    const message = details.message ?? String(error);
    throw new ReportParseError(fileName, `invalid CSV: ${message}`, details.lines !== undefined ? String(details.lines) : null);
  }
  if (rows.length === 0) throw new ReportParseError(fileName, 'the report is empty (no CSV header row)');
  const header = rows[0];
  const required = ['Title', 'Description', 'Date', 'Severity'];
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new ReportParseError(fileName, `not a ${GENERIC_SCAN_TYPE} CSV: missing column(s) ${missing.join(', ')}`, '1');
  }

  // Merged on severity|title|description as DefectDojo's CSV parser does before import.
  const merged = new Map<string, ParsedFinding>();
  rows.slice(1).forEach((row, index) => {
    const position = `row ${index + 2}`;
    // csv.DictReader semantics: later duplicate columns win, short rows read as empty values.
    const cells = new Map<string, string>();
    header.forEach((column, columnIndex) => cells.set(column, row[columnIndex] ?? ''));
    const cell = (column: string): string => cells.get(column) ?? '';
    const has = (column: string): boolean => cells.has(column);

    const date = parseCsvDate(cell('Date'));
    if (date === undefined) fail(fileName, position, `Date ${JSON.stringify(cell('Date'))} is not a date`);
    const severity = CSV_SEVERITIES.has(cell('Severity')) ? cell('Severity') : 'Info';
    const finding: ParsedFinding = {
      title: cell('Title'),
      description: cell('Description'),
      date,
      severity,
      nbOccurences: 1,
    };
    if (has('Active')) finding.active = csvBoolean(cell('Active'));
    if (has('Mitigation')) finding.mitigation = cell('Mitigation');
    if (has('Impact')) finding.impact = cell('Impact');
    if (has('References')) finding.references = cell('References');
    if (has('Verified')) finding.verified = csvBoolean(cell('Verified'));
    if (has('FalsePositive')) finding.falsePositive = csvBoolean(cell('FalsePositive'));
    const ids: string[] = [];
    if (has('CVE') && cell('CVE').trim() !== '') ids.push(cell('CVE'));
    if (cell('Vulnerability Id') !== '') ids.push(cell('Vulnerability Id'));
    if (ids.length > 0) finding.vulnerabilityIds = ids;
    if (has('CweId') && cell('CweId').trim() !== '') {
      const cwe = pythonInt(cell('CweId').replace(/^\s*cwe-/i, ''));
      if (cwe === undefined) fail(fileName, position, `CweId ${JSON.stringify(cell('CweId'))} is not a CWE number`);
      finding.cwe = cwe;
    }
    if (cell('CweIds') !== '') {
      const cwes = parseCweColumn(cell('CweIds'));
      if (cwes.length > 0) {
        if (!finding.cwe) finding.cwe = cwes[0];
        finding.cwes = cwes;
      }
    }
    if (has('epss_score')) finding.epssScore = csvFloat(cell('epss_score'), 'epss_score', position, fileName);
    if (has('epss_percentile')) finding.epssPercentile = csvFloat(cell('epss_percentile'), 'epss_percentile', position, fileName);
    if (has('CVSSV3')) {
      const vector = CVSS3_VECTOR.exec(cell('CVSSV3'));
      if (vector) finding.cvssv3 = vector[0];
    }
    if (has('CVSSV4')) {
      const vector = CVSS4_VECTOR.exec(cell('CVSSV4'));
      if (vector) finding.cvssv4 = vector[0];
    }
    if (has('CVSSV4_score')) finding.cvssv4Score = csvFloat(cell('CVSSV4_score'), 'CVSSV4_score', position, fileName);
    if (has('IsMitigated')) finding.isMitigated = csvBoolean(cell('IsMitigated'));
    if (has('MitigatedDate')) {
      const mitigated = dateutilDateTime(cell('MitigatedDate'));
      if (mitigated === undefined) fail(fileName, position, `MitigatedDate ${JSON.stringify(cell('MitigatedDate'))} is not a date`);
      finding.mitigated = mitigated;
    }
    if (has('kev_date')) {
      const kevDate = dateutilDate(cell('kev_date'));
      if (kevDate === undefined) fail(fileName, position, `kev_date ${JSON.stringify(cell('kev_date'))} is not a date`);
      finding.kevDate = kevDate;
    }
    // Python's `bool(text)`: any non-empty cell is true, "False" included, as DefectDojo reads it.
    if (has('known_exploited')) finding.knownExploited = cell('known_exploited') !== '';
    if (has('ransomware_used')) finding.ransomwareUsed = cell('ransomware_used') !== '';
    if (has('fix_available')) finding.fixAvailable = cell('fix_available') !== '';
    if (has('fix_version')) finding.fixVersion = cell('fix_version');
    finding.endpoints = has('Url') && cell('Url') !== '' ? [cell('Url')] : [];

    const key = `${finding.severity}|${finding.title}|${finding.description}`;
    const first = merged.get(key);
    if (first) {
      first.endpoints = [...(first.endpoints ?? []), ...(finding.endpoints ?? [])];
      if (finding.vulnerabilityIds) first.vulnerabilityIds = [...(first.vulnerabilityIds ?? []), ...finding.vulnerabilityIds];
      if (finding.cwes) first.cwes = [...(first.cwes ?? []), ...finding.cwes];
      first.nbOccurences = (first.nbOccurences ?? 1) + 1;
    } else {
      merged.set(key, finding);
    }
  });
  return {
    scanType: GENERIC_SCAN_TYPE,
    testType: GENERIC_SCAN_TYPE,
    toolName: null,
    toolVersion: null,
    findings: [...merged.values()],
  };
}

/**
 * JSON or CSV: DefectDojo decides by the `.csv` extension alone and reads everything else as
 * JSON; we also read CSV when a file without either extension does not start like JSON.
 */
function isCsv(text: string, fileName: string): boolean {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return true;
  if (lower.endsWith('.json')) return false;
  const first = stripBom(text).trimStart().charAt(0);
  return first !== '{' && first !== '[';
}

/** The CSV document detection hands to `sniff`: the header row. */
export interface CsvHeader {
  csvHeader: string[];
}

export function isCsvHeader(document: unknown): document is CsvHeader {
  return isJsonObject(document) && Array.isArray(document.csvHeader);
}

export const genericParser: ReportParser = {
  scanType: GENERIC_SCAN_TYPE,
  format: 'json',
  parse(text: string, fileName: string, options?: ParseOptions): ParsedReport {
    if (options?.decodedJson) return parseGenericJson(text, fileName, options.decodedJson);
    return isCsv(text, fileName) ? parseGenericCsv(text, fileName) : parseGenericJson(text, fileName);
  },
  sniff(document: unknown): boolean {
    if (isCsvHeader(document)) {
      return ['Title', 'Description', 'Date', 'Severity'].every((column) => document.csvHeader.includes(column));
    }
    if (!isJsonObject(document) || !Array.isArray(document.findings)) return false;
    // The findings must look like DefectDojo findings, so other `{findings: [...]}` tools are not claimed.
    return document.findings.every(
      (item) => isJsonObject(item) && typeof item.title === 'string' && typeof item.severity === 'string',
    );
  },
};
