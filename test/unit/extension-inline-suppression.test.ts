import { strict as assert } from 'node:assert';
import { applyNativeSuppressions } from '../../src/engine/native-suppressions';
import { commentReason, inlineSuppression, type LineEdit, lineComment, type SuppressionRequest, suppressingScanner } from '../../src/extension/inline-suppression-model';
import type { ParsedFinding } from '../../src/model';
import { parsedFinding } from '../builders';

/** Applies the edits to a file's lines as the editor would. */
function apply(lines: string[], edits: readonly LineEdit[]): string[] {
  const out = [...lines];
  const inserts = edits.filter((e) => e.kind === 'insert');
  for (const e of edits) if (e.kind === 'append') out[e.line] += e.text;
  // Inserts before the same line keep their order; later lines first so indexes stay valid.
  const byLine = new Map<number, string[]>();
  for (const e of inserts) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e.text]);
  for (const line of [...byLine.keys()].sort((a, b) => b - a)) out.splice(line, 0, ...byLine.get(line)!);
  return out;
}

function request(over: Partial<SuppressionRequest>): SuppressionRequest {
  return { scanType: 'SARIF', testType: 'SARIF', ruleId: null, languageId: 'python', line: 0, lineText: '', reason: 'input is a constant', ...over };
}

describe('extension quick fix: the scanner’s own inline suppression (issue 11)', () => {
  it('knows the scanner from the scan type, or from the tool a SARIF test type names', () => {
    assert.equal(suppressingScanner('Bandit Scan', 'Bandit Scan'), 'bandit');
    assert.equal(suppressingScanner('SARIF', 'ESLint Scan (SARIF)'), 'eslint');
    assert.equal(suppressingScanner('SARIF', 'Semgrep OSS Scan (SARIF)'), 'semgrep');
    assert.equal(suppressingScanner('Checkov Scan', 'Checkov Scan'), 'checkov');
    assert.equal(suppressingScanner('Gosec Scanner', 'Gosec Scanner'), 'gosec');
    assert.equal(suppressingScanner('Trivy Scan', 'Trivy Scan'), null, 'Trivy has no inline comment; its ignore file is elsewhere');
    assert.equal(lineComment('python'), '#');
    assert.equal(lineComment('typescriptreact'), '//');
    assert.equal(lineComment('html'), null);
  });

  it('Bandit: appends "# nosec B307" with the reason after a second "#", and the engine then reads it as suppressed', () => {
    const lines = ['import os', '    value = eval(expr)'];
    const fix = inlineSuppression(request({ scanType: 'Bandit Scan', testType: 'Bandit Scan', ruleId: 'blacklist:B307', line: 1, lineText: lines[1] }));
    assert.ok(fix);
    assert.equal(fix.marker, '# nosec B307');
    const edited = apply(lines, fix.edits);
    assert.equal(edited[1], '    value = eval(expr)  # nosec B307  # input is a constant');
    const f: ParsedFinding = parsedFinding({ filePath: 'app.py', line: 2, vulnIdFromTool: 'blacklist:B307' });
    assert.equal(applyNativeSuppressions([f], 'Bandit Scan', { lines: () => edited }, '2026-12-01'), 1);
    assert.equal(f.suppression?.kind, 'nosec');
  });

  it('Semgrep: "nosemgrep: rule" on the line above in the language’s comment syntax, the reason on its own line above that', () => {
    const rule = 'javascript.lang.security.audit.detect-eval';
    const lines = ['function run(x) {', '  return eval(x);', '}'];
    const fix = inlineSuppression(request({ testType: 'Semgrep OSS Scan (SARIF)', ruleId: rule, languageId: 'javascript', line: 1, lineText: lines[1] }));
    assert.ok(fix);
    const edited = apply(lines, fix.edits);
    assert.deepEqual(edited, ['function run(x) {', '  // input is a constant', `  // nosemgrep: ${rule}`, '  return eval(x);', '}']);
    const f: ParsedFinding = parsedFinding({ filePath: 'a.js', line: 4, vulnIdFromTool: rule, location: { ruleId: rule } });
    assert.equal(applyNativeSuppressions([f], 'SARIF', { lines: () => edited }, '2026-12-01'), 1);
    const py = inlineSuppression(request({ scanType: 'Semgrep JSON Report', testType: 'Semgrep JSON Report', ruleId: 'python.eval', languageId: 'python', line: 0, lineText: 'eval(x)' }));
    assert.equal(py?.marker, '# nosemgrep: python.eval');
  });

  it('Checkov: "# checkov:skip=ID: reason" inside the resource, after its first line, indented like its body', () => {
    const lines = ['resource "aws_s3_bucket" "b" {', '    acl = "public-read"', '}'];
    const fix = inlineSuppression(request({ scanType: 'Checkov Scan', testType: 'Checkov Scan', ruleId: 'CKV_AWS_20', languageId: 'terraform', line: 0, lineText: lines[0], nextLineText: lines[1], reason: 'public website' }));
    assert.ok(fix);
    const edited = apply(lines, fix.edits);
    assert.equal(edited[1], '    # checkov:skip=CKV_AWS_20: public website');
    const f: ParsedFinding = parsedFinding({ filePath: 'main.tf', line: 1, location: { endLine: 4, ruleId: 'CKV_AWS_20' } });
    applyNativeSuppressions([f], 'Checkov Scan', { lines: () => edited }, '2026-12-01');
    assert.equal(f.suppression?.reason, 'public website');
  });

  it('gosec: appends "// #nosec G104 -- reason"; ESLint: "// eslint-disable-next-line rule -- reason" above the line', () => {
    const go = inlineSuppression(request({ scanType: 'Gosec Scanner', testType: 'Gosec Scanner', ruleId: 'G104', languageId: 'go', line: 3, lineText: '\tos.Remove(p)' }));
    assert.deepEqual(go?.edits, [{ kind: 'append', line: 3, text: ' // #nosec G104 -- input is a constant' }]);
    const eslint = inlineSuppression(request({ testType: 'ESLint Scan (SARIF)', ruleId: 'security/detect-eval-with-expression', languageId: 'typescript', line: 5, lineText: '    eval(code);' }));
    assert.deepEqual(eslint?.edits, [{ kind: 'insert', line: 5, text: '    // eslint-disable-next-line security/detect-eval-with-expression -- input is a constant' }]);
  });

  it('writes nothing it cannot write safely: no comment syntax, no rule id where one is required, a mismatched language', () => {
    assert.equal(inlineSuppression(request({ testType: 'ESLint Scan (SARIF)', ruleId: 'no-eval', languageId: 'html' })), null);
    assert.equal(inlineSuppression(request({ testType: 'ESLint Scan (SARIF)', ruleId: null, languageId: 'javascript' })), null);
    assert.equal(inlineSuppression(request({ scanType: 'Bandit Scan', testType: 'Bandit Scan', languageId: 'javascript' })), null);
    assert.equal(inlineSuppression(request({ testType: 'ESLint Scan (SARIF)', ruleId: 'x) */ evil', languageId: 'javascript' })), null, 'an id that is not a plain token is not written');
  });

  it('keeps the reason on one comment line: no line breaks, comment terminators or "#", bounded', () => {
    assert.equal(commentReason('trusted\ninput */ here # really'), 'trusted input here really');
    assert.ok(commentReason('x'.repeat(1000)).length <= 200);
  });
});
