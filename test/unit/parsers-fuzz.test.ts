import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { detectScanType, MAX_FIELD_LENGTH, PARSERS, parseReport, ReportParseError, type ReportParser } from '../../src/parsers';
import { seededRandom } from '../seeded-random';

/**
 * A small deterministic fuzz over the real fixtures of every registered parser: each fixture is
 * mutated (truncated, bytes flipped, slices deleted or duplicated, JSON values swapped for other
 * types, XML given hostile declarations) and parsed again. The only acceptable failure is a
 * `ReportParseError`; anything else (a TypeError from an unchecked field, a RangeError from
 * recursion) is a parser bug. A hang would trip mocha's timeout; nothing here measures time.
 */

const FIXTURE_ROOT = join(__dirname, '..', 'fixtures');
/** 40 by default; set PARSER_FUZZ_MUTATIONS for a longer local run. */
const MUTATIONS_PER_FIXTURE = Number(process.env.PARSER_FUZZ_MUTATIONS) || 40;
const MAX_FIXTURE_BYTES = 256 * 1024;

function fixtureFolder(scanType: string): string {
  const slug = scanType.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return join(FIXTURE_ROOT, slug === 'generic-findings-import' ? 'generic' : slug);
}

function fixturesOf(parser: ReportParser): string[] {
  const folder = fixtureFolder(parser.scanType);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile() && statSync(path).size <= MAX_FIXTURE_BYTES)
    .filter((path) => !path.endsWith('textwrap-shorten-vectors.json'));
}

/** Values of every JSON type (and a few hostile ones) to swap into a document. */
const REPLACEMENTS: unknown[] = [
  null,
  0,
  -1,
  1e308,
  3.5,
  '',
  'x',
  '12',
  'CWE-79',
  true,
  false,
  [],
  {},
  [null],
  { value: null },
  'a'.repeat(5000),
  { __proto__x: 1, constructor: 'c' },
  [[[[[]]]]],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Replaces (or deletes) one randomly chosen node of a JSON document, without recursion. */
function mutateJson(document: Json, random: () => number): Json {
  const holders: { parent: Json[] | Record<string, Json>; key: string | number }[] = [];
  const stack: Json[] = [document];
  while (stack.length > 0) {
    const node = stack.pop() as Json;
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        holders.push({ parent: node, key: index });
        stack.push(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        holders.push({ parent: node, key });
        stack.push(child);
      }
    }
  }
  if (holders.length === 0) return REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)] as Json;
  const { parent, key } = holders[Math.floor(random() * holders.length)];
  if (random() < 0.15 && !Array.isArray(parent)) {
    delete parent[key as string];
  } else {
    const replacement = structuredClone(REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)]) as Json;
    (parent as Record<string | number, Json>)[key] = replacement;
  }
  return document;
}

const XML_INSERTIONS = [
  '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>',
  '&undefined;',
  '&#x110000;',
  '<![CDATA[',
  '</unopened>',
  '<x a="1" a="2"/>',
  '<__proto__/>',
  '<a>'.repeat(400),
];

function mutateText(text: string, random: () => number, format: string): string {
  const at = Math.floor(random() * (text.length + 1));
  const span = Math.floor(random() * Math.min(200, text.length + 1));
  switch (Math.floor(random() * (format === 'xml' ? 6 : 5))) {
    case 0:
      return text.slice(0, at);
    case 1: {
      const code = text.charCodeAt(Math.min(at, text.length - 1)) ^ (1 << Math.floor(random() * 7));
      return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
    }
    case 2:
      return text.slice(0, at) + text.slice(at + span);
    case 3:
      return text.slice(0, at) + text.slice(at, at + span) + text.slice(at);
    case 4:
      return text.slice(0, at) + ['"', '{', ']', ',', '\u0000', '\ud800', '<', '>'][Math.floor(random() * 8)] + text.slice(at);
    default:
      return text.slice(0, at) + XML_INSERTIONS[Math.floor(random() * XML_INSERTIONS.length)] + text.slice(at);
  }
}

function mutate(text: string, random: () => number): { text: string; how: string } {
  const trimmed = text.trimStart();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && random() < 0.6) {
    try {
      const document = JSON.parse(text) as Json;
      let mutated = document;
      const rounds = 1 + Math.floor(random() * 3);
      for (let round = 0; round < rounds; round++) mutated = mutateJson(mutated, random);
      return { text: JSON.stringify(mutated), how: `json x${rounds}` };
    } catch {
      // Fixtures that are deliberately invalid JSON get text mutations instead.
    }
  }
  const format = trimmed.startsWith('<') ? 'xml' : 'text';
  return { text: mutateText(text, random, format), how: 'text' };
}

function parseOrTypedError(parser: ReportParser, text: string, name: string): 'parsed' | 'refused' {
  try {
    const report = parser.parse(text, name, { workspaceRoot: '/work/project' });
    assert.ok(Array.isArray(report.findings), `${parser.scanType} returned no findings array`);
    for (const finding of report.findings) {
      assert.equal(typeof finding.title, 'string', `${parser.scanType}: title must be a string`);
      assert.equal(typeof finding.severity, 'string', `${parser.scanType}: severity must be a string`);
      assert.equal(typeof finding.description, 'string', `${parser.scanType}: description must be a string`);
    }
    return 'parsed';
  } catch (error) {
    if (error instanceof ReportParseError) return 'refused';
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    assert.fail(`${parser.scanType} threw a non-ReportParseError on a mutation of ${name}:\n${detail}`);
  }
}

describe('parser fuzz: mutated real fixtures only ever give ReportParseError', () => {
  it('covers fixtures for SARIF and the Generic Findings Import at least', () => {
    const covered = PARSERS.filter((parser) => fixturesOf(parser).length > 0).map((parser) => parser.scanType);
    assert.ok(covered.includes('SARIF'));
    assert.ok(covered.includes('Generic Findings Import'));
  });

  PARSERS.forEach((parser, parserIndex) => {
    it(`${parser.scanType}: ${MUTATIONS_PER_FIXTURE} mutations of each fixture`, function () {
      const fixtures = fixturesOf(parser);
      if (fixtures.length === 0) {
        // No fixtures yet for this format: the error contract is still checked on junk input.
        for (const junk of ['', '{"unexpected": true}', '[null]', '<r/>', 'a,b\n1,2']) parseOrTypedError(parser, junk, 'junk');
        return;
      }
      const random = seededRandom(0x5ca11ed + parserIndex);
      let outcomes = 0;
      for (const path of fixtures) {
        const original = readFileSync(path, 'utf8');
        const name = path.slice(path.lastIndexOf('/') + 1);
        for (let i = 0; i < MUTATIONS_PER_FIXTURE; i++) {
          const { text } = mutate(original, random);
          parseOrTypedError(parser, text, name);
          // Detection runs over the same hostile text and must never throw at all.
          const detection = detectScanType(text, name);
          assert.ok(detection.scanType === null ? typeof detection.reason === 'string' : typeof detection.scanType === 'string');
          outcomes++;
        }
      }
      assert.equal(outcomes, fixtures.length * MUTATIONS_PER_FIXTURE);
    });
  });
});

/** The fixture with one value blown up past the field bound: the first long JSON string or XML text run. */
function withHugeValue(text: string, huge: string): string | null {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) {
    const run = />([^<>&]{8,})</.exec(text);
    return run ? `${text.slice(0, run.index + 1)}${huge}${text.slice(run.index + 1 + run[1].length)}` : null;
  }
  const literal = /"((?:[^"\\]|\\.){8,})"/.exec(text);
  return literal ? `${text.slice(0, literal.index + 1)}${huge}${text.slice(literal.index + 1 + literal[1].length)}` : null;
}

describe('parser fuzz: one value past the field bound (issue 16 item 5)', () => {
  const huge = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((MAX_FIELD_LENGTH * 2) / 27));
  PARSERS.forEach((parser) => {
    it(`${parser.scanType}: every fixture parses or is refused, and no value of a finding exceeds the bound`, function () {
      for (const path of fixturesOf(parser)) {
        const mutated = withHugeValue(readFileSync(path, 'utf8'), huge);
        if (mutated === null) continue;
        const name = path.slice(path.lastIndexOf('/') + 1);
        try {
          const report = parseReport(mutated, { fileName: name, scanType: parser.scanType });
          for (const finding of report.findings) {
            for (const [field, value] of Object.entries(finding)) {
              if (typeof value === 'string') assert.ok(value.length <= MAX_FIELD_LENGTH, `${name}: ${field} is ${value.length} characters`);
            }
          }
        } catch (error) {
          if (!(error instanceof ReportParseError)) throw error;
        }
      }
    });
  });
});
