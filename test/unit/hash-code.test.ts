import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { casefold } from '../../src/engine/casefold';
import { hashConfigFor, type HashConfig } from '../../src/engine/dedupe-config';
import { computeHashCode, hashInput, stripAsciiWhitespace, type HashableFinding } from '../../src/engine/hash-code';
import { sha256Hex } from '../../src/engine/sha256';
import { isBelowMinimumSeverity, numericalSeverity, sanitizeSeverity, syncVulnerabilityIds } from '../../src/engine/normalise';
import { defaultSettings, pythonStr } from '../../src/model';

// Expected digests below were computed independently with Python:
// hashlib.sha256(s.casefold().encode().strip()).hexdigest()
const legacy: HashConfig = { algorithm: 'hash_code', fields: null, allowsNullCwe: true, fieldsAlways: ['service'] };

function finding(overrides: Partial<HashableFinding>): HashableFinding {
  return { title: 'T', description: 'D', severity: 'Medium', ...overrides };
}

describe('§6.2 hash code test vectors', () => {
  it('vector 1: legacy hash of title, cwe 95, line 12, file and description', () => {
    const f = finding({ title: 'Use of eval', cwe: 95, line: 12, filePath: 'src/app.js', description: '**Result message:** Use of eval' });
    assert.equal(hashInput(f, legacy), 'Use of eval9512src/app.js**Result message:** Use of eval');
    assert.equal(computeHashCode(f, legacy), 'b758d70b4dacd7a262c88091071e3501d1ba9eba0a9da1d4a418c8cf502c7ac6');
  });

  it('vector 2: Bandit fields file_path, line, vuln_id_from_tool with service "api" appended', () => {
    const config = hashConfigFor('Bandit Scan', 'Bandit Scan', defaultSettings());
    const f = finding({ filePath: 'app/main.py', line: 42, vulnIdFromTool: 'blacklist:B307', service: 'api' });
    assert.equal(computeHashCode(f, config), '575205caa0ead050141f91a876a6cf19bdb3e33cf041fb147cbf29c16849a3ac');
  });

  it('vector 3: legacy hash with cwe 0 and no line or file renders None', () => {
    const f = finding({ title: 'Finding without cwe', cwe: 0, line: null, filePath: null, description: 'desc' });
    assert.equal(hashInput(f, legacy), 'Finding without cwe0NoneNonedesc');
    assert.equal(computeHashCode(f, legacy), 'b638b7209fafbdca1b095d956f7bdf21b361e0d8abe2063461280ed8619233e9');
  });
});

describe('§6.2 H(s): SHA-256 of the UTF-8 text, lowercase hex', () => {
  // The one-shot hash must give the digest the hash object gives for every string a report can
  // hold: hash codes stored by an older build are compared against new ones on every reimport.
  const texts = ['', 'abc', 'Use of eval9512src/app.js', 'Größe ß 東京 🔒', 'lone \ud800 surrogate \udfff', 'x'.repeat(100_000)];
  for (const text of texts) {
    it(`equals createHash('sha256') for ${JSON.stringify(text.slice(0, 24))} (${text.length} chars)`, () => {
      assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
    });
  }
  it('is the known digest of "abc"', () => {
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('§6.2 H(s): case folding, whitespace strip, service', () => {
  it('uses full Unicode case folding, not toLowerCase (ß → ss, ﬁ → fi, final sigma → σ)', () => {
    assert.equal(casefold('Straße'), 'strasse');
    assert.equal(casefold('ﬁle'), 'file');
    assert.equal(casefold('ς'), 'σ');
    assert.equal(casefold('ΣΑΣ'), 'σασ');
    assert.equal(casefold('İstanbul'), 'i\u0307stanbul');
    assert.equal(casefold('ǰ'), 'j\u030c');
    assert.equal(casefold('ẞ'), 'ss');
    assert.equal(casefold('µ'), 'μ');
    assert.equal(casefold('Ꭰ'), 'Ꭰ');
  });

  it('strips ASCII whitespace from both ends after folding', () => {
    const config: HashConfig = { ...legacy, fields: ['title'] };
    assert.equal(computeHashCode(finding({ title: '  Straße ﬁle ς  \n' }), config), '621710486b4135546fb6cbc5c4cb273e0801d4d9abff3f03fddecf785bbfb277');
  });

  it("strips exactly Python's bytes.strip() set (space, \\t, \\n, \\v, \\f, \\r) and only at the ends", () => {
    assert.equal(stripAsciiWhitespace(' \t\n\v\f\r a \t b \r\f\v\n\t '), 'a \t b');
    assert.equal(stripAsciiWhitespace(' \t\r\n '), '');
    assert.equal(stripAsciiWhitespace(''), '');
    const untouched = 'no ends to strip';
    assert.equal(stripAsciiWhitespace(untouched), untouched);
    // Unicode whitespace is not ASCII whitespace: bytes.strip() keeps U+00A0, U+2003 and U+0085.
    assert.equal(stripAsciiWhitespace('\u00a0x\u2003\u0085'), '\u00a0x\u2003\u0085');
    // U+001C–U+001F are whitespace to str.strip() but not to bytes.strip().
    assert.equal(stripAsciiWhitespace('\u001cx\u001f'), '\u001cx\u001f');
    const long = `${' '.repeat(3)}${'description '.repeat(10_000)}\n`;
    assert.equal(stripAsciiWhitespace(long), long.trim());
  });

  it('appends service only when it is non-empty (HASH_CODE_FIELDS_ALWAYS)', () => {
    const config: HashConfig = { ...legacy, fields: ['title'] };
    assert.equal(computeHashCode(finding({ title: 'Title', service: 'audit-svc' }), config), '266448f573210599c9adea1e804d260d02ce91b048f16c32cf15477847342133');
    assert.equal(
      computeHashCode(finding({ title: 'Title', service: '' }), config),
      computeHashCode(finding({ title: 'Title', service: null }), config),
    );
  });
});

describe('§6.2 render(field)', () => {
  it('renders null as None, booleans as True/False and integers in decimal, like Python str()', () => {
    assert.equal(pythonStr(null), 'None');
    assert.equal(pythonStr(undefined), 'None');
    assert.equal(pythonStr(true), 'True');
    assert.equal(pythonStr(false), 'False');
    assert.equal(pythonStr(42), '42');
  });

  it('vulnerability_ids are de-duplicated, sorted and concatenated', () => {
    const config: HashConfig = { ...legacy, fields: ['vulnerabilityIds'] };
    const f = finding({ vulnerabilityIds: ['CVE-2022-2', 'CVE-2021-1', 'CVE-2022-2'] });
    assert.equal(hashInput(f, config), 'CVE-2021-1CVE-2022-2');
    assert.equal(computeHashCode(f, config), 'ca2451d93ea1f2f82112dd30e260b882db8483f8d499ff61a35a93e9e6392fc6');
  });

  it('cwes renders CWE-<n> labels of the primary and extra CWEs, sorted', () => {
    const config: HashConfig = { ...legacy, fields: ['cwes'] };
    const f = finding({ cwe: 79, cwes: [22, 79] });
    assert.equal(hashInput(f, config), 'CWE-22CWE-79');
    assert.equal(computeHashCode(f, config), 'b55cf64399331993cb1b817b4549a9bf7ebf5567412fbc6687d66125a61f1f57');
  });

  it('endpoints are the sorted set of location URL strings', () => {
    const config: HashConfig = { ...legacy, fields: ['endpoints'] };
    const f = finding({ endpoints: ['https://b.example/y', 'https://a.example/x'] });
    assert.equal(computeHashCode(f, config), '0f81cc69468c632a7becfbd4afc5d84c79b7c583aa75156e2f12645eaeee56c1');
  });

  it('the ZAP table (title, cwe, severity) concatenates fields in list order with no separator', () => {
    const config = hashConfigFor('ZAP Scan', 'ZAP Scan', defaultSettings());
    const f = finding({ title: 'XSS', cwe: 79, severity: 'Medium' });
    assert.equal(computeHashCode(f, config), '882a931000904f876a82958b762a835310c90d87e34bac8a9698196d1aec4fee');
  });
});

describe('§6.2 fallbacks to the legacy hash', () => {
  it('no field list means the legacy hash', () => {
    const f = finding({ title: 'A', cwe: 1, line: 2, filePath: 'f', description: 'd' });
    assert.equal(hashInput(f, { ...legacy, fields: null }), 'A12fd');
  });

  it('a field outside HASHCODE_ALLOWED_FIELDS means the legacy hash', () => {
    const f = finding({ title: 'A', cwe: 1, line: 2, filePath: 'f', description: 'd' });
    assert.equal(hashInput(f, { ...legacy, fields: ['title', 'impact'] }), 'A12fd');
  });

  it('null-CWE rule: cwe 0 with allowsNullCwe false falls back to legacy; a null cwe proceeds', () => {
    const config = hashConfigFor('ZAP Scan', 'ZAP Scan', defaultSettings());
    assert.equal(config.allowsNullCwe, false);
    const zero = finding({ title: 'XSS', cwe: 0, severity: 'Medium', description: 'd' });
    assert.equal(hashInput(zero, config), 'XSS0NoneNoned');
    const nullCwe = finding({ title: 'XSS', cwe: null, severity: 'Medium', description: 'd' });
    assert.equal(hashInput(nullCwe, config), 'XSSNoneMedium');
  });
});

describe('§6.1 configuration lookup', () => {
  it('looks up the Test_Type name first, then the scan type, with legacy as the default algorithm', () => {
    const settings = { ...defaultSettings(), defectdojoParity: true };
    assert.equal(hashConfigFor('CodeQL Scan (SARIF)', 'SARIF', settings).algorithm, 'unique_id_from_tool_or_hash_code');
    assert.equal(hashConfigFor('Gosec Scanner', 'Gosec Scanner', settings).algorithm, 'legacy');
    assert.equal(hashConfigFor('Unknown Tool', 'Unknown Tool', settings).fields, null);
    assert.equal(hashConfigFor('Unknown Tool', 'Unknown Tool', settings).allowsNullCwe, true);
  });

  it("Scan Ledger's default is fingerprint for SAST, secrets and IaC scan types; parity restores DefectDojo's", () => {
    for (const scanType of ['SARIF', 'Semgrep JSON Report', 'Bandit Scan', 'Gitleaks Scan', 'Checkov Scan', 'Gosec Scanner', 'SpotBugs Scan']) {
      assert.equal(hashConfigFor(scanType, scanType, defaultSettings()).algorithm, 'fingerprint', scanType);
    }
    assert.equal(hashConfigFor('Trivy Scan', 'Trivy Scan', defaultSettings()).algorithm, 'hash_code');
    const parity = { ...defaultSettings(), defectdojoParity: true };
    assert.equal(hashConfigFor('Bandit Scan', 'Bandit Scan', parity).algorithm, 'hash_code');
    assert.equal(hashConfigFor('SARIF', 'SARIF', parity).algorithm, 'unique_id_from_tool_or_hash_code');
    const override = { ...defaultSettings(), 'dedupe.algorithmPerScanType': { SARIF: 'hash_code' as const } };
    assert.equal(hashConfigFor('SARIF', 'SARIF', override).algorithm, 'hash_code');
  });

  it('user overrides replace DefectDojo defaults key by key and accept snake_case names', () => {
    const settings = defaultSettings();
    settings['dedupe.hashFieldsPerScanType'] = { 'Bandit Scan': ['file_path', 'vuln_id_from_tool'] };
    settings['dedupe.algorithmPerScanType'] = { 'Trivy Scan': 'unique_id_from_tool' };
    assert.deepEqual(hashConfigFor('Bandit Scan', 'Bandit Scan', settings).fields, ['filePath', 'vulnIdFromTool']);
    assert.equal(hashConfigFor('Trivy Scan', 'Trivy Scan', settings).algorithm, 'unique_id_from_tool');
    assert.deepEqual(hashConfigFor('Trivy Scan', 'Trivy Scan', settings).fields, ['title', 'severity', 'vulnerabilityIds', 'cwe', 'description']);
  });
});

describe('§1.2 severity sanitising and minimum severity', () => {
  it('keeps the five exact spellings and maps info* / none to Info', () => {
    assert.equal(sanitizeSeverity('High'), 'High');
    assert.equal(sanitizeSeverity('informational'), 'Info');
    assert.equal(sanitizeSeverity('INFO'), 'Info');
    assert.equal(sanitizeSeverity('None'), 'Info');
  });

  it('rejects anything else, including wrong case, which aborts the import', () => {
    assert.equal(sanitizeSeverity('high'), null);
    assert.equal(sanitizeSeverity('Severe'), null);
  });

  it('numerical severity is S0 (Critical) … S4 (Info), S5 otherwise', () => {
    assert.equal(numericalSeverity('Critical'), 'S0');
    assert.equal(numericalSeverity('Info'), 'S4');
    assert.equal(numericalSeverity('Bogus'), 'S5');
  });

  it('minimum severity Low drops Info only', () => {
    assert.equal(isBelowMinimumSeverity('Info', 'Low'), true);
    assert.equal(isBelowMinimumSeverity('Low', 'Low'), false);
    assert.equal(isBelowMinimumSeverity('Critical', 'Info'), false);
  });
});

describe('§3.2 CVE sync (process_cve)', () => {
  it('puts the cve in front of existing ids', () => {
    const f = { cve: 'CVE-1', vulnerabilityIds: ['GHSA-x', 'CVE-1'] };
    syncVulnerabilityIds(f);
    assert.deepEqual(f.vulnerabilityIds, ['CVE-1', 'GHSA-x', 'CVE-1']);
  });

  it('sets cve from the first id when only ids exist, and ids from cve when only cve exists', () => {
    const a: { cve?: string | null; vulnerabilityIds?: string[] } = { vulnerabilityIds: ['', 'GHSA-x'] };
    syncVulnerabilityIds(a);
    assert.equal(a.cve, 'GHSA-x');
    assert.deepEqual(a.vulnerabilityIds, ['GHSA-x']);
    const b: { cve?: string | null; vulnerabilityIds?: string[] } = { cve: 'CVE-2' };
    syncVulnerabilityIds(b);
    assert.deepEqual(b.vulnerabilityIds, ['CVE-2']);
  });
});
