import { neededHeapMb, relaunchWithHeap } from './heap';
import { runCli } from './program';
import { processRuntime } from './runtime';

// The `scan-ledger` entry point (bundled to dist/cli.js): everything lives in program.ts; this
// file only connects it to the process, relaunching it with a larger heap when the store is
// too large for Node's default one (see heap.ts).
const heapMb = neededHeapMb(process.argv.slice(2), process.cwd(), process.env);
if (heapMb !== null) {
  process.exitCode = relaunchWithHeap(heapMb);
} else {
  void runCli(process.argv.slice(2), processRuntime()).then((code) => {
    process.exitCode = code;
  });
}
