import { strict as assert } from 'node:assert';
import {
  buildLineDecorations,
  displayStatus,
  FindingsByDocument,
  isShown,
  LineAnchors,
  reactivationsByLatestImport,
  shiftLine,
  shownFilesFilter,
  storedLine,
  truncateLabel,
  type TextChange,
} from '../../src/extension/decoration-model';
import type { Finding } from '../../src/model';
import { importRecord, storedFinding } from './extension-finding-factory';

const none = new Map<number, number>();

function decorate(findings: Finding[], options: { reactivatedBy?: Map<number, number>; showClosed?: boolean; lineCount?: number } = {}) {
  return buildLineDecorations({
    findings,
    lineOf: storedLine,
    reactivatedBy: options.reactivatedBy ?? none,
    showClosed: options.showClosed ?? false,
    lineCount: options.lineCount,
  });
}

/** An insertion of `text` at a position, as VS Code reports typing or pasting. */
function insert(line: number, character: number, text: string): TextChange {
  return { startLine: line, startCharacter: character, endLine: line, endCharacter: character, text };
}

describe('extension decoration model', () => {
  describe('status and visibility', () => {
    it('treats DefectDojo duplicates (inactive, not mitigated) as shown, distinct from closed findings', () => {
      const dup = storedFinding(2, { duplicate: true, duplicateOf: 1, active: false });
      assert.equal(displayStatus(dup), 'duplicate');
      assert.equal(isShown(dup, false), true);
    });

    it('hides closed and triaged findings unless the filter shows them', () => {
      const closed = storedFinding(1, { isMitigated: true, active: false });
      const fp = storedFinding(2, { falsePositive: true, active: false });
      const accepted = storedFinding(3, { riskAccepted: true, active: false });
      const oos = storedFinding(4, { outOfScope: true, active: false });
      for (const f of [closed, fp, accepted, oos]) {
        assert.equal(isShown(f, false), false, `#${f.id} hidden by default`);
        assert.equal(isShown(f, true), true, `#${f.id} shown by the filter`);
      }
      assert.deepEqual(decorate([closed, fp, accepted, oos]), []);
      assert.equal(decorate([closed, fp, accepted, oos], { showClosed: true }).length, 1);
    });

    it('issue 11 item 4: a false positive that is also mitigated is labelled "false positive", as the tree says, not "closed"', () => {
      const fp = storedFinding(1, { falsePositive: true, isMitigated: true, active: false, title: 'XSS' });
      assert.equal(displayStatus(fp), 'triaged');
      const [spec] = decorate([fp], { showClosed: true });
      assert.equal(spec.label, 'High: XSS — false positive');
    });

    it('labels hidden findings with their state when the filter shows them', () => {
      const [spec] = decorate([storedFinding(1, { falsePositive: true, active: false, title: 'XSS' })], { showClosed: true });
      assert.equal(spec.kind, 'hidden');
      assert.equal(spec.label, 'High: XSS — false positive');
    });
  });

  describe('ranges and labels', () => {
    it('puts a finding on its 0-based line with "<Severity>: <title>"', () => {
      const specs = decorate([storedFinding(1, { line: 12, severity: 'Critical', title: 'SQL injection' })]);
      assert.deepEqual(specs, [{ line: 11, severity: 'Critical', kind: 'open', label: 'Critical: SQL injection', findingIds: [1] }]);
    });

    it('puts findings without a line (dependency findings) on the first line', () => {
      assert.equal(decorate([storedFinding(1, { line: null })])[0].line, 0);
      assert.equal(decorate([storedFinding(2, { line: 0 })])[0].line, 0);
    });

    it('clamps lines past the end of the document to its last line', () => {
      assert.equal(decorate([storedFinding(1, { line: 500 })], { lineCount: 20 })[0].line, 19);
    });

    it('issue 11 item 4: cuts a long title at a word boundary, never in half a word', () => {
      const title = 'Detected a possible SQL injection through string concatenation in a query built from request parameters';
      const label = truncateLabel(title, 80);
      assert.ok(label.length <= 80);
      assert.ok(label.endsWith('…'));
      const words = label.slice(0, -1).split(' ');
      assert.ok(title.split(' ').includes(words[words.length - 1]), `ends with a whole word: ${label}`);
    });

    it('truncates long titles and flattens newlines and control characters', () => {
      assert.equal(truncateLabel('a\nb\u0007c\u202e', 80), 'a b c');
      const long = truncateLabel('x'.repeat(200), 80);
      assert.equal(long.length, 80);
      assert.ok(long.endsWith('…'));
    });

    it('draws a duplicate distinctly with "duplicate of #N"', () => {
      const [spec] = decorate([storedFinding(7, { duplicate: true, duplicateOf: 3, active: false, title: 'Hardcoded secret', severity: 'Medium' })]);
      assert.equal(spec.kind, 'duplicate');
      assert.equal(spec.label, 'Medium: Hardcoded secret — duplicate of #3');
    });

    it('draws a finding reactivated by its test\'s latest import with "reopened by import #K"', () => {
      const [spec] = decorate([storedFinding(5, { title: 'Path traversal' })], { reactivatedBy: new Map([[5, 9]]) });
      assert.equal(spec.kind, 'reactivated');
      assert.equal(spec.label, 'High: Path traversal — reopened by import #9');
    });

    it('shows the most severe original first on a shared line and names the duplicate beside it', () => {
      const original = storedFinding(3, { severity: 'Medium', title: 'Weak hash' });
      const dup = storedFinding(8, { severity: 'Medium', title: 'Weak hash', duplicate: true, duplicateOf: 3, active: false });
      const low = storedFinding(4, { severity: 'Low', title: 'Info leak' });
      const [spec] = decorate([dup, low, original]);
      assert.equal(spec.kind, 'open');
      assert.deepEqual(spec.findingIds, [3, 4, 8]);
      assert.equal(spec.label, 'Medium: Weak hash · #8 duplicate of #3 · +1 more');
    });

    it('returns specs sorted by line, one per line', () => {
      const specs = decorate([storedFinding(1, { line: 30 }), storedFinding(2, { line: 5 }), storedFinding(3, { line: 5 })]);
      assert.deepEqual(
        specs.map((s) => s.line),
        [4, 29],
      );
    });
  });

  describe('reactivations', () => {
    it('takes "reopened by import" from the latest import of each test only', () => {
      const imports = [
        importRecord(1, 1, [{ findingId: 10, action: 'created' }]),
        importRecord(2, 1, [{ findingId: 10, action: 'reactivated' }]),
        importRecord(3, 2, [{ findingId: 20, action: 'reactivated' }]),
        importRecord(4, 1, [{ findingId: 10, action: 'untouched' }, { findingId: 11, action: 'reactivated' }]),
      ];
      assert.deepEqual([...reactivationsByLatestImport(imports)].sort(), [
        [11, 4],
        [20, 3],
      ]);
    });
  });

  describe('line shifting under edits', () => {
    it('moves a finding down when lines are inserted above it and up when removed', () => {
      assert.equal(shiftLine(10, insert(2, 5, '\n\n')), 12);
      assert.equal(shiftLine(10, { startLine: 2, startCharacter: 0, endLine: 5, endCharacter: 0, text: '' }), 7);
    });

    it('leaves a finding above the change alone', () => {
      assert.equal(shiftLine(1, insert(2, 0, '\n\n')), 1);
    });

    it('keeps a finding on its line when the user types in it or presses Enter at its end', () => {
      assert.equal(shiftLine(4, insert(4, 3, 'abc')), 4);
      assert.equal(shiftLine(4, insert(4, 20, '\n')), 4);
    });

    it('moves a finding down when whole lines are inserted at the start of its line', () => {
      assert.equal(shiftLine(4, insert(4, 0, 'const a = 1;\nconst b = 2;\n')), 6);
    });

    it('keeps a finding inside a replaced block within the replacement', () => {
      const change: TextChange = { startLine: 3, startCharacter: 0, endLine: 8, endCharacter: 0, text: 'one\n' };
      assert.equal(shiftLine(6, change), 4);
      assert.equal(shiftLine(3, change), 3);
    });

    it('applies the changes of one event (multi-cursor) bottom-up against the original text', () => {
      const anchors = new LineAnchors([storedFinding(1, { line: 3 }), storedFinding(2, { line: 8 }), storedFinding(3, { line: 20 })]);
      // Two cursors each insert a line: one on line 0, one on line 5 (0-based).
      const moved = anchors.applyChanges([insert(0, 0, 'x\n'), insert(5, 0, 'y\n')]);
      assert.equal(moved, true);
      assert.equal(anchors.lineOf(storedFinding(1, { line: 3 })), 3);
      assert.equal(anchors.lineOf(storedFinding(2, { line: 8 })), 9);
      assert.equal(anchors.lineOf(storedFinding(3, { line: 20 })), 21);
    });

    it('reports no movement for typing within a line', () => {
      const anchors = new LineAnchors([storedFinding(1, { line: 3 })]);
      assert.equal(anchors.applyChanges([insert(2, 4, 'abc')]), false);
      assert.equal(anchors.lineOf(storedFinding(1, { line: 3 })), 2);
    });

    it('feeds shifted lines into the decorations', () => {
      const f = storedFinding(1, { line: 3, title: 'Moved' });
      const anchors = new LineAnchors([f]);
      anchors.applyChanges([insert(0, 0, '\n\n\n')]);
      const [spec] = buildLineDecorations({ findings: [f], lineOf: (x) => anchors.lineOf(x), reactivatedBy: none, showClosed: false });
      assert.equal(spec.line, 5);
    });

    it('uses the stored line for a finding that was not anchored', () => {
      const anchors = new LineAnchors([]);
      assert.equal(anchors.lineOf(storedFinding(9, { line: 7 })), 6);
    });
  });

  describe('findings by document', () => {
    it('matches findings to documents by workspace-relative path, normalising ./, backslashes and file://', () => {
      const index = new FindingsByDocument(
        [
          storedFinding(1, { filePath: './src/app.js' }),
          storedFinding(2, { filePath: 'src\\app.js' }),
          storedFinding(3, { filePath: 'file:///work/repo/src/app.js' }),
          storedFinding(4, { filePath: '/work/repo/src/app.js' }),
          storedFinding(5, { filePath: 'src/other.js' }),
        ],
        '/work/repo',
      );
      assert.deepEqual(
        index.findingsFor('src/app.js').map((f) => f.id),
        [1, 2, 3, 4],
      );
    });

    it('prefers the parser\'s resolved path over the raw file path', () => {
      const f = storedFinding(1, { filePath: '%SRCROOT%/app.js', location: { resolvedPath: 'src/app.js' } });
      const index = new FindingsByDocument([f], '/work/repo');
      assert.deepEqual(
        index.findingsFor('src/app.js').map((x) => x.id),
        [1],
      );
    });

    it('matches a CI machine\'s absolute path by suffix', () => {
      const index = new FindingsByDocument([storedFinding(1, { filePath: '/home/runner/work/repo/src/app.js' })], '/work/repo');
      assert.deepEqual(
        index.findingsFor('src/app.js').map((f) => f.id),
        [1],
      );
      assert.deepEqual(index.findingsFor('rc/app.js'), [], 'a suffix must start at a folder boundary');
      assert.deepEqual(index.findingsFor('app.js'), [], 'a bare file name is too weak to match an absolute path');
    });

    it('the filter the store reads the shown files ahead with picks exactly the findings the index gives those documents', () => {
      const raw = [
        './src/app.js',
        'src\\app.js',
        'file:///work/repo/src/app.js',
        '/work/repo/src/app.js',
        '/home/runner/work/repo/src/app.js',
        '/elsewhere/app.js',
        'app.js',
        'src/other.js',
        'lib/app.js',
        'file:///C:/ci/repo/lib/app.js',
        '../outside/app.js',
      ];
      const findings = raw.map((filePath, i) => storedFinding(i + 1, { filePath }));
      const index = new FindingsByDocument(findings, '/work/repo');
      for (const shown of [['src/app.js'], ['app.js'], ['lib/app.js', 'src/other.js'], ['rc/app.js'], []]) {
        const filter = shownFilesFilter(shown, '/work/repo');
        const picked = findings.filter((f) => filter(f.filePath as string)).map((f) => f.id);
        const drawn = [...new Set(shown.flatMap((p) => index.findingsFor(p).map((f) => f.id)))].sort((a, b) => a - b);
        assert.deepEqual(picked, drawn, `shown: ${shown.join(', ') || 'nothing'}`);
      }
      assert.deepEqual(findings.filter((f) => shownFilesFilter(['src/app.js'], '/work/repo')(f.filePath as string)).map((f) => f.id), [1, 2, 3, 4, 5]);
    });
  });
});
