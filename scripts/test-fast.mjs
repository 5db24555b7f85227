#!/usr/bin/env node
// `npm run test:fast`: the in-process unit tests, for the edit-test loop. It leaves out the
// suites that start other processes, which take most of `npm run test:unit`'s time: the ones
// that run the built CLI (test/unit/cli-harness.ts), spawn store workers or SIGKILL writers
// (test/store-workers/processes.ts), or call spawn()/fork() themselves. The list is computed
// from the sources each time, so a new suite of either kind lands on the right side without
// anyone editing a list. Suites that are pure but heavy (the seeded fuzzing, multi-megabyte
// hostile inputs) are left out too: they are named in SLOW_PURE_SUITES, or carry the comment
// `test:fast: skip` in their source. Extra arguments go to mocha
// (e.g. `npm run test:fast -- --grep SARIF`).
//
// It does not build: suites that need dist/ are exactly the ones left out.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const unitDir = join(root, 'test', 'unit');
const SPAWNS_PROCESSES = /cli-harness|store-workers\/processes|\bspawn\(|\bfork\(|test:fast: skip/;
// Pure suites that take seconds each: together they were most of test:fast's time.
const SLOW_PURE_SUITES = ['parsers-fuzz.test.ts', 'parsers-hostile-input.test.ts'];

export function fastSuites() {
  const all = readdirSync(unitDir).filter((f) => f.endsWith('.test.ts')).sort();
  const slow = all.filter((f) => SLOW_PURE_SUITES.includes(f) || SPAWNS_PROCESSES.test(readFileSync(join(unitDir, f), 'utf8')));
  return { fast: all.filter((f) => !slow.includes(f)).map((f) => join(unitDir, f)), slow };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { fast, slow } = fastSuites();
  process.stdout.write(`test:fast: ${fast.length} suites; left out (they start processes or take seconds; npm run test:unit runs them): ${slow.join(', ')}\n`);
  const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
  // --no-config: the project's .mocharc.json names every suite as its spec, and mocha would add
  // that list to the one given here.
  const args = [mocha, '--no-config', '--require', 'tsx/cjs', '--require', './test/setup/check-store-changes.ts', '--extension', 'ts', '--timeout', '20000', '--reporter', 'dot',
    ...process.argv.slice(2), ...fast.map((f) => relative(root, f))];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
