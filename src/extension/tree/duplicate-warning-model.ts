/**
 * Duplicate-health warnings as the findings tree shows them (issue 17): which test and
 * engagement nodes carry a warning, the text they show, and the watch mapping that makes a
 * watched report reimport into the test it duplicates. Pure, so the rules are unit-tested
 * without VS Code; `duplicate-commands.ts` runs the actions.
 */
import { duplicateHealth, type DuplicateWarning, type Ledger } from '../../engine';
import type { Settings, WatchEntry } from '../../model';
import { matchWatchEntry } from '../report-paths';

export type TestWarning = Extract<DuplicateWarning, { kind: 'test' }>;
export type EngagementWarning = Extract<DuplicateWarning, { kind: 'engagement' }>;

/** The warnings of one folder's ledger, by the node they decorate. */
export interface DuplicateWarnings {
  tests: ReadonlyMap<number, TestWarning>;
  engagements: ReadonlyMap<number, EngagementWarning>;
}

export const NO_DUPLICATE_WARNINGS: DuplicateWarnings = { tests: new Map(), engagements: new Map() };

/**
 * The key an "Ignore" is remembered under: the folder, the node and the target, so a warning
 * that later points at another test or engagement is shown again.
 */
export function ignoreKey(folder: string, warning: DuplicateWarning): string {
  return warning.kind === 'test'
    ? `${folder}#test:${warning.testId}>${warning.targetTestId}`
    : `${folder}#engagement:${warning.engagementId}>${warning.targetEngagementId}`;
}

/** The folder's warnings at the settings' threshold, without those the user ignored. */
export function duplicateWarnings(folder: string, ledger: Ledger, settings: Settings, ignored: ReadonlySet<string>): DuplicateWarnings {
  const tests = new Map<number, TestWarning>();
  const engagements = new Map<number, EngagementWarning>();
  for (const w of duplicateHealth(ledger, settings).warnings) {
    if (ignored.has(ignoreKey(folder, w))) continue;
    if (w.kind === 'test') tests.set(w.testId, w);
    else engagements.set(w.engagementId, w);
  }
  return { tests, engagements };
}

/** Where a warned node's context value gets its suffix, so the menus offer the actions. */
export const DUPLICATE_CONTEXT_SUFFIX = ':duplicate';

/** What a warning changes on a test or engagement node. */
export interface WarningDecoration {
  description: string;
  tooltip: string;
  contextValue: string;
  icon: { id: string; color: string };
}

/** The node's description with the warning first, its tooltip with the sentence, and the warning icon. */
export function decorateWithWarning(node: { description?: string; tooltip?: string; contextValue: string }, warning: DuplicateWarning): WarningDecoration {
  const target = warning.kind === 'test' ? `test #${warning.targetTestId}` : `engagement #${warning.targetEngagementId}`;
  const short = `${warning.percent}% duplicates ${target}`;
  return {
    description: [short, node.description ?? ''].filter((s) => s.length > 0).join(' · '),
    tooltip: [node.tooltip ?? '', '', `⚠ ${warning.message}`].join('\n').trim(),
    contextValue: `${node.contextValue}${DUPLICATE_CONTEXT_SUFFIX}`,
    icon: { id: 'warning', color: 'list.warningForeground' },
  };
}

/** The outcome of "Reimport into test #N from now on" for a report. */
export type ReimportMapping =
  | { kind: 'watch'; watch: WatchEntry[]; entry: WatchEntry }
  | { kind: 'cli'; command: string };

/**
 * How to make a report reimport into the target test from now on. A watched report gets a watch
 * entry of its own, first in the list (the first matching entry wins), naming the target's
 * engagement and title, so the watcher's reimport finds that test (§4.1: the highest-id test of
 * that engagement, scan type and title). A report no watch entry covers is imported by hand or
 * by a pipeline, so the answer is the CLI line that does it.
 */
export function reimportMapping(
  reportPath: string | null,
  watch: readonly WatchEntry[],
  target: { testId: number; title: string | null; engagementName: string },
): ReimportMapping {
  const report = reportPath ?? '<report>';
  const command = `scan-ledger reimport ${quoteArgument(report)} --engagement ${quoteArgument(target.engagementName)} --test ${target.testId}`;
  if (!reportPath || !target.title) return { kind: 'cli', command };
  const matched = matchWatchEntry(reportPath, watch);
  if (!matched) return { kind: 'cli', command };
  const entry: WatchEntry = { glob: reportPath, engagement: target.engagementName, testTitle: target.title };
  if (matched.scanType) entry.scanType = matched.scanType;
  const rest = watch.filter((w) => w.glob !== reportPath);
  return { kind: 'watch', watch: [entry, ...rest.map((w) => ({ ...w }))], entry };
}

/** A shell argument, quoted when it holds anything but plain path characters. */
function quoteArgument(value: string): string {
  return /^[\w./@:+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
