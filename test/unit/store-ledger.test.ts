import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyStoreData, STORE_SCHEMA_VERSION } from '../../src/model';
import { StoreError } from '../../src/store/errors';
import { LedgerStore, type SetAsideEvent } from '../../src/store/ledger-store';
import { migrateStoreDocument, readStoreDocument, STORE_MIGRATIONS, type StoreMigration } from '../../src/store/schema';
import { storedData, storeFiles } from '../store-files';
import { ensureTest, makeFinding, makeMarker } from '../store-workers/fixtures';

const PINNED = new Date('2026-11-22T06:10:00.123Z');

describe('store: LedgerStore', () => {
  let dir: string;
  let storePath: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-store-'));
    storePath = path.join(dir, '.scan-ledger', 'store.json');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Opens the store with a pinned clock and collects what it sets aside. */
  async function open(extra: Parameters<typeof LedgerStore.open>[1] = {}): Promise<{ store: LedgerStore; events: SetAsideEvent[] }> {
    const events: SetAsideEvent[] = [];
    const store = await LedgerStore.open(storePath, { fsync: false, now: () => PINNED, onSetAside: (e) => events.push(e), ...extra });
    return { store, events };
  }

  async function writeRaw(text: string): Promise<void> {
    await fs.mkdir(path.dirname(storePath), { recursive: true });
    await fs.writeFile(storePath, text);
  }

  async function addOneFinding(store: LedgerStore, n = 1): Promise<void> {
    await store.transaction((ledger) => {
      const testId = ensureTest(ledger);
      ledger.addFinding(makeFinding(ledger.nextId('finding'), testId, n, 'd'));
    });
  }

  describe('opening', () => {
    it('§6 a missing store file gives an empty store, and nothing is written until a transaction', async () => {
      const { store, events } = await open();
      assert.deepEqual(store.ledger.data, emptyStoreData());
      assert.deepEqual(events, []);
      await assert.rejects(fs.stat(storePath), { code: 'ENOENT' });
    });

    it('§6 "the folder has its own .gitignore for the store, while triage.json is meant to be committed"', async () => {
      const { store } = await open();
      await addOneFinding(store);
      const folder = path.dirname(storePath);
      execFileSync('git', ['init', '-q', dir]);
      const ignored = (name: string): boolean => {
        try {
          execFileSync('git', ['-C', dir, 'check-ignore', '-q', path.join(folder, name)]);
          return true;
        } catch {
          return false;
        }
      };
      for (const name of ['store.json', 'store.json.lock', 'store.json.lock-owner', '.store.json.tmp', 'store.corrupt-2026-11-22T06-10-00-123Z.json', 'store.newer-schema-x.json']) {
        assert.ok(ignored(name), `${name} should be ignored`);
      }
      assert.ok(!ignored('triage.json'), 'triage.json must not be ignored');
      assert.ok(!ignored('.gitignore'), 'the .gitignore itself is committed');
    });

    it('leaves a .gitignore it did not write alone', async () => {
      await fs.mkdir(path.dirname(storePath), { recursive: true });
      await fs.writeFile(path.join(path.dirname(storePath), '.gitignore'), 'my-own-rules\n');
      await open();
      assert.equal(await fs.readFile(path.join(path.dirname(storePath), '.gitignore'), 'utf8'), 'my-own-rules\n');
    });

    it('§6 "indexes are built in memory on load; the file holds only data"', async () => {
      const { store } = await open();
      await addOneFinding(store, 7);
      const text = await fs.readFile(storePath, 'utf8');
      const expectedKeys = [...Object.keys(emptyStoreData()).filter((k) => k !== 'findings' && k !== 'imports'), 'generation', 'journalThrough', 'parts'];
      assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), expectedKeys.sort(), 'the index holds no findings or import records');
      assert.ok(!text.includes('\n'), 'the index is written compactly');
      const parts = await fs.readdir(path.join(path.dirname(storePath), 'store.parts'));
      assert.deepEqual(parts.sort(), ['t1-g1.jsonl', 't1-g1.paths.json'], "the finding is in its test's document, which has its path table");
      const { store: reopened } = await open();
      const f = reopened.ledger.data.findings[0];
      assert.equal(reopened.ledger.finding(f.id), f);
      assert.deepEqual(reopened.ledger.findingsByHash.get(f.hashCode as string), [f]);
      assert.deepEqual(reopened.ledger.findingsByFile.get(f.filePath as string), [f]);
    });

    it('raises an id counter that a hand edit left behind the ids in use, so no id is handed out twice', async () => {
      const data = emptyStoreData();
      data.findings.push(makeFinding(5, 1, 5, 'd'));
      data.nextIds.finding = 2;
      await writeRaw(JSON.stringify(data));
      const { store } = await open();
      assert.equal(store.ledger.nextId('finding'), 6);
    });

    it('a store path that cannot be read as a file fails with a StoreError naming it, and nothing is set aside', async () => {
      await fs.mkdir(storePath, { recursive: true });
      await assert.rejects(open(), (error: unknown) => error instanceof StoreError && error.filePath === storePath);
      assert.ok((await fs.stat(storePath)).isDirectory());
    });
  });

  describe('unreadable files are moved aside, never overwritten', () => {
    const cases: { name: string; text: string; kind: string; reason: RegExp }[] = [
      { name: 'invalid JSON', text: '{"schemaVersion": 1, "findings": [', kind: 'corrupt', reason: /not valid JSON/ },
      { name: 'an empty file', text: '', kind: 'corrupt', reason: /not valid JSON/ },
      { name: 'JSON null', text: 'null', kind: 'corrupt', reason: /not hold a JSON object/ },
      { name: 'a JSON array', text: '[1,2]', kind: 'corrupt', reason: /not hold a JSON object/ },
      { name: 'no schemaVersion', text: '{"findings": []}', kind: 'corrupt', reason: /schemaVersion/ },
      {
        name: 'a broken structure',
        text: JSON.stringify({ ...emptyStoreData(), findings: {} }),
        kind: 'corrupt',
        reason: /"findings" is missing or not an array/,
      },
      {
        name: 'a finding without an id',
        text: JSON.stringify({ ...emptyStoreData(), findings: [{ testId: 1 }] }),
        kind: 'corrupt',
        reason: /findings\[0\]\.id/,
      },
      {
        name: 'a newer schema',
        text: JSON.stringify({ ...emptyStoreData(), schemaVersion: STORE_SCHEMA_VERSION + 1, somethingNew: true }),
        kind: 'newer-schema',
        reason: new RegExp(`schema version ${STORE_SCHEMA_VERSION + 1} is newer`),
      },
    ];
    for (const c of cases) {
      it(`§6 "a store that cannot be read (corrupt, newer schema) is moved aside with a timestamp and reported": ${c.name}`, async () => {
        await writeRaw(c.text);
        const { store, events } = await open();
        const expected = path.join(path.dirname(storePath), `store.${c.kind}-2026-11-22T06-10-00-123Z.json`);
        assert.equal(events.length, 1);
        assert.equal(events[0].from, storePath);
        assert.equal(events[0].to, expected);
        assert.match(events[0].reason, c.reason);
        assert.deepEqual(store.setAside, events);
        assert.equal(await fs.readFile(expected, 'utf8'), c.text, 'the set-aside file holds the original bytes');
        assert.deepEqual(store.ledger.data, emptyStoreData());
        // Work goes on in a fresh store; the set-aside file is never touched again.
        await addOneFinding(store);
        assert.equal(await fs.readFile(expected, 'utf8'), c.text);
        assert.equal((await open()).store.ledger.data.findings.length, 1);
      });
    }

    it('a second set-aside in the same millisecond gets its own name instead of overwriting the first', async () => {
      await writeRaw('first broken');
      await open();
      await writeRaw('second broken');
      const { events } = await open();
      const first = path.join(path.dirname(storePath), 'store.corrupt-2026-11-22T06-10-00-123Z.json');
      assert.equal(events[0].to, path.join(path.dirname(storePath), 'store.corrupt-2026-11-22T06-10-00-123Z-1.json'));
      assert.equal(await fs.readFile(first, 'utf8'), 'first broken');
      assert.equal(await fs.readFile(events[0].to, 'utf8'), 'second broken');
    });

    it('a file broken by someone else between transactions is set aside at the next transaction, not overwritten', async () => {
      const { store, events } = await open();
      await addOneFinding(store);
      await fs.writeFile(storePath, 'garbage');
      await addOneFinding(store, 2);
      assert.equal(events.length, 1);
      assert.equal(await fs.readFile(events[0].to, 'utf8'), 'garbage');
      assert.equal((await open()).store.ledger.data.findings.length, 1, 'the transaction ran on a fresh store');
    });
  });

  describe('migrations', () => {
    it('§6 "a schema version and migrations": migrations run in order, each from the version it upgrades', () => {
      const order: number[] = [];
      const step =
        (from: number): StoreMigration =>
        (data) => {
          order.push(from);
          assert.equal((data as { schemaVersion: number }).schemaVersion, from);
          return { ...(data as object), [`step${from}`]: true };
        };
      const migrated = migrateStoreDocument({ schemaVersion: 1 }, 1, { 3: step(3), 1: step(1), 2: step(2) }, 4);
      assert.deepEqual(order, [1, 2, 3]);
      assert.deepEqual(migrated, { schemaVersion: 4, step1: true, step2: true, step3: true });
    });

    it('a missing migration step is an error naming the versions', () => {
      assert.throws(() => migrateStoreDocument({ schemaVersion: 1 }, 1, { 1: (d) => d }, 3), /no migration from schema version 2 to 3/);
    });

    it('opening an older file migrates it in memory; the file is rewritten by the next transaction only', async () => {
      const old = { ...emptyStoreData(), schemaVersion: 0, legacyField: 'x' } as Record<string, unknown>;
      delete old.hashConfigFingerprints;
      const text = JSON.stringify(old);
      await writeRaw(text);
      const migrations = {
        ...STORE_MIGRATIONS,
        0: (data: unknown) => {
          const { legacyField: _legacy, ...rest } = data as Record<string, unknown>;
          return { ...rest, hashConfigFingerprints: {} };
        },
      };
      const { store, events } = await open({ migrations });
      assert.deepEqual(events, []);
      assert.equal(store.ledger.data.schemaVersion, STORE_SCHEMA_VERSION);
      assert.deepEqual(store.ledger.data.hashConfigFingerprints, {});
      assert.equal(await fs.readFile(storePath, 'utf8'), text);
      await addOneFinding(store);
      const written = JSON.parse(await fs.readFile(storePath, 'utf8')) as Record<string, unknown>;
      assert.equal(written.schemaVersion, STORE_SCHEMA_VERSION);
      assert.ok(!('legacyField' in written));
      assert.ok('parts' in written, 'the next transaction writes the index-and-documents layout');
    });

    it('a failing migration sets the file aside as old-schema with its original bytes', async () => {
      const text = JSON.stringify({ ...emptyStoreData(), schemaVersion: 0 });
      await writeRaw(text);
      const { events } = await open({
        migrations: {
          0: () => {
            throw new Error('cannot split the findings table');
          },
        },
      });
      assert.equal(events.length, 1);
      assert.match(events[0].reason, /migration from schema version 0 to 1 failed: cannot split the findings table/);
      assert.match(events[0].to, /store\.old-schema-2026-11-22T06-10-00-123Z\.json$/);
      assert.equal(await fs.readFile(events[0].to, 'utf8'), text);
    });

    it('readStoreDocument accepts the current empty store as is', () => {
      const result = readStoreDocument(emptyStoreData());
      assert.ok(result.ok);
      assert.equal(result.migratedFrom, null);
    });
  });

  describe('transactions', () => {
    it('§6 "writes are atomic": a failed transaction leaves the file byte-identical and the ledger as it was, and rethrows', async () => {
      const { store } = await open();
      await addOneFinding(store);
      const before = await storeFiles(storePath);
      const statBefore = await fs.stat(storePath);
      const failure = new Error('parser blew up halfway');
      await assert.rejects(
        store.transaction((ledger) => {
          const testId = ensureTest(ledger);
          ledger.addFinding(makeFinding(ledger.nextId('finding'), testId, 2, 'half'));
          ledger.data.findings[0].title = 'changed';
          ledger.addImport(makeMarker(ledger.nextId('importRecord'), testId, 'never'));
          throw failure;
        }),
        (error: unknown) => error === failure,
      );
      assert.deepEqual(await storeFiles(storePath), before);
      assert.equal((await fs.stat(storePath)).mtimeMs, statBefore.mtimeMs);
      assert.equal(store.ledger.data.findings.length, 1);
      assert.notEqual(store.ledger.data.findings[0].title, 'changed');
      assert.equal(store.ledger.data.imports.length, 0);
      assert.equal(store.ledger.findingsById.size, 1, 'indexes went back too');
      assert.equal(store.ledger.nextId('finding'), 2, 'ids handed out by the failed transaction are free again');
    });

    it('an async failure is rolled back the same way', async () => {
      const { store } = await open();
      await addOneFinding(store);
      const before = await storeFiles(storePath);
      await assert.rejects(
        store.transaction(async (ledger) => {
          ledger.data.findings[0].active = false;
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('late failure');
        }),
        /late failure/,
      );
      assert.deepEqual(await storeFiles(storePath), before);
      assert.equal(store.ledger.data.findings[0].active, true);
    });

    it('a change JSON cannot hold (a circular reference) fails before any byte is written, and is discarded', async () => {
      const { store } = await open();
      await addOneFinding(store);
      const before = await storeFiles(storePath);
      await assert.rejects(
        store.transaction((ledger) => {
          const note = { id: 1, at: '', author: '', text: '' } as Record<string, unknown>;
          note.self = note;
          ledger.data.findings[0].notes.push(note as never);
          ledger.touch(ledger.data.findings[0]);
        }),
        (error: unknown) => error instanceof StoreError && /cannot write the store/.test(error.message),
      );
      assert.deepEqual(await storeFiles(storePath), before);
      assert.deepEqual(store.ledger.data.findings[0].notes, []);
    });

    it('a transaction returns what its function returns, and the change is on disk', async () => {
      const { store } = await open();
      const id = await store.transaction((ledger) => {
        const testId = ensureTest(ledger);
        const findingId = ledger.nextId('finding');
        ledger.addFinding(makeFinding(findingId, testId, 3, 'd'));
        return findingId;
      });
      assert.equal(id, 1);
      const written = await storedData(storePath);
      assert.deepEqual(
        written.findings.map((f) => f.id),
        [1],
      );
    });

    it('a closed store refuses further transactions with a StoreError', async () => {
      const { store } = await open();
      await store.close();
      await assert.rejects(
        store.transaction(() => undefined),
        (error: unknown) => error instanceof StoreError && /closed/.test(error.message),
      );
    });
  });
});
