import type { CodeLocation, ParsedFinding } from '../model';

/**
 * The size bound of a single text value, in UTF-16 code units (about 1 to 3 MB of UTF-8).
 *
 * DefectDojo's description, mitigation and other text fields have no length limit, but a report
 * is untrusted input: one 8 MB text node made an import take seconds and hundreds of megabytes,
 * and every finding is kept in the store, shown in hovers and exported. No scanner writes a
 * description anywhere near a million characters (the longest real ones are a few kilobytes),
 * so this bound only ever changes hostile or broken reports, and the hash codes of real findings
 * stay exactly DefectDojo's. A value over the bound keeps its beginning and ends with a visible
 * marker saying how much was left out. The title has DefectDojo's own, much lower bound (511,
 * applied by the engine), which this one never reaches.
 */
export const MAX_FIELD_LENGTH = 1024 * 1024;

/** Room kept for the marker, so a bounded value, marker included, never exceeds the bound. */
const MARKER_ROOM = 80;

/** What ends a value cut to the bound. */
export function truncationMarker(omitted: number): string {
  return `… [truncated by Scan Ledger: ${omitted} characters omitted]`;
}

/** Where to cut `text` so that `keep` code units remain, moved back so a surrogate pair is never split. */
export function safeCut(text: string, keep: number): number {
  const code = text.charCodeAt(keep - 1);
  return code >= 0xd800 && code <= 0xdbff ? keep - 1 : keep;
}

/** How many code units of a value longer than `limit` to keep, leaving room for the marker. */
export function keptLength(limit: number = MAX_FIELD_LENGTH): number {
  return Math.max(0, limit - MARKER_ROOM);
}

/** The value itself when within `limit`; otherwise its beginning and the truncation marker. */
export function boundField(text: string, limit: number = MAX_FIELD_LENGTH): string {
  if (text.length <= limit) return text;
  const cut = safeCut(text, keptLength(limit));
  return text.slice(0, cut) + truncationMarker(text.length - cut);
}

/** The cut point for a value of raw XML text, moved back so no entity or character reference is split. */
export function xmlSafeCut(text: string, start: number, keep: number): number {
  let cut = safeCut(text, start + keep);
  // The longest reference XML allows in a report is `&#1114111;` (10 characters); an `&` within
  // that reach and not closed by a `;` before the cut would be left unterminated.
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= start && cut - amp <= 12 && text.indexOf(';', amp) >= cut) cut = amp;
  return cut;
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** The warning recorded for a value cut to the bound. */
export function truncationWarning(where: string, length: number, limit: number = MAX_FIELD_LENGTH): string {
  return `${where}: ${formatCount(length)} characters, over the ${formatCount(limit)}-character bound of a field; cut, with a marker`;
}

/**
 * Applies the bound to every text value of the findings, in place, and appends a warning per
 * value it cut. Values built by the parsers (a SARIF description joins the message and the rule's
 * texts) can exceed the bound even when every value in the report is within it. Only a length
 * test is made per value, so the cost for real reports is a few comparisons per finding.
 */
export function boundFindingFields(findings: ParsedFinding[], warnings: string[], limit: number = MAX_FIELD_LENGTH): void {
  // Paths are built only for a value that is cut: building one per finding would cost more
  // than all the length tests together.
  let index = 0;
  const bound = (value: string, suffix: string): string => {
    warnings.push(truncationWarning(`findings[${index}]${suffix}`, value.length, limit));
    return boundField(value, limit);
  };
  const boundList = (list: string[] | undefined, where: string): void => {
    if (!list) return;
    for (let i = 0; i < list.length; i++) if (list[i].length > limit) list[i] = bound(list[i], `${where}[${i}]`);
  };
  const boundCodeLocations = (list: CodeLocation[] | undefined, where: string): void => {
    if (!list) return;
    list.forEach((entry, i) => {
      if (entry.filePath.length > limit) entry.filePath = bound(entry.filePath, `${where}[${i}].filePath`);
      if (entry.message != null && entry.message.length > limit) entry.message = bound(entry.message, `${where}[${i}].message`);
    });
  };
  const boundMap = (map: Record<string, string> | undefined, where: string): void => {
    if (!map) return;
    for (const key in map) {
      const value = map[key];
      if (typeof value === 'string' && value.length > limit) map[key] = bound(value, `${where}.${key}`);
    }
  };
  findings.forEach((finding, position) => {
    index = position;
    // Named reads, not a loop over field names: this runs for every finding of every report,
    // and keyed reads through a list of names cost several times as much.
    const f = finding;
    if (f.title.length > limit) f.title = bound(f.title, '.title');
    if (f.description.length > limit) f.description = bound(f.description, '.description');
    if (f.mitigation != null && f.mitigation.length > limit) f.mitigation = bound(f.mitigation, '.mitigation');
    if (f.impact != null && f.impact.length > limit) f.impact = bound(f.impact, '.impact');
    if (f.references != null && f.references.length > limit) f.references = bound(f.references, '.references');
    if (f.stepsToReproduce != null && f.stepsToReproduce.length > limit) f.stepsToReproduce = bound(f.stepsToReproduce, '.stepsToReproduce');
    if (f.severityJustification != null && f.severityJustification.length > limit) f.severityJustification = bound(f.severityJustification, '.severityJustification');
    if (f.payload != null && f.payload.length > limit) f.payload = bound(f.payload, '.payload');
    if (f.filePath != null && f.filePath.length > limit) f.filePath = bound(f.filePath, '.filePath');
    if (f.componentName != null && f.componentName.length > limit) f.componentName = bound(f.componentName, '.componentName');
    if (f.componentVersion != null && f.componentVersion.length > limit) f.componentVersion = bound(f.componentVersion, '.componentVersion');
    if (f.uniqueIdFromTool != null && f.uniqueIdFromTool.length > limit) f.uniqueIdFromTool = bound(f.uniqueIdFromTool, '.uniqueIdFromTool');
    if (f.vulnIdFromTool != null && f.vulnIdFromTool.length > limit) f.vulnIdFromTool = bound(f.vulnIdFromTool, '.vulnIdFromTool');
    if (f.service != null && f.service.length > limit) f.service = bound(f.service, '.service');
    if (f.cve != null && f.cve.length > limit) f.cve = bound(f.cve, '.cve');
    if (f.cvssv3 != null && f.cvssv3.length > limit) f.cvssv3 = bound(f.cvssv3, '.cvssv3');
    if (f.fixVersion != null && f.fixVersion.length > limit) f.fixVersion = bound(f.fixVersion, '.fixVersion');
    if (f.sastSourceObject != null && f.sastSourceObject.length > limit) f.sastSourceObject = bound(f.sastSourceObject, '.sastSourceObject');
    if (f.sastSinkObject != null && f.sastSinkObject.length > limit) f.sastSinkObject = bound(f.sastSinkObject, '.sastSinkObject');
    if (f.sastSourceFilePath != null && f.sastSourceFilePath.length > limit) f.sastSourceFilePath = bound(f.sastSourceFilePath, '.sastSourceFilePath');
    if (f.mitigatedBy != null && f.mitigatedBy.length > limit) f.mitigatedBy = bound(f.mitigatedBy, '.mitigatedBy');
    if (f.date != null && f.date.length > limit) f.date = bound(f.date, '.date');
    if (f.mitigated != null && f.mitigated.length > limit) f.mitigated = bound(f.mitigated, '.mitigated');
    boundList(f.vulnerabilityIds, '.vulnerabilityIds');
    boundList(f.endpoints, '.endpoints');
    boundList(f.tags, '.tags');
    const suppression = f.suppression;
    if (suppression && suppression.reason != null && suppression.reason.length > limit) suppression.reason = bound(suppression.reason, '.suppression.reason');
    const location = f.location;
    if (location) {
      if (location.snippet != null && location.snippet.length > limit) location.snippet = bound(location.snippet, '.location.snippet');
      if (location.baselineState != null && location.baselineState.length > limit) location.baselineState = bound(location.baselineState, '.location.baselineState');
      if (location.ruleId != null && location.ruleId.length > limit) location.ruleId = bound(location.ruleId, '.location.ruleId');
      if (location.ruleHelpUri != null && location.ruleHelpUri.length > limit) location.ruleHelpUri = bound(location.ruleHelpUri, '.location.ruleHelpUri');
      if (location.resolvedPath != null && location.resolvedPath.length > limit) location.resolvedPath = bound(location.resolvedPath, '.location.resolvedPath');
      boundCodeLocations(location.relatedLocations, '.location.relatedLocations');
      boundCodeLocations(location.codeFlow, '.location.codeFlow');
      boundMap(location.partialFingerprints, '.location.partialFingerprints');
      boundMap(location.fingerprints, '.location.fingerprints');
    }
  });
}
