import type { DedupeAlgorithm } from '../model';
import { fingerprintMatcher } from './fingerprint';
import { hashCodeMatcher, legacyMatcher, uniqueIdMatcher, uniqueIdOrHashMatcher, type ReimportMatcher } from './matching';

/**
 * The reimport matcher of every algorithm: DefectDojo's four and our `fingerprint` (docs/improvements.md
 * §4). A static table typed by `DedupeAlgorithm`, so the compiler refuses an algorithm without a
 * matcher; it lives in its own module because the fingerprint matcher builds on `matching.ts`,
 * and a table there would make the two import each other. The decision table only ever sees
 * the `ReimportMatcher` interface.
 */
export const REIMPORT_MATCHERS: Readonly<Record<DedupeAlgorithm, ReimportMatcher>> = {
  hash_code: hashCodeMatcher,
  unique_id_from_tool: uniqueIdMatcher,
  unique_id_from_tool_or_hash_code: uniqueIdOrHashMatcher,
  legacy: legacyMatcher,
  fingerprint: fingerprintMatcher,
};

/** The matcher for a configured algorithm. */
export function reimportMatcherFor(algorithm: DedupeAlgorithm): ReimportMatcher {
  return REIMPORT_MATCHERS[algorithm];
}
