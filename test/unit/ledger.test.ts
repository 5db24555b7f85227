import { strict as assert } from 'node:assert';
import { Ledger } from '../../src/engine/ledger';
import { emptyStoreData, type Finding } from '../../src/model';
import { storedFinding } from './extension-finding-factory';

/** Every list index of a ledger, as ids per key, in the order the lists hold them. */
function listIndexes(ledger: Ledger): Record<string, [unknown, number[]][]> {
  const ids = <K>(index: Map<K, Finding[]>) => [...index].map(([key, list]) => [key, list.map((f) => f.id)] as [unknown, number[]]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return {
    test: ids(ledger.findingsByTest),
    hash: ids(ledger.findingsByHash),
    uniqueId: ids(ledger.findingsByUniqueId),
    file: ids(ledger.findingsByFile),
    fingerprint: ids(ledger.findingsByFingerprint),
    duplicates: ids(ledger.duplicatesOf),
  };
}

/** Findings spread over two tests, with shared hash codes, unique ids, files, fingerprints and duplicates. */
function ledgerWithFindings(count: number): Ledger {
  const data = emptyStoreData();
  // Stored out of id order, as a store read from several documents may be.
  for (let id = count; id >= 1; id--) {
    data.findings.push(
      storedFinding(id, {
        testId: 1 + (id % 2),
        hashCode: `h${id % 7}`,
        uniqueIdFromTool: id % 5 === 0 ? '' : `u${id % 11}`,
        filePath: id % 3 === 0 ? '' : `src/f${id % 4}.js`,
        fingerprint: id % 6 === 0 ? null : `fp${id % 9}`,
        duplicate: id > 10 && id % 4 === 0,
        duplicateOf: id > 10 && id % 4 === 0 ? id % 10 || 1 : null,
      }),
    );
  }
  data.nextIds.finding = count + 1;
  return new Ledger(data);
}

/** The same changes on any ledger: additions, re-keying, one removal and a sweep of many. */
function change(ledger: Ledger): void {
  const id = ledger.nextId('finding');
  ledger.addFinding(storedFinding(id, { testId: 2, hashCode: 'h1', uniqueIdFromTool: 'u1', filePath: 'src/new.js', fingerprint: 'fp1' }));
  ledger.updateIndexed(ledger.finding(14)!, { hashCode: 'h-moved', fingerprint: 'fp-moved', filePath: 'src/moved.js', testId: 1 });
  ledger.updateIndexed(ledger.finding(3)!, { uniqueIdFromTool: null, duplicate: true, duplicateOf: 2 });
  ledger.removeFinding(5);
  ledger.removeFindings(new Set(Array.from({ length: 80 }, (_, i) => 20 + i * 2)));
}

describe('Ledger indexes', () => {
  it('hands out growing ids per kind, so a lower id always means older', () => {
    const ledger = new Ledger(emptyStoreData());
    assert.equal(ledger.nextId('finding'), 1);
    assert.equal(ledger.nextId('finding'), 2);
    assert.equal(ledger.nextId('test'), 1);
  });

  it('an index first asked for after changes equals one kept in step from the load, lists oldest first', () => {
    const early = ledgerWithFindings(300);
    const before = listIndexes(early);
    change(early);
    const late = ledgerWithFindings(300);
    assert.deepEqual(listIndexes(ledgerWithFindings(300)), before, 'built alike on load');
    change(late);
    const expected = listIndexes(early);
    assert.deepEqual(listIndexes(late), expected);
    for (const lists of Object.values(expected)) {
      for (const [, ids] of lists) assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    }
    // Spot checks, so a rule both sides got wrong alike would still show.
    assert.ok(!late.findingsByFile.has(''), 'an empty file path is no key');
    assert.ok(late.findingsByUniqueId.has(''), 'an empty unique id is a key');
    assert.deepEqual(late.findingsByHash.get('h-moved')?.map((f) => f.id), [14]);
    assert.ok(late.duplicatesOf.get(2)?.some((f) => f.id === 3));
    assert.equal(late.findingsByTest.get(2)?.at(-1)?.id, 301);
  });
});
