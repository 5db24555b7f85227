import { parse as parseYaml } from 'yaml';
import type { ParsedFinding, Suppression } from '../model';
import { sourcePathOf } from './fingerprint';

/**
 * Scanner-native suppressions (docs/improvements.md §5): the ways developers already tell their scanners
 * "not this one" — `# nosec`, `nosemgrep`, `.gitleaksignore`, `.trivyignore(.yaml)`,
 * `checkov:skip=`. A report can still contain such a finding (a scanner run with suppressions
 * ignored, or an ignore file added after the scan); Scan Ledger then shows it as suppressed with
 * the reason instead of as an open finding. SARIF `suppressions` and Dependency-Check's
 * suppressed entries are read by their parsers; this covers what lives in the workspace.
 *
 * Pure: the host hands over the file texts.
 */

export interface SuppressionSources {
  /** The lines of a workspace-relative file, or undefined when it cannot be read. */
  lines(filePath: string): readonly string[] | undefined;
  /** The text of `.gitleaksignore` at the workspace root, if any. */
  gitleaksIgnore?: string | null;
  /** The text of `.trivyignore`, if any. */
  trivyIgnore?: string | null;
  /** The text of `.trivyignore.yaml`, if any. */
  trivyIgnoreYaml?: string | null;
}

/** Ids listed after a marker (`# nosec B602, B607`, `nosemgrep: rule-a,rule-b`). */
function listedIds(afterMarker: string): string[] {
  const m = /^[:\s]*([A-Za-z0-9_.\-/]+(?:\s*,\s*[A-Za-z0-9_.\-/]+)*)/.exec(afterMarker);
  return m ? m[1].split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function lineAt(sources: SuppressionSources, f: ParsedFinding, offset = 0): string | undefined {
  const path = sourcePathOf(f);
  const line = (f.line ?? 0) + offset;
  if (!path || line < 1) return undefined;
  return sources.lines(path)?.[line - 1];
}

/** Bandit: `# nosec` on the flagged line, optionally limited to listed test ids. */
function nosec(f: ParsedFinding, sources: SuppressionSources): Suppression | null {
  const text = lineAt(sources, f);
  const at = text?.search(/#\s*nosec\b/i) ?? -1;
  if (text === undefined || at < 0) return null;
  const rest = text.slice(at).replace(/^#\s*nosec\b/i, '');
  const ids = listedIds(rest).filter((id) => /^B\d{3}$/i.test(id));
  const testId = (f.vulnIdFromTool ?? '').split(':').pop() ?? '';
  if (ids.length > 0 && !ids.some((id) => id.toUpperCase() === testId.toUpperCase())) return null;
  return { kind: 'nosec', reason: text.slice(at).trim() };
}

/** Semgrep: `nosemgrep` on the flagged line or the line above, optionally with rule ids. */
function nosemgrep(f: ParsedFinding, sources: SuppressionSources): Suppression | null {
  for (const offset of [0, -1]) {
    const text = lineAt(sources, f, offset);
    const at = text?.search(/\bnosemgrep\b/) ?? -1;
    if (text === undefined || at < 0) continue;
    const ids = listedIds(text.slice(at + 'nosemgrep'.length));
    const rule = f.vulnIdFromTool ?? f.title;
    if (ids.length > 0 && !ids.some((id) => rule === id || rule.endsWith(`.${id}`))) continue;
    return { kind: 'nosemgrep', reason: text.slice(at).trim() };
  }
  return null;
}

/** Gitleaks: the finding's fingerprint (with or without its commit) listed in `.gitleaksignore`. */
function gitleaksIgnore(f: ParsedFinding, sources: SuppressionSources): Suppression | null {
  const fingerprint = f.location?.fingerprints?.gitleaks;
  if (!fingerprint || !sources.gitleaksIgnore) return null;
  const withoutCommit = /^[0-9a-f]{7,40}:/.test(fingerprint) ? fingerprint.slice(fingerprint.indexOf(':') + 1) : fingerprint;
  for (const raw of sources.gitleaksIgnore.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === fingerprint || line === withoutCommit) return { kind: 'gitleaksignore', reason: `listed in .gitleaksignore (${line})` };
  }
  return null;
}

/** The ids a Trivy finding can be ignored by: its vulnerability / misconfiguration / rule ids. */
function trivyIds(f: ParsedFinding): Set<string> {
  const ids = new Set<string>([...(f.vulnerabilityIds ?? []), ...(f.cve ? [f.cve] : [])]);
  if (f.vulnIdFromTool) ids.add(f.vulnIdFromTool);
  if (f.location?.ruleId) ids.add(f.location.ruleId);
  const titleId = /^([A-Z]+-[A-Za-z0-9-]+)/.exec(f.title)?.[1];
  if (titleId) ids.add(titleId);
  return ids;
}

/** `.trivyignore`: one id per line, `#` comments, optional `exp:YYYY-MM-DD` after the id. */
function trivyIgnore(f: ParsedFinding, sources: SuppressionSources, today: string): Suppression | null {
  if (!sources.trivyIgnore) return null;
  const ids = trivyIds(f);
  for (const raw of sources.trivyIgnore.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const [id, ...rest] = line.split(/\s+/);
    const expires = rest.map((r) => /^exp:(\d{4}-\d{2}-\d{2})$/.exec(r)?.[1]).find(Boolean) ?? null;
    if (!ids.has(id)) continue;
    if (expires && expires < today) continue;
    return { kind: 'trivyignore', reason: `${id} listed in .trivyignore`, expires };
  }
  return null;
}

interface TrivyIgnoreYamlEntry {
  id?: unknown;
  paths?: unknown;
  statement?: unknown;
  expired_at?: unknown;
}

/**
 * `.trivyignore.yaml` parsed once per sources object (and text): the rule runs for every finding
 * of a Trivy report, and parsing an ignore file near its 1 MB limit takes over a second, so a
 * pull request adding a large ignore file next to a large report would otherwise stall the
 * import for minutes. Null for a broken file.
 */
const parsedTrivyIgnoreYaml = new WeakMap<SuppressionSources, { text: string; doc: unknown }>();

function trivyIgnoreYamlDoc(sources: SuppressionSources, text: string): unknown {
  const cached = parsedTrivyIgnoreYaml.get(sources);
  if (cached && cached.text === text) return cached.doc;
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch {
    // A broken ignore file suppresses nothing; the finding stays visible, which is the safe side.
    doc = null;
  }
  parsedTrivyIgnoreYaml.set(sources, { text, doc });
  return doc;
}

/** `.trivyignore.yaml`: entries by id, optionally limited to paths, with statement and expiry. */
function trivyIgnoreYaml(f: ParsedFinding, sources: SuppressionSources, today: string): Suppression | null {
  if (!sources.trivyIgnoreYaml) return null;
  const doc = trivyIgnoreYamlDoc(sources, sources.trivyIgnoreYaml);
  if (typeof doc !== 'object' || doc === null) return null;
  const ids = trivyIds(f);
  const path = sourcePathOf(f) ?? '';
  for (const section of ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses']) {
    const entries = (doc as Record<string, unknown>)[section];
    if (!Array.isArray(entries)) continue;
    for (const e of entries as TrivyIgnoreYamlEntry[]) {
      if (typeof e?.id !== 'string' || !ids.has(e.id)) continue;
      const expires = e.expired_at != null ? String(e.expired_at).slice(0, 10) : null;
      if (expires && expires < today) continue;
      if (Array.isArray(e.paths) && e.paths.length > 0 && !e.paths.some((p) => typeof p === 'string' && (path === p || path.startsWith(p.replace(/\*.*$/, ''))))) continue;
      return { kind: 'trivyignore', reason: typeof e.statement === 'string' ? e.statement : `${e.id} listed in .trivyignore.yaml`, expires };
    }
  }
  return null;
}

/** Checkov: `checkov:skip=<check id>:<reason>` anywhere in the resource's line range. */
function checkovSkip(f: ParsedFinding, sources: SuppressionSources): Suppression | null {
  const path = sourcePathOf(f);
  const lines = path ? sources.lines(path) : undefined;
  if (!lines || f.line == null) return null;
  const checkId = f.location?.ruleId ?? f.vulnIdFromTool ?? /\b(CKV2?_[A-Z0-9_]+)\b/.exec(f.description)?.[1];
  if (!checkId) return null;
  const end = Math.min(f.location?.endLine ?? f.line, lines.length);
  for (let i = Math.max(f.line - 1, 0); i < end; i++) {
    const m = /checkov:skip=([A-Z0-9_]+)(?::(.*))?/.exec(lines[i]);
    if (m && m[1] === checkId) return { kind: 'checkov:skip', reason: m[2]?.trim() || `checkov:skip=${m[1]}` };
  }
  return null;
}

const RULES: Record<string, ((f: ParsedFinding, s: SuppressionSources, today: string) => Suppression | null)[]> = {
  'Bandit Scan': [nosec],
  'Semgrep JSON Report': [nosemgrep],
  SARIF: [nosemgrep, nosec],
  'Gitleaks Scan': [gitleaksIgnore],
  'Trivy Scan': [trivyIgnore, trivyIgnoreYaml],
  'Checkov Scan': [checkovSkip],
};

/**
 * Marks the findings of one report that a scanner-native suppression covers: not active, false
 * positive (as DefectDojo maps SARIF suppressions), with the suppression and its reason kept so
 * the editor can say why. Findings already suppressed by their report are left alone.
 */
export function applyNativeSuppressions(findings: ParsedFinding[], scanType: string, sources: SuppressionSources, today: string): number {
  const rules = RULES[scanType] ?? [];
  let count = 0;
  for (const f of findings) {
    if (f.suppression) continue;
    for (const rule of rules) {
      const suppression = rule(f, sources, today);
      if (!suppression) continue;
      f.suppression = suppression;
      f.falsePositive = true;
      f.active = false;
      count++;
      break;
    }
  }
  return count;
}
