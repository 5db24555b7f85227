import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/program';
import type { CliRuntime } from '../../src/cli/runtime';
import { MAX_FIELD_LENGTH } from '../../src/parsers';

/**
 * Issue 16 item 5 in the CLI: a value cut to the per-field bound is reported as a warning naming
 * the file (the import still succeeds), and a long import shows its stages on a terminal but
 * prints nothing extra into a pipeline's log.
 */

function runtimeIn(cwd: string, interactive: boolean): CliRuntime & { out: string; err: string } {
  const r = {
    cwd,
    out: '',
    err: '',
    interactive,
    stdout(text: string) {
      r.out += text;
    },
    stderr(text: string) {
      r.err += text;
    },
    now: () => new Date('2026-12-03T10:00:00Z'),
  };
  return r;
}

describe('CLI: report warnings and progress (issue 16 item 5)', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'scan-ledger-warnings-'));
    // Over the per-field bound, and over the 8 MB from which a terminal is shown the stages.
    const huge = 'word '.repeat(Math.ceil((9 * 1024 * 1024) / 5));
    writeFileSync(
      path.join(dir, 'huge.json'),
      JSON.stringify({ findings: [{ title: 'Huge', severity: 'High', description: huge, static_finding: true }, { title: 'Small', severity: 'Low', description: 'short' }] }),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a description over the bound is cut with a warning naming the file and the field; the parse succeeds', async () => {
    const runtime = runtimeIn(dir, false);
    const code = await runCli(['parse', 'huge.json', '--json'], runtime);
    assert.equal(code, 0, runtime.err);
    const parsed = JSON.parse(runtime.out) as { findings: { title: string; description: string }[] };
    assert.equal(parsed.findings.length, 2);
    assert.ok(parsed.findings[0].description.length <= MAX_FIELD_LENGTH);
    assert.match(parsed.findings[0].description, /truncated by Scan Ledger/);
    assert.equal(parsed.findings[1].description, 'short', 'the other finding is untouched');
    assert.match(runtime.err, /^scan-ledger: warning: huge\.json: .*description/m);
    assert.doesNotMatch(runtime.err, /parsing/, 'no progress lines outside a terminal');
  });

  it('on a terminal, a report of 8 MB or more shows its stages on stderr', async () => {
    const runtime = runtimeIn(dir, true);
    const code = await runCli(['parse', 'huge.json', '--json'], runtime);
    assert.equal(code, 0, runtime.err);
    assert.match(runtime.err, /^scan-ledger: huge\.json: parsing [\d.]+ MB…$/m);
    assert.match(runtime.err, /^scan-ledger: huge\.json: 2 findings read…$/m);
  });
});
