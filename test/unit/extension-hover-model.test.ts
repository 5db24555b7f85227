import { strict as assert } from 'node:assert';
import {
  buildFindingHover,
  buildLineHover,
  commandLink,
  cweUrl,
  escapeBlock,
  escapeInline,
  escapeMarkdown,
  historyActionText,
  historyMovementText,
  safeExternalUrl,
  TRIAGE_COMMAND_IDS,
  TRIAGE_COMMANDS,
  type FindingHoverView,
} from '../../src/extension/hover-model';
import type { Finding } from '../../src/model';
import { storedFinding } from './extension-finding-factory';

function view(f: Finding, extra: Partial<FindingHoverView> = {}): FindingHoverView {
  return {
    finding: f,
    folder: 'file:///work/repo',
    testLabel: 'semgrep.json (Semgrep JSON Report)',
    duplicateOf: null,
    duplicates: [],
    reactivatedByImport: null,
    history: [],
    ...extra,
  };
}

/** Every `[text](target)` link in rendered markdown, ignoring escaped brackets. */
function links(markdown: string): string[] {
  const found: string[] = [];
  const re = /(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)/g;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) found.push(m[2]);
  return found;
}

/** The markdown with its code spans removed (their content is shown literally). */
function withoutCodeSpans(markdown: string): string {
  return markdown.replace(/(?<!\\)`[^`]*`/g, '');
}

/** Markdown-active characters left without a backslash before them. */
function unescapedActive(markdown: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < markdown.length; i++) {
    const c = markdown[i];
    if ('[]()<>`*_|&!#'.includes(c) && markdown[i - 1] !== '\\') found.push(c);
  }
  return found;
}

describe('extension hover model', () => {
  describe('escaping hostile report text', () => {
    it('disarms markdown links and images', () => {
      const text = escapeMarkdown('[click](https://evil.example) ![img](https://evil.example/x.png)');
      assert.deepEqual(links(text), []);
      assert.deepEqual(unescapedActive(text), []);
    });

    it('disarms command: URIs in links and autolinks', () => {
      const text = escapeMarkdown('[run](command:workbench.action.terminal.new) <command:evil> command:scanLedger.triage.reopen');
      assert.deepEqual(links(text), []);
      assert.ok(!/(?<!\\)</.test(text));
      assert.ok(text.includes('command\\:'), 'the colon of command: is escaped, so no URI is recognised');
    });

    it('disarms raw HTML and entities', () => {
      const text = escapeMarkdown('<img src=x onerror=alert(1)> <script>alert(1)</script> &lt;b&gt;');
      assert.deepEqual(unescapedActive(text), []);
      assert.ok(text.includes('\\<img'));
      assert.ok(text.includes('\\&lt\\;'));
    });

    it('disarms backticks, emphasis and tables', () => {
      const text = escapeMarkdown('`code` **bold** _em_ | a | b |');
      assert.deepEqual(unescapedActive(text), []);
    });

    it('keeps line starts from opening headings, lists, quotes or indented code', () => {
      const text = escapeMarkdown('# heading\n- item\n1. one\n> quote\n    indented\n=====');
      for (const line of text.split('  \n')) {
        assert.ok(!/^(#|-|\d+\.|>| {4}|=)/.test(line), `line start is inert: ${JSON.stringify(line)}`);
      }
    });

    it('breaks www. and http:// autolinks', () => {
      const text = escapeMarkdown('see www.evil.example and http://evil.example/a');
      assert.ok(text.includes('www\\.evil'));
      assert.ok(text.includes('http\\:\\/\\/'));
    });

    it('strips control characters and bidirectional overrides', () => {
      assert.equal(escapeInline('safe\u202e\u2066txt\u0000\u0007'), 'safetxt');
    });

    it('renders bold and code spans of a description, keeping their content inert', () => {
      assert.equal(escapeBlock('**Result message:** eval of `req.query`'), '**Result message\\:** eval of `req.query`');
      assert.equal(escapeBlock('see `x` here'), 'see `x` here');
      const hostile = escapeBlock('`[x](command:evil)` and **[y](command:evil)**');
      assert.deepEqual(links(withoutCodeSpans(hostile)), []);
      assert.ok(hostile.includes('**\\[y\\]\\(command\\:evil\\)**'), 'bold keeps its inner text escaped');
    });

    it('cannot be tricked into an unclosed code fence or code span', () => {
      assert.equal(escapeBlock('```js'), '\\`\\`\\`js');
      assert.equal(escapeBlock('a ` b'), 'a \\` b');
    });

    it('shows a closed ``` fence of a description (Bandit, gosec, SARIF snippets) as a code block, indentation kept', () => {
      const bandit = escapeBlock('**Issue:** shell=True\n\n**Code:**\n```\n964     stdout=subprocess.PIPE,\n965     shell=use_shell,\n```\n\nafter');
      assert.equal(bandit, '**Issue\\:** shell\\=True\n\n**Code\\:**\n\n```\n964     stdout=subprocess.PIPE,\n965     shell=use_shell,\n```\n\nafter');
      assert.equal(escapeBlock('```x```'), '```\nx\n```', 'gosec writes its code between fences on one line');
      assert.equal(escapeBlock('```python\nprint(1)\n```'), '```\nprint(1)\n```', 'the info string is dropped');
    });

    it('a code block cannot be closed early by the report: its fence is longer than any backtick run inside', () => {
      const hostile = escapeBlock('```\na ``` [x](command:evil) ```` b\n```\n[y](command:evil)');
      const blocks = [...hostile.matchAll(/^(`{3,})\n([\s\S]*?)\n\1$/gm)];
      for (const [, fence, body] of blocks) {
        const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
        assert.ok(fence.length > longest, `fence ${fence} around ${body}`);
      }
      const outside = hostile.replace(/^(`{3,})\n[\s\S]*?\n\1$/gm, '');
      assert.deepEqual(links(withoutCodeSpans(outside)), [], 'no link outside the code blocks');
      assert.ok(outside.includes('\\[y\\]\\(command\\:evil\\)'));
    });

    it('keeps paragraphs of a description and bounds its length', () => {
      assert.equal(escapeBlock('one\n\ntwo'), 'one\n\ntwo');
      assert.ok(escapeBlock('x'.repeat(5000)).length < 1600);
    });
  });

  describe('links', () => {
    it('accepts only http and https URLs and encodes characters that end a link target', () => {
      assert.equal(safeExternalUrl('javascript:alert(1)'), null);
      assert.equal(safeExternalUrl('command:scanLedger.triage.reopen'), null);
      assert.equal(safeExternalUrl('file:///etc/passwd'), null);
      assert.equal(safeExternalUrl('not a url'), null);
      assert.equal(safeExternalUrl('https://user:pw@example.com/'), null);
      assert.equal(safeExternalUrl('https://example.com/a b)c'), 'https://example.com/a%20b%29c');
    });

    it('links CWEs to MITRE only for positive integers', () => {
      assert.equal(cweUrl(79), 'https://cwe.mitre.org/data/definitions/79.html');
      assert.equal(cweUrl(0), null);
      assert.equal(cweUrl(-1), null);
      assert.equal(cweUrl(1.5), null);
      assert.equal(cweUrl(null), null);
    });

    it('builds command links only for our triage commands, with the argument JSON-encoded', () => {
      const link = commandLink('False positive', TRIAGE_COMMANDS.falsePositive, { folder: 'file:///w', findingIds: [3] }, 'tip');
      const target = link.slice(link.indexOf('](') + 2, link.indexOf(' "'));
      assert.ok(target.startsWith('command:scanLedger.triage.falsePositive?'));
      const args = JSON.parse(decodeURIComponent(target.slice(target.indexOf('?') + 1))) as unknown;
      assert.deepEqual(args, [{ folder: 'file:///w', findingIds: [3] }]);
      assert.throws(() => commandLink('x', 'workbench.action.terminal.new', { folder: '', findingIds: [] }, ''));
    });
  });

  describe('the hover of a finding', () => {
    it('shows title, severity, rule, CWE, description and the triage links', () => {
      const f = storedFinding(4, {
        title: 'SQL injection',
        severity: 'Critical',
        cwe: 89,
        description: 'User input reaches a query.',
        location: { ruleId: 'python.sqli', ruleHelpUri: 'https://semgrep.dev/r/python.sqli' },
      });
      const md = buildFindingHover(view(f));
      assert.ok(md.startsWith('**SQL injection**'));
      assert.ok(md.includes('Critical'));
      assert.ok(md.includes('Rule: [python\\.sqli](https://semgrep.dev/r/python.sqli)'));
      assert.ok(md.includes('[CWE\\-89](https://cwe.mitre.org/data/definitions/89.html)'));
      assert.ok(md.includes('User input reaches a query\\.'));
      const commands = links(md).filter((l) => l.startsWith('command:')).map((l) => l.slice(8, l.indexOf('?')));
      assert.deepEqual(commands, [
        TRIAGE_COMMANDS.falsePositive,
        TRIAGE_COMMANDS.outOfScope,
        TRIAGE_COMMANDS.acceptRisk,
        TRIAGE_COMMANDS.mitigated,
        TRIAGE_COMMANDS.addNote,
      ]);
    });

    it('offers reopen instead of triage for a triaged finding', () => {
      const md = buildFindingHover(view(storedFinding(4, { falsePositive: true, active: false })));
      const commands = links(md).filter((l) => l.startsWith('command:')).map((l) => l.slice(8, l.indexOf('?')));
      assert.deepEqual(commands, [TRIAGE_COMMANDS.reopen, TRIAGE_COMMANDS.addNote]);
    });

    it('shows duplicate and reactivation history and the latest notes', () => {
      const f = storedFinding(9, {
        duplicate: true,
        duplicateOf: 2,
        active: false,
        notes: [{ id: 1, at: '2026-11-02T10:00:00Z', author: 'ana', text: 'Checked with the team' }],
      });
      const md = buildFindingHover(
        view(f, {
          duplicateOf: { id: 2, title: 'Original' },
          reactivatedByImport: 7,
          history: [{ importId: 7, type: 'reimport', created: '2026-11-03T09:30:00.000Z', action: 'reactivated' }],
        }),
      );
      assert.ok(md.includes('Duplicate of \\#2 Original'));
      assert.ok(md.includes('Reopened by import \\#7'));
      assert.ok(md.includes('Import \\#7 (reimport, 2026\\-11\\-03 09\\:30): reactivated'));
      assert.ok(md.includes('*ana, 2026\\-11\\-02:* Checked with the team'));
    });

    it('issue 11, item 5: the history names a triaged match "untouched (triaged)" and shows the move its match recorded', () => {
      const f = storedFinding(12, { falsePositive: true, active: false, line: 3283 });
      const md = buildFindingHover(
        view(f, {
          history: [
            { importId: 9, type: 'reimport', created: '2026-11-04T08:00:00.000Z', action: 'untouched', untouchedReason: 'triaged', fromLine: 3254, toLine: 3283 },
            { importId: 8, type: 'reimport', created: '2026-11-03T08:00:00.000Z', action: 'untouched', fromFile: 'old/views.py', fromLine: 40 },
            { importId: 1, type: 'import', created: '2026-11-01T08:00:00.000Z', action: 'created' },
          ],
        }),
      );
      assert.ok(md.includes('Import \\#9 (reimport, 2026\\-11\\-04 08\\:00): untouched \\(triaged\\), moved from line 3254 to 3283'), md);
      assert.ok(md.includes('Import \\#8 (reimport, 2026\\-11\\-03 08\\:00): untouched, moved from old\\/views\\.py\\:40'), md);
      assert.ok(md.includes('Import \\#1 (import, 2026\\-11\\-01 08\\:00): created'));
      assert.equal(historyActionText({ action: 'untouched', untouchedReason: 'kept-closed' }), 'untouched (kept closed)');
      assert.equal(historyActionText({ action: 'closed', untouchedReason: 'triaged' }), 'closed', 'a reason only qualifies "untouched"');
      assert.equal(historyMovementText({ fromLine: 5, toLine: 5 }), null, 'no move, no text');
    });

    it('lets no report field inject a link, a command or HTML', () => {
      const evil = '[x](command:workbench.action.terminal.new) <b onclick=1>hi</b> `rm -rf` ![i](http://e/i.png)';
      const f = storedFinding(5, {
        title: evil,
        description: evil,
        componentName: evil,
        vulnerabilityIds: [evil],
        location: { ruleId: evil, ruleHelpUri: 'javascript:alert(1)' },
        suppression: { kind: evil, reason: evil },
        riskAccepted: true,
        active: false,
        riskAcceptance: { reason: evil, owner: evil, expires: evil, acceptedAt: '2026-11-01' },
        notes: [{ id: 1, at: evil, author: evil, text: evil }],
      });
      const md = buildLineHover([view(f, { testLabel: evil, duplicateOf: { id: 1, title: evil } })]);
      for (const target of links(withoutCodeSpans(md))) {
        const allowed = target.startsWith('https://cwe.mitre.org/') || TRIAGE_COMMAND_IDS.some((id) => target.startsWith(`command:${id}?`));
        assert.ok(allowed, `unexpected link target ${target}`);
      }
      assert.ok(!/(?<!\\)<b/.test(withoutCodeSpans(md)), 'no raw HTML outside code spans');
      const spans = md.match(/(?<!\\)`[^`]*`/g) ?? [];
      assert.deepEqual(spans, ['`rm -rf`'], 'the only code span is the description\'s own');
    });

    it('issue 11 item 4: says "Risk accepted by NAME until DATE" with the space kept', () => {
      const f = storedFinding(6, {
        riskAccepted: true,
        active: false,
        riskAcceptance: { reason: 'behind the VPN', owner: 'Dana', expires: '2027-06-30', acceptedAt: '2026-11-01' },
      });
      // The dashes of the date are escaped markdown; the words around them are what matters.
      assert.ok(buildLineHover([view(f)]).includes('Risk accepted by Dana until 2027\\-06\\-30: behind the VPN'), buildLineHover([view(f)]));
    });

    it('separates several findings of one line with a rule', () => {
      const md = buildLineHover([view(storedFinding(1)), view(storedFinding(2))]);
      assert.equal(md.split('\n\n---\n\n').length, 2);
    });
  });
});
