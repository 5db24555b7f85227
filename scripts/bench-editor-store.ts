/**
 * The editor side of the store benchmark (issue 13), run by `scripts/bench-store.ts` as a child
 * process on a copy of an N-finding store: what the extension host does with the store, timed in
 * the same way it runs there (in process, through LedgerStore).
 *
 *   shown     readFindingsOfFiles for the file with the most findings (the most line ranges
 *             in the first document's path table): what the editor waits for before its first decoration,
 *             the findings of the shown file read ahead of the store; three runs.
 *   open      LedgerStore.open of the store: what the editor waits for before the other views
 *             (tree, Problems panel, hovers) have the store (they then only read it in memory).
 *   triage    one triage (false positive, with a reason) inside `store.transaction`, the call the
 *             editor's triage command awaits, repeated on different findings; the median.
 *
 * Prints one JSON line: { shownMs: number[], shownFindings, openMs, triageMs: number[], findings }.
 * Usage: node --import tsx scripts/bench-editor-store.ts <store path> <triages>
 */
import { promises as fs } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { triageFinding } from '../src/engine';
import { defaultSettings, effectiveSettings } from '../src/model';
import { LedgerStore, partsFolderOf, readFindingsOfFiles } from '../src/store';
import { readPathTable, type IndexDocument } from '../src/store/ledger-files';

/**
 * The file with the most line ranges in the store's first document's path table: the file with
 * the most findings in this benchmark's reports, which list no two findings of a file together.
 */
async function busiestFile(storePath: string): Promise<string> {
  const index = JSON.parse(await fs.readFile(storePath, 'utf8')) as IndexDocument;
  const entry = Object.values(index.parts)[0];
  const table = entry ? await readPathTable(partsFolderOf(storePath), entry) : null;
  if (!table) throw new Error(`${storePath}: no path table to pick a shown file from`);
  return table.paths.reduce((best, pair) => (pair[1].length > best[1].length ? pair : best))[0];
}

async function main(): Promise<void> {
  const [storePath, countText] = process.argv.slice(2);
  const shown = await busiestFile(storePath);
  const shownMs: number[] = [];
  let shownFindings = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const read = await readFindingsOfFiles(storePath, (file) => file === shown);
    shownMs.push(performance.now() - t);
    if (!read) throw new Error(`${storePath}: the shown file's findings could not be read ahead`);
    shownFindings = read.findings.length;
  }
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
  process.stdout.write(`${JSON.stringify({ shownMs, shownFindings, openMs, triageMs, findings })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
