import type { ParsedFinding, ParsedReport } from '../model';
import { ReportParseError } from './errors';
import { htmlToText } from './html-text';
import type { ReportParser } from './parser';
import { find, findAll, hasRootElement, iterText, localName, parseXmlElement, type XmlElement } from './xml-element';

/**
 * SpotBugs XML (`spotbugs -textui -xml:withMessages`), reproducing DefectDojo's
 * `dojo/tools/spotbugs/parser.py`: one finding per `BugInstance`, severity from `priority`
 * (1 High, 2 Medium, 3 Low), CWE from `cweid` (0 when absent, and SpotBugs' hash configuration
 * then falls back to the legacy hash), location from the instance's own `SourceLine`, mitigation
 * and references from the `BugPattern` details, merged on `instanceHash`.
 */

export const SPOTBUGS_SCAN_TYPE = 'SpotBugs Scan';

const SEVERITY: Readonly<Record<string, string>> = { '1': 'High', '2': 'Medium', '3': 'Low' };

interface PatternText {
  mitigation: string;
  references: string;
}

/** ElementTree's `tostring(element, method="text")`: its texts and, as ElementTree does, its tail. */
function textOf(element: XmlElement): string {
  return iterText(element).join('') + (element.tail ?? '');
}

/**
 * Splits a bug pattern's HTML details into mitigation (everything before the first line that
 * mentions "Reference", with code examples labelled) and references (the rest, one per line).
 */
function patternText(details: XmlElement): PatternText {
  const lines = htmlToText(textOf(details)).split(/\r\n|\r|\n/);
  // splitlines() drops the final empty piece after a trailing newline.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let mitigation = '';
  let consumed = 0;
  for (const line of lines) {
    consumed += 1;
    if (line.includes('Reference')) break;
    if (line.includes('Vulnerable Code:') || line.includes('Insecure configuration:') || line.includes('Code at risk:')) {
      mitigation += '\n\n#### Example\n';
    }
    mitigation += `${line}\n`;
  }
  let references = '';
  for (const line of lines.slice(consumed)) references += `${line} `;
  references = replaceBetweenParenAndBracket(references);
  return { mitigation, references };
}

/** Whether `code` ends a line for a regular expression's `.` (without the `s` flag). */
function isLineTerminator(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

/**
 * `text.replace(/(?<=\))(.*?)(?=\[)/g, '\n')` (DefectDojo's `re.sub` on the references) in one
 * pass. The regular expression tries every position after a `)` and scans to the end of the
 * line when no `[` follows, so a line of many `)` and no `[` made it quadratic. Here a position
 * with no `[` before the line's end skips to that end, since no later position on the line can
 * match either; after an empty match the search moves on one character, as `replace` does.
 */
export function replaceBetweenParenAndBracket(text: string): string {
  const n = text.length;
  let out = '';
  let copied = 0;
  let p = text.indexOf(')') + 1;
  while (p > 0 && p <= n) {
    // The next `[` and the next line end at or after p decide whether a match starts at p.
    let q = p;
    while (q < n && text.charCodeAt(q) !== 91 && !isLineTerminator(text.charCodeAt(q))) q++;
    if (q >= n) break;
    if (text.charCodeAt(q) !== 91) {
      // No match on the rest of this line: continue with the first `)` after its end.
      p = text.indexOf(')', q) + 1;
      continue;
    }
    out += `${text.slice(copied, p)}\n`;
    copied = q;
    // The next search starts at the end of the match, or one further after an empty match.
    const from = q > p ? q : p + 1;
    p = from <= n && text.charCodeAt(from - 1) === 41 ? from : text.indexOf(')', from) + 1;
  }
  return copied === 0 && out === '' ? text : out + text.slice(copied);
}

function readBug(bug: XmlElement, patterns: Map<string, PatternText>, fileName: string, where: string): { key: string; finding: ParsedFinding } {
  const description = iterText(bug)
    .map((text) => `${text}\n`)
    .join('');
  const type = bug.attributes.type ?? null;
  const shortMessage = find(bug, 'ShortMessage');
  const title = shortMessage ? (shortMessage.text ?? '') : type;
  if (title === null) throw new ReportParseError(fileName, 'BugInstance without a ShortMessage or a type', where);
  const priority = bug.attributes.priority;
  const severity = priority === undefined ? undefined : SEVERITY[priority];
  if (severity === undefined) throw new ReportParseError(fileName, `unknown SpotBugs priority ${priority === undefined ? '(missing)' : `"${priority}"`}`, `${where}.priority`);
  const cweText = bug.attributes.cweid ?? '0';
  if (!/^\s*[+-]?\d+\s*$/.test(cweText)) throw new ReportParseError(fileName, `cannot read a CWE number from cweid "${cweText}"`, `${where}.cweid`);

  const finding: ParsedFinding = {
    title,
    cwe: Number.parseInt(cweText, 10),
    severity,
    description,
    staticFinding: true,
    dynamicFinding: false,
    nbOccurences: 1,
  };
  // Only the instance's own SourceLine, not those nested in its Class or Method.
  const sourceLine = bug.children.find((child) => localName(child.tag) === 'SourceLine');
  if (sourceLine) {
    finding.filePath = sourceLine.attributes.sourcepath ?? null;
    finding.sastSourceObject = sourceLine.attributes.classname ?? null;
    finding.sastSourceFilePath = sourceLine.attributes.sourcepath ?? null;
    const start = sourceLine.attributes.start;
    if (start !== undefined && /^\d+$/.test(start)) {
      finding.line = Number.parseInt(start, 10);
      finding.sastSourceLine = finding.line;
    }
  }
  if (type !== null) {
    const pattern = patterns.get(type);
    if (pattern) {
      finding.mitigation = pattern.mitigation;
      finding.references = pattern.references;
    }
  }
  finding.location = { ruleId: type };
  const end = sourceLine?.attributes.end;
  if (end !== undefined && /^\d+$/.test(end)) finding.location.endLine = Number.parseInt(end, 10);

  const instanceHash = bug.attributes.instanceHash;
  return { key: instanceHash !== undefined ? `hash:${instanceHash}` : ['no_instance_hash', title, description].join('|'), finding };
}

export function parseSpotbugs(text: string, fileName: string): ParsedReport {
  const root = parseXmlElement(text, fileName);
  if (localName(root.tag) !== 'BugCollection') {
    throw new ReportParseError(fileName, `not a SpotBugs XML report: the root element is <${root.tag}>, not <BugCollection>`);
  }
  const patterns = new Map<string, PatternText>();
  for (const pattern of findAll(root, 'BugPattern')) {
    const details = find(pattern, 'Details');
    const type = pattern.attributes.type;
    if (details && type !== undefined) patterns.set(type, patternText(details));
  }
  const byKey = new Map<string, ParsedFinding>();
  findAll(root, 'BugInstance').forEach((bug, index) => {
    const { key, finding } = readBug(bug, patterns, fileName, `BugInstance[${index}]`);
    const first = byKey.get(key);
    if (first) first.nbOccurences = (first.nbOccurences ?? 1) + 1;
    else byKey.set(key, finding);
  });
  return {
    scanType: SPOTBUGS_SCAN_TYPE,
    testType: SPOTBUGS_SCAN_TYPE,
    toolName: 'SpotBugs',
    toolVersion: root.attributes.version ?? null,
    findings: [...byKey.values()],
  };
}

export const spotbugsParser: ReportParser = {
  scanType: SPOTBUGS_SCAN_TYPE,
  format: 'xml',
  parse: parseSpotbugs,
  sniff(document: unknown): boolean {
    return hasRootElement(document, 'BugCollection');
  },
};
