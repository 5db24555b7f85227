import { recordSharedTriageDecision } from '../../src/store/shared-triage-file';

/**
 * A separate process for store-workspace-files.test.ts: records `count` decisions, one
 * read-modify-write each, keyed `<prefix>-<n>`, so two of these running at once show whether
 * the triage file's lock keeps every decision.
 * Usage: node --import tsx shared-triage-writer.ts <workspace root> <prefix> <count>
 */
async function main(): Promise<void> {
  const [root, prefix, countText] = process.argv.slice(2);
  const count = Number(countText);
  for (let n = 0; n < count; n++) {
    await recordSharedTriageDecision(root, {
      key: `${prefix}-${String(n).padStart(3, '0')}`,
      status: 'false-positive',
      author: prefix,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      reason: `decision ${n} of ${prefix}`,
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
