import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addNote, type Ledger } from '../../src/engine';
import { importScan } from '../../src/engine/import-scan';
import { reimportScan } from '../../src/engine/reimport-scan';
import { engineContext, importOptions, later, parsedFinding, report } from '../builders';
import { emptyStoreData, findingFilePath, STORE_SCHEMA_VERSION, type Finding } from '../../src/model';
import { LedgerStore, type SetAsideEvent } from '../../src/store/ledger-store';
import {
  appendJournal,
  compactFinding,
  encodeFinding,
  decodeFinding,
  idRanges,
  journalLine,
  readJournal,
  readPart,
  readPartFindings,
  writePart,
  type JournalEntry,
  type PathTable,
} from '../../src/store/ledger-files';
import { readFindingsOfFiles, type FindingsOfFiles } from '../../src/store/findings-of-files';
import { collectOutput, exited, seededRandom, spawnWorker } from '../store-workers/processes';
import { ensureTest, makeFinding, makeMarker } from '../store-workers/fixtures';
import { storedData, storeFiles, writeSingleDocument } from '../store-files';

/**
 * Issue 13: a store whose cost follows the change. The store is an index (`store.json`), one
 * document per test (`store.parts/t<test>-g<generation>.jsonl`) and a journal of small changes
 * (`store.journal`); these tests hold each promise of the layout.
 */
describe('store: index, per-test documents and journal (issue 13)', function () {
  this.timeout(120_000);
  let dir: string;
  let storePath: string;
  const ctx = { now: new Date('2026-06-01T00:00:00.000Z'), user: 'ana', settings: undefined as never };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-layout-'));
    storePath = path.join(dir, '.scan-ledger', 'store.json');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const partsDir = (): string => path.join(dir, '.scan-ledger', 'store.parts');
  const journal = (): string => path.join(dir, '.scan-ledger', 'store.journal');

  /** A second test beside the one `ensureTest` makes, so changes to one can leave the other alone. */
  function secondTest(ledger: Ledger): number {
    const first = ledger.test(ensureTest(ledger));
    const existing = ledger.data.tests.find((t) => t.id !== first?.id);
    if (existing) return existing.id;
    const id = ledger.nextId('test');
    ledger.addTest({ ...(first as NonNullable<typeof first>), id, title: 'second' });
    return id;
  }

  async function twoTests(perTest: number): Promise<{ store: LedgerStore; a: number; b: number }> {
    const store = await LedgerStore.open(storePath, { fsync: false });
    const [a, b] = await store.transaction((ledger) => {
      const ids = [ensureTest(ledger), secondTest(ledger)];
      for (const testId of ids) {
        for (let n = 0; n < perTest; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), testId, n, `test ${testId}`));
        ledger.addImport(makeMarker(ledger.nextId('importRecord'), testId, 'first'));
      }
      return ids;
    });
    return { store, a, b };
  }

  it('a triage of one finding appends one journal line and rewrites no document; a fresh open replays it', async () => {
    const { store } = await twoTests(50);
    const before = await fs.readdir(partsDir());
    const indexBefore = await fs.readFile(storePath, 'utf8');
    await store.transaction((ledger) => addNote(ledger, ledger.data.findings[7], 'looked at it', ctx));
    assert.deepEqual(await fs.readdir(partsDir()), before, 'no document was written');
    assert.equal(await fs.readFile(storePath, 'utf8'), indexBefore, 'the index is untouched');
    const lines = (await fs.readFile(journal(), 'utf8')).split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]) as { seq: number; findings: { id: number }[]; index?: { nextIds: { note: number } } };
    assert.deepEqual(entry.findings.map((f) => f.id), [store.ledger.data.findings[7].id]);
    assert.equal(entry.index?.nextIds.note, 2, 'the note counter moved, so the index fields travel with the entry');
    const reread = await storedData(storePath);
    assert.deepEqual(reread.findings[7].notes.map((n) => n.text), ['looked at it']);
    assert.equal(reread.nextIds.note, 2);
    await store.close();
  });

  it('a change to one test rewrites only that test\'s document; the other keeps its file and bytes', async () => {
    const { store, a, b } = await twoTests(20);
    const names = await fs.readdir(partsDir());
    const bFile = names.find((n) => n.startsWith(`t${b}-`)) as string;
    const bBytes = await fs.readFile(path.join(partsDir(), bFile));
    await store.transaction((ledger) => {
      // A removal is a change the journal cannot hold: the test's document is rewritten.
      ledger.removeFinding(ledger.findingsOfTest(a)[0].id);
      ledger.addFinding(makeFinding(ledger.nextId('finding'), a, 99, 'new in a'));
      ledger.addImport(makeMarker(ledger.nextId('importRecord'), a, 'second'));
    });
    const after = await fs.readdir(partsDir());
    assert.ok(after.includes(bFile), 'test b keeps its document');
    assert.deepEqual(await fs.readFile(path.join(partsDir(), bFile)), bBytes);
    assert.deepEqual(
      after.filter((n) => n.endsWith('.jsonl')).length,
      2,
      'the old document of test a is removed once the new index commits',
    );
    assert.deepEqual(
      after.filter((n) => n.endsWith('.paths.json')).sort(),
      after.filter((n) => n.endsWith('.jsonl')).map((n) => n.replace(/\.jsonl$/, '.paths.json')).sort(),
      'each document has its path table, and the old one went with its document',
    );
    assert.ok(after.some((n) => n.startsWith(`t${a}-g2`)));
    assert.equal((await storedData(storePath)).findings.length, 40);
    await store.close();
  });

  it('a transaction that changes nothing writes nothing', async () => {
    const { store } = await twoTests(5);
    const before = await storeFiles(storePath);
    await store.transaction((ledger) => ledger.data.findings.length);
    assert.deepEqual(await storeFiles(storePath), before);
    await store.close();
  });

  it('the journal is compacted into the documents once it passes its bound, and nothing is lost', async () => {
    await (await twoTests(10)).store.close();
    const store = await LedgerStore.open(storePath, { fsync: false, journalMaxBytes: 4000 });
    for (let n = 0; n < 12; n++) await store.transaction((ledger) => addNote(ledger, ledger.data.findings[n], `note ${n}`, ctx));
    const size = (await fs.stat(journal()).catch(() => null))?.size ?? 0;
    assert.ok(size < 4000 + 3000, `the journal stays near its bound (${size} bytes)`);
    const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { generation: number; journalThrough: number };
    assert.ok(index.generation > 1, 'documents were rewritten by a compaction');
    assert.ok(index.journalThrough > 0);
    const reread = await storedData(storePath);
    for (let n = 0; n < 12; n++) assert.deepEqual(reread.findings[n].notes.map((x) => x.text), [`note ${n}`]);
    await store.close();
  });

  it('a journal line cut short by a crash is ignored, and the next append cuts it off first', async () => {
    const { store } = await twoTests(5);
    await store.transaction((ledger) => addNote(ledger, ledger.data.findings[0], 'kept', ctx));
    await store.close();
    await fs.appendFile(journal(), '{"seq":2,"findings":[{"id":1,"te');
    const reopened = await LedgerStore.open(storePath, { fsync: false });
    assert.deepEqual(reopened.setAside, []);
    assert.deepEqual(reopened.ledger.data.findings[0].notes.map((n) => n.text), ['kept']);
    await reopened.transaction((ledger) => addNote(ledger, ledger.data.findings[1], 'after the tear', ctx));
    const lines = (await fs.readFile(journal(), 'utf8')).split('\n');
    assert.equal(lines.length, 3, 'two complete lines and the empty string after the last newline');
    assert.ok(lines.slice(0, 2).every((l) => JSON.parse(l) !== null));
    assert.deepEqual((await storedData(storePath)).findings[1].notes.map((n) => n.text), ['after the tear']);
    await reopened.close();
  });

  it('another process\'s triage is picked up by replaying the journal\'s new lines, without reading the documents again', async () => {
    const { store: mine } = await twoTests(30);
    const theirs = await LedgerStore.open(storePath, { fsync: false });
    await theirs.transaction((ledger) => addNote(ledger, ledger.data.findings[3], 'from the terminal', ctx));
    const ledgerBefore = mine.ledger;
    await mine.reload();
    assert.equal(mine.ledger, ledgerBefore, 'the same ledger, brought up to date in place');
    assert.deepEqual(mine.ledger.data.findings[3].notes.map((n) => n.text), ['from the terminal']);
    assert.equal(mine.ledger.finding(mine.ledger.data.findings[3].id), mine.ledger.data.findings[3]);
    // Our next change sees theirs: the note counter moved on.
    const note = await mine.transaction((ledger) => addNote(ledger, ledger.data.findings[4], 'from the editor', ctx));
    assert.equal(note.id, 2);
    const reread = await storedData(storePath);
    assert.deepEqual([reread.findings[3].notes[0].text, reread.findings[4].notes[0].text], ['from the terminal', 'from the editor']);
    await Promise.all([mine.close(), theirs.close()]);
  });

  describe('a rewritten document copies the lines of the findings nobody edited', () => {
    const findingsOf = (n: number, text: (k: number) => string) =>
      Array.from({ length: n }, (_, k) => makeFinding(k + 1, 1, k, text(k)));
    const linesOf = async (file: string) => (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean).slice(1);

    it('unedited findings are copied byte for byte (even if changed without being recorded), edited ones encoded, and every line range is right', async () => {
      await fs.mkdir(partsDir(), { recursive: true });
      // Multi-byte text, so byte ranges and character counts differ.
      const findings = findingsOf(6, (k) => `Prüfung ${'é'.repeat(k)} 🔒`);
      const first = await writePart(partsDir(), 't1-g1.jsonl', 1, [], findings, false);
      const firstLines = await linesOf(path.join(partsDir(), 't1-g1.jsonl'));
      findings[1].description = 'edited and recorded';
      findings[3].description = 'edited without a record';
      const kept = findings.filter((f) => f.id !== 5);
      const second = await writePart(partsDir(), 't1-g2.jsonl', 1, [], kept, false, {
        path: path.join(partsDir(), 't1-g1.jsonl'),
        lines: first.lines,
        edited: (id) => id === 2,
      });
      const secondLines = await linesOf(path.join(partsDir(), 't1-g2.jsonl'));
      assert.equal(secondLines[1], encodeFinding(findings[1]), 'the recorded edit is encoded');
      assert.equal(secondLines[3], firstLines[3], 'an unrecorded edit is not seen: the old line was copied, not encoded');
      assert.deepEqual([secondLines[0], secondLines[2], secondLines[4]], [firstLines[0], firstLines[2], firstLines[5]]);
      const bytes = await fs.readFile(path.join(partsDir(), 't1-g2.jsonl'));
      assert.equal(second.bytes, bytes.length);
      assert.deepEqual([...second.lines.ids], [1, 2, 3, 4, 6]);
      second.lines.ids.forEach((id, k) => {
        const line = bytes.toString('utf8', second.lines.starts[k], second.lines.ends[k]);
        assert.equal((JSON.parse(line) as { id: number }).id, id, `line ${k} lies where its range says`);
        assert.equal(bytes[second.lines.ends[k]], 0x0a);
      });
      const entry = { file: 't1-g2.jsonl', findings: 5, imports: 0, bytes: second.bytes };
      const read = await readPart(path.join(partsDir(), 't1-g2.jsonl'), 1, entry, 5);
      assert.deepEqual([...(read.lines?.starts ?? [])], [...second.lines.starts], 'reading in 5-byte chunks finds the same ranges');
      assert.deepEqual([...(read.lines?.ends ?? [])], [...second.lines.ends]);
    });

    it('a document changed since its lines were taken (by hand) is not copied from: every finding is encoded', async () => {
      await fs.mkdir(partsDir(), { recursive: true });
      const findings = findingsOf(4, (k) => `finding ${k}`);
      const file = path.join(partsDir(), 't1-g1.jsonl');
      const first = await writePart(partsDir(), 't1-g1.jsonl', 1, [], findings, false);
      findings[2].description = 'the in-memory finding';
      await fs.utimes(file, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
      await writePart(partsDir(), 't1-g2.jsonl', 1, [], findings, false, { path: file, lines: first.lines, edited: () => false });
      assert.deepEqual(await linesOf(path.join(partsDir(), 't1-g2.jsonl')), findings.map(encodeFinding));
    });

    it('a finding the journal changed is written from memory when its test is rewritten, also after another process\'s triage was replayed', async () => {
      const { store: mine, a } = await twoTests(20);
      await mine.transaction((ledger) => addNote(ledger, ledger.findingsOfTest(a)[3], 'mine, in the journal', ctx));
      const theirs = await LedgerStore.open(storePath, { fsync: false });
      await theirs.transaction((ledger) => addNote(ledger, ledger.findingsOfTest(a)[5], 'theirs, in the journal', ctx));
      await theirs.close();
      await mine.reload();
      await mine.transaction((ledger) => {
        ledger.removeFinding((ledger.findingsOfTest(a).at(-1) as { id: number }).id);
        ledger.addFinding(makeFinding(ledger.nextId('finding'), a, 500, 'new'));
      });
      assert.equal(await fs.stat(journal()).catch(() => null), null, 'the documents took the journal in');
      const reread = await storedData(storePath);
      const of = (k: number) => reread.findings.filter((f) => f.testId === a)[k].notes.map((n) => n.text);
      assert.deepEqual([of(3), of(5)], [['mine, in the journal'], ['theirs, in the journal']]);
      assert.deepEqual(reread.findings, mine.ledger.data.findings);
      await mine.close();
    });

    it('reimports through the store (fields refreshed, findings closed, reopened and new, a triage in the journal between) read back as the engine left them', async () => {
      const store = await LedgerStore.open(storePath, { fsync: false });
      const base = engineContext({ settings: { 'dedupe.enabled': false } });
      const result = (n: number, round: number) =>
        parsedFinding({ title: `finding ${n}`, uniqueIdFromTool: `u${n}`, line: 10 + n + (n % 7 === 0 ? round : 0), severity: n % 11 === round ? 'Low' : 'High', location: { snippet: `call(${n})` } });
      const reportOf = (round: number) => report('SARIF', Array.from({ length: 300 }, (_, n) => n).filter((n) => (n + round) % 13 !== 0).map((n) => result(n, round)));
      await store.transaction((ledger) => importScan(ledger, reportOf(0), importOptions('SARIF'), base));
      for (let round = 1; round <= 4; round++) {
        const ctxRound = later(base, round);
        await store.transaction((ledger) => reimportScan(ledger, reportOf(round), importOptions('SARIF'), ctxRound));
        if (round === 2) await store.transaction((ledger) => addNote(ledger, ledger.data.findings[40], 'between reimports', ctxRound));
        // Compared as saved data: a field holding undefined is saved as no field.
        assert.deepEqual(await storedData(storePath), JSON.parse(JSON.stringify(store.ledger.data)), `round ${round}`);
      }
      const reread = await storedData(storePath);
      assert.ok(reread.findings.some((f) => f.isMitigated) && reread.findings.some((f) => f.notes.length > 1), 'closures and reactivations happened');
      assert.deepEqual(reread.findings[40].notes.map((n) => n.text).includes('between reimports'), true);
      await store.close();
    });

    it('successive rewrites in one process copy from the document the last one wrote, and a fresh open reads the same data', async () => {
      const { store, a } = await twoTests(30);
      for (let round = 0; round < 4; round++) {
        await store.transaction((ledger) => {
          const f = ledger.findingsOfTest(a)[round * 5];
          f.description = `round ${round}`;
          ledger.touch(f);
          ledger.addFinding(makeFinding(ledger.nextId('finding'), a, 1000 + round, `added in round ${round}`));
          // A removal makes every round a rewrite (the journal holds additions, not removals).
          ledger.removeFinding(ledger.findingsOfTest(a)[1].id);
        });
        assert.deepEqual((await storedData(storePath)).findings, store.ledger.data.findings, `round ${round}`);
      }
      await store.close();
    });
  });

  describe('a change that only edits and adds, small beside the documents (a reimport), is one journal entry (schema 3)', () => {
    /** Edits `edit` findings of test a, adds `add` findings and an import record to it. */
    const reimportLike = (edit: number, add: number, tag: string) => (ledger: Ledger) => {
      const list = ledger.findingsOfTest(1);
      for (let n = 0; n < edit; n++) {
        const f = list[n * 3];
        f.isMitigated = true;
        f.active = false;
        f.mitigated = `2026-06-0${1 + (n % 9)}T00:00:00.000Z`;
        ledger.touch(f);
      }
      for (let n = 0; n < add; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), 1, 5000 + n, `${tag} ${n}`));
      ledger.addImport(makeMarker(ledger.nextId('importRecord'), 1, tag));
    };

    it('the documents keep their files and bytes; the entry holds the edits, the additions and the import record; a fresh open reads what the engine left', async () => {
      const { store } = await twoTests(200);
      const before = await storeFiles(storePath);
      const parts = (await fs.readdir(partsDir())).sort();
      await store.transaction(reimportLike(10, 8, 'second import'));
      assert.deepEqual((await fs.readdir(partsDir())).sort(), parts, 'no document was written');
      for (const name of parts) assert.equal(await fs.readFile(path.join(partsDir(), name), 'base64'), before.get(`store.parts/${name}`), `${name} kept its bytes`);
      const lines = (await fs.readFile(journal(), 'utf8')).split('\n').filter(Boolean);
      assert.equal(lines.length, 1);
      const entry = JSON.parse(lines[0]) as { findings: { id: number }[]; added: { id: number }[]; imports: { id: number; testId: number }[] };
      assert.equal(entry.findings.length, 10);
      assert.deepEqual(entry.added.map((f) => f.id), store.ledger.findingsOfTest(1).slice(-8).map((f) => f.id));
      assert.deepEqual(entry.imports.map((r) => r.testId), [1]);
      const reread = await storedData(storePath);
      assert.deepEqual(reread, JSON.parse(JSON.stringify(store.ledger.data)));
      assert.equal(reread.findings.length, 408);
      assert.equal(reread.imports.length, 3);
      await store.close();
    });

    it('successive reimports append until the journal passes a quarter of the documents\' bytes; that write folds it in, nothing lost', async () => {
      await (await twoTests(200)).store.close();
      // The journal's own bound (8 MB by default) is lowered so the quarter is what counts.
      const store = await LedgerStore.open(storePath, { fsync: false, journalMaxBytes: 1000 });
      const documentBytes = async () => {
        let sum = 0;
        for (const name of await fs.readdir(partsDir())) sum += (await fs.stat(path.join(partsDir(), name))).size;
        return sum;
      };
      const docs = await documentBytes();
      let journaled = 0;
      let folded = false;
      for (let round = 0; round < 12 && !folded; round++) {
        const generation = (JSON.parse(await fs.readFile(storePath, 'utf8')) as { generation: number }).generation;
        await store.transaction(reimportLike(6, 10, `round ${round}`));
        const size = (await fs.stat(journal()).catch(() => null))?.size ?? 0;
        const now = (JSON.parse(await fs.readFile(storePath, 'utf8')) as { generation: number }).generation;
        if (now === generation) {
          journaled++;
          assert.ok(size <= docs / 4, `the journal stays within a quarter of the documents (${size} of ${docs} bytes)`);
        } else {
          folded = true;
          assert.equal(size, 0, 'the journal is gone once the documents took it in');
        }
        assert.deepEqual(await storedData(storePath), JSON.parse(JSON.stringify(store.ledger.data)), `round ${round}`);
      }
      assert.ok(journaled >= 2, `several reimports were journaled first (${journaled})`);
      assert.ok(folded, 'a later reimport folded the journal into the documents');
      await store.close();
    });

    it('an entry of megabytes is encoded a megabyte at a time, never as one string, and no further than a bound it passes; its pieces are the line, multi-byte text included, and a line cut between two pieces is ignored', async () => {
      const wide = (n: number, tag: string): Finding => ({ ...makeFinding(n, 1, n, tag), description: `é€😀 ${'x'.repeat(6000)} ${n}` });
      const entry: JournalEntry = {
        seq: 4,
        findings: Array.from({ length: 300 }, (_, n) => wide(n + 1, 'edited')),
        added: Array.from({ length: 200 }, (_, n) => wide(n + 301, 'added')),
        imports: [makeMarker(9, 1, 'reimport')],
      };
      const line = journalLine(entry);
      const bytes = Buffer.concat(line.pieces);
      assert.ok(line.pieces.length >= 3, `a 3 MB entry comes in several pieces (${line.pieces.length})`);
      assert.equal(line.bytes, bytes.length, 'the total is the sum of the pieces');
      const text = bytes.toString('utf8');
      assert.equal(Buffer.byteLength(text), bytes.length, 'no character was cut between two pieces');
      assert.equal(text.indexOf('\n'), text.length - 1, 'one line, ended by its newline');
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(entry)));
      // Given a bound, the same bytes when the line fits, and nothing once it is known to pass it.
      assert.deepEqual(journalLine(entry, line.bytes)?.pieces, line.pieces);
      assert.equal(journalLine(entry, line.bytes - 1), null);
      assert.equal(journalLine(entry, 1_500_000), null);

      await fs.mkdir(path.dirname(journal()), { recursive: true });
      await fs.writeFile(journal(), 'torn tail of a crashed writer');
      const { size } = await appendJournal(journal(), line, 0, false);
      assert.equal(size, line.bytes);
      const read = await readJournal(journal());
      assert.deepEqual(JSON.parse(JSON.stringify(read?.entries)), [JSON.parse(JSON.stringify(entry))]);
      assert.equal(read?.validBytes, line.bytes);

      // A writer killed after its first piece leaves a line without its newline: never read.
      await fs.writeFile(journal(), line.pieces[0]);
      const torn = await readJournal(journal());
      assert.deepEqual(torn?.entries, []);
      assert.equal(torn?.validBytes, 0);
    });

    it('a change larger than a quarter of the store rewrites the documents', async () => {
      const { store } = await twoTests(40);
      await store.transaction(reimportLike(5, 30, 'big'));
      assert.equal(await fs.stat(journal()).catch(() => null), null, 'nothing journaled');
      assert.equal((JSON.parse(await fs.readFile(storePath, 'utf8')) as { generation: number }).generation, 2);
      assert.deepEqual(await storedData(storePath), JSON.parse(JSON.stringify(store.ledger.data)));
      await store.close();
    });

    it('an index of schema 2 (the previous release) is rewritten as schema 3 before any addition is journaled, so that release never skips one', async () => {
      await (await twoTests(200)).store.close();
      const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as Record<string, unknown>;
      await fs.writeFile(storePath, JSON.stringify({ ...index, schemaVersion: 2 }));
      const store = await LedgerStore.open(storePath, { fsync: false });
      // Edits alone are what schema 2 journals too.
      await store.transaction((ledger) => addNote(ledger, ledger.data.findings[3], 'kept in a schema-2 journal', ctx));
      assert.equal((JSON.parse(await fs.readFile(storePath, 'utf8')) as { schemaVersion: number }).schemaVersion, 2);
      await store.transaction(reimportLike(4, 4, 'after the upgrade'));
      const after = JSON.parse(await fs.readFile(storePath, 'utf8')) as { schemaVersion: number; generation: number };
      assert.deepEqual([after.schemaVersion, after.generation], [STORE_SCHEMA_VERSION, 2], 'the documents and a schema-3 index were written');
      assert.equal(await fs.stat(journal()).catch(() => null), null);
      await store.transaction(reimportLike(4, 4, 'journaled now'));
      assert.ok((await fs.stat(journal())).size > 0, 'the next reimport is journaled');
      assert.deepEqual(await storedData(storePath), JSON.parse(JSON.stringify(store.ledger.data)));
      await store.close();
    });

    it('another process sees a journaled reimport (a full load, as additions change every index), and a store opened for a few findings finds an added one', async () => {
      const { store: mine } = await twoTests(200);
      const theirs = await LedgerStore.open(storePath, { fsync: false });
      await theirs.transaction(reimportLike(3, 5, 'theirs'));
      const added = theirs.ledger.findingsOfTest(1).at(-1) as Finding;
      await theirs.close();
      await mine.reload();
      assert.deepEqual(mine.ledger.finding(added.id)?.title, added.title);
      assert.equal(mine.ledger.findingsByHash.get(added.hashCode as string)?.length, 1, 'indexed');
      assert.equal(mine.ledger.data.imports.length, 3);
      await mine.close();
      const scoped = await LedgerStore.open(storePath, { fsync: false, findings: [added.id] });
      assert.deepEqual(scoped.ledger.data.findings.map((f) => f.id), [added.id]);
      await scoped.transaction((ledger) => addNote(ledger, ledger.finding(added.id) as Finding, 'triaged from the CLI', ctx));
      await scoped.close();
      const whole = await storedData(storePath);
      assert.deepEqual(whole.findings.find((f) => f.id === added.id)?.notes.map((n) => n.text), ['triaged from the CLI']);
      assert.equal(whole.findings.length, 405);
    });
  });

  describe('a store of schema 1 (one document, written by the previous release) is migrated', () => {
    it('opens with everything, and the next transaction writes the new layout with nothing lost', async () => {
      const data = emptyStoreData();
      const ledgerData = { ...data, schemaVersion: 1 };
      const store0 = await LedgerStore.open(path.join(dir, 'scratch', 'store.json'), { fsync: false });
      await store0.transaction((ledger) => {
        const a = ensureTest(ledger);
        const b = secondTest(ledger);
        for (const t of [a, b]) for (let n = 0; n < 25; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), t, n, 'old'));
        ledger.addImport(makeMarker(ledger.nextId('importRecord'), a, 'old import'));
        addNote(ledger, ledger.data.findings[0], 'a decision from last year', ctx);
      });
      Object.assign(ledgerData, structuredClone(store0.ledger.data), { schemaVersion: 1 });
      await store0.close();
      await writeSingleDocument(storePath, ledgerData);

      const store = await LedgerStore.open(storePath, { fsync: false });
      assert.deepEqual(store.setAside, []);
      const expected = { ...ledgerData, schemaVersion: STORE_SCHEMA_VERSION };
      assert.deepEqual(structuredClone(store.ledger.data), expected, 'read as it was');
      await store.transaction((ledger) => addNote(ledger, ledger.data.findings[1], 'after the upgrade', ctx));
      const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as Record<string, unknown>;
      assert.ok('parts' in index && !('findings' in index), 'the index no longer holds findings');
      assert.equal((await fs.readdir(partsDir())).filter((n) => n.endsWith('.jsonl')).length, 2, 'one document per test');
      const reread = await storedData(storePath);
      expected.findings[1].notes.push({ id: 2, at: ctx.now.toISOString(), author: 'ana', text: 'after the upgrade' });
      expected.nextIds.note = 3;
      assert.deepEqual(reread, expected);
      await store.close();
    });
  });

  describe('documents and journals that cannot be read set the whole store aside, bytes kept', () => {
    const breakers: { name: string; reason: RegExp; breakIt: () => Promise<void> }[] = [
      {
        name: 'a missing document',
        reason: /missing/,
        breakIt: async () => fs.rm(path.join(partsDir(), (await fs.readdir(partsDir()))[0])),
      },
      {
        name: 'a document cut short',
        reason: /ends in the middle of a line|bytes where the index says/,
        breakIt: async () => {
          const file = path.join(partsDir(), (await fs.readdir(partsDir()))[0]);
          const bytes = await fs.readFile(file);
          await fs.writeFile(file, bytes.subarray(0, bytes.length - 40));
        },
      },
      {
        name: 'a document line that is not JSON',
        reason: /not valid JSON/,
        breakIt: async () => {
          const file = path.join(partsDir(), (await fs.readdir(partsDir()))[0]);
          const text = await fs.readFile(file, 'utf8');
          await fs.writeFile(file, text.replace('"title"', '"title'));
        },
      },
      {
        name: 'an index naming a file outside the documents folder',
        reason: /not a document name/,
        breakIt: async () => {
          const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { parts: Record<string, { file: string }> };
          index.parts['1'].file = '../../../etc/passwd';
          await fs.writeFile(storePath, JSON.stringify(index));
        },
      },
      {
        name: 'a journal entry in the middle that is not JSON',
        reason: /not valid JSON/,
        breakIt: async () => fs.writeFile(journal(), '{"seq":1,"findings":[}\n{"seq":2,"findings":[]}\n'),
      },
      {
        name: 'a journal adding a finding the store already holds',
        reason: /adds finding 1, which the store already holds/,
        breakIt: async () => fs.writeFile(journal(), `${JSON.stringify({ seq: 1, findings: [], added: [{ ...makeFinding(1, 1, 1, 'x') }] })}\n`),
      },
      {
        name: 'a journal entry whose additions are not a list of records',
        reason: /added that are not a list of records/,
        breakIt: async () => fs.writeFile(journal(), `${JSON.stringify({ seq: 1, findings: [], added: 'x' })}\n`),
      },
      {
        name: 'a journal naming a finding the store does not hold',
        reason: /does not hold/,
        breakIt: async () => fs.writeFile(journal(), `${JSON.stringify({ seq: 1, findings: [{ ...makeFinding(999, 1, 1, 'x') }] })}\n`),
      },
    ];
    for (const b of breakers) {
      it(`${b.name}: moved aside with the index and journal, reported, and the store starts empty`, async () => {
        await (await twoTests(5)).store.close();
        await b.breakIt();
        const files = await storeFiles(storePath);
        const events: SetAsideEvent[] = [];
        const store = await LedgerStore.open(storePath, { fsync: false, onSetAside: (e) => events.push(e), now: () => new Date('2026-11-22T06:10:00.123Z') });
        assert.equal(events.length, 1);
        assert.match(events[0].reason, b.reason);
        assert.equal(store.ledger.data.findings.length, 0);
        const stem = path.join(dir, '.scan-ledger', 'store.corrupt-2026-11-22T06-10-00-123Z');
        assert.equal(events[0].to, `${stem}.json`);
        for (const [name, bytes] of files) {
          const moved = name.replace(/^store\./, 'store.corrupt-2026-11-22T06-10-00-123Z.');
          assert.equal(await fs.readFile(path.join(dir, '.scan-ledger', moved), 'base64'), bytes, `${name} kept its bytes as ${moved}`);
        }
        await store.close();
      });
    }
  });

  it('documents a killed writer left behind are removed on open; files that are not ours stay', async () => {
    await (await twoTests(3)).store.close();
    await fs.writeFile(path.join(partsDir(), 't1-g9.jsonl'), 'from a killed writer');
    await fs.writeFile(path.join(partsDir(), '.t1-g9.jsonl.tmp'), 'half');
    await fs.writeFile(path.join(partsDir(), 't1-g9.paths.json'), '{}');
    await fs.writeFile(path.join(partsDir(), '.t1-g9.paths.json.tmp'), 'half');
    await fs.writeFile(path.join(partsDir(), 'notes.txt'), 'mine');
    await fs.writeFile(path.join(partsDir(), 'notes.paths.json'), 'mine too');
    const store = await LedgerStore.open(storePath, { fsync: false });
    assert.deepEqual(store.setAside, []);
    assert.deepEqual((await fs.readdir(partsDir())).sort(), ['notes.paths.json', 'notes.txt', 't1-g1.jsonl', 't1-g1.paths.json', 't2-g1.jsonl', 't2-g1.paths.json']);
    await store.close();
  });

  it('a document is read in chunks: lines that span chunks, multi-byte text included, come back whole', async () => {
    const store = await LedgerStore.open(storePath, { fsync: false });
    await store.transaction((ledger) => {
      const t = ensureTest(ledger);
      for (let n = 0; n < 40; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), t, n, `Überprüfung ✓ ${'é'.repeat(n)} 🔒`));
    });
    const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { parts: Record<string, { file: string; findings: number; imports: number; bytes: number }> };
    const entry = index.parts['1'];
    for (const chunk of [1, 3, 7, 64]) {
      const part = await readPart(path.join(partsDir(), entry.file), 1, entry, chunk);
      assert.deepEqual(part.findings, store.ledger.data.findings, `chunks of ${chunk} bytes`);
    }
    await store.close();
  });

  describe('the findings of the files the editor shows are read ahead of the store, through path tables', () => {
    /** Two tests of findings spread over seven files, a few of them shown at a resolved path. */
    async function filesStore(): Promise<LedgerStore> {
      const store = await LedgerStore.open(storePath, { fsync: false });
      await store.transaction((ledger) => {
        for (const testId of [ensureTest(ledger), secondTest(ledger)]) {
          for (let n = 0; n < 60; n++) {
            const f = makeFinding(ledger.nextId('finding'), testId, n, `in file ${n % 7}`);
            f.filePath = `src/f${n % 7}.ts`;
            // The resolved path wins where a parser gives one (findingFilePath).
            if (n % 11 === 0) f.location = { resolvedPath: 'lib/resolved.ts' };
            ledger.addFinding(f);
          }
          ledger.addImport(makeMarker(ledger.nextId('importRecord'), testId, 'first'));
        }
      });
      return store;
    }

    /** What a whole-store open holds for those files: the findings, and the import records of their tests. */
    async function expected(wanted: (file: string) => boolean): Promise<FindingsOfFiles> {
      const data = await storedData(storePath);
      const findings = data.findings.filter((f) => wanted(findingFilePath(f) ?? '')).sort((a, b) => a.id - b.id);
      const tests = new Set(findings.map((f) => f.testId));
      return { findings, imports: data.imports.filter((r) => tests.has(r.testId)).sort((a, b) => a.id - b.id) };
    }

    const files = (...names: string[]) => (file: string) => names.includes(file);

    async function assertSameAsFullOpen(wanted: (file: string) => boolean, what: string): Promise<FindingsOfFiles> {
      const read = await readFindingsOfFiles(storePath, wanted);
      assert.ok(read, `${what}: read ahead`);
      assert.deepEqual(JSON.parse(JSON.stringify(read)), JSON.parse(JSON.stringify(await expected(wanted))), `${what}: as a full open has them`);
      return read;
    }

    it('each document has a path table of the byte ranges of its files\' findings; read through it, a file\'s findings are those a full open holds', async () => {
      const store = await filesStore();
      const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { parts: Record<string, { file: string; bytes: number }> };
      for (const [testId, entry] of Object.entries(index.parts)) {
        const table = JSON.parse(await fs.readFile(path.join(partsDir(), entry.file.replace(/\.jsonl$/, '.paths.json')), 'utf8')) as PathTable;
        assert.equal(table.document, entry.file);
        assert.equal(table.bytes, entry.bytes);
        const document = await fs.readFile(path.join(partsDir(), entry.file));
        const own = store.ledger.findingsOfTest(Number(testId));
        let lines = 0;
        for (const [file, ranges] of table.paths) {
          for (let i = 0; i < ranges.length; i += 2) {
            for (const line of document.subarray(ranges[i], ranges[i + 1]).toString('utf8').split('\n')) {
              assert.equal(findingFilePath(JSON.parse(line) as Finding), file);
              lines++;
            }
          }
        }
        assert.equal(lines, own.length, 'every finding of the test is in its table once');
      }
      const one = await assertSameAsFullOpen(files('src/f1.ts'), 'one file');
      assert.ok(one.findings.length > 0 && one.imports.length === 2);
      await assertSameAsFullOpen(files('src/f1.ts', 'lib/resolved.ts'), 'two files, one of them a resolved path');
      assert.deepEqual(await readFindingsOfFiles(storePath, files('src/none.ts')), { findings: [], imports: [] }, 'a file without findings');
      await store.close();
    });

    it('the journal\'s later changes are laid over the documents: triage, added findings, import records, a finding moved into and out of a shown file', async () => {
      const store = await filesStore();
      const inF1 = store.ledger.data.findings.filter((f) => f.filePath === 'src/f1.ts' && !f.location);
      await store.transaction((ledger) => addNote(ledger, ledger.finding(inF1[0].id) as Finding, 'looked at it', ctx));
      await store.transaction((ledger) => {
        for (let n = 0; n < 3; n++) {
          const f = makeFinding(ledger.nextId('finding'), 1, 7000 + n, 'new in f1');
          f.filePath = 'src/f1.ts';
          ledger.addFinding(f);
        }
        ledger.addImport(makeMarker(ledger.nextId('importRecord'), 1, 'second'));
      });
      await store.transaction((ledger) => {
        const out = ledger.finding(inF1[1].id) as Finding;
        out.location = { resolvedPath: 'src/f2.ts' };
        ledger.touch(out);
        const into = ledger.data.findings.find((f) => f.filePath === 'src/f3.ts' && !f.location) as Finding;
        into.location = { resolvedPath: 'src/f1.ts' };
        ledger.touch(into);
      });
      assert.ok((await fs.stat(journal())).size > 0, 'the changes are in the journal');
      const read = await assertSameAsFullOpen(files('src/f1.ts'), 'after journaled changes');
      assert.ok(read.findings.some((f) => f.notes.some((n) => n.text === 'looked at it')), 'the triage');
      assert.equal(read.findings.filter((f) => f.description === 'new in f1').length, 3, 'the added findings');
      assert.ok(!read.findings.some((f) => f.id === inF1[1].id), 'the finding moved out');
      assert.equal(read.imports.filter((r) => r.testId === 1).length, 2, 'the import record the journal added');
      await assertSameAsFullOpen(files('src/f2.ts', 'src/f3.ts'), 'the files the moved findings left and joined');
      // A removal rewrites the document and folds the journal in: the new table says the same.
      await store.transaction((ledger) => ledger.removeFinding(ledger.findingsOfTest(1)[5].id));
      await assertSameAsFullOpen(files('src/f1.ts'), 'after the journal was folded into new documents');
      await store.close();
    });

    it('without a table that fits its document, nothing is read ahead and the store opens as before', async () => {
      await (await filesStore()).close();
      const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { parts: Record<string, { file: string; bytes: number }> };
      const entry = index.parts['1'];
      const tablePath = path.join(partsDir(), entry.file.replace(/\.jsonl$/, '.paths.json'));
      const good = await fs.readFile(tablePath, 'utf8');
      const table = JSON.parse(good) as PathTable;
      const cases: [string, string | null][] = [
        ['no table (a document written before path tables)', null],
        ['a table of another size', JSON.stringify({ ...table, bytes: table.bytes + 1 })],
        ['a table of another document', JSON.stringify({ ...table, document: 't1-g7.jsonl' })],
        ['a table that is not JSON', good.slice(0, 20)],
        ['ranges past the document\'s end', JSON.stringify({ ...table, paths: [['src/f1.ts', [0, table.bytes + 10]]] })],
        ['a range that does not hold whole findings', JSON.stringify({ ...table, paths: table.paths.map(([file, r]) => [file, r.map((n, i) => (i === 0 ? n + 1 : n))]) })],
        ['a range holding another file\'s findings', JSON.stringify({ ...table, paths: table.paths.map(([file], i, all) => [file, all[(i + 1) % all.length][1]]) })],
      ];
      for (const [what, text] of cases) {
        if (text === null) await fs.rm(tablePath);
        else await fs.writeFile(tablePath, text);
        assert.equal(await readFindingsOfFiles(storePath, files('src/f1.ts', 'src/f2.ts')), null, what);
      }
      await fs.writeFile(tablePath, good);
      assert.ok(await readFindingsOfFiles(storePath, files('src/f1.ts')), 'the table put back');
      // A document without a table (as the previous release wrote them) gets one when the store
      // is next read whole, the same one its write would have given it.
      await fs.rm(tablePath);
      const store = await LedgerStore.open(storePath, { fsync: false });
      assert.deepEqual(store.setAside, [], 'a table is never a reason to set the store aside');
      assert.equal(store.ledger.data.findings.length, 120);
      assert.equal(await fs.readFile(tablePath, 'utf8'), good, 'the missing table written from the lines read');
      await store.close();
      await assertSameAsFullOpen(files('src/f1.ts', 'src/f2.ts'), 'through the table written on open');
    });

    it('findings or import records a whole-store load would refuse (a hostile store committed to the repository) are never read ahead', async () => {
      await (await filesStore()).close();
      assert.ok(await readFindingsOfFiles(storePath, files('src/f1.ts')), 'read ahead before');
      const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { journalThrough: number };
      const hostile = { ...makeFinding(9001, 1, 9001, 'hostile'), filePath: 'src/f1.ts', severity: 42 };
      await fs.writeFile(journal(), `${JSON.stringify({ seq: index.journalThrough + 1, findings: [], added: [hostile] })}\n`);
      assert.equal(await readFindingsOfFiles(storePath, files('src/f1.ts')), null, 'a finding of the wrong shape');
      assert.ok(await readFindingsOfFiles(storePath, files('src/f2.ts')), "a file the bad finding is not in is still read ahead");
      const record = { ...makeMarker(9001, 1, 'hostile'), actions: 'none' };
      await fs.writeFile(journal(), `${JSON.stringify({ seq: index.journalThrough + 1, findings: [], imports: [record] })}\n`);
      assert.equal(await readFindingsOfFiles(storePath, files('src/f1.ts')), null, 'an import record of the wrong shape');
      const store = await LedgerStore.open(storePath, { fsync: false });
      assert.equal(store.setAside.length, 1, 'the whole-store load refuses that store too');
      await store.close();
    });

    it('no store, or an index of another schema (migrated by the open), gives nothing to read ahead', async () => {
      assert.equal(await readFindingsOfFiles(storePath, files('src/f1.ts')), null, 'no store');
      await (await filesStore()).close();
      const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as Record<string, unknown>;
      await fs.writeFile(storePath, JSON.stringify({ ...index, schemaVersion: STORE_SCHEMA_VERSION - 1 }));
      assert.equal(await readFindingsOfFiles(storePath, files('src/f1.ts')), null, 'an older schema');
      await fs.writeFile(storePath, JSON.stringify({ ...index, schemaVersion: STORE_SCHEMA_VERSION + 1 }));
      assert.equal(await readFindingsOfFiles(storePath, files('src/f1.ts')), null, 'a newer schema');
    });
  });

  describe('a store opened for a few findings (the CLI\'s triage) reads only those', () => {
    it('each finding is found by a binary search of its document: first, last, middle, absent, and lines of every length', async () => {
      const store = await LedgerStore.open(storePath, { fsync: false });
      await store.transaction((ledger) => {
        const t = ensureTest(ledger);
        const other = secondTest(ledger);
        // Interleaved ids, so each document's ids have gaps; descriptions of very different lengths.
        for (let n = 0; n < 300; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), n % 3 === 0 ? other : t, n, 'x'.repeat((n * 7919) % 5000)));
      });
      const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { parts: Record<string, { file: string; ids: [number, number][] }> };
      const entry = index.parts['1'];
      const own = store.ledger.findingsOfTest(1);
      assert.deepEqual(entry.ids, idRanges(own));
      const file = path.join(partsDir(), entry.file);
      const wanted = [own[0].id, own[own.length - 1].id, own[100].id, own[101].id, 1, 4, 10_000];
      const found = await readPartFindings(file, 1, wanted);
      assert.deepEqual(found.map((f) => f.id), [own[0].id, own[own.length - 1].id, own[100].id, own[101].id]);
      assert.deepEqual(found[2], store.ledger.finding(own[100].id), 'read whole and decoded');
      for (const f of own) assert.deepEqual((await readPartFindings(file, 1, [f.id]))[0]?.id, f.id);
      await store.close();
    });

    it('a triage through it appends to the journal, and a whole-store open sees it with everything else', async () => {
      const { store } = await twoTests(40);
      const target = store.ledger.data.findings[57];
      await store.close();
      const scoped = await LedgerStore.open(storePath, { fsync: false, findings: [target.id] });
      assert.deepEqual(scoped.ledger.data.findings.map((f) => f.id), [target.id], 'only the named finding is loaded');
      assert.equal(scoped.ledger.data.tests.length, 2, 'the index is whole');
      await scoped.transaction((ledger) => addNote(ledger, ledger.finding(target.id) as never, 'scoped', ctx));
      await assert.rejects(
        scoped.transaction((ledger) => ledger.addFinding(makeFinding(ledger.nextId('finding'), 1, 1, 'new'))),
        /needs the whole store/,
        'a change beyond the loaded findings is refused, not written half',
      );
      await scoped.close();
      const whole = await storedData(storePath);
      assert.equal(whole.findings.length, 80);
      assert.deepEqual(whole.findings.find((f) => f.id === target.id)?.notes.map((n) => n.text), ['scoped']);
      // The next scoped open replays that journal line for its finding.
      const again = await LedgerStore.open(storePath, { fsync: false, findings: [target.id] });
      assert.deepEqual(again.ledger.finding(target.id)?.notes.map((n) => n.text), ['scoped']);
      await again.close();
    });
  });

  it('findings are written whole; a line without the usual values (the measured compact form) decodes to the same finding', () => {
    const f = makeFinding(1, 1, 3, 'd');
    assert.equal(encodeFinding(f), JSON.stringify(f));
    const line = compactFinding(f);
    assert.ok(line.length < JSON.stringify(f).length);
    for (const absent of ['"falsePositive"', '"notes"', '"numericalSeverity"', '"duplicateOf"']) assert.ok(!line.includes(absent), absent);
    assert.deepEqual(decodeFinding(JSON.parse(line) as Record<string, unknown>), f);
    const triaged = { ...f, falsePositive: true, active: false, numericalSeverity: 'S9', notes: [{ id: 1, at: 'x', author: 'a', text: 't' }] };
    assert.deepEqual(decodeFinding(JSON.parse(compactFinding(triaged)) as Record<string, unknown>), triaged);
  });

  it('decoding, which lets fields that repeat another field share its string (a saving the benchmark measures), changes no value and adds no key, whatever the line holds', () => {
    const f = {
      ...makeFinding(1, 1, 3, 'd'),
      lineHash: 'a'.repeat(64),
      regionHash: 'a'.repeat(64),
      references: 'https://example.invalid/rule',
      vulnIdFromTool: 'rule-1',
      location: { resolvedPath: 'src/a.ts', ruleId: 'rule-1', ruleHelpUri: 'https://example.invalid/rule', snippet: 'x' },
      filePath: 'src/a.ts',
    } as Finding;
    const line = encodeFinding(f);
    assert.deepEqual(decodeFinding(JSON.parse(line) as Record<string, unknown>), JSON.parse(line));
    assert.equal(encodeFinding(decodeFinding(JSON.parse(line) as Record<string, unknown>)), line, 'encodes to the same line');
    // Partners that differ, are absent or are not text, and locations that are not objects.
    const odd = [
      { ...f, regionHash: 'b'.repeat(64), location: { resolvedPath: 'elsewhere.ts' } },
      { ...f, regionHash: null, lineHash: null, location: {} },
      { ...f, location: null },
      { ...f, location: 'not an object' },
      { ...f, created: 7, lastStatusUpdate: 7, location: ['resolvedPath'] },
    ];
    for (const record of odd) {
      const text = JSON.stringify(record);
      assert.deepEqual(decodeFinding(JSON.parse(text) as Record<string, unknown>), JSON.parse(text), text.slice(0, 60));
    }
  });

  it('two processes adding notes at once through the journal, with compactions between: every note kept once', async () => {
    const count = 40;
    const children = ['left', 'right'].map((label) => spawnWorker('noter.ts', [storePath, '20', String(count), label, '6000']));
    const outputs = children.map(collectOutput);
    const ends = await Promise.all(children.map(exited));
    ends.forEach((e, i) => assert.equal(e.code, 0, outputs[i].stderr()));
    const data = await storedData(storePath);
    const notes = data.findings.flatMap((f) => f.notes);
    assert.equal(notes.length, 2 * count);
    assert.equal(new Set(notes.map((n) => n.id)).size, 2 * count, 'no note id handed out twice');
    for (const label of ['left', 'right']) for (let n = 1; n <= count; n++) assert.ok(notes.some((x) => x.text === `${label}:${n}`), `${label}:${n}`);
  });

  for (const additions of [0, 3]) {
    const what = additions === 0 ? 'notes (edits)' : 'reimport-like changes (a note, 3 findings and an import record each: schema-3 entries)';
    it(`SIGKILL during journal appends and compactions of ${what}: the store loads and holds every committed change`, async () => {
      const seed = Number(process.env.STORE_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const random = seededRandom(seed);
      const committed = new Set<string>();
      const iterations = Number(process.env.STORE_KILL_ITERATIONS ?? 12);
      for (let i = 0; i < iterations; i++) {
        const child = spawnWorker('noter.ts', [storePath, '200', '0', `run${i}`, '20000', String(additions)]);
        const output = collectOutput(child);
        const ready = new Promise<void>((resolve) => output.onLine((line) => line === 'ready' && resolve()));
        const end = exited(child);
        await Promise.race([ready, end]);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 300)));
        child.kill('SIGKILL');
        const { signal } = await end;
        assert.equal(signal, 'SIGKILL', `seed ${seed}, iteration ${i}: the worker ended on its own: ${output.stderr()}`);
        for (const line of output.lines) {
          const match = /^committed (.+)$/.exec(line);
          if (match) committed.add(match[1]);
        }
        const store = await LedgerStore.open(storePath, { fsync: false });
        assert.deepEqual(store.setAside, [], `seed ${seed}, iteration ${i}: the store was set aside`);
        const { findings, imports } = store.ledger.data;
        const texts = new Set(findings.flatMap((f) => f.notes.map((n) => n.text)));
        for (const c of committed) assert.ok(texts.has(c), `seed ${seed}, iteration ${i}: committed note ${c} is missing`);
        const ids = findings.flatMap((f) => f.notes.map((n) => n.id));
        assert.equal(new Set(ids).size, ids.length, `seed ${seed}, iteration ${i}: a note id was handed out twice`);
        if (additions > 0) {
          // All or nothing: every change saved has its import record and all its findings, and no other.
          const markers = imports.map((r) => r.version).filter((v) => /^run\d+:\d+$/.test(v ?? ''));
          for (const c of committed) assert.ok(markers.includes(c), `seed ${seed}, iteration ${i}: committed import ${c} is missing`);
          for (const m of markers) {
            const added = findings.filter((f) => f.description === `added with ${m}`).length;
            assert.equal(added, additions, `seed ${seed}, iteration ${i}: change ${m} kept ${added} of its ${additions} findings`);
            assert.ok(texts.has(m), `seed ${seed}, iteration ${i}: change ${m} lost its note`);
          }
          assert.equal(findings.length, 200 + markers.length * additions, `seed ${seed}, iteration ${i}: findings beyond the saved changes`);
        }
        await store.close();
        const stray = (await fs.readdir(partsDir())).filter((n) => n.endsWith('.tmp'));
        assert.deepEqual(stray, [], 'no temporary documents are left after an open');
      }
      assert.ok(committed.size > 0, 'some changes committed before the kills');
      if (additions > 0) {
        const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as { generation: number };
        assert.ok(index.generation > 1, 'compactions happened between the kills');
      }
    });
  }
});
