import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  applyDraft,
  changedKeys,
  draftConflicts,
  parsePanelRequest,
  validateDraft,
  validatePanelSetting,
} from '../../src/extension/settings-panel/messages';
import { PANEL_SETTING_KEYS, type SettingsDraft } from '../../src/extension/settings-panel/protocol';
import { VIEW_COMMANDS } from '../../src/extension/tree/view-commands';
import { lastImportOf, previewReimport, previewTestLabel } from '../../src/extension/settings-panel/preview';
import { importScan, Ledger } from '../../src/engine';
import { defaultSettings, emptyStoreData, type ParsedReport, type Settings } from '../../src/model';

const emptyDraft: SettingsDraft = { settings: {}, engagements: [] };

function draftOf(settings: Partial<Settings>): SettingsDraft {
  return { settings, engagements: [] };
}

function refused(message: unknown): string {
  const result = parsePanelRequest(message);
  assert.equal(result.ok, false, `expected ${JSON.stringify(message)} to be refused`);
  return result.ok ? '' : result.error;
}

describe('settings panel messages: accepted shapes', () => {
  it('accepts the five request types with exactly their keys', () => {
    assert.deepEqual(parsePanelRequest({ type: 'ready' }), { ok: true, value: { type: 'ready' } });
    assert.deepEqual(parsePanelRequest({ type: 'openSettingsJson' }), { ok: true, value: { type: 'openSettingsJson' } });
    assert.deepEqual(parsePanelRequest({ type: 'selectScope', folder: 'file:///w/app', testId: 3 }), {
      ok: true,
      value: { type: 'selectScope', folder: 'file:///w/app', testId: 3 },
    });
    assert.deepEqual(parsePanelRequest({ type: 'selectScope', folder: 'file:///w/app', testId: null }).ok, true);
    const preview = parsePanelRequest({ type: 'preview', requestId: 7, draft: { settings: { 'dedupe.enabled': false }, engagements: [] } });
    assert.deepEqual(preview, { ok: true, value: { type: 'preview', requestId: 7, draft: { settings: { 'dedupe.enabled': false }, engagements: [] } } });
    const save = parsePanelRequest({
      type: 'save',
      target: 'workspaceFolder',
      draft: { settings: {}, engagements: [{ engagementId: 2, deduplicationOnEngagement: true }] },
    });
    assert.equal(save.ok, true);
  });

  it('normalises setting values as settings.json reading does (severity casing)', () => {
    const result = validateDraft({ settings: { minimumSeverity: 'high' }, engagements: [] });
    assert.deepEqual(result, { ok: true, value: { settings: { minimumSeverity: 'High' }, engagements: [] } });
  });

  it('accepts every per-scan-type table and list the panel edits', () => {
    const result = validateDraft({
      settings: {
        'dedupe.algorithmPerScanType': { 'Trivy Scan': 'unique_id_from_tool', SARIF: 'fingerprint' },
        'dedupe.hashFieldsPerScanType': { 'Bandit Scan': ['filePath', 'line'] },
        'dedupe.hashAllowsNullCwePerScanType': { 'ZAP Scan': true },
        'dedupe.hashFieldsAlways': ['service'],
        'dedupe.endpointFields': ['host', 'path', 'port'],
        'dedupe.maxDuplicates': null,
        'reimport.refreshMatchedFields': [],
      },
      engagements: [],
    });
    assert.equal(result.ok, true, result.ok ? '' : result.error);
  });

  it('edits every dedupe and reimport setting and nothing that moves the store or the watcher', () => {
    const all = Object.keys(defaultSettings());
    assert.deepEqual(
      all.filter((k) => !(PANEL_SETTING_KEYS as readonly string[]).includes(k)),
      // The SLA settings (DefectDojo's SLA configuration) are neither dedupe nor reimport
      // options; they are edited in settings.json until the panel gains an SLA section. The
      // DefectDojo server settings are set by "Connect to DefectDojo…" (issue 14). The
      // duplicate-health threshold only changes which warnings the tree shows (issue 17).
      [
        'duplicates.warnThreshold',
        'sla.enabled',
        'sla.days',
        'sla.restartOnReactivation',
        'maxReportSizeMb',
        'watch',
        'watchExclude',
        'storePath',
        'defectdojo.url',
        'defectdojo.product',
        'defectdojo.engagement',
        'defectdojo.productType',
        'defectdojo.pushOnWatchedReimport',
      ],
    );
  });
});

describe('settings panel messages: hostile input is refused', () => {
  it('refuses non-objects, arrays, null and objects with a foreign prototype', () => {
    for (const m of [null, undefined, 42, 'ready', ['ready'], new Date(), Object.create({ type: 'ready' })]) refused(m);
  });

  it('refuses unknown and missing types', () => {
    assert.match(refused({ type: 'runCommand', command: 'workbench.action.terminal.new' }), /unknown message type "runCommand"/);
    assert.match(refused({}), /unknown message type "undefined"/);
    assert.match(refused({ type: 42 }), /unknown message type "number"/);
  });

  it('refuses extra and missing keys', () => {
    assert.match(refused({ type: 'ready', command: 'x' }), /unexpected key "command"/);
    assert.match(refused({ type: 'selectScope', folder: 'file:///w' }), /missing "testId"/);
    assert.match(refused({ type: 'save', draft: emptyDraft }), /missing "target"/);
    assert.match(refused({ type: 'preview', requestId: 1, draft: { settings: {}, engagements: [], extra: 1 } }), /unexpected key "extra"/);
  });

  it('refuses wrong value types for ids, folders and targets', () => {
    assert.match(refused({ type: 'selectScope', folder: 'file:///w', testId: '3' }), /testId/);
    assert.match(refused({ type: 'selectScope', folder: 'file:///w', testId: 1.5 }), /testId/);
    assert.match(refused({ type: 'selectScope', folder: 'file:///w', testId: -1 }), /testId/);
    assert.match(refused({ type: 'selectScope', folder: '', testId: null }), /folder/);
    assert.match(refused({ type: 'selectScope', folder: { scheme: 'file' }, testId: null }), /folder/);
    assert.match(refused({ type: 'preview', requestId: Number.NaN, draft: emptyDraft }), /requestId/);
    assert.match(refused({ type: 'save', draft: emptyDraft, target: 'user' }), /target/);
  });

  it('refuses settings the panel does not edit: storePath, watch and unknown keys', () => {
    assert.match(refused({ type: 'save', target: 'workspace', draft: { settings: { storePath: '/etc/passwd' }, engagements: [] } }), /does not edit the setting "storePath"/);
    assert.match(refused({ type: 'save', target: 'workspace', draft: { settings: { watch: [{ glob: '**' }] }, engagements: [] } }), /watch/);
    assert.match(refused({ type: 'save', target: 'workspace', draft: { settings: { 'editor.fontSize': 40 }, engagements: [] } }), /editor\.fontSize/);
  });

  it('refuses values of the wrong type for a key', () => {
    assert.equal(validateDraft({ settings: { 'dedupe.enabled': 'true' }, engagements: [] }).ok, false);
    const cases: [string, unknown][] = [
      ['dedupe.enabled', 1],
      ['dedupe.maxDuplicates', -1],
      ['dedupe.maxDuplicates', 2.5],
      ['dedupe.maxDuplicates', Number.POSITIVE_INFINITY],
      ['minimumSeverity', 'Severe'],
      ['dedupe.algorithmPerScanType', { 'Trivy Scan': 'md5' }],
      ['dedupe.algorithmPerScanType', ['hash_code']],
      ['dedupe.hashFieldsPerScanType', { 'Bandit Scan': 'filePath' }],
      ['dedupe.hashAllowsNullCwePerScanType', { 'ZAP Scan': 'yes' }],
      ['dedupe.endpointFields', ['host', 'password']],
      ['dedupe.hashFieldsAlways', ['service', 'service']],
      ['reimport.refreshMatchedFields', [42]],
    ];
    for (const [key, value] of cases) {
      const result = validatePanelSetting(key, value);
      assert.equal(result.ok, false, `${key} = ${String(value)} should be refused`);
    }
  });

  it('refuses prototype-polluting table keys', () => {
    const hostile = JSON.parse('{"__proto__": "hash_code"}') as unknown;
    const result = validatePanelSetting('dedupe.algorithmPerScanType', hostile);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error, /reserved name "__proto__"/);
    assert.equal(validatePanelSetting('dedupe.hashAllowsNullCwePerScanType', { constructor: true }).ok, false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses oversized tables, lists and strings', () => {
    const bigTable = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`Scan ${i}`, 'hash_code']));
    const table = validatePanelSetting('dedupe.algorithmPerScanType', bigTable);
    assert.match(table.ok ? '' : table.error, /more than 500 entries/);
    const longList = Array.from({ length: 101 }, (_, i) => `f${i}`);
    assert.equal(validatePanelSetting('reimport.refreshMatchedFields', longList).ok, false);
    assert.equal(validatePanelSetting('dedupe.hashFieldsAlways', ['x'.repeat(300)]).ok, false);
  });

  it('refuses malformed engagement changes', () => {
    const bad: unknown[] = [
      [{ engagementId: 0, deduplicationOnEngagement: true }],
      [{ engagementId: '2', deduplicationOnEngagement: true }],
      [{ engagementId: 2, deduplicationOnEngagement: 'yes' }],
      [{ engagementId: 2, deduplicationOnEngagement: true, name: 'x' }],
      [{ engagementId: 2, deduplicationOnEngagement: true }, { engagementId: 2, deduplicationOnEngagement: false }],
      { 2: true },
    ];
    for (const engagements of bad) assert.equal(validateDraft({ settings: {}, engagements }).ok, false, JSON.stringify(engagements));
  });
});

describe('settings panel: DefectDojo rules between settings', () => {
  const defaults = defaultSettings();

  it('§1.7 false_positive_history "only runs when dedupe is off; the settings UI refuses to save both on"', () => {
    const problems = draftConflicts(defaults, draftOf({ falsePositiveHistory: true }));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /deduplication is off/);
    assert.deepEqual(draftConflicts(defaults, draftOf({ falsePositiveHistory: true, 'dedupe.enabled': false })), []);
    const fpOn = { ...defaults, 'dedupe.enabled': false, falsePositiveHistory: true };
    assert.equal(draftConflicts(fpOn, draftOf({ 'dedupe.enabled': true })).length, 1, 'turning dedupe back on is refused too');
  });

  it('§1.7 retroactive_false_positive_history "requires FP history"', () => {
    const dedupeOff = { ...defaults, 'dedupe.enabled': false };
    assert.match(draftConflicts(dedupeOff, draftOf({ retroactiveFalsePositiveHistory: true }))[0], /requires false-positive history/);
    assert.deepEqual(draftConflicts(dedupeOff, draftOf({ retroactiveFalsePositiveHistory: true, falsePositiveHistory: true })), []);
  });

  it('does not block unrelated changes when settings.json already holds a conflict', () => {
    const handEdited = { ...defaults, falsePositiveHistory: true };
    assert.deepEqual(draftConflicts(handEdited, draftOf({ minimumSeverity: 'High' })), []);
  });

  it('writes only the keys whose value changes, and applies a draft without touching the current settings', () => {
    const draft = draftOf({ 'dedupe.enabled': true, minimumSeverity: 'Low', 'dedupe.hashFieldsAlways': ['service'] });
    assert.deepEqual(changedKeys(defaults, draft), ['minimumSeverity']);
    const next = applyDraft(defaults, draft);
    assert.equal(next.minimumSeverity, 'Low');
    assert.equal(defaults.minimumSeverity, 'Info');
  });
});

describe('manifest configuration', () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
    contributes: {
      configuration: { properties: Record<string, { default: unknown; scope?: string; markdownDescription?: string }> };
      commands: { command: string; title: string; category?: string }[];
      menus: Record<string, { command?: string; submenu?: string }[]>;
      submenus: { id: string }[];
    };
  };
  const properties = manifest.contributes.configuration.properties;

  it('declares every key of Settings as scanLedger.<key>, with defaultSettings() as its default', () => {
    const defaults = defaultSettings();
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(defaults).map((k) => `scanLedger.${k}`).sort());
    for (const [key, value] of Object.entries(defaults)) {
      assert.deepEqual(properties[`scanLedger.${key}`].default, value, `default of scanLedger.${key}`);
      assert.equal(properties[`scanLedger.${key}`].scope, 'resource', `scanLedger.${key} lives in workspace settings`);
      assert.ok(properties[`scanLedger.${key}`].markdownDescription, `scanLedger.${key} is described`);
    }
  });

  it('declares every command the editor registers, each titled in the "Scan Ledger" category', () => {
    const byId = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
    const triageAndImport = [
      'scanLedger.reimportReport',
      'scanLedger.importReportAsNewTest',
      'scanLedger.reimportAllWatched',
      'scanLedger.reimportFile',
      'scanLedger.triage.falsePositive',
      'scanLedger.triage.outOfScope',
      'scanLedger.triage.acceptRisk',
      'scanLedger.triage.mitigated',
      'scanLedger.triage.reopen',
      'scanLedger.triage.addNote',
      'scanLedger.showLog',
      'scanLedger.toggleClosedFindings',
    ];
    for (const id of [...Object.values(VIEW_COMMANDS), ...triageAndImport]) {
      const command = byId.get(id);
      assert.ok(command, `${id} is declared`);
      assert.equal(command.category, 'Scan Ledger');
      assert.ok(command.title.length > 0);
    }
    assert.equal(byId.size, manifest.contributes.commands.length, 'no command is declared twice');
  });

  it('declares every command a menu names', () => {
    const declared = new Set(manifest.contributes.commands.map((c) => c.command));
    const submenus = new Set(manifest.contributes.submenus.map((s) => s.id));
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) {
        if (item.command) assert.ok(declared.has(item.command), `${menu} names undeclared ${item.command}`);
        if (item.submenu) assert.ok(submenus.has(item.submenu), `${menu} names undeclared submenu ${item.submenu}`);
      }
    }
  });
});

describe('settings panel live preview', () => {
  const now = new Date('2026-11-22T08:00:00Z');
  const report: ParsedReport = {
    scanType: 'Bandit Scan',
    testType: 'Bandit Scan',
    findings: [
      { title: 'Use of exec', severity: 'High', description: 'exec', filePath: 'app.py', line: 10, vulnIdFromTool: 'B102' },
      { title: 'SQL built from strings', severity: 'High', description: 'sql', filePath: 'db.py', line: 20, vulnIdFromTool: 'B608' },
      { title: 'assert used', severity: 'Low', description: 'assert', filePath: 'app.py', line: 30, vulnIdFromTool: 'B101' },
    ],
  };

  function importedLedger(): Ledger {
    const ledger = new Ledger(emptyStoreData());
    importScan(ledger, structuredClone(report), { scanType: 'Bandit Scan', productName: 'app', engagementName: 'Local scans', testTitle: null }, {
      now,
      user: 'ana',
      settings: defaultSettings(),
    });
    return ledger;
  }

  function preview(ledger: Ledger, settings: Settings, engagements: SettingsDraft['engagements'] = []) {
    return previewReimport({ ledger, testId: 1, report, settings, engagements, user: 'ana', now });
  }

  it('replays the last report with the saved settings: every finding matches, nothing is created', () => {
    const ledger = importedLedger();
    assert.deepEqual(preview(ledger, defaultSettings()), { matched: 3, created: 0, closed: 0, reactivated: 0, untouched: 3, duplicates: 0 });
  });

  it('shows what a draft changes: minimum severity High leaves the Low finding unmatched, and reimport closes it', () => {
    const ledger = importedLedger();
    const draft = applyDraft(defaultSettings(), draftOf({ minimumSeverity: 'High' }));
    assert.deepEqual(preview(ledger, draft), { matched: 2, created: 0, closed: 1, reactivated: 0, untouched: 2, duplicates: 0 });
    const keepOld = applyDraft(defaultSettings(), draftOf({ minimumSeverity: 'High', 'reimport.closeOldFindings': false }));
    assert.equal(preview(ledger, keepOld).closed, 0);
  });

  it('shows an algorithm switch: unique_id_from_tool matches nothing when the report carries no unique ids', () => {
    const ledger = importedLedger();
    const draft = applyDraft(defaultSettings(), draftOf({ 'dedupe.algorithmPerScanType': { 'Bandit Scan': 'unique_id_from_tool' } }));
    const counts = preview(ledger, draft);
    assert.equal(counts.matched, 0);
    assert.equal(counts.created, 3);
  });

  it('never changes the real ledger, whatever the draft', () => {
    const ledger = importedLedger();
    const before = JSON.stringify(ledger.data);
    preview(ledger, applyDraft(defaultSettings(), draftOf({ minimumSeverity: 'Critical' })), [{ engagementId: 1, deduplicationOnEngagement: true }]);
    assert.equal(JSON.stringify(ledger.data), before);
    assert.equal(ledger.engagement(1)?.deduplicationOnEngagement, false);
  });

  it('finds the test\'s last import, the one the preview replays', () => {
    const ledger = importedLedger();
    assert.equal(lastImportOf(ledger, 1)?.id, 1);
    assert.equal(lastImportOf(ledger, 2), undefined);
  });
});

describe('settings panel live preview: naming the test (issue 11 item 4)', () => {
  it('names a test titled with its report by id and type, not "reimporting X into X"', () => {
    assert.equal(previewTestLabel({ id: 3, title: 'bandit-report.json', testType: 'Bandit Scan' }, 'bandit-report.json'), 'test #3 (Bandit Scan)');
    assert.equal(previewTestLabel({ id: 4, title: null, testType: 'SARIF' }, 'a.sarif'), 'test #4 (SARIF)');
  });

  it('keeps a title of the test’s own', () => {
    assert.equal(previewTestLabel({ id: 2, title: 'CI', testType: 'SARIF' }, 'reports/ci/eslint.sarif'), 'test #2 “CI” (SARIF)');
  });
});
