// `npm run demo`: runs the built CLI (dist/cli.js) on the bundled sample workspace, the way a CI
// pipeline would over three successive commits of a small app, and prints the import history.
//
//   v1  ESLint (eslint-plugin-security) finds 5 problems          → import: 5 created
//       a developer marks the RegExp finding a false positive
//   v2  the eval is fixed, a `new Buffer` is added                 → reimport: 1 created, 1 closed
//   v3  the eval comes back                                        → reimport: 1 reactivated
//   the release branch, imported into its own engagement, only adds duplicates of these
//
// The reports in samples/demo-workspace/reports are real ESLint SARIF output for the three
// versions in samples/demo-app (regenerate them with samples/demo-app/generate-reports.mjs).
// Everything happens in a temporary copy; the repository is never written.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repo, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('scripts/demo.mjs: dist/cli.js is missing; run "npm run build" first (npm run demo does).');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'scan-ledger-demo-'));
const workspace = join(scratch, 'demo-workspace');
cpSync(join(repo, 'samples', 'demo-workspace'), workspace, { recursive: true });

/** Runs the CLI in the workspace, echoing the command line; returns the result. */
function scanLedger(args, { echo = true, allowFailure = false } = {}) {
  if (echo) console.log(`\n$ scan-ledger ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: workspace, encoding: 'utf8' });
  if (echo) {
    process.stdout.write(result.stdout);
    process.stdout.write(result.stderr);
  }
  if (result.status !== 0 && !allowFailure) {
    console.error(`demo: "scan-ledger ${args.join(' ')}" exited ${result.status}`);
    process.exit(1);
  }
  return result;
}

/** Puts version N of the sample app in the workspace, as a checkout of that commit would. */
function checkout(version) {
  rmSync(join(workspace, 'src'), { recursive: true, force: true });
  cpSync(join(repo, 'samples', 'demo-app', version, 'src'), join(workspace, 'src'), { recursive: true });
}

function section(title) {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(0, 74 - title.length))}`);
}

try {
  console.log(`Scan Ledger demo in ${workspace}`);

  section('v1: first scan');
  checkout('v1');
  scanLedger(['import', 'reports/eslint-v1.sarif', '--version', '1.0.0', '--commit-hash', 'a1b2c3d']);
  scanLedger(['findings']);

  section('Triage: the RegExp pattern comes from a fixed allow-list');
  const findings = JSON.parse(scanLedger(['findings', '--json'], { echo: false }).stdout);
  const regexp = findings.find((f) => f.vulnIdFromTool === 'security/detect-non-literal-regexp');
  if (!regexp) throw new Error('the v1 report has no detect-non-literal-regexp finding');
  scanLedger(['triage', String(regexp.id), '--status', 'false-positive', '--reason', 'pattern comes from a fixed allow-list']);

  section('v2: eval fixed, new Buffer() added');
  checkout('v2');
  scanLedger(['reimport', 'reports/eslint-v2.sarif', '--version', '1.1.0', '--commit-hash', 'd4e5f6a']);

  section('v3: eval reintroduced');
  checkout('v3');
  scanLedger(['reimport', 'reports/eslint-v3.sarif', '--version', '1.2.0', '--commit-hash', 'b7c8d9e']);

  section('Release branch, scanned in its own engagement: duplicates');
  scanLedger(['import', 'reports/eslint-v3.sarif', '--engagement', 'Release 1.2', '--branch-tag', 'release/1.2']);
  scanLedger(['findings', '--engagement', 'Release 1.2']);

  section('Import history');
  scanLedger(['history']);

  section('Findings now');
  scanLedger(['findings']);

  section('CI gate: anything High or worse that is new since the first import?');
  const gate = scanLedger(['gate', '--fail-on', 'high', '--new-since-import', '1'], { allowFailure: true });
  console.log(`(exit code ${gate.status}: ${gate.status === 0 ? 'the build passes' : 'the build fails'})`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
