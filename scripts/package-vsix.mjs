#!/usr/bin/env node
// `npm run package`: builds the production .vsix with @vscode/vsce into build/, named
// scan-ledger-<version>.vsix. vsce runs the `vscode:prepublish` script (the minified production
// build) first, takes the file list from .vscodeignore, and rewrites the README's relative image
// links to the repository's URLs. The extension has no runtime dependencies (esbuild bundles
// them), so vsce has nothing from node_modules to add.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipEntries } from './zip-entries.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm run package` writes the .vsix; the e2e runner and the package checks read it there. */
export function vsixPath() {
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return join(root, 'build', `${name}-${version}.vsix`);
}

export function packageVsix() {
  const out = vsixPath();
  mkdirSync(dirname(out), { recursive: true });
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--out', out], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vsce package failed with exit code ${r.status}`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    const out = packageVsix();
    for (const e of zipEntries(out)) process.stdout.write(`  ${String(e.size).padStart(9)}  ${e.name}\n`);
    process.stdout.write(`${relative(root, out)}: ${(statSync(out).size / 1024).toFixed(0)} KB (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
