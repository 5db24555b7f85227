import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SharedTriageFormatError, type SharedTriageDecision } from '../../src/engine';
import { gitHead, gitRenames, parseRenames } from '../../src/store/git';
import { readSharedTriage, recordSharedTriageDecision, recordSharedTriageDecisions, sharedTriagePath } from '../../src/store/shared-triage-file';
import { readSuppressionSources, workspaceSource } from '../../src/store/workspace-source';

/** Node's fs module object itself (an import gives a copy), so a test can watch the reader's calls. */
const fs = createRequire(__filename)('node:fs') as typeof import('node:fs');

/**
 * The host layer the CLI and the editor share for issue 6: the workspace source reader, the
 * shared triage file on disk, and git.
 */

describe('store: workspace source reader (content fingerprints, inline suppressions)', () => {
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

  it('gives the lines of a workspace file, split on \\r?\\n in every host', () => {
    assert.deepEqual(workspaceSource(folder).lines('src/app.js'), ['const a = 1;', 'const b = 2;', '']);
  });

  it('never reads outside the folder: ../, absolute paths, symbolic links pointing out', () => {
    symlinkSync(join(base, 'secret.txt'), join(folder, 'src/link.txt'));
    symlinkSync(base, join(folder, 'up'));
    const reader = workspaceSource(folder);
    assert.equal(reader.lines('../secret.txt'), undefined);
    assert.equal(reader.lines(join(base, 'secret.txt')), undefined);
    assert.equal(reader.lines('src/link.txt'), undefined);
    assert.equal(reader.lines('up/secret.txt'), undefined);
  });

  it('follows a symbolic link that stays inside the folder', () => {
    symlinkSync(join(folder, 'src/app.js'), join(folder, 'alias.js'));
    assert.equal(workspaceSource(folder).lines('alias.js')?.[0], 'const a = 1;');
  });

  it('has no lines for a missing file or a folder, and caches what it read for one import', () => {
    const reader = workspaceSource(folder);
    assert.equal(reader.lines('src/missing.js'), undefined);
    assert.equal(reader.lines('src'), undefined);
    const first = reader.lines('src/app.js');
    writeFileSync(join(folder, 'src/app.js'), 'changed\n');
    assert.equal(reader.lines('src/app.js'), first);
  });

  it('a report without its sources: each missing folder is looked at once, not once per file it names', () => {
    const reader = workspaceSource(folder);
    const looked: string[] = [];
    const statSync = fs.statSync;
    (fs as { statSync: unknown }).statSync = (...args: Parameters<typeof fs.statSync>) => {
      looked.push(String(args[0]));
      return statSync(...args);
    };
    try {
      for (let n = 0; n < 50; n++) assert.equal(reader.lines(`generated/module-${n % 2}/file-${n}.js`), undefined);
      assert.equal(reader.lines('src/app.js')?.[0], 'const a = 1;', 'a file in a folder that exists is still read');
      // Paths a hostile report may name: through a file, with a NUL byte, far too long.
      for (const odd of ['src/app.js/inner/x.js', 'src/a\u0000b/x.js', `${'d'.repeat(5000)}/x.js`]) assert.equal(reader.lines(odd), undefined, odd);
    } finally {
      (fs as { statSync: unknown }).statSync = statSync;
    }
    assert.deepEqual(
      looked.filter((p) => p.includes('generated')).sort(),
      [join(folder, 'generated/module-0'), join(folder, 'generated/module-1')],
    );
  });

  it('a missing workspace folder: no file has lines, and the folder is looked up once, not once per file', () => {
    const reader = workspaceSource(join(base, 'gone'));
    const looked: string[] = [];
    const realpath = fs.realpathSync.native;
    (fs.realpathSync as { native: unknown }).native = (...args: Parameters<typeof realpath>) => {
      looked.push(String(args[0]));
      return realpath(...args);
    };
    try {
      for (let n = 0; n < 20; n++) assert.equal(reader.lines(`src/file-${n}.js`), undefined);
    } finally {
      (fs.realpathSync as { native: unknown }).native = realpath;
    }
    assert.deepEqual(looked, [join(base, 'gone')]);
  });

  it('hands the renames it was given to the engine', () => {
    const renames = new Map([['old.js', 'new.js']]);
    assert.equal(workspaceSource(folder, renames).renamedFiles(), renames);
  });

  it('reads .gitleaksignore, .trivyignore and .trivyignore.yaml at the root; missing ones are absent', () => {
    writeFileSync(join(folder, '.gitleaksignore'), 'abc:src/app.js:generic-api-key:1\n');
    writeFileSync(join(folder, '.trivyignore'), 'CVE-2024-0001\n');
    const sources = readSuppressionSources(folder, workspaceSource(folder));
    assert.equal(sources.gitleaksIgnore, 'abc:src/app.js:generic-api-key:1\n');
    assert.equal(sources.trivyIgnore, 'CVE-2024-0001\n');
    assert.equal(sources.trivyIgnoreYaml, null);
    assert.equal(sources.lines('src/app.js')?.[1], 'const b = 2;');
  });

  it('does not read an ignore file that is a symbolic link out of the folder', () => {
    writeFileSync(join(base, 'elsewhere'), 'CVE-2024-0001\n');
    symlinkSync(join(base, 'elsewhere'), join(folder, '.trivyignore'));
    assert.equal(readSuppressionSources(folder, workspaceSource(folder)).trivyIgnore, null);
  });
});

const decision = (key: string, at: string, extra: Partial<SharedTriageDecision> = {}): SharedTriageDecision => ({
  key,
  status: 'false-positive',
  author: 'alice',
  at,
  ...extra,
});

describe('store: shared triage file (.scan-ledger/triage.json)', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'scan-ledger-triage-file-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a missing file reads as no decisions, and reading creates nothing', async () => {
    assert.deepEqual(await readSharedTriage(root), { version: 1, decisions: [] });
    assert.equal(existsSync(join(root, '.scan-ledger')), false);
  });

  it('writes decisions sorted by key, one per line, and the same decisions give the same bytes', async () => {
    await recordSharedTriageDecision(root, decision('content:bbb:1', '2026-01-02T00:00:00.000Z', { reason: 'test code' }));
    await recordSharedTriageDecision(root, decision('content:aaa:1', '2026-01-03T00:00:00.000Z'));
    const text = readFileSync(sharedTriagePath(root), 'utf8');
    const lines = text.split('\n');
    assert.equal(lines.length, 8);
    assert.match(lines[3], /^ {4}\{"key":"content:aaa:1","status":"false-positive","author":"alice","at":"2026-01-03T00:00:00.000Z"\},$/);
    assert.match(lines[4], /^ {4}\{"key":"content:bbb:1","status":"false-positive","reason":"test code",/);

    // Another workspace recording the same decisions in the other order writes the same bytes.
    const other = mkdtempSync(join(tmpdir(), 'scan-ledger-triage-file-'));
    try {
      await recordSharedTriageDecisions(other, [
        decision('content:aaa:1', '2026-01-03T00:00:00.000Z'),
        decision('content:bbb:1', '2026-01-02T00:00:00.000Z', { reason: 'test code' }),
      ]);
      assert.equal(readFileSync(sharedTriagePath(other), 'utf8'), text);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('a new decision for a key replaces the earlier one; the write leaves no temp or lock file behind', async () => {
    await recordSharedTriageDecision(root, decision('k', '2026-01-01T00:00:00.000Z'));
    await recordSharedTriageDecision(root, decision('k', '2026-01-05T00:00:00.000Z', { status: 'active' }));
    const file = await readSharedTriage(root);
    assert.deepEqual(
      file.decisions.map((d) => [d.key, d.status]),
      [['k', 'active']],
    );
    assert.deepEqual(readdirSync(dirname(sharedTriagePath(root))), ['triage.json']);
  });

  it('recording nothing (a null decision: notes, verified) does not create the file', async () => {
    await recordSharedTriageDecision(root, null);
    assert.equal(existsSync(sharedTriagePath(root)), false);
  });

  it('a malformed file (a merge conflict) is an error naming the file and is never overwritten', async () => {
    mkdirSync(join(root, '.scan-ledger'));
    const conflicted = '{\n  "version": 1,\n  "decisions": [\n<<<<<<< HEAD\n    {"key":"a"}\n=======\n>>>>>>> main\n  ]\n}\n';
    writeFileSync(sharedTriagePath(root), conflicted);
    await assert.rejects(readSharedTriage(root), (error: unknown) => {
      assert.ok(error instanceof SharedTriageFormatError);
      assert.ok(error.message.startsWith(sharedTriagePath(root)), error.message);
      return true;
    });
    await assert.rejects(recordSharedTriageDecision(root, decision('b', '2026-01-01T00:00:00.000Z')), SharedTriageFormatError);
    assert.equal(readFileSync(sharedTriagePath(root), 'utf8'), conflicted);
  });

  it('two processes recording decisions at once both keep all of them (the lock serialises the read-modify-write)', async () => {
    const loader = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
    const writer = join(__dirname, 'shared-triage-writer.ts');
    const run = (prefix: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', loader, writer, root, prefix, '15'], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', reject);
        child.on('close', resolve);
      });
    const codes = await Promise.all([run('alpha'), run('beta')]);
    assert.deepEqual(codes, [0, 0]);
    const file = await readSharedTriage(root);
    assert.equal(file.decisions.length, 30);
    assert.equal(file.decisions.filter((d) => d.author === 'alpha').length, 15);
    assert.equal(file.decisions.filter((d) => d.author === 'beta').length, 15);
  });
});

describe('store: git (HEAD and rename detection)', () => {
  let root: string;
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env, encoding: 'utf8' }).trim();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'scan-ledger-git-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads renames from `git diff --name-status -M -z`, ignoring other changes', () => {
    const out = ['M', 'src/a.js', 'R087', 'src/old name.js', 'src/new name.js', 'A', 'src/b.js', 'C100', 'x.js', 'y.js', 'D', 'gone.js', ''].join('\0');
    assert.deepEqual([...parseRenames(out)], [['src/old name.js', 'src/new name.js']]);
    assert.equal(parseRenames('').size, 0);
  });

  it('in a real repository: HEAD, and a file renamed since a commit maps old path → new path', async () => {
    git('init', '-q', '-b', 'main');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src/db.py'), 'import os\n\ndef run(cmd):\n    os.system(cmd)\n');
    writeFileSync(join(root, 'README.md'), 'hello\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    const first = git('rev-parse', 'HEAD');
    assert.deepEqual(await gitHead(root), { commitHash: first, branchTag: 'main' });

    git('mv', 'src/db.py', 'src/database.py');
    writeFileSync(join(root, 'README.md'), 'hello again\n');
    git('commit', '-q', '-am', 'rename');
    assert.deepEqual([...(await gitRenames(root, first))], [['src/db.py', 'src/database.py']]);
  });

  it('paths are relative to a workspace that is a sub-folder of its repository', async () => {
    git('init', '-q');
    mkdirSync(join(root, 'app'));
    writeFileSync(join(root, 'app/a.js'), 'eval(x);\nconsole.log(1);\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    const first = git('rev-parse', 'HEAD');
    git('mv', 'app/a.js', 'app/b.js');
    assert.deepEqual([...(await gitRenames(join(root, 'app'), first))], [['a.js', 'b.js']]);
  });

  it('degrades to nothing outside a repository, for an unknown commit, and for a value that is not a commit id', async () => {
    assert.equal(await gitHead(root), null);
    assert.equal((await gitRenames(root, 'a'.repeat(40))).size, 0);
    git('init', '-q');
    assert.equal(await gitHead(root), null, 'a repository without commits has no HEAD');
    assert.equal((await gitRenames(root, 'b'.repeat(40))).size, 0);
    assert.equal((await gitRenames(root, '--output=/tmp/x')).size, 0);
    assert.equal((await gitRenames(root, null)).size, 0);
  });

  it('degrades to nothing when git is not installed', async () => {
    git('init', '-q');
    writeFileSync(join(root, 'a.txt'), 'a\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    const first = git('rev-parse', 'HEAD');
    const savedPath = process.env.PATH;
    process.env.PATH = join(root, 'no-such-bin');
    try {
      assert.equal(await gitHead(root), null);
      assert.equal((await gitRenames(root, first)).size, 0);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
