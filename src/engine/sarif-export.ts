/**
 * Findings out of the ledger as SARIF 2.1.0, for code scanning dashboards and other SARIF
 * viewers. Both hosts write it: the editor's "Export Findings…" and the CLI's
 * `gate --format sarif`, so one implementation decides levels, rule ids, fingerprints and
 * suppressions. Pure: how a host names a finding's status and shows a file path come in the
 * options.
 */
import type * as sarif from 'sarif';
import type { CodeLocation, Finding, Test } from '../model';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifExportOptions {
  /** Tests by id, to name each result's scan type and test. */
  testsById?: ReadonlyMap<number, Test>;
  /** The extension's version, recorded as the driver version. */
  toolVersion?: string;
  /**
   * The workspace folder as a `file:` URI ending in `/`, declared as `%SRCROOT%` so relative
   * file paths resolve where the report is opened.
   */
  sourceRoot?: string;
  /**
   * How the host shows a stored file path (the editor writes paths inside the workspace relative
   * to it, however the scanner wrote them); the path as stored when absent.
   */
  displayPath?: (filePath: string) => string;
  /** The host's words for a finding's state, recorded as the result's `status` property. */
  statusOf: (f: Finding) => string;
}

/**
 * SARIF levels from DefectDojo severities, the mapping GitHub code scanning uses in reverse
 * (error for Critical and High, warning for Medium, note below).
 */
const LEVELS: Readonly<Record<Finding['severity'], sarif.Result.level>> = {
  Critical: 'error',
  High: 'error',
  Medium: 'warning',
  Low: 'note',
  Info: 'note',
};

/**
 * GitHub's `security-severity` property (a CVSS-like score) by severity, chosen in the middle of
 * each CVSS band so a round trip through GitHub keeps the severity.
 */
const SECURITY_SEVERITY: Readonly<Record<Finding['severity'], string>> = {
  Critical: '9.5',
  High: '8.0',
  Medium: '5.5',
  Low: '2.0',
  Info: '0.0',
};

/** Suppression kinds that live in the source file itself (SARIF `inSource`). */
const IN_SOURCE_SUPPRESSIONS = new Set(['nosec', 'nosemgrep', 'checkov:skip', 'gitleaks:allow', 'inSource']);

/**
 * Which findings a SARIF export carries: the open ones and the triaged ones (with suppressions),
 * not mitigated findings (they are fixed) nor duplicates (their original is reported already).
 */
export function selectFindingsForSarif(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !f.duplicate && (f.active || f.falsePositive || f.outOfScope || f.riskAccepted));
}

/** The rule id of a finding: the scanner's rule, else its vulnerability id, CWE or title. */
export function ruleIdOf(f: Finding): string {
  return f.location?.ruleId || f.vulnIdFromTool || (f.cwe != null && f.cwe > 0 ? `CWE-${f.cwe}` : f.title);
}

/**
 * A SARIF artifact URI for a stored file path: relative paths stay relative (resolved against
 * `%SRCROOT%`), absolute ones become `file:` URIs, and every segment is percent-encoded.
 */
export function artifactLocation(filePath: string, sourceRoot: string | undefined): sarif.ArtifactLocation {
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(filePath)) return { uri: filePath };
  const slashed = filePath.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(slashed);
  const absolute = drive || slashed.startsWith('/');
  const segments = slashed.split('/').map((s, i) => (drive && i === 0 ? s : encodeURIComponent(s)));
  const encoded = segments.join('/');
  if (absolute) return { uri: drive ? `file:///${encoded}` : `file://${encoded}` };
  const relative = encoded.replace(/^(\.\/)+/, '');
  return sourceRoot ? { uri: relative, uriBaseId: '%SRCROOT%' } : { uri: relative };
}

function region(line: number | null | undefined, detail: Partial<CodeLocation> & { snippet?: string | null }): sarif.Region | undefined {
  if (line == null || line < 1) return undefined;
  const r: sarif.Region = { startLine: line };
  if (detail.column != null && detail.column > 0) r.startColumn = detail.column;
  if (detail.endLine != null && detail.endLine >= line) r.endLine = detail.endLine;
  if (detail.endColumn != null && detail.endColumn > 0) r.endColumn = detail.endColumn;
  if (detail.snippet) r.snippet = { text: detail.snippet };
  return r;
}

function physicalLocation(loc: CodeLocation, options: SarifExportOptions, snippet?: string | null): sarif.Location {
  const physical: sarif.PhysicalLocation = { artifactLocation: artifactLocation(options.displayPath?.(loc.filePath) ?? loc.filePath, options.sourceRoot) };
  const r = region(loc.line, { ...loc, snippet });
  if (r) physical.region = r;
  const location: sarif.Location = { physicalLocation: physical };
  if (loc.message) location.message = { text: loc.message };
  return location;
}

/** The justification DefectDojo's triage gives, with the risk acceptance's reason, owner and expiry. */
export function suppressionsOf(f: Finding): sarif.Suppression[] {
  const suppressions: sarif.Suppression[] = [];
  const lastReason = (field: string): string | null => {
    for (let i = f.audit.length - 1; i >= 0; i--) if (f.audit[i].field === field && f.audit[i].reason) return f.audit[i].reason ?? null;
    return null;
  };
  const justify = (status: string, reason: string | null): string => (reason ? `${status}: ${reason}` : status);
  if (f.falsePositive) {
    suppressions.push({ kind: 'external', status: 'accepted', justification: justify('False positive', lastReason('falsePositive')) });
  }
  if (f.outOfScope) {
    suppressions.push({ kind: 'external', status: 'accepted', justification: justify('Out of scope', lastReason('outOfScope')) });
  }
  if (f.riskAccepted) {
    const ra = f.riskAcceptance;
    const details = ra ? [ra.reason, ra.owner ? `owner ${ra.owner}` : '', ra.expires ? `until ${ra.expires}` : ''].filter((s) => s) : [];
    suppressions.push({
      kind: 'external',
      status: 'accepted',
      justification: justify('Risk accepted', details.length > 0 ? details.join(', ') : lastReason('riskAccepted')),
    });
  }
  if (f.suppression) {
    suppressions.push({
      kind: IN_SOURCE_SUPPRESSIONS.has(f.suppression.kind) ? 'inSource' : 'external',
      status: 'accepted',
      justification: justify(`Suppressed by ${f.suppression.kind}`, f.suppression.reason ?? null),
    });
  }
  return suppressions;
}

function result(f: Finding, ruleIndex: number, options: SarifExportOptions): sarif.Result {
  const detail = f.location ?? {};
  const res: sarif.Result = {
    ruleId: ruleIdOf(f),
    ruleIndex,
    level: LEVELS[f.severity],
    message: { text: f.title },
  };
  if (f.filePath) {
    res.locations = [
      physicalLocation(
        { filePath: f.filePath, line: f.line, column: detail.column, endLine: detail.endLine, endColumn: detail.endColumn },
        options,
        detail.snippet,
      ),
    ];
  }
  if (detail.relatedLocations && detail.relatedLocations.length > 0) {
    res.relatedLocations = detail.relatedLocations.map((l, i) => ({ id: i + 1, ...physicalLocation(l, options) }));
  }
  if (detail.codeFlow && detail.codeFlow.length > 0) {
    res.codeFlows = [{ threadFlows: [{ locations: detail.codeFlow.map((l) => ({ location: physicalLocation(l, options) })) }] }];
  }
  const partialFingerprints: Record<string, string> = { ...(detail.partialFingerprints ?? {}) };
  if (f.hashCode) partialFingerprints['defectDojoHashCode/v1'] = f.hashCode;
  if (Object.keys(partialFingerprints).length > 0) res.partialFingerprints = partialFingerprints;
  const fingerprints: Record<string, string> = { ...(detail.fingerprints ?? {}) };
  if (f.fingerprint) fingerprints['scanLedgerFingerprint/v1'] = f.fingerprint;
  if (Object.keys(fingerprints).length > 0) res.fingerprints = fingerprints;
  const suppressions = suppressionsOf(f);
  if (suppressions.length > 0) res.suppressions = suppressions;
  const test = options.testsById?.get(f.testId);
  res.properties = {
    findingId: f.id,
    testId: f.testId,
    ...(test ? { scanType: test.scanType, testType: test.testType } : {}),
    severity: f.severity,
    status: options.statusOf(f),
    description: f.description,
    ...(f.cwe != null ? { cwe: f.cwe } : {}),
    ...(f.vulnerabilityIds.length > 0 ? { vulnerabilityIds: f.vulnerabilityIds } : {}),
    ...(f.uniqueIdFromTool ? { uniqueIdFromTool: f.uniqueIdFromTool } : {}),
    ...(f.componentName ? { componentName: f.componentName } : {}),
    ...(f.componentVersion ? { componentVersion: f.componentVersion } : {}),
    ...(f.mitigation ? { mitigation: f.mitigation } : {}),
    ...(f.tags.length > 0 ? { tags: f.tags } : {}),
  };
  return res;
}

function rule(f: Finding, id: string): sarif.ReportingDescriptor {
  const tags = ['security', ...[f.cwe, ...f.cwes].filter((c): c is number => c != null && c > 0).map((c) => `external/cwe/cwe-${c}`)];
  const descriptor: sarif.ReportingDescriptor = {
    id,
    shortDescription: { text: f.title },
    defaultConfiguration: { level: LEVELS[f.severity] },
    properties: { tags: [...new Set(tags)], 'security-severity': SECURITY_SEVERITY[f.severity] },
  };
  // The help link comes from the report; a viewer of the exported SARIF (GitHub, an IDE) would
  // follow it, so only an http(s) address is passed on, never `javascript:`, `file:` or `command:`.
  const helpUri = safeExternalUrl(f.location?.ruleHelpUri);
  if (helpUri) descriptor.helpUri = helpUri;
  if (f.mitigation) descriptor.help = { text: f.mitigation };
  return descriptor;
}

/**
 * One SARIF run with a rule per distinct rule id (in order of first appearance, described by
 * its first finding) and a result per finding, keeping the scanner's fingerprints and adding a
 * suppression for each triage decision (false positive, out of scope, risk accepted), so a
 * dashboard reading the file shows those findings as dismissed with the reason.
 */
export function findingsToSarif(findings: readonly Finding[], options: SarifExportOptions): sarif.Log {
  const rules: sarif.ReportingDescriptor[] = [];
  const ruleIndexes = new Map<string, number>();
  const results: sarif.Result[] = [];
  for (const f of findings) {
    const id = ruleIdOf(f);
    let index = ruleIndexes.get(id);
    if (index === undefined) {
      index = rules.length;
      ruleIndexes.set(id, index);
      rules.push(rule(f, id));
    }
    results.push(result(f, index, options));
  }
  const run: sarif.Run = {
    tool: {
      driver: {
        name: 'Scan Ledger',
        informationUri: 'https://github.com/scan-ledger/scan-ledger',
        ...(options.toolVersion ? { version: options.toolVersion } : {}),
        rules,
      },
    },
    results,
    columnKind: 'utf16CodeUnits',
  };
  if (options.sourceRoot) run.originalUriBaseIds = { '%SRCROOT%': { uri: options.sourceRoot } };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

/**
 * An http(s) URL from a report, safe to hand to a SARIF viewer as a link: parsed (so it is a
 * real URL), limited to http and https (no `command:`, `javascript:`, `file:`), without
 * credentials, and with the characters that could end a markdown link target percent-encoded.
 * Null when unsafe. (The same rule as the editor's hovers.)
 */
export function safeExternalUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return url.href.replace(/[()<>\s"'\\`[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
