import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findingFilePath, STORE_SCHEMA_VERSION, type Finding, type ImportRecord } from '../model';
import {
  indexLayoutProblem,
  isIndexDocument,
  journalPathOf,
  partsFolderOf,
  readJournal,
  readLineRanges,
  readPartImports,
  readPathTable,
  type IndexDocument,
} from './ledger-files';
import { findRecordsProblem } from './schema';

/**
 * The findings of a few files, read before the store is opened (issue 13: the editor draws the
 * files it shows first, then reads the rest). The index names each test's document; each
 * document's path table says which byte ranges hold a file's findings; those ranges are read,
 * and the journal's later changes are laid over them. At 100,000 findings that is a few
 * megabytes read instead of 190.
 *
 * This is a read-only shortcut beside `LedgerStore.open`, never instead of it: it takes no lock,
 * writes nothing, runs no migration and sets nothing aside. Whenever it cannot answer exactly
 * (no store, an index of another schema, a document without a path table, a file that changed
 * while it read) it gives null, and the caller waits for the full open, which also reports any
 * real problem with the store.
 */

/** What the files' findings need to be drawn: the findings and the import records of their tests. */
export interface FindingsOfFiles {
  findings: Finding[];
  /** The import records of the tests those findings belong to (for the "reopened by import" label). */
  imports: ImportRecord[];
}

/**
 * The findings whose file (`findingFilePath`) `wanted` accepts, as the store at `storePath` holds
 * them, or null when they cannot be read without opening the whole store.
 */
export async function readFindingsOfFiles(storePath: string, wanted: (filePath: string) => boolean): Promise<FindingsOfFiles | null> {
  try {
    return await read(storePath, wanted);
  } catch {
    // A document replaced by another process between the index and the read, a torn journal
    // line, a hand-edited file: the full open that follows reads the store as it is and says
    // what is wrong, if anything is.
    return null;
  }
}

async function read(storePath: string, wanted: (filePath: string) => boolean): Promise<FindingsOfFiles | null> {
  const document: unknown = JSON.parse(await fs.readFile(storePath, 'utf8'));
  if (!isIndexDocument(document)) return null;
  const index = document as Record<string, unknown>;
  // Another schema may lay its files out differently, and an older one is migrated by the open.
  if (index.schemaVersion !== STORE_SCHEMA_VERSION || indexLayoutProblem(index) !== null) return null;
  const { journalThrough, parts } = index as unknown as IndexDocument;
  const folder = partsFolderOf(storePath);
  const byId = new Map<number, Finding>();
  for (const [test, entry] of Object.entries(parts)) {
    const table = await readPathTable(folder, entry);
    // Without the table, any finding of this test may be in a wanted file.
    if (!table) return null;
    const ranges: number[] = [];
    for (const [file, fileRanges] of table.paths) if (wanted(file)) ranges.push(...fileRanges);
    if (ranges.length === 0) continue;
    for (const f of await readLineRanges(path.join(folder, entry.file), Number(test), ranges)) {
      // The table and its document disagree: not a document this store wrote.
      if (!wanted(findingFilePath(f) ?? '')) return null;
      byId.set(f.id, f);
    }
  }
  // The journal's changes since the documents were written, oldest first: a finding edited or
  // added into a wanted file is taken, one edited out of it is dropped.
  const imports: ImportRecord[] = [];
  const journal = await readJournal(journalPathOf(storePath));
  for (const entry of journal?.entries ?? []) {
    if (entry.seq <= journalThrough) continue;
    for (const f of [...entry.findings, ...(entry.added ?? [])]) {
      const file = findingFilePath(f);
      if (file !== null && wanted(file)) byId.set(f.id, f);
      else byId.delete(f.id);
    }
    imports.push(...(entry.imports ?? []));
  }
  const findings = [...byId.values()].sort((a, b) => a.id - b.id);
  const tests = new Set(findings.map((f) => f.testId));
  for (const test of tests) {
    const entry = parts[test];
    if (entry) imports.push(...(await readPartImports(path.join(folder, entry.file), test)));
  }
  // The editor draws these before the open checks the store: they are checked as it would
  // check them, so a store the open would set aside (a hostile one committed to the
  // repository) is never drawn from.
  if (findRecordsProblem(findings, imports) !== null) return null;
  return { findings, imports: imports.filter((r) => tests.has(r.testId)).sort((a, b) => a.id - b.id) };
}
