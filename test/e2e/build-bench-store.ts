/**
 * Builds the workspace the activation measurement opens: a store of 10,000 findings
 * (SCAN_LEDGER_ACTIVATION_FINDINGS sets another number, e.g. 100000 by hand) made by the
 * engine itself (one import of a generated Generic Findings Import report, written with
 * LedgerStore), 1,000 of them in `src/big.js`, a 1,200-line file the editor shows while the
 * extension activates. Usage: `node --import tsx test/e2e/build-bench-store.ts <folder>`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { importScan, type EngineContext } from '../../src/engine';
import { defaultSettings, effectiveSettings } from '../../src/model';
import { parseReport } from '../../src/parsers';
import { LedgerStore } from '../../src/store';

export const BENCH_FINDINGS = Number(process.env.SCAN_LEDGER_ACTIVATION_FINDINGS ?? 10_000);
export const BIG_FILE_FINDINGS = 1_000;
const BIG_FILE_LINES = 1_200;
const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Info'];

function generatedFinding(i: number): Record<string, unknown> {
  // The first 1,000 sit on distinct lines of src/big.js; the rest spread over 90 other files.
  const inBigFile = i < BIG_FILE_FINDINGS;
  const file = inBigFile ? 'src/big.js' : `src/module-${i % 90}/component-${i % 7}.js`;
  const line = inBigFile ? 1 + i : 1 + ((i * 37) % 2000);
  return {
    title: `Unvalidated input reaches a sensitive call in handler ${i}`,
    severity: SEVERITIES[i % SEVERITIES.length],
    description: `The value of request parameter ${i} flows into a sensitive call without validation.`,
    cwe: 20 + (i % 5),
    file_path: file,
    line,
    unique_id_from_tool: `bench-${i}`,
    vuln_id_from_tool: `bench-rule-${i % 40}`,
    static_finding: true,
  };
}

async function main(folder: string): Promise<void> {
  await fs.mkdir(path.join(folder, 'src'), { recursive: true });
  const lines = Array.from({ length: BIG_FILE_LINES }, (_, i) => `const value${i} = handle(request.query.p${i}); // line ${i + 1}`);
  await fs.writeFile(path.join(folder, 'src', 'big.js'), `${lines.join('\n')}\n`);
  const findings = Array.from({ length: BENCH_FINDINGS }, (_, i) => generatedFinding(i));
  const text = JSON.stringify({ name: 'bench', type: 'bench scanner', version: '1.0', findings });
  const report = parseReport(text, { fileName: 'bench.json', scanType: 'Generic Findings Import' });
  const ctx: EngineContext = { now: new Date(), user: 'bench', settings: effectiveSettings(defaultSettings()) };
  const store = await LedgerStore.open(path.join(folder, '.scan-ledger', 'store.json'));
  const result = await store.transaction((ledger) =>
    importScan(
      ledger,
      report,
      { scanType: report.scanType, productName: path.basename(folder), engagementName: 'Local scans', testTitle: 'bench.json', reportName: 'bench.json' },
      ctx,
    ),
  );
  await store.close();
  if (result.counts.created !== BENCH_FINDINGS) throw new Error(`the bench store has ${result.counts.created} findings, expected ${BENCH_FINDINGS}`);
  process.stdout.write(`bench store: ${result.counts.created} findings in ${path.join(folder, '.scan-ledger', 'store.json')}\n`);
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
