import { safeExternalUrl } from '../engine';
import type { Finding, FindingAction, ImportType, UntouchedReason } from '../model';
import { type FlowStep, stepLinkTarget } from './code-flow-model';

/**
 * The hover's markdown, as a string. Pure (no `vscode`) so the escaping can be tested with
 * hostile input. Everything that comes from a report is untrusted: it goes through
 * `escapeMarkdown` (text) or `safeExternalUrl` (links); only a description's own code spans and
 * fenced blocks stay code, where the content is shown literally and cannot end the span or
 * block early (`escapeRichLine`, `codeBlock`).
 */

/** The triage commands a hover, a quick fix or the tree may link to; nothing else is enabled. */
export const TRIAGE_COMMANDS = {
  falsePositive: 'scanLedger.triage.falsePositive',
  outOfScope: 'scanLedger.triage.outOfScope',
  acceptRisk: 'scanLedger.triage.acceptRisk',
  mitigated: 'scanLedger.triage.mitigated',
  reopen: 'scanLedger.triage.reopen',
  addNote: 'scanLedger.triage.addNote',
} as const;

export const TRIAGE_COMMAND_IDS: readonly string[] = Object.values(TRIAGE_COMMANDS);

/**
 * Control characters (except tab and newline) and the bidirectional overrides that can make
 * text display differently from what it is ("Trojan Source").
 */
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function stripUnsafeCharacters(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE_CHARS, '');
}

/**
 * Escapes text for inline markdown: every ASCII punctuation character gets a backslash, which
 * CommonMark defines as "this character, literally". That disarms links and images (`[`, `]`,
 * `(`), autolinks and `command:` URIs (`<`, `:`), HTML and entities (`<`, `&`), emphasis,
 * code spans (backtick) and tables (`|`). Line starts cannot open blocks (headings, lists,
 * quotes, indented code) because their markers are punctuation or leading spaces, which are
 * removed. Newlines become hard line breaks.
 */
export function escapeMarkdown(text: string): string {
  return stripUnsafeCharacters(text)
    .split('\n')
    .map((line) => escapePunctuation(line.replace(/^[ \t]+/, '')))
    .join('  \n');
}

/** Backslash before every ASCII punctuation character; tabs become spaces. */
function escapePunctuation(text: string): string {
  return text.replace(/\t/g, ' ').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/** Escapes text for a single line (titles): newlines become spaces. */
export function escapeInline(text: string, max = 200): string {
  const flat = stripUnsafeCharacters(text).replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return escapeMarkdown(cut);
}

/**
 * Escapes one line of report markdown but keeps the two constructs scanners use most and that
 * cannot carry a link or HTML: `**bold**` (its inner text stays escaped) and `` `code` `` spans
 * (CommonMark shows a code span's content literally, so it needs no escaping, and a span never
 * contains a backtick here, so it cannot be closed early).
 */
function escapeRichLine(line: string): string {
  const parts = line.split(/(`[^`]+`)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return part;
      return escapePunctuation(part).replace(/\\\*\\\*(?=\S)((?:(?!\\\*\\\*).)+?)\\\*\\\*/g, (_m, inner: string) =>
        inner.endsWith(' ') ? `\\*\\*${inner}\\*\\*` : `**${inner}**`,
      );
    })
    .join('');
}

/** An opening or closing code fence of a description: three backticks not escaped by a backslash. */
const FENCE = /(?<!\\)```/g;

/**
 * A fenced code block of our own around report text: DefectDojo's parsers put the flagged code in
 * ``` fences (Bandit, gosec, Gitleaks, SARIF snippets), and shown as prose it lost its
 * indentation and showed the fences. A code block's content is shown literally (no links, no
 * HTML), and the fence is longer than any run of backticks inside, so the content cannot close
 * it early and turn the rest into markdown.
 */
function codeBlock(content: string): string {
  // An info string on the opening line (```python) is dropped: it only picks a highlighter.
  const body = content.replace(/^[\w+-]*\n/, '').replace(/^\n+|\s+$/g, '');
  if (body.trim() === '') return '';
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${body}\n${fence}`;
}

/**
 * Escapes a multi-line block (descriptions) and bounds its length; paragraphs (blank lines)
 * and line breaks are kept, bold and code spans are rendered (see `escapeRichLine`), and a
 * closed ``` fence becomes a code block (see `codeBlock`); an unclosed one stays text.
 */
export function escapeBlock(text: string, max = 1500): string {
  const clean = stripUnsafeCharacters(text).trim();
  const cut = clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
  const parts: string[] = [];
  let at = 0;
  const fences = [...cut.matchAll(FENCE)].map((m) => m.index);
  for (let k = 0; k + 1 < fences.length; k += 2) {
    parts.push(escapeProse(cut.slice(at, fences[k])), codeBlock(cut.slice(fences[k] + 3, fences[k + 1])));
    at = fences[k + 1] + 3;
  }
  parts.push(escapeProse(cut.slice(at)));
  return parts.filter((part) => part.length > 0).join('\n\n');
}

/** Paragraphs of description text, escaped (`escapeRichLine`), line breaks kept. */
function escapeProse(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((para) =>
      para
        .trim()
        .split('\n')
        .map((line) => escapeRichLine(line.replace(/^[ \t]+/, '')))
        .join('  \n'),
    )
    .filter((para) => para.length > 0)
    .join('\n\n');
}

/**
 * An http(s) URL from a report, made safe to put in a markdown link target. One rule for the
 * hovers and the SARIF export, so it lives with the export in the engine.
 */
export { safeExternalUrl };

/** MITRE's page for a CWE number; null for anything that is not a positive integer. */
export function cweUrl(cwe: number | null | undefined): string | null {
  if (typeof cwe !== 'number' || !Number.isInteger(cwe) || cwe <= 0) return null;
  return `https://cwe.mitre.org/data/definitions/${cwe}.html`;
}

/** The argument every triage command accepts from links: which folder, which findings. */
export interface TriageLinkArgument {
  folder: string;
  findingIds: number[];
}

/** A `command:` link to one of our triage commands, with its argument JSON-encoded in the URI. */
export function commandLink(label: string, commandId: string, arg: TriageLinkArgument, tooltip: string): string {
  if (!TRIAGE_COMMAND_IDS.includes(commandId)) throw new Error(`Not a triage command: ${commandId}`);
  const query = encodeURIComponent(JSON.stringify([arg]));
  return `[${escapeMarkdown(label)}](command:${commandId}?${query} "${tooltip.replace(/["\\]/g, '')}")`;
}

/** One import's action on the finding, for the history section. */
export interface FindingHistoryEntry {
  importId: number;
  type: ImportType;
  created: string;
  action: FindingAction;
  /** Why a matched finding was left untouched (default mode records triaged matches too). */
  untouchedReason?: UntouchedReason | null;
  /** Where the match found it before, as fingerprint matching records a move. */
  fromLine?: number | null;
  toLine?: number | null;
  fromFile?: string | null;
}

const UNTOUCHED_REASON_TEXT: Readonly<Record<UntouchedReason, string>> = {
  triaged: 'triaged',
  'kept-closed': 'kept closed',
  'flagged-by-report': 'flagged by the report',
};

/** The action as the history says it: "untouched (triaged)", "created", … (unescaped). */
export function historyActionText(h: Pick<FindingHistoryEntry, 'action' | 'untouchedReason'>): string {
  const reason = h.action === 'untouched' && h.untouchedReason ? UNTOUCHED_REASON_TEXT[h.untouchedReason] : undefined;
  return reason ? `${h.action} (${reason})` : String(h.action);
}

/** The move a match recorded, e.g. "moved from line 3254 to 3283" (unescaped), or null. */
export function historyMovementText(h: Pick<FindingHistoryEntry, 'fromLine' | 'toLine' | 'fromFile'>): string | null {
  if (h.fromFile) return `moved from ${h.fromFile}${h.fromLine != null ? `:${h.fromLine}` : ''}`;
  if (h.fromLine != null && h.toLine != null && h.fromLine !== h.toLine) return `moved from line ${h.fromLine} to ${h.toLine}`;
  return null;
}

/** Everything the hover shows about one finding; gathered from the ledger by `hover.ts`. */
export interface FindingHoverView {
  finding: Finding;
  /** The workspace folder's URI string, for the triage links. */
  folder: string;
  /** The test's title or type, e.g. `semgrep.json (Semgrep JSON Report)`. */
  testLabel: string;
  duplicateOf: { id: number; title: string } | null;
  duplicates: { id: number; title: string }[];
  reactivatedByImport: number | null;
  /** Newest first. */
  history: FindingHistoryEntry[];
  /** SARIF code-flow steps and related locations inside the folder (already checked on disk). */
  flowSteps?: FlowStep[];
}

/** How many code-flow steps and related locations the hover lists. */
const FLOW_STEPS_SHOWN = 12;

/**
 * The code flow and related locations as links that open the file at the line. The target is
 * built from a path already known to lie inside the folder; the label and message are escaped.
 */
export function flowSection(folderUri: string, steps: readonly FlowStep[]): string | null {
  if (steps.length === 0) return null;
  const lines = steps.slice(0, FLOW_STEPS_SHOWN).map((step) => {
    const where = escapeInline(`${step.relPath}:${step.line}`, 200);
    return `[${where}](${stepLinkTarget(folderUri, step)}) ${escapeInline(step.label, 240)}`;
  });
  if (steps.length > FLOW_STEPS_SHOWN) lines.push(`and ${steps.length - FLOW_STEPS_SHOWN} more (Problems panel)`);
  return lines.join('  \n');
}

function statusLine(f: Finding): string {
  const flags: string[] = [];
  if (f.isMitigated) flags.push('mitigated');
  else if (f.active) flags.push('active');
  else flags.push('inactive');
  if (f.verified) flags.push('verified');
  if (f.falsePositive) flags.push('false positive');
  if (f.outOfScope) flags.push('out of scope');
  if (f.riskAccepted) flags.push('risk accepted');
  if (f.duplicate) flags.push('duplicate');
  if (f.underReview) flags.push('under review');
  return flags.join(', ');
}

function ruleOf(f: Finding): string | null {
  return f.location?.ruleId || f.vulnIdFromTool || null;
}

/** The markdown for one finding; several findings on a line are joined with a rule. */
export function buildFindingHover(view: FindingHoverView): string {
  const f = view.finding;
  const out: string[] = [];
  out.push(`**${escapeInline(f.title)}**`);
  const facts: string[] = [`${escapeMarkdown(f.severity)}`, `\\#${f.id}`, escapeMarkdown(statusLine(f))];
  out.push(facts.join(' · '));

  const details: string[] = [];
  const rule = ruleOf(f);
  if (rule) {
    const help = safeExternalUrl(f.location?.ruleHelpUri);
    details.push(help ? `Rule: [${escapeInline(rule, 120)}](${help})` : `Rule: ${escapeInline(rule, 120)}`);
  }
  const cweLinks = [f.cwe, ...(f.cwes ?? [])]
    .filter((c, i, all): c is number => cweUrl(c) != null && all.indexOf(c) === i)
    .map((c) => `[CWE\\-${c}](${cweUrl(c)})`);
  if (cweLinks.length > 0) details.push(`CWE: ${cweLinks.join(', ')}`);
  const ids = (f.vulnerabilityIds ?? []).filter((v) => v && v !== rule);
  if (ids.length > 0) details.push(`Vulnerability: ${escapeInline(ids.slice(0, 5).join(', '), 200)}`);
  if (f.componentName) {
    details.push(`Component: ${escapeInline(f.componentVersion ? `${f.componentName} ${f.componentVersion}` : f.componentName, 160)}`);
  }
  details.push(`Test: ${escapeInline(view.testLabel, 160)}`);
  if (f.suppression) {
    const why = f.suppression.reason ? `: ${f.suppression.reason}` : '';
    details.push(`Suppressed in source (${escapeInline(f.suppression.kind, 40)})${escapeInline(why, 200)}`);
  }
  if (f.riskAcceptance) {
    const ra = f.riskAcceptance;
    // The space stays outside `escapeInline`, which trims: "by NAME until DATE", not "NAMEuntil".
    const until = ra.expires ? ` until ${escapeInline(ra.expires, 40)}` : '';
    details.push(`Risk accepted by ${escapeInline(ra.owner, 80)}${until}: ${escapeInline(ra.reason, 300)}`);
  }
  out.push(details.join('  \n'));

  if (f.description) out.push(escapeBlock(f.description));

  const flow = flowSection(view.folder, view.flowSteps ?? []);
  if (flow) out.push(flow);

  const history: string[] = [];
  if (view.duplicateOf) history.push(`Duplicate of \\#${view.duplicateOf.id} ${escapeInline(view.duplicateOf.title, 100)}`);
  if (view.duplicates.length > 0) {
    const shown = view.duplicates.slice(0, 5).map((d) => `\\#${d.id}`);
    const more = view.duplicates.length > 5 ? ` and ${view.duplicates.length - 5} more` : '';
    history.push(`Duplicates: ${shown.join(', ')}${more}`);
  }
  if (view.reactivatedByImport != null) history.push(`Reopened by import \\#${view.reactivatedByImport}`);
  for (const h of view.history.slice(0, 5)) {
    // The type and action are the engine's words, but they are read back from the store file,
    // which a repository can commit; they are escaped like any other stored text.
    const moved = historyMovementText(h);
    history.push(
      `Import \\#${h.importId} (${escapeInline(h.type, 20)}, ${escapeInline(h.created.slice(0, 16).replace('T', ' '), 20)}): ${escapeInline(historyActionText(h), 60)}` +
        (moved ? `, ${escapeInline(moved, 200)}` : ''),
    );
  }
  if (history.length > 0) out.push(history.join('  \n'));

  const notes = (f.notes ?? []).slice(-3);
  if (notes.length > 0) {
    out.push(
      notes
        .map((n) => `*${escapeInline(n.author, 60)}, ${escapeInline(n.at.slice(0, 10), 10)}:* ${escapeInline(n.text, 400)}`)
        .join('  \n'),
    );
  }

  const arg: TriageLinkArgument = { folder: view.folder, findingIds: [f.id] };
  const links: string[] = [];
  const status = f.isMitigated || f.falsePositive || f.outOfScope || f.riskAccepted;
  if (!status) {
    links.push(commandLink('False positive', TRIAGE_COMMANDS.falsePositive, arg, 'Mark as false positive'));
    links.push(commandLink('Out of scope', TRIAGE_COMMANDS.outOfScope, arg, 'Mark as out of scope'));
    links.push(commandLink('Accept risk…', TRIAGE_COMMANDS.acceptRisk, arg, 'Accept the risk, with a reason and optional expiry'));
    links.push(commandLink('Mitigated', TRIAGE_COMMANDS.mitigated, arg, 'Mark as mitigated'));
  } else {
    links.push(commandLink('Reopen', TRIAGE_COMMANDS.reopen, arg, 'Reopen the finding'));
  }
  links.push(commandLink('Add note…', TRIAGE_COMMANDS.addNote, arg, 'Add a note'));
  out.push(links.join(' · '));
  return out.join('\n\n');
}

/** Several findings on one hovered line, separated by horizontal rules. */
export function buildLineHover(views: readonly FindingHoverView[]): string {
  return views.map(buildFindingHover).join('\n\n---\n\n');
}
