import { strict as assert } from 'node:assert';
import { isIsoDate, parseTriageArguments, validateExpiry } from '../../src/extension/triage-arguments';

describe('extension triage arguments', () => {
  it('means "use the cursor" when nothing names a finding', () => {
    assert.equal(parseTriageArguments([]), null);
    assert.equal(parseTriageArguments([undefined]), null);
    assert.equal(parseTriageArguments([{ kind: 'test', id: 3 }]), null);
  });

  it('accepts a finding id as a number or "#12"', () => {
    assert.deepEqual(parseTriageArguments([12]), { findingIds: [12] });
    assert.deepEqual(parseTriageArguments(['#12']), { findingIds: [12] });
  });

  it('accepts { folder, findingIds } from hover links and quick fixes', () => {
    assert.deepEqual(parseTriageArguments([{ folder: 'file:///w', findingIds: [3, 4] }]), { folder: 'file:///w', findingIds: [3, 4] });
  });

  it('merges the tree\'s multi-select (clicked item, then every selected item) without repeating ids', () => {
    const clicked = { folder: 'file:///w', findingIds: [3] };
    const selected = [clicked, { folder: 'file:///w', findingIds: [5] }, { folder: 'file:///w', findingId: 6 }];
    assert.deepEqual(parseTriageArguments([clicked, selected]), { folder: 'file:///w', findingIds: [3, 5, 6] });
  });

  it('reads nested findings and takes prompt answers from the argument', () => {
    assert.deepEqual(parseTriageArguments([{ finding: { id: 8 }, reason: 'Test code', expires: '2027-01-31', note: 'n' }]), {
      findingIds: [8],
      reason: 'Test code',
      expires: '2027-01-31',
      note: 'n',
    });
  });

  it('ignores ids that are not positive integers', () => {
    assert.equal(parseTriageArguments([{ findingIds: [0, -1, 1.5, 'x'] }]), null);
  });

  it('validates real calendar dates', () => {
    assert.equal(isIsoDate('2027-02-28'), true);
    assert.equal(isIsoDate('2027-02-30'), false);
    assert.equal(isIsoDate('2027-2-3'), false);
  });

  it('accepts an empty expiry or a date after today, and explains anything else', () => {
    assert.equal(validateExpiry('', '2026-11-22'), undefined);
    assert.equal(validateExpiry(' 2026-12-01 ', '2026-11-22'), undefined);
    assert.match(validateExpiry('2026-11-22', '2026-11-22') ?? '', /after today/);
    assert.match(validateExpiry('next week', '2026-11-22') ?? '', /YYYY-MM-DD/);
  });
});
