/**
 * Child process for the concurrency test: runs `count` transactions, each taking the next
 * import-record id and adding a record for it, with a pause inside the transaction so two
 * processes overlap. A lost update shows up as a missing or repeated id.
 *
 * Usage: node --import tsx test/store-workers/incrementer.ts <store path> <count> <label>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerStore } from '../../src/store/ledger-store';
import { ensureTest, makeMarker } from './fixtures';

async function main(): Promise<void> {
  const [storePath, countText, label] = process.argv.slice(2);
  const store = await LedgerStore.open(storePath);
  for (let i = 0; i < Number(countText); i++) {
    await store.transaction(async (ledger) => {
      const testId = ensureTest(ledger);
      const id = ledger.nextId('importRecord');
      await sleep(1 + Math.floor(Math.random() * 5));
      ledger.addImport(makeMarker(id, testId, label));
    });
  }
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
