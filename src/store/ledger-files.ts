import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { numericalSeverity, partitionPoint } from '../engine';
import type { Finding, ImportRecord, StoreData } from '../model';
import { findingFilePath } from '../model';
import { writeThroughTemporary } from './atomic-file';

/**
 * The files of a store (issue 13). The store path names the index document; beside it live a
 * folder of per-test documents and a journal:
 *
 *   store.json        the index: products, engagements, tests, counters, settings fingerprints,
 *                     sync state, and which per-test document holds each test's findings
 *   store.parts/      one JSON Lines document per test: a header line with the test's import
 *                     records, then one finding per line; written only when that test changes,
 *                     under a new name each time, so a document the index names never changes
 *   store.journal     JSON Lines of small changes (a triage, a note, a status) appended since the
 *                     documents were last written, each flushed to disk before the change counts
 *
 * JSON Lines keep every string short: a single-document store hit V8's string length limit at a
 * few hundred thousand findings (issue 16, item 1).
 */

/** The folder of per-test documents beside the index at `storePath`. */
export function partsFolderOf(storePath: string): string {
  const ext = path.extname(storePath);
  return `${ext ? storePath.slice(0, -ext.length) : storePath}.parts`;
}

/** The journal beside the index at `storePath`. */
export function journalPathOf(storePath: string): string {
  const ext = path.extname(storePath);
  return `${ext ? storePath.slice(0, -ext.length) : storePath}.journal`;
}

/** A per-test document's name: the test id and the index generation that wrote it. */
export function partFileName(testId: number, generation: number): string {
  return `t${testId}-g${generation}.jsonl`;
}

/** Names the store writes in its parts folder; anything else there is not ours and is left alone. */
const PART_NAME = /^t([1-9][0-9]{0,15})-g([1-9][0-9]{0,15})\.jsonl$/;
const PART_TEMP_NAME = /^\.t[1-9][0-9]{0,15}-g[1-9][0-9]{0,15}\.jsonl\.tmp$/;

export function isPartFileName(name: string): boolean {
  return PART_NAME.test(name);
}

export function isPartTemporaryName(name: string): boolean {
  return PART_TEMP_NAME.test(name);
}

/**
 * A document's path table: which of its lines hold the findings of each file, so the editor
 * can draw the files it shows before it has read the rest of the store. It sits beside its
 * document under the document's name (`t1-g1.jsonl` → `t1-g1.paths.json`) and, like it, never
 * changes once written; it goes when its document goes.
 */
export function pathTableNameOf(documentName: string): string {
  return documentName.replace(/\.jsonl$/, '.paths.json');
}

const PATH_TABLE_NAME = /^(t[1-9][0-9]{0,15}-g[1-9][0-9]{0,15})\.paths\.json$/;
const PATH_TABLE_TEMP_NAME = /^\.t[1-9][0-9]{0,15}-g[1-9][0-9]{0,15}\.paths\.json\.tmp$/;

/** The document a path table belongs to, or null for a name that is not a path table's. */
export function documentOfPathTable(name: string): string | null {
  const match = PATH_TABLE_NAME.exec(name);
  return match ? `${match[1]}.jsonl` : null;
}

export function isPathTableTemporaryName(name: string): boolean {
  return PATH_TABLE_TEMP_NAME.test(name);
}

/** What the index says about one test's document. */
export interface PartEntry {
  file: string;
  findings: number;
  imports: number;
  bytes: number;
  /**
   * The finding ids the document holds, as inclusive ranges in ascending order: which document
   * to open for one finding without reading the others (a `triage` from the command line).
   */
  ids?: [number, number][];
}

/** The index document: the store's data without findings and import records, plus the layout. */
export interface IndexDocument extends Omit<StoreData, 'findings' | 'imports'> {
  /** Bumped by every write of the index; names the per-test documents it writes. */
  generation: number;
  /** The highest journal sequence number whose change the index and documents already hold. */
  journalThrough: number;
  /** Test id → its document. A test without findings or imports has none. */
  parts: Record<string, PartEntry>;
}

/** The store data held in the index (everything but findings and import records). */
export type IndexFields = Omit<StoreData, 'findings' | 'imports'>;

/** Picks the index's data fields out of store data, without copying them. */
export function indexFieldsOf(data: StoreData): IndexFields {
  const { findings: _findings, imports: _imports, ...rest } = data;
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** True when a parsed document is an index (as opposed to a single-document store of schema 1). */
export function isIndexDocument(document: unknown): boolean {
  return isRecord(document) && 'parts' in document;
}

/**
 * Checks the layout fields of an index: counters, and part entries whose file names the store
 * itself would write (a hostile index must not make us read or delete any other file).
 * Returns the first problem as a sentence, or null.
 */
export function indexLayoutProblem(document: Record<string, unknown>): string | null {
  // Findings and import records live in the per-test documents; an index holding them was not
  // written by this store, and reading it as if they were not there would hide that.
  for (const list of ['findings', 'imports']) if (list in document) return `"${list}" has no place in an index (they are kept in the per-test documents)`;
  if (!isCount(document.generation)) return '"generation" is not a whole number';
  if (!isCount(document.journalThrough)) return '"journalThrough" is not a whole number';
  const parts = document.parts;
  if (!isRecord(parts)) return '"parts" is not an object';
  for (const [testId, entry] of Object.entries(parts)) {
    if (!/^[1-9][0-9]{0,15}$/.test(testId)) return `"parts" names test ${JSON.stringify(testId)}, which is not a test id`;
    if (!isRecord(entry)) return `"parts.${testId}" is not an object`;
    const match = typeof entry.file === 'string' ? PART_NAME.exec(entry.file) : null;
    if (!match || match[1] !== testId) return `"parts.${testId}.file" is not a document name of test ${testId}`;
    if (!isCount(entry.findings) || !isCount(entry.imports) || !isCount(entry.bytes)) {
      return `"parts.${testId}" has counts that are not whole numbers`;
    }
    if (entry.ids !== undefined && !(Array.isArray(entry.ids) && entry.ids.every((r) => Array.isArray(r) && r.length === 2 && isCount(r[0]) && isCount(r[1]) && r[0] <= r[1]))) {
      return `"parts.${testId}.ids" is not a list of id ranges`;
    }
  }
  return null;
}

/*
 * Compact finding encoding: fields every finding has are left out when they hold their usual
 * value, and the numerical severity, which follows from the severity, is left out when it does.
 * Decoding puts them back, so the in-memory finding is the one that was saved. Only fields
 * the Finding type requires are treated so: an optional field's absence means something of its
 * own and is kept as it is.
 */
const FINDING_DEFAULTS: ReadonlyArray<readonly [keyof Finding, () => unknown]> = [
  ['hashCode', () => null],
  ['cwe', () => null],
  ['vulnerabilityIds', () => []],
  ['cwes', () => []],
  ['endpoints', () => []],
  ['tags', () => []],
  ['active', () => true],
  ['verified', () => false],
  ['falsePositive', () => false],
  ['outOfScope', () => false],
  ['riskAccepted', () => false],
  ['underReview', () => false],
  ['isMitigated', () => false],
  ['mitigated', () => null],
  ['mitigatedBy', () => null],
  ['staticFinding', () => false],
  ['dynamicFinding', () => false],
  ['duplicate', () => false],
  ['duplicateOf', () => null],
  ['notes', () => []],
  ['audit', () => []],
];

/** Field name → whether a value is that field's usual one, for the fields above. */
const USUAL_VALUE: ReadonlyMap<string, (value: unknown) => boolean> = new Map(
  FINDING_DEFAULTS.map(([field, make]) => {
    const d = make();
    return [field, Array.isArray(d) ? (v: unknown) => Array.isArray(v) && v.length === 0 : (v: unknown) => v === d] as const;
  }),
);

/**
 * A finding as one line of a per-test document or journal entry: its JSON, whole. Leaving out
 * the usual values (see `compactFinding`) saves 17% of the bytes of a 100,000-finding SARIF
 * store (1,879 → 1,556 bytes a finding; the bulk is descriptions, snippets and hashes) but
 * takes 55% longer to encode (about 1.25 s against 0.8 s for 100,000 findings, measured in one
 * process), about 0.3 s more per write of such a test once the smaller write is counted.
 * Writes are what users wait for and disk is cheap, so findings are written whole.
 */
export function encodeFinding(f: Finding): string {
  return JSON.stringify(f);
}

/**
 * The finding without the usual values: the compact encoding measured above, which a document
 * may hold (`decodeFinding` restores what it leaves out) but the store does not write.
 */
export function compactFinding(f: Finding): string {
  const out: Record<string, unknown> = {};
  const record = f as unknown as Record<string, unknown>;
  const derived = numericalSeverity(f.severity);
  for (const key in record) {
    const value = record[key];
    if (key === 'numericalSeverity' ? value === derived : USUAL_VALUE.get(key)?.(value)) continue;
    out[key] = value;
  }
  return JSON.stringify(out);
}

/**
 * Restores the fields `encodeFinding` left out, and lets fields that repeat another field's
 * text share its string (`shareRepeatedText`).
 */
export function decodeFinding(record: Record<string, unknown>): Finding {
  for (const [field, make] of FINDING_DEFAULTS) if (!(field in record)) record[field] = make();
  if (!('numericalSeverity' in record) && typeof record.severity === 'string') record.numericalSeverity = numericalSeverity(record.severity);
  shareRepeatedText(record, REPEATED_IN_FINDING, record);
  const location = record.location;
  if (typeof location === 'object' && location !== null) shareRepeatedText(location as Record<string, unknown>, REPEATED_IN_LOCATION, record);
  return record as unknown as Finding;
}

/*
 * Fields whose text is usually that of another field of the same finding: a region of one line
 * hashes as the line does, the review and status times start as the creation time, the reviewer
 * is the reporter, and a SARIF location repeats the file path, the rule id and its help URI.
 * `JSON.parse` gives each field a copy of its own; pointing the second at the first keeps one
 * string. A loaded 100,000-finding SARIF test takes 15% less heap for it (203 → 173 MB), and the
 * garbage collector copies that much less while a store is read. Strings are immutable, so no
 * code can tell the difference. Each pair is [field, the finding's field it repeats].
 */
const REPEATED_IN_FINDING: ReadonlyArray<readonly [string, string]> = [
  ['regionHash', 'lineHash'],
  ['lastStatusUpdate', 'created'],
  ['lastReviewed', 'created'],
  ['lastReviewedBy', 'reporter'],
];
const REPEATED_IN_LOCATION: ReadonlyArray<readonly [string, string]> = [
  ['resolvedPath', 'filePath'],
  ['ruleId', 'vulnIdFromTool'],
  ['ruleHelpUri', 'references'],
];

/** Points each field of `target` that holds the same text as its partner in `finding` at the partner's string. */
function shareRepeatedText(target: Record<string, unknown>, pairs: ReadonlyArray<readonly [string, string]>, finding: Record<string, unknown>): void {
  for (const [field, partner] of pairs) {
    const value = target[field];
    if (typeof value === 'string' && value === finding[partner]) target[field] = finding[partner];
  }
}

/** The first line of a per-test document. */
interface PartHeader {
  testId: number;
  findings: number;
  imports: ImportRecord[];
}

/**
 * Where each finding's line lies in one per-test document, as read or written: ids in the
 * document's (ascending) order and the byte range of each line, newline excluded. A document
 * the index names never changes, so a later write of the same test copies the lines of the
 * findings nobody edited instead of encoding them again (a reimport that changes 5% of a
 * 100,000-finding test encodes 5%). `size` and `mtimeMs` are the file's when its lines were
 * taken; a file that no longer has them (edited by hand) is not copied from.
 */
export interface PartLines {
  file: string;
  size: number;
  mtimeMs: number;
  ids: Float64Array;
  starts: Float64Array;
  ends: Float64Array;
}

/** What a write may copy from: the test's current document and which findings were edited since. */
export interface PartReuse {
  /** The document's path. */
  path: string;
  lines: PartLines;
  /** Whether a finding's fields changed since that document was written (its line is stale). */
  edited: (id: number) => boolean;
}

/** Thrown for a per-test document or journal that cannot be read; the store sets itself aside. */
export class LedgerFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${path.basename(file)}: ${reason}`);
    this.name = 'LedgerFileError';
  }
}

/** How many bytes of lines are gathered before one write; large enough to keep writes few. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;
/** How much of an old document is read at once when its lines are copied into a new one. */
const COPY_WINDOW_BYTES = 8 * 1024 * 1024;
/** How much of a document is read and parsed at once; well below V8's string length limit. */
const READ_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Writes one test's document under `name` in `folder` (through a temporary renamed into place,
 * so a name in the folder always holds a complete document) and flushes it to disk when asked.
 * The index does not name it yet, so a crash leaves at most a file nobody reads. Findings
 * `reuse` holds unedited are copied byte for byte from the test's current document; the rest are
 * encoded. Returns the document's size, its id ranges and where each line went.
 */
export async function writePart(
  folder: string,
  name: string,
  testId: number,
  imports: readonly ImportRecord[],
  findings: readonly Finding[],
  fsync: boolean,
  reuse?: PartReuse,
): Promise<{ bytes: number; ids: [number, number][]; lines: PartLines }> {
  const temp = path.join(folder, `.${name}.tmp`);
  // What lines are copied from: the old document, when it is still the file its lines describe.
  const source = reuse ? await openUnchanged(reuse.path, reuse.lines) : null;
  const from = source && reuse ? { handle: source, ...reuse } : null;
  const handle = await fs.open(temp, 'w').catch(async (error: unknown) => {
    await source?.close();
    throw error;
  });
  const ids = new Float64Array(findings.length);
  const starts = new Float64Array(findings.length);
  const ends = new Float64Array(findings.length);
  let bytes = 0;
  const table = new PathTableBuilder();
  try {
    const header: PartHeader = { testId, findings: findings.length, imports: [...imports] };
    // Copied ranges come in ascending order, so the old document is read forward in large
    // windows: a few reads for the whole file instead of one per run of unedited lines.
    let window: Buffer = Buffer.alloc(0);
    let windowStart = 0;
    const copied = async (start: number, end: number): Promise<Buffer> => {
      if (!from) throw new Error('a line was to be copied without a document to copy it from');
      if (start < windowStart || end > windowStart + window.length) {
        windowStart = start;
        window = await readRange(from.handle, from.path, start, Math.min(Math.max(end, start + COPY_WINDOW_BYTES), from.lines.size));
      }
      return window.subarray(start - windowStart, end - windowStart);
    };
    /** Encoded lines (each with its newline) and byte ranges of the source document to copy, in order. */
    let pieces: (string | [number, number])[] = [];
    let pending = 0;
    const flush = async (): Promise<void> => {
      const buffers: Buffer[] = [];
      let text: string[] = [];
      const endText = () => {
        if (text.length > 0) buffers.push(Buffer.from(text.join(''), 'utf8'));
        text = [];
      };
      for (const piece of pieces) {
        if (typeof piece === 'string') {
          text.push(piece);
          continue;
        }
        endText();
        buffers.push(await copied(piece[0], piece[1]));
      }
      endText();
      for (const buffer of buffers) {
        let written = 0;
        while (written < buffer.length) written += (await handle.write(buffer, written, buffer.length - written)).bytesWritten;
      }
      pieces = [];
      pending = 0;
    };
    const head = `${JSON.stringify(header)}\n`;
    pieces.push(head);
    bytes = Buffer.byteLength(head, 'utf8');
    // Both lists are in ascending id order, so one walk finds each finding's old line.
    let at = 0;
    for (let k = 0; k < findings.length; k++) {
      const f = findings[k];
      ids[k] = f.id;
      const old = from?.lines;
      if (old) while (at < old.ids.length && old.ids[at] < f.id) at++;
      if (old && old.ids[at] === f.id && !from.edited(f.id)) {
        const [start, end] = [old.starts[at], old.ends[at]];
        const last = pieces[pieces.length - 1];
        // Neighbouring lines are copied in one read.
        if (typeof last !== 'string' && last !== undefined && last[1] === start) last[1] = end + 1;
        else pieces.push([start, end + 1]);
        starts[k] = bytes;
        bytes += end - start;
        ends[k] = bytes;
        bytes += 1;
        pending += end - start + 1;
      } else {
        const line = encodeFinding(f);
        const length = Buffer.byteLength(line, 'utf8');
        pieces.push(`${line}\n`);
        starts[k] = bytes;
        bytes += length;
        ends[k] = bytes;
        bytes += 1;
        pending += length + 1;
      }
      table.add(findingFilePath(f), starts[k], ends[k]);
      if (pending >= WRITE_BATCH_BYTES) await flush();
    }
    await flush();
    if (fsync) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await source?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await source?.close();
  await fs.rename(temp, path.join(folder, name));
  // The table is written after its document, so a table on disk always describes a complete
  // document; both are strays (removed on the next open) until the index names the document.
  await writeFileAtomically(folder, pathTableNameOf(name), table.json(name, bytes), fsync);
  const { mtimeMs } = await fs.stat(path.join(folder, name));
  return { bytes, ids: idRanges(findings), lines: { file: name, size: bytes, mtimeMs, ids, starts, ends } };
}

/**
 * Collects a document's path table as its lines are laid out: for each file, the byte ranges of
 * its findings' lines, neighbouring lines of one file merged into one range (a report lists a
 * file's findings together more often than not, and a range is read with one call).
 */
class PathTableBuilder {
  private readonly ranges = new Map<string, number[]>();

  add(filePath: string | null, start: number, end: number): void {
    if (!filePath) return;
    const list = this.ranges.get(filePath);
    if (!list) this.ranges.set(filePath, [start, end]);
    // The line right after the previous one of this file (one newline between): one range.
    else if (list[list.length - 1] === start - 1) list[list.length - 1] = end;
    else list.push(start, end);
  }

  /** The table as saved: a list of [file, ranges] pairs, never an object keyed by report text. */
  json(document: string, bytes: number): string {
    const table: PathTable = { document, bytes, paths: [...this.ranges] };
    return JSON.stringify(table);
  }
}

/**
 * A document's path table as saved. `paths` pairs each file (as `findingFilePath` gives it)
 * with the byte ranges [start, end) of its findings' lines, flattened (start, end, start, …);
 * a range may span several lines, separated by newlines.
 */
export interface PathTable {
  document: string;
  bytes: number;
  paths: [string, number[]][];
}

/**
 * The path table of a document as it was read (its findings, in order, and where their lines
 * lie), as saved: for a document written before path tables, which gets one on its next read.
 */
export function pathTableOf(document: string, bytes: number, findings: readonly Finding[], lines: PartLines): string {
  const table = new PathTableBuilder();
  for (let k = 0; k < findings.length; k++) table.add(findingFilePath(findings[k]), lines.starts[k], lines.ends[k]);
  return table.json(document, bytes);
}

/** Writes a path table beside its document (not flushed: a lost table is only a lost shortcut). */
export async function writePathTable(folder: string, document: string, text: string): Promise<void> {
  await writeFileAtomically(folder, pathTableNameOf(document), text, false);
}

/** Writes a file of the documents folder through the temporary the stray sweep knows (`.<name>.tmp`). */
function writeFileAtomically(folder: string, name: string, text: string, fsync: boolean): Promise<void> {
  return writeThroughTemporary(path.join(folder, name), text, path.join(folder, `.${name}.tmp`), { fsync });
}

/**
 * Reads the path table of the document `entry` names, or null when there is none that fits it:
 * missing (a document written before path tables existed), not a table, or one describing a
 * document of another name or size. A table is a shortcut, never the truth: without one, the
 * findings of a file are found by reading the whole store.
 */
export async function readPathTable(folder: string, entry: Pick<PartEntry, 'file' | 'bytes'>): Promise<PathTable | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(folder, pathTableNameOf(entry.file)), 'utf8');
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value) || value.document !== entry.file || value.bytes !== entry.bytes || !Array.isArray(value.paths)) return null;
  const wellFormed = value.paths.every(
    (pair: unknown) =>
      Array.isArray(pair) &&
      pair.length === 2 &&
      typeof pair[0] === 'string' &&
      Array.isArray(pair[1]) &&
      pair[1].length % 2 === 0 &&
      (pair[1] as unknown[]).every((n, i, all) => isCount(n) && n <= entry.bytes && (i % 2 === 0 ? n <= (all[i + 1] as number) : true)),
  );
  return wellFormed ? (value as unknown as PathTable) : null;
}

/**
 * Reads the findings in the given byte ranges of one test's document (ranges from its path
 * table): each range is read with one call and split into lines. A line that is not a finding
 * of the test is an error: the table does not describe the document.
 */
export async function readLineRanges(file: string, testId: number, ranges: readonly number[]): Promise<Finding[]> {
  const handle = await fs.open(file, 'r');
  try {
    const found: Finding[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      const bytes = await readRange(handle, file, ranges[i], ranges[i + 1]);
      // A range that does not start and end on line boundaries cuts a line, which then is no finding.
      for (const line of bytes.toString('utf8').split('\n')) found.push(decodeFinding(findingOfLine(file, line, testId)));
    }
    return found;
  } finally {
    await handle.close();
  }
}

/** One line of a test's document read on its own, as a finding of that test, or an error naming the file. */
function findingOfLine(file: string, text: string, testId: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (isRecord(value) && typeof value.id === 'number' && value.testId === testId) return value;
  } catch {
    // Reported below as a line that is not a finding of this test.
  }
  throw new LedgerFileError(file, `a line is not a finding of test ${testId}`);
}

/** The import records in the header line of one test's document, without reading its findings. */
export async function readPartImports(file: string, testId: number): Promise<ImportRecord[]> {
  const handle = await fs.open(file, 'r');
  try {
    const value: unknown = JSON.parse((await lineAt(handle, file, 0)).text);
    if (!isRecord(value) || value.testId !== testId || !Array.isArray(value.imports)) {
      throw new LedgerFileError(file, `the first line is not the header of test ${testId}'s document`);
    }
    return value.imports as ImportRecord[];
  } finally {
    await handle.close();
  }
}

/**
 * Opens a document to copy lines from, or gives null when it is not the file its lines were
 * taken from any more (missing, or a size or time that differs: changed by hand), so nothing
 * is copied from it.
 */
async function openUnchanged(file: string, lines: PartLines): Promise<fs.FileHandle | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return null;
  }
  const stat = await handle.stat().catch(() => null);
  if (stat && stat.size === lines.size && stat.mtimeMs === lines.mtimeMs) return handle;
  await handle.close();
  return null;
}

/** Bytes [start, end) of an open file; a file shorter than that is an error, never a short copy. */
async function readRange(handle: fs.FileHandle, file: string, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(end - start);
  let read = 0;
  while (read < buffer.length) {
    const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
    if (bytesRead === 0) throw new LedgerFileError(file, `the document ended before byte ${end} while its lines were copied`);
    read += bytesRead;
  }
  return buffer;
}

/** The ids of findings (in ascending order) as inclusive ranges. */
export function idRanges(findings: readonly { id: number }[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const { id } of findings) {
    const last = ranges[ranges.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else ranges.push([id, id]);
  }
  return ranges;
}

/** Whether a finding id falls in a document's id ranges. */
export function rangesHold(ranges: readonly [number, number][], id: number): boolean {
  // The ranges are sorted and disjoint: the first one not wholly below the id is the only one
  // that can hold it.
  const range = ranges[partitionPoint(ranges, ([, last]) => last < id)];
  return range !== undefined && range[0] <= id;
}

/** The complete line of a document starting at `start` (up to, not including, its newline), and where the next starts. */
async function lineAt(handle: fs.FileHandle, file: string, start: number): Promise<{ text: string; next: number }> {
  const pieces: Buffer[] = [];
  let at = start;
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
    if (bytesRead === 0) throw new LedgerFileError(file, 'the document ends in the middle of a line');
    const nl = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (nl >= 0) {
      pieces.push(buffer.subarray(0, nl));
      return { text: Buffer.concat(pieces).toString('utf8'), next: at + nl + 1 };
    }
    pieces.push(buffer.subarray(0, bytesRead));
    at += bytesRead;
  }
}

/**
 * Reads the findings with the given ids from one test's document without reading the rest: a
 * document lists its findings in ascending id order, so each is found by a binary search over
 * byte offsets (a few small reads, whatever the document's size). Ids the document does not
 * hold are left out.
 */
export async function readPartFindings(file: string, testId: number, ids: readonly number[]): Promise<Finding[]> {
  const handle = await fs.open(file, 'r').catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') throw new LedgerFileError(file, 'the document the index names is missing');
    throw error;
  });
  try {
    const size = (await handle.stat()).size;
    const lineFrom = (start: number) => lineAt(handle, file, start);
    /** The first line starting at or after `offset` (offset inside a line: the next one). */
    const lineAtOrAfter = async (offset: number, lineStartsAt: number): Promise<{ start: number; text: string; next: number } | null> => {
      let start = offset;
      if (offset > lineStartsAt) {
        const buffer = Buffer.allocUnsafe(1);
        const { bytesRead } = await handle.read(buffer, 0, 1, offset - 1);
        if (bytesRead === 1 && buffer[0] !== 0x0a) start = (await lineFrom(offset)).next;
      }
      if (start >= size) return null;
      return { start, ...(await lineFrom(start)) };
    };
    const parse = (text: string) => findingOfLine(file, text, testId);
    const header = await lineFrom(0);
    const found: Finding[] = [];
    for (const id of ids) {
      let lo = header.next;
      let hi = size;
      // Invariant: the line holding `id`, if any, starts in [lo, hi).
      while (lo < hi) {
        const line = await lineAtOrAfter(lo + Math.floor((hi - lo) / 2), lo);
        if (!line || line.start >= hi) {
          // No line starts in the upper half: scan the lower one from its start.
          const first = await lineAtOrAfter(lo, lo);
          if (!first || first.start >= hi) break;
          const value = parse(first.text);
          if (value.id === id) found.push(decodeFinding(value));
          if ((value.id as number) >= id) break;
          lo = first.next;
          continue;
        }
        const value = parse(line.text);
        if (value.id === id) {
          found.push(decodeFinding(value));
          break;
        }
        if ((value.id as number) < id) lo = line.next;
        else hi = line.start;
      }
    }
    return found;
  } finally {
    await handle.close();
  }
}

/**
 * Calls `onLine` with every line of a file and the byte range it holds (newline excluded),
 * reading it in chunks so no string comes near V8's length limit. Lines are split on bytes and
 * decoded whole, so a character cut across two chunks is never split. A line is handed over
 * only once its newline has been read; `tail` is the count of bytes after the last newline (a
 * line whose write was cut short), if any.
 */
async function forEachLine(
  file: string,
  onLine: (line: string, index: number, start: number, end: number) => void,
  chunkBytes: number,
): Promise<{ size: number; tail: number; mtimeMs: number }> {
  const handle = await fs.open(file, 'r');
  try {
    const { mtimeMs, size: fileSize } = await handle.stat();
    // One buffer for the whole file: the unfinished line at the end of a chunk is moved to its
    // front and the next chunk is read in behind it, so no chunk is copied again (concatenating
    // them copied the whole document once more, 0.1 s of a 100,000-finding reimport). It starts no
    // larger than the file, and grows only for a line longer than itself.
    let buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, fileSize + 1)));
    let carry = 0;
    let index = 0;
    let size = 0;
    for (;;) {
      if (carry === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, carry);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, carry, buffer.length - carry, null);
      if (bytesRead === 0) break;
      const bytes = buffer.subarray(0, carry + bytesRead);
      const base = size - carry;
      size += bytesRead;
      let start = 0;
      for (let nl = bytes.indexOf(0x0a, start); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
        onLine(bytes.toString('utf8', start, nl), index++, base + start, base + nl);
        start = nl + 1;
      }
      // Overlapping copies are safe: Buffer#copy moves the bytes as memmove does.
      carry = bytes.copy(buffer, 0, start);
    }
    return { size, tail: carry, mtimeMs };
  } finally {
    await handle.close();
  }
}

/**
 * Reads one test's document and checks it against what the index says it holds. `chunkBytes`
 * is how much is read at once (tests make it tiny to cut lines and characters in two).
 */
export async function readPart(
  file: string,
  testId: number,
  entry: PartEntry,
  chunkBytes = READ_CHUNK_BYTES,
): Promise<{ imports: ImportRecord[]; findings: Finding[]; lines: PartLines | null }> {
  const findings: Finding[] = [];
  let header: PartHeader | null = null;
  let result: { size: number; tail: number; mtimeMs: number };
  const ids = new Float64Array(entry.findings);
  const starts = new Float64Array(entry.findings);
  const ends = new Float64Array(entry.findings);
  let ascending = true;
  try {
    result = await forEachLine(file, (line, index, start, end) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new LedgerFileError(file, `line ${index + 1} is not valid JSON (${(error as Error).message})`);
      }
      if (index === 0) {
        if (!isRecord(value) || value.testId !== testId || !Array.isArray(value.imports) || !isCount(value.findings)) {
          throw new LedgerFileError(file, `the first line is not the header of test ${testId}'s document`);
        }
        header = value as unknown as PartHeader;
        return;
      }
      if (!isRecord(value)) throw new LedgerFileError(file, `line ${index + 1} is not a finding`);
      if (value.testId !== testId) throw new LedgerFileError(file, `line ${index + 1} holds a finding of another test`);
      const k = findings.length;
      if (k < ids.length) {
        if (typeof value.id !== 'number' || (k > 0 && !(value.id > ids[k - 1]))) ascending = false;
        ids[k] = value.id as number;
        starts[k] = start;
        ends[k] = end;
      }
      findings.push(decodeFinding(value));
    }, chunkBytes);
  } catch (error) {
    if (error instanceof LedgerFileError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new LedgerFileError(file, 'the document the index names is missing');
    throw error;
  }
  const h = header as PartHeader | null;
  if (!h) throw new LedgerFileError(file, 'the document is empty');
  if (result.tail > 0) throw new LedgerFileError(file, 'the document ends in the middle of a line');
  if (h.findings !== findings.length || entry.findings !== findings.length) {
    throw new LedgerFileError(file, `the document holds ${findings.length} findings where its header says ${h.findings} and the index ${entry.findings}`);
  }
  if (entry.imports !== h.imports.length) throw new LedgerFileError(file, `the document holds ${h.imports.length} import records where the index says ${entry.imports}`);
  if (result.size !== entry.bytes) throw new LedgerFileError(file, `the document is ${result.size} bytes where the index says ${entry.bytes}`);
  // Lines are copied by a walk in id order; a document not in that order is only ever encoded anew.
  const lines = ascending ? { file: path.basename(file), size: result.size, mtimeMs: result.mtimeMs, ids, starts, ends } : null;
  return { imports: h.imports, findings, lines };
}

/**
 * One journal entry: the findings a change edited, whole, the findings and import records it
 * added (a reimport's; schema 3), and the index if it changed.
 */
export interface JournalEntry {
  seq: number;
  /** The index's data fields after the change, when they changed. */
  index?: IndexFields;
  findings: Finding[];
  /** Findings the change added; none of them is in the documents or an earlier entry. */
  added?: Finding[];
  /** Import records the change added. */
  imports?: ImportRecord[];
}

export interface JournalContents {
  entries: JournalEntry[];
  /** Bytes of complete entries read (from `from`); a torn last line is not counted. */
  validBytes: number;
  /** The file's size when read. */
  size: number;
}

/**
 * Reads the journal from byte `from`. A last line cut short by a crash (no newline) is ignored:
 * its change never committed, since a change counts only once its line is flushed. Any other
 * line that cannot be read makes the journal unreadable.
 */
export async function readJournal(file: string, from = 0): Promise<JournalContents | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
  const entries: JournalEntry[] = [];
  let validBytes = 0;
  let size = 0;
  try {
    const stat = await handle.stat();
    size = stat.size;
    const length = size - from;
    if (length <= 0) return { entries, validBytes: 0, size };
    // Journals are bounded (see the store's compaction), so one read is fine.
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, from + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    let start = 0;
    for (let nl = buffer.indexOf(0x0a, start); nl >= 0; nl = buffer.indexOf(0x0a, start)) {
      const line = buffer.toString('utf8', start, nl);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new LedgerFileError(file, `an entry at byte ${from + start} is not valid JSON (${(error as Error).message})`);
      }
      if (!isRecord(value) || !isCount(value.seq) || !Array.isArray(value.findings) || !value.findings.every(isRecord)) {
        throw new LedgerFileError(file, `the entry at byte ${from + start} is not a journal entry`);
      }
      if (value.index !== undefined && !isRecord(value.index)) throw new LedgerFileError(file, `the entry at byte ${from + start} has an index that is not an object`);
      for (const list of ['added', 'imports'] as const) {
        const records = value[list];
        if (records !== undefined && (!Array.isArray(records) || !records.every(isRecord))) {
          throw new LedgerFileError(file, `the entry at byte ${from + start} has ${list} that are not a list of records`);
        }
      }
      const entry: JournalEntry = {
        seq: value.seq,
        index: value.index as IndexFields | undefined,
        findings: value.findings.map(decodeFinding),
      };
      if (Array.isArray(value.added)) entry.added = (value.added as Record<string, unknown>[]).map(decodeFinding);
      if (Array.isArray(value.imports)) entry.imports = value.imports;
      entries.push(entry);
      start = nl + 1;
    }
    validBytes = start;
  } finally {
    await handle.close();
  }
  return { entries, validBytes, size };
}

/** A journal line's UTF-8 bytes, in the pieces `journalLine` encoded, and their total. */
export interface JournalLine {
  pieces: readonly Buffer[];
  bytes: number;
}

/** About how many characters of a journal line are encoded into one piece of bytes. */
const JOURNAL_PIECE_CHARS = 1024 * 1024;

/**
 * One journal entry as the line appended to the journal, in UTF-8: the caller checks the bytes
 * against the journal's bound and appends the same bytes, so a reimport's entry of tens of
 * megabytes is encoded once. The line is encoded a megabyte at a time and never held as one
 * string: a 100,000-finding reimport's entry is 28 MB, and joining it into one string and then
 * one buffer held three copies at once, which was the reimport's peak of memory.
 *
 * With `maxBytes`, gives null as soon as the line is known to be longer: a reimport whose entry
 * would pass the journal's bound rewrites the documents instead, and stops encoding the entry
 * there rather than finishing it for nothing.
 */
export function journalLine(entry: JournalEntry): JournalLine;
export function journalLine(entry: JournalEntry, maxBytes: number): JournalLine | null;
export function journalLine(entry: JournalEntry, maxBytes = Infinity): JournalLine | null {
  const pieces: Buffer[] = [];
  let bytes = 0;
  let pending: string[] = [];
  let chars = 0;
  const flush = (): void => {
    const piece = Buffer.from(pending.join(''), 'utf8');
    pieces.push(piece);
    bytes += piece.length;
    pending = [];
    chars = 0;
  };
  // Once the line is longer than `maxBytes`, nothing more is encoded.
  const over = (): boolean => bytes > maxBytes;
  const add = (text: string): void => {
    pending.push(text);
    chars += text.length;
    if (chars >= JOURNAL_PIECE_CHARS) flush();
  };
  const addFindings = (findings: readonly Finding[]): void => {
    for (let i = 0; i < findings.length && !over(); i++) {
      if (i > 0) add(',');
      add(encodeFinding(findings[i]));
    }
  };
  add(`{"seq":${entry.seq}`);
  if (entry.index) add(`,"index":${JSON.stringify(entry.index)}`);
  add(',"findings":[');
  addFindings(entry.findings);
  add(']');
  if (entry.added?.length) {
    add(',"added":[');
    addFindings(entry.added);
    add(']');
  }
  // The import records (a reimport's lists every finding's action) are not encoded either once
  // the line is over.
  if (entry.imports?.length && !over()) add(`,"imports":${JSON.stringify(entry.imports)}`);
  add('}\n');
  flush();
  return over() ? null : { pieces, bytes };
}

/**
 * Appends a line (its UTF-8 bytes) to the journal and flushes it, first cutting off a torn line
 * a crashed writer left at `validSize` (the caller holds the store lock, so no live writer is
 * appending). The pieces go in one after another; a crash between two leaves a torn line, which
 * the next reader ignores and the next append cuts off. Returns the journal's new size and
 * whether the file was created.
 */
export async function appendJournal(file: string, line: JournalLine, validSize: number, fsync: boolean): Promise<{ size: number; created: boolean }> {
  let created = false;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r+');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    handle = await fs.open(file, 'wx');
    created = true;
  }
  try {
    const stat = await handle.stat();
    if (stat.size !== validSize) await handle.truncate(validSize);
    let position = validSize;
    for (const piece of line.pieces) {
      let written = 0;
      while (written < piece.length) {
        const { bytesWritten } = await handle.write(piece, written, piece.length - written, position + written);
        written += bytesWritten;
      }
      position += piece.length;
    }
    if (fsync) await handle.sync();
    return { size: position, created };
  } finally {
    await handle.close();
  }
}

/** Lists the parts folder, or nothing when it does not exist. */
export async function listPartsFolder(folder: string): Promise<string[]> {
  try {
    return await fs.readdir(folder);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
}
