/**
 * Child process for the crash test: opens the store, then commits large writes forever until
 * it is killed. Each write rewrites the description of every finding and adds one import
 * record as a marker; only after the write has committed does it print `committed <id>`, so
 * every id printed is a promise the store must keep after a SIGKILL.
 *
 * Usage: node --import tsx test/store-workers/writer.ts <store path> <finding count>
 */
import { LedgerStore } from '../../src/store/ledger-store';
import { ensureTest, makeFinding, makeMarker } from './fixtures';

async function main(): Promise<void> {
  const [storePath, countText] = process.argv.slice(2);
  const findingCount = Number(countText);
  const store = await LedgerStore.open(storePath);
  if (store.setAside.length > 0) throw new Error(`store was set aside: ${store.setAside[0].reason}`);
  process.stdout.write('ready\n');
  for (;;) {
    const marker = await store.transaction((ledger) => {
      const testId = ensureTest(ledger);
      const id = ledger.nextId('importRecord');
      const description = `written by import ${id}: `.padEnd(300, 'x');
      const findings = ledger.findingsOfTest(testId);
      if (findings.length === 0) {
        for (let n = 0; n < findingCount; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), testId, n, description));
      } else {
        for (const f of findings) {
          f.description = description;
          ledger.touch(f);
        }
      }
      ledger.addImport(makeMarker(id, testId, `writer ${process.pid}`));
      return id;
    });
    // Writes to a pipe are synchronous on Linux, so the parent sees this line before any kill
    // that lands after it.
    process.stdout.write(`committed ${marker}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
