#!/usr/bin/env node
// `npm run test:packages`: builds both deliverables and checks them as a user receives them.
//
// 1. The .vsix (`npm run package`): under 3 MB; exactly the manifest, README, LICENSE,
//    CHANGELOG, the minified bundles with no source maps, the CLI launchers (the POSIX one
//    executable), media; no runtime dependencies; README images as https URLs.
// 2. The CLI tarball (`npm run pack:cli`): exactly its whitelist, the root's version, no
//    dependencies. It is installed into an empty folder with `npm install --offline` (it needs
//    nothing from the registry), and `npx scan-ledger --version`, `scan-ledger parse` and
//    `scan-ledger import` (then `findings`) run from there in a temporary workspace.
//
// Every check prints one line; the last line is "packages: N passed, M failed".
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packCli } from './pack-cli.mjs';
import { packageVsix } from './package-vsix.mjs';
import { zipEntries, zipEntryContent } from './zip-entries.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const MAX_VSIX_BYTES = 3 * 1024 * 1024;
const MAX_TARBALL_BYTES = 1024 * 1024;

let passed = 0;
let failed = 0;
function check(what, fn) {
  try {
    const detail = fn();
    passed++;
    process.stdout.write(`[packages] ok   ${what}${detail ? ` (${detail})` : ''}\n`);
  } catch (error) {
    failed++;
    process.stdout.write(`[packages] FAIL ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

// Everything a .vsix may hold, as patterns over its entry names; the first group must be there.
const VSIX_REQUIRED = [
  '[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json', 'extension/readme.md',
  'extension/LICENSE.txt', 'extension/changelog.md', 'extension/dist/extension.js', 'extension/dist/cli.js',
  'extension/dist/bin/scan-ledger', 'extension/dist/bin/scan-ledger.cmd', 'extension/media/icon.png',
  'extension/media/build/settings-panel.js', 'extension/media/settings/settings-panel.css',
];
const VSIX_ALLOWED = [/^extension\/media\/[\w-]+\.svg$/];

function checkVsix() {
  const started = Date.now();
  let vsix;
  check('npm run package builds the .vsix', () => {
    vsix = packageVsix();
    return `${relative(root, vsix)} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  });
  if (!vsix) return;
  const entries = zipEntries(vsix);
  const names = entries.map((e) => e.name);
  const text = (name) => zipEntryContent(vsix, name).toString('utf8');
  check('the .vsix is under 3 MB', () => {
    const size = statSync(vsix).size;
    assert(size < MAX_VSIX_BYTES, `${kb(size)}`);
    return kb(size);
  });
  check('the .vsix holds only the manifest, README, LICENSE, CHANGELOG, bundles, launchers and media', () => {
    const missing = VSIX_REQUIRED.filter((n) => !names.includes(n));
    const unexpected = names.filter((n) => !VSIX_REQUIRED.includes(n) && !VSIX_ALLOWED.some((re) => re.test(n)));
    assert(missing.length === 0, `missing: ${missing.join(', ')}`);
    assert(unexpected.length === 0, `unexpected: ${unexpected.join(', ')}`);
    return `${names.length} files`;
  });
  check('the terminal launcher dist/bin/scan-ledger keeps its executable bit in the .vsix', () => {
    const mode = entries.find((e) => e.name === 'extension/dist/bin/scan-ledger')?.mode ?? 0;
    assert((mode & 0o111) !== 0, `mode ${mode.toString(8)}`);
    return mode.toString(8);
  });
  check('the bundles are production builds: minified, no source map linked or shipped', () => {
    for (const name of ['extension/dist/extension.js', 'extension/dist/cli.js']) {
      const code = text(name);
      assert(!/sourceMappingURL/.test(code), `${name} links a source map`);
      const lines = code.split('\n').length;
      assert(lines < 500, `${name} has ${lines} lines: not minified`);
    }
    assert(!names.some((n) => n.endsWith('.map')), 'a .map file is packaged');
    const sizes = ['extension/dist/extension.js', 'extension/dist/cli.js'].map((n) => `${n.split('/').pop()} ${kb(entries.find((e) => e.name === n).size)}`);
    return sizes.join(', ');
  });
  check('the packaged manifest has no runtime dependencies, and the version, icon, licence and repository', () => {
    const packaged = JSON.parse(text('extension/package.json'));
    const dependencies = Object.keys(packaged.dependencies ?? {});
    assert(dependencies.length === 0, `dependencies: ${dependencies.join(', ')}`);
    assert(packaged.version === manifest.version, `version ${packaged.version}`);
    assert(packaged.icon === 'media/icon.png' && packaged.license === 'MIT' && packaged.repository, 'icon, license or repository missing');
  });
  check('README images in the .vsix are absolute https URLs', () => {
    const readme = text('extension/readme.md');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
    const relativeImages = images.filter((u) => !u.startsWith('https://'));
    assert(relativeImages.length === 0, `not https: ${relativeImages.join(', ')}`);
    return `${images.length} images`;
  });
}

/** npm without the outer `npm run`'s npm_config_* settings, which would steer the inner npm. */
function npm(args, options) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return spawnSync('npm', args, { encoding: 'utf8', env, timeout: 300_000, ...options });
}

function checkCliPackage() {
  let packed;
  const started = Date.now();
  check('npm run pack:cli packs the CLI', () => {
    // The production bundle was just built by `npm run package`; --no-build would save a
    // second, but building here keeps this check independent of the one before.
    packed = packCli({ build: true });
    return `${relative(root, packed.tarball)} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  });
  if (!packed) return;
  const { tarball, files } = packed;
  check('the CLI tarball holds exactly package.json, cli.js, README.md, LICENSE, CHANGELOG.md', () => {
    const paths = files.map((f) => f.path).sort();
    assert(JSON.stringify(paths) === JSON.stringify(['CHANGELOG.md', 'LICENSE', 'README.md', 'cli.js', 'package.json']), paths.join(', '));
    const size = statSync(tarball).size;
    assert(size < MAX_TARBALL_BYTES, `${kb(size)}`);
    return `${kb(size)} packed, ${kb(files.reduce((n, f) => n + f.size, 0))} unpacked`;
  });
  check('the CLI package is @scan-ledger/cli at the extension version, with a bin and no dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'build', 'cli-package', 'package.json'), 'utf8'));
    assert(pkg.name === '@scan-ledger/cli', pkg.name);
    assert(pkg.version === manifest.version, `version ${pkg.version}`);
    assert(pkg.bin?.['scan-ledger'] === 'cli.js', 'bin');
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) assert(!pkg[field], `has ${field}`);
  });

  const parent = mkdtempSync(join(tmpdir(), 'scan-ledger-packages-'));
  try {
    const project = join(parent, 'pipeline');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "pipeline", "version": "1.0.0", "private": true }\n');
    let installed = false;
    check('the tarball installs into an empty project offline (npm install --offline)', () => {
      const t = Date.now();
      const r = npm(['install', '--offline', '--no-audit', '--no-fund', '--loglevel', 'error', tarball], { cwd: project });
      assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
      assert(existsSync(join(project, 'node_modules', '.bin', 'scan-ledger')), 'no node_modules/.bin/scan-ledger');
      const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
      const packages = Object.keys(lock.packages).filter((p) => p !== '');
      assert(packages.length === 1, `installed ${packages.join(', ')}`);
      installed = true;
      return `${((Date.now() - t) / 1000).toFixed(1)} s, 1 package`;
    });
    if (!installed) return;
    const bin = join(project, 'node_modules', '.bin', 'scan-ledger');
    const workspace = join(parent, 'app');
    mkdirSync(join(workspace, 'reports'), { recursive: true });
    cpSync(join(root, 'test', 'cli-fixtures', 'semgrep.sarif'), join(workspace, 'reports', 'semgrep.sarif'));
    // Git settings of the machine must not matter; the CLI falls back to the OS account.
    const env = { ...process.env, GIT_CONFIG_GLOBAL: join(parent, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
    const cli = (args, cwd = workspace) => spawnSync(bin, args, { cwd, encoding: 'utf8', env, timeout: 120_000 });

    check('npx scan-ledger --version prints the package version', () => {
      const r = npm(['exec', '--no', '--', 'scan-ledger', '--version'], { cwd: project });
      assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
      assert(r.stdout.trim() === manifest.version, `printed ${JSON.stringify(r.stdout)}`);
      return r.stdout.trim();
    });
    check('scan-ledger parse reads a SARIF report', () => {
      const r = cli(['parse', 'reports/semgrep.sarif', '--json']);
      assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
      const parsed = JSON.parse(r.stdout);
      const count = Array.isArray(parsed) ? parsed.length : (parsed.findings?.length ?? 0);
      assert(count > 0, `no findings in ${r.stdout.slice(0, 200)}`);
      return `${count} findings`;
    });
    check('scan-ledger import creates the store, and findings lists what it imported', () => {
      const r = cli(['import', 'reports/semgrep.sarif', '--json']);
      assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
      const result = JSON.parse(r.stdout);
      assert(result.counts?.created > 0, `counts ${JSON.stringify(result.counts)}`);
      assert(existsSync(join(workspace, '.scan-ledger', 'store.json')), 'no .scan-ledger/store.json');
      const f = cli(['findings', '--json']);
      assert(f.status === 0, `findings exit ${f.status}: ${f.stderr}`);
      const findings = JSON.parse(f.stdout);
      assert(Array.isArray(findings) && findings.length === result.counts.created, `findings ${f.stdout.slice(0, 200)}`);
      return `${result.counts.created} created`;
    });
    check('scan-ledger with bad input exits 2', () => {
      writeFileSync(join(workspace, 'reports', 'broken.json'), '{ "runs": [');
      const r = cli(['import', 'reports/broken.json']);
      assert(r.status === 2, `exit ${r.status}: ${r.stderr}`);
    });
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

const started = Date.now();
checkVsix();
checkCliPackage();
process.stdout.write(`packages: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
process.exitCode = failed > 0 ? 1 : 0;
