import { runCli } from './program';
import { processRuntime } from './runtime';

// The `scan-ledger` entry point (bundled to dist/cli.js): everything lives in program.ts; this
// file only connects it to the process.
void runCli(process.argv.slice(2), processRuntime()).then((code) => {
  process.exitCode = code;
});
