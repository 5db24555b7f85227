import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { CliError } from '../../src/cli/errors';
import { junitGatePieces, xmlAttribute, xmlText } from '../../src/cli/junit';
import { findingJson, printFindingsTable, printJson, printTable } from '../../src/cli/output';
import type { CliRuntime } from '../../src/cli/runtime';
import { readReportBytes } from '../../src/cli/session';
import { aFinding, aTest } from './extension-ledger-builder';

/**
 * The CLI's output functions at sizes a large store produces (issue 16 item 12), run in this
 * process: no stack overflow from spreading rows into a call, and output handed to stdout in
 * bounded chunks rather than as one string that V8 could not hold.
 */

/** A runtime that records each write to stdout separately. */
function chunkRecorder(): CliRuntime & { chunks: string[]; text(): string } {
  const chunks: string[] = [];
  return {
    cwd: process.cwd(),
    chunks,
    text: () => chunks.join(''),
    stdout: (text) => {
      chunks.push(text);
    },
    stderr: () => undefined,
    now: () => new Date('2026-01-15T10:00:00Z'),
  };
}

const ROWS = 200_000;

/** The largest single write: chunks must stay far below V8's string length limit. */
function largestChunk(chunks: readonly string[]): number {
  let largest = 0;
  for (const chunk of chunks) if (chunk.length > largest) largest = chunk.length;
  return largest;
}

describe('CLI output of large results (issue 16 item 12)', function () {
  this.timeout(60_000);

  it(`a table of ${ROWS} rows prints every row aligned, in chunks, without "Maximum call stack size exceeded"`, async () => {
    const runtime = chunkRecorder();
    const rows = Array.from({ length: ROWS }, (_, i) => [`#${i + 1}`, String(i % 97), `row ${i}`]);
    await printTable(runtime, ['ID', 'COUNT', 'TITLE'], rows, [1]);
    const lines = runtime.text().split('\n');
    assert.equal(lines.pop(), '', 'the table ends with a newline');
    assert.equal(lines.length, ROWS + 1);
    assert.equal(lines[0], 'ID       COUNT  TITLE');
    assert.equal(lines[1], '#1           0  row 0');
    assert.equal(lines[ROWS], `#${ROWS}  ${String((ROWS - 1) % 97).padStart(5)}  row ${ROWS - 1}`);
    assert.ok(runtime.chunks.length > 1, 'written in more than one chunk');
    assert.ok(largestChunk(runtime.chunks) < 1024 * 1024, 'each chunk is bounded');
  });

  it(`findings as a table: ${ROWS} findings list with their status and location`, async () => {
    const runtime = chunkRecorder();
    const findings = Array.from({ length: ROWS }, (_, i) => aFinding(i + 1, 1, { title: `Finding ${i}`, filePath: `src/f${i}.js`, line: 3 }));
    await printFindingsTable(runtime, findings);
    const lines = runtime.text().trimEnd().split('\n');
    assert.equal(lines.length, ROWS + 1);
    assert.match(lines[ROWS], new RegExp(`^#${ROWS}\\s+\\S+\\s+active\\s+src/f${ROWS - 1}\\.js:3\\s+Finding ${ROWS - 1}$`));
  });

  it(`--json of ${ROWS} rows is streamed in chunks and is byte for byte JSON.stringify(value, null, 2)`, async () => {
    const runtime = chunkRecorder();
    const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, title: `Finding "${i}"\n`, tags: i % 2 ? ['a'] : [], extra: undefined }));
    await printJson(runtime, rows);
    assert.ok(runtime.chunks.length > 10, 'written in many chunks');
    assert.ok(largestChunk(runtime.chunks) < 1024 * 1024, 'each chunk is bounded');
    assert.equal(runtime.text(), `${JSON.stringify(rows, null, 2)}\n`);
  });

  it('findings --json shape: a list of stored findings streams and parses back to findingJson', async () => {
    const runtime = chunkRecorder();
    const findings = Array.from({ length: 5000 }, (_, i) => findingJson(aFinding(i + 1, 1, { title: `F${i}` })));
    await printJson(runtime, findings);
    assert.deepEqual(JSON.parse(runtime.text()), findings);
  });

  it('nested large values (a SARIF-like log, empty lists and objects, undefined, toJSON) match JSON.stringify exactly', async () => {
    const runtime = chunkRecorder();
    const value = {
      $schema: 'x',
      runs: [
        {
          tool: { driver: { name: 'n', rules: Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, props: { tags: [], deep: {} } })) } },
          results: Array.from({ length: 3000 }, (_, i) => ({ ruleIndex: i, message: { text: `m\u2028${i}` }, skip: undefined, fn: () => i, list: [undefined, null, i] })),
          when: new Date(0),
          empty: {},
          none: [],
        },
      ],
    };
    await printJson(runtime, value);
    assert.equal(runtime.text(), `${JSON.stringify(value, null, 2)}\n`);
  });

  it('output stops early once stdout has gone (a closed pipe), instead of producing the rest', async () => {
    const runtime = chunkRecorder();
    let closed = false;
    runtime.stdoutClosed = () => closed;
    const original = runtime.stdout.bind(runtime);
    runtime.stdout = (text) => {
      original(text);
      closed = true;
    };
    await printJson(runtime, Array.from({ length: ROWS }, (_, i) => ({ id: i })));
    assert.equal(runtime.chunks.length, 1);
  });
});

describe('gate --format junit (issue 9)', () => {
  it('escapes XML special characters in text and attributes, and replaces characters XML cannot hold', () => {
    assert.equal(xmlText('a < b && c > d'), 'a &lt; b &amp;&amp; c &gt; d');
    assert.equal(xmlAttribute('say "hi" & \'bye\'\n\tnext'), 'say &quot;hi&quot; &amp; &apos;bye&apos;&#10;&#9;next');
    assert.equal(xmlText('bell\u0007 lone\uD800 pair\uD83D\uDE00'), 'bell\uFFFD lone\uFFFD pair\uD83D\uDE00');
  });

  it('one test case with a <failure> per gated finding; hostile titles keep the document well-formed', () => {
    const failing = [
      aFinding(7, 1, { title: '</failure></testcase><testcase name="injected">', severity: 'High', filePath: 'src/x.js', line: 2 }),
      aFinding(9, 1, { title: 'CDATA ]]> and \u0000 NUL', severity: 'Critical', description: '<![CDATA[ boom ]]>' }),
    ];
    const xml = Array.from(
      junitGatePieces({ failOn: 'High', failing, testsById: new Map([[1, aTest(1, 1)]]), timestamp: new Date('2026-01-15T10:00:00Z') }),
    ).join('');
    assert.equal(XMLValidator.validate(xml), true);
    assert.equal(xml.match(/<testcase /g)?.length, 2);
    assert.equal(xml.match(/<failure /g)?.length, 2);
    assert.doesNotMatch(xml, /<testcase name="injected"/, 'the title cannot open an element');
    assert.match(xml, /<testsuites name="scan-ledger gate" tests="2" failures="2" errors="0">/);
    assert.match(xml, /timestamp="2026-01-15T10:00:00"/);
  });

  it('a passing gate is a suite with zero failures and one passing case', () => {
    const xml = Array.from(junitGatePieces({ failOn: 'Critical', newSinceImport: 3, failing: [], testsById: new Map(), timestamp: new Date(0) })).join('');
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(xml, /tests="1" failures="0"/);
    assert.match(xml, /<testcase classname="scan-ledger gate" name="no active findings at or above Critical new since import #3"\/>/);
  });
});

describe('reading a report (issue 16 item 11: regular files only, the read itself bounded)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'scan-ledger-report-read-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function refusal(run: Promise<Buffer>): Promise<string> {
    try {
      await run;
    } catch (error) {
      assert.ok(error instanceof CliError, String(error));
      assert.equal(error.exitCode, 2);
      return error.message;
    }
    assert.fail('the read was not refused');
  }

  it('a file exactly at the limit is read whole; one byte more is refused, naming the file', async () => {
    const file = path.join(dir, 'limit.json');
    writeFileSync(file, 'x'.repeat(100));
    assert.equal((await readReportBytes(file, 'limit.json', 100, 1)).length, 100);
    writeFileSync(file, 'x'.repeat(101));
    assert.match(await refusal(readReportBytes(file, 'limit.json', 100, 1)), /^limit\.json: the report is 101 bytes, over the 1 MB limit/);
  });

  it('a file whose stat size understates its content (a /proc file) is still cut off at the limit', async function () {
    if (!existsSync('/proc/self/status')) this.skip();
    // /proc files report a size of 0 but hold far more than 16 bytes: only a bound on the read
    // itself, not on the stat size, refuses them.
    assert.match(await refusal(readReportBytes('/proc/self/status', 'status', 16, 1)), /^status: the report is over 16 bytes, over the 1 MB limit/);
  });

  it('a folder and a missing file are refused by name', async () => {
    assert.match(await refusal(readReportBytes(dir, 'reports', 100, 1)), /^reports: is a folder/);
    assert.match(await refusal(readReportBytes(path.join(dir, 'nope.json'), 'nope.json', 100, 1)), /^nope\.json: no such file$/);
  });
});
