import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, type CliRun, type Workspace } from './cli-harness';
import { DefectDojoDouble } from '../defectdojo-double/server';

/**
 * `scan-ledger push` and `pull` against the DefectDojo test double (issue 14), through the real
 * bundled CLI in a child process. The double runs in this process, so the CLI is always started
 * asynchronously (`start`): a synchronous run would block the event loop the double answers on.
 */

const TOKEN = 'f00dfeed-0123456789-cli-token';

interface StoredFinding {
  id: number;
  title: string;
  falsePositive: boolean;
  outOfScope: boolean;
  riskAccepted: boolean;
  isMitigated: boolean;
  active: boolean;
  riskAcceptance?: { expires?: string | null; owner: string } | null;
  notes: { text: string; author: string }[];
  audit: { author: string; field: string; from: unknown; to: unknown; reason?: string | null }[];
}

function assertNoToken(run: CliRun): void {
  assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN), 'the token never reaches the output');
}

async function ok(ws: Workspace, ...args: string[]): Promise<CliRun> {
  const run = await ws.start(...args);
  assertNoToken(run);
  assert.equal(run.code, 0, `scan-ledger ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run;
}

function stored(ws: Workspace): StoredFinding[] {
  assert.ok(ws.storeBytes(), 'a store exists');
  return ws.storeData().findings;
}

function local(ws: Workspace, title: string): StoredFinding {
  const f = stored(ws).find((x) => x.title === title);
  assert.ok(f, `local finding "${title}"`);
  return f;
}

describe('scan-ledger push and pull against the DefectDojo test double', function () {
  this.timeout(60_000);
  let double: DefectDojoDouble;
  let ws: Workspace;

  const serverId = (title: string): number => {
    const f = double.ledger.data.findings.find((x) => x.title === title);
    assert.ok(f, `server finding "${title}"`);
    return f.id;
  };

  beforeEach(async () => {
    double = await DefectDojoDouble.start({ token: TOKEN });
    ws = makeWorkspace(undefined, { DD_URL: double.url, DD_API_TOKEN: TOKEN });
  });
  afterEach(async () => {
    ws.dispose();
    await double.close();
  });

  /** The pipeline's order: push (prediction on the ledger as the server knows it), then the local reimport. */
  async function pushAndRecord(report: string): Promise<CliRun> {
    const run = await ok(ws, 'push', report, '--product-type', 'Research');
    await ok(ws, 'reimport', report);
    return run;
  }

  describe('push', () => {
    it('sends the report with DefectDojo\'s parameter names and prints the server\'s statistics next to the prediction', async () => {
      const run = await ok(ws, 'push', 'reports/generic-v1.json', '--product-type', 'Research', '--version', '1.4.0', '--branch-tag', 'main', '--commit-hash', 'abc123', '--build-id', '77', '--tags', 'ci,nightly', '--minimum-severity', 'low');
      const upload = double.requests.find((r) => r.path === '/api/v2/reimport-scan/');
      assert.ok(upload);
      assert.equal(upload.authorization, `Token ${TOKEN}`);
      assert.deepEqual(upload.body, {
        scan_type: 'Generic Findings Import',
        file: { filename: 'generic-v1.json', size: (upload.body as { file: { size: number } }).file.size },
        product_name: 'app',
        engagement_name: 'Local scans',
        product_type_name: 'Research',
        auto_create_context: 'true',
        close_old_findings: 'true',
        do_not_reactivate: 'false',
        minimum_severity: 'Low',
        version: '1.4.0',
        branch_tag: 'main',
        commit_hash: 'abc123',
        build_id: '77',
        tags: ['ci', 'nightly'],
        deduplication_execution_mode: 'sync',
      });
      assert.match(run.stdout, /Generic Findings Import → http:\/\/127\.0\.0\.1:\d+ test #1/);
      assert.match(run.stdout, /local prediction \(parity, import\):\n {2}after \(total\/active\): critical 0\/0, high 1\/1, medium 1\/1, low 1\/1, info 0\/0/);
      assert.match(run.stdout, /server:\n {2}after \(total\/active\): critical 0\/0, high 1\/1, medium 1\/1, low 1\/1, info 0\/0/);
    });

    it('takes the product type for a new server product from scanLedger.defectdojo.productType when --product-type is absent', async () => {
      mkdirSync(path.join(ws.root, '.vscode'), { recursive: true });
      writeFileSync(path.join(ws.root, '.vscode', 'settings.json'), JSON.stringify({ 'scanLedger.defectdojo.productType': 'Research and Development' }));
      await ok(ws, 'push', 'reports/generic-v1.json');
      const upload = double.requests.find((r) => r.path === '/api/v2/reimport-scan/');
      assert.equal((upload?.body as { product_type_name?: string }).product_type_name, 'Research and Development');
      assert.equal(double.ledger.data.products.length, 1, 'the server created the product');
    });

    it('matches the server on a reimport into an existing test, delta included', async () => {
      await pushAndRecord('reports/generic-v1.json');
      const run = await ws.start('push', 'reports/generic-v2.json', '--json');
      assertNoToken(run);
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { prediction: { type: string }; statistics: { delta: { created: { total: { total: number } }; closed: { total: { total: number } } } }; drift: unknown[] };
      assert.equal(out.prediction.type, 'reimport');
      assert.deepEqual(out.drift, []);
      assert.equal(out.statistics.delta.created.total.total, 1);
      assert.equal(out.statistics.delta.closed.total.total, 2);
    });

    it('exits 1 with "drift" on stderr when the server\'s statistics differ from the prediction', async () => {
      await pushAndRecord('reports/generic-v1.json');
      double.tamperStatistics = (statistics) => {
        const after = statistics.after as Record<string, Record<string, number>>;
        after.high.active += 1;
        after.total.active += 1;
      };
      const run = await ws.start('push', 'reports/generic-v2.json');
      assertNoToken(run);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^scan-ledger: drift: the server's statistics differ from the local prediction in 2 place\(s\): after\.high\.active predicted 1, server 2; after\.total\.active predicted \d+, server \d+\n$/);
      assert.match(run.stdout, /local prediction \(parity, reimport\)/);
    });

    it('takes the token from DD_API_TOKEN only and refuses plain http to a remote server', async () => {
      const noToken = makeWorkspace(undefined, { DD_URL: double.url, DD_API_TOKEN: '' });
      try {
        const run = await noToken.start('push', 'reports/generic-v1.json');
        assert.equal(run.code, 2);
        assert.match(run.stderr, /no DefectDojo API token: set DD_API_TOKEN \(the token is never taken from the command line\)/);
        assert.equal(double.requests.length, 0);
      } finally {
        noToken.dispose();
      }
      const remote = await ws.start('push', 'reports/generic-v1.json', '--url', 'http://defectdojo.example.com');
      assert.equal(remote.code, 2);
      assert.match(remote.stderr, /must use https/);
    });

    it('exits 1 naming HTTP 401 when the server refuses the token, without printing it', async () => {
      const wrong = makeWorkspace(undefined, { DD_URL: double.url, DD_API_TOKEN: `${TOKEN}x` });
      try {
        const run = await wrong.start('push', 'reports/generic-v1.json');
        assert.equal(run.code, 1);
        assert.match(run.stderr, /DefectDojo: GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/user_profile\/: HTTP 401, the API token was refused/);
        assert.ok(!run.stderr.includes(`${TOKEN}x`));
        assert.equal(double.requests.filter((r) => r.path === '/api/v2/reimport-scan/').length, 0);
      } finally {
        wrong.dispose();
      }
    });
  });

  describe('pull', () => {
    it('applies the server\'s triage locally, each change with an audit entry naming the server', async () => {
      await pushAndRecord('reports/generic-v1.json');
      const at = new Date();
      double.triage(serverId('Weak hash function'), { false_p: true }, at);
      double.acceptRisk(serverId('SQL injection in user lookup'), '2099-01-31T00:00:00Z', 'Behind the VPN until the rewrite.', at);
      double.triage(serverId('Reflected cross-site scripting'), { active: false, is_mitigated: true }, at);
      double.addNote(serverId('Reflected cross-site scripting'), 'Fixed by the template escaping change.', at);

      const run = await ok(ws, 'pull');
      assert.match(run.stdout, /from the server: 3 decision\(s\), 1 note\(s\); to the server: 0 decision\(s\), 0 note\(s\)/);
      const author = `DefectDojo ${double.url}`;
      const weak = local(ws, 'Weak hash function');
      assert.equal(weak.falsePositive, true);
      assert.equal(weak.active, false);
      assert.ok(weak.audit.some((e) => e.author === author && e.field === 'falsePositive' && e.to === true));
      const sql = local(ws, 'SQL injection in user lookup');
      assert.equal(sql.riskAccepted, true);
      assert.equal(sql.riskAcceptance?.expires, '2099-01-31');
      assert.equal(sql.riskAcceptance?.owner, 'Security lead');
      assert.ok(sql.audit.some((e) => e.author === author && e.field === 'riskAccepted' && /Behind the VPN/.test(e.reason ?? '')));
      const xss = local(ws, 'Reflected cross-site scripting');
      assert.equal(xss.isMitigated, true);
      assert.ok(xss.notes.some((n) => n.text === 'Fixed by the template escaping change.' && n.author === `admin via ${author}`));
      // A second pull changes nothing: the decisions are now agreed.
      const again = await ok(ws, 'pull', '--json');
      const summary = JSON.parse(again.stdout) as { appliedFromServer: number; sentToServer: number; notesToServer: number; notesFromServer: number };
      assert.deepEqual([summary.appliedFromServer, summary.sentToServer, summary.notesToServer, summary.notesFromServer], [0, 0, 0, 0]);
    });

    it('sends local decisions made since the last sync back: PATCH, notes and risk acceptances', async () => {
      await pushAndRecord('reports/generic-v1.json');
      await ok(ws, 'pull');
      const xss = local(ws, 'Reflected cross-site scripting');
      const sql = local(ws, 'SQL injection in user lookup');
      await ok(ws, 'triage', String(xss.id), '--status', 'out-of-scope', '--note', 'Internal admin page only.');
      await ok(ws, 'triage', String(sql.id), '--status', 'risk-accepted', '--reason', 'Legacy module, replaced in Q3.', '--expires', '2099-06-30');
      double.requests.length = 0;

      const run = await ok(ws, 'pull', '--json');
      const summary = JSON.parse(run.stdout) as { sentToServer: number; notesToServer: number };
      assert.equal(summary.sentToServer, 2);
      assert.equal(summary.notesToServer, 1);
      const xssId = serverId('Reflected cross-site scripting');
      const sqlId = serverId('SQL injection in user lookup');
      const sent = double.requests.filter((r) => r.method !== 'GET').map((r) => ({ method: r.method, path: r.path, body: r.body }));
      // Operations go in the server's finding order: the SQL injection (#1) before the XSS (#2).
      assert.deepEqual(sent, [
        { method: 'PATCH', path: `/api/v2/findings/${sqlId}/`, body: { active: false, false_p: false, out_of_scope: false, is_mitigated: false } },
        {
          method: 'POST',
          path: '/api/v2/risk_acceptance/',
          body: {
            name: 'Scan Ledger: SQL injection in user lookup',
            accepted_findings: [sqlId],
            owner: 1,
            decision: 'A',
            decision_details: 'Legacy module, replaced in Q3.',
            // The local acceptance's owner: the acting user, the OS account in this harness.
            accepted_by: local(ws, 'SQL injection in user lookup').riskAcceptance?.owner,
            expiration_date: '2099-06-30T00:00:00Z',
          },
        },
        { method: 'PATCH', path: `/api/v2/findings/${xssId}/`, body: { out_of_scope: true, active: false, verified: false } },
        { method: 'POST', path: `/api/v2/findings/${xssId}/notes/`, body: { entry: 'Internal admin page only.', private: false } },
      ]);
      assert.equal(double.finding(xssId).outOfScope, true);
      assert.equal(double.finding(sqlId).riskAccepted, true);
      assert.equal(double.riskAcceptances[0].expiration_date, '2099-06-30T00:00:00Z');
      // Nothing goes twice.
      double.requests.length = 0;
      await ok(ws, 'pull');
      assert.deepEqual(double.requests.filter((r) => r.method !== 'GET'), []);
    });

    it('resolves a conflict by the later timestamp and keeps the loser in the audit trail', async () => {
      await pushAndRecord('reports/generic-v1.json');
      await ok(ws, 'pull');
      const weak = local(ws, 'Weak hash function');
      const xss = local(ws, 'Reflected cross-site scripting');
      await ok(ws, 'triage', String(weak.id), '--status', 'mitigated');
      await ok(ws, 'triage', String(xss.id), '--status', 'out-of-scope');
      // The server decided on "Weak hash" after the local triage, and on "XSS" before it.
      double.triage(serverId('Weak hash function'), { false_p: true }, new Date(Date.now() + 3_600_000));
      double.triage(serverId('Reflected cross-site scripting'), { false_p: true }, new Date(Date.now() - 3_600_000));

      const run = await ok(ws, 'pull');
      assert.match(run.stdout, new RegExp(`conflict on finding #${weak.id} \\(server #\\d+\\): local mitigated vs server false-positive; the server's decision is later and wins`));
      assert.match(run.stdout, new RegExp(`conflict on finding #${xss.id} \\(server #\\d+\\): local out-of-scope vs server false-positive; the local decision is later and wins`));

      const weakAfter = local(ws, 'Weak hash function');
      assert.equal(weakAfter.falsePositive, true);
      const lost = weakAfter.audit.find((e) => e.field === 'defectdojoSync');
      assert.ok(lost, 'the conflict is in the audit trail');
      assert.equal(lost.from, 'mitigated');
      assert.equal(lost.to, 'false-positive');
      // The local decision that lost is still there, before the server's.
      assert.ok(weakAfter.audit.some((e) => e.field === 'isMitigated' && e.to === true && !e.author.startsWith('DefectDojo ')));

      const xssAfter = local(ws, 'Reflected cross-site scripting');
      assert.equal(xssAfter.outOfScope, true);
      assert.equal(xssAfter.falsePositive, false);
      const pushed = xssAfter.audit.find((e) => e.field === 'defectdojoSync');
      assert.ok(pushed);
      assert.equal(pushed.from, 'false-positive');
      assert.equal(pushed.to, 'out-of-scope');
      const server = double.finding(serverId('Reflected cross-site scripting'));
      assert.equal(server.outOfScope, true);
    });

    it('needs an existing local store and names the server in its errors', async () => {
      const run = await ws.start('pull');
      assert.equal(run.code, 2);
      assert.match(run.stderr, /no store \(nothing has been imported here yet\)/);
    });
  });
});
