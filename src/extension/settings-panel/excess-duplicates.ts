import { duplicateHealth, previewExcessDuplicates, type Ledger } from '../../engine';
import type { Settings } from '../../model';
import { applyDraft } from './messages';
import type { ExcessDuplicatesSummary, SettingsDraft } from './protocol';

/**
 * The settings panel's "delete excess duplicates" preview (issue 17): how many findings §5.8
 * would delete with the draft's `dedupe.maxDuplicates`, and in which tests, shown next to the
 * setting before it is turned on. It reads only the ledger, so it works without a test chosen
 * and in an untrusted workspace, where the reimport preview is off.
 */
export function excessDuplicatesSummary(ledger: Ledger, saved: Settings, draft: SettingsDraft): ExcessDuplicatesSummary {
  const next = applyDraft(saved, draft);
  const preview = previewExcessDuplicates(ledger, next['dedupe.maxDuplicates']);
  return {
    deleteDuplicates: next['dedupe.deleteDuplicates'],
    maxDuplicates: preview.maxDuplicates,
    total: preview.total,
    nextRun: preview.nextRun,
    perRunLimit: preview.perRunLimit,
    // The ten tests that lose most; the total says how many more there are.
    tests: preview.tests.slice(0, 10),
    moreTests: Math.max(0, preview.tests.length - 10),
    // Why there are so many duplicates, when it is a report imported as new tests (the tree's
    // warnings, at the saved threshold, ignoring nothing: the panel explains, the tree acts).
    duplicateTests: duplicateHealth(ledger, saved)
      .warnings.filter((w) => w.kind === 'test')
      .map((w) => ({ testId: w.kind === 'test' ? w.testId : 0, message: w.message })),
  };
}
