import { strict as assert } from 'node:assert';
import { Ledger } from '../../src/engine/ledger';
import { emptyStoreData } from '../../src/model';

describe('Ledger indexes', () => {
  it('hands out growing ids per kind, so a lower id always means older', () => {
    const ledger = new Ledger(emptyStoreData());
    assert.equal(ledger.nextId('finding'), 1);
    assert.equal(ledger.nextId('finding'), 2);
    assert.equal(ledger.nextId('test'), 1);
  });
});
