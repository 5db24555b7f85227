import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type * as sarif from 'sarif';
import { parseReport } from '../../src/parsers';
import { makeWorkspace, REPO, type Workspace } from './cli-harness';

/**
 * What a CI pipeline relies on from `scan-ledger` (issues 9 and 16): a gate that fails closed,
 * commands that never run on a store that could not be read, `--version`, config keys with or
 * without their prefix, reports that must be regular files, gate reports for CI systems, and
 * output that ends quietly when its reader goes away. Each test spawns the real CLI.
 */

const V1 = 'reports/generic-v1.json';
const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** One stderr line and nothing else, as the exit-2 contract requires. */
const ONE_LINE = /^scan-ledger: [^\n]+\n$/;

/** A Generic Findings Import report with the given findings (title, severity, optional file). */
function genericReport(findings: { title: string; severity: string; file?: string; line?: number; description?: string }[]): string {
  return JSON.stringify({
    findings: findings.map((f) => ({
      title: f.title,
      severity: f.severity,
      description: f.description ?? `About ${f.title}.`,
      ...(f.file ? { file_path: f.file, line: f.line ?? 1 } : {}),
      static_finding: true,
      dynamic_finding: false,
    })),
  });
}

/** Creates an empty file and returns its path. */
function createFile(file: string): string {
  writeFileSync(file, '');
  return file;
}

function storeDir(ws: Workspace): string {
  return path.dirname(ws.storePath);
}

/** Files in the store's folder whose names say they were set aside. */
function setAsideFiles(ws: Workspace): string[] {
  return readdirSync(storeDir(ws)).filter((name) => /^store\.(corrupt|newer-schema|old-schema)-.*\.json$/.test(name));
}

describe('scan-ledger in a pipeline (issues 9 and 16)', function () {
  this.timeout(120_000);

  let ws: Workspace;
  beforeEach(() => {
    ws = makeWorkspace();
  });
  afterEach(() => {
    ws.dispose();
  });

  describe('issue 16 item 10: a store that could not be read is set aside, and no command runs on the empty store', () => {
    const unreadable: { name: string; bytes: (valid: string) => string; reason: RegExp }[] = [
      { name: 'corrupt JSON', bytes: (valid) => valid.slice(0, Math.floor(valid.length / 2)), reason: /not valid JSON/ },
      {
        name: 'a newer schema',
        bytes: (valid) => JSON.stringify({ ...(JSON.parse(valid) as object), schemaVersion: 999 }),
        reason: /schema|version/i,
      },
      {
        name: 'a wrong shape (findings is not a list)',
        bytes: (valid) => JSON.stringify({ ...(JSON.parse(valid) as object), findings: 'none' }),
        reason: /findings/,
      },
    ];

    for (const c of unreadable) {
      it(`gate on ${c.name}: exit 2, one line naming the file and that it was set aside; the bytes are kept`, () => {
        ws.json('import', V1);
        assert.equal(ws.run('gate', '--fail-on', 'high').code, 1, 'the intact store fails the gate');
        const bad = c.bytes(readFileSync(ws.storePath, 'utf8'));
        writeFileSync(ws.storePath, bad);
        const r = ws.run('gate', '--fail-on', 'high');
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, ONE_LINE);
        assert.ok(r.stderr.includes(ws.storePath), r.stderr);
        assert.match(r.stderr, /set aside/);
        assert.match(r.stderr, c.reason);
        const [moved] = setAsideFiles(ws);
        assert.ok(moved, 'the unreadable file was moved aside');
        assert.ok(r.stderr.includes(moved), 'the message names where it went');
        assert.equal(readFileSync(path.join(storeDir(ws), moved), 'utf8'), bad, 'its bytes are kept');
        assert.ok(!existsSync(ws.storePath), 'no empty store took its place');
        // The next gate finds no store and still fails closed.
        const next = ws.run('gate', '--fail-on', 'high');
        assert.equal(next.code, 2);
        assert.match(next.stderr, /no store/);
      });
    }

    const commands: string[][] = [
      ['findings'],
      ['findings', '--json'],
      ['history'],
      ['triage', '1', '--status', 'false-positive'],
      ['finding', 'delete', '1'],
      ['import', V1],
      ['reimport', V1],
      ['engagement', 'create', 'Nightly'],
    ];
    for (const args of commands) {
      it(`scan-ledger ${args.join(' ')} on a corrupt store: exit 2 naming the file; nothing runs and no new store is written`, () => {
        ws.json('import', V1);
        writeFileSync(ws.storePath, '{"schemaVersion": 1, "findings": [');
        const r = ws.run(...args);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, ONE_LINE);
        assert.ok(r.stderr.includes(ws.storePath), r.stderr);
        assert.match(r.stderr, /set aside/);
        assert.equal(setAsideFiles(ws).length, 1);
        assert.ok(!existsSync(ws.storePath), 'nothing was written to a fresh store');
      });
    }

    it('after the set-aside, the next import starts a new store', () => {
      ws.json('import', V1);
      writeFileSync(ws.storePath, 'not json');
      assert.equal(ws.run('import', V1).code, 2);
      const again = ws.json<{ counts: { created: number } }>('import', V1);
      assert.equal(again.counts.created, 4);
      assert.equal(ws.run('gate', '--fail-on', 'high').code, 1);
    });
  });

  describe('issue 9: gate exit codes', () => {
    it('a failed gate exits 1 with "gate failed" on stderr and passed: false in --json, a passed gate 0, a missing store 2', () => {
      assert.equal(ws.run('gate', '--fail-on', 'high').code, 2);
      ws.json('import', V1);
      const failed = ws.run('gate', '--fail-on', 'high', '--json');
      assert.equal(failed.code, 1);
      assert.equal((JSON.parse(failed.stdout) as { passed: boolean }).passed, false);
      assert.match(failed.stderr, /^scan-ledger: gate failed: /);
      assert.equal(ws.run('gate', '--fail-on', 'critical').code, 0);
    });
  });

  describe('issue 9: --version', () => {
    it('scan-ledger --version and -V print the package version and exit 0', () => {
      for (const flag of ['--version', '-V']) {
        const r = ws.run(flag);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `${PACKAGE_VERSION}\n`);
        assert.equal(r.stderr, '');
      }
    });

    it('import r.json --version 1.2 keeps meaning the version of the code scanned (DefectDojo\'s field)', () => {
      const imported = ws.run('import', V1, '--version', '1.2', '--json');
      assert.equal(imported.code, 0, imported.stderr);
      const [record] = ws.json<{ version: string }[]>('history');
      assert.equal(record.version, '1.2');
      const reimported = ws.run('reimport', V1, '--version', '1.3');
      assert.equal(reimported.code, 0, reimported.stderr);
      assert.equal(ws.json<{ version: string }[]>('history')[1].version, '1.3');
    });

    it('the help says which --version is which', () => {
      const r = ws.run('--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /-V, --version/);
      assert.match(r.stdout, /import --version V/);
    });
  });

  describe('issue 9: config keys with or without the scanLedger. prefix', () => {
    it('config set minimumSeverity, config get scanLedger.minimumSeverity, and the other way round', () => {
      assert.equal(ws.run('config', 'set', 'minimumSeverity', 'Low').code, 0);
      assert.deepEqual(ws.json('config', 'get', 'scanLedger.minimumSeverity'), { key: 'minimumSeverity', value: 'Low' });
      const set = ws.run('config', 'set', 'scanLedger.minimumSeverity', 'High');
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual(ws.json('config', 'get', 'minimumSeverity'), { key: 'minimumSeverity', value: 'High' });
      const file = JSON.parse(readFileSync(path.join(ws.root, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(file, { 'scanLedger.minimumSeverity': 'High' }, 'one key in the file, written with its prefix once');
      assert.equal(ws.run('config', 'get', 'scanLedger.dedupe.enabled').stdout, 'true\n');
    });

    it('an unknown key is still refused with or without the prefix, and a doubled prefix is not a key', () => {
      for (const key of ['bogus', 'scanLedger.bogus', 'scanLedger.scanLedger.minimumSeverity']) {
        const r = ws.run('config', 'get', key);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown setting/);
      }
    });
  });

  describe('issue 16 item 11: a report must be a regular file', () => {
    it('a symbolic link to /dev/zero is refused at once (exit 2, naming the file)', function () {
      if (!existsSync('/dev/zero')) this.skip();
      symlinkSync('/dev/zero', path.join(ws.root, 'reports', 'zero.json'));
      for (const command of ['import', 'parse']) {
        const run = ws.run(command, 'reports/zero.json');
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /^scan-ledger: reports\/zero\.json: is not a regular file \(a character device\)[^\n]*\n$/);
      }
      assert.ok(!existsSync(ws.storePath));
    });

    it('a FIFO is refused without blocking (exit 2, naming the file)', async function () {
      try {
        execFileSync('mkfifo', [path.join(ws.root, 'reports', 'pipe.json')]);
      } catch {
        this.skip();
      }
      // Nothing ever writes to the FIFO: a CLI that opened it for reading would wait forever,
      // so the run is killed after 30 s, which fails the test.
      const run = await runWithDeadline(ws, ['import', 'reports/pipe.json'], 30_000);
      assert.equal(run.timedOut, false, 'the CLI returned without waiting for a writer');
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^scan-ledger: reports\/pipe\.json: is not a regular file \(a named pipe\)[^\n]*\n$/);
    });

    it('a symbolic link to a regular report inside the workspace is read as that report', () => {
      symlinkSync(path.join(ws.root, V1), path.join(ws.root, 'reports', 'latest.json'));
      const parsed = ws.json<{ findings: unknown[] }>('parse', 'reports/latest.json');
      assert.equal(parsed.findings.length, 4);
    });
  });

  describe('issue 16 item 13: a triage.json that is not a usable file is bad input (exit 2)', () => {
    const shapes: { name: string; make: (file: string) => void; mentions: RegExp }[] = [
      { name: 'a folder', make: (file) => mkdirSync(file, { recursive: true }), mentions: /triage\.json: is not a regular file/ },
      { name: 'oversized', make: (file) => truncateSync(createFile(file), 200 * 1024 * 1024), mentions: /triage\.json: is \d+ MB, over the \d+ MB limit/ },
    ];
    for (const shape of shapes) {
      it(`${shape.name}: import and triage exit 2 with one line naming the file; the store is unchanged`, () => {
        ws.json('import', V1);
        const before = ws.storeBytes();
        shape.make(path.join(storeDir(ws), 'triage.json'));
        for (const args of [['reimport', V1], ['triage', '1', '--status', 'false-positive']]) {
          const r = ws.run(...args);
          assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
          assert.match(r.stderr, ONE_LINE);
          assert.match(r.stderr, shape.mentions);
          assert.ok(ws.storeBytes()?.equals(before ?? Buffer.alloc(0)), 'the store is byte-identical');
        }
      });
    }
  });

  describe('issue 9: gate --format sarif|junit', () => {
    const hostileTitle = 'Tainted <script>alert("x")</script> & \'quotes\' ]]> \u0001end';
    beforeEach(() => {
      writeFileSync(
        path.join(ws.root, 'reports', 'hostile.json'),
        genericReport([
          { title: hostileTitle, severity: 'High', file: 'src/a&b.js', line: 3, description: 'Line one\n<b>two</b> & "three"' },
          { title: 'Plain high', severity: 'Critical', file: 'src/plain.js', line: 7 },
          { title: 'Only low', severity: 'Low' },
        ]),
      );
      ws.json('import', 'reports/hostile.json');
    });

    it('--format junit --output writes one test case with a <failure> per gated finding, well-formed and escaped', () => {
      const r = ws.run('gate', '--fail-on', 'high', '--format', 'junit', '--output', 'gate.xml');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /Plain high/, 'the usual table still goes to stdout');
      const xml = readFileSync(path.join(ws.root, 'gate.xml'), 'utf8');
      assert.equal(XMLValidator.validate(xml), true);
      assert.ok(!xml.includes('<script>') && !xml.includes('\u0001'));
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(xml) as {
        testsuites: { tests: string; failures: string; testsuite: { failures: string; testcase: { name: string; failure: { '#text': string; message: string } }[] } };
      };
      assert.equal(doc.testsuites.failures, '2');
      const cases = doc.testsuites.testsuite.testcase;
      assert.equal(cases.length, 2);
      const hostile = cases.find((c) => c.name.includes('Tainted'));
      assert.ok(hostile);
      assert.ok(hostile.name.includes('<script>alert("x")</script> & \'quotes\' ]]>'), hostile.name);
      assert.ok(hostile.name.includes('src/a&b.js:3'));
      assert.match(hostile.failure.message, /^High: Tainted <script>/);
      assert.match(hostile.failure['#text'], /<b>two<\/b> & "three"/);
    });

    it('a passing gate writes a JUnit suite with zero failures (one passing case, so CI sees a result)', () => {
      const r = ws.run('gate', '--fail-on', 'critical', '--new-since-import', '1', '--format', 'junit', '--output', 'gate.xml');
      assert.equal(r.code, 0, r.stderr);
      const xml = readFileSync(path.join(ws.root, 'gate.xml'), 'utf8');
      assert.equal(XMLValidator.validate(xml), true);
      assert.match(xml, /<testsuites [^>]*tests="1" failures="0"/);
      assert.doesNotMatch(xml, /<failure/);
    });

    it('--format sarif writes the gated findings as SARIF 2.1.0 that our own SARIF parser reads back', () => {
      const r = ws.run('gate', '--fail-on', 'high', '--format', 'sarif', '--output', 'gate.sarif');
      assert.equal(r.code, 1);
      const text = readFileSync(path.join(ws.root, 'gate.sarif'), 'utf8');
      const log = JSON.parse(text) as sarif.Log;
      assert.equal(log.version, '2.1.0');
      assert.match(log.$schema ?? '', /sarif-2\.1\.0/);
      assert.equal(log.runs.length, 1);
      const [run] = log.runs;
      assert.equal(run.tool.driver.name, 'Scan Ledger');
      assert.equal(run.tool.driver.version, PACKAGE_VERSION);
      const rules = run.tool.driver.rules ?? [];
      const results = run.results ?? [];
      assert.equal(results.length, 2);
      for (const result of results) {
        assert.ok(typeof result.message.text === 'string' && result.message.text.length > 0);
        assert.ok(result.ruleIndex !== undefined && rules[result.ruleIndex]?.id === result.ruleId, 'ruleIndex points at its rule');
        assert.ok(['error', 'warning', 'note', 'none'].includes(result.level ?? ''));
        const location = result.locations?.[0]?.physicalLocation;
        assert.equal(location?.artifactLocation?.uriBaseId, '%SRCROOT%');
      }
      assert.ok(run.originalUriBaseIds?.['%SRCROOT%']?.uri?.startsWith('file://'));
      assert.deepEqual(results.map((x) => x.locations?.[0]?.physicalLocation?.artifactLocation?.uri).sort(), ['src/a%26b.js', 'src/plain.js']);
      const reread = parseReport(text, { fileName: 'gate.sarif' });
      assert.equal(reread.scanType, 'SARIF');
      assert.deepEqual(reread.findings.map((f) => f.title).sort(), [hostileTitle, 'Plain high'].sort());
    });

    it('--format sarif without --output writes the SARIF to stdout instead of the table', () => {
      const r = ws.run('gate', '--fail-on', 'critical', '--format', 'sarif');
      assert.equal(r.code, 1);
      const log = JSON.parse(r.stdout) as sarif.Log;
      assert.deepEqual(log.runs[0].results?.map((x) => x.message.text), ['Plain high']);
    });

    it('report options that cannot work are bad input before anything runs', () => {
      const cases: { args: string[]; mentions: RegExp }[] = [
        { args: ['--output', 'gate.xml'], mentions: /--format/ },
        { args: ['--format', 'sarif', '--json'], mentions: /--output/ },
        { args: ['--format', 'html'], mentions: /--format.*html|html.*sarif, junit/ },
        { args: ['--format', 'junit', '--output', 'missing/folder/gate.xml'], mentions: /missing\/folder\/gate\.xml: its folder does not exist/ },
      ];
      for (const c of cases) {
        const r = ws.run('gate', '--fail-on', 'high', ...c.args);
        assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, ONE_LINE);
        assert.match(r.stderr, c.mentions);
      }
    });
  });

  describe('issue 16 item 12: output to a reader that closes early', () => {
    it('findings --json | head ends quietly: no stack trace, exit 0', async () => {
      const many = Array.from({ length: 1500 }, (_, i) => ({ title: `Finding number ${i}`, severity: 'Medium', file: `src/f${i}.js`, line: i + 1 }));
      mkdirSync(path.join(ws.root, 'reports'), { recursive: true });
      writeFileSync(path.join(ws.root, 'reports', 'many.json'), genericReport(many));
      ws.json('import', 'reports/many.json');
      const { code, stderr, firstChunk } = await runAndCloseEarly(ws, ['findings', '--json']);
      assert.match(firstChunk, /^\[\n {2}\{/);
      assert.equal(stderr, '');
      assert.equal(code, 0);
    });
  });
});

/** Runs the CLI, killing it when it has not ended by the deadline. */
function runWithDeadline(ws: Workspace, args: string[], deadlineMs: number): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = ws.spawn(...args);
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout?.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut });
    });
  });
}

/**
 * Runs the CLI and closes its stdout after the first chunk, as `| head -c 100` does, then waits
 * (at most 60 s) for it to end.
 */
function runAndCloseEarly(ws: Workspace, args: string[]): Promise<{ code: number | null; stderr: string; firstChunk: string }> {
  return new Promise((resolve, reject) => {
    const child = ws.spawn(...args);
    let stderr = '';
    let firstChunk = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the CLI did not end after its reader closed the pipe'));
    }, 60_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout?.once('data', (chunk: Buffer) => {
      firstChunk = chunk.toString('utf8');
      child.stdout?.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, firstChunk });
    });
  });
}
