import { strict as assert } from 'node:assert';
import { importScan } from '../../src/engine/import-scan';
import {
  applySharedTriage,
  parseSharedTriage,
  pendingSharedDecisions,
  recordSharedDecision,
  resolveSharedDecisions,
  serialiseSharedTriage,
  SharedTriageFormatError,
  type SharedTriageDecision,
} from '../../src/engine/shared-triage';
import type { Finding } from '../../src/model';
import { engineContext, importOptions, newLedger, parsedFinding, report } from '../builders';

const decision = (key: string, at: string, status: SharedTriageDecision['status'] = 'false-positive', author = 'bob'): SharedTriageDecision => ({
  key, status, author, at, reason: 'test data',
});

describe('shared triage file (.scan-ledger/triage.json)', () => {
  it('serialises sorted by key, one decision per line, byte-stable', () => {
    const file = { version: 1 as const, decisions: [decision('content:b', '2026-01-02T00:00:00Z'), decision('content:a', '2026-01-01T00:00:00Z')] };
    const text = serialiseSharedTriage(file);
    const lines = text.split('\n');
    assert.ok(lines[3].includes('"content:a"'));
    assert.ok(lines[4].includes('"content:b"'));
    assert.equal(serialiseSharedTriage(parseSharedTriage(text, 'triage.json')), text);
  });

  it('recording a decision replaces the earlier decision for the same key', () => {
    let file = { version: 1 as const, decisions: [decision('k', '2026-01-01T00:00:00Z')] };
    file = recordSharedDecision(file, decision('k', '2026-02-01T00:00:00Z', 'active'));
    assert.equal(file.decisions.length, 1);
    assert.equal(file.decisions[0].status, 'active');
  });

  it('conflicting decisions (a git merge kept both) resolve by the latest timestamp; the loser is kept', () => {
    const file = { version: 1 as const, decisions: [decision('k', '2026-02-01T00:00:00Z', 'active', 'carol'), decision('k', '2026-01-01T00:00:00Z', 'false-positive', 'bob')] };
    const { winners, losers } = resolveSharedDecisions(file);
    assert.equal(winners.get('k')?.author, 'carol');
    assert.equal(losers.get('k')?.[0].author, 'bob');
  });

  it('rejects malformed files with a message naming the file', () => {
    assert.throws(() => parseSharedTriage('{"decisions": [{"key": "k", "status": "nope", "author": "a", "at": "2026-01-01"}]}', '.scan-ledger/triage.json'), (e: unknown) => e instanceof SharedTriageFormatError && /triage\.json: decision 0 has an unknown status/.test(e.message));
    assert.throws(() => parseSharedTriage('{', 'triage.json'), SharedTriageFormatError);
  });

  it('a decision applies to a finding with that fingerprint whose status differs and is older', () => {
    const f = { id: 1, fingerprint: 'content:x', hashCode: 'h', duplicate: false, falsePositive: false, outOfScope: false, riskAccepted: false, isMitigated: false, audit: [] } as unknown as Finding;
    const file = { version: 1 as const, decisions: [decision('content:x', '2026-01-01T00:00:00Z')] };
    assert.equal(pendingSharedDecisions([f], file).length, 1);
    f.audit.push({ at: '2026-02-01T00:00:00Z', author: 'me', field: 'active', from: false, to: true, reason: 'reopened' });
    assert.equal(pendingSharedDecisions([f], file).length, 0, 'a newer local change wins');
  });
});

describe('shared triage applied on import', () => {
  it("a teammate's false positive holds here, attributed to them, with the conflict loser kept in the audit", () => {
    const ledger = newLedger();
    const ctx = engineContext();
    importScan(ledger, report('Bandit Scan', [parsedFinding({ filePath: 'a.py', line: 3, vulnIdFromTool: 'exec_used:B102' })]), importOptions('Bandit Scan'), ctx);
    const f = ledger.data.findings[0];
    const key = f.fingerprint ?? `hash:${f.hashCode}`;
    const file = { version: 1 as const, decisions: [decision(key, '2026-03-01T00:00:00Z', 'false-positive', 'bob'), decision(key, '2026-02-01T00:00:00Z', 'active', 'carol')] };
    const changed = applySharedTriage(ledger, ledger.data.findings, file, ctx);
    assert.equal(changed.length, 1);
    assert.equal(f.falsePositive, true);
    assert.equal(f.active, false);
    assert.ok(f.audit.some((a) => a.field === 'sharedTriage' && /carol/.test(String(a.reason))));
    assert.ok(f.audit.some((a) => /shared triage by bob/.test(String(a.reason))));
    assert.equal(applySharedTriage(ledger, ledger.data.findings, file, ctx).length, 0, 'applying twice changes nothing');
  });
});
