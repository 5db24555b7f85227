import { Command, CommanderError } from 'commander';
import { ReportParseError } from '../parsers';
import { StoreError, WorkspaceSettingsError } from '../store';
import { registerConfigCommands } from './commands/config';
import { registerContextCommands } from './commands/context';
import { registerFindingCommands } from './commands/findings';
import { registerGateCommand } from './commands/gate';
import { registerHistoryCommand } from './commands/history';
import { registerImportCommands } from './commands/import';
import { registerParseCommand } from './commands/parse';
import { registerTriageCommand } from './commands/triage';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, oneLine, type ExitCode } from './errors';
import type { CliRuntime } from './runtime';

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
    .allowExcessArguments(false);

  registerImportCommands(program, runtime);
  registerFindingCommands(program, runtime);
  registerHistoryCommand(program, runtime);
  registerTriageCommand(program, runtime);
  registerConfigCommands(program, runtime);
  registerContextCommands(program, runtime);
  registerParseCommand(program, runtime);
  registerGateCommand(program, runtime);
  return program;
}

/** The one-line message for an error, prefixed with the program name. */
function errorLine(message: string): string {
  return `${PROGRAM_NAME}: ${oneLine(message.replace(/^error:\s*/i, ''))}\n`;
}

/**
 * Runs the CLI on `args` (without `node` and the script) and returns the exit code: 0 success,
 * 2 bad input, 1 any other failure (product.md §7). A failure writes exactly one line to
 * stderr; the only other stderr lines are warnings about ignored settings values or a store
 * file moved aside.
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
  if (error instanceof StoreError) return { code: EXIT_FAILURE, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: EXIT_FAILURE, message: `unexpected failure: ${message}` };
}
