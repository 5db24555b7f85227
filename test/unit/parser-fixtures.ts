import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashConfigFor } from '../../src/engine/dedupe-config';
import { computeHashCode, type HashableFinding } from '../../src/engine/hash-code';
import { defaultSettings, type ParsedReport, type Settings } from '../../src/model';
import { ReportParseError } from '../../src/parsers/errors';
import type { ParseOptions, ReportParser } from '../../src/parsers/parser';

/** test/fixtures, where every parser keeps its reports in a folder named after its scan type. */
export const FIXTURE_ROOT = join(__dirname, '..', 'fixtures');

/**
 * Runs `action` and returns the ReportParseError it throws, failing the test when it throws
 * anything else or nothing; with `pattern`, the error message must also match it. `subject`
 * names what was parsed in the failure message, so a report that parses cleanly is named.
 */
export function expectParseError(action: () => unknown, pattern?: RegExp, subject = 'the report'): ReportParseError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ReportParseError, `expected ReportParseError, got ${String(error)}`);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a ReportParseError, but ${subject} parsed without error`);
}

/** The fixture reports of one parser, read from test/fixtures/<folder>. */
export interface ParserFixtures {
  /** The text of a fixture, for tests that sniff or decode it themselves. */
  read: (name: string) => string;
  /** Parses a fixture under its own file name, as an import of that file would. */
  parse: (name: string, options?: ParseOptions) => ParsedReport;
  /** Parses a fixture the parser must refuse, and returns the ReportParseError it raised. */
  parseError: (name: string) => ReportParseError;
}

/**
 * Binds `parser` to its fixture folder. The functions returned close over both, so a test file
 * can destructure them into the short `read` / `parse` / `parseError` names its assertions use.
 */
export function fixtureReader(folder: string, parser: ReportParser): ParserFixtures {
  const read = (name: string): string => readFileSync(join(FIXTURE_ROOT, folder, name), 'utf8');
  const parse = (name: string, options?: ParseOptions): ParsedReport => parser.parse(read(name), name, options);
  const parseError = (name: string): ReportParseError => expectParseError(() => parse(name), undefined, name);
  return { read, parse, parseError };
}

/**
 * The hash code DefectDojo stores for `finding`, computed with the hash configuration
 * `hashConfigFor` derives for the test type and scan type under `settings` (the product's
 * defaults unless a test asks otherwise, e.g. `defectdojoParity`). A bare scan type stands for
 * both, which is what every single-tool parser reports; SARIF and the Generic Findings Import
 * name the test type after the tool, so they pass the report itself.
 */
export function hashUnderDefaults(
  type: string | Pick<ParsedReport, 'testType' | 'scanType'>,
  finding: HashableFinding,
  settings: Settings = defaultSettings(),
): string {
  const { testType, scanType } = typeof type === 'string' ? { testType: type, scanType: type } : type;
  return computeHashCode(finding, hashConfigFor(testType, scanType, settings));
}
