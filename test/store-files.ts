import { existsSync, promises as fs, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding, ImportRecord, StoreData } from '../src/model';
import { decodeFinding, journalPathOf, LedgerStore, partsFolderOf } from '../src/store';

/**
 * Test helpers for the store's files (issue 13): the store is an index, per-test documents and a
 * journal, so tests that inspect or break "the store file" go through these.
 */

/** The store's data as a fresh process would read it, without changing anything. */
export async function storedData(storePath: string): Promise<StoreData> {
  const store = await LedgerStore.open(storePath, { fsync: false, onUnreadable: 'fail' });
  try {
    return structuredClone(store.ledger.data);
  } finally {
    await store.close();
  }
}

/** The store's data as the single document a store of schema 1 (the previous release) held. */
export async function singleDocumentOf(storePath: string): Promise<Record<string, unknown> & { findings: Record<string, unknown>[] }> {
  const data = await storedData(storePath);
  return { ...data, schemaVersion: 1 } as unknown as Record<string, unknown> & { findings: Record<string, unknown>[] };
}

/** Replaces the store with a single document of schema 1, as the previous release wrote it. */
export async function writeSingleDocument(storePath: string, document: unknown): Promise<string> {
  const ext = path.extname(storePath);
  const stem = ext ? storePath.slice(0, -ext.length) : storePath;
  await fs.rm(`${stem}.parts`, { recursive: true, force: true });
  await fs.rm(`${stem}.journal`, { force: true });
  const bytes = typeof document === 'string' ? document : JSON.stringify(document);
  await fs.mkdir(path.dirname(storePath), { recursive: true });
  await fs.writeFile(storePath, bytes);
  return bytes;
}

/** The store's files that exist: the index, every file of its documents folder (sorted), the journal. */
export function storeFilePaths(storePath: string): string[] {
  const parts = partsFolderOf(storePath);
  return [
    ...(existsSync(storePath) ? [storePath] : []),
    ...(existsSync(parts) ? readdirSync(parts).sort().map((name) => path.join(parts, name)) : []),
    ...(existsSync(journalPathOf(storePath)) ? [journalPathOf(storePath)] : []),
  ];
}

/** Every file of the store (index, documents, journal) with its bytes, to compare before and after. */
export async function storeFiles(storePath: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of storeFilePaths(storePath)) out.set(path.relative(path.dirname(storePath), file), await fs.readFile(file, 'base64'));
  return out;
}

/**
 * The store's data read synchronously from its files, without the store's checks (index,
 * documents, then the journal's entries past the index), for tests that run the CLI
 * synchronously and look at what it saved.
 */
export function readStoreSync(storePath: string): StoreData {
  const index = JSON.parse(readFileSync(storePath, 'utf8')) as Record<string, unknown>;
  if (!('parts' in index)) return index as unknown as StoreData;
  const { parts, generation: _g, journalThrough, ...fields } = index as { parts: Record<string, { file: string }>; generation: number; journalThrough: number };
  const findings: Finding[] = [];
  const imports: ImportRecord[] = [];
  for (const entry of Object.values(parts)) {
    const lines = readFileSync(path.join(partsFolderOf(storePath), entry.file), 'utf8').split('\n').filter(Boolean);
    const header = JSON.parse(lines[0]) as { imports: ImportRecord[] };
    imports.push(...header.imports);
    for (const line of lines.slice(1)) findings.push(decodeFinding(JSON.parse(line) as Record<string, unknown>));
  }
  const data = { ...fields, findings, imports } as unknown as StoreData;
  let journal = '';
  try {
    journal = readFileSync(journalPathOf(storePath), 'utf8');
  } catch {
    // No journal: nothing changed since the documents were written.
  }
  for (const line of journal.split('\n')) {
    if (!line) continue;
    const entry = JSON.parse(line) as { seq: number; index?: object; findings: Record<string, unknown>[]; added?: Record<string, unknown>[]; imports?: ImportRecord[] };
    if (entry.seq <= journalThrough) continue;
    if (entry.index) Object.assign(data, entry.index);
    for (const raw of entry.findings) {
      const f = decodeFinding(raw);
      const at = data.findings.findIndex((x) => x.id === f.id);
      data.findings[at] = f;
    }
    // Schema 3: a reimport's new findings and import record.
    for (const raw of entry.added ?? []) data.findings.push(decodeFinding(raw));
    data.imports.push(...(entry.imports ?? []));
  }
  data.findings.sort((a, b) => a.id - b.id);
  data.imports.sort((a, b) => a.id - b.id);
  return data;
}

/** Every file of the store (index, documents, journal) as one buffer, or null without a store. */
export function storeBytesSync(storePath: string): Buffer | null {
  if (!existsSync(storePath)) return null;
  return Buffer.concat(storeFilePaths(storePath).flatMap((file) => [Buffer.from(`\n${path.basename(file)}\n`), readFileSync(file)]));
}

/**
 * Replaces the store with `data` as a single document of schema 1 (what the previous release
 * wrote), which the next command reads and migrates: the way tests edit a store by hand. The
 * document is renamed over the index, so a process watching the store never sees a half-written
 * one; the old documents and journal are left for the store to clear (a single document does
 * not name them).
 */
export function writeStoreSync(storePath: string, data: StoreData): void {
  const temp = `${storePath}.test-tmp`;
  writeFileSync(temp, JSON.stringify({ ...data, schemaVersion: 1 }));
  renameSync(temp, storePath);
}

/** The bytes of every file of the store, summed. */
export function storeSizeSync(storePath: string): number {
  return storeFilePaths(storePath).reduce((sum, file) => sum + statSync(file).size, 0);
}
