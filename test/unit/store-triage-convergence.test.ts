import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { identityKey } from '../../src/engine';
import { defaultSettings } from '../../src/model';
import { LedgerStore } from '../../src/store/ledger-store';
import { readSharedTriage } from '../../src/store/shared-triage-file';
import { convergeSharedTriage } from '../../src/store/workspace-import';
import { ensureTest, makeFinding } from '../store-workers/fixtures';
import { collectOutput, exited, spawnWorker } from '../store-workers/processes';

/**
 * Issue 16, item 2: a triage writes `.scan-ledger/triage.json` (the journal of shared decisions)
 * and then the store. Killed anywhere in between, the next command must find the two agreeing:
 * the decision in both or in neither, and no temporaries or locks left behind.
 */
describe('store: a triage killed at every step converges on the next command', function () {
  this.timeout(300_000);

  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sl-triage-kill-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** A workspace whose store holds three active findings of one test. */
  async function workspace(name: string): Promise<{ root: string; storePath: string; key: string }> {
    const root = path.join(dir, name);
    const storePath = path.join(root, '.scan-ledger', 'store.json');
    const store = await LedgerStore.open(storePath, { workspaceRoot: root, fsync: false });
    await store.transaction((ledger) => {
      const testId = ensureTest(ledger);
      for (let n = 0; n < 3; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), testId, n, 'd'));
    });
    const key = identityKey(store.ledger.finding(1)!)!;
    await store.close();
    return { root, storePath, key };
  }

  /** Whether triage.json holds the decision, and whether the store has finding 1 as a false positive. */
  async function sides(root: string, storePath: string, key: string): Promise<{ file: boolean; store: boolean }> {
    const file = (await readSharedTriage(root)).decisions.some((d) => d.key === key && d.status === 'false-positive');
    const store = await LedgerStore.open(storePath, { workspaceRoot: root, fsync: false, onUnreadable: 'fail' });
    const inStore = store.ledger.finding(1)!.falsePositive;
    await store.close();
    return { file, store: inStore };
  }

  it('item 2: for every step N, a triage SIGKILLed at step N leaves triage.json and the store agreeing after the next open, with no debris', async () => {
    let disagreedBefore = 0;
    let orphaned = 0;
    let completedAt = 0;
    for (let step = 1; step <= 60 && completedAt === 0; step++) {
      const { root, storePath, key } = await workspace(`step-${step}`);
      const child = spawnWorker('triager.ts', [root, storePath, String(step)]);
      const output = collectOutput(child);
      const { code, signal } = await exited(child);
      if (signal !== 'SIGKILL') {
        assert.equal(code, 0, `step ${step}: the triage failed: ${output.stderr()}`);
        assert.ok(output.lines.includes('done'));
        completedAt = step;
      }
      const before = await sides(root, storePath, key);
      if (before.file !== before.store) disagreedBefore++;

      // What every CLI command does first (openWorkspace), then its own open of the store
      // (which `sides` does too).
      await convergeSharedTriage(storePath, root, () => ({ now: new Date(), user: 'next-command', settings: defaultSettings() }));
      const after = await sides(root, storePath, key);
      assert.equal(after.store, after.file, `step ${step}: triage.json ${after.file ? 'has' : 'lacks'} the decision, the store ${after.store ? 'has' : 'lacks'} it`);
      const debris = async () =>
        (await fs.readdir(path.dirname(storePath))).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock') || name.endsWith('.lock-owner'));
      const names = await debris();
      if (names.some((name) => name.endsWith('.lock') && !names.includes(`${name}-owner`))) {
        // Killed between creating the lock folder and recording itself: nothing tells a dead
        // holder from a live one for the first moments, so the folder counts as orphaned once
        // its time stamp is two seconds old (proper-lockfile rounds it up to the next second, so up to three seconds; never the 30 s stale time).
        orphaned++;
        await sleep(3_100);
        await convergeSharedTriage(storePath, root, () => ({ now: new Date(), user: 'next-command', settings: defaultSettings() }));
        await (await LedgerStore.open(storePath, { workspaceRoot: root, fsync: false })).close();
      }
      assert.deepEqual(await debris(), [], `step ${step}: temporaries or locks left behind`);
    }
    assert.ok(completedAt > 1, 'the triage never got past its first step');
    assert.ok(disagreedBefore > 0, 'no kill left the two files disagreeing, so convergence was not exercised');
    console.log(`      killed at steps 1-${completedAt - 1}; ${disagreedBefore} left the files disagreeing before the next open, ${orphaned} an unrecorded lock folder`);
  });
});
