// UI checks of the real-repository session, after its suite (test/integration/suite/
// 10-real-repository.test.ts) has imported bandit's report of GYP's sources, marked a finding
// false positive, and reimported the next release's report. The suite leaves what it triaged in
// the state file the runner names; the checks look at that finding as a user would and save the
// README's screenshots: the labels on the lines of a real file, the hover that tells the move,
// and the tree with both imports' counts.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterLabels, runChecks, runCommand, until, widenSideBar } from './ui-checks.mjs';

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
  ]);
}
