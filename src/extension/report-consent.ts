import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { log } from './log';
import {
  CONSENT_ANSWERS,
  CONSENT_LABELS,
  type ConsentAnswer,
  type ConsentPrompt,
  decideSweep,
  type FoundReport,
  readConsent,
  type ReportConsent,
  writeImports,
} from './report-consent-model';
import type { WorkspaceSession } from './workspace-session';

/**
 * The editor half of first-run consent (`report-consent-model.ts` holds the rules): asks with a
 * notification and a multi-select quick pick, and remembers the answer per workspace folder in
 * the workspace state, so it is asked once. The prompt is replaceable, so the extension-host
 * tests answer it without clicking.
 */

export const CHOOSE_REPORTS_COMMAND = 'scanLedger.chooseWatchedReports';

/**
 * The question as a notification and "Choose…" as a multi-select quick pick. An information
 * notification hides itself after a few seconds and waits behind the bell; nothing found at
 * start-up is imported until it is answered, so while it waits a status bar item says so and
 * opens the notifications when clicked.
 */
export const EDITOR_CONSENT_PROMPT: ConsentPrompt = {
  async ask(question, reports) {
    const labels = CONSENT_ANSWERS.map((a) => CONSENT_LABELS[a]);
    const waiting = vscode.window.createStatusBarItem('scanLedger.consentQuestion', vscode.StatusBarAlignment.Left, 90);
    const found = reports.length === 1 ? '1 report' : `${reports.length} reports`;
    waiting.name = 'Scan Ledger: reports waiting for your answer';
    waiting.text = `$(question) Scan Ledger: ${found} found`;
    waiting.tooltip = `Scan Ledger found ${found} that no scanLedger.watch setting names and waits for your answer before importing them. Click to see the question.`;
    waiting.accessibilityInformation = { label: `Scan Ledger found ${found}; click to answer whether to import them`, role: 'button' };
    waiting.command = 'notifications.showList';
    waiting.show();
    try {
      const picked = await vscode.window.showInformationMessage(question, ...labels);
      return CONSENT_ANSWERS.find((a) => CONSENT_LABELS[a] === picked);
    } finally {
      waiting.dispose();
    }
  },
  async choose(reports) {
    const picked = await vscode.window.showQuickPick(
      reports.map((r) => ({ label: r, picked: false })),
      { title: 'Scan Ledger: reports to import', placeHolder: 'Pick the reports of this project; the others are not imported automatically.', canPickMany: true },
    );
    return picked?.map((p) => p.label);
  },
};

/** A prompt that gives fixed answers: for the command's arguments and the tests. */
export function answeringPrompt(answer: ConsentAnswer | undefined, chosen: readonly string[] = []): ConsentPrompt & { questions: string[] } {
  const questions: string[] = [];
  return {
    questions,
    ask(question) {
      questions.push(question);
      return Promise.resolve(answer);
    },
    choose(reports) {
      return Promise.resolve(reports.filter((r) => chosen.includes(r)));
    },
  };
}

export class ReportConsentGate {
  private prompt: ConsentPrompt = EDITOR_CONSENT_PROMPT;
  /** One question per folder at a time, however many sweeps run meanwhile. */
  private readonly asking = new Map<string, Promise<unknown>>();

  constructor(private readonly state: vscode.Memento) {}

  private key(session: WorkspaceSession): string {
    return `scanLedger.reportConsent:${session.folder.uri.toString()}`;
  }

  /** The remembered answer of a folder, if any. */
  consentOf(session: WorkspaceSession): ReportConsent | undefined {
    return readConsent(this.state.get(this.key(session)));
  }

  /** Forgets a folder's answer, so the next sweep asks again. */
  async forget(session: WorkspaceSession): Promise<void> {
    await this.state.update(this.key(session), undefined);
  }

  /** Replaces the prompt (tests), returning the previous one. */
  usePrompt(prompt: ConsentPrompt): ConsentPrompt {
    const previous = this.prompt;
    this.prompt = prompt;
    return previous;
  }

  /**
   * Of the reports a sweep found through the default patterns, the ones to import now; asks
   * first when some were never imported and the folder has no answer yet, about the ones
   * `reportsOnly` keeps of those (the files that are scanner reports).
   */
  async sweepReports<T extends { uri: vscode.Uri }>(session: WorkspaceSession, found: readonly T[], reportsOnly: (items: readonly T[]) => Promise<T[]>): Promise<T[]> {
    const key = this.key(session);
    // A second sweep while the question is open (trust granted, "Reimport All") waits for its answer.
    while (this.asking.has(key)) await this.asking.get(key)?.catch(() => undefined);
    const reports: FoundReport[] = [];
    const byPath = new Map<string, T>();
    const importedNames = new Set((session.ledger?.data.imports ?? []).map((r) => r.settings.reportName).filter((n): n is string => !!n));
    // Never-imported files are read to tell reports from other files only when the question may
    // be asked: a remembered answer decides without reading them, at every start-up after the
    // first. A file the store imported is a report by record.
    let considered = found;
    if (!this.consentOf(session)) {
      const reportsNeverImported = new Set(await reportsOnly(found.filter((item) => !importedNames.has(session.relativePath(item.uri)))));
      considered = found.filter((item) => importedNames.has(session.relativePath(item.uri)) || reportsNeverImported.has(item));
    }
    for (const item of considered) {
      const relPath = session.relativePath(item.uri);
      let mtimeMs = 0;
      try {
        mtimeMs = (await fs.stat(item.uri.fsPath)).mtimeMs;
      } catch {
        // A report deleted since the search is skipped by the import itself.
      }
      byPath.set(relPath, item);
      reports.push({ relPath, mtimeMs, imported: importedNames.has(relPath) });
    }
    const deciding = decideSweep(reports, this.consentOf(session), session.folder.name, this.prompt, Date.now());
    this.asking.set(key, deciding);
    try {
      const decision = await deciding;
      if (decision.remember) {
        await this.state.update(key, decision.remember);
        log().info(`${session.folder.name}: reports found by the default watch patterns: "${decision.remember.choice}" remembered for this workspace (command "Choose Reports to Import…" asks again).`);
      }
      const skipped = reports.length - decision.importNow.length;
      if (skipped > 0) log().info(`${session.folder.name}: ${skipped} report(s) found by the default watch patterns were not imported (not chosen).`);
      return decision.importNow.map((p) => byPath.get(p)).filter((x): x is T => x !== undefined);
    } finally {
      this.asking.delete(key);
    }
  }

  /** Whether a report a default pattern matched is imported when its scanner writes it. */
  allowsWrite(session: WorkspaceSession, relPath: string): boolean {
    // While the question is open a write still imports: a scanner running now is the user's.
    return writeImports(relPath, this.consentOf(session));
  }
}

/** The answers "Choose Reports to Import…" takes as its argument instead of asking. */
function answersOf(arg: unknown): ConsentPrompt | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { answer?: unknown; chosen?: unknown };
  if (!CONSENT_ANSWERS.includes(a.answer as ConsentAnswer)) return undefined;
  const chosen = Array.isArray(a.chosen) ? a.chosen.filter((c): c is string => typeof c === 'string') : [];
  return answeringPrompt(a.answer as ConsentAnswer, chosen);
}

/**
 * Registers "Scan Ledger: Choose Reports to Import…", which asks the first-run question again
 * (after "Never", or to pick other reports). An argument `{ answer, chosen }` answers it.
 */
export function registerConsentCommand(gate: ReportConsentGate, watcher: { reviewConsent(): Promise<{ folders: number }> }): vscode.Disposable {
  return vscode.commands.registerCommand(CHOOSE_REPORTS_COMMAND, async (arg?: unknown) => {
    const given = answersOf(arg);
    const previous = given ? gate.usePrompt(given) : undefined;
    try {
      const { folders } = await watcher.reviewConsent();
      if (folders === 0) {
        void vscode.window.showInformationMessage('Scan Ledger: every folder names its reports in scanLedger.watch, so there is nothing to choose; edit that setting instead.');
      }
      return folders;
    } finally {
      if (previous) gate.usePrompt(previous);
    }
  });
}
