import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser/lib/esm/main.js';
import { readSettings, type ConfigurationReader } from '../../src/extension/settings';
import { DEFAULT_SLA_DAYS, defaultSettings, type Settings } from '../../src/model';
import { settingsFromJsonc } from '../../src/store';

/**
 * Issue 15, item 1: the editor and the CLI read the same `.vscode/settings.json` through one
 * validator. The editor's view of a settings file is simulated the way VS Code builds it: the
 * file's `scanLedger.*` value when present, else the default the manifest contributes.
 */
const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown }> } };
};

function editorConfiguration(settingsJson: string): ConfigurationReader {
  const file = (parse(settingsJson, [], { allowTrailingComma: true }) ?? {}) as Record<string, unknown>;
  return {
    get: <T>(key: string): T | undefined => {
      const full = `scanLedger.${key}`;
      if (Object.prototype.hasOwnProperty.call(file, full)) return file[full] as T;
      return manifest.contributes.configuration.properties[full]?.default as T | undefined;
    },
  };
}

function bothHosts(settingsJson: string): { editor: Settings; cli: Settings; editorProblems: string[]; cliWarnings: string[] } {
  const editor = readSettings(editorConfiguration(settingsJson));
  const cli = settingsFromJsonc(settingsJson, '/w/.vscode/settings.json');
  return { editor: editor.settings, cli: cli.settings, editorProblems: editor.problems, cliWarnings: cli.warnings };
}

describe('issue 15: one settings validator for both hosts', () => {
  it('"scanLedger.minimumSeverity": "high" is High in the editor and in the CLI (any casing, as DefectDojo accepts)', () => {
    for (const spelling of ['high', 'HIGH', ' High ']) {
      const read = bothHosts(`{ "scanLedger.minimumSeverity": ${JSON.stringify(spelling)} }`);
      assert.equal(read.editor.minimumSeverity, 'High', `editor: ${spelling}`);
      assert.equal(read.cli.minimumSeverity, 'High', `CLI: ${spelling}`);
      assert.deepEqual(read.editorProblems, []);
      assert.deepEqual(read.cliWarnings, []);
    }
  });

  it('dedupe.endpointFields ["hostname"] is refused by both hosts (not an Endpoint field), ["host", "port"] accepted by both', () => {
    const refused = bothHosts('{ "scanLedger.dedupe.endpointFields": ["hostname"] }');
    assert.deepEqual(refused.editor['dedupe.endpointFields'], defaultSettings()['dedupe.endpointFields']);
    assert.deepEqual(refused.cli['dedupe.endpointFields'], defaultSettings()['dedupe.endpointFields']);
    assert.equal(refused.editorProblems.length, 1);
    assert.match(refused.editorProblems[0], /scanLedger\.dedupe\.endpointFields.*"hostname" is not one of/);
    assert.equal(refused.cliWarnings.length, 1);
    const accepted = bothHosts('{ "scanLedger.dedupe.endpointFields": ["host", "port"] }');
    assert.deepEqual(accepted.editor['dedupe.endpointFields'], ['host', 'port']);
    assert.deepEqual(accepted.cli['dedupe.endpointFields'], ['host', 'port']);
  });

  it('a partial sla.days keeps DefectDojo\'s defaults for the severities left out, in both hosts', () => {
    const read = bothHosts('{ "scanLedger.sla.days": { "high": 14, "Low": null } }');
    const expected = { ...DEFAULT_SLA_DAYS, High: 14, Low: null };
    assert.deepEqual(read.editor['sla.days'], expected);
    assert.deepEqual(read.cli['sla.days'], expected);
  });

  it('both hosts read the same Settings from the same settings.json text, valid and invalid values alike', () => {
    const text = `// A hand-edited file with some of everything.
{
  "scanLedger.defectdojoParity": false,
  "scanLedger.minimumSeverity": "medium",
  "scanLedger.dedupe.algorithmPerScanType": { "Trivy Scan": "hash_code", "SARIF": "magic" },
  "scanLedger.dedupe.endpointFields": ["hostname"],
  "scanLedger.dedupe.maxDuplicates": null,
  "scanLedger.sla.days": { "Critical": 3 },
  "scanLedger.watch": [{ "glob": " reports/*.sarif ", "engagement": "CI" }],
  "scanLedger.watchExclude": ["a/**", "a/**"],
  "scanLedger.maxReportSizeMb": 0,
  "scanLedger.defectdojo.url": " https://dojo.example.com ",
  "scanLedger.storePath": "data/ledger.json",
  "editor.tabSize": 2,
}
`;
    const read = bothHosts(text);
    assert.deepEqual(read.editor, read.cli);
    assert.equal(read.cli.minimumSeverity, 'Medium');
    assert.deepEqual(read.cli.watch, [{ glob: 'reports/*.sarif', engagement: 'CI' }]);
    assert.equal(read.cli['defectdojo.url'], 'https://dojo.example.com');
    // algorithmPerScanType, endpointFields, watchExclude and maxReportSizeMb are refused by both.
    assert.equal(read.editorProblems.length, 4);
    assert.equal(read.cliWarnings.length, 4);
  });

  it('an empty settings file gives the defaults in both hosts', () => {
    const read = bothHosts('{}');
    assert.deepEqual(read.editor, defaultSettings());
    assert.deepEqual(read.cli, defaultSettings());
  });
});
