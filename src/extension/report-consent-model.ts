/**
 * First-run consent for reports only the default watch patterns found (issue 11): a repository
 * can hold dozens of sample reports (test fixtures, old CI output) that match `**` patterns, and
 * importing them unasked fills the editor with findings that are not the project's. When the
 * start-up sweep finds reports nobody configured, the user is asked once per workspace folder,
 * and the answer decides both the sweep and later file events. Pure: no `vscode`, so every
 * answer's consequence is unit tested; `report-consent.ts` asks in the editor and remembers.
 */

/** The buttons of the question, in the order shown. */
export const CONSENT_ANSWERS = ['all', 'choose', 'onlyNew', 'never'] as const;
export type ConsentAnswer = (typeof CONSENT_ANSWERS)[number];

/** What is remembered per workspace folder after an answer. */
export interface ReportConsent {
  /** `chosen`: the user picked reports with "Choose…". */
  choice: 'all' | 'chosen' | 'onlyNew' | 'never';
  /** When the user answered (epoch ms): "only new ones" means written after this. */
  answeredAt: number;
  /** Reports picked with "Choose…", workspace-relative. */
  chosen: string[];
  /** Reports present when the user answered that were not picked: never imported automatically. */
  declined: string[];
}

/** One report a default pattern matched. */
export interface FoundReport {
  /** Workspace-relative POSIX path. */
  relPath: string;
  /** Modification time (epoch ms), to tell reports written after the answer. */
  mtimeMs: number;
  /** The store already records an import of this file (the user imported it before). */
  imported: boolean;
}

/** What the prompt can answer: an answer, or nothing when the user dismissed the question. */
export interface ConsentPrompt {
  /** Asks the question; undefined when dismissed (then it is asked again next time). */
  ask(question: string, reports: readonly string[]): Promise<ConsentAnswer | undefined>;
  /** "Choose…": the reports to import among `reports`; undefined when cancelled. */
  choose(reports: readonly string[]): Promise<readonly string[] | undefined>;
}

/** The labels shown on the question's buttons. */
export const CONSENT_LABELS: Readonly<Record<ConsentAnswer, string>> = {
  all: 'All',
  choose: 'Choose…',
  onlyNew: 'Only New Ones',
  never: 'Never',
};

export function consentQuestion(count: number, folderName: string): string {
  const reports = count === 1 ? 'a scanner report' : `${count} scanner reports`;
  return `Scan Ledger found ${reports} in ${folderName} that no scanLedger.watch setting names. Import all, choose…, only new ones (written from now on), or never?`;
}

/**
 * Whether the sweep imports one found report under an answer. Without an answer, only reports
 * the store already holds (imported by the user before) are reimported; the rest wait for it.
 */
export function sweepImports(report: FoundReport, consent: ReportConsent | undefined): boolean {
  if (!consent) return report.imported;
  switch (consent.choice) {
    case 'all':
      return true;
    case 'never':
      return false;
    case 'onlyNew':
      return report.mtimeMs > consent.answeredAt || (report.imported && !consent.declined.includes(report.relPath));
    case 'chosen':
      if (consent.chosen.includes(report.relPath)) return true;
      if (consent.declined.includes(report.relPath)) return false;
      // A report that appeared after the answer is a scanner's new output, as with "only new ones".
      return report.mtimeMs > consent.answeredAt || report.imported;
  }
}

/**
 * Whether a file event (a scanner writing the file now) imports a report only a default pattern
 * matches. Writing is what "only new ones" waits for; "Never" and a report the user did not
 * choose stay out.
 */
export function writeImports(relPath: string, consent: ReportConsent | undefined): boolean {
  if (!consent) return true;
  if (consent.choice === 'never') return false;
  if (consent.choice === 'chosen') return !consent.declined.includes(relPath) || consent.chosen.includes(relPath);
  return true;
}

/** The remembered consent for an answer about `asked` (undefined: nothing to remember). */
export function consentFromAnswer(answer: ConsentAnswer, asked: readonly string[], chosen: readonly string[], now: number): ReportConsent {
  switch (answer) {
    case 'all':
      return { choice: 'all', answeredAt: now, chosen: [], declined: [] };
    case 'never':
      return { choice: 'never', answeredAt: now, chosen: [], declined: [...asked] };
    case 'onlyNew':
      return { choice: 'onlyNew', answeredAt: now, chosen: [], declined: [...asked] };
    case 'choose': {
      const picked = asked.filter((p) => chosen.includes(p));
      return { choice: 'chosen', answeredAt: now, chosen: picked, declined: asked.filter((p) => !picked.includes(p)) };
    }
  }
}

export interface ConsentDecision {
  /** The reports the sweep imports now. */
  importNow: string[];
  /** The consent to remember, when it changed (a new answer). */
  remember?: ReportConsent;
  /** Whether the user was asked. */
  asked: boolean;
}

/**
 * The consent flow of one sweep of one folder: asks when reports nobody chose are found and no
 * answer is remembered, then says which reports to import now and what to remember. A dismissed
 * question or a cancelled "Choose…" imports nothing new and remembers nothing, so it comes back.
 */
export async function decideSweep(
  found: readonly FoundReport[],
  consent: ReportConsent | undefined,
  folderName: string,
  prompt: ConsentPrompt,
  now: number,
): Promise<ConsentDecision> {
  const importedBefore = found.filter((r) => sweepImports(r, consent)).map((r) => r.relPath);
  if (consent) return { importNow: importedBefore, asked: false };
  const unasked = found.filter((r) => !r.imported).map((r) => r.relPath);
  if (unasked.length === 0) return { importNow: importedBefore, asked: false };
  const answer = await prompt.ask(consentQuestion(unasked.length, folderName), unasked);
  if (answer === undefined) return { importNow: importedBefore, asked: true };
  let chosen: readonly string[] = [];
  if (answer === 'choose') {
    const picked = await prompt.choose(unasked);
    if (picked === undefined) return { importNow: importedBefore, asked: true };
    chosen = picked;
  }
  const remember = consentFromAnswer(answer, unasked, chosen, now);
  // The answer is about the reports found now, whatever their time: "All" and "Choose…" import
  // them at once, "Only New Ones" and "Never" import none of them.
  const importNow = found.filter((r) => (r.imported ? sweepImports(r, remember) : answer === 'all' || remember.chosen.includes(r.relPath))).map((r) => r.relPath);
  return { importNow, remember, asked: true };
}

/** A remembered value read back from workspace state, checked (it may come from an older version). */
export function readConsent(value: unknown): ReportConsent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!['all', 'chosen', 'onlyNew', 'never'].includes(v.choice as string)) return undefined;
  if (typeof v.answeredAt !== 'number' || !strings(v.chosen) || !strings(v.declined)) return undefined;
  return { choice: v.choice as ReportConsent['choice'], answeredAt: v.answeredAt, chosen: [...v.chosen], declined: [...v.declined] };
}
