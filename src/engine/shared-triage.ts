import type { Finding } from '../model';
import { nowIso, todayIso, type EngineContext } from './context';
import { identityKey } from './fingerprint';
import type { Ledger } from './ledger';
import { triageFinding, type TriageChange } from './triage';

/**
 * Triage shared through git (docs/improvements.md §5): decisions also live in `.scan-ledger/triage.json`,
 * keyed by fingerprint, so a teammate's false positive holds on every machine and in CI. This
 * module is the pure part: the file's format, conflict resolution, and which findings a
 * decision applies to. Reading and writing the file is the store's job.
 *
 * The format is built for merges: entries sorted by key, one decision per line, so two
 * branches that triage different findings merge without conflict, and two that triage the same
 * finding leave both lines, resolved at load by the latest timestamp.
 */

export type SharedTriageStatus = 'false-positive' | 'out-of-scope' | 'risk-accepted' | 'mitigated' | 'active';

export const SHARED_TRIAGE_STATUSES: readonly SharedTriageStatus[] = ['false-positive', 'out-of-scope', 'risk-accepted', 'mitigated', 'active'];

export interface SharedTriageDecision {
  /** The finding's identity key: its fingerprint, or `hash:<hash code>`. */
  key: string;
  status: SharedTriageStatus;
  reason?: string | null;
  author: string;
  /** ISO timestamp of the decision; the latest wins a conflict. */
  at: string;
  /** Risk acceptance expiry (YYYY-MM-DD). */
  expires?: string | null;
  /** For people reading the file: what the decision is about. Never used for matching. */
  scanType?: string | null;
  title?: string | null;
  filePath?: string | null;
}

export interface SharedTriageFile {
  version: 1;
  decisions: SharedTriageDecision[];
}

export class SharedTriageFormatError extends Error {
  constructor(fileName: string, problem: string) {
    super(`${fileName}: ${problem}`);
    this.name = 'SharedTriageFormatError';
  }
}

const FIELD_ORDER: (keyof SharedTriageDecision)[] = ['key', 'status', 'reason', 'expires', 'author', 'at', 'scanType', 'title', 'filePath'];

function isIsoTimestamp(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** Parses and validates a triage file; an entry that is not a decision is an error, not skipped. */
export function parseSharedTriage(text: string, fileName: string): SharedTriageFile {
  if (text.trim() === '') return { version: 1, decisions: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SharedTriageFormatError(fileName, `invalid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { decisions?: unknown }).decisions)) {
    throw new SharedTriageFormatError(fileName, 'expected an object with a "decisions" array');
  }
  const version = (doc as { version?: unknown }).version;
  if (version !== undefined && version !== 1) throw new SharedTriageFormatError(fileName, `unsupported version ${JSON.stringify(version)}`);
  const decisions = (doc as { decisions: unknown[] }).decisions.map((entry, i) => {
    const d = entry as Partial<SharedTriageDecision>;
    if (typeof d !== 'object' || d === null) throw new SharedTriageFormatError(fileName, `decision ${i} is not an object`);
    if (typeof d.key !== 'string' || d.key === '') throw new SharedTriageFormatError(fileName, `decision ${i} has no "key"`);
    if (!SHARED_TRIAGE_STATUSES.includes(d.status as SharedTriageStatus)) {
      throw new SharedTriageFormatError(fileName, `decision ${i} has an unknown status ${JSON.stringify(d.status)}`);
    }
    if (typeof d.author !== 'string') throw new SharedTriageFormatError(fileName, `decision ${i} has no "author"`);
    if (!isIsoTimestamp(d.at)) throw new SharedTriageFormatError(fileName, `decision ${i} has no valid "at" timestamp`);
    if (d.expires != null && !/^\d{4}-\d{2}-\d{2}$/.test(d.expires)) {
      throw new SharedTriageFormatError(fileName, `decision ${i} has an invalid "expires" date`);
    }
    return d as SharedTriageDecision;
  });
  return { version: 1, decisions };
}

function sortDecisions(decisions: SharedTriageDecision[]): SharedTriageDecision[] {
  return [...decisions].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/**
 * Stable, merge-friendly text: sorted by key then time, one decision per line with its fields
 * in a fixed order, so the same decisions always produce the same bytes.
 */
export function serialiseSharedTriage(file: SharedTriageFile): string {
  const lines = sortDecisions(file.decisions).map((d) => {
    const ordered: Record<string, unknown> = {};
    for (const field of FIELD_ORDER) if (d[field] != null) ordered[field] = d[field];
    return `    ${JSON.stringify(ordered)}`;
  });
  return `{\n  "version": 1,\n  "decisions": [\n${lines.join(',\n')}${lines.length ? '\n' : ''}  ]\n}\n`;
}

/**
 * Records a decision made here: it replaces this key's earlier decisions (the file keeps one
 * decision per finding; git history keeps the rest).
 */
export function recordSharedDecision(file: SharedTriageFile, decision: SharedTriageDecision): SharedTriageFile {
  return { version: 1, decisions: sortDecisions([...file.decisions.filter((d) => d.key !== decision.key), decision]) };
}

/**
 * Resolves conflicting decisions (two branches triaged the same finding): the latest timestamp
 * wins; the others are returned as losers so they can be kept in the finding's audit.
 */
export function resolveSharedDecisions(file: SharedTriageFile): { winners: Map<string, SharedTriageDecision>; losers: Map<string, SharedTriageDecision[]> } {
  const winners = new Map<string, SharedTriageDecision>();
  const losers = new Map<string, SharedTriageDecision[]>();
  for (const d of sortDecisions(file.decisions)) {
    const previous = winners.get(d.key);
    if (previous) losers.set(d.key, [...(losers.get(d.key) ?? []), previous]);
    winners.set(d.key, d);
  }
  return { winners, losers };
}

/** The shared status a finding's flags amount to, to compare with a decision. */
export function sharedStatusOf(f: Finding): SharedTriageStatus {
  if (f.falsePositive) return 'false-positive';
  if (f.outOfScope) return 'out-of-scope';
  if (f.riskAccepted) return 'risk-accepted';
  if (f.isMitigated) return 'mitigated';
  return 'active';
}

/** The time of the finding's latest triage-relevant status change, from its audit trail. */
function lastStatusChangeAt(f: Finding): string {
  let latest = '';
  for (const entry of f.audit) if (entry.at > latest) latest = entry.at;
  return latest;
}

/**
 * Which decisions apply to which findings: a finding whose identity key has a winning decision
 * that differs from its current status and is newer than its last status change. Mitigated
 * decisions are not replayed onto findings the report shows open (the scanner's word is newer
 * evidence than an old "fixed"), and "active" only undoes a triage state.
 */
export function pendingSharedDecisions(
  findings: Iterable<Finding>,
  file: SharedTriageFile,
): { finding: Finding; decision: SharedTriageDecision; overruled: SharedTriageDecision[] }[] {
  const { winners, losers } = resolveSharedDecisions(file);
  const out: { finding: Finding; decision: SharedTriageDecision; overruled: SharedTriageDecision[] }[] = [];
  for (const f of findings) {
    if (f.duplicate) continue;
    const key = identityKey(f);
    const decision = key ? winners.get(key) : undefined;
    if (!decision || decision.status === 'mitigated') continue;
    const current = sharedStatusOf(f);
    if (current === decision.status) continue;
    if (decision.status === 'active' && current === 'mitigated') continue;
    if (decision.at <= lastStatusChangeAt(f)) continue;
    out.push({ finding: f, decision, overruled: losers.get(key!) ?? [] });
  }
  return out;
}

/**
 * Applies the shared decisions to findings (on import, and when the file changes): each finding
 * whose identity has a newer, different decision gets it, attributed to the decision's author.
 * Decisions that lost a conflict are kept in the finding's audit trail. An expired risk
 * acceptance is not applied. Returns the findings that changed.
 */
export function applySharedTriage(ledger: Ledger, findings: Iterable<Finding>, file: SharedTriageFile, ctx: EngineContext): Finding[] {
  const changed: Finding[] = [];
  const today = todayIso(ctx);
  for (const { finding, decision, overruled } of pendingSharedDecisions(findings, file)) {
    if (decision.status === 'risk-accepted' && decision.expires && decision.expires <= today) continue;
    const reason = `shared triage by ${decision.author} (${decision.at})${decision.reason ? `: ${decision.reason}` : ''}`;
    const change: TriageChange = { status: decision.status, reason, owner: decision.author, expires: decision.expires ?? null };
    triageFinding(ledger, finding.id, change, ctx);
    for (const loser of overruled) {
      finding.audit.push({
        at: nowIso(ctx),
        author: ctx.user,
        field: 'sharedTriage',
        from: loser.status,
        to: decision.status,
        reason: `conflicting decision by ${loser.author} at ${loser.at} lost to ${decision.author} at ${decision.at}`,
      });
    }
    changed.push(finding);
  }
  return changed;
}

/**
 * The shared decision a local triage amounts to, for writing to the triage file; null when the
 * finding has no identity to share it under or the change is not a shared state (verified).
 */
export function sharedDecisionFor(f: Finding, change: TriageChange, ctx: EngineContext, scanType?: string | null): SharedTriageDecision | null {
  const key = identityKey(f);
  if (!key || !SHARED_TRIAGE_STATUSES.includes(change.status as SharedTriageStatus)) return null;
  return {
    key,
    status: change.status as SharedTriageStatus,
    reason: change.reason?.trim() || null,
    author: ctx.user,
    at: nowIso(ctx),
    expires: change.expires ?? null,
    scanType: scanType ?? null,
    title: f.title,
    filePath: f.location?.resolvedPath ?? f.filePath ?? null,
  };
}
