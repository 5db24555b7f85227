import { Command, CommanderError } from 'commander';
import { SharedTriageFormatError } from '../engine';
import { ReportParseError } from '../parsers';
import { StoreError, StorePathError, StoreUnreadableError, WorkspaceSettingsError } from '../store';
import { registerConfigCommands } from './commands/config';
import { registerContextCommands } from './commands/context';
import { registerDefectDojoCommands } from './commands/defectdojo';
import { registerDuplicateCommands } from './commands/duplicates';
import { registerFindingCommands } from './commands/findings';
import { registerGateCommand } from './commands/gate';
import { registerHistoryCommand } from './commands/history';
import { registerImportCommands } from './commands/import';
import { registerParseCommand } from './commands/parse';
import { registerTriageCommand } from './commands/triage';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, oneLine, type ExitCode } from './errors';
import type { CliRuntime } from './runtime';
import { unreadableStoreMessage } from './session';
import { CLI_VERSION } from './version';

const PROGRAM_NAME = 'scan-ledger';

/**
 * Builds the `scan-ledger` command tree. Commander is told never to exit or print errors itself:
 * its errors are thrown and reported by `runCli` as one line, like every other bad input.
 */
export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command(PROGRAM_NAME)
    .description('DefectDojo-exact import, reimport and deduplication of scanner reports, with no server.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => runtime.stdout(text),
      // Commander's own errors (and the help it shows for a group called without a
      // subcommand) are reported by runCli from the thrown error, as one line.
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    // `--version` means two things: before a command, this tool's version; after `import` or
    // `reimport`, the version of the code scanned (DefectDojo's `version` field). Positional
    // options keep the program's own options (--version, -V, --help) to the left of the
    // command name, so `scan-ledger import r.json --version 1.2` stays the import's option.
    .enablePositionalOptions()
    .version(CLI_VERSION, '-V, --version', 'print the version of scan-ledger (after import or reimport, --version is the scanned code\'s version)')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 success (a gate that passed); 1 a gate that failed, or any other failure;',
        '2 bad input, named on stderr (including a missing store, or one that could not be read and was set aside).',
        '',
        '"scan-ledger --version" prints this version; "import --version V" and "reimport --version V" record',
        "the version of the code scanned, as DefectDojo's API does.",
      ].join('\n'),
    );

  registerImportCommands(program, runtime);
  registerFindingCommands(program, runtime);
  registerHistoryCommand(program, runtime);
  registerTriageCommand(program, runtime);
  registerConfigCommands(program, runtime);
  registerContextCommands(program, runtime);
  registerDuplicateCommands(program, runtime);
  registerParseCommand(program, runtime);
  registerGateCommand(program, runtime);
  registerDefectDojoCommands(program, runtime);
  return program;
}

/** The one-line message for an error, prefixed with the program name. */
function errorLine(message: string): string {
  return `${PROGRAM_NAME}: ${oneLine(message.replace(/^error:\s*/i, ''))}\n`;
}

/**
 * Runs the CLI on `args` (without `node` and the script) and returns the exit code: 0 success,
 * 2 bad input, 1 any other failure (docs/cli-contract.md). A failed gate is such a failure and exits
 * 1 too: the contract fixes these three codes, and a pipeline tells a failed gate from a broken
 * run by the stderr line ("gate failed: …") or the gate's `--json` output. A failure writes
 * exactly one line to stderr; the only other stderr lines are warnings about ignored settings
 * values or a store file moved aside while a command was already failing.
 */
export async function runCli(args: readonly string[], runtime: CliRuntime): Promise<ExitCode> {
  const program = buildProgram(runtime);
  if (args.length === 0) {
    runtime.stderr(errorLine(`missing command; run "${PROGRAM_NAME} --help" for the list`));
    return EXIT_BAD_INPUT;
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    const { code, message } = classify(error);
    if (message) runtime.stderr(errorLine(message));
    return code;
  }
}

function classify(error: unknown): { code: ExitCode; message: string | null } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (error instanceof CommanderError) {
    // Help and version output are successes; `help` shown because a command group was called
    // without its subcommand is a usage error.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { code: EXIT_OK, message: null };
    if (error.code === 'commander.help') return { code: EXIT_BAD_INPUT, message: 'missing subcommand; see --help' };
    return { code: EXIT_BAD_INPUT, message: error.message };
  }
  if (error instanceof ReportParseError) return { code: EXIT_BAD_INPUT, message: error.message };
  if (error instanceof WorkspaceSettingsError) return { code: EXIT_BAD_INPUT, message: error.message };
  // The workspace's files are input too: a triage.json that is malformed, oversized or not a
  // regular file, a store path from the settings that leads out of the workspace, and a store
  // that could not be read are bad input naming the file (issue 16 items 6, 10 and 13).
  if (error instanceof SharedTriageFormatError) return { code: EXIT_BAD_INPUT, message: error.message };
  if (error instanceof StorePathError) return { code: EXIT_BAD_INPUT, message: error.message };
  if (error instanceof StoreUnreadableError) return { code: EXIT_BAD_INPUT, message: unreadableStoreMessage(error.filePath, error.reason, error.setAsideTo) };
  // Anything else the store reports (a write that failed, a lock held too long) is a failure.
  if (error instanceof StoreError) return { code: EXIT_FAILURE, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: EXIT_FAILURE, message: `unexpected failure: ${message}` };
}
