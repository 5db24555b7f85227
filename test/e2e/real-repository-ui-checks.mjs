// UI checks of the real-repository session, after its suite (test/integration/suite/
// 10-real-repository.test.ts) has imported bandit's report of GYP's sources, marked a finding
// false positive, and reimported the next release's report. The suite leaves what it triaged in
// the state file the runner names; the checks look at that finding as a user would and save the
// README's screenshots: the labels on the lines of a real file, the hover that tells the move,
// and the tree with both imports' counts.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterLabels, runChecks, runCommand, settingsFrame, until, widenSideBar } from './ui-checks.mjs';

/** Opens a workspace file at a line with Quick Open (`path:line`), as a user would. */
async function openAt(page, relPath, line) {
  const name = basename(relPath);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`${relPath}:${line}`);
  // Enter opens the focused row: wait until the filtered list focuses this file (its folder is
  // in the row's description), not a recently opened one.
  await until(`Quick Open to focus ${relPath}`, async () => {
    const focused = page.locator('.quick-input-widget .monaco-list-row.focused');
    if ((await focused.count()) === 0) return false;
    const text = await focused.first().innerText();
    return text.includes(name) && text.includes(dirname(relPath));
  });
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label*="${name}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The point on a line's code (its last word) to hover, from the rendered line numbers. */
async function pointOnLine(page, line) {
  return page.evaluate((wanted) => {
    const editor = document.querySelector('.editor-instance .monaco-editor') ?? document.querySelector('.monaco-editor');
    const number = [...editor.querySelectorAll('.margin .line-numbers')].find((n) => n.textContent.trim() === String(wanted));
    if (!number) return null;
    const top = Math.round(number.parentElement.getBoundingClientRect().top);
    const row = [...editor.querySelectorAll('.view-lines .view-line')].find((l) => Math.round(l.getBoundingClientRect().top) === top);
    const words = row ? [...row.querySelectorAll('span span')].filter((s) => s.textContent.trim().length > 2) : [];
    const word = words[words.length - 1];
    if (!word) return null;
    const box = word.getBoundingClientRect();
    return { x: box.x + Math.min(12, box.width / 2), y: box.y + box.height / 2 };
  }, line);
}

async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function checkDecorations(page, results, state) {
  const { triaged } = state;
  await clearNotifications(page);
  // Triaged findings are hidden until the user shows them: the one the suite triaged is the
  // point of this picture, beside the open findings around it.
  await runCommand(page, 'Scan Ledger: Toggle Closed and Triaged Findings');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await openAt(page, triaged.file, triaged.toLine);
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  const labels = await until(`the after-line label on ${triaged.file}:${triaged.toLine}`, async () => {
    const l = await afterLabels(page);
    return l[triaged.toLine] ? l : undefined;
  });
  const label = labels[triaged.toLine];
  if (!label.startsWith(`${triaged.severity}: `) || !label.includes('— false positive')) {
    throw new Error(`line ${triaged.toLine} should show the ${triaged.severity} finding marked false positive: ${label}`);
  }
  const open = Object.entries(labels).filter(([line, text]) => Number(line) !== triaged.toLine && !/— (false positive|closed|out of scope|risk accepted)/.test(text));
  if (open.length === 0) throw new Error(`no open finding is labelled around line ${triaged.toLine}: ${JSON.stringify(labels)}`);
  await page.mouse.move(5, 500);
  await page.screenshot({ path: join(results, 'real-repo-decorations.png') });
  return `line ${triaged.toLine}: "${label}"; ${open.length} open finding line(s) beside it, e.g. ${open[0][0]}: "${open[0][1]}"`;
}

async function checkHover(page, results, state) {
  const { triaged } = state;
  const point = await until(`the code of line ${triaged.toLine}`, () => pointOnLine(page, triaged.toLine));
  await page.mouse.move(point.x - 4, point.y);
  await page.mouse.move(point.x, point.y);
  const hover = page.locator('.monaco-hover', { hasText: triaged.title.slice(0, 40) }).first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  const moved = `moved from line ${triaged.fromLine} to ${triaged.toLine}`;
  const text = await until('the hover to show the triage and the move', async () => {
    const t = await hover.innerText();
    return /false positive/i.test(t) && t.includes(moved) ? t : undefined;
  });
  // The history is below the description: scrolled into view with the wheel, as a user would,
  // the pointer moved onto the hover first (it stays open while the pointer is on it).
  const history = hover.locator('p', { hasText: moved }).last();
  await until('the hover history to scroll into view', async () => {
    const [box, entry] = [await hover.boundingBox(), await history.boundingBox()];
    if (!box || !entry) return false;
    if (entry.y >= box.y && entry.y + entry.height <= box.y + box.height - 4) return true;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 60);
    return false;
  });
  await page.screenshot({ path: join(results, 'real-repo-hover.png') });
  await page.mouse.move(5, 500);
  await page.keyboard.press('Escape');
  return `hover shows "${triaged.title}", false positive, "${text.split('\n').find((l) => l.includes(moved))?.trim()}"`;
}

async function checkTree(page, results, state) {
  const [first, second] = state.imports;
  if (!first || !second) throw new Error(`the suite left ${state.imports.length} import(s), expected 2`);
  await page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="Scan Ledger"]') }).first().click();
  await widenSideBar(page, 640);
  const rows = page.locator('.pane-body .monaco-list-row');
  const row = (pattern) => page.locator(`.pane-body .monaco-list-row[aria-label*="${pattern}"]`).first();
  const testRow = row(state.report);
  await testRow.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await testRow.getAttribute('aria-expanded')) !== 'true') await testRow.click();
  const historyRow = row('Import history');
  await historyRow.waitFor({ state: 'visible', timeout: 10_000 });
  if ((await historyRow.getAttribute('aria-expanded')) !== 'true') await historyRow.click();
  const summary = (c) => `${c.created} created, ${c.closed} closed, ${c.reactivated} reactivated, ${c.untouched} untouched`;
  const labels = await until('the import history rows', async () => {
    const all = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    return all.some((l) => l.startsWith(`Reimport #${second.id} at `)) ? all : undefined;
  });
  const importRow = labels.find((l) => l.startsWith(`Import #${first.id} at `));
  const reimportRow = labels.find((l) => l.startsWith(`Reimport #${second.id} at `));
  if (!importRow?.includes(summary(first.counts))) throw new Error(`import #${first.id} row: ${importRow}`);
  if (!reimportRow?.includes(summary(second.counts))) throw new Error(`reimport #${second.id} row: ${reimportRow}`);
  // The reimport expanded to its actions, as a user checking what the new release changed would.
  const reimport = row(`Reimport #${second.id} at `);
  if ((await reimport.getAttribute('aria-expanded')) !== 'true') await reimport.click();
  await until('the reimport to list its actions', async () => (await rows.allInnerTexts()).some((t) => /Untouched\s*\d+/.test(t)));
  await page.mouse.move(900, 950);
  await page.screenshot({ path: join(results, 'real-repo-tree.png') });
  return `"${importRow}"; "${reimportRow}"`;
}

/**
 * The settings panel on the real test: the preview replays bandit's last report, and a stricter
 * minimum severity, not saved, shows what it would change before the user commits to it.
 */
async function checkSettings(page, results, state) {
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await runCommand(page, 'Scan Ledger: Open Settings');
  const frame = await settingsFrame(page);
  const summary = frame.locator('#preview .summary');
  const before = await until('the preview of the real test', async () => {
    const t = (await summary.count()) ? await summary.innerText() : '';
    return t.includes(`reimporting ${state.report} into`) ? t : undefined;
  }, 30_000);
  const severity = frame.locator('#setting-minimumSeverity');
  await severity.selectOption('High');
  const changed = frame.locator('#preview tr.changed');
  await until('the preview to show what a High minimum would change', async () => (await changed.count()) > 0, 30_000);
  const rows = (await changed.allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  await frame.locator('#preview').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: join(results, 'real-repo-settings.png') });
  // Not saved: the picture shows a draft, and the workspace keeps its settings.
  await severity.selectOption('Info');
  return `"${before.slice(0, 120)}"; with minimum severity High: ${rows.join('; ')}`;
}

/**
 * The start-up question, answered as a user would, while the suite waits for it: it appears as a
 * notification once the extension has looked at the repository; it must count the reports
 * committed outside the tests (not the fixtures' samples, not the project's data file), and
 * "Only New Ones" is clicked — the stale reports stay out, what the user's scanner writes from
 * now on comes in. The picture is the README's.
 */
async function answerConsent(page, results, env) {
  const stale = env.SCAN_LEDGER_REAL_REPO_STALE.split(':');
  const question = (where) => page.locator(`${where} .notification-list-item`, { hasText: 'Scan Ledger found' }).first();
  // The question waits for the workbench, the extension host and the sweep of a cold session.
  // An information toast hides itself after a while (the question stays in the notification
  // centre), so when no toast shows, the user clicks the status bar item that says a question
  // waits, which opens the centre.
  const waiting = page.locator('.statusbar-item', { hasText: `Scan Ledger: ${stale.length} reports found` }).first();
  const toast = await until('the start-up question', async () => {
    if (await question('.notifications-toasts').isVisible()) return question('.notifications-toasts');
    if (await question('.notifications-center').isVisible()) return question('.notifications-center');
    if (!(await page.locator('.notifications-center').isVisible()) && (await waiting.isVisible())) await waiting.locator('a, .statusbar-item-label').first().click();
    return undefined;
  }, 180_000);
  if (!(await waiting.isVisible())) throw new Error('no status bar item says that a question waits');
  const text = (await toast.locator('.notification-list-item-message').innerText()).trim();
  const expected = `Scan Ledger found ${stale.length} scanner reports in node-gyp that no scanLedger.watch setting names.`;
  if (!text.startsWith(expected)) throw new Error(`the question should count the ${stale.length} reports outside the tests: "${text}"`);
  const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean);
  if (JSON.stringify(buttons) !== JSON.stringify(['All', 'Choose…', 'Only New Ones', 'Never'])) throw new Error(`the question's buttons: ${buttons.join(', ')}`);
  await page.mouse.move(5, 500);
  await page.screenshot({ path: join(results, 'real-repo-consent.png') });
  await toast.locator('.monaco-button', { hasText: 'Only New Ones' }).click();
  await toast.waitFor({ state: 'hidden', timeout: 10_000 });
  await waiting.waitFor({ state: 'hidden', timeout: 10_000 });
  return `"${text.slice(0, 90)}…" answered "Only New Ones"; buttons ${buttons.join(' / ')}; the status bar item that said a question waits is gone`;
}

/** The UI steps the real-repository suite waits for: the start-up question. */
export async function answerRealRepositoryQuestions({ page, results, env }) {
  return runChecks(page, results, [['real repository: the start-up question counts the stale reports only and is answered on its notification', () => answerConsent(page, results, env)]]);
}

export async function runRealRepositoryUiChecks({ page, results, env }) {
  let state;
  try {
    state = JSON.parse(readFileSync(env.SCAN_LEDGER_REAL_REPO_STATE, 'utf8'));
  } catch (error) {
    return runChecks(page, results, [['the real-repository suite left its state', () => Promise.reject(error)]]);
  }
  if (!state.triaged) return runChecks(page, results, [['the real-repository suite triaged a finding', () => Promise.reject(new Error(JSON.stringify(state)))]]);
  return runChecks(page, results, [
    ['real repository: after-line labels of the triaged finding at its new line and of open findings', () => checkDecorations(page, results, state)],
    ['real repository: the hover tells the false positive and its move', () => checkHover(page, results, state)],
    ['real repository: the tree shows both imports with their counts', () => checkTree(page, results, state)],
    ['real repository: the settings panel previews the real test’s last report with a changed setting', () => checkSettings(page, results, state)],
  ]);
}
