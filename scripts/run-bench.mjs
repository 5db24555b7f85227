// Runs the benchmarks on bundled code, as the CLI and the extension ship it (esbuild, no
// TypeScript loader in the way), so the numbers are those users get.
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';

const scripts = process.argv.slice(2).length ? process.argv.slice(2) : ['bench', 'bench-parse'];
for (const name of scripts) {
  const outfile = `.cache/bench/${name}.js`;
  await esbuild.build({
    entryPoints: [`scripts/${name}.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['eslint', 'eslint-plugin-security', '@microsoft/eslint-formatter-sarif'],
    logLevel: 'warning',
  });
  const run = spawnSync(process.execPath, ['--expose-gc', outfile], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
