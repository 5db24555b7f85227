import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * scripts/check-lockfile.mjs, run by CI before `npm ci`: a dependency asked for by dist-tag or
 * wildcard and not pinned by the root `overrides` fails the check. It is run as CI runs it (a
 * Node process on a lockfile and a manifest) on tiny synthetic lockfiles, so these tests pin the
 * exit codes and messages too.
 */
const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'check-lockfile.mjs');

interface Dependencies {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function check(packages: Record<string, Dependencies & { version?: string }>, overrides?: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'scan-ledger-lockfile-'));
  try {
    const lockfile = join(dir, 'package-lock.json');
    const manifest = join(dir, 'package.json');
    writeFileSync(lockfile, JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', devDependencies: { formatter: '^3.1.0' } }, ...packages } }));
    writeFileSync(manifest, JSON.stringify({ name: 'app', devDependencies: { formatter: '^3.1.0' }, ...(overrides ? { overrides } : {}) }));
    const r = spawnSync(process.execPath, [SCRIPT, '--lockfile', lockfile, '--manifest', manifest], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The shape that broke `npm ci`: the SARIF formatter asks for jschardet "latest". */
const FORMATTER = {
  'node_modules/formatter': { version: '3.1.0', dependencies: { jschardet: 'latest', lodash: '^4.17.21' } },
  'node_modules/jschardet': { version: '4.0.0' },
  'node_modules/lodash': { version: '4.17.21' },
};

type CheckModule = typeof import('../../scripts/check-lockfile.mjs');
let lockfileCheck: CheckModule;

/** The same lockfile and manifest, checked in process (fast) for the rules. */
function unpinned(packages: Record<string, Dependencies & { version?: string }>, overrides?: Record<string, unknown>) {
  const lock = { name: 'app', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', devDependencies: { formatter: '^3.1.0' } }, ...packages } };
  return lockfileCheck.findUnpinnedSpecs(lock, { ...(overrides ? { overrides } : {}) });
}

describe('packaging: the lockfile drift check (scripts/check-lockfile.mjs)', () => {
  before(async () => {
    lockfileCheck = await import('../../scripts/check-lockfile.mjs');
  });

  it('passes a lockfile whose dependencies all name version ranges, URLs or aliases', () => {
    const problems = unpinned({
      'node_modules/a': { version: '1.0.0', dependencies: { b: '~2.1.0', c: '>=1 <3', d: 'npm:e@^1.2.0', f: 'github:owner/f', g: 'https://example.org/g.tgz', h: 'v1.2.3', i: '1.x' } },
    });
    assert.deepEqual(problems, []);
  });

  it('exits 1 on a dependency asked for by a dist-tag ("latest") that the overrides do not pin, naming both packages, and 0 once pinned', () => {
    const r = check(FORMATTER);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /formatter \(node_modules\/formatter\) asks for jschardet "latest" in dependencies, a tag/);
    assert.match(r.stderr, /1 unpinned spec/);
    const pinned = check(FORMATTER, { jschardet: '4.1.0' });
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stdout, /no unpinned dist-tag or wildcard/);
  });

  it('passes once a top-level override pins the dependency to a version', () => {
    assert.deepEqual(unpinned(FORMATTER, { jschardet: '4.1.0' }), []);
    assert.deepEqual(unpinned(FORMATTER, { 'jschardet@*': '4.1.0' }), []);
  });

  it('passes once an override nested under the asking package pins it', () => {
    assert.deepEqual(unpinned(FORMATTER, { formatter: { jschardet: '4.1.0' } }), []);
    assert.deepEqual(unpinned(FORMATTER, { formatter: { jschardet: { '.': '4.1.0' } } }), []);
  });

  it('an override nested under another package, or itself a tag or wildcard, pins nothing', () => {
    assert.equal(unpinned(FORMATTER, { other: { jschardet: '4.1.0' } }).length, 1);
    assert.equal(unpinned(FORMATTER, { jschardet: 'latest' }).length, 1);
    assert.equal(unpinned(FORMATTER, { jschardet: '*' }).length, 1);
  });

  for (const [spec, kind] of [['next', 'tag'], ['beta', 'tag'], ['*', 'wildcard'], ['x', 'wildcard'], ['X', 'wildcard'], ['', 'wildcard'], ['npm:b@latest', 'tag']] as const) {
    it(`fails on ${JSON.stringify(spec)} (a ${kind})`, () => {
      const problems = unpinned({ 'node_modules/a': { version: '1.0.0', dependencies: { b: spec } } });
      assert.deepEqual(problems, [{ owner: 'a', path: 'node_modules/a', field: 'dependencies', dependency: 'b', spec, kind }]);
    });
  }

  it('checks nested packages and optional dependencies, and required peers but not optional ones', () => {
    const nested = unpinned({ 'node_modules/a/node_modules/@s/b': { version: '1.0.0', optionalDependencies: { c: 'latest' } } });
    assert.deepEqual(nested.map((p) => [p.owner, p.field, p.dependency]), [['@s/b', 'optionalDependencies', 'c']]);
    assert.equal(unpinned({ 'node_modules/a': { version: '1.0.0', peerDependencies: { c: '*' } } }).length, 1);
    assert.equal(unpinned({ 'node_modules/a': { version: '1.0.0', peerDependencies: { c: '*' }, peerDependenciesMeta: { c: { optional: true } } } }).length, 0);
  });

  it('an override nested under an ancestor further up the tree pins a nested package’s dependency', () => {
    const nested = { 'node_modules/a/node_modules/b': { version: '1.0.0', dependencies: { c: 'latest' } } };
    assert.deepEqual(unpinned(nested, { a: { c: '1.0.0' } }), []);
    assert.deepEqual(unpinned(nested, { a: { b: { c: '1.0.0' } } }), []);
  });

  it('exits 2 on a lockfile it cannot read', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--lockfile', join(tmpdir(), 'no-such-dir-scan-ledger', 'package-lock.json')], { encoding: 'utf8' });
    assert.equal(r.status, 2);
  });

  it('passes the repository’s own lockfile', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
