import type { Finding, Test } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';
import { hashConfigFor, type HashConfig } from './dedupe-config';
import { computeHashCode } from './hash-code';
import type { Ledger } from './ledger';

/*
 * Improvement 10 (`dedupe.rehashOnConfigChange`). DefectDojo never re-hashes stored findings
 * when the hash configuration changes (§6.4): the next reimport then matches nothing, closes
 * everything and recreates it, until an operator runs `manage.py dedupe --hash_code_only`.
 * Scan Ledger remembers, per test type, the configuration its stored hash codes were computed
 * with (`hashConfigFingerprints`) and recomputes them when it changes, with a preview.
 */

/** A stable text form of a hash configuration: equal configurations give equal signatures. */
export function hashConfigSignature(config: HashConfig): string {
  return JSON.stringify({
    algorithm: config.algorithm,
    fields: config.fields,
    allowsNullCwe: config.allowsNullCwe,
    fieldsAlways: config.fieldsAlways,
  });
}

function configOf(test: Test, ctx: EngineContext): HashConfig {
  return hashConfigFor(test.testType, test.scanType, ctx.settings);
}

/** The current signatures per test type, over the tests the ledger holds. */
function currentSignatures(ledger: Ledger, ctx: EngineContext): Map<string, string> {
  const perType = new Map<string, Set<string>>();
  for (const test of ledger.data.tests) {
    const set = perType.get(test.testType) ?? new Set<string>();
    set.add(hashConfigSignature(configOf(test, ctx)));
    perType.set(test.testType, set);
  }
  // A test type is normally configured under its own name; only tests of one Test_Type created
  // from different scan types can resolve differently, and then every variant is part of it.
  return new Map([...perType].map(([type, set]) => [type, [...set].sort().join('|')]));
}

/** Records the signature of a test type's current configuration, e.g. right after an import. */
export function recordHashConfig(ledger: Ledger, test: Test, ctx: EngineContext): void {
  const signature = currentSignatures(ledger, ctx).get(test.testType);
  if (signature !== undefined) ledger.data.hashConfigFingerprints[test.testType] = signature;
}

interface PlannedChange {
  finding: Finding;
  hashCode: string;
}

interface TypePlan {
  total: number;
  changes: PlannedChange[];
}

/** Recomputes the hash code of every finding of the selected test types, without storing it. */
function plan(ledger: Ledger, ctx: EngineContext, types: ReadonlySet<string> | null): Map<string, TypePlan> {
  const plans = new Map<string, TypePlan>();
  for (const test of ledger.data.tests) {
    if (types && !types.has(test.testType)) continue;
    const config = configOf(test, ctx);
    const entry = plans.get(test.testType) ?? { total: 0, changes: [] };
    plans.set(test.testType, entry);
    for (const finding of ledger.findingsOfTest(test.id)) {
      entry.total++;
      const hashCode = computeHashCode(finding, config);
      if (hashCode !== finding.hashCode) entry.changes.push({ finding, hashCode });
    }
  }
  return plans;
}

/** What recomputing hash codes under the current settings would change, per test type. */
export function previewRehash(ledger: Ledger, ctx: EngineContext): { testType: string; changed: number; total: number }[] {
  return [...plan(ledger, ctx, null)]
    .map(([testType, p]) => ({ testType, changed: p.changes.length, total: p.total }))
    .sort((a, b) => (a.testType < b.testType ? -1 : a.testType > b.testType ? 1 : 0));
}

/** Stores planned hash codes through the ledger (so the hash index follows) with an audit entry. */
function apply(ledger: Ledger, plans: Map<string, TypePlan>, signatures: Map<string, string>, ctx: EngineContext): number {
  const at = nowIso(ctx);
  let changed = 0;
  for (const [testType, p] of plans) {
    const reason = `hash configuration of ${testType} changed`;
    for (const { finding, hashCode } of p.changes) {
      finding.audit.push({ at, author: ctx.user, field: 'hashCode', from: finding.hashCode, to: hashCode, reason });
      ledger.updateIndexed(finding, { hashCode });
      changed++;
    }
    const signature = signatures.get(testType);
    if (signature !== undefined) ledger.data.hashConfigFingerprints[testType] = signature;
  }
  return changed;
}

/**
 * Recomputes the stored hash code of every finding under the current settings (DefectDojo's
 * `dedupe --hash_code_only`) and records the configuration per test type. Returns how many
 * hash codes changed. Runs whatever the improvement setting says: it is the explicit command.
 */
export function applyRehash(ledger: Ledger, ctx: EngineContext): number {
  return apply(ledger, plan(ledger, ctx, null), currentSignatures(ledger, ctx), ctx);
}

/**
 * With `dedupe.rehashOnConfigChange` on, recomputes the hash codes of the test types whose
 * configuration differs from the one recorded (a type with nothing recorded counts as changed:
 * its hash codes are then brought in line once and recorded). Off (DefectDojo parity), stored
 * hashes stay stale, as in DefectDojo, and nothing is recorded, so turning the setting on later
 * still catches the change. Returns how many hash codes changed.
 */
export function rehashIfConfigChanged(ledger: Ledger, ctx: EngineContext): number {
  if (!ctx.settings['dedupe.rehashOnConfigChange']) return 0;
  const signatures = currentSignatures(ledger, ctx);
  const stale = new Set([...signatures].filter(([type, sig]) => ledger.data.hashConfigFingerprints[type] !== sig).map(([type]) => type));
  if (stale.size === 0) return 0;
  return apply(ledger, plan(ledger, ctx, stale), signatures, ctx);
}
