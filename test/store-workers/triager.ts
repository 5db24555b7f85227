/**
 * Child process for the triage convergence test (issue 16, item 2): marks finding 1 of the
 * store a false positive the way the CLI's `triage` does (`triageInWorkspace` inside a store
 * transaction, which writes `.scan-ledger/triage.json` and then the store), and kills itself
 * with SIGKILL at the Nth file-system step of that triage, so the test can crash it at every
 * step in turn. Each call of the promise-based `fs` functions the store uses to write (open,
 * writeFile, rename, rm, unlink, mkdir, rmdir) is one step. With N = 0 it runs to the end and
 * prints `done`.
 *
 * Usage: node --import tsx test/store-workers/triager.ts <workspace root> <store path> <N>
 */
import * as fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { defaultSettings } from '../../src/model';
import { LedgerStore } from '../../src/store/ledger-store';
import { triageInWorkspace } from '../../src/store/workspace-import';

const STEPS = ['open', 'writeFile', 'rename', 'rm', 'unlink', 'mkdir', 'rmdir'] as const;

/** Wraps the write-side fs functions so that the `killAt`-th call, once armed, kills the process. */
function armKillSwitch(killAt: number): { arm: () => void } {
  let armed = false;
  let calls = 0;
  const promises = fs.promises as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of STEPS) {
    const original = promises[name];
    promises[name] = function (this: unknown, ...args: unknown[]) {
      if (armed && ++calls === killAt) process.kill(process.pid, 'SIGKILL');
      return original.apply(this, args);
    };
  }
  // steno imports these from node:fs/promises as an ES module; this makes it see the wrappers.
  syncBuiltinESMExports();
  return { arm: () => (armed = true) };
}

async function main(): Promise<void> {
  const [root, storePath, killAtText] = process.argv.slice(2);
  const killSwitch = armKillSwitch(Number(killAtText));
  const store = await LedgerStore.open(storePath, { workspaceRoot: root, fsync: false });
  const ctx = { now: new Date(), user: 'killed-triager', settings: defaultSettings() };
  killSwitch.arm();
  await store.transaction((ledger) => triageInWorkspace(ledger, root, [1], { status: 'false-positive', reason: 'crash test' }, ctx));
  await store.close();
  process.stdout.write('done\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
