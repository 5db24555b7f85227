import { strict as assert } from 'node:assert';
import { DefectDojoClient, planSync, pushReport, type ServerFinding } from '../../src/defectdojo';
import { importScan, Ledger } from '../../src/engine';
import { defaultSettings, effectiveSettings, emptyStoreData } from '../../src/model';
import { parseReport } from '../../src/parsers';
import { DefectDojoDouble } from '../defectdojo-double/server';

/**
 * The sync matches server findings to local ones under the algorithm of the finding's test type.
 * A SARIF tool's test type ("ESLint Scan (SARIF)") is not a scan type of its own: found by the
 * extension-host suite of issue 14, where no SARIF finding ever matched and the sync did nothing.
 */

const RULES = ['demo/first', 'demo/second'];
const SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'ESLint', rules: RULES.map((id) => ({ id })) } },
      results: RULES.map((ruleId, i) => ({
        ruleId,
        level: 'error',
        message: { text: `check ${i + 1}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'src/a.js' }, region: { startLine: i + 1, startColumn: 1 } } }],
      })),
    },
  ],
});

describe('DefectDojo sync matching for a test type that is not a scan type (issue 14)', () => {
  let double: DefectDojoDouble;

  before(async () => {
    double = await DefectDojoDouble.start({ token: 'sync-match-token' });
  });

  after(async () => {
    await double.close();
  });

  it('matches the findings of a pushed SARIF report and pulls the server’s false positive', async () => {
    const client = new DefectDojoClient({ url: double.url, token: 'sync-match-token' });
    await pushReport(client, {
      scanType: 'SARIF',
      fileName: 'a.sarif',
      bytes: Buffer.from(SARIF),
      productName: 'app',
      productTypeName: 'Research and Development',
      engagementName: 'Local scans',
      testTitle: 'a.sarif',
      closeOldFindings: false,
      doNotReactivate: false,
      minimumSeverity: 'Info',
    });

    const ctx = { now: new Date(), user: 'dev', settings: effectiveSettings(defaultSettings()) };
    const ledger = new Ledger(emptyStoreData());
    const report = parseReport(SARIF, { fileName: 'a.sarif' });
    importScan(ledger, report, { scanType: report.scanType, productName: 'app', engagementName: 'Local scans', testTitle: 'a.sarif' }, ctx);
    assert.equal(ledger.data.tests[0].testType, 'ESLint Scan (SARIF)', 'the test type differs from the scan type');
    // Decided on the server after the local import, as a teammate would.
    double.triage(1, { false_p: true, active: false }, new Date(Date.now() + 1000));

    const server = await client.list<ServerFinding>('/api/v2/findings/', { product_name: 'app', related_fields: true });
    const plan = planSync(ledger, server, { serverName: client.serverName, productName: 'app', serverUserId: 1 }, ctx);
    assert.equal(plan.unmatched, 0, 'every server finding has its local finding');
    assert.deepEqual(plan.appliedFromServer.map((a) => a.decision), ['false-positive']);
    assert.equal(ledger.data.findings.filter((f) => f.falsePositive).length, 1);
  });

  it('a finding imported locally after a teammate triaged it on the server takes the server’s decision; the import is no local decision', async () => {
    const client = new DefectDojoClient({ url: double.url, token: 'sync-match-token' });
    await pushReport(client, {
      scanType: 'SARIF',
      fileName: 'b.sarif',
      bytes: Buffer.from(SARIF),
      productName: 'later',
      productTypeName: 'Research and Development',
      engagementName: 'Local scans',
      testTitle: 'b.sarif',
      closeOldFindings: false,
      doNotReactivate: false,
      minimumSeverity: 'Info',
    });
    const serverFindings = await client.list<ServerFinding>('/api/v2/findings/', { product_name: 'later', related_fields: true });
    // The teammate's decision comes first, a day before this machine imports the report.
    double.triage(serverFindings[0].id, { false_p: true, active: false }, new Date(Date.now() - 24 * 3600 * 1000));

    const ctx = { now: new Date(), user: 'dev', settings: effectiveSettings(defaultSettings()) };
    const ledger = new Ledger(emptyStoreData());
    const report = parseReport(SARIF, { fileName: 'b.sarif' });
    importScan(ledger, report, { scanType: report.scanType, productName: 'later', engagementName: 'Local scans', testTitle: 'b.sarif' }, ctx);

    const server = await client.list<ServerFinding>('/api/v2/findings/', { product_name: 'later', related_fields: true });
    const plan = planSync(ledger, server, { serverName: client.serverName, productName: 'later', serverUserId: 1 }, ctx);
    assert.deepEqual(plan.operations, [], 'nothing is sent back: the import reopened nothing on the server');
    assert.deepEqual(plan.conflicts, [], 'an import is not a decision that could conflict');
    assert.deepEqual(plan.appliedFromServer.map((a) => a.decision), ['false-positive']);
  });
});
