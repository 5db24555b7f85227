import type { Finding, Test } from '../model';
import { findingLocation } from './output';

/**
 * The gate's verdict as JUnit XML, the test-report format every CI system displays (GitLab
 * merge requests, Jenkins, Azure Pipelines, GitHub test-report actions): one test case per
 * finding that fails the gate, each with a `<failure>`. A passing gate is one passing test
 * case, because several CI systems treat a report without test cases as "no results" and fail
 * or warn on that.
 *
 * Titles, paths and descriptions come from scanner reports and are untrusted: everything is
 * escaped, and characters XML 1.0 cannot hold at all (most control characters, lone
 * surrogates) are replaced, so a hostile report cannot make the file ill-formed.
 */

export interface JunitGateReport {
  /** The severity the gate failed on (`High`). */
  failOn: string;
  /** `--new-since-import N`, when given. */
  newSinceImport?: number;
  /** The findings that failed the gate; empty when it passed. */
  failing: readonly Finding[];
  testsById: ReadonlyMap<number, Test>;
  /** When the gate ran. */
  timestamp: Date;
}

/**
 * Characters XML 1.0 does not allow anywhere (C0 controls other than tab, line feed and
 * carriage return; U+FFFE and U+FFFF; surrogate halves that are not part of a pair).
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text escaped for an XML element's content. */
export function xmlText(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Text escaped for a double-quoted XML attribute. Tabs and line breaks are written as character
 * references, because a parser would otherwise normalise them to spaces.
 */
export function xmlAttribute(text: string): string {
  return xmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

const SUITE_NAME = 'scan-ledger gate';

function scopeText(report: JunitGateReport): string {
  const since = report.newSinceImport !== undefined ? ` new since import #${report.newSinceImport}` : '';
  return `active findings at or above ${report.failOn}${since}`;
}

/** The test case name of a failing finding: id, severity, title and where it is. */
function caseName(f: Finding): string {
  const where = findingLocation(f);
  return `#${f.id} [${f.severity}] ${f.title}${where ? ` (${where})` : ''}`;
}

/** The body of a finding's `<failure>`: what a developer needs to find and judge it. */
function failureDetail(f: Finding, test: Test | undefined): string {
  const lines = [
    `Finding #${f.id}: ${f.title}`,
    `Severity: ${f.severity}`,
    findingLocation(f) ? `Location: ${findingLocation(f)}` : null,
    test ? `Scan type: ${test.scanType} (test #${test.id})` : `Test: #${f.testId}`,
    f.location?.ruleId ? `Rule: ${f.location.ruleId}` : null,
    f.vulnIdFromTool ? `Scanner id: ${f.vulnIdFromTool}` : null,
    f.cwe != null && f.cwe > 0 ? `CWE: ${f.cwe}` : null,
    f.vulnerabilityIds.length > 0 ? `Vulnerability ids: ${f.vulnerabilityIds.join(', ')}` : null,
    f.componentName ? `Component: ${f.componentName}${f.componentVersion ? ` ${f.componentVersion}` : ''}` : null,
    f.description ? `\n${f.description}` : null,
    f.mitigation ? `\nMitigation: ${f.mitigation}` : null,
  ];
  return lines.filter((line): line is string => line !== null).join('\n');
}

/** The JUnit XML document of a gate run, in pieces (a failing gate may list a million findings). */
export function* junitGatePieces(report: JunitGateReport): Generator<string> {
  const failures = report.failing.length;
  const tests = Math.max(failures, 1);
  const timestamp = report.timestamp.toISOString().slice(0, 19);
  const suite = `${SUITE_NAME}: ${scopeText(report)}`;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="${xmlAttribute(SUITE_NAME)}" tests="${tests}" failures="${failures}" errors="0">\n`;
  yield `  <testsuite name="${xmlAttribute(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" timestamp="${timestamp}">\n`;
  if (failures === 0) {
    yield `    <testcase classname="${xmlAttribute(SUITE_NAME)}" name="${xmlAttribute(`no ${scopeText(report)}`)}"/>\n`;
  }
  for (const f of report.failing) {
    const test = report.testsById.get(f.testId);
    const classname = test?.scanType ?? SUITE_NAME;
    yield `    <testcase classname="${xmlAttribute(classname)}" name="${xmlAttribute(caseName(f))}">\n`;
    yield `      <failure type="${xmlAttribute(f.severity)}" message="${xmlAttribute(`${f.severity}: ${f.title}`)}">${xmlText(failureDetail(f, test))}</failure>\n`;
    yield '    </testcase>\n';
  }
  yield '  </testsuite>\n';
  yield '</testsuites>\n';
}
