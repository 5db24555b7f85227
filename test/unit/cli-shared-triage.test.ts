import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, REPO, type Workspace } from './cli-harness';

/**
 * Issue 6 through the real `scan-ledger` CLI: triage shared through `.scan-ledger/triage.json`,
 * scanner-native suppressions, identity that survives inserted lines, and git rename detection.
 * Each test spawns the CLI in a fresh workspace folder (see cli-harness.ts).
 */

interface FindingJson {
  id: number;
  title: string;
  active: boolean;
  falsePositive: boolean;
  outOfScope: boolean;
  isMitigated: boolean;
  fingerprint: string | null;
  filePath: string | null;
  line: number | null;
  suppression: { kind: string; reason: string } | null;
  location: { resolvedPath?: string | null } | null;
  audit: { at: string; author: string; field: string; from: unknown; to: unknown; reason?: string | null }[];
}

interface ImportJson {
  testId: number;
  counts: { created: number; closed: number; reactivated: number; untouched: number };
}

interface HistoryJson {
  id: number;
  type: string;
  settings: { gitHead?: string | null };
  actions: { findingId: number; action: string; matchTier?: string | null; fromLine?: number | null; toLine?: number | null; fromFile?: string | null }[];
}

const APP_JS_V1 = ['const fs = require("fs");', '', 'function run(userInput) {', '  return eval(userInput);', '}', ''].join('\n');
/** v1 with two lines inserted above the flagged line: the eval moves from line 4 to line 6. */
const APP_JS_V2 = ['const fs = require("fs");', '// A comment added later.', 'const path = require("path");', '', 'function run(userInput) {', '  return eval(userInput);', '}', ''].join('\n');

/**
 * An ESLint-style SARIF report (no fingerprints, as `@microsoft/eslint-formatter-sarif`
 * writes them) with one `security/detect-eval-with-expression` result per flagged line.
 */
function eslintSarif(file: string, line: number, ...more: [string, number][]): string {
  const flagged: [string, number][] = [[file, line], ...more];
  return JSON.stringify({
    version: '2.1.0',
    $schema: 'http://json.schemastore.org/sarif-2.1.0-rtm.5',
    runs: [
      {
        tool: {
          driver: {
            name: 'ESLint',
            informationUri: 'https://eslint.org',
            rules: [
              {
                id: 'security/detect-eval-with-expression',
                shortDescription: { text: 'Detects "eval(variable)" which can allow an attacker to run arbitrary code inside your process.' },
              },
            ],
          },
        },
        artifacts: flagged.map(([uri]) => ({ location: { uri } })),
        results: flagged.map(([uri, startLine], index) => ({
          level: 'error',
          message: { text: 'eval with argument of type Identifier' },
          locations: [{ physicalLocation: { artifactLocation: { uri, index }, region: { startLine, startColumn: 10, endLine: startLine, endColumn: 25 } } }],
          ruleId: 'security/detect-eval-with-expression',
          ruleIndex: 0,
        })),
      },
    ],
  });
}

function write(ws: Workspace, relative: string, text: string): void {
  const file = path.join(ws.root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Sets the git user name the CLI records as the acting user (the harness's global git config). */
function actAs(ws: Workspace, name: string): void {
  writeFileSync(path.join(path.dirname(ws.root), 'gitconfig'), `[user]\n\tname = ${name}\n\temail = ${name.toLowerCase().replace(/\W+/g, '.')}@example.com\n`);
}

/** Another machine: the store is gone (it is local data), the committed triage file is kept. */
function freshStore(ws: Workspace): void {
  for (const name of ['store.json', 'store.json.lock-owner']) rmSync(path.join(ws.root, '.scan-ledger', name), { force: true });
}

function triageFile(ws: Workspace): string {
  return readFileSync(path.join(ws.root, '.scan-ledger', 'triage.json'), 'utf8');
}

function git(ws: Workspace, ...args: string[]): string {
  const gitconfig = path.join(path.dirname(ws.root), 'gitconfig');
  return execFileSync('git', args, { cwd: ws.root, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: gitconfig, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
}

describe('CLI: issue 6, shared triage and native suppressions', function () {
  this.timeout(60_000);
  let ws: Workspace;

  beforeEach(() => {
    ws = makeWorkspace();
    write(ws, 'src/app.js', APP_JS_V1);
    write(ws, 'reports/eslint-v1.sarif', eslintSarif('src/app.js', 4));
    write(ws, 'reports/eslint-v2.sarif', eslintSarif('src/app.js', 6));
  });

  afterEach(() => ws.dispose());

  it('(a) "decisions are also written to .scan-ledger/triage.json": a CLI false positive writes one sorted line per decision', () => {
    actAs(ws, 'Alice Teammate');
    write(ws, 'src/other.js', 'function go(x) {\n  return eval(x);\n}\n');
    write(ws, 'reports/two.sarif', eslintSarif('src/app.js', 4, ['src/other.js', 2]));
    ws.json('import', 'reports/two.sarif');
    const findings = ws.json<FindingJson[]>('findings');
    assert.equal(findings.length, 2);
    for (const f of findings) ws.json('triage', String(f.id), '--status', 'false-positive', '--reason', 'test code, not shipped');

    const lines = triageFile(ws).split('\n');
    assert.equal(lines[0], '{');
    assert.equal(lines[1], '  "version": 1,');
    const entries = lines.filter((l) => l.startsWith('    {')).map((l) => JSON.parse(l.replace(/,$/, '')) as Record<string, unknown>);
    assert.equal(entries.length, 2, 'one line per decision');
    const keys = entries.map((e) => e.key as string);
    assert.deepEqual(keys, [...keys].sort(), 'sorted by key');
    assert.deepEqual(new Set(keys), new Set(findings.map((f) => f.fingerprint)));
    for (const e of entries) {
      assert.equal(e.status, 'false-positive');
      assert.equal(e.reason, 'test code, not shipped');
      assert.equal(e.author, 'Alice Teammate');
      assert.deepEqual(Object.keys(e).slice(0, 3), ['key', 'status', 'reason'], 'fields in a fixed order');
    }
    // `verified` is a local state: the file is not touched.
    const before = triageFile(ws);
    ws.json('triage', String(findings[0].id), '--status', 'verified');
    assert.equal(triageFile(ws), before);
  });

  it('(b) "a teammate\'s false positive holds on your machine and in CI": a fresh store importing the same report gets it, with the teammate\'s name', () => {
    actAs(ws, 'Alice Teammate');
    ws.json('import', 'reports/eslint-v1.sarif');
    const [mine] = ws.json<FindingJson[]>('findings');
    ws.json('triage', String(mine.id), '--status', 'false-positive', '--reason', 'input is a constant');

    freshStore(ws);
    actAs(ws, 'Bob Builder');
    const run = ws.run('import', 'reports/eslint-v1.sarif');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 finding took a decision from \.scan-ledger\/triage\.json\./);

    const [theirs] = ws.json<FindingJson[]>('findings');
    assert.equal(theirs.fingerprint, mine.fingerprint);
    assert.equal(theirs.falsePositive, true);
    assert.equal(theirs.active, false);
    const shared = theirs.audit.filter((a) => /shared triage by Alice Teammate/.test(a.reason ?? ''));
    assert.ok(shared.length > 0, JSON.stringify(theirs.audit));
    assert.match(shared[0].reason ?? '', /input is a constant/);
    // The CI gate no longer counts it.
    assert.equal(ws.json<FindingJson[]>('findings', '--active').length, 0);
  });

  it('(c) "conflicting decisions resolve by the latest timestamp, and the loser is kept in the audit"', () => {
    ws.json('import', 'reports/eslint-v1.sarif');
    const [f] = ws.json<FindingJson[]>('findings');
    assert.ok(f.fingerprint);
    freshStore(ws);
    // What a git merge of two branches that triaged the same finding leaves: both lines.
    const conflict = {
      version: 1,
      decisions: [
        { key: f.fingerprint, status: 'false-positive', reason: 'never reachable', author: 'Alice', at: '2026-01-01T10:00:00.000Z' },
        { key: f.fingerprint, status: 'out-of-scope', reason: 'vendored code', author: 'Bob', at: '2026-01-02T10:00:00.000Z' },
      ],
    };
    write(ws, '.scan-ledger/triage.json', JSON.stringify(conflict, null, 2));
    ws.json('import', 'reports/eslint-v1.sarif');
    const [g] = ws.json<FindingJson[]>('findings');
    assert.equal(g.outOfScope, true, 'the later decision (Bob) wins');
    assert.equal(g.falsePositive, false);
    const lost = g.audit.find((a) => a.field === 'sharedTriage');
    assert.ok(lost, JSON.stringify(g.audit));
    assert.match(lost.reason ?? '', /conflicting decision by Alice at 2026-01-01T10:00:00.000Z lost to Bob at 2026-01-02T10:00:00.000Z/);
  });

  it('a malformed triage.json (an unresolved merge conflict) stops the import, names the file, and is never overwritten', () => {
    const conflicted = '{\n  "version": 1,\n  "decisions": [\n<<<<<<< HEAD\n=======\n>>>>>>> main\n  ]\n}\n';
    write(ws, '.scan-ledger/triage.json', conflicted);
    const run = ws.run('import', 'reports/eslint-v1.sarif');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /triage\.json: invalid JSON/);
    assert.ok(!existsSync(ws.storePath), 'no store was written');
    assert.equal(triageFile(ws), conflicted);
  });

  it('(d) "# nosec (Bandit)": a finding whose flagged line carries # nosec is suppressed, not active, with its reason', () => {
    write(ws, 'sample/app.py', ['import subprocess', '', 'def calc(expression):', '    return eval(expression)  # nosec B307 - input is validated above', ''].join('\n'));
    write(
      ws,
      'reports/bandit.json',
      JSON.stringify({
        errors: [],
        generated_at: '2026-11-22T06:07:37Z',
        metrics: {},
        results: [
          {
            code: '3 def calc(expression):\n4     return eval(expression)\n',
            filename: 'sample/app.py',
            issue_confidence: 'HIGH',
            issue_severity: 'MEDIUM',
            issue_text: 'Use of possibly insecure function - consider using safer ast.literal_eval.',
            line_number: 4,
            line_range: [4],
            more_info: 'https://bandit.readthedocs.io/en/latest/blacklists/blacklist_calls.html#b307-eval',
            test_id: 'B307',
            test_name: 'blacklist',
          },
        ],
      }),
    );
    const run = ws.run('import', 'reports/bandit.json', '--scan-type', 'Bandit Scan');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 finding suppressed in the code or an ignore file/);
    const [f] = ws.json<FindingJson[]>('findings');
    assert.equal(f.active, false);
    assert.equal(f.suppression?.kind, 'nosec');
    assert.equal(f.suppression?.reason, '# nosec B307 - input is validated above');
    assert.equal(ws.json<FindingJson[]>('findings', '--active').length, 0);
  });

  it('".trivyignore (with expiry) and .gitleaksignore": ignore files at the workspace root suppress findings; an expired entry does not', () => {
    const trivy = JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/trivy-scan/one_finding.json'), 'utf8')) as {
      Results: { Vulnerabilities: Record<string, unknown>[] }[];
    };
    const vulnerabilities = trivy.Results[0].Vulnerabilities;
    vulnerabilities.push({ ...vulnerabilities[0], VulnerabilityID: 'CVE-2023-0001', PkgID: 'zlib@1.2', PkgName: 'zlib', Title: 'zlib: overflow' });
    write(ws, 'reports/trivy.json', JSON.stringify(trivy));
    write(ws, '.trivyignore', '# accepted until the base image is rebuilt\nCVE-2023-4911 exp:2099-12-31\nCVE-2023-0001 exp:2001-01-01\n');
    const run = ws.run('import', 'reports/trivy.json', '--scan-type', 'Trivy Scan');
    assert.equal(run.code, 0, run.stderr);
    const findings = ws.json<FindingJson[]>('findings');
    const ignored = findings.find((f) => f.title.includes('CVE-2023-4911'));
    const expired = findings.find((f) => f.title.includes('CVE-2023-0001'));
    assert.equal(ignored?.suppression?.kind, 'trivyignore');
    assert.equal(ignored?.active, false);
    assert.equal(expired?.suppression, null, 'an expired .trivyignore entry suppresses nothing');
    assert.equal(expired?.active, true);

    write(ws, 'reports/gitleaks.json', readFileSync(path.join(REPO, 'test/fixtures/gitleaks-scan/one_finding.json'), 'utf8'));
    write(ws, '.gitleaksignore', '# rotated, see ticket SEC-12\nconfig/settings.py:aws-access-token:4\n');
    assert.equal(ws.run('import', 'reports/gitleaks.json', '--scan-type', 'Gitleaks Scan').code, 0);
    const secret = ws.json<FindingJson[]>('findings').find((f) => f.suppression?.kind === 'gitleaksignore');
    assert.ok(secret, 'the .gitleaksignore entry without its commit part suppresses the secret');
    assert.equal(secret.active, false);
  });

  it('(e) "adding a line above a finding" keeps its id with the fingerprint default; DefectDojo parity closes and creates', () => {
    const first = ws.json<ImportJson>('reimport', 'reports/eslint-v1.sarif');
    const [before] = ws.json<FindingJson[]>('findings');
    write(ws, 'src/app.js', APP_JS_V2);
    const second = ws.json<ImportJson>('reimport', 'reports/eslint-v2.sarif');
    assert.equal(second.testId, first.testId);
    assert.deepEqual(second.counts, { created: 0, closed: 0, reactivated: 0, untouched: 1 });
    const [after] = ws.json<FindingJson[]>('findings');
    assert.equal(after.id, before.id, 'the same finding');
    assert.equal(after.line, 6);

    // The same history under DefectDojo parity, in a fresh workspace.
    const parity = makeWorkspace();
    try {
      write(parity, '.vscode/settings.json', JSON.stringify({ 'scanLedger.defectdojoParity': true }));
      write(parity, 'src/app.js', APP_JS_V1);
      write(parity, 'reports/eslint-v1.sarif', eslintSarif('src/app.js', 4));
      write(parity, 'reports/eslint-v2.sarif', eslintSarif('src/app.js', 6));
      parity.json('reimport', 'reports/eslint-v1.sarif');
      const [old] = parity.json<FindingJson[]>('findings');
      write(parity, 'src/app.js', APP_JS_V2);
      const moved = parity.json<ImportJson>('reimport', 'reports/eslint-v2.sarif');
      assert.deepEqual(moved.counts, { created: 1, closed: 1, reactivated: 0, untouched: 0 });
      const all = parity.json<FindingJson[]>('findings');
      assert.equal(all.length, 2);
      assert.equal(all.find((f) => f.id === old.id)?.isMitigated, true, 'the original is closed');
    } finally {
      parity.dispose();
    }
  });

  it('(e) a teammate\'s decision survives the inserted lines: the moved finding keeps its false positive', () => {
    ws.json('reimport', 'reports/eslint-v1.sarif');
    const [f] = ws.json<FindingJson[]>('findings');
    ws.json('triage', String(f.id), '--status', 'false-positive');
    write(ws, 'src/app.js', APP_JS_V2);
    ws.json('reimport', 'reports/eslint-v2.sarif');
    const [g] = ws.json<FindingJson[]>('findings');
    assert.equal(g.id, f.id);
    assert.equal(g.falsePositive, true);
    assert.equal(ws.json<FindingJson[]>('findings').length, 1, 'no new finding was created for the moved line');
  });

  it('(f) "same fingerprint in a file git reports as renamed": a renamed file keeps its findings (tier fingerprint:renamed)', () => {
    actAs(ws, 'Alice Teammate');
    git(ws, 'init', '-q', '-b', 'main');
    write(ws, '.gitignore', '.scan-ledger/store.json*\nreports/\n');
    git(ws, 'add', '.');
    git(ws, 'commit', '-q', '-m', 'first');
    const head = git(ws, 'rev-parse', 'HEAD');

    ws.json('reimport', 'reports/eslint-v1.sarif');
    const [before] = ws.json<FindingJson[]>('findings');
    const [firstRun] = ws.json<HistoryJson[]>('history');
    assert.equal(firstRun.settings.gitHead, head, 'the import records the git HEAD');

    git(ws, 'mv', 'src/app.js', 'src/application.js');
    git(ws, 'commit', '-q', '-m', 'rename');
    write(ws, 'reports/eslint-renamed.sarif', eslintSarif('src/application.js', 4));
    const run = ws.run('reimport', 'reports/eslint-renamed.sarif');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /git reports 1 file renamed since the test's previous import/);
    assert.match(run.stdout, /: 0 created, 0 closed, 0 reactivated, 1 untouched/);

    const [after] = ws.json<FindingJson[]>('findings');
    assert.equal(after.id, before.id);
    // DefectDojo's identity (file_path, part of the hash code) stays; the location the editor
    // shows and the fingerprint follow the file.
    assert.equal(after.location?.resolvedPath, 'src/application.js');
    assert.notEqual(after.fingerprint, before.fingerprint);
    const history = ws.json<HistoryJson[]>('history');
    const action = history[history.length - 1].actions[0];
    assert.equal(action.matchTier, 'fingerprint:renamed');
    assert.equal(action.fromFile, 'src/app.js');

    // The next scan of the renamed file matches at the strictest tier again.
    const again = ws.json<ImportJson>('reimport', 'reports/eslint-renamed.sarif');
    assert.deepEqual(again.counts, { created: 0, closed: 0, reactivated: 0, untouched: 1 });
    const latest = ws.json<HistoryJson[]>('history').slice(-1)[0];
    assert.equal(latest.actions[0].matchTier, 'fingerprint');
  });

  it('without git the same rename closes the old finding and creates a new one (degrades cleanly)', () => {
    ws.json('reimport', 'reports/eslint-v1.sarif');
    rmSync(path.join(ws.root, 'src/app.js'));
    write(ws, 'src/application.js', APP_JS_V1);
    write(ws, 'reports/eslint-renamed.sarif', eslintSarif('src/application.js', 4));
    const result = ws.json<ImportJson>('reimport', 'reports/eslint-renamed.sarif');
    assert.deepEqual(result.counts, { created: 1, closed: 1, reactivated: 0, untouched: 0 });
  });
});
