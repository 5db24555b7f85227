// Bundles the extension, the CLI and the webview script. Each entry is bundled with its
// dependencies (lowdb is ESM-only; bundling makes it loadable from the CommonJS extension host),
// and `vscode` stays external because the editor provides it.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  // Prefer a package's ESM build: jsonc-parser's UMD `main` loads its parts with a dynamic
  // require that esbuild cannot follow, so a bundle built from it fails at load time.
  mainFields: ['module', 'main'],
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

const entries = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; its
    // ES module build bundles cleanly.
    mainFields: ['module', 'main'],
  },
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    mainFields: ['module', 'main'],
  },
  {
    entryPoints: ['media/settings/settings-panel.ts'],
    outfile: 'media/build/settings-panel.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
].filter((e) => existsSync(e.entryPoints[0]));

const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
