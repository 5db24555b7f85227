import { strict as assert } from 'node:assert';
import { UNTRUSTED_IMPORT_ITEMS, UNTRUSTED_IMPORT_ORDER } from '../../src/extension/restricted-mode-model';

describe('extension Restricted Mode (issue 11, item 6)', () => {
  it('the untrusted "Import anyway?" modal makes the safe answer the default: VS Code’s default is the first item that is not the close affordance', () => {
    const buttons = UNTRUSTED_IMPORT_ORDER.filter((b) => !b.isCloseAffordance);
    assert.equal(buttons[0], UNTRUSTED_IMPORT_ITEMS.notNow, 'Enter answers "Not Now"');
    assert.notEqual(buttons[0], UNTRUSTED_IMPORT_ITEMS.importAnyway);
    const close = UNTRUSTED_IMPORT_ORDER.filter((b) => b.isCloseAffordance);
    assert.deepEqual(close, [UNTRUSTED_IMPORT_ITEMS.cancel], 'Escape answers "Cancel", which imports nothing either');
    assert.ok(UNTRUSTED_IMPORT_ORDER.includes(UNTRUSTED_IMPORT_ITEMS.importAnyway), 'importing stays possible, as a deliberate click');
  });
});
