import { STORE_SCHEMA_VERSION, type StoreData } from '../model';

/**
 * Upgrades a store document by one schema version. `migrations[n]` receives a version-`n`
 * document and returns its version-`n + 1` form; the runner sets `schemaVersion` afterwards, so
 * a migration only reshapes data.
 */
export type StoreMigration = (data: unknown) => unknown;

/**
 * Every migration the store knows, keyed by the version it upgrades from. Empty while the
 * schema is at its first version; the first change to the persisted shape adds entry 1 here and
 * bumps `STORE_SCHEMA_VERSION`.
 */
export const STORE_MIGRATIONS: Readonly<Record<number, StoreMigration>> = {};

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
    const f = findings[i];
    if (!isId(f.testId)) return `"findings[${i}].testId" is not a positive integer`;
    if (f.notes !== undefined && !Array.isArray(f.notes)) return `"findings[${i}].notes" is not an array`;
  }
  const tests = document.tests as Record<string, unknown>[];
  for (let i = 0; i < tests.length; i++) {
    if (!isId(tests[i].engagementId)) return `"tests[${i}].engagementId" is not a positive integer`;
  }
  const imports = document.imports as Record<string, unknown>[];
  for (let i = 0; i < imports.length; i++) {
    if (!isId(imports[i].testId)) return `"imports[${i}].testId" is not a positive integer`;
    if (!Array.isArray(imports[i].actions)) return `"imports[${i}].actions" is not an array`;
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
  const problem = findStructuralProblem(migrated as Record<string, unknown>);
  if (problem) return { ok: false, problem: { kind: 'corrupt', reason: problem } };
  const data = migrated as StoreData;
  raiseNextIds(data);
  return { ok: true, data, migratedFrom: version < currentVersion ? version : null };
}
