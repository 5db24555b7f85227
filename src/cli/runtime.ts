/**
 * What a CLI run depends on from its process: the working directory, the two output streams and
 * the clock. Commands take it as an argument, so the whole CLI can also run inside one process
 * (the extension, a test) without touching `process`.
 */
export interface CliRuntime {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  now(): Date;
}

export function processRuntime(): CliRuntime {
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    now: () => new Date(),
  };
}
