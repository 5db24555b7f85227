import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerStore } from '../../src/store/ledger-store';
import { collectOutput, exited, seededRandom, spawnWorker } from '../store-workers/processes';

/** How many findings the writer keeps in the store: each write rewrites about 3 MB. */
const FINDINGS = 3000;

describe('store: a killed process', function () {
  const iterations = Number(process.env.STORE_KILL_ITERATIONS ?? 25);
  // Each iteration starts a Node process; allow for a machine shared with other work.
  this.timeout(30_000 + iterations * 15_000);

  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-crash-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('§6 "a killed process never leaves a half-written store": after SIGKILL at random moments the store loads and holds every committed import', async () => {
    const seed = Number(process.env.STORE_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = seededRandom(seed);
    const storePath = path.join(dir, 'store.json');
    const committed = new Set<number>();
    const context = (i: number) => `seed ${seed} (STORE_KILL_SEED), iteration ${i + 1}/${iterations}`;

    for (let i = 0; i < iterations; i++) {
      const child = spawnWorker('writer.ts', [storePath, String(FINDINGS)]);
      const output = collectOutput(child);
      const ready = new Promise<void>((resolve) => output.onLine((line) => line === 'ready' && resolve()));
      const end = exited(child);
      await Promise.race([ready, end]);
      // Kill anywhere from just after opening to several writes in, so kills land before the
      // first write, inside the temporary-file write, between write and rename, and after it.
      await sleep(Math.floor(random() * 400));
      child.kill('SIGKILL');
      const { signal } = await end;
      assert.equal(signal, 'SIGKILL', `${context(i)}: the writer ended on its own: ${output.stderr()}`);
      for (const line of output.lines) {
        const match = /^committed (\d+)$/.exec(line);
        if (match) committed.add(Number(match[1]));
      }

      const store = await LedgerStore.open(storePath, { fsync: false });
      assert.deepEqual(store.setAside, [], `${context(i)}: the store was set aside`);
      const data = store.ledger.data;
      const ids = new Set(data.imports.map((r) => r.id));
      for (const id of committed) assert.ok(ids.has(id), `${context(i)}: committed import ${id} is missing`);
      if (ids.size > 0) {
        // A transaction is all or nothing: every finding carries the latest import's text.
        const latest = Math.max(...ids);
        assert.equal(data.findings.length, FINDINGS, context(i));
        const stale = data.findings.filter((f) => !f.description.startsWith(`written by import ${latest}:`));
        assert.equal(stale.length, 0, `${context(i)}: ${stale.length} findings miss the write of import ${latest}`);
      }
      await store.close();
    }
    assert.ok(committed.size > 0, `seed ${seed}: no write committed in ${iterations} runs, so nothing was tested`);
    // Each killed writer left its lock behind; the next one took it over at once because the
    // recorded holder was dead, and so does this last transaction.
    const store = await LedgerStore.open(storePath, { fsync: false });
    await store.transaction(() => undefined);
  });

  it('item 3 (issue 16) "a kill while holding the lock costs the next command nothing": the next transaction takes the dead holder\'s lock at once and cleans it up', async () => {
    const storePath = path.join(dir, 'store.json');
    const kills = 6;
    const waits: number[] = [];
    for (let i = 0; i < kills; i++) {
      const child = spawnWorker('writer.ts', [storePath, '2000']);
      const output = collectOutput(child);
      // The writer commits back to back, so it holds the lock nearly all the time; kill it
      // once it has committed and is inside its next transaction.
      await new Promise<void>((resolve) => output.onLine((line) => line.startsWith('committed') && resolve()));
      await sleep(20 + i * 37);
      child.kill('SIGKILL');
      await exited(child);
      // The default stale time (30 s) is what the next command used to wait.
      const started = Date.now();
      const store = await LedgerStore.open(storePath, { fsync: false, lockWaitMs: 5_000 });
      await store.transaction(() => undefined);
      waits.push(Date.now() - started);
      await store.close();
      await assert.rejects(fs.lstat(`${storePath}.lock`), `kill ${i + 1}: the lock folder is left behind`);
      await assert.rejects(fs.lstat(path.join(dir, '.store.json.tmp')), `kill ${i + 1}: the store temporary is left behind`);
    }
    console.log(`      next transaction after a kill while locked: ${waits.join(', ')} ms`);
    assert.ok(Math.max(...waits) < 5_000, `waited ${Math.max(...waits)} ms`);
  });
});
