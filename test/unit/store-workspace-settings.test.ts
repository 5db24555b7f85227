import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings } from '../../src/model';
import { WorkspaceSettingsError } from '../../src/store/errors';
import {
  parseSettingText,
  readWorkspaceSettings,
  SETTING_KEYS,
  validateSettingValue,
  writeWorkspaceSetting,
} from '../../src/store/workspace-settings';

const COMMENTED = `// Team settings: keep the pipeline and the editor on the same rules.
{
    /* Reproduce DefectDojo quirks in CI. */
    "scanLedger.defectdojoParity": true,
    "scanLedger.minimumSeverity": "high", // DefectDojo accepts any casing
    "scanLedger.dedupe.algorithmPerScanType": {
        "Semgrep JSON Report": "unique_id_from_tool",
    },
    "editor.tabSize": 2,
}
`;

describe('store: workspace settings', () => {
  let root: string;
  let settingsFile: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-settings-'));
    settingsFile = path.join(root, '.vscode', 'settings.json');
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function writeSettings(text: string): Promise<void> {
    await fs.mkdir(path.dirname(settingsFile), { recursive: true });
    await fs.writeFile(settingsFile, text);
  }

  describe('reading', () => {
    it('§9 a workspace without .vscode/settings.json runs with the defaults', async () => {
      const result = await readWorkspaceSettings(root);
      assert.deepEqual(result.settings, defaultSettings());
      assert.deepEqual(result.warnings, []);
      assert.equal(result.found, false);
      assert.equal(result.filePath, settingsFile);
    });

    it('§9 "the CLI reads the same keys from the workspace\'s .vscode/settings.json": JSONC with comments and trailing commas', async () => {
      await writeSettings(COMMENTED);
      const result = await readWorkspaceSettings(root);
      assert.deepEqual(result.warnings, []);
      assert.equal(result.found, true);
      assert.equal(result.settings.defectdojoParity, true);
      assert.equal(result.settings.minimumSeverity, 'High');
      assert.deepEqual(result.settings['dedupe.algorithmPerScanType'], { 'Semgrep JSON Report': 'unique_id_from_tool' });
      assert.equal(result.settings['dedupe.enabled'], true, 'keys not in the file keep their defaults');
    });

    it('invalid values and unknown keys are ignored with a warning naming the file and key; the rest applies', async () => {
      await writeSettings(`{
        "scanLedger.dedupe.enabled": "yes",
        "scanLedger.minimumSeverity": "Severe",
        "scanLedger.dedupe.endpointFields": ["host", "colour"],
        "scanLedger.dedupe.maxDuplicates": -1,
        "scanLedger.noSuchSetting": 1,
        "scanLedger.dedupe.deleteDuplicates": true
      }`);
      const { settings, warnings } = await readWorkspaceSettings(root);
      assert.equal(warnings.length, 5);
      for (const w of warnings) assert.ok(w.startsWith(`${settingsFile}: "scanLedger.`), w);
      assert.match(warnings.join('\n'), /"scanLedger\.dedupe\.enabled" ignored: expected true or false, got "yes"/);
      assert.match(warnings.join('\n'), /"scanLedger\.noSuchSetting" ignored: unknown setting/);
      assert.equal(settings['dedupe.enabled'], true);
      assert.equal(settings.minimumSeverity, 'Info');
      assert.deepEqual(settings['dedupe.endpointFields'], ['host', 'path']);
      assert.equal(settings['dedupe.maxDuplicates'], 10);
      assert.equal(settings['dedupe.deleteDuplicates'], true);
    });

    it('a syntax error is reported with its line and column, and the readable keys still apply', async () => {
      await writeSettings('{\n  "scanLedger.defectdojoParity": true\n  "scanLedger.dedupe.enabled": false\n}');
      const { settings, warnings } = await readWorkspaceSettings(root);
      assert.match(warnings[0], new RegExp(`^${settingsFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:3: CommaExpected$`));
      assert.equal(settings.defectdojoParity, true);
    });
  });

  describe('writing', () => {
    it('§7 "config set writes them there": comments, other keys and formatting survive', async () => {
      await writeSettings(COMMENTED);
      await writeWorkspaceSetting(root, 'dedupe.enabled', false);
      await writeWorkspaceSetting(root, 'minimumSeverity', 'Low');
      const text = await fs.readFile(settingsFile, 'utf8');
      for (const kept of ['// Team settings', '/* Reproduce DefectDojo quirks in CI. */', '// DefectDojo accepts any casing', '"editor.tabSize": 2']) {
        assert.ok(text.includes(kept), `lost: ${kept}`);
      }
      assert.ok(text.includes('\n    "scanLedger.dedupe.enabled": false'), 'the new key uses the file\'s four-space indentation');
      const { settings, warnings } = await readWorkspaceSettings(root);
      assert.deepEqual(warnings, []);
      assert.equal(settings['dedupe.enabled'], false);
      assert.equal(settings.minimumSeverity, 'Low');
      assert.equal(settings.defectdojoParity, true);
    });

    it('creates .vscode/settings.json when missing and stores the normalised value', async () => {
      const stored = await writeWorkspaceSetting(root, 'minimumSeverity', 'medium');
      assert.equal(stored, 'Medium');
      assert.deepEqual(JSON.parse(await fs.readFile(settingsFile, 'utf8')), { 'scanLedger.minimumSeverity': 'Medium' });
    });

    it('writing undefined removes the key and keeps the comments', async () => {
      await writeSettings(COMMENTED);
      await writeWorkspaceSetting(root, 'defectdojoParity', undefined);
      const text = await fs.readFile(settingsFile, 'utf8');
      assert.ok(!text.includes('defectdojoParity'));
      assert.ok(text.includes('// DefectDojo accepts any casing'));
    });

    it('an invalid value is refused with a WorkspaceSettingsError and the file is untouched', async () => {
      await writeSettings(COMMENTED);
      await assert.rejects(
        writeWorkspaceSetting(root, 'dedupe.algorithmPerScanType', { Trivy: 'sha256' }),
        (error: unknown) =>
          error instanceof WorkspaceSettingsError && error.filePath === settingsFile && /scan type "Trivy": expected one of hash_code/.test(error.message),
      );
      await assert.rejects(writeWorkspaceSetting(root, 'noSuchSetting', 1), WorkspaceSettingsError);
      assert.equal(await fs.readFile(settingsFile, 'utf8'), COMMENTED);
    });

    it('a settings file with a syntax error is not edited, so nothing of it is lost', async () => {
      const broken = '{ "scanLedger.defectdojoParity": true, oops }';
      await writeSettings(broken);
      await assert.rejects(writeWorkspaceSetting(root, 'dedupe.enabled', false), /fix the syntax error first/);
      assert.equal(await fs.readFile(settingsFile, 'utf8'), broken);
    });
  });

  describe('validation shared by the CLI and the settings panel', () => {
    it('every default value is valid for its own key', () => {
      const defaults = defaultSettings();
      for (const key of SETTING_KEYS) assert.ok(validateSettingValue(key, defaults[key]).ok, key);
      assert.equal(SETTING_KEYS.length, Object.keys(defaults).length);
    });

    it('checks each kind of value', () => {
      assert.deepEqual(validateSettingValue('dedupe.maxDuplicates', null), { ok: true, value: null });
      assert.equal(validateSettingValue('dedupe.maxDuplicates', 2.5).ok, false);
      assert.equal(validateSettingValue('maxReportSizeMb', 0).ok, false);
      assert.deepEqual(validateSettingValue('dedupe.hashFieldsPerScanType', { Trivy: ['title', 'componentName'] }), {
        ok: true,
        value: { Trivy: ['title', 'componentName'] },
      });
      assert.equal(validateSettingValue('dedupe.hashFieldsPerScanType', { Trivy: ['title', 'title'] }).ok, false);
      assert.equal(validateSettingValue('dedupe.hashAllowsNullCwePerScanType', { Trivy: 'no' }).ok, false);
      assert.equal(validateSettingValue('watch', [{ glob: '**/*.sarif', engagement: 'CI' }]).ok, true);
      assert.equal(validateSettingValue('watch', [{ glob: '' }]).ok, false);
      assert.equal(validateSettingValue('watch', [{ glob: 'x', colour: 'red' }]).ok, false);
      assert.equal(validateSettingValue('storePath', '  ').ok, false);
    });

    it('parseSettingText reads command-line text as JSON when it is JSON, else as a word', () => {
      assert.deepEqual(parseSettingText('dedupe.enabled', 'false'), { ok: true, value: false });
      assert.deepEqual(parseSettingText('minimumSeverity', 'critical'), { ok: true, value: 'Critical' });
      assert.deepEqual(parseSettingText('dedupe.hashFieldsAlways', '["service","title"]'), { ok: true, value: ['service', 'title'] });
      assert.deepEqual(parseSettingText('storePath', 'build/ledger.json'), { ok: true, value: 'build/ledger.json' });
      const bad = parseSettingText('dedupe.enabled', 'maybe');
      assert.equal(bad.ok, false);
      assert.match(!bad.ok ? bad.error : '', /expected true or false, got "maybe"/);
    });
  });
});
