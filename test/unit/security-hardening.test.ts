import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyNativeSuppressions, type SuppressionSources } from '../../src/engine/native-suppressions';
import { findingsToSarif } from '../../src/extension/export/export-model';
import { buildFindingHover, type FindingHoverView } from '../../src/extension/hover-model';
import { isOutsideFolderPath, normaliseFindingPath } from '../../src/extension/report-paths';
import type { FindingAction, ImportType } from '../../src/model';
import { parseXml, XML_DOCTYPE_REFUSED } from '../../src/parsers/xml';
import { gitHead } from '../../src/store/git';
import { LedgerStore, StoreError } from '../../src/store';
import { readSharedTriage, recordSharedTriageDecision, sharedTriagePath } from '../../src/store/shared-triage-file';
import { parsedFinding } from '../builders';
import { aFinding } from './extension-ledger-builder';
import { storedFinding } from './extension-finding-factory';

/**
 * Hostile inputs found in the security review: each test is an attack a report, a store file
 * or a triage file from a pull request could carry, and checks that it is refused or disarmed.
 */

describe('Security: XML declarations hidden from the DOCTYPE scan', () => {
  function refused(text: string): void {
    assert.throws(() => parseXml(text, 'report.xml'), (error: Error) => error.message.includes(XML_DOCTYPE_REFUSED));
  }

  it('refuses a DOCTYPE after a processing instruction whose text holds "<!--"', () => {
    refused('<?xml version="1.0"?><?xml-stylesheet href="<!--"?><!DOCTYPE a [<!ENTITY e "xxx">]><a>&e;</a><!-- -->');
  });

  it('refuses a DOCTYPE after a processing instruction whose text holds "<![CDATA["', () => {
    refused('<?xml-stylesheet href="<![CDATA["?><!DOCTYPE a [<!ENTITY e "xxx">]><a>&e;</a><![CDATA[ ]]>');
  });

  it('refuses a DOCTYPE after an attribute value holding "<!--" (fast-xml-parser accepts both)', () => {
    refused('<a x="<!--"><!DOCTYPE b [<!ENTITY e "xxx">]><c>&e;</c></a><!-- -->');
    refused("<a x='<!--'/><!DOCTYPE b><!-- -->");
  });

  it('still reads "<!DOCTYPE" inside CDATA and comments as text, and ">" or "<" inside attribute values', () => {
    assert.deepEqual(parseXml('<r><![CDATA[<!DOCTYPE html>]]><!-- <!ENTITY x "y"> --></r>', 'r.xml'), { r: '<!DOCTYPE html>' });
    assert.deepEqual(parseXml('<r a="x>y" b=\'<\'>t</r>', 'r.xml'), { r: { '#text': 't', '@_a': 'x>y', '@_b': '<' } });
  });
});

describe('Security: hover history read back from a committed store', () => {
  it('escapes the import type and action, so a hostile store cannot add links to the hover', () => {
    const f = storedFinding(3, {});
    const view: FindingHoverView = {
      finding: f,
      folder: 'file:///work/repo',
      testLabel: 'semgrep.json',
      duplicateOf: null,
      duplicates: [],
      reactivatedByImport: null,
      history: [
        {
          importId: 1,
          type: '[t](https://evil.example/)' as ImportType,
          created: '2026-11-03T09:30:00.000Z',
          action: '[Open](command:scanLedger.triage.falsePositive?%5B%5D)' as FindingAction,
        },
      ],
    };
    const md = buildFindingHover(view);
    assert.ok(!md.includes('](https://evil.example'), md);
    assert.ok(!md.includes('[Open](command:'), md);
    assert.ok(md.includes('\\[Open\\]\\(command\\:'), md);
  });
});

describe('Security: SARIF export of report-supplied help links', () => {
  function helpUriOf(ruleHelpUri: string): string | undefined {
    const f = aFinding(1, 1, { location: { ruleId: 'r1', ruleHelpUri } });
    return findingsToSarif([f], { testsById: new Map(), toolVersion: '0.1.0' }).runs[0].tool.driver.rules?.[0].helpUri;
  }

  it('passes on an https help link', () => {
    assert.equal(helpUriOf('https://semgrep.dev/r/some.rule'), 'https://semgrep.dev/r/some.rule');
  });

  it('drops javascript:, command:, file: and data: help links, which a SARIF viewer would follow', () => {
    for (const uri of ['javascript:alert(1)', 'command:workbench.action.terminal.new', 'file:///etc/passwd', 'data:text/html,<script>1</script>']) {
      assert.equal(helpUriOf(uri), undefined, uri);
    }
  });
});

describe('Security: finding paths that climb out of the folder', () => {
  it('treats "../" paths and absolute paths outside the folder as outside, and folder paths as inside', () => {
    assert.equal(isOutsideFolderPath(normaliseFindingPath('../../etc/passwd', '/work/repo')), true);
    assert.equal(isOutsideFolderPath(normaliseFindingPath('src/../../x.js', '/work/repo')), true);
    assert.equal(isOutsideFolderPath(normaliseFindingPath('/etc/passwd', '/work/repo')), true);
    assert.equal(isOutsideFolderPath(normaliseFindingPath('C:\\Windows\\win.ini', '/work/repo')), true);
    assert.equal(isOutsideFolderPath(normaliseFindingPath('/work/repo/src/a.js', '/work/repo')), false);
    assert.equal(isOutsideFolderPath(normaliseFindingPath('src/../lib/a.js', '/work/repo')), false);
    assert.equal(isOutsideFolderPath('..hidden/a.js'), false);
  });
});

describe('Security: a hostile .scan-ledger/triage.json from a pull request', () => {
  let base: string;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-sec-'));
    root = path.join(base, 'repo');
    outside = path.join(base, 'outside');
    await fs.mkdir(root);
    await fs.mkdir(outside);
  });

  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  const decision = { key: 'fp:abc', status: 'false-positive' as const, author: 'ana', at: '2026-11-02T10:00:00.000Z', reason: 'test code' };

  it('refuses a triage.json that is a symbolic link to a file outside the workspace', async () => {
    const secret = path.join(outside, 'secret.json');
    await fs.writeFile(secret, JSON.stringify({ decisions: [] }));
    await fs.mkdir(path.join(root, '.scan-ledger'));
    await fs.symlink(secret, sharedTriagePath(root));
    await assert.rejects(readSharedTriage(root), /outside the workspace folder/);
  });

  it('refuses to write through a .scan-ledger folder that is a symbolic link out of the workspace', async () => {
    await fs.symlink(outside, path.join(root, '.scan-ledger'), 'dir');
    await assert.rejects(recordSharedTriageDecision(root, decision), /outside the workspace folder/);
    assert.deepEqual(await fs.readdir(outside), []);
  });

  it('still reads a triage.json that is a symbolic link inside the workspace', async () => {
    await fs.mkdir(path.join(root, '.scan-ledger'));
    const real = path.join(root, 'shared-triage.json');
    await fs.writeFile(real, JSON.stringify({ version: 1, decisions: [decision] }));
    await fs.symlink(real, sharedTriagePath(root));
    assert.deepEqual((await readSharedTriage(root)).decisions, [decision]);
  });

  it('refuses a decision whose reason is not text (an object would break every message built from it)', async () => {
    await fs.mkdir(path.join(root, '.scan-ledger'));
    await fs.writeFile(sharedTriagePath(root), JSON.stringify({ version: 1, decisions: [{ ...decision, reason: { toString: 1 } }] }));
    await assert.rejects(readSharedTriage(root), /decision 0 has a "reason" that is not text/);
  });

  it('drops __proto__, constructor and unknown keys of a decision, and pollutes no prototype', async () => {
    await fs.mkdir(path.join(root, '.scan-ledger'));
    const text = `{"version":1,"decisions":[{"key":"fp:abc","status":"false-positive","author":"ana","at":"2026-11-02T10:00:00.000Z","reason":"test code","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"extra":1}]}`;
    await fs.writeFile(sharedTriagePath(root), text);
    const file = await readSharedTriage(root);
    assert.deepEqual(file.decisions, [decision]);
    assert.deepEqual(Object.keys(file.decisions[0]).sort(), ['at', 'author', 'key', 'reason', 'status']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('Security: a .trivyignore.yaml parsed once per import, not once per finding', () => {
  const TODAY = '2026-03-10';
  const yamlFor = (id: string): string => `vulnerabilities:\n  - id: ${id}\n    statement: ignored ${id}\n`;

  it('applies the parsed file to every finding of the report', () => {
    const sources: SuppressionSources = { lines: () => undefined, trivyIgnoreYaml: yamlFor('CVE-2023-1') };
    const findings = Array.from({ length: 50 }, (_, i) => parsedFinding({ title: `CVE-2023-1 pkg${i} 1`, vulnerabilityIds: ['CVE-2023-1'] }));
    assert.equal(applyNativeSuppressions(findings, 'Trivy Scan', sources, TODAY), 50);
    assert.ok(findings.every((f) => f.suppression?.reason === 'ignored CVE-2023-1'));
  });

  it('re-reads the file when the same sources object carries a new text (no stale cache)', () => {
    const sources: SuppressionSources = { lines: () => undefined, trivyIgnoreYaml: yamlFor('CVE-2023-1') };
    const first = parsedFinding({ title: 'CVE-2023-2 a 1', vulnerabilityIds: ['CVE-2023-2'] });
    applyNativeSuppressions([first], 'Trivy Scan', sources, TODAY);
    assert.equal(first.suppression, undefined);
    sources.trivyIgnoreYaml = yamlFor('CVE-2023-2');
    const second = parsedFinding({ title: 'CVE-2023-2 a 1', vulnerabilityIds: ['CVE-2023-2'] });
    applyNativeSuppressions([second], 'Trivy Scan', sources, TODAY);
    assert.equal(second.suppression?.reason, 'ignored CVE-2023-2');
  });

  it('suppresses nothing with a broken or alias-bomb file', () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nvulnerabilities: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    for (const text of ['vulnerabilities: [', bomb]) {
      const f = parsedFinding({ title: 'CVE-2023-1 a 1', vulnerabilityIds: ['CVE-2023-1'] });
      assert.equal(applyNativeSuppressions([f], 'Trivy Scan', { lines: () => undefined, trivyIgnoreYaml: text }, TODAY), 0, text);
    }
  });
});

describe('Security: git is never started from the workspace folder', () => {
  let root: string;
  const savedPath = process.env.PATH;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'scan-ledger-git-'));
  });

  afterEach(async () => {
    process.env.PATH = savedPath;
    await fs.rm(root, { recursive: true, force: true });
  });

  it('does not run a "git" program the repository commits, even with the working directory on the search path', async () => {
    // Windows always looks in the working directory first; POSIX does when PATH has an empty entry.
    const marker = path.join(root, 'ran');
    await fs.writeFile(path.join(root, 'git'), `#!/bin/sh\ntouch '${marker}'\necho 0123456789012345678901234567890123456789\n`, { mode: 0o755 });
    process.env.PATH = `:${savedPath ?? ''}`;
    assert.equal(await gitHead(root), null, 'the folder is not a repository, so the real git finds no HEAD');
    await assert.rejects(fs.access(marker), 'the fake git in the folder must not have run');
  });
});

describe('the store never follows a committed .scan-ledger link out of the workspace', () => {
  it('refuses a store whose folder is a symbolic link to outside the workspace, and writes nothing there', async () => {
    const join = (...segments: string[]): string => path.join(...segments);
    const workspace = await fs.mkdtemp(join(os.tmpdir(), 'sl-ws-'));
    const elsewhere = await fs.mkdtemp(join(os.tmpdir(), 'sl-elsewhere-'));
    await fs.symlink(elsewhere, join(workspace, '.scan-ledger'));
    await assert.rejects(
      LedgerStore.open(join(workspace, '.scan-ledger', 'store.json'), { workspaceRoot: workspace }),
      (error: unknown) => error instanceof StoreError && /outside the workspace folder/.test((error as Error).message),
    );
    assert.deepEqual(await fs.readdir(elsewhere), []);
    // A store inside the workspace, and one explicitly configured outside it, still open.
    await fs.mkdir(join(workspace, 'own'));
    const inside = await LedgerStore.open(join(workspace, 'own', 'store.json'), { workspaceRoot: workspace });
    await inside.close();
    const outside = await LedgerStore.open(join(elsewhere, 'chosen', 'store.json'), { workspaceRoot: workspace });
    await outside.close();
  });
});
