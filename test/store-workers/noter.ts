/**
 * Child process for the journal tests (issue 13): opens a store holding `findings` findings and
 * adds notes one transaction at a time, each to the next finding in turn, so every change is a
 * small one that goes to the journal; a low journal bound makes every few notes compact the
 * journal into the per-test documents. After each commit it prints `committed <label>:<n>`, a
 * promise the store must keep after a SIGKILL. It stops after `count` notes (0: never).
 * With `additions` above 0, each transaction also adds that many findings and an import record
 * labelled like the note, as a reimport does (a schema-3 journal entry, or a document rewrite
 * once the journal passes its bound).
 *
 * Usage: node --import tsx test/store-workers/noter.ts <store path> <findings> <count> <label> <journal bound> [additions]
 */
import { addNote } from '../../src/engine';
import { LedgerStore } from '../../src/store/ledger-store';
import { ensureTest, makeFinding, makeMarker } from './fixtures';

async function main(): Promise<void> {
  const [storePath, findingsText, countText, label, boundText, additionsText] = process.argv.slice(2);
  const additions = Number(additionsText ?? 0);
  const findings = Number(findingsText);
  const count = Number(countText);
  const store = await LedgerStore.open(storePath, { journalMaxBytes: Number(boundText) });
  if (store.setAside.length > 0) throw new Error(`store was set aside: ${store.setAside[0].reason}`);
  await store.transaction((ledger) => {
    const testId = ensureTest(ledger);
    for (let n = ledger.findingsOfTest(testId).length; n < findings; n++) ledger.addFinding(makeFinding(ledger.nextId('finding'), testId, n, 'd'));
  });
  process.stdout.write('ready\n');
  const ctx = { now: new Date('2026-06-01T00:00:00.000Z'), user: label, settings: undefined as never };
  for (let n = 1; count === 0 || n <= count; n++) {
    await store.transaction((ledger) => {
      const all = ledger.data.findings;
      addNote(ledger, all[n % all.length], `${label}:${n}`, ctx);
      if (additions === 0) return;
      const testId = ensureTest(ledger);
      for (let k = 0; k < additions; k++) ledger.addFinding(makeFinding(ledger.nextId('finding'), testId, 100_000 + k, `added with ${label}:${n}`));
      ledger.addImport(makeMarker(ledger.nextId('importRecord'), testId, `${label}:${n}`));
    });
    process.stdout.write(`committed ${label}:${n}\n`);
  }
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
