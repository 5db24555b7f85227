import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreLockError, StorePathError } from '../../src/store/errors';
import { LedgerStore } from '../../src/store/ledger-store';
import { recordSharedTriageDecision } from '../../src/store/shared-triage-file';
import { resolveWorkspaceStorePath } from '../../src/store/store-path';
import { ensureTest, makeMarker } from '../store-workers/fixtures';
import { makeWorkspace, type Workspace } from './cli-harness';

/**
 * Issue 16, items 6 and 7: a repository is untrusted input. A pull request can commit a
 * `.vscode/settings.json` that points the store elsewhere, and lock folders or links where our
 * lock files go; the CLI runs on such checkouts in CI with no Workspace Trust.
 */

/** Every file under `dir` with its bytes, to show that nothing in it changed. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(current: string): Promise<void> {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isSymbolicLink()) out.set(path.relative(dir, full), `-> ${await fs.readlink(full)}`);
      else out.set(path.relative(dir, full), await fs.readFile(full, 'base64'));
    }
  }
  await walk(dir);
  return out;
}

describe('store: a hostile repository (issue 16)', function () {
  this.timeout(60_000);

  let root: string;
  let outside: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'sl-hostile-ws-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'sl-hostile-outside-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  describe('item 6: a store path from the workspace settings stays inside the folder and out of .git', () => {
    const refused = (configured: () => string, pattern: RegExp) => () => {
      assert.throws(
        () => resolveWorkspaceStorePath(root, configured()),
        (error: unknown) => error instanceof StorePathError && pattern.test(error.message) && /scanLedger\.storePath/.test(error.message),
      );
    };

    it('refuses a relative path out of the folder', () => refused(() => '../outside/store.json', /leaves the workspace folder/)());
    it('refuses an absolute path elsewhere', () => refused(() => path.join(outside, 'abs', 'store.json'), /leaves the workspace folder/)());
    it('refuses the workspace folder itself', () => refused(() => '.', /leaves the workspace folder/)());
    it('refuses .git/hooks/pre-commit, and .git in any case and at any depth', async () => {
      await fs.mkdir(path.join(root, '.git', 'hooks'), { recursive: true });
      refused(() => '.git/hooks/pre-commit', /into \.git/)();
      refused(() => '.GIT/store.json', /into \.git/)();
      refused(() => 'vendor/lib/.Git/store.json', /into \.git/)();
    });
    it('refuses a path through a committed folder link that points outside, or into .git', async () => {
      await fs.symlink(outside, path.join(root, 'data'));
      refused(() => 'data/store.json', /outside the workspace folder/)();
      await fs.mkdir(path.join(root, '.git'));
      await fs.symlink(path.join(root, '.git'), path.join(root, 'innocent'));
      refused(() => 'innocent/hooks/pre-commit', /inside \.git/)();
    });
    it('refuses a dangling link whose target, once written, would be outside', async () => {
      await fs.mkdir(path.join(root, '.scan-ledger'));
      await fs.symlink(path.join(outside, 'not-yet', 'store.json'), path.join(root, '.scan-ledger', 'store.json'));
      refused(() => '.scan-ledger/store.json', /outside the workspace folder/)();
      await fs.symlink(path.join(outside, 'missing-folder'), path.join(root, 'gone'));
      refused(() => 'gone/store.json', /outside the workspace folder/)();
    });
    it('accepts the default, a folder of the workspace, and a link that stays inside', async () => {
      assert.equal(resolveWorkspaceStorePath(root, '.scan-ledger/store.json'), path.join(root, '.scan-ledger', 'store.json'));
      assert.equal(resolveWorkspaceStorePath(root, 'data/ledger/store.json'), path.join(root, 'data', 'ledger', 'store.json'));
      await fs.mkdir(path.join(root, 'real'));
      await fs.symlink(path.join(root, 'real'), path.join(root, 'alias'));
      assert.equal(resolveWorkspaceStorePath(root, 'alias/store.json'), path.join(root, 'alias', 'store.json'));
      // A folder merely named like git is fine.
      assert.equal(resolveWorkspaceStorePath(root, '.github/store.json'), path.join(root, '.github', 'store.json'));
    });

    describe('the CLI on a hostile checkout', () => {
      let ws: Workspace;
      let hook: string;
      let before: Map<string, string>;
      beforeEach(async () => {
        ws = makeWorkspace();
        hook = path.join(ws.root, '.git', 'hooks', 'pre-commit');
        await fs.mkdir(path.dirname(hook), { recursive: true });
        await fs.writeFile(hook, '#!/bin/sh\necho the real hook\n', { mode: 0o755 });
        await fs.writeFile(path.join(outside, 'store.json'), 'someone else\'s file');
        await fs.symlink(outside, path.join(ws.root, 'linked'));
        before = await snapshot(outside);
      });
      afterEach(() => ws.dispose());

      async function withStorePath(value: string): Promise<void> {
        await fs.mkdir(path.join(ws.root, '.vscode'), { recursive: true });
        await fs.writeFile(path.join(ws.root, '.vscode', 'settings.json'), JSON.stringify({ 'scanLedger.storePath': value }));
      }

      for (const [label, value] of [
        ['a relative path out of the folder', () => `../${path.basename(outside)}/store.json`],
        ['an absolute path elsewhere', () => path.join(outside, 'store.json')],
        ['a file inside .git', () => '.git/hooks/pre-commit'],
        ['a folder link pointing outside', () => 'linked/store.json'],
      ] as const) {
        it(`item 6: refuses ${label} with exit 2 and writes nothing anywhere`, async () => {
          await withStorePath(value());
          const hookBefore = await fs.readFile(hook, 'utf8');
          const run = ws.run('import', 'reports/semgrep.sarif');
          assert.equal(run.code, 2, run.stderr);
          assert.match(run.stderr, /scanLedger\.storePath/);
          assert.deepEqual(await snapshot(outside), before, 'nothing outside the workspace changed');
          assert.equal(await fs.readFile(hook, 'utf8'), hookBefore, '.git/hooks/pre-commit is untouched');
          assert.deepEqual(await fs.readdir(path.dirname(hook)), ['pre-commit']);
          await assert.rejects(fs.access(path.join(ws.root, '.scan-ledger')), 'no store folder was started either');
        });
      }

      it('item 7: a committed .scan-ledger/store.json.lock/ folder makes the import fail at once, naming it, instead of stalling', async () => {
        const lock = path.join(ws.root, '.scan-ledger', 'store.json.lock');
        await fs.mkdir(lock, { recursive: true });
        await fs.writeFile(path.join(lock, '.gitkeep'), '');
        const started = Date.now();
        const run = ws.run('import', 'reports/semgrep.sarif');
        const ms = Date.now() - started;
        assert.equal(run.code, 1, run.stderr);
        assert.ok(run.stderr.includes(lock), run.stderr);
        // The CLI's own start-up is included; the lock itself is judged without waiting.
        assert.ok(ms < 5_000, `took ${ms} ms`);
        assert.deepEqual(await fs.readdir(lock), ['.gitkeep'], 'the committed folder is left as it was');
      });

      it('item 13: a .scan-ledger/triage.json that is a folder is a bad input (exit 2) for import, and the store is not started', async () => {
        await fs.mkdir(path.join(ws.root, '.scan-ledger', 'triage.json'), { recursive: true });
        const run = ws.run('import', 'reports/semgrep.sarif');
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /triage\.json: is not a regular file/);
        assert.equal(ws.storeBytes(), null);
      });

      it('item 6: an explicit --store outside the folder stays the user\'s choice', async () => {
        await withStorePath('../elsewhere/store.json');
        const chosen = path.join(outside, 'chosen', 'store.json');
        const run = ws.run('import', 'reports/semgrep.sarif', '--store', chosen);
        assert.equal(run.code, 0, run.stderr);
        await fs.access(chosen);
      });
    });
  });

  describe('item 7: a lock path that is not ours in shape is reported at once, never waited on', () => {
    let storePath: string;
    beforeEach(() => {
      storePath = path.join(root, '.scan-ledger', 'store.json');
    });

    /** Runs one store transaction and returns how long it took to fail, with its error. */
    async function timedFailure(): Promise<{ ms: number; error: unknown }> {
      const store = await LedgerStore.open(storePath, { fsync: false, workspaceRoot: root });
      const started = Date.now();
      try {
        await store.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'x')));
      } catch (error) {
        return { ms: Date.now() - started, error };
      }
      assert.fail('the transaction went through a lock that is not ours');
    }

    const cases: [string, () => Promise<string>][] = [
      [
        'a committed store.json.lock/ folder (git only commits folders with files)',
        async () => {
          await fs.mkdir(`${storePath}.lock`, { recursive: true });
          await fs.writeFile(path.join(`${storePath}.lock`, '.gitkeep'), '');
          return `${storePath}.lock`;
        },
      ],
      [
        'a symbolic link at the lock path',
        async () => {
          await fs.mkdir(path.dirname(storePath), { recursive: true });
          await fs.symlink(outside, `${storePath}.lock`);
          return `${storePath}.lock`;
        },
      ],
      [
        'a file at the lock path',
        async () => {
          await fs.mkdir(path.dirname(storePath), { recursive: true });
          await fs.writeFile(`${storePath}.lock`, 'x');
          return `${storePath}.lock`;
        },
      ],
      [
        'a folder at the owner record path',
        async () => {
          await fs.mkdir(`${storePath}.lock-owner`, { recursive: true });
          return `${storePath}.lock-owner`;
        },
      ],
      [
        'a symbolic link at the owner record path, pointing at a file outside',
        async () => {
          await fs.mkdir(path.dirname(storePath), { recursive: true });
          await fs.writeFile(path.join(outside, 'victim'), 'keep me');
          await fs.symlink(path.join(outside, 'victim'), `${storePath}.lock-owner`);
          return `${storePath}.lock-owner`;
        },
      ],
    ];
    for (const [label, plant] of cases) {
      it(`item 7: ${label} fails within a second with a StoreLockError naming it`, async () => {
        const planted = await plant();
        const before = await snapshot(outside);
        const { ms, error } = await timedFailure();
        assert.ok(error instanceof StoreLockError, String(error));
        assert.ok((error as Error).message.includes(planted), (error as Error).message);
        assert.match((error as Error).message, /not a lock Scan Ledger makes.*remove it/);
        assert.ok(ms < 1000, `took ${ms} ms`);
        assert.deepEqual(await snapshot(outside), before, 'nothing outside changed');
        // What was planted is the repository's content: it is reported, never removed.
        await fs.lstat(planted);
      });
    }

    it('item 7: a committed triage.json.lock/ folder fails the triage write within a second, naming it', async () => {
      const lock = path.join(root, '.scan-ledger', 'triage.json.lock');
      await fs.mkdir(lock, { recursive: true });
      await fs.writeFile(path.join(lock, 'README'), 'committed');
      const started = Date.now();
      await assert.rejects(
        recordSharedTriageDecision(root, { key: 'fp:abc', status: 'false-positive', author: 'ana', at: '2026-11-02T10:00:00.000Z' }),
        (error: unknown) => error instanceof StoreLockError && (error as Error).message.includes(lock),
      );
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    it('item 7: a lock folder orphaned before its holder recorded itself is taken over at once, not after the stale time', async () => {
      // What a holder killed between creating the folder and writing its record leaves.
      await fs.mkdir(`${storePath}.lock`, { recursive: true });
      const old = new Date(Date.now() - 5_000);
      await fs.utimes(`${storePath}.lock`, old, old);
      const store = await LedgerStore.open(storePath, { fsync: false, workspaceRoot: root, lockWaitMs: 1000 });
      const started = Date.now();
      await store.transaction((ledger) => ledger.addImport(makeMarker(ledger.nextId('importRecord'), ensureTest(ledger), 'after')));
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
      await assert.rejects(fs.lstat(`${storePath}.lock`), 'the lock folder is gone after the transaction');
    });
  });
});
