import { SEVERITIES, STORE_SCHEMA_VERSION, type StoreData } from '../model';

/**
 * Upgrades a store document by one schema version. `migrations[n]` receives a version-`n`
 * document and returns its version-`n + 1` form; the runner sets `schemaVersion` afterwards, so
 * a migration only reshapes data.
 */
export type StoreMigration = (data: unknown) => unknown;

/**
 * Every migration the store knows, keyed by the version it upgrades from.
 * - 1 → 2: the data is unchanged; version 2 only lays it out differently on disk (an index, one
 *   document per test and a journal, see `ledger-files.ts`). A single-document store of version
 *   1 is read as it is and written in the new layout by the next transaction.
 * - 2 → 3: the data is unchanged; version 3's journal may also add findings and import records.
 *   A version-2 store is read as it is; the store journals additions only once its index on
 *   disk says version 3 (the next document write).
 */
export const STORE_MIGRATIONS: Readonly<Record<number, StoreMigration>> = {
  1: (data) => data,
  2: (data) => data,
};

/** Why a document could not be turned into current store data. */
export type StoreDocumentProblem =
  | { kind: 'corrupt'; reason: string }
  | { kind: 'newer-schema'; reason: string; version: number }
  | { kind: 'old-schema'; reason: string; version: number };

export type StoreDocumentResult =
  | { ok: true; data: StoreData; migratedFrom: number | null }
  | { ok: false; problem: StoreDocumentProblem };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Applies the migrations from `fromVersion` up to `toVersion`, in order. Throws when a step is
 * missing or a migration throws; the caller turns that into a set-aside, never a data loss.
 */
export function migrateStoreDocument(
  document: unknown,
  fromVersion: number,
  migrations: Readonly<Record<number, StoreMigration>>,
  toVersion: number = STORE_SCHEMA_VERSION,
): unknown {
  let current = document;
  for (let version = fromVersion; version < toVersion; version++) {
    const migrate = migrations[version];
    if (!migrate) throw new Error(`no migration from schema version ${version} to ${version + 1}`);
    try {
      current = migrate(current);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`migration from schema version ${version} to ${version + 1} failed: ${detail}`, { cause });
    }
    if (!isRecord(current)) throw new Error(`migration from schema version ${version} returned no object`);
    current = { ...current, schemaVersion: version + 1 };
  }
  return current;
}

const ID_KINDS = ['productType', 'product', 'engagement', 'test', 'finding', 'importRecord', 'note'] as const;

const LISTS = ['productTypes', 'products', 'engagements', 'tests', 'findings', 'imports'] as const;

/** Which list each `nextIds` counter hands out ids for (notes live inside findings). */
const LIST_OF_KIND: Record<(typeof ID_KINDS)[number], (typeof LISTS)[number] | null> = {
  productType: 'productTypes',
  product: 'products',
  engagement: 'engagements',
  test: 'tests',
  finding: 'findings',
  importRecord: 'imports',
  note: null,
};

/** The structure of one finding the Ledger relies on, beyond the id its list checks. */
function findingStructureProblem(f: Record<string, unknown>, i: number): string | null {
  if (!isId(f.testId)) return `"findings[${i}].testId" is not a positive integer`;
  if (f.notes !== undefined && !Array.isArray(f.notes)) return `"findings[${i}].notes" is not an array`;
  return null;
}

/** The structure of one import record the Ledger relies on, beyond the id its list checks. */
function importStructureProblem(r: Record<string, unknown>, i: number): string | null {
  if (!isId(r.testId)) return `"imports[${i}].testId" is not a positive integer`;
  if (!Array.isArray(r.actions)) return `"imports[${i}].actions" is not an array`;
  // Warnings are optional (stores written before them have none) and are shown as text.
  const warnings = r.warnings;
  if (warnings !== undefined && !(Array.isArray(warnings) && warnings.every((w) => typeof w === 'string'))) {
    return `"imports[${i}].warnings" is not a list of strings`;
  }
  return null;
}

/**
 * Checks the structure the Ledger relies on: the lists exist, every record has a positive
 * integer id that is unique in its list, findings and tests point at their parents by id.
 * Returns the first problem found, or null. Field-level content (titles, severities) is not
 * checked here: the engine tolerates odd values, while a broken structure would corrupt the
 * indexes.
 */
export function findStructuralProblem(document: Record<string, unknown>): string | null {
  const nextIds = document.nextIds;
  if (!isRecord(nextIds)) return '"nextIds" is missing or not an object';
  for (const kind of ID_KINDS) {
    if (!isId(nextIds[kind])) return `"nextIds.${kind}" is not a positive integer`;
  }
  for (const list of LISTS) {
    const records = document[list];
    if (!Array.isArray(records)) return `"${list}" is missing or not an array`;
    const seen = new Set<number>();
    for (let i = 0; i < records.length; i++) {
      const record: unknown = records[i];
      if (!isRecord(record)) return `"${list}[${i}]" is not an object`;
      if (!isId(record.id)) return `"${list}[${i}].id" is not a positive integer`;
      if (seen.has(record.id)) return `"${list}" holds id ${record.id} twice`;
      seen.add(record.id);
    }
  }
  const findings = document.findings as Record<string, unknown>[];
  for (let i = 0; i < findings.length; i++) {
    const problem = findingStructureProblem(findings[i], i);
    if (problem) return problem;
  }
  const tests = document.tests as Record<string, unknown>[];
  for (let i = 0; i < tests.length; i++) {
    if (!isId(tests[i].engagementId)) return `"tests[${i}].engagementId" is not a positive integer`;
  }
  const imports = document.imports as Record<string, unknown>[];
  for (let i = 0; i < imports.length; i++) {
    const problem = importStructureProblem(imports[i], i);
    if (problem) return problem;
  }
  if (!isRecord(document.hashConfigFingerprints)) return '"hashConfigFingerprints" is missing or not an object';
  // Finding groups are optional (stores written before them have none), but when present the
  // Ledger indexes them by test and edits their member lists, so their shape must hold.
  const groups = document.findingGroups;
  if (groups !== undefined) {
    if (!Array.isArray(groups)) return '"findingGroups" is not an array';
    const seen = new Set<number>();
    for (let i = 0; i < groups.length; i++) {
      const g: unknown = groups[i];
      if (!isRecord(g)) return `"findingGroups[${i}]" is not an object`;
      if (!isId(g.id)) return `"findingGroups[${i}].id" is not a positive integer`;
      if (seen.has(g.id)) return `"findingGroups" holds id ${g.id} twice`;
      seen.add(g.id);
      if (!isId(g.testId)) return `"findingGroups[${i}].testId" is not a positive integer`;
      if (!Array.isArray(g.findingIds)) return `"findingGroups[${i}].findingIds" is not an array`;
    }
  }
  // The DefectDojo sync state is optional too (issue 14); `pull` reads its links and note list.
  const sync = document.defectdojoSync;
  if (sync !== undefined) {
    if (!isRecord(sync)) return '"defectdojoSync" is not an object';
    for (const [server, state] of Object.entries(sync)) {
      if (!isRecord(state) || !isRecord(state.links) || !Array.isArray(state.sentNotes)) {
        return `"defectdojoSync[${JSON.stringify(server)}]" is not a sync state with links and sentNotes`;
      }
    }
  }
  return null;
}

/**
 * The shape of each stored finding field the engine and the hosts call methods on or index
 * (issue 16, item 9): a hand-edited, merged or hostile store with a number as a title, a null
 * severity or an audit trail that is not a list would otherwise crash a command with "… is not
 * a function" half way through, instead of being set aside like any other unreadable store.
 * Checked with plain `typeof` tests in one pass (about 40 ms for 100 000 findings, against
 * about a second to parse such a store), before the ledger indexes anything.
 */

/** Finding fields holding lists of text. */
const TEXT_LISTS = ['vulnerabilityIds', 'endpoints', 'tags', 'foundBy'] as const;

const SEVERITY_SET: ReadonlySet<unknown> = new Set(SEVERITIES);

function optionalText(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
}
function optionalNumber(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'number';
}
function optionalFlag(v: unknown): boolean {
  return v === undefined || typeof v === 'boolean';
}
function optionalObject(v: unknown): boolean {
  return v === undefined || v === null || isRecord(v);
}

/**
 * The first field of one finding that has the wrong shape, as a sentence, or null. Written as
 * plain loops over field lists (no per-field closures) because it runs for every finding of a
 * store on every load.
 */
function findingFieldProblem(f: Partial<Record<string, unknown>>, i: number): string | null {
  if (typeof f.title !== 'string') return `"findings[${i}].title" is not text`;
  if (!SEVERITY_SET.has(f.severity)) return `"findings[${i}].severity" is not one of ${SEVERITIES.join(', ')}`;
  // Spelled out field by field: named property reads are several times faster than reads by a
  // computed key, and this runs for every finding of the store on every load.
  const field =
    (!optionalText(f.description) && 'description') ||
    (!optionalText(f.numericalSeverity) && 'numericalSeverity') ||
    (!optionalText(f.date) && 'date') ||
    (!optionalText(f.hashCode) && 'hashCode') ||
    (!optionalText(f.fingerprint) && 'fingerprint') ||
    (!optionalText(f.lineHash) && 'lineHash') ||
    (!optionalText(f.regionHash) && 'regionHash') ||
    (!optionalText(f.filePath) && 'filePath') ||
    (!optionalText(f.componentName) && 'componentName') ||
    (!optionalText(f.componentVersion) && 'componentVersion') ||
    (!optionalText(f.uniqueIdFromTool) && 'uniqueIdFromTool') ||
    (!optionalText(f.vulnIdFromTool) && 'vulnIdFromTool') ||
    (!optionalText(f.cve) && 'cve') ||
    (!optionalText(f.mitigation) && 'mitigation') ||
    (!optionalText(f.impact) && 'impact') ||
    (!optionalText(f.references) && 'references') ||
    (!optionalText(f.mitigated) && 'mitigated') ||
    (!optionalText(f.mitigatedBy) && 'mitigatedBy') ||
    (!optionalText(f.reporter) && 'reporter') ||
    (!optionalText(f.created) && 'created') ||
    (!optionalText(f.lastStatusUpdate) && 'lastStatusUpdate');
  if (field) return `"findings[${i}].${field}" is not text or null`;
  const number =
    (!optionalNumber(f.line) && 'line') ||
    (!optionalNumber(f.cwe) && 'cwe') ||
    (!optionalNumber(f.duplicateOf) && 'duplicateOf');
  if (number) return `"findings[${i}].${number}" is not a number or null`;
  const flag =
    (!optionalFlag(f.active) && 'active') ||
    (!optionalFlag(f.verified) && 'verified') ||
    (!optionalFlag(f.falsePositive) && 'falsePositive') ||
    (!optionalFlag(f.outOfScope) && 'outOfScope') ||
    (!optionalFlag(f.riskAccepted) && 'riskAccepted') ||
    (!optionalFlag(f.underReview) && 'underReview') ||
    (!optionalFlag(f.isMitigated) && 'isMitigated') ||
    (!optionalFlag(f.duplicate) && 'duplicate') ||
    (!optionalFlag(f.staticFinding) && 'staticFinding') ||
    (!optionalFlag(f.dynamicFinding) && 'dynamicFinding');
  if (flag) return `"findings[${i}].${flag}" is not true or false`;
  const object =
    (!optionalObject(f.location) && 'location') ||
    (!optionalObject(f.suppression) && 'suppression') ||
    (!optionalObject(f.riskAcceptance) && 'riskAcceptance');
  if (object) return `"findings[${i}].${object}" is not an object or null`;
  const audit = f.audit;
  if (!Array.isArray(audit)) return `"findings[${i}].audit" is not a list`;
  for (let j = 0; j < audit.length; j++) {
    const entry: unknown = audit[j];
    if (!isRecord(entry) || typeof entry.at !== 'string' || typeof entry.field !== 'string') {
      return `"findings[${i}].audit[${j}]" is not an audit entry (with "at" and "field" as text)`;
    }
  }
  const notes = f.notes;
  if (notes !== undefined) {
    if (!Array.isArray(notes)) return `"findings[${i}].notes" is not a list`;
    for (let j = 0; j < notes.length; j++) {
      const note: unknown = notes[j];
      if (!isRecord(note) || !isId(note.id) || typeof note.text !== 'string' || typeof note.at !== 'string') {
        return `"findings[${i}].notes[${j}]" is not a note (with a positive id and "at" and "text" as text)`;
      }
    }
  }
  for (const list of TEXT_LISTS) {
    const values = f[list];
    if (values === undefined) continue;
    if (!Array.isArray(values)) return `"findings[${i}].${list}" is not a list`;
    for (let j = 0; j < values.length; j++) if (typeof values[j] !== 'string') return `"findings[${i}].${list}" holds something that is not text`;
  }
  const cwes = f.cwes;
  if (cwes !== undefined) {
    if (!Array.isArray(cwes)) return `"findings[${i}].cwes" is not a list`;
    for (let j = 0; j < cwes.length; j++) if (typeof cwes[j] !== 'number') return `"findings[${i}].cwes" holds something that is not a number`;
  }
  const statuses = f.endpointStatus;
  if (statuses !== undefined) {
    if (!Array.isArray(statuses)) return `"findings[${i}].endpointStatus" is not a list`;
    for (let j = 0; j < statuses.length; j++) {
      const s: unknown = statuses[j];
      if (!isRecord(s) || typeof s.endpoint !== 'string') return `"findings[${i}].endpointStatus" holds an entry that is not an endpoint status`;
    }
  }
  return null;
}

/**
 * The first problem of findings and import records read outside a whole-store load (the
 * editor's read-ahead of the shown files), checked as a load checks them, or null.
 */
export function findRecordsProblem(findings: readonly unknown[], imports: readonly unknown[]): string | null {
  for (let i = 0; i < findings.length; i++) {
    const f: unknown = findings[i];
    if (!isRecord(f) || !isId(f.id)) return `"findings[${i}]" is not an object with a positive integer id`;
    const problem = findingStructureProblem(f, i) ?? findingFieldProblem(f, i);
    if (problem) return problem;
  }
  for (let i = 0; i < imports.length; i++) {
    const r: unknown = imports[i];
    if (!isRecord(r) || !isId(r.id)) return `"imports[${i}]" is not an object with a positive integer id`;
    const problem = importStructureProblem(r, i) ?? importFieldProblem(r, i);
    if (problem) return problem;
  }
  return null;
}

/** The first finding field of the wrong shape, as a sentence, or null. */
export function findFieldProblem(document: Record<string, unknown>): string | null {
  const findings = document.findings as Record<string, unknown>[];
  for (let i = 0; i < findings.length; i++) {
    const problem = findingFieldProblem(findings[i], i);
    if (problem) return problem;
  }
  for (const list of ['productTypes', 'products', 'engagements'] as const) {
    const records = document[list] as Record<string, unknown>[];
    for (let i = 0; i < records.length; i++) if (typeof records[i].name !== 'string') return `"${list}[${i}].name" is not text`;
  }
  const tests = document.tests as Record<string, unknown>[];
  for (let i = 0; i < tests.length; i++) {
    if (typeof tests[i].scanType !== 'string') return `"tests[${i}].scanType" is not text`;
    if (tests[i].title != null && typeof tests[i].title !== 'string') return `"tests[${i}].title" is not text or null`;
  }
  const imports = document.imports as Record<string, unknown>[];
  for (let i = 0; i < imports.length; i++) {
    const problem = importFieldProblem(imports[i], i);
    if (problem) return problem;
  }
  return null;
}

/** The first action of one import record (whose structure holds) that is not an object, or null. */
function importFieldProblem(r: Record<string, unknown>, i: number): string | null {
  const actions = r.actions as unknown[];
  for (let j = 0; j < actions.length; j++) if (!isRecord(actions[j])) return `"imports[${i}].actions[${j}]" is not an object`;
  return null;
}

/**
 * Raises every `nextIds` counter above the highest id in use. A hand-edited or merged file can
 * leave a counter behind its list; handing out an id twice would make two records one in the
 * indexes, while raising a counter loses nothing.
 */
function raiseNextIds(data: StoreData): void {
  for (const kind of ID_KINDS) {
    const list = LIST_OF_KIND[kind];
    let highest = 0;
    if (list) {
      for (const record of data[list]) if (record.id > highest) highest = record.id;
    } else {
      for (const f of data.findings) for (const n of f.notes ?? []) if (n.id > highest) highest = n.id;
    }
    if (data.nextIds[kind] <= highest) data.nextIds[kind] = highest + 1;
  }
}

/**
 * Turns a parsed store file into current store data: checks the schema version, runs the
 * migrations from the file's version, validates the structure. Never throws: a document that
 * cannot be used comes back as a problem, which the store answers by setting the file aside.
 */
export function readStoreDocument(
  document: unknown,
  migrations: Readonly<Record<number, StoreMigration>> = STORE_MIGRATIONS,
  currentVersion: number = STORE_SCHEMA_VERSION,
): StoreDocumentResult {
  if (!isRecord(document)) return { ok: false, problem: { kind: 'corrupt', reason: 'the file does not hold a JSON object' } };
  const version = document.schemaVersion;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    return { ok: false, problem: { kind: 'corrupt', reason: '"schemaVersion" is missing or not a whole number' } };
  }
  if (version > currentVersion) {
    return {
      ok: false,
      problem: {
        kind: 'newer-schema',
        version,
        reason: `schema version ${version} is newer than this Scan Ledger understands (${currentVersion}); update Scan Ledger to read it`,
      },
    };
  }
  let migrated: unknown = document;
  if (version < currentVersion) {
    try {
      migrated = migrateStoreDocument(document, version, migrations, currentVersion);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      return { ok: false, problem: { kind: 'old-schema', version, reason } };
    }
  }
  const problem = findStructuralProblem(migrated as Record<string, unknown>) ?? findFieldProblem(migrated as Record<string, unknown>);
  if (problem) return { ok: false, problem: { kind: 'corrupt', reason: problem } };
  const data = migrated as StoreData;
  raiseNextIds(data);
  return { ok: true, data, migratedFrom: version < currentVersion ? version : null };
}
