import * as vscode from 'vscode';

/**
 * The extension's log: one `LogOutputChannel` named "Scan Ledger" (the user picks the level
 * in the Output view), and the way errors reach the user: a short message with a "Show Log"
 * button, the details (stack, cause) in the log.
 */

export const LOG_NAME = 'Scan Ledger';
export const SHOW_LOG_COMMAND = 'scanLedger.showLog';

let channel: vscode.LogOutputChannel | undefined;

/** The channel, created on first use so activation stays cheap. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel(LOG_NAME, { log: true });
  return channel;
}

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}

/** The message of an error and of its causes, one sentence each. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function logDetails(error: unknown): void {
  if (error instanceof Error) {
    log().error(error);
    let cause = (error as { cause?: unknown }).cause;
    for (let depth = 0; cause !== undefined && depth < 5; depth++) {
      log().error('  caused by:', cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
      cause = cause instanceof Error ? (cause as { cause?: unknown }).cause : undefined;
    }
  } else if (error !== undefined) {
    log().error(String(error));
  }
}

/** How many of the latest notifications are remembered. */
const NOTIFICATIONS_KEPT = 50;
const notifications: string[] = [];

function rememberNotification(message: string): void {
  notifications.push(message);
  if (notifications.length > NOTIFICATIONS_KEPT) notifications.shift();
}

/**
 * The latest error and warning notifications shown, oldest first. A notification interrupts
 * the user, so the extension-host tests check which ones a scan-and-reimport cycle raised
 * (none, when it goes well); VS Code offers no API to read the notification centre.
 */
export function shownNotifications(): readonly string[] {
  return [...notifications];
}

/**
 * Logs `error` with its details and shows `message` with a "Show Log" action. Not awaited by
 * callers that go on working: the promise settles only when the user dismisses the message.
 */
export async function showError(message: string, error?: unknown): Promise<void> {
  rememberNotification(message);
  log().error(message);
  logDetails(error);
  const choice = await vscode.window.showErrorMessage(message, 'Show Log');
  if (choice === 'Show Log') log().show(true);
}

/** Same for problems that leave things working (a setting ignored, a store set aside). */
export async function showWarning(message: string): Promise<void> {
  rememberNotification(message);
  log().warn(message);
  const choice = await vscode.window.showWarningMessage(message, 'Show Log');
  if (choice === 'Show Log') log().show(true);
}

export function registerShowLog(): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => log().show(true));
}
