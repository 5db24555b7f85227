// Bundles the extension, the CLI and the webview script. Each entry is bundled with its
// dependencies (lowdb is ESM-only; bundling makes it loadable from the CommonJS extension host),
// and `vscode` stays external because the editor provides it. Because everything is bundled,
// neither the .vsix nor the CLI's npm package has a runtime dependency.
//
//   node esbuild.mjs                 development build: readable code, inline-linked source maps
//   node esbuild.mjs --production    what ships: minified, source maps written next to the
//                                    bundles but not linked from them and not packaged
//                                    (.vscodeignore and the CLI package whitelist leave them out)
//   node esbuild.mjs --watch         rebuilds on change; prints "[watch] build started/finished"
//                                    so the VS Code task's problem matcher knows when a build ends
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  // Prefer a package's ESM build: jsonc-parser's UMD `main` loads its parts with a dynamic
  // require that esbuild cannot follow, so a bundle built from it fails at load time.
  mainFields: ['module', 'main'],
  minify: production,
  // Production maps are 'external': written for whoever needs to decode a stack trace, but the
  // shipped bundle carries no sourceMappingURL, so nothing points at a file that is not there.
  sourcemap: production ? 'external' : true,
  // Keeps class and function names readable in stack traces from a minified bundle.
  keepNames: production,
  logLevel: 'warning',
};

/**
 * Reports build start and end in the format the watch task's problem matcher expects. The three
 * bundles rebuild in parallel, so "started" is printed when the first begins and "finished" when
 * the last ends: the task is idle only when every bundle is up to date.
 */
const building = new Set();
const watchLogPlugin = {
  name: 'watch-log',
  setup(build) {
    // One key per bundle: a rebuild that esbuild restarts because of a newer change calls
    // onStart again without an onEnd, and must not count twice.
    const key = build.initialOptions.outfile;
    build.onStart(() => {
      if (building.size === 0) console.log('[watch] build started');
      building.add(key);
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      building.delete(key);
      if (building.size === 0) console.log('[watch] build finished');
    });
  },
};

const entries = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entryPoints: ['media/settings/settings-panel.ts'],
    outfile: 'media/build/settings-panel.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
].filter((e) => existsSync(e.entryPoints[0]));

/**
 * Launchers for the bundled CLI in dist/bin: the extension puts that folder on the integrated
 * terminal's PATH, so `scan-ledger` works there without an install. They resolve cli.js relative
 * to themselves, so the extension's install folder may be anywhere. When the extension names its
 * own runtime in SCAN_LEDGER_NODE (the editor's Electron or Node binary), they run the CLI with
 * it as plain Node (ELECTRON_RUN_AS_NODE), so a machine without Node.js still runs the CLI;
 * otherwise they use the `node` on PATH.
 */
const POSIX_LAUNCHER = `#!/bin/sh
cli="$(dirname "$0")/../cli.js"
if [ -n "\${SCAN_LEDGER_NODE:-}" ] && [ -x "$SCAN_LEDGER_NODE" ]; then
  ELECTRON_RUN_AS_NODE=1 exec "$SCAN_LEDGER_NODE" "$cli" "$@"
fi
exec node "$cli" "$@"
`;
const WINDOWS_LAUNCHER = [
  '@echo off',
  'setlocal',
  'set "cli=%~dp0..\\cli.js"',
  'if not defined SCAN_LEDGER_NODE goto node',
  'if not exist "%SCAN_LEDGER_NODE%" goto node',
  'set ELECTRON_RUN_AS_NODE=1',
  '"%SCAN_LEDGER_NODE%" "%cli%" %*',
  'exit /b %ERRORLEVEL%',
  ':node',
  'node "%cli%" %*',
  'exit /b %ERRORLEVEL%',
  '',
].join('\r\n');

function writeLaunchers() {
  mkdirSync('dist/bin', { recursive: true });
  writeFileSync('dist/bin/scan-ledger', POSIX_LAUNCHER);
  // The executable bit is stored in the .vsix by vsce and restored by VS Code on install.
  chmodSync('dist/bin/scan-ledger', 0o755);
  writeFileSync('dist/bin/scan-ledger.cmd', WINDOWS_LAUNCHER);
}

writeLaunchers();
const contexts = await Promise.all(
  entries.map((e) => esbuild.context({ ...common, ...e, plugins: watch ? [watchLogPlugin] : [] })),
);
if (watch) {
  // The first build runs inside watch(); later ones run on every change until the task ends.
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  try {
    await Promise.all(contexts.map((c) => c.rebuild()));
  } catch {
    // esbuild has already printed the errors; exit non-zero without a second stack trace.
    process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}
