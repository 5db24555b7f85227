/**
 * Two-way triage sync between the local ledger and a DefectDojo server (issue 14), as pure
 * functions over the ledger: the host fetches the server's findings, runs `planSync` inside one
 * store transaction (server decisions are applied there, through the engine's triage so the
 * status invariants and the audit trail hold), sends the returned operations, and then records
 * what was sent with `recordSent`.
 *
 * Which side changed is decided against the decision both sides agreed on at the last sync (a
 * three-way merge), not by timestamps alone: a reimport on either side moves `last_status_update`
 * without anyone deciding anything. Timestamps only settle a real conflict, where both sides
 * changed: the later decision wins and the other stays in the finding's audit trail.
 */
import { addNote, hashConfigFor, triageFinding, TriageError, type EngineContext, type Ledger, type TriageStatus } from '../engine';
import { effectiveSettings, type DefectDojoSyncState, type Finding } from '../model';

/** The parts of DefectDojo's `FindingSerializer` (with `related_fields=true`) the sync reads. */
export interface ServerFinding {
  id: number;
  title: string;
  test: number;
  hash_code: string | null;
  unique_id_from_tool: string | null;
  active: boolean;
  verified: boolean;
  duplicate: boolean;
  false_p: boolean;
  out_of_scope: boolean;
  risk_accepted: boolean;
  is_mitigated: boolean;
  last_status_update: string | null;
  notes?: ServerNote[];
  accepted_risks?: ServerRiskAcceptance[];
  related_fields?: { test?: { id: number; title: string | null; test_type?: { id: number; name: string } } } | null;
}

export interface ServerNote {
  id?: number;
  entry: string;
  date?: string;
  author?: { id?: number; username?: string } | null;
  private?: boolean;
}

export interface ServerRiskAcceptance {
  id: number;
  name: string;
  expiration_date: string | null;
  accepted_by: string | null;
  decision_details: string | null;
}

/** A triage decision as both sides can hold it. */
export type SyncDecision = 'active' | 'false-positive' | 'out-of-scope' | 'risk-accepted' | 'mitigated';

/** What `planSync` asks the host to send. */
export type SyncOperation =
  | { kind: 'patch'; localId: number; serverId: number; body: Record<string, boolean>; decision: SyncDecision }
  | { kind: 'risk-acceptance'; localId: number; serverId: number; body: Record<string, unknown>; decision: SyncDecision; reopen: Record<string, boolean> }
  | { kind: 'note'; localId: number; serverId: number; noteId: number; body: { entry: string; private: boolean } };

export interface SyncPlan {
  operations: SyncOperation[];
  appliedFromServer: { localId: number; serverId: number; decision: SyncDecision }[];
  notesFromServer: number;
  conflicts: { localId: number; serverId: number; winner: 'local' | 'server'; local: SyncDecision; server: SyncDecision }[];
  /** Server findings no local finding matched (not in this ledger, or a duplicate on the server). */
  unmatched: number;
  /** Server decisions that could not be applied (e.g. an acceptance that already expired), one sentence each. */
  skipped: string[];
}

export interface SyncOptions {
  /** The server as `DefectDojoClient.serverName` names it; the key of the sync state. */
  serverName: string;
  /** The local product whose findings are matched. */
  productName: string;
  /** The server user the token belongs to (the owner of risk acceptances sent). */
  serverUserId: number;
}

/** The author of every local change the sync makes, naming the server. */
export function syncAuthor(serverName: string): string {
  return `DefectDojo ${serverName}`;
}

function isSyncAuthor(author: string | null | undefined): boolean {
  return typeof author === 'string' && author.startsWith('DefectDojo ');
}

export function serverDecision(s: ServerFinding): SyncDecision | null {
  if (s.false_p) return 'false-positive';
  if (s.out_of_scope) return 'out-of-scope';
  if (s.risk_accepted) return 'risk-accepted';
  if (s.is_mitigated) return 'mitigated';
  if (s.active) return 'active';
  // Inactive without a reason (e.g. imported inactive): no decision to carry over.
  return null;
}

export function localDecision(f: Finding): SyncDecision | null {
  if (f.falsePositive) return 'false-positive';
  if (f.outOfScope) return 'out-of-scope';
  if (f.riskAccepted) return 'risk-accepted';
  if (f.isMitigated) return 'mitigated';
  if (f.active) return 'active';
  return null;
}

/** The sync state of a server in the ledger, created empty on first use. */
export function syncStateOf(ledger: Ledger, serverName: string): DefectDojoSyncState {
  const all = (ledger.data.defectdojoSync ??= {});
  return (all[serverName] ??= { lastSync: null, links: {}, sentNotes: [] });
}

/** The key DefectDojo's reimport matches on for a test's algorithm (§6.1). */
function matchKeys(algorithm: string, hashCode: string | null | undefined, uniqueId: string | null | undefined): string[] {
  const keys: string[] = [];
  const byHash = hashCode ? `hash:${hashCode}` : null;
  const byId = uniqueId ? `uid:${uniqueId}` : null;
  if (algorithm === 'unique_id_from_tool') {
    if (byId) keys.push(byId);
  } else if (algorithm === 'unique_id_from_tool_or_hash_code') {
    if (byId) keys.push(byId);
    if (byHash) keys.push(byHash);
  } else if (byHash) {
    // hash_code and legacy both match on the hash code DefectDojo stores.
    keys.push(byHash);
  }
  return keys;
}

/**
 * Matches server findings to the local product's findings: first by the link a previous sync
 * recorded, then by DefectDojo's own keys under the test's deduplication algorithm (in parity
 * mode, as the server computes them), within the same test type. Duplicates on either side are
 * left out: their status is the deduplication's, not a triage decision.
 */
function matchFindings(ledger: Ledger, server: readonly ServerFinding[], state: DefectDojoSyncState, productName: string, ctx: EngineContext): Map<number, Finding> {
  const settings = effectiveSettings({ ...ctx.settings, defectdojoParity: true });
  const product = ledger.data.products.find((p) => p.name === productName);
  const index = new Map<string, Finding>();
  const linked = new Map<number, Finding>();
  // The server names only a finding's test type; the local test of that type says which scan
  // type produced it. A test type that differs from its scan type (every SARIF tool's, e.g.
  // "ESLint Scan (SARIF)" from "SARIF") would otherwise be looked up as a scan type of its own
  // and get another algorithm than the local side, and no finding would ever match.
  const scanTypeOf = new Map<string, string>();
  if (product) {
    for (const engagement of ledger.engagementsOfProduct(product.id)) {
      for (const test of ledger.testsOfEngagement(engagement.id)) {
        if (!scanTypeOf.has(test.testType)) scanTypeOf.set(test.testType, test.scanType);
        const algorithm = hashConfigFor(test.testType, test.scanType, settings).algorithm;
        for (const f of ledger.findingsOfTest(test.id)) {
          if (f.duplicate) continue;
          const link = state.links[String(f.id)];
          if (link) linked.set(link.serverId, f);
          for (const key of matchKeys(algorithm, f.hashCode, f.uniqueIdFromTool)) {
            const k = `${test.testType}\u0000${algorithm}\u0000${key}`;
            // The oldest finding keeps the key, as DefectDojo's matcher prefers the lowest id.
            if (!index.has(k)) index.set(k, f);
          }
        }
      }
    }
  }
  const matches = new Map<number, Finding>();
  const taken = new Set<number>();
  for (const s of server) {
    if (s.duplicate) continue;
    let f = linked.get(s.id);
    if (!f) {
      const testType = s.related_fields?.test?.test_type?.name;
      if (!testType) continue;
      // The server's test type decides the algorithm, looked up the way the engine does.
      const algorithm = hashConfigFor(testType, scanTypeOf.get(testType) ?? testType, settings).algorithm;
      for (const key of matchKeys(algorithm, s.hash_code, s.unique_id_from_tool)) {
        const candidate = index.get(`${testType}\u0000${algorithm}\u0000${key}`);
        if (candidate && !taken.has(candidate.id)) {
          f = candidate;
          break;
        }
      }
    }
    if (f && !taken.has(f.id)) {
      matches.set(s.id, f);
      taken.add(f.id);
    }
  }
  return matches;
}

/** When the local side last decided on the finding, or null when nobody triaged it here. */
function localDecisionTime(f: Finding): string | null {
  if (!f.lastReviewed || isSyncAuthor(f.lastReviewedBy)) return null;
  // An import stamps `lastReviewed` on the findings it creates (as DefectDojo does), but
  // nobody decided anything then: a finding imported after a teammate triaged it on the
  // server must take the server's decision, not reopen it there.
  if (f.lastReviewed === f.created) return null;
  return f.lastReviewed;
}

/** The fields DefectDojo's PATCH sets for a decision (its `validate` refuses other mixes). */
function patchFor(decision: SyncDecision): Record<string, boolean> {
  switch (decision) {
    case 'false-positive':
      return { false_p: true, active: false, verified: false };
    case 'out-of-scope':
      return { out_of_scope: true, active: false, verified: false };
    case 'mitigated':
      return { active: false, is_mitigated: true };
    case 'active':
      return { active: true, false_p: false, out_of_scope: false, is_mitigated: false, risk_accepted: false };
    case 'risk-accepted':
      // Clears any other closing state first; the risk acceptance itself sets risk_accepted.
      return { active: false, false_p: false, out_of_scope: false, is_mitigated: false };
  }
}

function outgoing(f: Finding, s: ServerFinding, decision: SyncDecision, opts: SyncOptions): SyncOperation {
  if (decision !== 'risk-accepted') return { kind: 'patch', localId: f.id, serverId: s.id, body: patchFor(decision), decision };
  const acceptance = f.riskAcceptance;
  return {
    kind: 'risk-acceptance',
    localId: f.id,
    serverId: s.id,
    decision,
    reopen: patchFor('risk-accepted'),
    body: {
      name: `Scan Ledger: ${f.title}`.slice(0, 300),
      accepted_findings: [s.id],
      owner: opts.serverUserId,
      decision: 'A',
      decision_details: acceptance?.reason || null,
      accepted_by: acceptance?.owner || null,
      expiration_date: acceptance?.expires ? `${acceptance.expires}T00:00:00Z` : null,
    },
  };
}

/** Applies the server's decision to the local finding through the engine's triage. */
function applyServerDecision(ledger: Ledger, f: Finding, s: ServerFinding, decision: SyncDecision, ctx: EngineContext): void {
  const acceptance = s.accepted_risks?.[0];
  const reason = `${ctx.user}: finding #${s.id} is ${decision} on the server${s.last_status_update ? ` (since ${s.last_status_update})` : ''}`;
  const status: TriageStatus = decision;
  triageFinding(
    ledger,
    f.id,
    {
      status,
      reason: decision === 'risk-accepted' && acceptance?.decision_details ? `${reason}: ${acceptance.decision_details}` : reason,
      owner: decision === 'risk-accepted' ? (acceptance?.accepted_by ?? undefined) : undefined,
      expires: decision === 'risk-accepted' && acceptance?.expiration_date ? acceptance.expiration_date.slice(0, 10) : null,
    },
    ctx,
  );
}

/**
 * Plans one sync: matches the findings, applies to the ledger every server decision that wins,
 * adds the server's new notes, and returns what must go back. `ctx` is the acting context; the
 * server's changes are authored by `syncAuthor(serverName)`.
 */
export function planSync(ledger: Ledger, server: readonly ServerFinding[], opts: SyncOptions, ctx: EngineContext): SyncPlan {
  const state = syncStateOf(ledger, opts.serverName);
  const serverCtx: EngineContext = { ...ctx, user: syncAuthor(opts.serverName) };
  const matches = matchFindings(ledger, server, state, opts.productName, ctx);
  const plan: SyncPlan = { operations: [], appliedFromServer: [], notesFromServer: 0, conflicts: [], unmatched: 0, skipped: [] };
  const since = state.lastSync;
  for (const s of server) {
    const f = matches.get(s.id);
    if (!f) {
      if (!s.duplicate) plan.unmatched++;
      continue;
    }
    const link = (state.links[String(f.id)] ??= { serverId: s.id, agreed: null });
    link.serverId = s.id;
    const theirs = serverDecision(s);
    const ours = localDecision(f);
    const ourTime = localDecisionTime(f);
    const base = link.agreed;
    // Without a common base (first sync), the server holds a decision when it is anything but
    // open, and the local side when somebody triaged the finding here.
    const serverChanged = theirs !== null && (base === null ? theirs !== 'active' : theirs !== base);
    const localChanged = ours !== null && ourTime !== null && (base === null || ours !== base) && (since === null || ourTime > since);

    if (theirs !== null && theirs === ours) {
      link.agreed = ours;
    } else if (serverChanged && localChanged) {
      const serverTime = s.last_status_update ?? '';
      const winner: 'local' | 'server' = ourTime >= serverTime ? 'local' : 'server';
      plan.conflicts.push({ localId: f.id, serverId: s.id, winner, local: ours, server: theirs });
      // The losing decision is kept in the audit trail, with both times.
      ledger.touch(f);
      f.audit.push({
        at: ctx.now.toISOString(),
        author: serverCtx.user,
        field: 'defectdojoSync',
        from: winner === 'server' ? ours : theirs,
        to: winner === 'server' ? theirs : ours,
        reason:
          winner === 'server'
            ? `conflict: the server's ${theirs} (${serverTime}) is later than the local ${ours} (${ourTime}); the server's decision wins`
            : `conflict: the local ${ours} (${ourTime}) is later than the server's ${theirs} (${serverTime || 'no time'}); the local decision goes to the server`,
      });
      if (winner === 'server') applyOrSkip(ledger, f, s, theirs, serverCtx, plan, link);
      else plan.operations.push(outgoing(f, s, ours, opts));
    } else if (serverChanged) {
      applyOrSkip(ledger, f, s, theirs, serverCtx, plan, link);
    } else if (localChanged) {
      plan.operations.push(outgoing(f, s, ours, opts));
    }
    addServerNotes(ledger, f, s, serverCtx, plan);
    queueLocalNotes(f, s, state, since, plan);
  }
  return plan;
}

function applyOrSkip(ledger: Ledger, f: Finding, s: ServerFinding, decision: SyncDecision, ctx: EngineContext, plan: SyncPlan, link: { agreed: string | null }): void {
  try {
    applyServerDecision(ledger, f, s, decision, ctx);
    link.agreed = decision;
    plan.appliedFromServer.push({ localId: f.id, serverId: s.id, decision });
  } catch (error) {
    // An acceptance the server still holds but whose expiry has passed cannot be recorded here
    // (the engine refuses an expiry in the past); the server's expiry job will reopen it.
    if (error instanceof TriageError) plan.skipped.push(`finding #${f.id} (server #${s.id}): ${error.message}`);
    else throw error;
  }
}

/** Adds the server's notes the finding does not have yet (compared by text), authored by the server. */
function addServerNotes(ledger: Ledger, f: Finding, s: ServerFinding, ctx: EngineContext, plan: SyncPlan): void {
  const have = new Set(f.notes.map((n) => n.text));
  for (const note of s.notes ?? []) {
    if (note.private || have.has(note.entry)) continue;
    const who = note.author?.username ? `${note.author.username} via ` : '';
    addNote(ledger, f, note.entry, { ...ctx, user: `${who}${ctx.user}` });
    have.add(note.entry);
    plan.notesFromServer++;
  }
}

/** Queues the local notes written since the last sync (or with the finding's last triage) that the server lacks. */
function queueLocalNotes(f: Finding, s: ServerFinding, state: DefectDojoSyncState, since: string | null, plan: SyncPlan): void {
  const onServer = new Set((s.notes ?? []).map((n) => n.entry));
  const sent = new Set(state.sentNotes);
  const from = since ?? localDecisionTime(f);
  if (from === null) return;
  for (const note of f.notes) {
    if (sent.has(note.id) || isSyncAuthor(note.author) || note.author.includes(' via DefectDojo ') || onServer.has(note.text)) continue;
    if (since !== null ? note.at <= from : note.at < from) continue;
    plan.operations.push({ kind: 'note', localId: f.id, serverId: s.id, noteId: note.id, body: { entry: note.text, private: false } });
  }
}

/**
 * Records operations the server accepted: the decision is now agreed, the note is sent, and —
 * once everything went — the sync time.
 */
export function recordSent(ledger: Ledger, serverName: string, done: readonly SyncOperation[], finishedAt: string | null): void {
  const state = syncStateOf(ledger, serverName);
  for (const op of done) {
    const link = (state.links[String(op.localId)] ??= { serverId: op.serverId, agreed: null });
    if (op.kind === 'note') {
      if (!state.sentNotes.includes(op.noteId)) state.sentNotes.push(op.noteId);
    } else {
      link.agreed = op.decision;
    }
  }
  if (finishedAt !== null) state.lastSync = finishedAt;
}
