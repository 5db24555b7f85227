import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, REPO, type Workspace } from './cli-harness';
import type { StoreData } from '../../src/model';
import { writeStoreSync } from '../store-files';

/**
 * End-to-end tests of the `scan-ledger` CLI contract (docs/cli-contract.md): each test spawns the real
 * CLI in a fresh workspace folder named `app` and checks exit codes, stdout and the store.
 * Fixture reports (test/cli-fixtures, copied to `reports/`) are DefectDojo Generic Findings
 * Import JSON:
 *   v1: A (High) B (Medium) C (Low) D (Info)
 *   v2: A B E (Critical)            → C and D gone, E new
 *   v3: A C E                       → B gone, C back
 */

interface Counts {
  created: number;
  closed: number;
  reactivated: number;
  untouched: number;
}

interface ImportJson {
  testId: number;
  importId: number;
  type: 'import' | 'reimport';
  scanType: string;
  counts: Counts;
  actions: { findingId: number; action: string }[];
}

interface FindingJson {
  id: number;
  testId: number;
  title: string;
  severity: string;
  active: boolean;
  verified: boolean;
  falsePositive: boolean;
  riskAccepted: boolean;
  isMitigated: boolean;
  duplicate: boolean;
  duplicateOf: number | null;
  notes: { text: string }[];
  [key: string]: unknown;
}

const A = 'SQL injection in user lookup';
const B = 'Reflected cross-site scripting';
const C = 'Weak hash function';
const D = 'Debug logging enabled';
const E = 'Hard-coded credential';

const V1 = 'reports/generic-v1.json';
const V2 = 'reports/generic-v2.json';
const V3 = 'reports/generic-v3.json';

/** Every key of a finding in `findings --json`: DefectDojo's fields camelCased, then ours. */
const FINDING_KEYS = [
  'id',
  'testId',
  'title',
  'severity',
  'description',
  'date',
  'cwe',
  'cve',
  'filePath',
  'line',
  'componentName',
  'componentVersion',
  'uniqueIdFromTool',
  'vulnIdFromTool',
  'hashCode',
  'service',
  'mitigation',
  'impact',
  'references',
  'stepsToReproduce',
  'severityJustification',
  'payload',
  'cvssv3',
  'cvssv3Score',
  'cvssv4',
  'cvssv4Score',
  'epssScore',
  'epssPercentile',
  'knownExploited',
  'ransomwareUsed',
  'kevDate',
  'scannerConfidence',
  'fixAvailable',
  'fixVersion',
  'nbOccurences',
  'sastSourceObject',
  'sastSinkObject',
  'sastSourceLine',
  'sastSourceFilePath',
  'active',
  'verified',
  'falsePositive',
  'outOfScope',
  'riskAccepted',
  'underReview',
  'isMitigated',
  'mitigated',
  'mitigatedBy',
  'staticFinding',
  'dynamicFinding',
  'numericalSeverity',
  'duplicate',
  'duplicateOf',
  'reporter',
  'created',
  'lastStatusUpdate',
  'lastReviewed',
  'lastReviewedBy',
  'slaStartDate',
  'slaExpirationDate',
  'cwes',
  'vulnerabilityIds',
  'endpoints',
  'tags',
  'endpointStatus',
  'location',
  'suppression',
  'fingerprint',
  'riskAcceptance',
  'foundBy',
  'notes',
  'audit',
  'findingGroup',
];

/** The fields a stored finding has and a parsed one does not. */
const STORED_ONLY = new Set([
  'id',
  'testId',
  'numericalSeverity',
  'duplicate',
  'duplicateOf',
  'reporter',
  'created',
  'lastStatusUpdate',
  'lastReviewed',
  'lastReviewedBy',
  'slaStartDate',
  'slaExpirationDate',
  'endpointStatus',
  'fingerprint',
  'riskAcceptance',
  'foundBy',
  'notes',
  'audit',
  'findingGroup',
]);

function byTitle(findings: FindingJson[], title: string): FindingJson {
  const f = findings.find((x) => x.title === title);
  assert.ok(f, `no finding titled "${title}" in ${findings.map((x) => x.title).join(', ')}`);
  return f;
}

function sortedKeys(value: object): string[] {
  return Object.keys(value).sort();
}

describe('scan-ledger CLI (end to end, docs/cli-contract.md)', function () {
  // Each test spawns the CLI several times through tsx on a shared machine.
  this.timeout(120_000);

  let ws: Workspace;
  beforeEach(() => {
    ws = makeWorkspace();
  });
  afterEach(() => {
    ws.dispose();
  });

  describe('import and reimport', () => {
    it('import --json prints exactly { testId, importId, type, scanType, counts, actions }', () => {
      const result = ws.json<ImportJson>('import', V1);
      assert.deepEqual(sortedKeys(result), ['actions', 'counts', 'importId', 'scanType', 'testId', 'type']);
      assert.deepEqual(sortedKeys(result.counts), ['closed', 'created', 'reactivated', 'untouched']);
      assert.equal(result.type, 'import');
      assert.equal(result.scanType, 'Generic Findings Import');
      assert.deepEqual(result.counts, { created: 4, closed: 0, reactivated: 0, untouched: 0 });
      assert.equal(result.actions.length, 4);
      for (const a of result.actions) {
        assert.deepEqual(sortedKeys(a), ['action', 'findingId']);
        assert.equal(a.action, 'created');
      }
    });

    it('import prints one readable line and leaves stderr empty', () => {
      const r = ws.run('import', V1);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, 'Generic Findings Import → test #1 (import #1): 4 created, 0 closed, 0 reactivated, 0 untouched\n');
    });

    it('the report format is detected without --scan-type (SARIF)', () => {
      const result = ws.json<ImportJson>('import', 'reports/semgrep.sarif');
      assert.equal(result.scanType, 'SARIF');
      assert.equal(result.counts.created, 2);
    });

    it('reimport counts exactly what each successive report created, closed, reactivated and left untouched', () => {
      const first = ws.json<ImportJson>('import', V1);
      const second = ws.json<ImportJson>('reimport', V2);
      assert.equal(second.type, 'reimport');
      assert.equal(second.testId, first.testId);
      assert.deepEqual(second.counts, { created: 1, closed: 2, reactivated: 0, untouched: 2 });
      const third = ws.json<ImportJson>('reimport', V3);
      assert.deepEqual(third.counts, { created: 0, closed: 1, reactivated: 1, untouched: 2 });

      const findings = ws.json<FindingJson[]>('findings');
      const reactivated = third.actions.filter((a) => a.action === 'reactivated').map((a) => a.findingId);
      assert.deepEqual(reactivated, [byTitle(findings, C).id]);
      const closed = third.actions.filter((a) => a.action === 'closed').map((a) => a.findingId);
      assert.deepEqual(closed, [byTitle(findings, B).id]);
      assert.deepEqual(
        findings.filter((f) => f.active).map((f) => f.title).sort(),
        [A, C, E].sort(),
      );
      assert.equal(byTitle(findings, D).isMitigated, true);
    });

    it('reimport without a test to reimport into imports into a new test (§4.1 rule 4)', () => {
      const result = ws.json<ImportJson>('reimport', V1);
      assert.equal(result.type, 'import');
      assert.equal(result.counts.created, 4);
    });

    it('§4.4 B.2: --do-not-reactivate leaves the re-found mitigated finding closed; outside parity it is recorded untouched (§4.8, issue 11)', () => {
      ws.json('import', V1);
      ws.json('reimport', V2);
      const third = ws.json<ImportJson>('reimport', V3, '--do-not-reactivate');
      // Every incoming finding has an action in the default mode; DefectDojo (parity) records none for B.2.
      assert.deepEqual(third.counts, { created: 0, closed: 1, reactivated: 0, untouched: 3 });
      const c = byTitle(ws.json<FindingJson[]>('findings'), C);
      assert.equal(c.isMitigated, true);
      assert.equal(c.active, false);
      assert.deepEqual(third.actions.filter((a) => a.findingId === c.id).map((a) => a.action), ['untouched'], 'the skipped finding is untouched');
      assert.ok(c.notes.some((n) => n.text.includes('do_not_reactivate')), 'the skip is noted on the finding');
    });

    it('§4.7: reimport --no-close-old-findings leaves findings missing from the report open', () => {
      ws.json('import', V1);
      const second = ws.json<ImportJson>('reimport', V2, '--no-close-old-findings');
      assert.deepEqual(second.counts, { created: 1, closed: 0, reactivated: 0, untouched: 2 });
      const findings = ws.json<FindingJson[]>('findings', '--active');
      assert.deepEqual(findings.map((f) => f.title).sort(), [A, B, C, D, E].sort());
    });

    it('§3.3: import --close-old-findings closes findings of earlier tests of the same type that the report lacks', () => {
      ws.json('import', V1, '--test-title', 'first');
      const second = ws.json<ImportJson>('import', V2, '--test-title', 'second', '--close-old-findings');
      assert.equal(second.counts.created, 3);
      assert.equal(second.counts.closed, 2);
      const closed = ws.json<FindingJson[]>('findings').filter((f) => f.isMitigated).map((f) => f.title);
      assert.deepEqual(closed.sort(), [C, D].sort());
    });

    it('§3.4: --group-by groups new findings, findings --json names each finding\'s group, history records the option', () => {
      ws.json('import', V1, '--group-by', 'vuln_id_from_tool', '--create-finding-groups-for-all-findings', 'false');
      const none = ws.json<FindingJson[]>('findings');
      assert.ok(none.every((f) => f.findingGroup === null), 'no key is shared, so no group without all-findings');
      ws.json('reimport', V2, '--group-by', 'vuln_id_from_tool');
      const findings = ws.json<FindingJson[]>('findings');
      assert.equal(byTitle(findings, E).findingGroup, 'Findings in: Vulnerability ID hardcoded-secret');
      assert.equal(byTitle(findings, A).findingGroup, null, 'matched findings are never grouped');
      const history = ws.json<{ settings: Record<string, unknown> }[]>('history');
      assert.deepEqual(
        history.map((h) => [h.settings.groupBy, h.settings.createFindingGroupsForAllFindings]),
        [['vuln_id_from_tool', false], ['vuln_id_from_tool', true]],
      );
    });

    it('§1.6: findings --json carries the SLA expiration computed from the date and the severity', () => {
      ws.json('import', V1, '--scan-date', '2026-01-01');
      const findings = ws.json<FindingJson[]>('findings');
      assert.deepEqual(
        [A, B, C, D].map((t) => byTitle(findings, t).slaExpirationDate),
        ['2026-01-31', '2026-04-01', '2026-05-01', null],
      );
    });

    it('§1.2: --minimum-severity drops findings below it (case-insensitive severity)', () => {
      const result = ws.json<ImportJson>('import', V1, '--minimum-severity', 'medium');
      assert.equal(result.counts.created, 2);
      const severities = ws.json<FindingJson[]>('findings').map((f) => f.severity);
      assert.deepEqual(severities.sort(), ['High', 'Medium']);
    });

    it('reimport --test targets a test created empty with "test create"', () => {
      const test = ws.json<{ id: number; scanType: string; title: string }>(
        'test',
        'create',
        '--scan-type',
        'generic findings import',
        '--test-title',
        'Nightly',
      );
      assert.equal(test.scanType, 'Generic Findings Import');
      assert.equal(test.title, 'Nightly');
      const result = ws.json<ImportJson>('reimport', V1, '--test', String(test.id));
      assert.equal(result.type, 'reimport');
      assert.equal(result.testId, test.id);
      assert.equal(result.counts.created, 4);
    });
  });

  describe('concurrency', () => {
    it('§6: two scan-ledger processes reimporting into one store at once both land', async () => {
      ws.json('import', V1, '--test-title', 'web');
      ws.json('import', V1, '--test-title', 'api');
      const [web, api] = await Promise.all([
        ws.start('reimport', V2, '--test-title', 'web', '--json'),
        ws.start('reimport', V3, '--test-title', 'api', '--json'),
      ]);
      assert.equal(web.code, 0, web.stderr);
      assert.equal(api.code, 0, api.stderr);
      assert.deepEqual((JSON.parse(web.stdout) as ImportJson).counts, { created: 1, closed: 2, reactivated: 0, untouched: 2 });
      assert.deepEqual((JSON.parse(api.stdout) as ImportJson).counts, { created: 1, closed: 2, reactivated: 0, untouched: 2 });
      const history = ws.json<{ id: number; type: string }[]>('history');
      assert.deepEqual(history.map((h) => h.type), ['import', 'import', 'reimport', 'reimport']);
    });
  });

  describe('improvement 10: hash configuration recorded by imports', () => {
    it('an import records its test type\'s hash configuration, so the next reimport recomputes nothing unless the configuration changed', () => {
      ws.json('import', V1);
      assert.ok('Generic Findings Import' in ws.storeData().hashConfigFingerprints, 'recorded by the import itself');
      const same = ws.run('reimport', V1);
      assert.equal(same.code, 0, same.stderr);
      assert.doesNotMatch(same.stdout, /hash configuration changed/);
      assert.equal(ws.run('config', 'set', 'dedupe.hashFieldsPerScanType', '{"Generic Findings Import":["title"]}').code, 0);
      const changed = ws.run('reimport', V1);
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, /The hash configuration changed: \d+ stored hash codes? recomputed first\./);
    });
  });

  describe('triage', () => {
    it('a false positive stays a false positive on every later reimport', () => {
      ws.json('import', V1);
      const a = byTitle(ws.json<FindingJson[]>('findings'), A);
      const triaged = ws.json<FindingJson>('triage', String(a.id), '--status', 'false-positive', '--reason', 'input is a constant');
      assert.equal(triaged.falsePositive, true);
      assert.equal(triaged.active, false);

      ws.json('reimport', V1);
      ws.json('reimport', V2);
      const after = byTitle(ws.json<FindingJson[]>('findings'), A);
      assert.equal(after.id, a.id);
      assert.equal(after.falsePositive, true);
      assert.equal(after.active, false);
      assert.equal(ws.json<FindingJson[]>('findings').filter((f) => f.title === A).length, 1, 'no second copy was created');
    });

    it('an expired risk acceptance reopens its finding when findings are listed, and the listing saves it', () => {
      ws.json('import', V1);
      const findings = ws.json<FindingJson[]>('findings');
      const a = byTitle(findings, A);
      const b = byTitle(findings, B);
      for (const f of [a, b]) {
        ws.json('triage', String(f.id), '--status', 'risk-accepted', '--reason', 'fix planned', '--expires', '2999-12-31');
      }
      assert.equal(byTitle(ws.json<FindingJson[]>('findings'), A).riskAccepted, true);
      // Let both acceptances lapse, as time passing would: the engine refuses a past expiry.
      const store = ws.storeData() as unknown as { findings: { id: number; riskAcceptance: { expires: string } }[] };
      for (const f of store.findings) if (f.id === a.id || f.id === b.id) f.riskAcceptance.expires = '2000-01-01';
      writeStoreSync(ws.storePath, store as unknown as StoreData);

      const listed = byTitle(ws.json<FindingJson[]>('findings', '--severity', 'high'), A);
      assert.equal(listed.riskAccepted, false);
      assert.equal(listed.active, true);
      assert.ok(listed.notes.some((n) => n.text.includes('Risk acceptance expired on 2000-01-01')));
      // The listing saved the reopening, so the next command finds both already reopened.
      const stored = ws.storeData() as unknown as { findings: { id: number; riskAccepted: boolean }[] };
      assert.deepEqual(
        stored.findings.filter((f) => f.id === a.id || f.id === b.id).map((f) => f.riskAccepted),
        [false, false],
      );
    });

    it('an import first ends the risk acceptances that expired and says so', () => {
      ws.json('import', V1);
      const a = byTitle(ws.json<FindingJson[]>('findings'), A);
      ws.json('triage', String(a.id), '--status', 'risk-accepted', '--reason', 'fix planned', '--expires', '2999-12-31');
      const store = ws.storeData() as unknown as { findings: { id: number; riskAcceptance: { expires: string } }[] };
      for (const f of store.findings) if (f.id === a.id) f.riskAcceptance.expires = '2000-01-01';
      writeStoreSync(ws.storePath, store as unknown as StoreData);
      const r = ws.run('reimport', V1);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^1 expired risk acceptance ended first\.\n/);
      assert.equal(byTitle(ws.json<FindingJson[]>('findings'), A).active, true);
    });

    it('the acting user is asked of git only when something is recorded in their name: listings never start git for it, a triage does and records git\'s user.name', () => {
      // A git on PATH that logs each call, then runs the real one.
      const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
      assert.ok(realGit, 'git is installed');
      const bin = path.join(path.dirname(ws.root), 'logging-bin');
      const log = path.join(path.dirname(ws.root), 'git-calls.log');
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
      chmodSync(path.join(bin, 'git'), 0o755);
      const logged = makeWorkspace(undefined, { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` });
      try {
        writeFileSync(path.join(path.dirname(logged.root), 'gitconfig'), '[user]\n\tname = Grace Hopper\n');
        const calls = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
        const askedForUser = (): number => calls().filter((c) => c === 'config user.name').length;
        logged.json('import', V1);
        assert.equal(askedForUser(), 1, 'an import records findings in the user\'s name');
        const a = byTitle(logged.json<FindingJson[]>('findings'), A);
        logged.json('history');
        assert.equal(logged.run('gate', '--fail-on', 'critical').code, 0);
        assert.equal(askedForUser(), 1, `listings, history and a passing gate did not ask (${calls().join('; ')})`);
        const triaged = logged.json<FindingJson>('triage', String(a.id), '--status', 'false-positive', '--reason', 'constant input');
        assert.equal(askedForUser(), 2, 'the triage asked');
        assert.equal(triaged.lastReviewedBy, 'Grace Hopper');
      } finally {
        logged.dispose();
      }
    });

    it('triage prints the new status in one line', () => {
      ws.json('import', V1);
      const b = byTitle(ws.json<FindingJson[]>('findings'), B);
      const r = ws.run('triage', String(b.id), '--status', 'out-of-scope', '--note', 'test fixture only');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Finding #${b.id} is now out of scope: ${B}\n`);
    });
  });

  describe('deduplication scope (§5.2)', () => {
    it('the same report in two engagements of one product makes the second test duplicates of the first', () => {
      const first = ws.json<ImportJson>('import', V1, '--engagement', 'Sprint 1');
      const second = ws.json<ImportJson>('import', V1, '--engagement', 'Sprint 2');
      const findings = ws.json<FindingJson[]>('findings');
      const originals = findings.filter((f) => f.testId === first.testId);
      const copies = findings.filter((f) => f.testId === second.testId);
      assert.equal(copies.length, 4);
      for (const copy of copies) {
        assert.equal(copy.duplicate, true, `${copy.title} is a duplicate`);
        assert.equal(copy.active, false);
        assert.equal(copy.duplicateOf, byTitle(originals, copy.title).id);
      }
      assert.equal(ws.json<FindingJson[]>('findings', '--duplicates').length, 4);
      assert.equal(ws.json<FindingJson[]>('findings', '--engagement', 'Sprint 2', '--active').length, 0);
    });

    it('an engagement set to deduplication_on_engagement never shares duplicates with the rest of the product', () => {
      ws.json('import', V1, '--product', 'P', '--engagement', 'Main');
      const set = ws.run('engagement', 'set', 'Isolated', '--product', 'P', '--deduplication-on-engagement', 'true');
      assert.equal(set.code, 0, set.stderr);
      assert.match(set.stdout, /engagement #2 "Isolated" in product "P" \(deduplication within the engagement only\)/);
      const isolated = ws.json<ImportJson>('import', V1, '--product', 'P', '--engagement', 'Isolated');
      const findings = ws.json<FindingJson[]>('findings', '--product', 'P', '--engagement', 'Isolated');
      assert.equal(findings.length, 4);
      assert.ok(findings.every((f) => f.testId === isolated.testId && !f.duplicate && f.active));
      // A third engagement without the flag still deduplicates against the first.
      ws.json('import', V1, '--product', 'P', '--engagement', 'Shared');
      assert.equal(ws.json<FindingJson[]>('findings', '--product', 'P', '--engagement', 'Shared', '--duplicates').length, 4);
    });

    it('engagement create refuses a name that exists; engagement set changes its flag', () => {
      const created = ws.json<{ id: number; deduplicationOnEngagement: boolean }>('engagement', 'create', 'Release', '--product', 'P');
      assert.equal(created.deduplicationOnEngagement, false);
      const again = ws.run('engagement', 'create', 'Release', '--product', 'P');
      assert.equal(again.code, 2);
      const updated = ws.json<{ id: number; deduplicationOnEngagement: boolean }>(
        'engagement',
        'set',
        'Release',
        '--product',
        'P',
        '--deduplication-on-engagement',
        'true',
      );
      assert.equal(updated.id, created.id);
      assert.equal(updated.deduplicationOnEngagement, true);
    });
  });

  describe('bad input: exit 2, one stderr line naming the problem, store unchanged', () => {
    const cases: { name: string; args: string[]; mentions: RegExp }[] = [
      { name: 'unknown option', args: ['import', V2, '--bogus'], mentions: /unknown option '--bogus'/ },
      { name: 'unknown command', args: ['imprt', V2], mentions: /unknown command 'imprt'/ },
      { name: 'missing report file', args: ['import', 'reports/nope.json'], mentions: /reports\/nope\.json: no such file/ },
      { name: 'malformed report', args: ['reimport', 'reports/malformed.json'], mentions: /reports\/malformed\.json/ },
      { name: 'report no parser recognises', args: ['import', 'reports/not-a-report.json'], mentions: /reports\/not-a-report\.json/ },
      { name: 'unknown scan type', args: ['import', V2, '--scan-type', 'Bogus Scan'], mentions: /reports\/generic-v2\.json: unknown scan type "Bogus Scan"/ },
      { name: 'bad date', args: ['reimport', V2, '--scan-date', '2026-02-30'], mentions: /--scan-date.*2026-02-30/ },
      { name: 'scan date in the future', args: ['import', V2, '--scan-date', '2999-01-01'], mentions: /2999-01-01 is in the future/ },
      { name: 'bad severity', args: ['import', V2, '--minimum-severity', 'urgent'], mentions: /--minimum-severity.*urgent/ },
      { name: 'bad boolean', args: ['import', V2, '--active', 'yes'], mentions: /--active.*yes/ },
      { name: 'unknown group-by option', args: ['import', V2, '--group-by', 'severity'], mentions: /--group-by.*severity/ },
      { name: 'unknown test id on reimport', args: ['reimport', V2, '--test', '99'], mentions: /Test 99 does not exist/ },
      { name: 'unknown finding id on triage', args: ['triage', '99', '--status', 'false-positive'], mentions: /finding 99: no such finding/ },
      { name: 'bad triage status', args: ['triage', '1', '--status', 'ignored'], mentions: /--status.*ignored/ },
      { name: 'unknown test id on findings', args: ['findings', '--test', '99'], mentions: /--test 99: no such test/ },
      { name: 'unknown finding id on delete', args: ['finding', 'delete', '99'], mentions: /finding 99: no such finding/ },
      { name: 'a folder instead of a report', args: ['import', 'reports'], mentions: /reports: is a folder/ },
      { name: 'unknown setting key', args: ['config', 'set', 'dedupe.bogus', 'true'], mentions: /unknown setting "dedupe\.bogus"/ },
      { name: 'invalid setting value', args: ['config', 'set', 'minimumSeverity', 'Urgent'], mentions: /minimumSeverity/ },
      { name: 'group without subcommand', args: ['config'], mentions: /config: missing subcommand/ },
    ];

    // One workspace with one imported report serves every case: each case checks that the
    // store is byte-identical afterwards, so no case can affect the next.
    let target: Workspace;
    let original: Buffer | null;
    before(() => {
      target = makeWorkspace();
      target.json('import', V1);
      original = target.storeBytes();
    });
    after(() => {
      target.dispose();
    });

    for (const c of cases) {
      it(`${c.name}: scan-ledger ${c.args.join(' ')}`, () => {
        assert.ok(original, 'the store exists before the bad command');
        const r = target.run(...c.args);
        assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^scan-ledger: [^\n]+\n$/, `exactly one stderr line: ${JSON.stringify(r.stderr)}`);
        assert.match(r.stderr, c.mentions);
        assert.ok(target.storeBytes()?.equals(original), 'the store file is byte-identical');
        assert.ok(!existsSync(path.join(target.root, '.vscode', 'settings.json')), 'no settings were written');
      });
    }
  });

  describe('--json shapes', () => {
    it('findings --json carries every DefectDojo field camelCased, then ours, with ISO dates', () => {
      ws.json('import', V1);
      const findings = ws.json<FindingJson[]>('findings');
      assert.equal(findings.length, 4);
      for (const f of findings) assert.deepEqual(Object.keys(f), FINDING_KEYS);
      const a = byTitle(findings, A);
      assert.equal(a.filePath, 'src/db/users.js');
      assert.equal(a.line, 42);
      assert.equal(a.cwe, 89);
      assert.equal(a.vulnIdFromTool, 'sql-injection');
      assert.equal(a.falsePositive, false);
      assert.equal(a.duplicateOf, null);
      assert.deepEqual(a.endpoints, []);
      assert.match(String(a.date), /^\d{4}-\d{2}-\d{2}/);
      assert.match(String(a.created), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    });

    it('findings filters by severity and activity', () => {
      ws.json('import', V1);
      ws.json('reimport', V2);
      assert.deepEqual(
        ws.json<FindingJson[]>('findings', '--severity', 'critical').map((f) => f.title),
        [E],
      );
      assert.deepEqual(ws.json<FindingJson[]>('findings', '--active').map((f) => f.title).sort(), [A, B, E].sort());
    });

    it('parse --json prints { scanType, findings } without ids and never touches the store', () => {
      const parsed = ws.json<{ scanType: string; findings: Record<string, unknown>[] }>('parse', V1);
      assert.deepEqual(sortedKeys(parsed), ['findings', 'scanType']);
      assert.equal(parsed.scanType, 'Generic Findings Import');
      assert.equal(parsed.findings.length, 4);
      const expected = FINDING_KEYS.filter((k) => !STORED_ONLY.has(k));
      for (const f of parsed.findings) assert.deepEqual(Object.keys(f), expected);
      assert.equal(parsed.findings[0].title, A);
      assert.ok(!existsSync(path.join(ws.root, '.scan-ledger')), 'no store folder was created');
    });

    it('parse without --json lists the findings', () => {
      const r = ws.run('parse', 'reports/semgrep.sarif');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^reports\/semgrep\.sarif: SARIF \(Semgrep OSS Scan \(SARIF\)\), 2 findings\n/);
      assert.match(r.stdout, /High\s+src\/app\.js:12\s+User data flows into res\.send\(\)/);
      assert.ok(!existsSync(path.join(ws.root, '.scan-ledger')));
    });

    it('history --json gives every import record with its counts and per-finding actions', () => {
      ws.json('import', V1);
      ws.json('reimport', V2);
      const history = ws.json<{ id: number; type: string; counts: Counts; actions: { findingId: number; action: string }[] }[]>(
        'history',
      );
      assert.deepEqual(
        history.map((h) => [h.id, h.type]),
        [
          [1, 'import'],
          [2, 'reimport'],
        ],
      );
      assert.deepEqual(history[1].counts, { created: 1, closed: 2, reactivated: 0, untouched: 2 });
      assert.equal(history[1].actions.length, 5);
      assert.deepEqual(history[1].actions.map((a) => a.action).sort(), ['closed', 'closed', 'created', 'untouched', 'untouched']);
    });

    it('history without --json is a table with one row per import', () => {
      ws.json('import', V1);
      ws.json('reimport', V2);
      const r = ws.run('history');
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 3);
      assert.match(lines[0], /^IMPORT\s+DATE \(UTC\)\s+TYPE\s+TEST\s+CREATED\s+CLOSED\s+REACTIVATED\s+UNTOUCHED\s+REPORT/);
      assert.match(lines[2], /^#2 .* reimport .*\s1\s+2\s+0\s+2\s+reports\/generic-v2\.json/);
    });
  });

  describe('config', () => {
    it('config set writes .vscode/settings.json and config get reads it back', () => {
      const set = ws.run('config', 'set', 'dedupe.algorithmPerScanType', '{"Generic Findings Import":"unique_id_from_tool"}');
      assert.equal(set.code, 0, set.stderr);
      const file = JSON.parse(readFileSync(path.join(ws.root, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(file['scanLedger.dedupe.algorithmPerScanType'], { 'Generic Findings Import': 'unique_id_from_tool' });
      assert.deepEqual(ws.json('config', 'get', 'dedupe.algorithmPerScanType'), {
        key: 'dedupe.algorithmPerScanType',
        value: { 'Generic Findings Import': 'unique_id_from_tool' },
      });
      assert.equal(ws.run('config', 'set', 'defectdojoParity', 'true').code, 0);
      assert.equal(ws.run('config', 'get', 'defectdojoParity').stdout, 'true\n');
    });

    it('config get shows the default of a setting that is not set', () => {
      assert.deepEqual(ws.json('config', 'get', 'reimport.closeOldFindings'), { key: 'reimport.closeOldFindings', value: true });
    });

    it('settings written by config set govern the next import (minimumSeverity)', () => {
      assert.equal(ws.run('config', 'set', 'minimumSeverity', 'high').code, 0);
      const result = ws.json<ImportJson>('import', V1);
      assert.equal(result.counts.created, 1);
    });

    it('settings written by config set govern the next reimport (reimport.closeOldFindings false)', () => {
      ws.json('import', V1);
      assert.equal(ws.run('config', 'set', 'reimport.closeOldFindings', 'false').code, 0);
      const second = ws.json<ImportJson>('reimport', V2);
      assert.equal(second.counts.closed, 0);
      // The explicit option still wins over the setting.
      const third = ws.json<ImportJson>('reimport', V2, '--close-old-findings');
      assert.equal(third.counts.closed, 2);
    });
  });

  describe('hash configuration changes (docs/improvements.md §3 improvement 10)', () => {
    const fields = JSON.stringify({ 'Generic Findings Import': ['title', 'severity', 'filePath'] });

    it('improvement 10: after a hash-field change, reimport recomputes stored hash codes instead of closing and recreating', () => {
      ws.json('import', V1);
      assert.equal(ws.run('config', 'set', 'dedupe.hashFieldsPerScanType', fields).code, 0);
      const r = ws.run('reimport', V1);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^The hash configuration changed: 4 stored hash codes recomputed first\.\n/m);
      assert.match(r.stdout, /\(reimport #2\): 0 created, 0 closed, 0 reactivated, 4 untouched\n$/);
    });

    it('§6.4 with defectdojoParity: the same change closes every stored finding and creates it again', () => {
      ws.json('import', V1);
      assert.equal(ws.run('config', 'set', 'dedupe.hashFieldsPerScanType', fields).code, 0);
      assert.equal(ws.run('config', 'set', 'defectdojoParity', 'true').code, 0);
      const result = ws.json<ImportJson>('reimport', V1);
      assert.deepEqual(result.counts, { created: 4, closed: 4, reactivated: 0, untouched: 0 });
    });
  });

  describe('gate', () => {
    it('fails (exit 1) on active originals at or above the severity and prints them', () => {
      ws.json('import', V1);
      const failed = ws.run('gate', '--fail-on', 'high');
      assert.equal(failed.code, 1);
      assert.match(failed.stdout, new RegExp(`High\\s+active\\s+src/db/users\\.js:42\\s+${A}`));
      assert.doesNotMatch(failed.stdout, new RegExp(B));
      assert.equal(failed.stderr, 'scan-ledger: gate failed: 1 active finding at or above High\n');
      const passed = ws.run('gate', '--fail-on', 'critical');
      assert.equal(passed.code, 0, passed.stderr);
      assert.match(passed.stdout, /Gate passed/);
    });

    it('--new-since-import N only counts findings created by later imports', () => {
      ws.json('import', V1);
      ws.json('reimport', V2);
      const newCritical = ws.run('gate', '--fail-on', 'critical', '--new-since-import', '1', '--json');
      assert.equal(newCritical.code, 1);
      const report = JSON.parse(newCritical.stdout) as { passed: boolean; findings: FindingJson[] };
      assert.equal(report.passed, false);
      assert.deepEqual(report.findings.map((f) => f.title), [E]);
      assert.equal(ws.run('gate', '--fail-on', 'high', '--new-since-import', '2').code, 0);
    });

    it('duplicates and triaged findings do not fail the gate', () => {
      ws.json('import', V1, '--engagement', 'One');
      ws.json('import', V1, '--engagement', 'Two');
      const a = ws.json<FindingJson[]>('findings', '--engagement', 'One').find((f) => f.title === A);
      assert.ok(a);
      assert.equal(ws.run('gate', '--fail-on', 'high', '--json').code, 1);
      ws.json('triage', String(a.id), '--status', 'risk-accepted', '--reason', 'compensating control', '--expires', '2999-12-31');
      assert.equal(ws.run('gate', '--fail-on', 'high').code, 0);
    });

    it('issue 9: fails closed (exit 2, one line naming the missing store) in a folder without a store, creating nothing', () => {
      const r = ws.run('gate', '--fail-on', 'info');
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^scan-ledger: [^\n]*\.scan-ledger\/store\.json: no store[^\n]*\n$/);
      assert.ok(!existsSync(path.join(ws.root, '.scan-ledger')));
    });

    it('issue 9: reading commands need a store too: findings and history without one exit 2 and create nothing', () => {
      for (const args of [['findings'], ['findings', '--json'], ['history'], ['triage', '1', '--status', 'false-positive'], ['finding', 'delete', '1']]) {
        const r = ws.run(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^scan-ledger: [^\n]*store\.json: no store[^\n]*\n$/, args.join(' '));
      }
      assert.ok(!existsSync(path.join(ws.root, '.scan-ledger')));
    });

    it('requires --fail-on', () => {
      const r = ws.run('gate');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^scan-ledger: required option '--fail-on <severity>' not specified\n$/);
    });
  });

  describe('finding delete (§5.7)', () => {
    it('deleting an original promotes its lowest-id duplicate', () => {
      ws.json('import', V1, '--engagement', 'One');
      ws.json('import', V1, '--engagement', 'Two');
      const findings = ws.json<FindingJson[]>('findings');
      const original = findings.find((f) => f.title === A && !f.duplicate);
      const copy = findings.find((f) => f.title === A && f.duplicate);
      assert.ok(original && copy);
      const r = ws.run('finding', 'delete', String(original.id));
      assert.equal(r.code, 0, r.stderr);
      const after = ws.json<FindingJson[]>('findings');
      assert.ok(!after.some((f) => f.id === original.id));
      const promoted = after.find((f) => f.id === copy.id);
      assert.ok(promoted);
      assert.equal(promoted.duplicate, false);
      assert.equal(promoted.duplicateOf, null);
      assert.equal(promoted.active, true);
    });
  });

  describe('the bundled demo workspace (samples/demo-workspace)', () => {
    it('its real ESLint reports reimport as its README says: 5 created; 1 created, 1 closed; 1 reactivated', () => {
      const demo = makeWorkspace(path.join(REPO, 'samples', 'demo-workspace'));
      try {
        const v1 = demo.json<ImportJson>('import', 'reports/eslint-v1.sarif');
        assert.equal(v1.scanType, 'SARIF');
        assert.deepEqual(v1.counts, { created: 5, closed: 0, reactivated: 0, untouched: 0 });
        const v2 = demo.json<ImportJson>('reimport', 'reports/eslint-v2.sarif');
        assert.deepEqual(v2.counts, { created: 1, closed: 1, reactivated: 0, untouched: 4 });
        const v3 = demo.json<ImportJson>('reimport', 'reports/eslint-v3.sarif');
        assert.deepEqual(v3.counts, { created: 0, closed: 0, reactivated: 1, untouched: 5 });
        assert.ok(demo.json<FindingJson[]>('findings').every((f) => f.active));
      } finally {
        demo.dispose();
      }
    });
  });

  describe('help', () => {
    it('--help exits 0 and lists every command', () => {
      const r = ws.run('--help');
      assert.equal(r.code, 0);
      for (const command of ['import', 'reimport', 'findings', 'history', 'triage', 'config', 'engagement', 'test', 'finding', 'parse', 'gate']) {
        assert.match(r.stdout, new RegExp(`^  ${command}\\b`, 'm'));
      }
    });
  });
});
