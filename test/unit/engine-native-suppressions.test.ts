import { strict as assert } from 'node:assert';
import { applyNativeSuppressions, type SuppressionSources } from '../../src/engine/native-suppressions';
import type { ParsedFinding } from '../../src/model';
import { parsedFinding } from '../builders';

function sources(files: Record<string, string>, extra: Partial<SuppressionSources> = {}): SuppressionSources {
  return { lines: (p) => (p in files ? files[p].split('\n') : undefined), ...extra };
}

const TODAY = '2026-03-10';

describe('native suppressions: # nosec (Bandit)', () => {
  it('a Bandit finding on a "# nosec" line is suppressed with the comment as reason', () => {
    const f = parsedFinding({ filePath: 'app.py', line: 2, vulnIdFromTool: 'subprocess_popen_with_shell_equals_true:B602' });
    const n = applyNativeSuppressions([f], 'Bandit Scan', sources({ 'app.py': 'import os\nos.system(cmd)  # nosec B602 reviewed' }), TODAY);
    assert.equal(n, 1);
    assert.equal(f.suppression?.kind, 'nosec');
    assert.match(f.suppression?.reason ?? '', /reviewed/);
    assert.equal(f.active, false);
    assert.equal(f.falsePositive, true);
  });

  it('"# nosec B101" does not suppress a different test id', () => {
    const f = parsedFinding({ filePath: 'app.py', line: 1, vulnIdFromTool: 'exec_used:B102' });
    assert.equal(applyNativeSuppressions([f], 'Bandit Scan', sources({ 'app.py': 'exec(x)  # nosec B101' }), TODAY), 0);
    assert.equal(f.suppression, undefined);
  });
});

describe('native suppressions: nosemgrep', () => {
  it('suppresses on the flagged line or the line above, limited to listed rule ids', () => {
    const text = '// nosemgrep: javascript.lang.eval\neval(x);\neval(y); // nosemgrep: other-rule';
    const a = parsedFinding({ filePath: 'a.js', line: 2, vulnIdFromTool: 'rules.javascript.lang.eval' });
    const b = parsedFinding({ filePath: 'a.js', line: 3, vulnIdFromTool: 'rules.javascript.lang.eval' });
    applyNativeSuppressions([a, b], 'Semgrep JSON Report', sources({ 'a.js': text }), TODAY);
    assert.equal(a.suppression?.kind, 'nosemgrep');
    assert.equal(b.suppression, undefined);
  });
});

describe('native suppressions: .gitleaksignore', () => {
  it('matches a fingerprint listed with or without its commit', () => {
    const f = parsedFinding({ filePath: '.env', line: 3, location: { fingerprints: { gitleaks: 'abc1234:.env:aws-access-token:3' } } });
    applyNativeSuppressions([f], 'Gitleaks Scan', sources({}, { gitleaksIgnore: '# ignored secrets\n.env:aws-access-token:3\n' }), TODAY);
    assert.equal(f.suppression?.kind, 'gitleaksignore');
  });
});

describe('native suppressions: .trivyignore and .trivyignore.yaml', () => {
  it('.trivyignore suppresses a listed CVE and ignores an expired entry', () => {
    const a = parsedFinding({ title: 'CVE-2023-1 lodash 4.17.0', vulnerabilityIds: ['CVE-2023-1'] });
    const b = parsedFinding({ title: 'CVE-2023-2 lodash 4.17.0', vulnerabilityIds: ['CVE-2023-2'] });
    applyNativeSuppressions([a, b], 'Trivy Scan', sources({}, { trivyIgnore: 'CVE-2023-1 exp:2027-01-01\nCVE-2023-2 exp:2020-01-01\n' }), TODAY);
    assert.equal(a.suppression?.kind, 'trivyignore');
    assert.equal(a.suppression?.expires, '2027-01-01');
    assert.equal(b.suppression, undefined);
  });

  it('.trivyignore.yaml gives the statement as reason and honours paths', () => {
    const yaml = 'vulnerabilities:\n  - id: CVE-2023-1\n    statement: not reachable from our code\n    paths: ["package-lock.json"]\n';
    const inPath = parsedFinding({ title: 'CVE-2023-1 x 1', vulnerabilityIds: ['CVE-2023-1'], filePath: 'package-lock.json' });
    const elsewhere = parsedFinding({ title: 'CVE-2023-1 x 1', vulnerabilityIds: ['CVE-2023-1'], filePath: 'other/package-lock.json' });
    applyNativeSuppressions([inPath, elsewhere], 'Trivy Scan', sources({}, { trivyIgnoreYaml: yaml }), TODAY);
    assert.equal(inPath.suppression?.reason, 'not reachable from our code');
    assert.equal(elsewhere.suppression, undefined);
  });
});

describe('native suppressions: checkov:skip', () => {
  it('a checkov:skip comment for the check id inside the resource range suppresses it', () => {
    const tf = 'resource "aws_s3_bucket" "b" {\n  # checkov:skip=CKV_AWS_20:public website bucket\n  acl = "public-read"\n}';
    const f: ParsedFinding = parsedFinding({ filePath: 'main.tf', line: 1, location: { endLine: 4, ruleId: 'CKV_AWS_20' } });
    applyNativeSuppressions([f], 'Checkov Scan', sources({ 'main.tf': tf }), TODAY);
    assert.equal(f.suppression?.kind, 'checkov:skip');
    assert.equal(f.suppression?.reason, 'public website bucket');
  });
});
