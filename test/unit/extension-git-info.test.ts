import { strict as assert } from 'node:assert';
import { parseRenames } from '../../src/extension/git-info';

describe('extension git info', () => {
  it('reads renames from `git diff --name-status -M -z`, ignoring other changes', () => {
    const out = ['M', 'src/a.js', 'R087', 'src/old name.js', 'src/new name.js', 'A', 'src/b.js', 'C100', 'x.js', 'y.js', 'D', 'gone.js', ''].join('\0');
    assert.deepEqual([...parseRenames(out)], [['src/old name.js', 'src/new name.js']]);
  });

  it('gives no renames for empty output', () => {
    assert.equal(parseRenames('').size, 0);
  });
});
