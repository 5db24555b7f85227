import { strict as assert } from 'node:assert';
import { InvalidArgumentError } from 'commander';
import { oneLine } from '../../src/cli/errors';
import { parseBoolean, parseCount, parseDate, parseId, parseSeverity, parseTags, parseTriageStatus } from '../../src/cli/options';
import { cellTail, parsedFindingJson, table } from '../../src/cli/output';
import { runCli } from '../../src/cli/program';
import type { CliRuntime } from '../../src/cli/runtime';

/** A runtime that records what the CLI writes, for runs inside this process. */
function captureRuntime(cwd: string): CliRuntime & { out: string; err: string } {
  const runtime = {
    cwd,
    out: '',
    err: '',
    stdout(text: string) {
      runtime.out += text;
    },
    stderr(text: string) {
      runtime.err += text;
    },
    now: () => new Date('2026-01-15T10:00:00Z'),
  };
  return runtime;
}

describe('CLI option values (docs/cli-contract.md "invalid option values" are bad input)', () => {
  it('booleans are true or false, as DefectDojo API fields take them', () => {
    assert.equal(parseBoolean('true'), true);
    assert.equal(parseBoolean('FALSE'), false);
    assert.throws(() => parseBoolean('yes'), InvalidArgumentError);
  });

  it('severities are DefectDojo spellings, matched case-insensitively', () => {
    assert.equal(parseSeverity('high'), 'High');
    assert.equal(parseSeverity('Info'), 'Info');
    assert.throws(() => parseSeverity('Informational'), InvalidArgumentError);
  });

  it('dates are real calendar days written YYYY-MM-DD', () => {
    assert.equal(parseDate('2024-02-29'), '2024-02-29');
    assert.throws(() => parseDate('2026-02-29'), InvalidArgumentError);
    assert.throws(() => parseDate('2026-13-01'), InvalidArgumentError);
    assert.throws(() => parseDate('15/01/2026'), InvalidArgumentError);
  });

  it('ids are positive integers; counts may be zero', () => {
    assert.equal(parseId('12'), 12);
    assert.throws(() => parseId('0'), InvalidArgumentError);
    assert.throws(() => parseId('1.5'), InvalidArgumentError);
    assert.throws(() => parseId('-3'), InvalidArgumentError);
    assert.equal(parseCount('0'), 0);
    assert.throws(() => parseCount('x'), InvalidArgumentError);
  });

  it('tags are split on commas, trimmed, blanks dropped', () => {
    assert.deepEqual(parseTags(' ci, nightly,,main '), ['ci', 'nightly', 'main']);
  });

  it('triage statuses are matched case-insensitively against the engine\'s list', () => {
    const statuses = ['false-positive', 'risk-accepted'] as const;
    assert.equal(parseTriageStatus('Risk-Accepted', statuses), 'risk-accepted');
    assert.throws(() => parseTriageStatus('ignored', statuses), InvalidArgumentError);
  });
});

describe('CLI output', () => {
  it('error messages are collapsed onto one line', () => {
    assert.equal(oneLine("error: unknown command 'imprt'\n(Did you mean import?)\n"), "error: unknown command 'imprt' (Did you mean import?)");
  });

  it('tables align columns, numbers to the right', () => {
    const text = table(
      ['ID', 'COUNT', 'TITLE'],
      [
        ['#1', '5', 'first'],
        ['#12', '140', 'second'],
      ],
      [1],
    );
    assert.equal(text, ['ID   COUNT  TITLE', '#1       5  first', '#12    140  second'].join('\n'));
  });

  it('long paths keep their end', () => {
    assert.equal(cellTail('src/very/deep/folder/file.js', 12), '…der/file.js');
  });

  it('a parsed finding lists every field, null or empty when the parser left it out', () => {
    const json = parsedFindingJson({ title: 't', severity: 'High', description: 'd', cwes: [79] });
    assert.equal(json.title, 't');
    assert.equal(json.filePath, null);
    assert.deepEqual(json.cwes, [79]);
    assert.deepEqual(json.endpoints, []);
    assert.ok(!('id' in json) && !('testId' in json));
  });
});

describe('CLI in-process runs (runCli)', () => {
  it('no command is a bad input with one line on stderr', async () => {
    const runtime = captureRuntime(process.cwd());
    assert.equal(await runCli([], runtime), 2);
    assert.match(runtime.err, /^scan-ledger: missing command[^\n]*\n$/);
    assert.equal(runtime.out, '');
  });

  it('--help prints the command list on stdout and succeeds', async () => {
    const runtime = captureRuntime(process.cwd());
    assert.equal(await runCli(['--help'], runtime), 0);
    assert.match(runtime.out, /Usage: scan-ledger/);
    assert.equal(runtime.err, '');
  });

  it('a subcommand help succeeds and shows the kebab-case DefectDojo option names', async () => {
    const runtime = captureRuntime(process.cwd());
    assert.equal(await runCli(['reimport', '--help'], runtime), 0);
    for (const option of ['--do-not-reactivate', '--no-close-old-findings', '--close-old-findings-product-scope', '--minimum-severity', '--store', '--json']) {
      assert.ok(runtime.out.includes(option), `${option} is listed`);
    }
  });
});
