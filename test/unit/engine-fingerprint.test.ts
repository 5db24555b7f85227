import { strict as assert } from 'node:assert';
import { assignFingerprints, fingerprintMatcher, identityKey, normaliseLineText, toolFingerprint, type SourcePort } from '../../src/engine/fingerprint';
import type { Finding } from '../../src/model';
import { engineContext, storedFinding } from '../builders';

/** A source port over in-memory files, standing in for the editor's or CLI's file reader. */
function source(files: Record<string, string>, renamed: Record<string, string> = {}): SourcePort {
  return {
    lines: (path) => (path in files ? files[path].split('\n') : undefined),
    renamedFiles: () => new Map(Object.entries(renamed)),
  };
}

let nextId = 1;
/** A stored-looking finding at a file and line for a rule. */
function finding(filePath: string, line: number, ruleId = 'js/eval', extra: Partial<Finding> = {}): Finding {
  return storedFinding({ id: nextId++, testId: 1, title: ruleId, hashCode: null, filePath, line, vulnIdFromTool: ruleId, location: { ruleId }, ...extra });
}

function ctxWith(port: SourcePort) {
  return { ...engineContext(), source: port };
}

/** Runs the matcher the way reimport does: prepare over the report, then ask per finding. */
function bind(stored: Finding[], incoming: Finding[], port: SourcePort) {
  const ctx = ctxWith(port);
  const index = fingerprintMatcher.buildIndex(stored, ctx);
  index.prepare?.(incoming);
  return incoming.map((f) => index.candidates(f)[0]);
}

const v1 = ['const a = 1;', 'eval(input);', 'const b = 2;'].join('\n');
const v2 = ['// a new header line', '', 'const a = 1;', 'eval(input);', 'const b = 2;'].join('\n');

describe('fingerprint: content fingerprints (product.md §4)', () => {
  it('normalises whitespace so re-indenting a line keeps its identity', () => {
    assert.equal(normaliseLineText('   eval( input );\t'), 'eval( input );');
  });

  it('a line moved down by inserted lines keeps the same content fingerprint', () => {
    const before = finding('src/app.js', 2);
    const after = finding('src/app.js', 4);
    assignFingerprints([before], ctxWith(source({ 'src/app.js': v1 })));
    assignFingerprints([after], ctxWith(source({ 'src/app.js': v2 })));
    assert.ok(before.fingerprint?.startsWith('content:'));
    assert.equal(after.fingerprint, before.fingerprint);
  });

  it('identical flagged lines get distinct fingerprints through an occurrence counter', () => {
    const text = ['eval(input);', 'eval(input);'].join('\n');
    const a = finding('f.js', 1);
    const b = finding('f.js', 2);
    assignFingerprints([b, a], ctxWith(source({ 'f.js': text })));
    assert.notEqual(a.fingerprint, b.fingerprint);
    assert.ok(a.fingerprint?.endsWith(':1'));
    assert.ok(b.fingerprint?.endsWith(':2'));
  });

  it('without the file text there is no content fingerprint, and the hash code keys triage', () => {
    const f = finding('missing.js', 3, 'r', { hashCode: 'abc' });
    assignFingerprints([f], ctxWith(source({})));
    assert.equal(f.fingerprint, null);
    assert.equal(identityKey(f), 'hash:abc');
  });
});

describe('fingerprint: tool fingerprints come first', () => {
  it('uses SARIF partialFingerprints, ignoring placeholders', () => {
    const f = finding('a.js', 1, 'r', { location: { ruleId: 'r', partialFingerprints: { primaryLocationLineHash: 'abc:1', junk: 'requires login' } } });
    assert.equal(toolFingerprint(f), 'tool:primaryLocationLineHash=abc:1');
  });

  it('drops the commit part of a Gitleaks fingerprint', () => {
    const f = finding('a.js', 1, 'r', { location: { fingerprints: { gitleaks: '0a1b2c3d4e5f:config/.env:aws-access-token:3' } } });
    assert.equal(toolFingerprint(f), 'tool:gitleaks=config/.env:aws-access-token:3');
  });

  it('treats a Semgrep "requires login" fingerprint as none', () => {
    const f = finding('a.js', 1, 'r', { location: { fingerprints: { semgrep: 'requires login' } } });
    assert.equal(toolFingerprint(f), null);
  });
});

describe('fingerprint: tiered matching, strictest first', () => {
  it('tier 1 "fingerprint": a moved finding matches by its fingerprint and records the move', () => {
    const stored = finding('src/app.js', 2);
    assignFingerprints([stored], ctxWith(source({ 'src/app.js': v1 })));
    const incoming = finding('src/app.js', 4);
    const port = source({ 'src/app.js': v2 });
    assignFingerprints([incoming], ctxWith(port));
    const [m] = bind([stored], [incoming], port);
    assert.equal(m.finding, stored);
    assert.equal(m.tier, 'fingerprint');
    assert.equal(m.fromLine, 2);
    assert.equal(m.toLine, 4);
  });

  it('tier 2 "fingerprint:moved": same rule and line text elsewhere in the file when the context changed', () => {
    const stored = finding('f.js', 2);
    assignFingerprints([stored], ctxWith(source({ 'f.js': 'a();\neval(x);' })));
    const port = source({ 'f.js': 'b();\nc();\neval(x);' });
    const incoming = finding('f.js', 3);
    assignFingerprints([incoming], ctxWith(port));
    assert.notEqual(incoming.fingerprint, stored.fingerprint);
    const [m] = bind([stored], [incoming], port);
    assert.equal(m.finding, stored);
    assert.equal(m.tier, 'fingerprint:moved');
  });

  it('tier 3 "fingerprint:edited": the same rule at the same line with its text edited', () => {
    const stored = finding('f.js', 2);
    assignFingerprints([stored], ctxWith(source({ 'f.js': 'a();\neval(x);' })));
    const port = source({ 'f.js': 'a();\neval(y + x);' });
    const incoming = finding('f.js', 2);
    assignFingerprints([incoming], ctxWith(port));
    const [m] = bind([stored], [incoming], port);
    assert.equal(m.tier, 'fingerprint:edited');
  });

  it('a stricter tier for one finding beats a looser tier claimed earlier by another', () => {
    // Stored S sits at line 2. Incoming X is at line 2 with edited text (tier 3 for S), and
    // incoming Y is S's line moved to line 4 (tier 1). Y must get S; X becomes new.
    const stored = finding('f.js', 2);
    assignFingerprints([stored], ctxWith(source({ 'f.js': 'a();\neval(x);' })));
    const port = source({ 'f.js': 'a();\neval(z);\nq();\neval(x);' });
    const x = finding('f.js', 2);
    const y = finding('f.js', 4);
    assignFingerprints([x, y], ctxWith(port));
    const [mx, my] = bind([stored], [x, y], port);
    assert.equal(my?.finding, stored);
    assert.equal(my?.tier, 'fingerprint:moved');
    assert.equal(mx, undefined);
  });

  it('tier 4 "fingerprint:renamed": the same rule and text in a file git reports as renamed', () => {
    const stored = finding('old/app.js', 2);
    assignFingerprints([stored], ctxWith(source({ 'old/app.js': 'a();\neval(x);' })));
    const port = source({ 'new/app.js': 'a();\neval(x);' }, { 'old/app.js': 'new/app.js' });
    const incoming = finding('new/app.js', 2);
    assignFingerprints([incoming], ctxWith(port));
    const [m] = bind([stored], [incoming], port);
    assert.equal(m.finding, stored);
    assert.equal(m.tier, 'fingerprint:renamed');
    assert.equal(m.fromFile, 'old/app.js');
  });

  it('each stored finding is bound to at most one incoming finding', () => {
    const text = 'eval(x);\neval(x);';
    const port = source({ 'f.js': text });
    const s1 = finding('f.js', 1);
    const s2 = finding('f.js', 2);
    assignFingerprints([s1, s2], ctxWith(port));
    const i1 = finding('f.js', 1);
    const i2 = finding('f.js', 2);
    assignFingerprints([i1, i2], ctxWith(port));
    const [m1, m2] = bind([s1, s2], [i1, i2], port);
    assert.equal(m1.finding, s1);
    assert.equal(m2.finding, s2);
  });
});
