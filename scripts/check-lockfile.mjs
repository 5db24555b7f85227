#!/usr/bin/env node
// `npm run check:lockfile`: fails when a package in package-lock.json asks for a dependency by a
// dist-tag ("latest", "next", …) or a wildcard ("*", "x", "") that the root `overrides` do not
// pin. A tag is resolved against the registry when npm checks the lockfile, so every upstream
// release makes the committed lockfile "not satisfy" it and `npm ci` fails on a fresh clone:
// that is how `@microsoft/eslint-formatter-sarif`'s `jschardet: "latest"` broke CI. Wildcards do
// not break `npm ci` today, but they let a regenerated lockfile jump to any major version, so
// they are pinned the same way. It uses nothing but Node, so CI runs it before `npm ci`.
//
//   node scripts/check-lockfile.mjs [--lockfile path] [--manifest path]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** 'tag', 'wildcard', or null for a spec that names versions (range, URL, path, git, alias). */
export function floatingKind(spec) {
  const s = String(spec ?? '').trim();
  if (s === '' || /^[*xX](\.[*xX]){0,2}$/.test(s)) return 'wildcard';
  // An alias (`npm:name@spec`) floats when its own spec does.
  if (s.startsWith('npm:')) {
    const at = s.lastIndexOf('@');
    return at > 4 ? floatingKind(s.slice(at + 1)) : 'wildcard';
  }
  // URLs, git and file specs, paths and GitHub shorthands name a source, not a registry version.
  if (/[:/\\]/.test(s) || s.startsWith('.') || s.startsWith('~/')) return null;
  // A version or range starts with a digit, an operator or `v1`; anything else npm reads as a tag.
  if (/^[A-Za-z]/.test(s) && !/^v\d/i.test(s)) return 'tag';
  return null;
}

/** The name part of an overrides key such as `jschardet` or `jschardet@^4`. */
function overrideKeyName(key) {
  const at = key.indexOf('@', 1);
  return at === -1 ? key : key.slice(0, at);
}

/** The value an override gives: a string, or an object's "." entry. */
function overrideValue(value) {
  return typeof value === 'string' ? value : value && typeof value === 'object' ? value['.'] : undefined;
}

/**
 * Whether `overrides` pins `dependency` to a version, either at the top level or nested under
 * one of the package's ancestors (npm's nested form: `{ "parent": { "dependency": "1.2.3" } }`).
 * An override that is itself a tag or a wildcard pins nothing.
 */
export function isPinned(overrides, dependency, ancestors) {
  const search = (scope, depth) => {
    if (!scope || typeof scope !== 'object') return false;
    for (const [key, value] of Object.entries(scope)) {
      const name = overrideKeyName(key);
      if (name === dependency) {
        const v = overrideValue(value);
        if (v !== undefined && floatingKind(v) === null) return true;
      }
      if (value && typeof value === 'object' && ancestors.slice(depth).includes(name) && search(value, depth + 1)) return true;
    }
    return false;
  };
  return search(overrides, 0);
}

/** The package names along a lockfile path: `node_modules/a/node_modules/@s/b` → ['a', '@s/b']. */
function namesOnPath(path) {
  return path.split(/(?:^|\/)node_modules\//).filter(Boolean);
}

/**
 * Every floating spec in the lockfile that the overrides do not pin. Checked: dependencies,
 * optional dependencies and required peer dependencies (optional peers are not installed).
 */
export function findUnpinnedSpecs(lock, manifest) {
  const overrides = manifest.overrides ?? {};
  const problems = [];
  const packages = lock.packages ?? {};
  if (lock.lockfileVersion < 2 || !lock.packages) throw new Error('lockfileVersion 2 or later expected (npm 7+)');
  for (const [path, entry] of Object.entries(packages)) {
    const ancestors = namesOnPath(path);
    const owner = path === '' ? '(root package.json)' : ancestors.at(-1);
    const fields = path === '' ? ['dependencies', 'devDependencies', 'optionalDependencies'] : ['dependencies', 'optionalDependencies', 'peerDependencies'];
    for (const field of fields) {
      for (const [dependency, spec] of Object.entries(entry[field] ?? {})) {
        if (field === 'peerDependencies' && entry.peerDependenciesMeta?.[dependency]?.optional) continue;
        const kind = floatingKind(spec);
        if (kind && !isPinned(overrides, dependency, ancestors)) {
          problems.push({ owner, path, field, dependency, spec, kind });
        }
      }
    }
  }
  return problems;
}

function argument(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : fallback;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const lockfile = argument('--lockfile', join(root, 'package-lock.json'));
  const manifestFile = argument('--manifest', join(dirname(lockfile), 'package.json'));
  try {
    const problems = findUnpinnedSpecs(JSON.parse(readFileSync(lockfile, 'utf8')), JSON.parse(readFileSync(manifestFile, 'utf8')));
    if (problems.length === 0) {
      process.stdout.write(`lockfile: no unpinned dist-tag or wildcard dependency specs (${lockfile})\n`);
    } else {
      for (const p of problems) {
        process.stderr.write(`lockfile: ${p.owner} (${p.path || 'package.json'}) asks for ${p.dependency} "${p.spec}" in ${p.field}, a ${p.kind}; pin it in package.json "overrides", e.g. "${p.dependency}": "<exact version>"\n`);
      }
      process.stderr.write(`lockfile: ${problems.length} unpinned spec(s); a tag makes \`npm ci\` fail as soon as upstream publishes, a wildcard lets a regenerated lockfile drift\n`);
      process.exitCode = 1;
    }
  } catch (error) {
    process.stderr.write(`lockfile: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
