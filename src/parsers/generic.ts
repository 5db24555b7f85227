import { parse as parseCsv } from 'csv-parse/sync';
import type { ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { asBoolean, asInteger, asNumber, asString, isJsonObject, parseJson, stripBom, type JsonObject } from './json';
import type { ParseOptions, ReportParser } from './parser';
import { pythonInt } from './python-text';
import { testTypeName } from './test-type';

/**
 * DefectDojo's `Generic Findings Import` (`dojo/tools/generic/`): a JSON document
 * `{ "name", "type", "version", "findings": [...] }` whose findings carry DefectDojo finding
 * fields in snake_case, or the older CSV with fixed column names. It doubles as Scan Ledger's
 * canonical input for tools without a parser, so it is strict about what it accepts: an unknown
 * field is refused (as DefectDojo refuses it) rather than silently dropped.
 */

export const GENERIC_SCAN_TYPE = 'Generic Findings Import';

type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';

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
      return asInteger(value);
    case 'number':
      return asNumber(value);
    case 'boolean':
      return asBoolean(value);
    case 'date':
      return typeof value === 'string' ? isoDate(value) : undefined;
    case 'datetime':
      return typeof value === 'string' && isoDate(value) !== undefined ? value.trim() : undefined;
  }
}

const KIND_WORDS: Readonly<Record<FieldKind, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date (YYYY-MM-DD)',
  datetime: 'an ISO date-time',
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

function cweList(value: unknown, position: string, fileName: string): number[] {
  if (!Array.isArray(value)) fail(fileName, position, '"cwes" must be a list of CWE numbers');
  return value.map((item, index) => {
    const number = typeof item === 'string' ? pythonInt(item.replace(/^\s*cwe-/i, '')) : asInteger(item);
    if (number === undefined) fail(fileName, `${position}.cwes[${index}]`, '"cwes" must hold CWE numbers (79 or "CWE-79")');
    return number;
  });
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

function jsonFinding(item: unknown, position: string, fileName: string): ParsedFinding {
  if (!isJsonObject(item)) fail(fileName, position, 'a finding must be a JSON object');
  const present = (key: string): boolean => Object.prototype.hasOwnProperty.call(item, key) && item[key] !== null;
  const missing = REQUIRED_FIELDS.filter((key) => !present(key));
  if (missing.length > 0) fail(fileName, position, `required fields are missing: ${missing.join(', ')}`);
  const notAllowed = Object.keys(item)
    .filter((key) => !Object.prototype.hasOwnProperty.call(SCALAR_FIELDS, key) && !LIST_FIELDS.has(key) && !ACCEPTED_UNMAPPED_FIELDS.has(key))
    .sort();
  if (notAllowed.length > 0) fail(fileName, position, `fields not allowed in a Generic Findings Import finding: ${notAllowed.join(', ')}`);

  const finding: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    const scalar = Object.prototype.hasOwnProperty.call(SCALAR_FIELDS, key) ? SCALAR_FIELDS[key] : undefined;
    if (scalar === undefined || value === null) continue;
    const [field, kind] = scalar;
    const converted = convertScalar(value, kind);
    if (converted === undefined) fail(fileName, `${position}.${key}`, `"${key}" must be ${KIND_WORDS[kind]}, not ${JSON.stringify(value)}`);
    finding[field] = converted;
  }
  const parsed = finding as unknown as ParsedFinding;
  if (present('tags')) parsed.tags = stringList(item.tags, 'tags', position, fileName);
  if (present('cwes')) parsed.cwes = cweList(item.cwes, position, fileName);
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
  return {
    scanType: GENERIC_SCAN_TYPE,
    testType: testTypeName(type ?? GENERIC_SCAN_TYPE, GENERIC_SCAN_TYPE),
    toolName: name ?? type ?? null,
    toolVersion: version ?? null,
    description: asString(document.description) ?? null,
    findings: document.findings.map((item, index) => jsonFinding(item, `findings[${index}]`, fileName)),
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

function formatDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The date forms `dateutil.parser.parse` reads in practice (with its default month-first
 * order): ISO dates and date-times, `MM/DD/YYYY`, `YYYY/MM/DD`, `DD Mon YYYY`, `Mon DD, YYYY`.
 */
export function parseCsvDate(value: string): string | undefined {
  const text = value.trim();
  const iso = isoDate(text);
  if (iso !== undefined) return iso;
  let match = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s|T|$)/.exec(text);
  if (match) return formatDate(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s|$)/.exec(text);
  if (match) return formatDate(Number(match[3]), Number(match[1]), Number(match[2]));
  match = /^(\d{1,2})[\s-]([A-Za-z]{3,9})\.?[\s-](\d{4})(?:\s|$)/.exec(text);
  if (match && MONTHS[match[2].slice(0, 3).toLowerCase()] !== undefined) {
    return formatDate(Number(match[3]), MONTHS[match[2].slice(0, 3).toLowerCase()], Number(match[1]));
  }
  match = /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:\s|$)/.exec(text);
  if (match && MONTHS[match[1].slice(0, 3).toLowerCase()] !== undefined) {
    return formatDate(Number(match[3]), MONTHS[match[1].slice(0, 3).toLowerCase()], Number(match[2]));
  }
  return undefined;
}

/** DefectDojo's `_convert_bool`: true exactly when the value starts with `t` or `T`. */
function csvBoolean(value: string): boolean {
  return value.toLowerCase().startsWith('t');
}

const CSV_SEVERITIES = new Set(['Info', 'Low', 'Medium', 'High', 'Critical']);
const CVSS3_VECTOR = /CVSS:3\.[01]\/[A-Za-z]{1,3}:[A-Za-z](?:\/[A-Za-z]{1,3}:[A-Za-z])*/;

function parseGenericCsv(text: string, fileName: string): ParsedReport {
  let rows: string[][];
  try {
    rows = parseCsv(stripBom(text), {
      relax_column_count: true,
      relax_quotes: false,
      skip_empty_lines: true,
    }) as string[][];
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
    if (has('CVSSV3')) {
      const vector = CVSS3_VECTOR.exec(cell('CVSSV3'));
      if (vector) finding.cvssv3 = vector[0];
    }
    finding.endpoints = has('Url') && cell('Url') !== '' ? [cell('Url')] : [];

    const key = `${finding.severity}|${finding.title}|${finding.description}`;
    const first = merged.get(key);
    if (first) {
      first.endpoints = [...(first.endpoints ?? []), ...(finding.endpoints ?? [])];
      if (finding.vulnerabilityIds) first.vulnerabilityIds = [...(first.vulnerabilityIds ?? []), ...finding.vulnerabilityIds];
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
  return isJsonObject(document) && Array.isArray((document as JsonObject).csvHeader);
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
