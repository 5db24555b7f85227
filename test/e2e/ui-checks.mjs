// UI checks through the workbench page, as a user sees it, after the integration suites have
// left the fixture workspace with two tests (the second one's findings duplicate the first's),
// a finding reopened by the latest import, and a history of several imports. Each check drives
// the page with the keyboard and mouse, reads what is rendered, and saves a screenshot under
// test-results/ (the README's pictures come from the real-repository session instead).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LINES = { eval: 6, fs: 11, regexp: 15, childProcess: 20 };

function log(message) {
  process.stdout.write(`[e2e] ui: ${message}\n`);
}

export async function until(what, probe, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

/** Runs a palette command by its label, as a user would with F1. */
export async function runCommand(page, label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${label}`);
  await until(`the palette to offer "${label}"`, async () => {
    const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
    return rows.some((r) => r.includes(label));
  });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file with Quick Open (Ctrl+P), as a user would. */
async function quickOpen(page, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  // Enter opens the focused row, so wait until the filtered list puts the file there: right after
  // typing, the list can still show the recently opened files, another one focused.
  await until(`Quick Open to focus ${name}`, async () => {
    const focused = page.locator('.quick-input-widget .monaco-list-row.focused');
    return (await focused.count()) > 0 && (await focused.first().innerText()).includes(name);
  });
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label*="${name}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * The after-line labels of the visible editor, by 1-based line number: decoration `after`
 * text is rendered as CSS `::after` content on spans inside `.view-line` (or as injected text).
 */
export async function afterLabels(page) {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor') ?? document.querySelector('.monaco-editor');
    if (!editor) return {};
    const numbers = new Map();
    for (const n of editor.querySelectorAll('.margin .line-numbers')) numbers.set(Math.round(n.parentElement.getBoundingClientRect().top), n.textContent.trim());
    const labels = {};
    for (const line of editor.querySelectorAll('.view-lines .view-line')) {
      const top = Math.round(line.getBoundingClientRect().top);
      const number = numbers.get(top);
      if (!number) continue;
      const texts = [];
      for (const span of line.querySelectorAll('span')) {
        const content = getComputedStyle(span, '::after').content;
        if (!content || content === 'none' || content === 'normal' || content === '""') continue;
        try {
          texts.push(JSON.parse(content));
        } catch {
          texts.push(content.slice(1, -1));
        }
      }
      // Newer editors may render the label as injected text instead of CSS content.
      if (texts.length === 0) {
        for (const span of line.querySelectorAll('span[class*="ced-"]')) if (span.children.length === 0 && span.textContent) texts.push(span.textContent);
      }
      if (texts.length > 0) labels[number] = texts.join(' ');
    }
    return labels;
  });
}

async function checkErrorNotification(page, results) {
  await runCommand(page, 'Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ state: 'visible', timeout: 10_000 });
  const message = center.locator('.notification-list-item', { hasText: 'could not import reports/eslint.sarif' }).first();
  await message.waitFor({ state: 'visible', timeout: 10_000 });
  const text = await message.innerText();
  if (!/The store was not changed/.test(text)) throw new Error(`the error should say the store was not changed: ${text}`);
  await page.screenshot({ path: join(results, 'malformed-report-error.png') });
  await runCommand(page, 'Notifications: Clear All Notifications');
  return `"${text.split('\n').find((l) => l.includes('could not import'))?.slice(0, 140)}"`;
}

async function checkDecorations(page, results) {
  await quickOpen(page, 'app.js');
  // The whole width for the editor, so the labels show in full in the screenshot.
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  const labels = await until('after-line labels on src/app.js', async () => {
    const l = await afterLabels(page);
    return l[LINES.eval] && l[LINES.fs] ? l : undefined;
  });
  const flagged = Object.keys(labels).map(Number).sort((a, b) => a - b);
  if (JSON.stringify(flagged) !== JSON.stringify([LINES.eval, LINES.fs, LINES.regexp, LINES.childProcess])) {
    throw new Error(`labels on lines ${flagged.join(', ')}, expected ${Object.values(LINES).join(', ')}: ${JSON.stringify(labels)}`);
  }
  if (!/^High: eval with argument of type MemberExpression/.test(labels[LINES.eval]) || !/#\d+ duplicate of #\d+/.test(labels[LINES.eval])) {
    throw new Error(`line ${LINES.eval} should show the eval finding and its duplicate: ${labels[LINES.eval]}`);
  }
  if (!/^Medium: Found readFileSync .* — reopened by import #\d+/.test(labels[LINES.fs])) {
    throw new Error(`line ${LINES.fs} should show the reactivated fs finding: ${labels[LINES.fs]}`);
  }
  await page.screenshot({ path: join(results, 'decorations.png') });
  return `line ${LINES.eval}: "${labels[LINES.eval]}"; line ${LINES.fs}: "${labels[LINES.fs]}"`;
}

async function checkHover(page, results) {
  const target = page.locator('.view-lines .view-line span', { hasText: 'readFileSync' }).last();
  await target.waitFor({ state: 'visible', timeout: 10_000 });
  const box = await target.boundingBox();
  await page.mouse.move(box.x + 5, box.y + box.height / 2);
  await page.mouse.move(box.x + 12, box.y + box.height / 2);
  const title = 'Found readFileSync from package "fs" with non literal argument at index 0';
  const hover = page.locator('.monaco-hover', { hasText: title });
  await hover.first().waitFor({ state: 'visible', timeout: 15_000 });
  const text = await hover.first().innerText();
  if (!/Reopened by import #\d+/.test(text)) throw new Error(`the hover should tell the reactivation: ${text.slice(0, 400)}`);
  await page.screenshot({ path: join(results, 'hover.png') });
  await page.mouse.move(5, 500);
  await page.keyboard.press('Escape');
  return `hover shows "${title}"`;
}

/** Drags the side bar's sash, so tree rows show their descriptions (the counts) unclipped. */
export async function widenSideBar(page, width) {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar || sidebar.width >= width) return;
  const edge = sidebar.x + sidebar.width;
  const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, height: r.height };
    }),
  );
  const sash = sashes.filter((s) => Math.abs(s.x - edge) < 8 && s.height > 100).sort((a, b) => Math.abs(a.x - edge) - Math.abs(b.x - edge))[0];
  if (!sash) throw new Error(`no sash at the side bar's edge (x=${edge})`);
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sash.x + 50, sash.y, { steps: 5 });
  await page.mouse.move(sidebar.x + width, sash.y, { steps: 10 });
  await page.mouse.up();
}

async function checkTree(page, results) {
  // The view container's badge (open findings) covers part of its icon; click the item itself.
  await page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="Scan Ledger"]') }).first().click();
  await widenSideBar(page, 720);
  const rows = page.locator('.pane-body .monaco-list-row');
  const row = (pattern) => page.locator(`.pane-body .monaco-list-row[aria-label*="${pattern}"]`).first();
  await row('reports/eslint.sarif').waitFor({ state: 'visible', timeout: 15_000 });
  const testRow = row('reports/eslint.sarif');
  if ((await testRow.getAttribute('aria-expanded')) !== 'true') await testRow.click();
  await row('Import history').first().waitFor({ state: 'visible', timeout: 10_000 });
  const historyRow = row('Import history');
  if ((await historyRow.getAttribute('aria-expanded')) !== 'true') await historyRow.click();
  const labels = await until('the import history rows', async () => {
    const all = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    return all.some((l) => /^Import #1 at /.test(l)) ? all : undefined;
  });
  const first = labels.find((l) => /^Import #1 at /.test(l));
  const second = labels.find((l) => /^Reimport #2 at /.test(l));
  const third = labels.find((l) => /^Reimport #3 at /.test(l));
  if (!first?.includes('3 created, 0 closed, 0 reactivated, 0 untouched')) throw new Error(`import #1 row: ${first}`);
  if (!second?.includes('1 created, 1 closed, 0 reactivated, 2 untouched')) throw new Error(`reimport #2 row: ${second}`);
  if (!third?.includes('0 created, 0 closed, 1 reactivated, 3 untouched')) throw new Error(`reimport #3 row: ${third}`);
  // The newest import that reopened a finding, expanded to its actions, as a user would.
  const reopening = page.locator('.pane-body .monaco-list-row[aria-label*="1 reactivated"]').first();
  if ((await reopening.getAttribute('aria-expanded')) !== 'true') await reopening.click();
  await until('the import to list its reactivated finding', async () => (await rows.allInnerTexts()).some((t) => /Reactivated\s*1/.test(t)));
  const visible = await page.locator('.pane-body .monaco-list-row', { hasText: '+1 −1 ↺0 =2' }).count();
  if (visible === 0) throw new Error('the counts are not shown in the rows’ text');
  if (!labels.some((l) => l.startsWith('CI'))) throw new Error(`the CI test is not listed: ${labels.join(' | ')}`);
  await page.screenshot({ path: join(results, 'tree-history.png') });
  return `${labels.filter((l) => /^(Import|Reimport) #/.test(l)).length} import rows with counts`;
}

/** The settings webview's inner frame: the one that has the panel's Save button. */
export async function settingsFrame(page) {
  return until('the settings webview', async () => {
    for (const frame of page.frames()) {
      try {
        if (await frame.locator('#save').count()) return frame;
      } catch {
        // A frame that navigated away meanwhile.
      }
    }
    return undefined;
  }, 20_000);
}

async function checkSettingsPanel(page, results, workspace) {
  const settingsFile = join(workspace, '.vscode', 'settings.json');
  // A non-default value written behind the editor's back, which the panel must show.
  const original = readFileSync(settingsFile, 'utf8');
  writeFileSync(settingsFile, original.replace(/\{/, '{\n  "scanLedger.reimport.doNotReactivate": true,'));
  // The panel gets the whole width, as it would in a user's editor area.
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await runCommand(page, 'Scan Ledger: Open Settings');
  const frame = await settingsFrame(page);
  const doNotReactivate = frame.locator('#setting-reimport-doNotReactivate');
  await until('the panel to show reimport.doNotReactivate checked', () => doNotReactivate.isChecked());
  const severity = frame.locator('#setting-minimumSeverity');
  const shown = await severity.inputValue();
  if (shown !== 'Info') throw new Error(`the panel shows minimum severity ${shown}, the setting is Info`);
  await severity.selectOption('Low');
  const save = frame.locator('#save');
  await until('the Save button to count the change', async () => /Save 1 change/.test(await save.innerText()));
  await until('the preview to be computed', async () => {
    const preview = await frame.locator('fieldset', { has: frame.locator('legend', { hasText: /^Preview$/ }) }).first().innerText();
    return !/Computing/.test(preview);
  }, 20_000);
  await severity.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: join(results, 'settings-panel.png') });
  await save.click();
  const written = await until('settings.json to hold the new minimum severity', () => {
    const text = readFileSync(settingsFile, 'utf8');
    return /"scanLedger\.minimumSeverity":\s*"Low"/.test(text) ? text : undefined;
  });
  if (!written.includes('"scanLedger.watch"')) throw new Error('saving lost the existing settings');
  await until('the panel to report the save', async () => /Saved/.test(await frame.locator('#status').innerText()));
  return 'shows doNotReactivate=true and minimumSeverity=Info; Low saved to .vscode/settings.json';
}

/**
 * Runs named checks one after the other, each a function returning a detail to log; a failed
 * check saves a screenshot of the page as it was and the next one still runs.
 */
export async function runChecks(page, results, checks) {
  let passed = 0;
  let failed = 0;
  await page.keyboard.press('Escape');
  for (const [name, check] of checks) {
    try {
      const detail = await check();
      passed++;
      log(`ok   ${name} (${detail})`);
    } catch (error) {
      failed++;
      log(`FAIL ${name}: ${error.message}`);
      await page.screenshot({ path: join(results, `failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}.png`) }).catch(() => undefined);
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  }
  return { passed, failed };
}

export async function runUiChecks({ page, workspace, results }) {
  return runChecks(page, results, [
    ['a malformed report shows an error notification', () => checkErrorNotification(page, results)],
    ['after-line labels of a duplicate and a reactivated finding on their lines', () => checkDecorations(page, results)],
    ['hover over a finding shows its title', () => checkHover(page, results)],
    ['Scan Ledger tree shows the tests and the import history with counts', () => checkTree(page, results)],
    ['settings panel shows the current values and saves a change to settings.json', () => checkSettingsPanel(page, results, workspace)],
  ]);
}
