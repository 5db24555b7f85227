#!/usr/bin/env node
// `npm run watch`: rebuilds the bundles on every change (esbuild, about a second) and keeps a
// type check running beside them (tsc --watch, for the root project and media/'s), because esbuild strips types without checking
// them. Both print to this terminal; Ctrl+C ends both. The VS Code tasks in .vscode/tasks.json
// run the same two watchers as separate background tasks, so their problems reach the
// Problems panel.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const children = [
  spawn(process.execPath, ['esbuild.mjs', '--watch'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, [tsc, '-p', '.', '--noEmit', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' }),
  // The webview script is its own project (DOM, no Node), as in `npm run typecheck`.
  spawn(process.execPath, [tsc, '-p', 'media/tsconfig.json', '--noEmit', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' }),
];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// If one watcher dies (a crash, not a build error: those are reported and watching goes on),
// stop the others too, so the terminal does not look alive while half of it is gone.
for (const child of children) child.on('exit', (code) => {
  stop();
  process.exitCode = code ?? 0;
});
