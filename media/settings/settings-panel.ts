/**
 * The settings panel's webview script (bundled by esbuild to media/build/settings-panel.js).
 * It builds a plain HTML form from the host's state message: real inputs with labels, native
 * keyboard behaviour, no inline handlers. Every text that can come from a report or the store
 * (test titles, scan types, engagement names, file names) is set with `textContent`, never
 * parsed as HTML. Edits collect in a draft; the host previews the draft and saves it.
 */
import {
  FP_HISTORY_EXCLUSIVE_MESSAGE,
  RETROACTIVE_REQUIRES_MESSAGE,
  type ExcessDuplicatesSummary,
  type PanelEvent,
  type PanelRequest,
  type PanelScanType,
  type PanelSettingKey,
  type PanelSettings,
  type PanelState,
  type PreviewCounts,
  type PreviewResult,
  type SaveTarget,
} from '../../src/extension/settings-panel/protocol';
import { IMPROVEMENT_KEYS } from '../../src/model/settings';

interface PersistedState {
  /** The folder the draft belongs to. */
  folder: string | null;
  draft: Partial<PanelSettings>;
  engagements: [number, boolean][];
  target: SaveTarget;
}

interface VsCodeApi {
  postMessage(message: PanelRequest): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

let state: PanelState | null = null;
let draft: Partial<PanelSettings> = {};
let engagementDraft = new Map<number, boolean>();
let target: SaveTarget = 'workspaceFolder';
let draftFolder: string | null = null;
let previewRequest = 0;
let previewTimer: ReturnType<typeof setTimeout> | undefined;
let lastPreview: PreviewResult | null = null;
let lastExcess: ExcessDuplicatesSummary | null = null;
let renderQueued = false;
/** Whether "Other DefectDojo scan types" is expanded, kept across re-renders. */
let otherScanTypesOpen = false;

const restored = vscode.getState();
if (restored) {
  draftFolder = restored.folder;
  draft = restored.draft;
  engagementDraft = new Map(restored.engagements);
  target = restored.target;
}

/** What each setting is called here and in DefectDojo, and what it does. */
const DESCRIPTIONS: Record<PanelSettingKey, { label: string; defectdojo?: string; text: string }> = {
  defectdojoParity: {
    label: 'DefectDojo parity',
    text: 'Reproduce DefectDojo exactly, quirks included: every improvement below is off while this is on, whatever its own value.',
  },
  'dedupe.enabled': { label: 'Deduplicate after each import', defectdojo: 'enable_deduplication', text: 'Marks new findings that equal an earlier finding of the product (or engagement) as duplicates.' },
  'dedupe.algorithmPerScanType': { label: 'Algorithm', defectdojo: 'DEDUPLICATION_ALGORITHM_PER_PARSER', text: '' },
  'dedupe.hashFieldsPerScanType': { label: 'Hash fields', defectdojo: 'HASHCODE_FIELDS_PER_SCANNER', text: '' },
  'dedupe.hashAllowsNullCwePerScanType': { label: 'Hash without CWE', defectdojo: 'HASHCODE_ALLOWS_NULL_CWE', text: '' },
  'dedupe.hashFieldsAlways': { label: 'Fields always hashed', defectdojo: 'HASH_CODE_FIELDS_ALWAYS', text: 'Appended to every hash code when not empty. Separate names with commas.' },
  'dedupe.endpointFields': { label: 'Endpoint fields compared', defectdojo: 'DEDUPE_ALGO_ENDPOINT_FIELDS', text: 'URL parts that must agree for dynamic findings to be duplicates; none means endpoints always agree.' },
  'dedupe.deleteDuplicates': { label: 'Delete excess duplicates', defectdojo: 'delete_duplicates', text: 'Keeps only the newest duplicates of each original.' },
  'dedupe.maxDuplicates': { label: 'Duplicates kept per original', defectdojo: 'max_dupes', text: '0 deletes every duplicate.' },
  falsePositiveHistory: { label: 'False-positive history', defectdojo: 'false_positive_history', text: 'A new finding equal to a false positive of the product becomes a false positive.' },
  retroactiveFalsePositiveHistory: { label: 'Retroactive false-positive history', defectdojo: 'retroactive_false_positive_history', text: 'Marking a finding false positive also marks its equal, active findings.' },
  'import.closeOldFindings': { label: 'Import closes old findings', defectdojo: 'close_old_findings (import)', text: 'An import closes the findings of earlier tests of the same type that the report no longer has.' },
  'reimport.closeOldFindings': { label: 'Reimport closes old findings', defectdojo: 'close_old_findings (reimport)', text: 'A reimport mitigates the test’s findings that the report no longer has.' },
  'reimport.doNotReactivate': { label: 'Do not reactivate', defectdojo: 'do_not_reactivate', text: 'A reimport leaves mitigated findings closed when the report has them again, and adds a note.' },
  minimumSeverity: { label: 'Minimum severity', defectdojo: 'minimum_severity', text: 'Findings below this severity are skipped.' },
  'reimport.oneToOneMatching': { label: '1. One-to-one matching', text: 'Each incoming finding binds a distinct stored finding, so identical copies in one test are not closed on the next reimport.' },
  'reimport.ignoreUnreliableUniqueIds': { label: '2. Ignore unreliable unique ids', text: 'A unique id repeated within a report, empty or a known placeholder counts as no unique id.' },
  'reimport.syncVulnerabilityIdsBeforeHash': { label: '3. Sync vulnerability ids before hashing', text: 'CVE and vulnerability ids are synchronised before hashing on reimport too.' },
  'reimport.closeReportClosedOnce': { label: '4. Close report-closed findings once', text: 'A finding the report marks closed is closed once and keeps the report’s date.' },
  falsePositiveHistoryMitigates: { label: '5. False-positive history mitigates', text: 'False-positive history marks findings mitigated, so the status rules hold.' },
  'reimport.keepTestMetadata': { label: '6. Keep test metadata', text: 'A reimport without version, branch, build or commit keeps the stored values.' },
  'reimport.suppressedDoesNotReactivate': { label: '7. Suppressed results do not reopen', text: 'An incoming suppressed or false-positive result does not reopen a mitigated finding.' },
  'reimport.reconcileCwes': { label: '8. Reconcile extra CWEs', text: 'Extra CWEs are updated from the incoming finding.' },
  'reimport.refreshMatchedFields': { label: '9. Fields refreshed on matched findings', text: 'Separate names with commas; empty keeps DefectDojo’s behaviour (matched findings are frozen).' },
  'dedupe.rehashOnConfigChange': { label: '10. Rehash on configuration change', text: 'Stored hash codes are recomputed when the hash configuration changes, instead of closing and recreating findings.' },
};

// ---------------------------------------------------------------------------------------------
// Small DOM builders. They only ever set text through textContent.

type Child = Node | string | null | undefined | false;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function code(text: string): HTMLElement {
  const c = el('code');
  c.textContent = text;
  return c;
}

function idFor(key: string): string {
  return `setting-${key.replace(/[^A-Za-z0-9]/g, '-')}`;
}

function value<K extends PanelSettingKey>(key: K): PanelSettings[K] {
  if (!state) throw new Error('no state');
  return (Object.prototype.hasOwnProperty.call(draft, key) ? draft[key] : state.settings[key]) as PanelSettings[K];
}

function post(message: PanelRequest): void {
  vscode.postMessage(message);
}

function persist(): void {
  vscode.setState({ folder: state?.folder ?? draftFolder, draft, engagements: [...engagementDraft], target });
}

/** Records a change: kept in the draft only while it differs from the saved value. */
function setDraft<K extends PanelSettingKey>(key: K, next: PanelSettings[K]): void {
  if (!state) return;
  if (JSON.stringify(next) === JSON.stringify(state.settings[key])) delete draft[key];
  else draft[key] = next;
  persist();
  queueRender();
  schedulePreview();
}

/**
 * Re-renders after the current event has finished, so that a Tab which committed a text field
 * has already moved focus; `render` then puts focus back on the element the user reached.
 */
function queueRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    render();
  }, 0);
}

function schedulePreview(): void {
  if (previewTimer !== undefined) clearTimeout(previewTimer);
  previewTimer = setTimeout(() => {
    previewRequest++;
    post({
      type: 'preview',
      requestId: previewRequest,
      draft: { settings: draft, engagements: [...engagementDraft].map(([engagementId, deduplicationOnEngagement]) => ({ engagementId, deduplicationOnEngagement })) },
    });
  }, 350);
}

function describe(key: PanelSettingKey, extra?: Child): HTMLElement {
  const d = DESCRIPTIONS[key];
  const p = el('p', { class: 'description', id: `${idFor(key)}-description` });
  if (d.text) p.append(d.text, ' ');
  if (d.defectdojo) p.append('DefectDojo: ', code(d.defectdojo), '.');
  if (extra) p.append(' ', extra);
  if (state?.overridden.includes(key)) p.append(el('span', { class: 'badge' }, 'set in settings.json'));
  if (Object.prototype.hasOwnProperty.call(draft, key)) p.append(el('span', { class: 'badge modified' }, 'changed'));
  return p;
}

function checkbox(key: PanelSettingKey, options: { disabled?: boolean; note?: string } = {}): HTMLElement {
  const id = idFor(key);
  const input = el('input', { type: 'checkbox', id, 'aria-describedby': `${id}-description` });
  input.checked = value(key) === true;
  input.disabled = options.disabled === true;
  input.addEventListener('change', () => setDraft(key, input.checked as PanelSettings[typeof key]));
  const note = options.note ? el('span', { class: 'note', role: 'note' }, options.note) : null;
  return el('div', { class: 'field checkbox' }, input, el('label', { for: id }, DESCRIPTIONS[key].label), describe(key, note));
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function listInput(key: 'dedupe.hashFieldsAlways' | 'reimport.refreshMatchedFields', disabled = false): HTMLElement {
  const id = idFor(key);
  const input = el('input', { type: 'text', id, 'aria-describedby': `${id}-description`, spellcheck: 'false' });
  input.value = value(key).join(', ');
  input.disabled = disabled;
  input.addEventListener('change', () => setDraft(key, [...new Set(splitList(input.value))]));
  return el('div', { class: 'field' }, el('label', { for: id }, DESCRIPTIONS[key].label), input, describe(key));
}

function section(title: string, ...children: Child[]): HTMLElement {
  return el('fieldset', {}, el('legend', {}, title), ...children);
}

// ---------------------------------------------------------------------------------------------
// Sections.

function scopeSection(s: PanelState): HTMLElement {
  const parts: Child[] = [];
  if (s.folders.length > 1) {
    const folderSelect = el('select', { id: 'scope-folder' });
    for (const f of s.folders) {
      const option = el('option', { value: f.folder }, f.name);
      option.selected = f.folder === s.folder;
      folderSelect.append(option);
    }
    folderSelect.addEventListener('change', () => {
      draft = {};
      engagementDraft.clear();
      persist();
      post({ type: 'selectScope', folder: folderSelect.value, testId: null });
    });
    parts.push(el('div', { class: 'field' }, el('label', { for: 'scope-folder' }, 'Workspace folder'), folderSelect));
    const targetSelect = el('select', { id: 'scope-target', 'aria-describedby': 'scope-target-description' });
    for (const [v, label] of [['workspaceFolder', `Folder settings (${s.folderName}/.vscode/settings.json)`], ['workspace', 'Workspace file (all folders)']] as const) {
      const option = el('option', { value: v }, label);
      option.selected = v === target;
      targetSelect.append(option);
    }
    targetSelect.addEventListener('change', () => {
      target = targetSelect.value === 'workspace' ? 'workspace' : 'workspaceFolder';
      persist();
    });
    parts.push(
      el('div', { class: 'field' }, el('label', { for: 'scope-target' }, 'Save to'), targetSelect,
        el('p', { class: 'description', id: 'scope-target-description' }, 'Folder settings win over the workspace file for this folder.')),
    );
  }
  const testSelect = el('select', { id: 'scope-test', 'aria-describedby': 'scope-test-description' });
  if (s.tests.length === 0) testSelect.append(el('option', { value: '' }, 'No test yet'));
  for (const t of s.tests) {
    const option = el('option', { value: String(t.id) }, `${t.label} (${t.engagementName}, #${t.id})`);
    option.selected = t.id === s.testId;
    testSelect.append(option);
  }
  testSelect.disabled = s.tests.length === 0;
  testSelect.addEventListener('change', () => {
    const id = Number(testSelect.value);
    post({ type: 'selectScope', folder: s.folder, testId: Number.isInteger(id) && id > 0 ? id : null });
  });
  parts.push(
    el('div', { class: 'field' }, el('label', { for: 'scope-test' }, 'Preview with test'), testSelect,
      el('p', { class: 'description', id: 'scope-test-description' }, 'The preview replays this test’s last report with the settings below.')),
  );
  return section('Scope', ...parts);
}

function countsRow(label: string, pick: (c: PreviewCounts) => number, current: PreviewCounts, next: PreviewCounts): HTMLElement {
  const a = pick(current);
  const b = pick(next);
  const changed = a !== b;
  return el('tr', changed ? { class: 'changed' } : {}, el('th', { scope: 'row' }, label), el('td', {}, String(a)), el('td', {}, changed ? `${b} (${b > a ? '+' : ''}${b - a})` : String(b)));
}

function previewSection(): HTMLElement {
  const region = el('div', { id: 'preview', 'aria-live': 'polite' });
  fillPreview(region);
  return section('Preview', region);
}

/** Fills the preview region alone, so a preview arriving while the user types does not rebuild the form. */
function fillPreview(region: HTMLElement): void {
  region.replaceChildren();
  const result = lastPreview;
  if (!result) {
    region.append(el('p', { class: 'description' }, 'Computing…'));
  } else if (result.status === 'unavailable') {
    region.append(el('p', { class: 'description' }, result.reason));
  } else {
    const d = result.draft;
    region.append(
      el('p', { class: 'summary' },
        'With these settings, reimporting ', code(result.reportName), ' into ', el('strong', {}, result.testLabel),
        ` (last import #${result.importId}) would match ${d.matched}, create ${d.created}, close ${d.closed} and reactivate ${d.reactivated}` +
          (d.duplicates > 0 ? `, marking ${d.duplicates} as duplicates.` : '.')),
      el('table', { class: 'preview' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Findings'), el('th', { scope: 'col' }, 'Saved settings'), el('th', { scope: 'col' }, 'With your changes'))),
        el('tbody', {},
          countsRow('Matched', (c) => c.matched, result.current, d),
          countsRow('Created', (c) => c.created, result.current, d),
          countsRow('Closed', (c) => c.closed, result.current, d),
          countsRow('Reactivated', (c) => c.reactivated, result.current, d),
          countsRow('Untouched', (c) => c.untouched, result.current, d),
          countsRow('New duplicates', (c) => c.duplicates, result.current, d))),
    );
  }
}

function maxDuplicatesField(): HTMLElement {
  const key = 'dedupe.maxDuplicates';
  const id = idFor(key);
  const current = value(key);
  const number = el('input', { type: 'number', id, min: '0', step: '1', inputmode: 'numeric', 'aria-describedby': `${id}-description ${id}-error` });
  number.value = current === null ? '' : String(current);
  number.disabled = current === null;
  const error = el('p', { class: 'error', id: `${id}-error`, role: 'alert' });
  number.addEventListener('change', () => {
    const n = Number(number.value);
    if (number.value.trim() === '' || !Number.isInteger(n) || n < 0) {
      number.setAttribute('aria-invalid', 'true');
      error.textContent = 'Enter a whole number of at least 0.';
      return;
    }
    setDraft(key, n);
  });
  const unlimited = el('input', { type: 'checkbox', id: `${id}-unlimited` });
  unlimited.checked = current === null;
  unlimited.addEventListener('change', () => setDraft(key, unlimited.checked ? null : (state?.defaults[key] ?? 10)));
  return el('div', { class: 'field' },
    el('label', { for: id }, DESCRIPTIONS[key].label), number,
    el('span', { class: 'inline' }, unlimited, el('label', { for: `${id}-unlimited` }, 'No limit (never delete)')),
    error, describe(key));
}

function endpointFieldsField(s: PanelState): HTMLElement {
  const key = 'dedupe.endpointFields';
  const chosen = new Set(value(key));
  const group = el('div', { class: 'options', role: 'group', 'aria-labelledby': `${idFor(key)}-label`, 'aria-describedby': `${idFor(key)}-description` });
  for (const name of s.endpointFieldNames) {
    const id = `${idFor(key)}-${name}`;
    const input = el('input', { type: 'checkbox', id });
    input.checked = chosen.has(name);
    input.addEventListener('change', () => {
      const next = s.endpointFieldNames.filter((n) => (n === name ? input.checked : chosen.has(n)));
      setDraft(key, next);
    });
    group.append(el('span', { class: 'inline' }, input, el('label', { for: id }, name)));
  }
  return el('div', { class: 'field' }, el('span', { class: 'label', id: `${idFor(key)}-label` }, DESCRIPTIONS[key].label), group, describe(key));
}

/** Fills the "what would be deleted now" line under the duplicate limit; test titles are text nodes. */
function fillExcessDuplicates(region: HTMLElement): void {
  region.replaceChildren();
  const e = lastExcess;
  if (!e) return;
  if (e.duplicateTests.length > 0) {
    region.append(el('ul', { class: 'duplicate-tests' }, ...e.duplicateTests.map((d) => el('li', {}, el('strong', {}, `Test #${d.testId}: `), d.message))));
  }
  if (e.maxDuplicates === null) {
    region.append(el('p', { class: 'description' }, 'Without a limit no duplicate is ever deleted.'));
    return;
  }
  if (e.total === 0) {
    region.append(el('p', { class: 'description' }, `No original has more than ${e.maxDuplicates} duplicates: nothing would be deleted now.`));
    return;
  }
  const when = e.deleteDuplicates ? 'on the next run' : 'on the first run once deleting is turned on';
  region.append(
    el('p', { class: 'summary' },
      `${e.total} duplicate${e.total === 1 ? '' : 's'} beyond ${e.maxDuplicates} per original; ${e.nextRun} would be deleted ${when}` +
        (e.total > e.nextRun ? ` (at most ${e.perRunLimit} per run, the rest on later runs).` : '.')),
    el('ul', { class: 'excess-tests' },
      ...e.tests.map((t) => el('li', {}, `${t.count} in `, el('strong', {}, t.title), ` (test #${t.testId})`)),
      e.moreTests > 0 ? el('li', {}, `and ${e.moreTests} more test${e.moreTests === 1 ? '' : 's'}`) : null),
  );
}

function excessDuplicatesRegion(): HTMLElement {
  const region = el('div', { id: 'excess-duplicates', class: 'field', 'aria-live': 'polite' });
  fillExcessDuplicates(region);
  return region;
}

function dedupeSection(s: PanelState): HTMLElement {
  return section('Deduplication',
    checkbox('dedupe.enabled'),
    listInput('dedupe.hashFieldsAlways'),
    endpointFieldsField(s),
    checkbox('dedupe.deleteDuplicates'),
    maxDuplicatesField(),
    excessDuplicatesRegion());
}

function engagementSection(s: PanelState): HTMLElement {
  if (s.engagements.length === 0) return section('Deduplication scope', el('p', { class: 'description' }, 'Engagements appear here after the first import.'));
  const fields = s.engagements.map((e) => {
    const id = `engagement-${e.id}`;
    const input = el('input', { type: 'checkbox', id, 'aria-describedby': 'engagement-description' });
    input.checked = engagementDraft.get(e.id) ?? e.deduplicationOnEngagement;
    input.addEventListener('change', () => {
      if (input.checked === e.deduplicationOnEngagement) engagementDraft.delete(e.id);
      else engagementDraft.set(e.id, input.checked);
      persist();
      queueRender();
      schedulePreview();
    });
    const label = el('label', { for: id }, `${e.name}`, el('span', { class: 'muted' }, ` (${e.productName})`));
    return el('div', { class: 'field checkbox' }, input, label, engagementDraft.has(e.id) ? el('span', { class: 'badge modified' }, 'changed') : null);
  });
  return section('Deduplication scope',
    el('p', { class: 'description', id: 'engagement-description' },
      'Checked engagements deduplicate only within themselves; others deduplicate across the whole product. DefectDojo: ', code('deduplication_on_engagement'),
      '. Stored with the engagement in the store, not in settings.json.'),
    ...fields);
}

function defaultAlgorithm(row: PanelScanType): string {
  return row.defaults.algorithm ?? 'legacy';
}

function defaultFields(row: PanelScanType): string {
  return row.defaults.hashFields && row.defaults.hashFields.length > 0 ? row.defaults.hashFields.join(', ') : 'legacy hash';
}

function scanTypeRow(s: PanelState, row: PanelScanType, index: number, headers: string): HTMLElement {
  const algorithms = value('dedupe.algorithmPerScanType');
  const fields = value('dedupe.hashFieldsPerScanType');
  const nullCwe = value('dedupe.hashAllowsNullCwePerScanType');
  const base = `scan-type-${index}`;
  const nameCell = el('th', { scope: 'row', id: `${base}-name` }, row.name);

  const algorithm = el('select', { id: `${base}-algorithm`, 'aria-labelledby': `${base}-name ${headers}-algorithm` });
  algorithm.append(el('option', { value: '' }, `Default (${defaultAlgorithm(row)})`));
  for (const a of s.algorithms) {
    const option = el('option', { value: a }, a);
    option.selected = algorithms[row.name] === a;
    algorithm.append(option);
  }
  algorithm.addEventListener('change', () => {
    const next = { ...algorithms };
    if (algorithm.value === '') delete next[row.name];
    else next[row.name] = algorithm.value as PanelSettings['dedupe.algorithmPerScanType'][string];
    setDraft('dedupe.algorithmPerScanType', next);
  });

  const hash = el('input', { type: 'text', id: `${base}-fields`, 'aria-labelledby': `${base}-name ${headers}-fields`, placeholder: defaultFields(row), spellcheck: 'false' });
  hash.value = fields[row.name]?.join(', ') ?? '';
  const unknown = (fields[row.name] ?? []).filter((f) => !s.hashFieldNames.includes(f));
  if (unknown.length > 0) hash.setAttribute('aria-invalid', 'true');
  hash.addEventListener('change', () => {
    const next = { ...fields };
    const list = [...new Set(splitList(hash.value))];
    if (list.length === 0) delete next[row.name];
    else next[row.name] = list;
    setDraft('dedupe.hashFieldsPerScanType', next);
  });
  const fieldsCell = el('td', {}, hash);
  if (unknown.length > 0) fieldsCell.append(el('p', { class: 'error' }, `Not a hash field: ${unknown.join(', ')} (DefectDojo then uses the legacy hash).`));

  const cwe = el('select', { id: `${base}-cwe`, 'aria-labelledby': `${base}-name ${headers}-cwe` });
  const defaultCwe = row.defaults.allowsNullCwe ?? true;
  for (const [v, label] of [['', `Default (${defaultCwe ? 'allowed' : 'not allowed'})`], ['true', 'Allowed'], ['false', 'Not allowed']] as const) {
    const option = el('option', { value: v }, label);
    option.selected = v === '' ? nullCwe[row.name] === undefined : String(nullCwe[row.name]) === v;
    cwe.append(option);
  }
  cwe.addEventListener('change', () => {
    const next = { ...nullCwe };
    if (cwe.value === '') delete next[row.name];
    else next[row.name] = cwe.value === 'true';
    setDraft('dedupe.hashAllowsNullCwePerScanType', next);
  });

  const overridden = algorithms[row.name] !== undefined || fields[row.name] !== undefined || nullCwe[row.name] !== undefined;
  return el('tr', overridden ? { class: 'overridden' } : {}, nameCell, el('td', {}, algorithm), fieldsCell, el('td', {}, cwe));
}

function scanTypeTable(s: PanelState, rows: PanelScanType[], offset: number): HTMLElement {
  // Each table names its own column headers, so every control's accessible name is "<scan type> <column>".
  const headers = `scan-types-${offset}`;
  return el('table', { class: 'scan-types' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, 'Scan type'),
      el('th', { scope: 'col', id: `${headers}-algorithm` }, 'Algorithm'),
      el('th', { scope: 'col', id: `${headers}-fields` }, 'Hash fields'),
      el('th', { scope: 'col', id: `${headers}-cwe` }, 'Hash without CWE'))),
    el('tbody', {}, ...rows.map((row, i) => scanTypeRow(s, row, offset + i, headers))));
}

function scanTypeSection(s: PanelState): HTMLElement {
  const overrides = new Set([
    ...Object.keys(value('dedupe.algorithmPerScanType')),
    ...Object.keys(value('dedupe.hashFieldsPerScanType')),
    ...Object.keys(value('dedupe.hashAllowsNullCwePerScanType')),
  ]);
  const known = new Set(s.scanTypes.map((r) => r.name));
  const custom: PanelScanType[] = [...overrides].filter((n) => !known.has(n)).map((name) => ({ name, defaults: {}, inUse: false }));
  const primary = [...s.scanTypes.filter((r) => r.inUse || overrides.has(r.name)), ...custom];
  const rest = s.scanTypes.filter((r) => !r.inUse && !overrides.has(r.name));

  const intro = el('p', { class: 'description' },
    'Overrides merged key by key over DefectDojo’s tables (', code('DEDUPLICATION_ALGORITHM_PER_PARSER'), ', ', code('HASHCODE_FIELDS_PER_SCANNER'), ', ',
    code('HASHCODE_ALLOWS_NULL_CWE'), '). A Test_Type name (e.g. “CodeQL Scan (SARIF)”) wins over its scan type. Hash fields: ',
    code(s.hashFieldNames.join(', ')), '.');
  const add = el('input', { type: 'text', id: 'add-scan-type', spellcheck: 'false' });
  const addButton = el('button', { type: 'button', class: 'secondary', id: 'add-scan-type-button' }, 'Add');
  addButton.addEventListener('click', () => {
    const name = add.value.trim();
    if (!name || overrides.has(name)) return;
    const row = s.scanTypes.find((r) => r.name === name);
    setDraft('dedupe.algorithmPerScanType', { ...value('dedupe.algorithmPerScanType'), [name]: row?.defaults.algorithm ?? 'legacy' });
  });
  const more = el('details', {}, el('summary', { id: 'other-scan-types' }, `Other DefectDojo scan types (${rest.length})`), scanTypeTable(s, rest, primary.length));
  more.open = otherScanTypesOpen;
  more.addEventListener('toggle', () => {
    otherScanTypesOpen = more.open;
  });
  return section('Matching per scan type',
    intro,
    primary.length > 0 ? scanTypeTable(s, primary, 0) : el('p', { class: 'description' }, 'No test yet; the scan types of imported reports appear first here.'),
    more,
    el('div', { class: 'field inline-add' }, el('label', { for: 'add-scan-type' }, 'Override another scan or test type'), add, addButton));
}

function falsePositiveSection(): HTMLElement {
  const dedupeOn = value('dedupe.enabled');
  const fpOn = value('falsePositiveHistory');
  return section('False-positive history',
    checkbox('falsePositiveHistory', { disabled: dedupeOn && !fpOn, note: dedupeOn ? FP_HISTORY_EXCLUSIVE_MESSAGE : undefined }),
    checkbox('retroactiveFalsePositiveHistory', { disabled: !fpOn && !value('retroactiveFalsePositiveHistory'), note: !fpOn ? RETROACTIVE_REQUIRES_MESSAGE : undefined }));
}

function reimportSection(s: PanelState): HTMLElement {
  const key = 'minimumSeverity';
  const id = idFor(key);
  const select = el('select', { id, 'aria-describedby': `${id}-description` });
  for (const severity of s.severities) {
    const option = el('option', { value: severity }, severity);
    option.selected = severity === value(key);
    select.append(option);
  }
  select.addEventListener('change', () => setDraft(key, select.value as PanelSettings['minimumSeverity']));
  return section('Import and reimport defaults',
    checkbox('import.closeOldFindings'),
    checkbox('reimport.closeOldFindings'),
    checkbox('reimport.doNotReactivate'),
    el('div', { class: 'field' }, el('label', { for: id }, DESCRIPTIONS[key].label), select, describe(key)));
}

function improvementsSection(): HTMLElement {
  const parity = value('defectdojoParity');
  const note = parity ? 'Ignored while DefectDojo parity is on.' : undefined;
  return section('Improvements over DefectDojo',
    checkbox('defectdojoParity'),
    ...IMPROVEMENT_KEYS.map((key) =>
      key === 'reimport.refreshMatchedFields' ? listInput(key, parity) : checkbox(key, { disabled: parity, note })));
}

function footer(s: PanelState): HTMLElement {
  const changes = Object.keys(draft).length + engagementDraft.size;
  const save = el('button', { type: 'button', id: 'save' }, changes > 0 ? `Save ${changes} change${changes === 1 ? '' : 's'}` : 'Saved');
  save.disabled = changes === 0;
  save.addEventListener('click', () => {
    post({
      type: 'save',
      target,
      draft: { settings: draft, engagements: [...engagementDraft].map(([engagementId, deduplicationOnEngagement]) => ({ engagementId, deduplicationOnEngagement })) },
    });
  });
  const revert = el('button', { type: 'button', class: 'secondary', id: 'revert' }, 'Discard changes');
  revert.disabled = changes === 0;
  revert.addEventListener('click', () => {
    draft = {};
    engagementDraft.clear();
    persist();
    queueRender();
    schedulePreview();
  });
  const open = el('button', { type: 'button', class: 'secondary', id: 'open-json' }, 'Open settings.json');
  open.addEventListener('click', () => post({ type: 'openSettingsJson' }));
  const trust = s.trusted ? null : el('p', { class: 'note' }, 'This workspace is not trusted: reports are not imported automatically and the preview is off.');
  return el('div', { class: 'footer' }, el('div', { class: 'buttons' }, save, revert, open), el('p', { id: 'status', role: 'status' }), trust);
}

// ---------------------------------------------------------------------------------------------

function render(): void {
  const s = state;
  const app = document.getElementById('app');
  if (!s || !app) return;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  // Text being typed (not yet committed by a change event) survives a state update from the host.
  const typing =
    document.activeElement instanceof HTMLInputElement && (document.activeElement.type === 'text' || document.activeElement.type === 'number')
      ? { value: document.activeElement.value, start: document.activeElement.selectionStart, end: document.activeElement.selectionEnd }
      : null;
  const status = document.getElementById('status')?.textContent ?? '';
  const heading = el('h1', {}, 'Scan Ledger settings', el('span', { class: 'muted' }, ` · ${s.folderName}`));
  app.replaceChildren(
    heading,
    el('p', { class: 'description' }, 'These are the ', code('scanLedger.*'), ' settings of settings.json; the CLI reads the same keys.'),
    scopeSection(s),
    previewSection(),
    dedupeSection(s),
    engagementSection(s),
    scanTypeSection(s),
    falsePositiveSection(),
    reimportSection(s),
    improvementsSection(),
    footer(s),
  );
  app.setAttribute('aria-busy', 'false');
  const statusLine = document.getElementById('status');
  if (statusLine) statusLine.textContent = status;
  const refocused = focused ? document.getElementById(focused) : null;
  refocused?.focus();
  if (typing && refocused instanceof HTMLInputElement && refocused.value !== typing.value) {
    refocused.value = typing.value;
    if (refocused.type === 'text' && typing.start !== null && typing.end !== null) refocused.setSelectionRange(typing.start, typing.end);
  }
}

function showStatus(text: string, isError = false): void {
  const line = document.getElementById('status');
  if (!line) return;
  line.textContent = text;
  line.className = isError ? 'error' : '';
}

window.addEventListener('message', (event: MessageEvent<PanelEvent>) => {
  const message = event.data;
  switch (message.type) {
    case 'state': {
      // A draft restored from an earlier panel, or kept from another folder, does not carry over.
      const folderChanged = (state ?? { folder: draftFolder }).folder !== message.state.folder;
      state = message.state;
      if (folderChanged) {
        draft = {};
        engagementDraft.clear();
      }
      // Drop draft entries that now equal the saved value (saved elsewhere, or just now).
      for (const key of Object.keys(draft) as PanelSettingKey[]) {
        if (JSON.stringify(draft[key]) === JSON.stringify(state.settings[key])) delete draft[key];
      }
      for (const [id, v] of engagementDraft) {
        const e = state.engagements.find((x) => x.id === id);
        if (!e || e.deduplicationOnEngagement === v) engagementDraft.delete(id);
      }
      persist();
      render();
      schedulePreview();
      return;
    }
    case 'preview':
      if (message.requestId !== previewRequest) return;
      lastPreview = message.result;
      {
        const region = document.getElementById('preview');
        if (region) fillPreview(region);
      }
      return;
    case 'excessDuplicates':
      if (message.requestId !== previewRequest) return;
      lastExcess = message.result;
      {
        const region = document.getElementById('excess-duplicates');
        if (region) fillExcessDuplicates(region);
      }
      return;
    case 'saved':
      showStatus(`Saved ${message.keys.length} setting${message.keys.length === 1 ? '' : 's'}${message.engagements > 0 ? ` and ${message.engagements} engagement scope${message.engagements === 1 ? '' : 's'}` : ''}.`);
      return;
    case 'error':
      showStatus(message.message, true);
      return;
  }
});

post({ type: 'ready' });
