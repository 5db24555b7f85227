import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceSourceReader } from '../../src/extension/source-reader';

describe('extension source reader (content fingerprints)', () => {
  let base: string;
  let folder: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'scan-ledger-source-'));
    folder = join(base, 'repo');
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'src/app.js'), 'const a = 1;\r\nconst b = 2;\n');
    writeFileSync(join(base, 'secret.txt'), 'outside');
  });

  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('gives the lines of a workspace file, split as the CLI splits them', () => {
    assert.deepEqual(workspaceSourceReader(folder).lines('src/app.js'), ['const a = 1;', 'const b = 2;', '']);
  });

  it('never reads outside the folder: ../, absolute paths, symbolic links pointing out', () => {
    symlinkSync(join(base, 'secret.txt'), join(folder, 'src/link.txt'));
    const reader = workspaceSourceReader(folder);
    assert.equal(reader.lines('../secret.txt'), undefined);
    assert.equal(reader.lines(join(base, 'secret.txt')), undefined);
    assert.equal(reader.lines('src/link.txt'), undefined);
  });

  it('has no lines for a missing file or a folder', () => {
    const reader = workspaceSourceReader(folder);
    assert.equal(reader.lines('src/missing.js'), undefined);
    assert.equal(reader.lines('src'), undefined);
  });
});
