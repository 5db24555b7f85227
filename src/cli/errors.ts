/** Exit codes of the CLI contract (docs/cli-contract.md). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILURE | typeof EXIT_BAD_INPUT;

/**
 * An error the CLI reports as one line on stderr and turns into its exit code. Commands throw it
 * before they change anything, so a bad input always leaves the store as it was.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = EXIT_BAD_INPUT) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A bad-input error (exit 2): a missing file, a malformed value, an unknown id. */
export function badInput(message: string): CliError {
  return new CliError(message, EXIT_BAD_INPUT);
}

/**
 * A gate that found what it was asked to fail on (exit 1). The findings have already been
 * printed; the message is the one-line verdict.
 */
export class GateFailure extends CliError {
  constructor(message: string) {
    super(message, EXIT_FAILURE);
    this.name = 'GateFailure';
  }
}

/** Collapses a message onto one line, as the exit-2 contract requires. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
