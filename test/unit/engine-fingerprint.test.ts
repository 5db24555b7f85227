import { strict as assert } from 'node:assert';
import type { SourcePort } from '../../src/engine/context';
import { alignInOrder, assignFingerprints, fingerprintMatcher, identityKey, normaliseLineText, regionShape, toolFingerprint } from '../../src/engine/fingerprint';
import type { Finding, Settings } from '../../src/model';
import { importScan } from '../../src/engine/import-scan';
import { reimportScan } from '../../src/engine/reimport-scan';
import { engineContext, importOptions, later, newLedger, parsedFinding, report, storedFinding } from '../builders';

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

describe('fingerprint: content fingerprints (docs/improvements.md §4)', () => {
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

  it('the occurrence counter runs in line order over the content-fingerprinted findings only, whatever the report order', () => {
    const text = ['eval(input);', 'eval(input);', 'eval(input);'].join('\n');
    const tool = finding('f.js', 1, 'js/eval', { location: { ruleId: 'js/eval', partialFingerprints: { primaryLocationLineHash: 'abc:1' } } });
    const second = finding('f.js', 2);
    const third = finding('f.js', 3);
    assignFingerprints([third, tool, second], ctxWith(source({ 'f.js': text })));
    assert.equal(tool.fingerprint, 'tool:primaryLocationLineHash=abc:1');
    // The tool-fingerprinted line 1 takes no number: line 2 is the first content occurrence.
    assert.ok(second.fingerprint?.startsWith('content:') && second.fingerprint.endsWith(':1'));
    assert.ok(third.fingerprint?.endsWith(':2'));
    // Its line hash is still computed, for the looser tiers.
    assert.equal(tool.lineHash, second.lineHash);
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

describe('fingerprint: line text from the report when the sources are not at hand (issue 10)', () => {
  it('the report snippet gives the same line hash as the workspace file, and the same fingerprint when it shows the line above', () => {
    const fromFile = finding('app.py', 5, 'B303');
    assignFingerprints([fromFile], ctxWith(source({ 'app.py': 'import hashlib\n\n\ndef digest(x):\n    return hashlib.md5(x)\n' })));
    // Bandit numbers every line of `code` and includes the lines around the flagged one.
    const fromSnippet = finding('app.py', 5, 'B303', { location: { ruleId: 'B303', snippet: '4 def digest(x):\n5     return hashlib.md5(x)\n6 \n' } });
    assignFingerprints([fromSnippet], ctxWith(source({})));
    assert.equal(fromSnippet.lineHash, fromFile.lineHash);
    assert.equal(fromSnippet.fingerprint, fromFile.fingerprint);
  });

  it('strips gosec "N: " line-number prefixes and takes the flagged line', () => {
    const fromFile = finding('main.go', 9, 'G401');
    assignFingerprints([fromFile], ctxWith(source({ 'main.go': `${'\n'.repeat(8)}\th := md5.New()\n` })));
    const fromSnippet = finding('main.go', 9, 'G401', { location: { ruleId: 'G401', snippet: '8: \n9: \th := md5.New()\n10: \n' } });
    assignFingerprints([fromSnippet], ctxWith(source({})));
    assert.equal(fromSnippet.lineHash, fromFile.lineHash);
    assert.ok(fromSnippet.fingerprint?.startsWith('content:'));
  });

  it('a code line that starts with a number is not taken for a line-number prefix', () => {
    const f = finding('calc.js', 40, 'r', { location: { ruleId: 'r', snippet: '1 + eval(x)' } });
    const g = finding('calc.js', 7, 'r');
    assignFingerprints([f], ctxWith(source({})));
    assignFingerprints([g], ctxWith(source({ 'calc.js': `${'\n'.repeat(6)}1 + eval(x)\n` })));
    assert.equal(f.lineHash, g.lineHash);
  });

  it('a SARIF context-region snippet is read from the line it starts on', () => {
    const f = finding('a.c', 12, 'FF1001', { location: { ruleId: 'FF1001', snippet: 'char buf[10];\nstrcpy(buf, s);\nreturn 0;', snippetStartLine: 11 } });
    const g = finding('a.c', 2, 'FF1001');
    assignFingerprints([f], ctxWith(source({})));
    assignFingerprints([g], ctxWith(source({ 'a.c': 'char buf[10];\nstrcpy(buf, s);\n' })));
    assert.equal(f.lineHash, g.lineHash);
    assert.equal(f.fingerprint, g.fingerprint);
  });

  it('a workspace file at another commit than the report gives way to the report snippet', () => {
    const f = finding('app.js', 2, 'r', { location: { ruleId: 'r', snippet: 'eval(input)' } });
    assignFingerprints([f], ctxWith(source({ 'app.js': 'const a = 1;\nconst unrelated = 2;\n' })));
    const g = finding('app.js', 9, 'r', { location: { ruleId: 'r', snippet: 'eval(input)' } });
    assignFingerprints([g], ctxWith(source({})));
    assert.equal(f.lineHash, g.lineHash);
  });

  it('a workspace file that agrees with a column-bounded snippet is used, context and all', () => {
    const f = finding('app.js', 2, 'r', { location: { ruleId: 'r', snippet: 'eval(input)' } });
    const g = finding('app.js', 2, 'r');
    const port = source({ 'app.js': 'const a = 1;\nconst out = eval(input);\n' });
    assignFingerprints([f], ctxWith(port));
    assignFingerprints([g], ctxWith(port));
    assert.equal(f.fingerprint, g.fingerprint);
  });

  it('a moved finding keeps its identity from the report snippets alone', () => {
    const stored = finding('app.js', 2, 'r', { location: { ruleId: 'r', snippet: 'eval(input);' } });
    const noSources = source({});
    assignFingerprints([stored], ctxWith(noSources));
    const incoming = finding('app.js', 30, 'r', { location: { ruleId: 'r', snippet: 'eval(input);' } });
    assignFingerprints([incoming], ctxWith(noSources));
    const [m] = bind([stored], [incoming], noSources);
    assert.equal(m.finding, stored);
    assert.equal(m.tier, 'fingerprint');
  });
});

describe('fingerprint: position-independent matching on rule, file and message', () => {
  const noSources = source({});
  it('"fingerprint:nearby": without line text, the nearest line of the same rule, file and message wins', () => {
    const far = finding('app.js', 10, 'r', { title: 'Object injection' });
    const near = finding('app.js', 50, 'r', { title: 'Object injection' });
    const otherMessage = finding('app.js', 61, 'r', { title: 'Eval with expression' });
    const incoming = finding('app.js', 60, 'r', { title: 'Object injection' });
    assignFingerprints([far, near, otherMessage, incoming], ctxWith(noSources));
    const [m] = bind([far, near, otherMessage], [incoming], noSources);
    assert.equal(m.finding, near);
    assert.equal(m.tier, 'fingerprint:nearby');
  });

  it('binds nearest pairs first over the whole report, one to one, whatever the report order', () => {
    const s1 = finding('app.js', 10, 'r', { title: 'm' });
    const s2 = finding('app.js', 20, 'r', { title: 'm' });
    // Every line moved down by 3; the report lists the lower finding first.
    const i2 = finding('app.js', 23, 'r', { title: 'm' });
    const i1 = finding('app.js', 13, 'r', { title: 'm' });
    const [m2, m1] = bind([s1, s2], [i2, i1], noSources);
    assert.equal(m1.finding, s1);
    assert.equal(m2.finding, s2);
  });

  it('breaks equal distances deterministically: the lower incoming line takes the older finding', () => {
    const s = finding('app.js', 20, 'r', { title: 'm' });
    const below = finding('app.js', 25, 'r', { title: 'm' });
    const above = finding('app.js', 15, 'r', { title: 'm' });
    const [mb, ma] = bind([s], [below, above], noSources);
    assert.equal(ma?.finding, s);
    assert.equal(mb, undefined);
  });

  it('keeps line order: two findings that moved further than their spacing are not swapped (express 4.17.1 → 4.17.3)', () => {
    // lib/response.js: object-injection sinks at 931 and 936 moved down by 5, to 936 and 941.
    // Nearest first, the new 936 would take the old 936 and the two identities would swap.
    const s931 = finding('lib/response.js', 931, 'r', { title: 'Generic Object Injection Sink' });
    const s936 = finding('lib/response.js', 936, 'r', { title: 'Generic Object Injection Sink' });
    const i936 = finding('lib/response.js', 936, 'r', { title: 'Generic Object Injection Sink' });
    const i941 = finding('lib/response.js', 941, 'r', { title: 'Generic Object Injection Sink' });
    const [m936, m941] = bind([s931, s936], [i936, i941], noSources);
    assert.equal(m936.finding, s931);
    assert.equal(m941.finding, s936);
    assert.deepEqual([m936.fromLine, m936.toLine, m941.fromLine, m941.toLine], [931, 936, 936, 941]);
  });

  it('keeps line order when a finding is added: the shift that changes least between pairs wins', () => {
    // Three sinks moved down by 30; a fourth, new one sits between the old lines.
    const stored = [100, 110, 120].map((line) => finding('a.js', line, 'r', { title: 'm' }));
    const incoming = [115, 130, 140, 150].map((line) => finding('a.js', line, 'r', { title: 'm' }));
    const matches = bind(stored, incoming, noSources);
    assert.deepEqual(matches.map((m) => m?.finding.line ?? null), [null, 100, 110, 120]);
  });

  it('keeps line order when a finding is removed, from the shift the stricter tiers saw in the file', () => {
    // The sink at 20 was removed and the one at 10 is now at 110: the file moved down by 100
    // lines, as a finding with line text in it says. Without that, the nearer one is taken.
    const stored = [10, 20].map((line) => finding('a.js', line, 'r', { title: 'm' }));
    const incoming = [finding('a.js', 110, 'r', { title: 'm' })];
    assert.deepEqual(alignInOrder(incoming, stored, 100)?.map(([f, s]) => [f.line, s.line]), [[110, 10]]);
    assert.deepEqual(alignInOrder(incoming, stored, null)?.map(([f, s]) => [f.line, s.line]), [[110, 20]], 'no shift known: the smaller one');

    const text = source({ 'a.js': `${'\n'.repeat(104)}eval(input);\n` });
    const moved = finding('a.js', 5, 'js/eval', { location: { ruleId: 'js/eval', snippet: 'eval(input);' } });
    const movedNow = finding('a.js', 105, 'js/eval');
    assignFingerprints([moved, ...stored], ctxWith(noSources));
    assignFingerprints([movedNow, ...incoming], ctxWith(text));
    const matches = bind([moved, ...stored], [movedNow, ...incoming], text);
    assert.equal(matches[0]?.finding, moved, 'the finding with line text keeps its identity by it');
    assert.notEqual(matches[0]?.tier, 'fingerprint:nearby');
    assert.equal(matches[1]?.finding, stored[0], 'the shift of the moved finding decides');
  });

  it('aligns the same way whatever order the report lists the findings in', () => {
    const stored = [5, 9, 40].map((line) => finding('a.js', line, 'r', { title: 'm' }));
    const lines = [7, 12, 44, 60];
    const forward = alignInOrder(lines.map((line) => finding('a.js', line, 'r', { title: 'm' })), stored, 0);
    const backward = alignInOrder([...lines].reverse().map((line) => finding('a.js', line, 'r', { title: 'm' })), stored, 0);
    const shape = (pairs: [Finding, Finding][] | null) => pairs?.map(([f, s]) => [f.line, s.id]);
    assert.deepEqual(shape(forward), shape(backward));
  });

  it('a group too large to align (a generated file) is bound nearest first instead', () => {
    const stored = Array.from({ length: 300 }, (_, i) => finding('gen.js', 10 + i * 2, 'r', { title: 'm' }));
    const incoming = Array.from({ length: 300 }, (_, i) => finding('gen.js', 11 + i * 2, 'r', { title: 'm' }));
    assert.equal(alignInOrder(incoming, stored, 0), null);
    assert.equal(alignInOrder(incoming.slice(0, 20), stored.slice(0, 20), 0, 1000), null, 'nor one past what is left of the report’s budget');
    const matches = bind(stored, incoming, noSources);
    assert.ok(matches.every((m, i) => m?.finding === stored[i] && m.tier === 'fingerprint:nearby'));
  });

  it('a finding without line text whose flagged extent changed is a new finding (express 4.17.3 → 4.18.0)', () => {
    // lib/response.js:138 `chunk = statuses[chunk]` became `chunk = statuses.message[chunk]` at
    // 142: ESLint's SARIF has no snippet, but the flagged expression grew by 8 columns.
    const at = (line: number, column: number, endColumn: number) =>
      finding('lib/response.js', line, 'security/detect-object-injection', { title: 'Generic Object Injection Sink', location: { ruleId: 'security/detect-object-injection', column, endColumn } });
    const stored = at(138, 13, 30);
    const edited = at(142, 13, 38);
    assert.equal(regionShape(stored), 'width:17');
    assert.equal(bind([stored], [edited], noSources)[0], undefined);
    const moved = at(150, 13, 30);
    assert.equal(bind([stored], [moved], noSources)[0]?.finding, stored, 'the same extent four lines lower is the same finding');
    const reindented = at(150, 17, 34);
    assert.equal(bind([stored], [reindented], noSources)[0]?.finding, stored, 're-indenting keeps the width');
  });

  it('a side without columns agrees with any region shape', () => {
    const withColumns = finding('a.js', 10, 'r', { title: 'm', location: { ruleId: 'r', column: 3, endColumn: 9 } });
    const without = finding('a.js', 12, 'r', { title: 'm' });
    assert.equal(regionShape(without), null);
    assert.equal(bind([without], [withColumns], noSources)[0]?.finding, without);
    assert.equal(bind([withColumns], [without], noSources)[0]?.finding, withColumns);
    const multiLine = finding('a.js', 10, 'r', { title: 'm', location: { ruleId: 'r', endLine: 13, column: 1, endColumn: 4 } });
    assert.equal(regionShape(multiLine), 'lines:3');
  });

  it('does not bind two findings that both have line text, which differs: that is a new finding', () => {
    const stored = finding('app.js', 2, 'r', { title: 'm', location: { ruleId: 'r', snippet: 'eval(a);' } });
    const incoming = finding('app.js', 9, 'r', { title: 'm', location: { ruleId: 'r', snippet: 'eval(b);' } });
    assignFingerprints([stored], ctxWith(noSources));
    assignFingerprints([incoming], ctxWith(noSources));
    const [m] = bind([stored], [incoming], noSources);
    assert.equal(m, undefined);
  });
});

describe('fingerprint: a tool fingerprint that several findings share', () => {
  const noSources = source({});
  /** A flawfinder-like finding: its fingerprint hashes the line, so identical lines share it. */
  const ff = (line: number, hash: string) => finding('sqlite3.c', line, 'FF1013', { title: 'char', location: { ruleId: 'FF1013', fingerprints: { 'contextHash/v1': hash } } });

  it('findings that share one keep their line order, whatever the report order (flawfinder’s hash of `char zBuf[100];`)', () => {
    const stored = [ff(10, 'h'), ff(50, 'h'), ff(30, 'u')];
    const incoming = [ff(150, 'h'), ff(110, 'h'), ff(130, 'u')];
    assignFingerprints([...stored, ...incoming], ctxWith(noSources));
    const [m150, m110, m130] = bind(stored, incoming, noSources);
    assert.equal(m130?.finding, stored[2]);
    assert.equal(m110?.finding, stored[0]);
    assert.equal(m150?.finding, stored[1]);
    assert.ok([m150, m110].every((m) => m?.tier === 'fingerprint'));
  });

  it('a shared one goes where the unique fingerprints around it say the code moved, not to the nearest line (SQLite 3.39 → 3.40)', () => {
    // The stored line 100 moved with its function to 400 (the unique neighbours moved by 300);
    // a new copy of the line appeared at 80, nearer the old place.
    const stored = [ff(100, 'h'), ff(90, 'u1'), ff(120, 'u2')];
    const incoming = [ff(80, 'h'), ff(400, 'h'), ff(390, 'u1'), ff(420, 'u2')];
    assignFingerprints([...stored, ...incoming], ctxWith(noSources));
    const [m80, m400] = bind(stored, incoming, noSources);
    assert.equal(m400?.finding, stored[0]);
    assert.equal(m80, undefined, 'the new copy is a new finding');
  });

  /** A finding like `ff` in another file. */
  const ffIn = (file: string, line: number, hash: string) =>
    finding(file, line, 'FF1013', { title: 'char', location: { ruleId: 'FF1013', fingerprints: { 'contextHash/v1': hash } } });

  it('a near copy of a function pasted above the original takes nothing from it (node-sqlite3 5.1.4, shell.c)', () => {
    // The original function (stored a3 at 290, the shared line at 300) stays in place behind 20
    // new lines, and one of its lines (a3) is edited there; a near copy with the old a3 is
    // pasted at 150. The copy's a3 is an anchor pointing back at the function; the unique lines
    // around the original (a2, a2b, a4, a5) agree with each other. Both copies of the shared
    // line are exactly where an anchor puts them: the one placed by anchors in file order wins.
    const stored = [ff(100, 'a1'), ff(200, 'a2'), ff(210, 'a2b'), ff(290, 'a3'), ff(300, 'x'), ff(400, 'a4'), ff(500, 'a5')];
    const incoming = [ff(100, 'a1'), ff(150, 'a3'), ff(160, 'x'), ff(220, 'a2'), ff(230, 'a2b'), ff(310, 'a3-edited'), ff(320, 'x'), ff(420, 'a4'), ff(520, 'a5')];
    assignFingerprints([...stored, ...incoming], ctxWith(noSources));
    const matches = bind(stored, incoming, noSources);
    assert.equal(matches[6]?.finding, stored[4], 'the original at 320 keeps the shared line');
    assert.equal(matches[2], undefined, 'the copy at 160 is a new finding');
  });

  it('a far pair of one shared fingerprint cannot force a near one out of order', () => {
    // Stored: the line at 100 was deleted, the one at 5000 moved 10 lines down (its neighbour
    // anchors say so). A new copy appears at 9000. In line order alone 5010 would have to take
    // 100 for 9000 to take 5000; the near pair is bound first.
    const stored = [ff(100, 'x'), ff(4990, 'u'), ff(5000, 'x')];
    const incoming = [ff(5000, 'u'), ff(5010, 'x'), ff(9000, 'x')];
    assignFingerprints([...stored, ...incoming], ctxWith(noSources));
    const [, m5010, m9000] = bind(stored, incoming, noSources);
    assert.equal(m5010?.finding, stored[2]);
    assert.equal(m9000?.finding, stored[0], 'the far one is bound after, to what is left');
  });

  it('findings that share one across files are bound within each file first (flawfinder’s hash has no path)', () => {
    const stored = [ffIn('a.c', 100, 'x'), ffIn('b.c', 200, 'x')];
    const incoming = [ffIn('b.c', 90, 'x'), ffIn('a.c', 100, 'x')];
    assignFingerprints([...stored, ...incoming], ctxWith(noSources));
    const [mb, ma] = bind(stored, incoming, noSources);
    assert.equal(ma?.finding, stored[0]);
    assert.equal(mb?.finding, stored[1]);
  });

  it('between two anchors any line between their two shifts is as near as any other, and the earlier line takes the tie, as a diff does (node-sqlite3 5.1.7)', () => {
    // Anchors: u1 did not move, u2 moved 40 lines down, so lines were added somewhere between
    // them. Both new copies of the shared line lie where the stored one may have gone; the
    // nearest anchor alone would say 235 (shift 40 gives 195, 5 away; shift 0 gives 215).
    const stored = [ff(100, 'u1'), ff(200, 'x'), ff(300, 'u2')];
    const incoming = [ff(100, 'u1'), ff(215, 'x'), ff(235, 'x'), ff(340, 'u2')];
    assignFingerprints([...stored, ...incoming], ctxWith(noSources));
    const [, m215, m235] = bind(stored, incoming, noSources);
    assert.equal(m215?.finding, stored[1]);
    assert.equal(m235, undefined);
  });
});

describe('fingerprint: a tool fingerprint that fails falls through to the content tiers', () => {
  it('a changed tool fingerprint on an unchanged, moved line matches by its text', () => {
    const port1 = source({ 'a.c': 'int x;\nstrcpy(buf, s);' });
    const stored = finding('a.c', 2, 'FF1001', { location: { ruleId: 'FF1001', partialFingerprints: { 'contextHash/v1': 'aaa' } } });
    assignFingerprints([stored], ctxWith(port1));
    // flawfinder's contextHash covers the neighbouring lines, so it changes with them.
    const port2 = source({ 'a.c': 'int y;\nint z;\nstrcpy(buf, s);' });
    const incoming = finding('a.c', 3, 'FF1001', { location: { ruleId: 'FF1001', partialFingerprints: { 'contextHash/v1': 'bbb' } } });
    assignFingerprints([incoming], ctxWith(port2));
    const [m] = bind([stored], [incoming], port2);
    assert.equal(m.finding, stored);
    assert.equal(m.tier, 'fingerprint:moved');
  });

  it('a changed tool fingerprint without any line text still matches on rule, file and message', () => {
    const stored = finding('a.c', 2, 'FF1001', { title: 'strcpy', location: { ruleId: 'FF1001', partialFingerprints: { 'contextHash/v1': 'aaa' } } });
    const incoming = finding('a.c', 3, 'FF1001', { title: 'strcpy', location: { ruleId: 'FF1001', partialFingerprints: { 'contextHash/v1': 'bbb' } } });
    assignFingerprints([stored, incoming], ctxWith(source({})));
    const [m] = bind([stored], [incoming], source({}));
    assert.equal(m.tier, 'fingerprint:nearby');
  });

  it('a tool fingerprint that matches still wins over a nearer finding with the same text', () => {
    const port = source({ 'a.c': 'strcpy(buf, s);\nstrcpy(buf, s);\nstrcpy(buf, s);' });
    const toolMatch = finding('a.c', 1, 'FF1001', { location: { ruleId: 'FF1001', partialFingerprints: { 'contextHash/v1': 'keep' } } });
    const nearer = finding('a.c', 3, 'FF1001', { location: { ruleId: 'FF1001', partialFingerprints: { 'contextHash/v1': 'other' } } });
    assignFingerprints([toolMatch, nearer], ctxWith(port));
    const incoming = finding('a.c', 3, 'FF1001', { location: { ruleId: 'FF1001', partialFingerprints: { 'contextHash/v1': 'keep' } } });
    assignFingerprints([incoming], ctxWith(port));
    const [m] = bind([toolMatch, nearer], [incoming], port);
    assert.equal(m.finding, toolMatch);
    assert.equal(m.tier, 'fingerprint');
  });
});

describe('fingerprint: multi-line regions anchor on their first line', () => {
  it('an argument added inside a multi-line call keeps the content fingerprint', () => {
    const before = finding('app.py', 2, 'B303', { location: { ruleId: 'B303', endLine: 3 } });
    assignFingerprints([before], ctxWith(source({ 'app.py': 'import hashlib\nh = hashlib.md5(\n    data)\n' })));
    const after = finding('app.py', 2, 'B303', { location: { ruleId: 'B303', endLine: 5 } });
    assignFingerprints([after], ctxWith(source({ 'app.py': 'import hashlib\nh = hashlib.md5(\n    data,\n    usedforsecurity=False,\n)\n' })));
    assert.equal(after.fingerprint, before.fingerprint);
    assert.notEqual(after.regionHash, before.regionHash);
  });

  it('the rest of the region breaks a tie between stored findings with the same first line', () => {
    const v1 = 'h = md5(\n  a)\nh = md5(\n  b)\n';
    const port1 = source({ 'f.py': v1 });
    const sa = finding('f.py', 1, 'B303', { location: { ruleId: 'B303', endLine: 2 } });
    const sb = finding('f.py', 3, 'B303', { location: { ruleId: 'B303', endLine: 4 } });
    assignFingerprints([sa, sb], ctxWith(port1));
    // The `b` call moved to the top with new context; the `a` call is gone.
    const port2 = source({ 'f.py': 'x = 1\nh = md5(\n  b)\n' });
    const incoming = finding('f.py', 2, 'B303', { location: { ruleId: 'B303', endLine: 3 } });
    assignFingerprints([incoming], ctxWith(port2));
    const [m] = bind([sa, sb], [incoming], port2);
    assert.equal(m.finding, sb);
    assert.equal(m.tier, 'fingerprint:moved');
  });
});

describe('fingerprint: DefectDojo parity mode stays DefectDojo', () => {
  /** A SARIF finding flagged at `line`, carrying its snippet as real reports do. */
  const flagged = (line: number) =>
    parsedFinding({ title: 'eval', filePath: 'app.js', line, vulnIdFromTool: 'r', location: { ruleId: 'r', snippet: 'eval(input);' } });

  function moveOnce(settings: Partial<Settings>) {
    const ledger = newLedger();
    const ctx = engineContext({ settings });
    importScan(ledger, report('SARIF', [flagged(2)]), importOptions('SARIF'), ctx);
    return { ledger, result: reimportScan(ledger, report('SARIF', [flagged(9)]), importOptions('SARIF'), later(ctx)) };
  }

  it('with defectdojoParity a moved finding is closed and created again, as DefectDojo does, snippet or not', () => {
    // No algorithm configured: the product default, which parity turns back to DefectDojo's.
    const { result } = moveOnce({ defectdojoParity: true, 'dedupe.algorithmPerScanType': {} });
    assert.equal(result.counts.created, 1);
    assert.equal(result.counts.closed, 1);
    assert.ok(result.actions.every((a) => !a.matchTier?.startsWith('fingerprint')));
  });

  it('by default the fingerprint algorithm keeps the same moved finding from its snippet alone', () => {
    const { result } = moveOnce({ 'dedupe.algorithmPerScanType': {} });
    assert.equal(result.counts.created, 0);
    assert.equal(result.counts.closed, 0);
  });

  it('the snippet never enters the DefectDojo hash code', () => {
    const withSnippet = newLedger();
    const without = newLedger();
    const ctx = engineContext({ settings: { defectdojoParity: true } });
    importScan(withSnippet, report('SARIF', [flagged(2)]), importOptions('SARIF'), ctx);
    importScan(without, report('SARIF', [parsedFinding({ title: 'eval', filePath: 'app.js', line: 2, vulnIdFromTool: 'r', location: { ruleId: 'r' } })]), importOptions('SARIF'), ctx);
    assert.equal(withSnippet.data.findings[0].hashCode, without.data.findings[0].hashCode);
  });
});
