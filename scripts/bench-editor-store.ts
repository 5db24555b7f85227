/**
 * The editor side of the store benchmark (issue 13), run by `scripts/bench-store.ts` as a child
 * process on a copy of an N-finding store: what the extension host does with the store, timed in
 * the same way it runs there (in process, through LedgerStore).
 *
 *   open      LedgerStore.open of the store: what the editor waits for before its first
 *             decoration (the views then only read the ledger in memory).
 *   triage    one triage (false positive, with a reason) inside `store.transaction`, the call the
 *             editor's triage command awaits, repeated on different findings; the median.
 *
 * Prints one JSON line: { openMs, triageMs: number[], findings }.
 * Usage: node --import tsx scripts/bench-editor-store.ts <store path> <triages>
 */
import { performance } from 'node:perf_hooks';
import { triageFinding } from '../src/engine';
import { defaultSettings, effectiveSettings } from '../src/model';
import { LedgerStore } from '../src/store';

async function main(): Promise<void> {
  const [storePath, countText] = process.argv.slice(2);
  const started = performance.now();
  const store = await LedgerStore.open(storePath);
  const openMs = performance.now() - started;
  const ctx = { now: new Date(), user: 'bench', settings: effectiveSettings(defaultSettings()) };
  const open = store.ledger.data.findings.filter((f) => f.active);
  const triageMs: number[] = [];
  for (let i = 0; i < Number(countText); i++) {
    const id = open[(i * 7919) % open.length].id;
    const t = performance.now();
    await store.transaction((ledger) => triageFinding(ledger, id, { status: 'false-positive', reason: 'benchmark' }, ctx));
    triageMs.push(performance.now() - t);
  }
  const findings = store.ledger.data.findings.length;
  await store.close();
  process.stdout.write(`${JSON.stringify({ openMs, triageMs, findings })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
