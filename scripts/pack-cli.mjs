#!/usr/bin/env node
// `npm run pack:cli`: the CLI as an npm package a pipeline can install, `@scan-ledger/cli`.
//
// The repository's own package.json describes the VS Code extension and stays `private` (so it
// can never be published to npm by mistake, and its devDependencies never reach a pipeline).
// This script generates a separate package instead: the production CLI bundle (every library
// bundled by esbuild, so it has no dependencies and installs offline), a package.json with the
// root's version and a `files` whitelist, a short README, the LICENSE and the CHANGELOG. It then
// runs `npm pack` into build/, giving build/scan-ledger-cli-<version>.tgz.
//
//   node scripts/pack-cli.mjs              production build, then pack
//   node scripts/pack-cli.mjs --no-build   pack the dist/cli.js already built by
//                                          `node esbuild.mjs --production` (used after
//                                          `npm run package`, which has just built it)
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const packageDir = join(buildDir, 'cli-package');

/** The root manifest: the single source of the version, licence and repository. */
function rootManifest() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

/** The tarball `packCli` writes, for the package checks. */
export function cliTarballPath() {
  return join(buildDir, `scan-ledger-cli-${rootManifest().version}.tgz`);
}

/**
 * The CLI section of the main README (from "## The CLI" to the next level-2 heading), so the
 * npm page shows the same commands as the repository; a link covers everything else.
 */
function cliReadme(manifest) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /^## The CLI\n([\s\S]*?)(?=^## )/m.exec(readme);
  const section = match ? match[1].trim() : 'See the repository README for the commands and their options.';
  const repo = manifest.repository.url.replace(/\.git$/, '');
  return `# @scan-ledger/cli

The \`scan-ledger\` command: DefectDojo's import, reimport and deduplication engine for
pipelines, with no server. It is the same engine as the Scan Ledger VS Code extension and keeps
the same per-workspace store, so the editor and CI apply one set of rules to one history.

\`\`\`sh
npm install --save-dev @scan-ledger/cli     # or: npm install --global @scan-ledger/cli
npx scan-ledger --version
\`\`\`

Node ${manifest.engines.node.replace(/^>=\s*/, '')} or later. The package is a single bundled file with no dependencies.

${section}

Full documentation, settings and the DefectDojo semantics: ${repo}#readme
`;
}

function cliManifest(manifest) {
  return {
    name: '@scan-ledger/cli',
    version: manifest.version,
    description: 'The scan-ledger command: DefectDojo-exact import, reimport and deduplication of scanner reports in CI, with no server.',
    license: manifest.license,
    keywords: [...manifest.keywords, 'cli', 'ci'],
    homepage: manifest.homepage,
    bugs: manifest.bugs,
    repository: manifest.repository,
    // The bundle is CommonJS; saying so keeps it loadable whatever a parent folder declares.
    type: 'commonjs',
    bin: { 'scan-ledger': 'cli.js' },
    files: ['cli.js', 'README.md', 'LICENSE', 'CHANGELOG.md'],
    engines: { node: manifest.engines.node },
    publishConfig: { access: 'public' },
  };
}

function run(command, args, options) {
  const r = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${r.status}\n${r.stderr ?? ''}`);
  return r.stdout;
}

/** Builds (unless told not to), writes build/cli-package/ and packs it; returns the tarball's path and npm's file list. */
export function packCli({ build = true } = {}) {
  if (build) run(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const bundle = join(root, 'dist', 'cli.js');
  if (!existsSync(bundle)) throw new Error('dist/cli.js is missing: run `node esbuild.mjs --production` first');
  const manifest = rootManifest();
  rmSync(packageDir, { recursive: true, force: true });
  mkdirSync(packageDir, { recursive: true });
  copyFileSync(bundle, join(packageDir, 'cli.js'));
  chmodSync(join(packageDir, 'cli.js'), 0o755);
  copyFileSync(join(root, 'LICENSE'), join(packageDir, 'LICENSE'));
  copyFileSync(join(root, 'CHANGELOG.md'), join(packageDir, 'CHANGELOG.md'));
  writeFileSync(join(packageDir, 'README.md'), cliReadme(manifest));
  writeFileSync(join(packageDir, 'package.json'), `${JSON.stringify(cliManifest(manifest), null, 2)}\n`);
  // Under `npm run`, the outer npm's settings arrive as npm_config_* variables; the inner npm
  // would take them as its own (a `--dry-run` or another prefix, say), so it gets a clean set.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const out = run('npm', ['pack', '--json', '--pack-destination', buildDir, '--loglevel', 'error'], { cwd: packageDir, env });
  const [info] = JSON.parse(out);
  const tarball = join(buildDir, info.filename);
  return { tarball, files: info.files.map((f) => ({ path: f.path, size: f.size })), unpackedSize: info.unpackedSize };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    const { tarball, files } = packCli({ build: !process.argv.includes('--no-build') });
    for (const f of files) process.stdout.write(`  ${String(f.size).padStart(9)}  ${f.path}\n`);
    process.stdout.write(`${relative(root, tarball)}: ${(statSync(tarball).size / 1024).toFixed(0)} KB (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
