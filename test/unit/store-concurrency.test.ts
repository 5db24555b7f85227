import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { LedgerStore } from '../../src/store/ledger-store';
import { StoreError, StoreLockError } from '../../src/store/errors';
import { ensureTest, makeMarker } from '../store-workers/fixtures';
import { collectOutput, exited, spawnWorker } from '../store-workers/processes';

describe('store: concurrent writers', function () {
  this.timeout(120_000);

  let dir: string;
  let storePath: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-concurrency-'));
    storePath = path.join(dir, 'store.json');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('§6 "two CLI processes reimporting into one store at once never lose an import": 2 processes × 20 transactions leave 40 distinct records', async () => {
    const children = ['first', 'second'].map((label) => {
      const child = spawnWorker('incrementer.ts', [storePath, '20', label]);
      return { label, child, output: collectOutput(child), end: exited(child) };
    });
    for (const { label, output, end } of children) {
      const { code } = await end;
      assert.equal(code, 0, `${label} worker failed: ${output.stderr()}`);
    }
    const store = await LedgerStore.open(storePath);
    const imports = store.ledger.data.imports;
    assert.deepEqual(
      imports.map((r) => r.id).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    assert.equal(imports.filter((r) => r.version === 'first').length, 20);
    assert.equal(imports.filter((r) => r.version === 'second').length, 20);
    assert.equal(store.ledger.data.nextIds.importRecord, 41);
  });

  it('§6 "writes are serialised through one queue": 50 overlapping transactions in one process all land', async () => {
    const store = await LedgerStore.open(storePath, { fsync: false });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.transaction(async (ledger) => {
          const testId = ensureTest(ledger);
          const id = ledger.nextId('importRecord');
          await new Promise((resolve) => setImmediate(resolve));
          ledger.addImport(makeMarker(id, testId, `t${i}`));
        }),
      ),
    );
    const reopened = await LedgerStore.open(storePath);
    assert.equal(reopened.ledger.data.imports.length, 50);
    assert.equal(new Set(reopened.ledger.data.imports.map((r) => r.id)).size, 50);
  });

  it('a second store object on the same file reloads before its transaction, so the first one\'s write is kept', async () => {
    const a = await LedgerStore.open(storePath, { fsync: false });
    const b = await LedgerStore.open(storePath, { fsync: false });
    await a.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'a')));
    await b.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'b')));
    const reopened = await LedgerStore.open(storePath);
    assert.deepEqual(
      reopened.ledger.data.imports.map((r) => [r.id, r.version]),
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
    await a.reload();
    assert.equal(a.ledger.data.imports.length, 2, 'reload picks up the other writer');
  });

  it('a lock whose holder cannot be checked (another machine, no holder record) is taken over once it is stale', async () => {
    const store = await LedgerStore.open(storePath, { fsync: false, lockStaleMs: 2000 });
    // What a SIGKILLed holder leaves: the lock folder, no longer refreshed.
    await fs.mkdir(`${storePath}.lock`);
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(`${storePath}.lock`, old, old);
    await store.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'after')));
    const reopened = await LedgerStore.open(storePath);
    assert.equal(reopened.ledger.data.imports.length, 1);
  });

  /** Creates the lock folder as another holder would, with its holder record. */
  async function holdLockAs(pid: number, host = os.hostname()): Promise<void> {
    await fs.mkdir(`${storePath}.lock`);
    const s = await fs.stat(`${storePath}.lock`, { bigint: true });
    await fs.writeFile(`${storePath}.lock-owner`, JSON.stringify({ pid, host, lock: `${s.dev}:${s.ino}:${s.birthtimeNs}` }));
  }

  it('a lock left by a dead process on this machine is taken over at once, without waiting for it to go stale', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    assert.ok(dead !== undefined);
    await holdLockAs(dead);
    // The stale time is the default 30 s and the wait limit 3 s: only the pid check can pass.
    const store = await LedgerStore.open(storePath, { fsync: false, lockWaitMs: 3000 });
    await store.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'after')));
    assert.equal((await LedgerStore.open(storePath)).ledger.data.imports.length, 1);
  });

  it('a lock held by a live process on this machine is never taken over, however old its time stamp', async () => {
    await holdLockAs(process.pid);
    const old = new Date(Date.now() - 3_600_000);
    await fs.utimes(`${storePath}.lock`, old, old);
    const store = await LedgerStore.open(storePath, { fsync: false, lockStaleMs: 2000, lockWaitMs: 500 });
    await assert.rejects(
      store.transaction((ledger) => ledger.nextId('importRecord')),
      StoreLockError,
    );
  });

  it('a holder record of another machine falls back to the stale rule', async () => {
    await holdLockAs(process.pid, `not-${os.hostname()}`);
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(`${storePath}.lock`, old, old);
    const store = await LedgerStore.open(storePath, { fsync: false, lockStaleMs: 2000, lockWaitMs: 3000 });
    await store.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'after')));
    assert.equal((await LedgerStore.open(storePath)).ledger.data.imports.length, 1);
  });

  it('a transaction whose lock was taken over before its heartbeat noticed waits for the lock again and commits when nobody wrote', async () => {
    const store = await LedgerStore.open(storePath, { fsync: false });
    await store.transaction(async (ledger) => {
      ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'ours'));
      // Another process removes our lock as stale and takes it for a moment.
      await fs.rm(`${storePath}.lock`, { recursive: true });
      await fs.mkdir(`${storePath}.lock`);
      setTimeout(() => void fs.rm(`${storePath}.lock`, { recursive: true }), 300);
    });
    assert.deepEqual(
      (await LedgerStore.open(storePath)).ledger.data.imports.map((r) => r.version),
      ['ours'],
    );
  });

  it('a store file replaced by a program that ignores the lock during a transaction is kept, and the transaction fails', async () => {
    const store = await LedgerStore.open(storePath, { fsync: false });
    await store.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'first')));
    const replacement = JSON.stringify({ ...JSON.parse(await fs.readFile(storePath, 'utf8')), hashConfigFingerprints: { edited: 'by hand' } });
    await assert.rejects(
      store.transaction(async (ledger) => {
        ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'second'));
        await fs.writeFile(storePath, replacement);
      }),
      (error: unknown) => error instanceof StoreError && /replaced by another program/.test(error.message),
    );
    assert.equal(await fs.readFile(storePath, 'utf8'), replacement);
    assert.deepEqual(store.ledger.data.hashConfigFingerprints, { edited: 'by hand' });
  });

  describe('a lock lost while working (our heartbeat stopped and another process took the lock over)', () => {
    // With a 2 s stale time proper-lockfile checks its lock every second; removing the lock
    // folder inside the transaction and waiting past that check is what another process taking
    // over a stale lock looks like to us.
    const takeOver = async (): Promise<void> => {
      await fs.rm(`${storePath}.lock`, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 1600));
    };

    it('still commits when nobody wrote the store in between, so nothing of anyone is lost', async () => {
      const store = await LedgerStore.open(storePath, { fsync: false, lockStaleMs: 2000 });
      await store.transaction(async (ledger) => {
        ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'ours'));
        await takeOver();
      });
      const reopened = await LedgerStore.open(storePath);
      assert.deepEqual(
        reopened.ledger.data.imports.map((r) => r.version),
        ['ours'],
      );
    });

    it('refuses to commit with a StoreLockError when the other process wrote the store, and keeps its write', async () => {
      const store = await LedgerStore.open(storePath, { fsync: false, lockStaleMs: 2000 });
      const theirs = await LedgerStore.open(storePath, { fsync: false });
      await assert.rejects(
        store.transaction(async (ledger) => {
          ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'ours'));
          await takeOver();
          await theirs.transaction((other) => other.addImport(makeMarker(other.nextId('importRecord'), ensureTest(other), 'theirs')));
        }),
        (error: unknown) => error instanceof StoreLockError && /nothing was saved/.test(error.message),
      );
      const reopened = await LedgerStore.open(storePath);
      assert.deepEqual(
        reopened.ledger.data.imports.map((r) => r.version),
        ['theirs'],
      );
      assert.deepEqual(
        store.ledger.data.imports.map((r) => r.version),
        ['theirs'],
        'our in-memory ledger went back to the file',
      );
    });
  });

  it('a lock held by a live process past the wait limit fails with StoreLockError naming the store, and changes nothing', async () => {
    const store = await LedgerStore.open(storePath, { fsync: false, lockWaitMs: 300 });
    await fs.mkdir(`${storePath}.lock`);
    await assert.rejects(
      store.transaction((ledger) => ledger.nextId('importRecord')),
      (error: unknown) => error instanceof StoreLockError && error.message.startsWith(storePath),
    );
    await assert.rejects(fs.stat(storePath), { code: 'ENOENT' });
  });
});
