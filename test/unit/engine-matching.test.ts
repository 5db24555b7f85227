import { strict as assert } from 'node:assert';
import type { Finding } from '../../src/model';
import { importScan } from '../../src/engine/import-scan';
import type { SourcePort } from '../../src/engine/context';
import { fingerprintMatcher } from '../../src/engine/fingerprint';
import {
  hashCodeMatcher,
  legacyMatcher,
  selectMatch,
  uniqueIdMatcher,
  uniqueIdOrHashMatcher,
  unreliableUniqueIds,
} from '../../src/engine/matching';
import { REIMPORT_MATCHERS, reimportMatcherFor } from '../../src/engine/reimport-matchers';
import { reimportScan } from '../../src/engine/reimport-scan';
import { DEDUPE_ALGORITHMS } from '../../src/model';
import { engineContext, importOptions, later, newLedger, parsedFinding, report } from '../builders';

const ctx = engineContext();

/** Minimal stored findings for index tests: only the keys matter. */
function stored(id: number, over: Partial<Finding>): Finding {
  return { id, title: 't', severity: 'High', hashCode: null, uniqueIdFromTool: null, ...over } as Finding;
}

const ids = (list: { finding: Finding }[]) => list.map((m) => m.finding.id);

describe('engine matching: §4.3 candidate matching per algorithm', () => {
  const test = [
    stored(1, { hashCode: 'h1', uniqueIdFromTool: 'u2', title: 'SQL Injection', severity: 'High' }),
    stored(2, { hashCode: 'h2', uniqueIdFromTool: 'u1', title: 'sql injection', severity: 'High' }),
    stored(3, { hashCode: 'h1', uniqueIdFromTool: '', title: 'SQL injection', severity: 'Low' }),
  ];

  it('§4.3 hash_code: findings with equal non-null hash_code, oldest first', () => {
    const index = hashCodeMatcher.buildIndex(test, ctx);
    assert.deepEqual(ids(index.candidates(stored(0, { hashCode: 'h1' }))), [1, 3]);
    assert.deepEqual(index.candidates(stored(0, { hashCode: null })), []);
  });

  it('§4.3 unique_id_from_tool: null never matches; the empty string is not null', () => {
    const index = uniqueIdMatcher.buildIndex(test, ctx);
    assert.deepEqual(ids(index.candidates(stored(0, { uniqueIdFromTool: 'u1' }))), [2]);
    assert.deepEqual(index.candidates(stored(0, { uniqueIdFromTool: null })), []);
    assert.deepEqual(ids(index.candidates(stored(0, { uniqueIdFromTool: '' }))), [3]);
  });

  it('§4.3 unique_id_from_tool_or_hash_code: union of hash-equal and uid-equal findings, de-duplicated by id, ascending', () => {
    const index = uniqueIdOrHashMatcher.buildIndex(test, ctx);
    const matches = index.candidates(stored(0, { hashCode: 'h1', uniqueIdFromTool: 'u1' }));
    assert.deepEqual(ids(matches), [1, 2, 3]);
    assert.deepEqual(matches.map((m) => m.tier), ['hash_code', 'unique_id_from_tool', 'hash_code']);
    const both = index.candidates(stored(0, { hashCode: 'h1', uniqueIdFromTool: 'u2' }));
    assert.deepEqual(ids(both), [1, 3], 'a finding equal on both keys is listed once');
  });

  it('§4.3 legacy: lower(title) and severity; file, line and cwe are ignored; an empty title never matches', () => {
    const index = legacyMatcher.buildIndex(test, ctx);
    assert.deepEqual(ids(index.candidates(stored(0, { title: 'SQL INJECTION', severity: 'High', line: 99 }))), [1, 2]);
    assert.deepEqual(ids(index.candidates(stored(0, { title: 'sql injection', severity: 'Low' }))), [3]);
    assert.deepEqual(index.candidates(stored(0, { title: '', severity: 'High' })), []);
  });

  it('§4.3: new findings created earlier in the same batch are added to the in-memory candidate maps', () => {
    const index = hashCodeMatcher.buildIndex(test, ctx);
    index.add(stored(9, { hashCode: 'new' }));
    assert.deepEqual(ids(index.candidates(stored(0, { hashCode: 'new' }))), [9]);
  });

  it('§3.3 step 3: close-old presence per algorithm (uid_or_hash: non-null hash or non-null uid)', () => {
    const created = [stored(10, { hashCode: 'h1', uniqueIdFromTool: null })];
    assert.equal(uniqueIdOrHashMatcher.stillPresent(created)(stored(1, { hashCode: 'h1', uniqueIdFromTool: 'zz' })), true);
    assert.equal(uniqueIdMatcher.stillPresent(created)(stored(1, { hashCode: 'h1', uniqueIdFromTool: null })), false);
    assert.equal(legacyMatcher.stillPresent(created)(stored(1, { hashCode: 'h1' })), true);
  });
});

describe('engine matching: binding an incoming finding (§4.3 lowest id, improvement 1)', () => {
  const candidates = [1, 2, 3].map((id) => ({ finding: stored(id, {}), tier: 'hash_code' }));

  it('§4.3: DefectDojo uses only the first (lowest id) candidate', () => {
    assert.equal(selectMatch(candidates, new Set([1]), false)!.finding.id, 1);
  });

  it('improvement 1 (reimport.oneToOneMatching): an unused candidate first, then the lowest id', () => {
    assert.equal(selectMatch(candidates, new Set([1]), true)!.finding.id, 2);
    assert.equal(selectMatch(candidates, new Set([1, 2, 3]), true)!.finding.id, 1);
    assert.equal(selectMatch([], new Set(), true), undefined);
  });
});

describe('engine matching: improvement 2 (unreliable unique ids)', () => {
  it('a uid that repeats within one report, "" and placeholders like "requires login" are unreliable', () => {
    const isUnreliable = unreliableUniqueIds(['a', 'b', 'b', null, '', 'Requires Login']);
    assert.deepEqual(['a', 'b', '', 'Requires Login', 'requires login', ' '].map(isUnreliable), [false, true, true, true, true, true]);
  });

  const sarif = (uid: string) => [
    parsedFinding({ title: 'one', uniqueIdFromTool: uid }),
    parsedFinding({ title: 'two', uniqueIdFromTool: uid }),
    parsedFinding({ title: 'three', uniqueIdFromTool: uid }),
  ];

  it('default: placeholder uids count as null, so each finding matches by its own hash and nothing is closed', () => {
    const ledger = newLedger();
    // One-to-one matching off, so only improvement 2 is at work.
    const c = engineContext({ settings: { 'dedupe.enabled': false, 'reimport.oneToOneMatching': false } });
    importScan(ledger, report('SARIF', sarif('requires login')), importOptions('SARIF'), c);
    const res = reimportScan(ledger, report('SARIF', sarif('requires login')), importOptions('SARIF'), later(c));
    assert.deepEqual(res.counts, { created: 0, closed: 0, reactivated: 0, untouched: 3 });
    assert.deepEqual(res.actions.map((a) => a.matchTier), ['hash_code', 'hash_code', 'hash_code']);
  });

  it('defectdojoParity: all collapse onto the lowest-id finding through the shared uid and the rest are closed (§4.10, #11470)', () => {
    const ledger = newLedger();
    const c = engineContext({ settings: { 'dedupe.enabled': false, defectdojoParity: true } });
    importScan(ledger, report('SARIF', sarif('requires login')), importOptions('SARIF'), c);
    const res = reimportScan(ledger, report('SARIF', sarif('requires login')), importOptions('SARIF'), later(c));
    assert.deepEqual(res.counts, { created: 0, closed: 2, reactivated: 0, untouched: 1 });
  });
});

describe('engine matching: improvement 2 under unique_id_from_tool alone', () => {
  const GO = 'Govulncheck Scanner';
  const shared = [parsedFinding({ title: 'first', uniqueIdFromTool: 'GO-1' }), parsedFinding({ title: 'second', uniqueIdFromTool: 'GO-1' })];

  it('default: a repeated uid is kept (it is the only key) and one-to-one matching keeps the findings apart', () => {
    const ledger = newLedger();
    const c = engineContext({ settings: { 'dedupe.enabled': false } });
    importScan(ledger, report(GO, shared), importOptions(GO), c);
    assert.deepEqual(ledger.data.findings.map((f) => f.uniqueIdFromTool), ['GO-1', 'GO-1']);
    assert.deepEqual(reimportScan(ledger, report(GO, shared), importOptions(GO), later(c)).counts, { created: 0, closed: 0, reactivated: 0, untouched: 2 });
  });

  it('defectdojoParity: both collapse onto the lowest id and the other is closed', () => {
    const ledger = newLedger();
    const c = engineContext({ settings: { 'dedupe.enabled': false, defectdojoParity: true } });
    importScan(ledger, report(GO, shared), importOptions(GO), c);
    assert.deepEqual(reimportScan(ledger, report(GO, shared), importOptions(GO), later(c)).counts, { created: 0, closed: 1, reactivated: 0, untouched: 1 });
  });
});

describe('engine matching: the static matcher table (issue 15)', () => {
  it('every algorithm, fingerprint included, has its own matcher: none falls back silently', () => {
    for (const algorithm of DEDUPE_ALGORITHMS) {
      assert.equal(reimportMatcherFor(algorithm), REIMPORT_MATCHERS[algorithm]);
      assert.equal(REIMPORT_MATCHERS[algorithm].algorithm, algorithm);
    }
    assert.equal(REIMPORT_MATCHERS.fingerprint, fingerprintMatcher);
    assert.deepEqual(Object.keys(REIMPORT_MATCHERS).sort(), [...DEDUPE_ALGORITHMS].sort());
  });

  it('the fingerprint matcher works through the decision table unchanged; its tier and lines land on the action', () => {
    const before = ['const a = 1;', 'eval(input);'].join('\n');
    const after = ['// header', '', 'const a = 1;', 'eval(input);'].join('\n');
    const port = (text: string): SourcePort => ({ lines: (file) => (file === 'a.js' ? text.split('\n') : undefined) });
    const ledger = newLedger();
    const base = engineContext({ settings: { 'dedupe.algorithmPerScanType': { 'Moving Scan': 'fingerprint' }, 'dedupe.enabled': false } });
    const rule = { vulnIdFromTool: 'js/eval', title: 'js/eval', location: { ruleId: 'js/eval' } };
    importScan(ledger, report('Moving Scan', [parsedFinding({ line: 2, filePath: 'a.js', ...rule })]), importOptions('Moving Scan'), { ...base, source: port(before) });
    const res = reimportScan(
      ledger,
      report('Moving Scan', [parsedFinding({ line: 4, filePath: 'a.js', ...rule })]),
      importOptions('Moving Scan'),
      { ...later(base), source: port(after) },
    );
    assert.equal(res.actions.length, 1);
    assert.equal(res.actions[0].action, 'untouched');
    assert.match(res.actions[0].matchTier ?? '', /^fingerprint/);
    assert.deepEqual([res.actions[0].fromLine, res.actions[0].toLine], [2, 4]);
    assert.equal(ledger.data.imports[1].settings.algorithm, 'fingerprint');
    assert.equal(ledger.finding(1)!.line, 4, 'improvement 9 refreshes the line');
  });
});
