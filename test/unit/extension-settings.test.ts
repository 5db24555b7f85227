import { strict as assert } from 'node:assert';
import { readSettings, type ConfigurationReader } from '../../src/extension/settings';
import { DEFAULT_WATCH_EXCLUDE, defaultSettings } from '../../src/model';
import { validateSettingValue } from '../../src/store';

function config(values: Record<string, unknown>): ConfigurationReader {
  return { get: <T>(key: string) => values[key] as T };
}

describe('extension settings reader', () => {
  it('returns the defaults when nothing is set', () => {
    const { settings, problems } = readSettings(config({}));
    assert.deepEqual(settings, defaultSettings());
    assert.deepEqual(problems, []);
  });

  it('takes valid values from the configuration', () => {
    const { settings } = readSettings(
      config({
        defectdojoParity: true,
        minimumSeverity: 'High',
        'dedupe.algorithmPerScanType': { 'Trivy Scan': 'hash_code' },
        'dedupe.maxDuplicates': null,
        watch: [{ glob: ' reports/*.sarif ', engagement: 'CI' }],
        storePath: 'data/ledger.json',
      }),
    );
    assert.equal(settings.defectdojoParity, true);
    assert.equal(settings.minimumSeverity, 'High');
    assert.deepEqual(settings['dedupe.algorithmPerScanType'], { 'Trivy Scan': 'hash_code' });
    assert.equal(settings['dedupe.maxDuplicates'], null);
    assert.deepEqual(settings.watch, [{ glob: 'reports/*.sarif', engagement: 'CI' }]);
    assert.equal(settings.storePath, 'data/ledger.json');
  });

  it('falls back to the default for a value of the wrong shape and says which', () => {
    const { settings, problems } = readSettings(
      config({
        'dedupe.enabled': 'yes',
        minimumSeverity: 'Severe',
        'dedupe.algorithmPerScanType': { SARIF: 'magic' },
        watch: [{ scanType: 'SARIF' }],
        maxReportSizeMb: -1,
      }),
    );
    const defaults = defaultSettings();
    assert.equal(settings['dedupe.enabled'], defaults['dedupe.enabled']);
    assert.equal(settings.minimumSeverity, defaults.minimumSeverity);
    assert.deepEqual(settings['dedupe.algorithmPerScanType'], defaults['dedupe.algorithmPerScanType']);
    assert.deepEqual(settings.watch, defaults.watch);
    assert.equal(settings.maxReportSizeMb, defaults.maxReportSizeMb);
    assert.equal(problems.length, 5);
    assert.ok(problems.some((p) => p.includes('scanLedger.minimumSeverity')));
  });

  it('issue 11: scanLedger.watchExclude defaults to the test and fixture folders and is validated as the CLI validates it', () => {
    assert.deepEqual(defaultSettings().watchExclude, [...DEFAULT_WATCH_EXCLUDE]);
    assert.deepEqual(readSettings(config({ watchExclude: [] })).settings.watchExclude, [], 'an empty list watches test folders too');
    assert.deepEqual(readSettings(config({ watchExclude: ['**/samples/**'] })).settings.watchExclude, ['**/samples/**']);
    const cases: [unknown, boolean][] = [
      [['**/samples/**', 'legacy/**'], true],
      [[], true],
      ['**/samples/**', false],
      [[''], false],
      [['a/**', 'a/**'], false],
      [[42], false],
    ];
    for (const [value, valid] of cases) {
      const read = readSettings(config({ watchExclude: value }));
      assert.equal(read.problems.length === 0, valid, `editor: ${JSON.stringify(value)}`);
      assert.equal(validateSettingValue('watchExclude', value).ok, valid, `store and CLI: ${JSON.stringify(value)}`);
      if (!valid) assert.deepEqual(read.settings.watchExclude, [...DEFAULT_WATCH_EXCLUDE], 'an invalid value falls back to the default');
    }
  });

  it('copies the read-only proxies VS Code hands out for object settings', () => {
    const frozen = new Proxy(Object.freeze({ SARIF: 'hash_code' }), {});
    const list = new Proxy(Object.freeze([{ glob: '**/*.sarif' }]), {});
    const { settings, problems } = readSettings(config({ 'dedupe.algorithmPerScanType': frozen, watch: list }));
    assert.deepEqual(problems, []);
    assert.deepEqual(settings['dedupe.algorithmPerScanType'], { SARIF: 'hash_code' });
    settings.watch.push({ glob: 'x' });
    assert.equal(settings.watch.length, 2);
  });

  it('copies values, so later edits of the configuration object do not reach the engine', () => {
    const table = { SARIF: 'hash_code' };
    const { settings } = readSettings(config({ 'dedupe.algorithmPerScanType': table }));
    table.SARIF = 'legacy';
    assert.equal(settings['dedupe.algorithmPerScanType'].SARIF, 'hash_code');
  });
});
