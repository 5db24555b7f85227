import { strict as assert } from 'node:assert';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { neededHeapMb } from '../../src/cli/heap';

/**
 * Issue 16, item 1: a store of a million findings must be usable from the CLI. Listing one needs
 * more heap than Node's default limit, so the CLI relaunches itself with a larger one when the
 * store's documents are large; these tests pin when it does.
 */
describe('cli: a heap large enough for the store (issue 16, item 1)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'scan-ledger-heap-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A documents folder whose files add up to `bytes` (sparse: nothing is written). */
  function partsOf(storeDir: string, bytes: number): void {
    const folder = path.join(storeDir, 'store.parts');
    mkdirSync(folder, { recursive: true });
    const fd = openSync(path.join(folder, 't1-g1.jsonl'), 'w');
    ftruncateSync(fd, bytes);
    closeSync(fd);
  }

  const limit = getHeapStatistics().heap_size_limit;

  it('a small store runs with the default heap', () => {
    partsOf(path.join(root, '.scan-ledger'), 10 * 1024 * 1024);
    assert.equal(neededHeapMb(['findings'], root, {}), null);
  });

  it('a store whose documents need more than the default heap raises it, by --store too, never past the machine\'s share', () => {
    partsOf(path.join(root, '.scan-ledger'), limit / 2);
    const mb = neededHeapMb(['findings', '--json'], root, {});
    assert.ok(mb !== null && mb * 1024 * 1024 > limit, `raised to ${mb} MB from ${Math.round(limit / 1048576)} MB`);
    assert.ok(mb * 1024 * 1024 <= totalmem() * 0.75 + 1);
    partsOf(path.join(root, 'elsewhere'), limit / 2);
    assert.notEqual(neededHeapMb(['findings', '--store', path.join(root, 'elsewhere', 'store.json')], '/', {}), null);
    assert.notEqual(neededHeapMb([`--store=${path.join(root, 'elsewhere', 'store.json')}`], '/', {}), null);
  });

  it('an import of a report too large for the default heap raises it before any store exists', () => {
    const report = path.join(root, 'big.sarif');
    const fd = openSync(report, 'w');
    ftruncateSync(fd, Math.ceil(limit / 10));
    closeSync(fd);
    assert.notEqual(neededHeapMb(['import', 'big.sarif', '--scan-type', 'SARIF'], root, {}), null);
    assert.notEqual(neededHeapMb(['reimport', '--json', report], root, {}), null);
    assert.equal(neededHeapMb(['findings', 'big.sarif'], root, {}), null, 'only commands that parse a report count it');
  });

  it('the relaunched process never relaunches again', () => {
    partsOf(path.join(root, '.scan-ledger'), limit / 2);
    assert.equal(neededHeapMb(['findings'], root, { SCAN_LEDGER_HEAP_RAISED: '1' }), null);
  });
});
