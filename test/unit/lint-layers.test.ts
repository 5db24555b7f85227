import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * Issue 15, item 4: the layering ARCHITECTURE.md states is enforced by `eslint.config.mjs`, not
 * only written down. Each case lints one line as if it were a file at the given path.
 */
const root = path.join(__dirname, '../..');

describe('lint: the layer rules of ARCHITECTURE.md (issue 15)', function () {
  this.timeout(60_000);
  let eslint: ESLint;
  before(() => {
    // The cases are files that do not exist, which the type-aware rules cannot resolve in the
    // TypeScript project; the import rules under test need no types, so those rules are off here.
    eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });
  });

  async function problems(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(`${code}\n`, { filePath: path.join(root, file) });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it('the pure layers import no Node built-in but node:crypto, with or without the node: prefix', async () => {
    for (const layer of ['model', 'engine', 'parsers']) {
      for (const name of ['node:path', 'os', 'node:child_process', 'fs/promises', 'timers/promises', 'node:worker_threads']) {
        const found = await problems(`src/${layer}/zz-check.ts`, `import * as m from '${name}'; export const x = m;`);
        assert.equal(found.length, 1, `${layer} importing ${name}`);
      }
      assert.deepEqual(await problems(`src/${layer}/zz-check.ts`, "import { createHash } from 'node:crypto'; export const x = createHash;"), []);
    }
    assert.deepEqual(await problems('src/store/zz-check.ts', "import * as m from 'node:path'; export const x = m;"), [], 'the store may');
  });

  it('other layers are entered through their index.ts, at any folder depth', async () => {
    const deep: [string, string][] = [
      ['src/extension/zz-check.ts', '../engine/ledger'],
      ['src/extension/tree/zz-check.ts', '../../store/workspace-settings'],
      ['src/extension.ts', './engine/ledger'],
      ['src/cli/commands/zz-check.ts', '../../parsers/sarif'],
      ['src/store/zz-check.ts', '../engine/ledger'],
      ['src/cli/zz-check.ts', '../model/settings'],
    ];
    for (const [file, target] of deep) {
      const found = await problems(file, `import * as m from '${target}'; export const x = m;`);
      assert.equal(found.length, 1, `${file} importing ${target}`);
      assert.match(found[0], /through its index\.ts/);
    }
    const allowed: [string, string][] = [
      ['src/extension/zz-check.ts', '../engine'],
      ['src/extension/tree/zz-check.ts', '../../store'],
      // src/extension/defectdojo is the extension's own folder, not the src/defectdojo layer.
      ['src/extension/tree/zz-check.ts', '../defectdojo/server-node-model'],
      ['src/engine/zz-check.ts', './ledger'],
    ];
    for (const [file, target] of allowed) {
      assert.deepEqual(await problems(file, `import * as m from '${target}'; export const x = m;`), [], `${file} importing ${target}`);
    }
  });

  it('dependencies still point inward', async () => {
    assert.equal((await problems('src/engine/zz-check.ts', "import * as m from '../store'; export const x = m;")).length, 1);
    assert.equal((await problems('src/model/zz-check.ts', "import * as m from '../engine'; export const x = m;")).length, 1);
    assert.equal((await problems('src/parsers/zz-check.ts', "import * as m from 'vscode'; export const x = m;")).length, 1);
  });

  it('media/ is type-checked as its own project with the DOM, and the root project has no DOM', () => {
    const rootConfig = readFileSync(path.join(root, 'tsconfig.json'), 'utf8');
    assert.doesNotMatch(rootConfig, /media\//, 'the root project does not include media/');
    assert.doesNotMatch(rootConfig, /"dom"/i);
    const mediaConfig = readFileSync(path.join(root, 'media/tsconfig.json'), 'utf8');
    assert.match(mediaConfig, /"DOM"/);
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(manifest.scripts.typecheck, /tsc -p \. --noEmit/);
    assert.match(manifest.scripts.typecheck, /tsc -p media\/tsconfig\.json --noEmit/);
    assert.doesNotMatch(readFileSync(path.join(root, 'media/settings/settings-panel.ts'), 'utf8'), /reference lib="dom"/);
  });
});
