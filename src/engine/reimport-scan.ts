import type { Finding, ParsedFinding, ParsedReport, Test, UntouchedReason } from '../model';
import type { EngineContext } from './context';
import { hashConfigFor } from './dedupe-config';
import { assignFingerprints } from './fingerprint';
import { attachEndpoints, mitigateEndpointStatuses, reactivateEndpointStatuses, updateEndpointStatusesFromReport } from './endpoint-status';
import { groupNewFindings } from './finding-groups';
import { computeHashCode } from './hash-code';
import { importIntoNewTest, postProcessBatch } from './import-scan';
import {
  type ActionDetail,
  BATCH_SIZE,
  type ResolvedRun,
  actionRecords,
  draftFinding,
  keptFindings,
  recordImport,
  reserveImportId,
  resolveRun,
  runLabel,
  sanitiseReportSeverities,
  storeNewFinding,
  updateTestBookkeeping,
} from './incoming-finding';
import type { Ledger } from './ledger';
import { type MatchableFinding, type ReimportMatch, ignoresUnreliableUniqueIds, selectMatch, unreliableUniqueIds } from './matching';
import { reimportMatcherFor } from './reimport-matchers';
import { numericalSeverity, storedVulnerabilityIds, syncVulnerabilityIds } from './normalise';
import { checkReimportTestType, ensureEngagement, findEngagement, findReimportTarget } from './product-context';
import { restartSla, updateSlaExpiration } from './sla';
import { addNote, changeStatus, type StatusField } from './status';
import type { ImportOptions, ImportResult } from './types';

/** The note of §4.4 B.2, left once per user. */
export function doNotReactivateNote(scanType: string): string {
  return `Finding has skipped reactivation from ${scanType} re-upload with user decision do_not_reactivate.`;
}

/** The note of a §4.4 B.3 reactivation. */
export function reactivatedNote(scanType: string): string {
  return `Re-activated by ${scanType} re-upload.`;
}

/** The note of a §4.4 B.3 reactivation of a duplicate, which stays inactive. */
export function duplicateKeptInactiveNote(scanType: string): string {
  return `Un-mitigated by ${scanType} re-upload but kept inactive because the finding is a duplicate.`;
}

/** The note of a finding closed by reimport's close-old (§4.7 step 3). */
export function reimportCloseOldNote(testType: string): string {
  return `Mitigated by ${testType} re-upload.`;
}

/**
 * Python orders strings by code point; JavaScript's `<` by UTF-16 unit, which differs for
 * characters beyond the BMP against U+E000–U+FFFF. Remapping the unit at the first difference
 * gives code point order without decoding whole strings.
 */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * DefectDojo's reimport sort key (§4.2 step 4): `(hash_code or "", unique_id_from_tool or "",
 * file_path or "", line or -1, title or "")`, which fixes which of several identical incoming
 * findings is created first, whatever the report order.
 */
function compareIncoming(a: MatchableFinding, b: MatchableFinding): number {
  return (
    compareCodePoints(a.hashCode ?? '', b.hashCode ?? '') ||
    compareCodePoints(a.uniqueIdFromTool ?? '', b.uniqueIdFromTool ?? '') ||
    compareCodePoints(a.filePath ?? '', b.filePath ?? '') ||
    // Python's `line or -1` also turns a line 0 into -1.
    (a.line || -1) - (b.line || -1) ||
    compareCodePoints(a.title ?? '', b.title ?? '')
  );
}

/**
 * Sorts the incoming findings by the §4.2 key in place, reading the hash code once per finding
 * instead of once per comparison. On reimport every hash code is one this engine just computed
 * (lowercase hex SHA-256), for which `<` agrees with Python's code-point order; ties fall
 * through to the full key.
 */
function sortIncoming<F extends MatchableFinding>(incoming: F[]): void {
  const keyed = incoming.map((f) => ({ f, hash: f.hashCode ?? '' }));
  keyed.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : compareIncoming(a.f, b.f)));
  for (let i = 0; i < keyed.length; i++) incoming[i] = keyed[i].f;
}

/** Where §4.4 leaves a matched finding. */
interface MatchOutcome {
  /** Added to DefectDojo's *unchanged* list. */
  unchanged: boolean;
  /** Added to *reactivated* (B.3). */
  reactivated: boolean;
  /** Closed by the report itself (C.1). */
  closedByReport: boolean;
  /** "Stop": no §4.5 processing and no post-processing. */
  stop: boolean;
  /** DefectDojo saved the finding, which persists in-memory copies such as `fix_available`. */
  saved: boolean;
}

/** The fields a stale close-old save writes back in parity mode (§4.7 quirk). */
interface StaleState {
  mitigated: string | null;
  isMitigated: boolean;
  verified: boolean;
  fixAvailable: boolean | null | undefined;
  fixVersion: string | null | undefined;
  cve: string | null | undefined;
  componentName: string | null | undefined;
  componentVersion: string | null | undefined;
}

function staleState(f: Finding): StaleState {
  return {
    mitigated: f.mitigated,
    isMitigated: f.isMitigated,
    verified: f.verified,
    fixAvailable: f.fixAvailable,
    fixVersion: f.fixVersion,
    cve: f.cve,
    componentName: f.componentName,
    componentVersion: f.componentVersion,
  };
}

/** Fields under `location` that improvement 9 can refresh. */
const LOCATION_FIELDS = new Set([
  'endLine',
  'column',
  'endColumn',
  'snippet',
  'snippetStartLine',
  'relatedLocations',
  'codeFlow',
  'partialFingerprints',
  'fingerprints',
  'baselineState',
  'ruleId',
  'ruleHelpUri',
  'resolvedPath',
]);

/**
 * Top-level fields improvement 9 can refresh. Identity fields (hash code, unique id, file
 * path, test) and status fields are deliberately absent: changing them would move the finding
 * in the indexes or bypass the status invariants and the audit trail.
 */
const TOP_LEVEL_REFRESHABLE = new Set([
  'title',
  'description',
  'severity',
  'line',
  'mitigation',
  'impact',
  'references',
  'stepsToReproduce',
  'severityJustification',
  'payload',
  'cvssv3',
  'cvssv3Score',
  'cvssv4',
  'cvssv4Score',
  'epssScore',
  'epssPercentile',
  'scannerConfidence',
  'fixAvailable',
  'fixVersion',
  'nbOccurences',
  'sastSourceObject',
  'sastSinkObject',
  'sastSourceLine',
  'sastSourceFilePath',
  'componentName',
  'componentVersion',
  'vulnIdFromTool',
  'cwe',
  'endpoints',
  'suppression',
  'location',
]);

/**
 * Improvement 9: copies the configured descriptive fields (as `refreshedFields` gives them) from
 * the incoming finding onto the matched one, so the editor shows the current line, snippet and
 * text (DefectDojo freezes them at first import, §4.5, issue #12937).
 */
function refreshMatchedFields(existing: Finding, incoming: Finding, fields: readonly string[]): boolean {
  const target = existing as unknown as Record<string, unknown>;
  const source = incoming as unknown as Record<string, unknown>;
  let changed = false;
  for (const field of fields) {
    if (LOCATION_FIELDS.has(field)) {
      const value = (incoming.location as Record<string, unknown> | undefined)?.[field];
      if (value === undefined && !existing.location) continue;
      const before = (existing.location as Record<string, unknown> | undefined)?.[field];
      // An absent field and one holding undefined are saved alike (JSON leaves both out).
      if (sameValue(before, value)) continue;
      const location = { ...(existing.location ?? {}) } as Record<string, unknown>;
      if (value === undefined) delete location[field];
      else location[field] = value;
      existing.location = location;
      changed = true;
    } else if (field === 'location') {
      if (sameValue(existing.location, incoming.location)) continue;
      existing.location = incoming.location ? { ...incoming.location } : undefined;
      changed = true;
    } else if (TOP_LEVEL_REFRESHABLE.has(field)) {
      if (sameValue(target[field], source[field])) continue;
      target[field] = source[field];
      if (field === 'severity') existing.numericalSeverity = numericalSeverity(existing.severity);
      changed = true;
    }
  }
  return changed;
}

/**
 * The fields a run refreshes (`reimport.refreshMatchedFields`), worked out once per run: a
 * snippet is only readable with the line it starts on, so the two are refreshed together.
 */
function refreshedFields(configured: readonly string[]): readonly string[] {
  return configured.includes('snippet') && !configured.includes('snippetStartLine') ? [...configured, 'snippetStartLine'] : configured;
}

/**
 * Whether two field values are the same saved data (plain JSON values: a refreshed location, a
 * list of CWEs); a key holding undefined is no key, as in JSON. Matched findings are rewritten
 * to disk only when a value differs (`Ledger.touch`), so a reimport that changes 5% of a test
 * writes that 5%. Compared in place rather than through `JSON.stringify`, which allocated two
 * strings per match.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, i) => sameValue(value, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    keys++;
    if (!sameValue(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) keys--;
  return keys === 0;
}

/** The incoming finding's flags as DefectDojo compares them: missing means false / null. */
function sameFix(a: Finding, b: Finding): boolean {
  return (a.fixAvailable ?? null) === (b.fixAvailable ?? null);
}

/** One reimport run over its target test. */
class ReimportRun {
  readonly created: Finding[] = [];
  readonly reactivated: Finding[] = [];
  /** DefectDojo's *unchanged* list, by id, in the order findings joined it. */
  readonly unchanged = new Map<number, Finding>();
  readonly closedByReport = new Set<number>();
  /**
   * Matched findings DefectDojo's decision table leaves without a trace (§4.4 A.3, B.2, C.2),
   * with the reason; recorded as untouched outside parity mode (§4.8 note).
   */
  readonly matchedSilently = new Map<number, { finding: Finding; reason: UntouchedReason }>();
  /** Stored findings bound to an incoming finding in this run (improvement 1). */
  readonly bound = new Set<number>();
  readonly detail = new Map<number, ActionDetail>();
  /** Pre-run state of matched findings, for the stale double close of parity mode. */
  readonly stale = new Map<number, StaleState>();
  private readonly scanType: string;
  private readonly settings: EngineContext['settings'];
  private readonly refreshed: readonly string[];

  constructor(
    readonly ledger: Ledger,
    readonly test: Test,
    readonly run: ResolvedRun,
    readonly originalIds: ReadonlySet<number>,
    readonly importId: number,
    readonly ctx: EngineContext,
  ) {
    this.scanType = run.scanType;
    this.settings = ctx.settings;
    this.refreshed = refreshedFields(ctx.settings['reimport.refreshMatchedFields']);
  }

  private status(f: Finding, patch: Partial<Pick<Finding, StatusField>>, reason: string): void {
    changeStatus(f, patch, this.ctx, reason);
    this.ledger.touch(f);
  }

  private reason(): string {
    return runLabel(this.run, this.importId);
  }

  /** Binds an incoming finding to a match and runs §4.4 and §4.5 on it. */
  processMatch(match: ReimportMatch, incoming: Finding): boolean {
    const existing = match.finding;
    const firstBinding = !this.bound.has(existing.id);
    this.bound.add(existing.id);
    if (firstBinding) {
      const detail: ActionDetail = { matchTier: match.tier };
      const fromLine = match.fromLine !== undefined ? match.fromLine : existing.line;
      const toLine = match.toLine !== undefined ? match.toLine : incoming.line;
      if (fromLine != null && toLine != null && fromLine !== toLine) {
        detail.fromLine = fromLine;
        detail.toLine = toLine;
      }
      if (match.fromFile) detail.fromFile = match.fromFile;
      this.detail.set(existing.id, detail);
      if (this.run.closeOldFindings && !this.settings['reimport.closeReportClosedOnce'] && this.originalIds.has(existing.id)) {
        this.stale.set(existing.id, staleState(existing));
      }
    }
    const outcome = this.decide(existing, incoming);
    if (outcome.unchanged) this.unchanged.set(existing.id, existing);
    if (outcome.reactivated) this.reactivated.push(existing);
    if (outcome.closedByReport) this.closedByReport.add(existing.id);
    if (!outcome.stop) {
      if (this.continueProcessing(existing, incoming)) outcome.saved = true;
    }
    // DefectDojo copies `fix_available` / `fix_version` in memory when `fix_available` differs,
    // but only a save persists them, so a plain untouched match keeps the old values (§4.4 C).
    if (outcome.saved && this.pendingFix.has(existing.id)) {
      const fix = this.pendingFix.get(existing.id)!;
      existing.fixAvailable = fix.fixAvailable;
      existing.fixVersion = fix.fixVersion;
      this.ledger.touch(existing);
    }
    this.pendingFix.delete(existing.id);
    if (firstBinding && this.refreshed.length > 0 && refreshMatchedFields(existing, incoming, this.refreshed)) this.ledger.touch(existing);
    if (firstBinding) {
      // DefectDojo recomputes the SLA on every save and again for every finding when the SLA
      // configuration changes; recomputing on each match gives the same dates and follows a
      // severity refreshed by improvement 9 (§1.6).
      const sla = existing.slaExpirationDate;
      updateSlaExpiration(existing, this.settings);
      if (existing.slaExpirationDate !== sla) this.ledger.touch(existing);
      this.followIdentity(existing, incoming);
    }
    return !outcome.stop;
  }

  /**
   * Our own identity follows the code on every match: the fingerprint and line hash are those
   * of the finding's current text, so the next run matches at the strictest tier and shared
   * triage stays keyed to it. DefectDojo's identity (hash code, unique id, file_path) is never
   * touched, so parity is unaffected.
   */
  private followIdentity(existing: Finding, incoming: Finding): void {
    if (incoming.fingerprint && incoming.fingerprint !== existing.fingerprint) {
      this.ledger.updateIndexed(existing, { fingerprint: incoming.fingerprint });
    }
    if (incoming.lineHash && (existing.lineHash !== incoming.lineHash || existing.regionHash !== (incoming.regionHash ?? null))) {
      existing.lineHash = incoming.lineHash;
      existing.regionHash = incoming.regionHash ?? null;
      this.ledger.touch(existing);
    }
  }

  private readonly pendingFix = new Map<number, { fixAvailable: boolean | null | undefined; fixVersion: string | null | undefined }>();

  private noteFix(existing: Finding, incoming: Finding): void {
    if (!sameFix(existing, incoming)) {
      this.pendingFix.set(existing.id, { fixAvailable: incoming.fixAvailable, fixVersion: incoming.fixVersion });
    }
  }

  /** Fills the component name / version when the stored finding has none (never overwrites). */
  private fillComponent(existing: Finding, incoming: Finding): boolean {
    let saved = false;
    if (incoming.componentName && !existing.componentName) {
      existing.componentName = incoming.componentName;
      saved = true;
    }
    if (incoming.componentVersion && !existing.componentVersion) {
      existing.componentVersion = incoming.componentVersion;
      saved = true;
    }
    if (saved) this.ledger.touch(existing);
    return saved;
  }

  /** DefectDojo's `process_matched_finding` decision table (§4.4), in its order. */
  private decide(existing: Finding, incoming: Finding): MatchOutcome {
    const outcome: MatchOutcome = { unchanged: false, reactivated: false, closedByReport: false, stop: false, saved: false };
    const verifiedOption = this.run.verified;

    // A. The stored finding has a special status.
    if (existing.falsePositive || existing.outOfScope || existing.riskAccepted) {
      if (
        incoming.falsePositive === existing.falsePositive &&
        incoming.outOfScope === existing.outOfScope &&
        incoming.riskAccepted === existing.riskAccepted
      ) {
        // A.1
        outcome.unchanged = true;
        outcome.stop = true;
      } else if (existing.riskAccepted && !existing.active) {
        // A.2
        outcome.unchanged = true;
      }
      // A.3: nothing recorded, continue; never reactivated, flags untouched.
      if (!outcome.unchanged) this.matchedSilently.set(existing.id, { finding: existing, reason: 'triaged' });
      return outcome;
    }

    // B. The stored finding is mitigated.
    if (existing.isMitigated) {
      this.noteFix(existing, incoming);
      // Improvement 7: an incoming suppressed / false-positive / out-of-scope result is not a
      // reason to reopen; DefectDojo only looks at `is_mitigated` and reactivates (B.3 quirk).
      const incomingClosed =
        incoming.isMitigated ||
        (this.settings['reimport.suppressedDoesNotReactivate'] &&
          (incoming.falsePositive || incoming.outOfScope || incoming.suppression != null));
      if (incomingClosed) {
        // B.1
        outcome.unchanged = true;
        outcome.stop = true;
        return outcome;
      }
      if (this.run.doNotReactivate) {
        // B.2: a note once per user, nothing recorded.
        const text = doNotReactivateNote(this.scanType);
        if (!existing.notes.some((n) => n.text === text && n.author === this.ctx.user)) {
          addNote(this.ledger, existing, text, this.ctx);
        }
        this.matchedSilently.set(existing.id, { finding: existing, reason: 'kept-closed' });
        outcome.stop = true;
        return outcome;
      }
      // B.3: reactivate. The `active` option is ignored here, as in DefectDojo.
      const patch: Partial<Pick<Finding, StatusField>> = { mitigated: null, isMitigated: false, mitigatedBy: null };
      let note: string;
      if (existing.duplicate) {
        patch.active = false;
        patch.verified = false;
        note = duplicateKeptInactiveNote(this.scanType);
      } else {
        patch.active = true;
        if (verifiedOption !== null) patch.verified = verifiedOption;
        note = reactivatedNote(this.scanType);
      }
      this.status(existing, patch, `reactivated by ${this.reason()}`);
      addNote(this.ledger, existing, note, this.ctx);
      this.fillComponent(existing, incoming);
      // `restart_sla_on_reactivation` (§1.6): the SLA starts again today, duplicates included.
      if (this.settings['sla.restartOnReactivation']) restartSla(existing, this.run.today, this.settings);
      // Endpoint statuses not marked false positive, out of scope or risk accepted reopen too.
      reactivateEndpointStatuses(existing);
      outcome.reactivated = true;
      outcome.saved = true;
      return outcome;
    }

    // C. Not special, not mitigated (includes inactive findings and duplicates).
    this.noteFix(existing, incoming);
    if (incoming.isMitigated) {
      // C.1: closed by the report.
      const patch: Partial<Pick<Finding, StatusField>> = {
        mitigated: incoming.mitigated ?? null,
        isMitigated: true,
        mitigatedBy: incoming.mitigatedBy ?? null,
        active: false,
      };
      if (verifiedOption !== null) patch.verified = verifiedOption;
      this.status(existing, patch, `closed by the report in ${this.reason()}`);
      outcome.closedByReport = true;
      outcome.saved = true;
    } else if (incoming.riskAccepted || incoming.falsePositive || incoming.outOfScope) {
      // C.2: the report flags it.
      const patch: Partial<Pick<Finding, StatusField>> = {
        riskAccepted: incoming.riskAccepted,
        falsePositive: incoming.falsePositive,
        outOfScope: incoming.outOfScope,
        active: false,
      };
      if (verifiedOption !== null) patch.verified = verifiedOption;
      this.status(existing, patch, `flagged by the report in ${this.reason()}`);
      // Our own: when the flag is a scanner-native suppression (SARIF `suppressions`, `# nosec`,
      // …), the suppression and its reason come along, so the editor says why, as it does for a
      // finding first imported suppressed. DefectDojo has no such field; its flags are as above.
      if (incoming.suppression) {
        existing.suppression = { ...incoming.suppression };
        this.ledger.touch(existing);
      }
      this.matchedSilently.set(existing.id, { finding: existing, reason: 'flagged-by-report' });
      outcome.saved = true;
    } else {
      // C.3
      outcome.unchanged = true;
    }
    if (this.fillComponent(existing, incoming)) outcome.saved = true;
    return outcome;
  }

  /**
   * §4.5 for a matched finding that did not stop: endpoint statuses updated, endpoints added,
   * vulnerability ids replaced, CWEs reconciled, import tags added. Returns whether `cve`
   * changed, which DefectDojo saves.
   */
  private continueProcessing(existing: Finding, incoming: Finding): boolean {
    // Endpoint statuses follow the report for dynamic findings only, and before the report's
    // new endpoints are attached, as in DefectDojo's reimporter.
    // Statuses are also created here for a finding stored with endpoints but none (an older store).
    const touchesEndpoints = existing.endpoints.length > 0 || existing.endpointStatus !== undefined || incoming.endpoints.length > 0;
    const endpoints = touchesEndpoints ? JSON.stringify([existing.endpoints, existing.endpointStatus]) : null;
    if (existing.dynamicFinding) updateEndpointStatusesFromReport(existing, incoming, this.ctx);
    attachEndpoints(existing, incoming);
    if (endpoints !== null && endpoints !== JSON.stringify([existing.endpoints, existing.endpointStatus])) this.ledger.touch(existing);
    const ids = storedVulnerabilityIds(incoming.vulnerabilityIds);
    const cve = ids[0] ?? null;
    const cveChanged = (existing.cve ?? null) !== cve;
    // DefectDojo re-derives the CWE set from the stored primary CWE only (§4.5 quirk): the extra
    // CWEs are dropped and the report's are ignored. Improvement 8: the report's extra CWEs
    // replace the stored ones.
    // Most findings carry no extra CWE: no set is made for an empty list.
    const reconcile = this.settings['reimport.reconcileCwes'] && incoming.cwes.length > 0;
    const cwes = reconcile ? [...new Set(incoming.cwes)].filter((c) => c !== existing.cwe) : [];
    if (existing.cve !== cve || !sameValue(existing.vulnerabilityIds, ids) || !sameValue(existing.cwes, cwes)) {
      existing.vulnerabilityIds = ids;
      existing.cve = cve;
      existing.cwes = cwes;
      this.ledger.touch(existing);
    }
    if (this.run.applyTagsToFindings) {
      for (const t of this.run.tags) {
        if (existing.tags.includes(t)) continue;
        existing.tags.push(t);
        this.ledger.touch(existing);
      }
    }
    return cveChanged;
  }

  /**
   * Close-old on reimport (§4.7): the test's original findings (service-filtered) that were
   * neither reactivated nor unchanged are mitigated when they were open.
   *
   * DefectDojo evaluates "open" on the snapshot taken before the run and saves that stale
   * snapshot, so a finding the report itself closed (C.1) is closed a second time: `mitigated`
   * becomes the scan date, a note is added, it counts as closed, and other fields the run
   * changed are written back to their old values. With `reimport.closeReportClosedOnce`
   * (improvement 4) open-ness is evaluated on the current state, and a finding the report
   * closed keeps the report's date and counts as closed exactly once, also when close-old is
   * off, because the report did close it.
   */
  closeOld(originals: readonly Finding[]): Finding[] {
    const closed: Finding[] = [];
    const closeOnce = this.settings['reimport.closeReportClosedOnce'];
    const note = reimportCloseOldNote(this.test.testType);
    const reason = `close-old of ${this.reason()}`;
    const reactivatedIds = new Set(this.reactivated.map((f) => f.id));
    for (const f of originals) {
      if (this.unchanged.has(f.id) || reactivatedIds.has(f.id)) continue;
      if (!this.ledger.findingsById.has(f.id)) continue;
      if (closeOnce && this.closedByReport.has(f.id)) {
        closed.push(f);
        continue;
      }
      if (!this.run.closeOldFindings) continue;
      const before = closeOnce ? undefined : this.stale.get(f.id);
      const view = before ?? f;
      if (view.mitigated && view.isMitigated) continue;
      this.mitigate(f, before, note, reason);
      closed.push(f);
    }
    return closed;
  }

  /** §3.5 mitigation, optionally from a stale pre-run state (parity quirk of §4.7). */
  private mitigate(f: Finding, stale: StaleState | undefined, note: string, reason: string): void {
    const hadRiskAcceptance = f.riskAccepted || f.riskAcceptance != null;
    const mitigated = (stale ? stale.mitigated : f.mitigated) || this.run.scanTimestamp;
    const patch: Partial<Pick<Finding, StatusField>> = {
      active: false,
      isMitigated: true,
      mitigated,
      mitigatedBy: this.ctx.user,
    };
    if (stale) patch.verified = stale.verified;
    if (hadRiskAcceptance) patch.riskAccepted = false;
    // Recorded as edited whatever the patch changed: the stale restore below edits too.
    this.status(f, patch, reason);
    mitigateEndpointStatuses(f, this.ctx);
    if (stale) {
      f.fixAvailable = stale.fixAvailable;
      f.fixVersion = stale.fixVersion;
      f.cve = stale.cve;
      f.componentName = stale.componentName;
      f.componentVersion = stale.componentVersion;
    }
    addNote(this.ledger, f, note, this.ctx);
    if (hadRiskAcceptance) {
      f.riskAcceptance = null;
      addNote(this.ledger, f, `${this.ctx.user} removed a risk exception from this finding`, this.ctx);
    }
  }
}

/**
 * Reimports a report into an existing test (DefectDojo's `DefaultReImporter`, §4): chooses the
 * target test, matches every incoming finding against the test's findings with the test's
 * algorithm, applies the decision table, creates what is new, closes what is gone, and records
 * the run. Without a target test it imports into a new test with close-old forced off (§4.1
 * rule 4).
 */
export function reimportScan(ledger: Ledger, report: ParsedReport, options: ImportOptions, ctx: EngineContext): ImportResult {
  const severities = sanitiseReportSeverities(report);
  const run = resolveRun('reimport', options, ctx);
  const engagement = findEngagement(ledger, options);
  const test = findReimportTarget(ledger, {
    testId: options.testId,
    scanType: options.scanType,
    testTitle: options.testTitle,
    engagement,
  });
  if (!test) {
    const importRun = resolveRun('import', { ...options, closeOldFindings: false }, ctx);
    const target = engagement ?? ensureEngagement(ledger, options, ctx);
    return importIntoNewTest(ledger, report, severities, importRun, target, ctx);
  }
  checkReimportTestType(test, report);
  return reimportIntoTest(ledger, test, report, severities, run, ctx);
}

/**
 * An incoming finding while the report is matched: what matching reads of it (hash code before
 * the CVE sync, as DefectDojo hashes) and where it is among the report's kept findings. About a
 * tenth of a draft: a 100,000-finding reimport no longer holds 100,000 drafts from the first
 * match to the last, and the garbage collector no longer copies them (issue 13).
 */
interface IncomingIdentity extends MatchableFinding {
  /** Its index in the report's kept findings, to draft it whole when it is processed. */
  readonly report: number;
}

/**
 * The identity of a freshly hashed draft. The location is the parser's own object, which the
 * draft only copies (matching reads it and never writes it); the fingerprint fields are set by
 * `assignFingerprints` afterwards, as they were on the draft.
 */
function incomingIdentity(draft: Finding, parsed: ParsedFinding, report: number): IncomingIdentity {
  return {
    hashCode: draft.hashCode,
    uniqueIdFromTool: draft.uniqueIdFromTool,
    filePath: draft.filePath,
    line: draft.line,
    title: draft.title,
    severity: draft.severity,
    vulnIdFromTool: draft.vulnIdFromTool,
    location: parsed.location,
    fingerprint: draft.fingerprint,
    lineHash: draft.lineHash,
    regionHash: draft.regionHash,
    report,
  };
}

function reimportIntoTest(
  ledger: Ledger,
  test: Test,
  report: ParsedReport,
  severities: ReturnType<typeof sanitiseReportSeverities>,
  run: ResolvedRun,
  ctx: EngineContext,
): ImportResult {
  const settings = ctx.settings;
  const hashConfig = hashConfigFor(test.testType, test.scanType, settings);
  const matcher = reimportMatcherFor(hashConfig.algorithm);

  // §4.2 step 2: the original items, by service, taken before any change.
  const originals = ledger
    .findingsOfTest(test.id)
    .filter((f) => (run.service !== null ? f.service === run.service : !f.service));
  const originalIds = new Set(originals.map((f) => f.id));

  // §4.2 step 3: prepare every incoming finding. Matching sees the whole report at once, but
  // only what it reads of each finding is kept for it (`incomingIdentity`); each draft is made,
  // hashed and dropped at once, and made again when its finding is processed (`draftOf`).
  const kept = keptFindings(report, severities, run.minimumSeverity);
  const syncFirst = settings['reimport.syncVulnerabilityIdsBeforeHash'];
  const incoming: IncomingIdentity[] = kept.map(({ parsed, severity }, index) => {
    const draft = draftFinding(parsed, severity, test, run, ctx);
    if (syncFirst) syncVulnerabilityIds(draft);
    // The parser's hash code is ignored on reimport (§6.4).
    draft.hashCode = computeHashCode(draft, hashConfig);
    // DefectDojo hashes before the CVE sync (§4.2 quirk); `draftOf` syncs before storing.
    return incomingIdentity(draft, parsed, index);
  });
  if (ignoresUnreliableUniqueIds(hashConfig.algorithm, settings)) {
    const isUnreliable = unreliableUniqueIds(incoming.map((f) => f.uniqueIdFromTool));
    for (const f of incoming) {
      if (f.uniqueIdFromTool != null && isUnreliable(f.uniqueIdFromTool)) f.uniqueIdFromTool = null;
    }
  }
  // Fingerprints (docs/improvements.md §4) are our own identity: tool fingerprints, or content
  // fingerprints when the host can read the files. They never enter DefectDojo's hash codes.
  assignFingerprints(incoming, ctx);
  sortIncoming(incoming);

  const importId = reserveImportId(ledger);
  const state = new ReimportRun(ledger, test, run, originalIds, importId, ctx);
  const index = matcher.buildIndex(ledger.findingsOfTest(test.id), ctx);
  // A tiered matcher decides its bindings over the whole report before any is used.
  index.prepare?.(incoming);
  const oneToOne = settings['reimport.oneToOneMatching'];
  // The whole draft of an incoming finding, as it was when hashed, with the CVE sync and the
  // identity matching gave it: the hash code, the unique id (null when unreliable) and the
  // fingerprint fields, set in the order they were first set so the saved JSON is the same.
  const draftOf = (identity: IncomingIdentity): Finding => {
    const { parsed, severity } = kept[identity.report];
    const draft = draftFinding(parsed, severity, test, run, ctx);
    syncVulnerabilityIds(draft);
    draft.hashCode = identity.hashCode;
    draft.uniqueIdFromTool = identity.uniqueIdFromTool;
    draft.lineHash = identity.lineHash;
    draft.regionHash = identity.regionHash;
    draft.fingerprint = identity.fingerprint;
    return draft;
  };
  for (let start = 0; start < incoming.length; start += BATCH_SIZE) {
    const batch = new Set<Finding>();
    for (const identity of incoming.slice(start, start + BATCH_SIZE)) {
      const match = selectMatch(index.candidates(identity), state.bound, oneToOne);
      if (match) {
        if (state.processMatch(match, draftOf(identity))) batch.add(match.finding);
        continue;
      }
      // §4.6: a new finding.
      const f = storeNewFinding(ledger, draftOf(identity), ctx);
      index.add(f);
      state.bound.add(f.id);
      state.created.push(f);
      batch.add(f);
    }
    postProcessBatch(ledger, [...batch], ctx);
  }

  // §4.6: only new findings are grouped, after matching and before close-old.
  if (run.groupBy) groupNewFindings(ledger, test, state.created, run.groupBy, run.createFindingGroupsForAllFindings, ctx);
  const closed = state.closeOld(originals);
  const createdIds = new Set(state.created.map((f) => f.id));
  const reactivatedIds = new Set(state.reactivated.map((f) => f.id));
  const untouched = [...state.unchanged.values()].filter((f) => !createdIds.has(f.id) && !reactivatedIds.has(f.id));
  if (!settings.defectdojoParity) {
    // Every incoming finding gets an action (issue 11): a matched finding DefectDojo leaves out
    // of the history (a triaged one the report still flags, §4.8) counts as untouched, with the
    // reason, and keeps the move its match recorded. Parity mode keeps DefectDojo's silence.
    const recorded = new Set<number>([...closed, ...untouched].map((f) => f.id));
    for (const [id, { finding, reason }] of state.matchedSilently) {
      if (recorded.has(id) || createdIds.has(id) || reactivatedIds.has(id)) continue;
      untouched.push(finding);
      state.detail.set(id, { ...state.detail.get(id), untouchedReason: reason });
    }
  }
  updateTestBookkeeping(ledger, test, run, ctx);
  const actions = actionRecords(
    ledger,
    { closed, created: state.created, reactivated: state.reactivated, untouched },
    state.detail,
  );
  const record = recordImport(ledger, importId, test, run, matcher.algorithm, actions, ctx, report.warnings);
  return { testId: test.id, importId: record.id, type: 'reimport', scanType: run.scanType, counts: record.counts, actions };
}
