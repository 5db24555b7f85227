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
  /**
   * Resolves once stdout has taken what was written so far, so a large output is produced at
   * the pace its reader consumes it rather than piling up in memory. Absent: nothing to wait for.
   */
  drain?(): Promise<void>;
  /**
   * True once stdout's reader has gone (`scan-ledger findings --json | head`): there is no point
   * producing the rest of a long output.
   */
  stdoutClosed?(): boolean;
  /**
   * True when stderr is a terminal a person watches: long work then prints its stages there.
   * A pipeline's log (not a terminal) gets only the result, so logs stay stable.
   */
  interactive?: boolean;
}

export function processRuntime(): CliRuntime {
  // A reader that closes the pipe early (`| head`) makes the next write fail with EPIPE, which
  // Node reports as an 'error' event; unhandled, it would end the run with a stack trace. The
  // shell already has what it asked for, so the rest of the output is dropped quietly and the
  // command still ends with its own exit code.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return {
    cwd: process.cwd(),
    stdout: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    stderr: (text) => process.stderr.write(text),
    now: () => new Date(),
    drain: () =>
      new Promise<void>((resolve) => {
        if (stdoutClosed || !process.stdout.writableNeedDrain) {
          resolve();
          return;
        }
        // 'close' as well as 'drain': a pipe that breaks while we wait never drains.
        const done = () => {
          process.stdout.off('drain', done);
          process.stdout.off('close', done);
          process.stdout.off('error', done);
          resolve();
        };
        process.stdout.once('drain', done);
        process.stdout.once('close', done);
        process.stdout.once('error', done);
      }),
    stdoutClosed: () => stdoutClosed,
    interactive: process.stderr.isTTY === true,
  };
}
