import type * as Sarif from 'sarif';
import { pythonStr, type CodeLocation, type FindingLocationDetail, type ParsedFinding, type ParsedReport, type Suppression } from '../model';
import { ReportParseError } from './errors';
import { asInteger, asString, hasKey, isJsonObject, own, parseJson, type JsonObject } from './json';
import type { ParseOptions, ReportParser } from './parser';
import { pythonCapitalize, pythonFloat, pythonInt, textwrapShorten } from './python-text';
import { testTypeName } from './test-type';

/**
 * SARIF 2.1.0, as DefectDojo's `dojo/tools/sarif/parser.py` reads it (docs/defectdojo-rules.md
 * §7.1), plus what the editor needs (exact regions, related locations, code flows, fingerprints
 * by name, resolved paths).
 *
 * Every DefectDojo field is computed the way the Python code computes it, quirks included,
 * because titles, descriptions, lines and paths feed the legacy hash code. Where the Python
 * code would crash on a malformed report (a missing `artifactLocation`, a message id with no
 * template), we keep going with the value Python would have had closest to hand instead of
 * refusing the whole report; those paths are outside what DefectDojo can import at all, so they
 * cannot break parity.
 *
 * The report is untrusted JSON: the `Sarif.*` types describe what a conforming log contains,
 * and every access below checks the runtime type before relying on it.
 */

export const SARIF_SCAN_TYPE = 'SARIF';

const CWE_PATTERN = /cwe-(\d+)/i;
const CVE_PATTERN = /(CVE-[0-9]+-[0-9]+)/i;

type Rule = Sarif.ReportingDescriptor & JsonObject;
type RuleTable = Map<string, Rule>;

/**
 * Where in the report a value came from, for error messages: built only when an error is
 * thrown, since a large report has hundreds of thousands of results.
 */
type Position = () => string;

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function object(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

/** Python truthiness for JSON values, used where DefectDojo writes `if result.get(...)`. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isJsonObject(value)) return Object.keys(value).length > 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Rules, messages, titles, descriptions

/**
 * `get_rules`: the driver's rules by id; a driver without rules borrows those of its
 * extensions (CodeQL puts its query packs there). Later rules with the same id win, as in a
 * Python dict.
 */
function ruleTable(run: Sarif.Run & JsonObject): RuleTable {
  const table: RuleTable = new Map();
  const tool = object(run.tool);
  const driver = object(tool?.driver);
  let rules = array(driver?.rules);
  if (rules.length === 0) {
    rules = array(tool?.extensions).flatMap((extension) => array(object(extension)?.rules));
  }
  for (const rule of rules) {
    const id = isJsonObject(rule) ? asString(rule.id) : undefined;
    if (id !== undefined) table.set(id, rule as Rule);
  }
  return table;
}

/**
 * `get_message_from_multiformatMessageString`: a message with an `id` is the rule's
 * `messageStrings` template with `{0}`…`{5}` substituted in order; substitution stops at the
 * first missing placeholder, and (a DefectDojo quirk) a template that uses all six yields no
 * text at all. Without a rule, or without an id, it is the plain `text`.
 */
function messageText(message: unknown, rule: Rule | undefined): string | null {
  const data = object(message);
  if (!data) return null;
  if (rule !== undefined && hasKey(data, 'id')) {
    const id = asString(data.id);
    const template = id !== undefined ? object(own(object(rule.messageStrings), id)) : undefined;
    let text = asString(template?.text);
    if (text === undefined) return asString(data.text) ?? null;
    const argumentsList = array(data.arguments);
    for (let i = 0; i < 6; i++) {
      const placeholder = `{${i}}`;
      if (!text.includes(placeholder)) return text;
      // A missing argument leaves the placeholder as written (Python raises IndexError there).
      const argument = i < argumentsList.length ? pythonStr(argumentsList[i]) : placeholder;
      text = text.split(placeholder).join(argument);
    }
    return null;
  }
  return asString(data.text) ?? null;
}

/** `get_finding_title`: message, else rule short/full description, name, id; then shortened. */
function findingTitle(result: JsonObject, rule: Rule | undefined, position: Position, fileName: string): string {
  let title: string | null = null;
  if (hasKey(result, 'message')) title = messageText(result.message, rule);
  if (title === null && rule !== undefined) {
    if (hasKey(rule, 'shortDescription')) title = messageText(rule.shortDescription, rule);
    else if (hasKey(rule, 'fullDescription')) title = messageText(rule.fullDescription, rule);
    else if (hasKey(rule, 'name')) title = asString(rule.name) ?? null;
    else if (hasKey(rule, 'id')) title = asString(rule.id) ?? null;
  }
  if (title === null) {
    throw new ReportParseError(fileName, 'no information found to create a title (no message and no rule text)', position());
  }
  return textwrapShorten(title, 150);
}

/** `get_snippet`: the region's snippet, else the context region's. */
function snippetOf(location: JsonObject | undefined): string | null {
  const physical = object(location?.physicalLocation);
  if (!physical) return null;
  const regionSnippet = object(object(physical.region)?.snippet);
  let snippet = regionSnippet && hasKey(regionSnippet, 'text') ? (asString(regionSnippet.text) ?? null) : null;
  if (snippet === null) {
    const contextSnippet = object(object(physical.contextRegion)?.snippet);
    snippet = contextSnippet && hasKey(contextSnippet, 'text') ? (asString(contextSnippet.text) ?? null) : null;
  }
  return snippet;
}

/**
 * The line `snippetOf`'s text starts on when it is not the region's own snippet: a context
 * region usually starts above the flagged line, and the engine needs to find that line in it.
 */
function contextSnippetStartLine(location: JsonObject | undefined): number | null {
  const physical = object(location?.physicalLocation);
  const regionSnippet = object(object(physical?.region)?.snippet);
  if (regionSnippet && hasKey(regionSnippet, 'text') && asString(regionSnippet.text) !== undefined) return null;
  return asInteger(object(physical?.contextRegion)?.startLine) ?? null;
}

/**
 * `get_codeFlowsDescription`: a numbered list of `uri:Lline:Ccol` steps. Every thread flow
 * with locations restarts the text, so only the last one survives (a DefectDojo quirk kept
 * because the description is hashed).
 */
function codeFlowDescription(codeFlows: unknown[]): string {
  let description = '';
  for (const codeFlow of codeFlows) {
    for (const threadFlow of array(object(codeFlow)?.threadFlows)) {
      const flow = object(threadFlow);
      if (!flow || !hasKey(flow, 'locations')) continue;
      description = '**Code flow:**\n';
      array(flow.locations).forEach((step, index) => {
        const location = object(object(step)?.location);
        const physical = object(location?.physicalLocation) ?? {};
        const region = object(physical.region) ?? {};
        const uri = pythonStr(own(object(physical.artifactLocation), 'uri'));
        const startLine = hasKey(region, 'startLine') ? `:L${pythonStr(region.startLine)}` : '';
        const startColumn = hasKey(region, 'startColumn') ? `:C${pythonStr(region.startColumn)}` : '';
        const snippet = hasKey(region, 'snippet') ? `\t-\t${pythonStr(own(object(region.snippet), 'text'))}` : '';
        description += `${index + 1}. ${uri}${startLine}${startColumn}${snippet}\n`;
        if (location && hasKey(location, 'message')) {
          const message = object(location.message) ?? {};
          const text = hasKey(message, 'markdown') ? message.markdown : (own(message, 'text') ?? '');
          description += `\t${pythonStr(text)}\n`;
        }
      });
    }
  }
  return description;
}

/** `get_finding_description`: the markdown description DefectDojo builds (and hashes). */
function findingDescription(result: JsonObject, rule: Rule | undefined, location: JsonObject | undefined): string {
  let description = '';
  let message: string | null = '';
  if (hasKey(result, 'message')) {
    message = messageText(result.message, rule);
    description += `**Result message:** ${pythonStr(message)}\n`;
  }
  const snippet = snippetOf(location);
  if (snippet !== null) description += `**Snippet:**\n\`\`\`\n${snippet}\n\`\`\`\n`;
  if (rule !== undefined) {
    if (hasKey(rule, 'name')) description += `**Rule name:** ${pythonStr(rule.name)}\n`;
    let shortDescription: string | null = '';
    if (hasKey(rule, 'shortDescription')) {
      shortDescription = messageText(rule.shortDescription, rule);
      if (shortDescription !== message) description += `**Rule short description:** ${pythonStr(shortDescription)}\n`;
    }
    if (hasKey(rule, 'fullDescription')) {
      const fullDescription = messageText(rule.fullDescription, rule);
      if (fullDescription !== message && fullDescription !== shortDescription) {
        description += `**Rule full description:** ${pythonStr(fullDescription)}\n`;
      }
    }
  }
  const codeFlows = array(result.codeFlows);
  if (codeFlows.length > 0) description += codeFlowDescription(codeFlows);
  return description.endsWith('\n') ? description.slice(0, -1) : description;
}

// ---------------------------------------------------------------------------------------------
// Severity, CWE, references, fingerprints

function levelSeverity(level: unknown): string {
  if (level === 'note') return 'Info';
  if (level === 'warning') return 'Medium';
  if (level === 'error') return 'High';
  return 'Medium';
}

/** `get_severity`: the result's level, else the rule's default level. */
function resultSeverity(result: JsonObject, rule: Rule | undefined): string {
  let level = own(result, 'level');
  if ((level === undefined || level === null) && rule !== undefined) {
    const configuration = object(rule.defaultConfiguration);
    if (configuration) level = own(configuration, 'level');
  }
  return levelSeverity(level);
}

/** `cvss_to_severity`: ≥9 Critical, ≥7 High, ≥4 Medium, >0 Low, otherwise (NaN too) Info. */
export function cvssToSeverity(score: number): string {
  if (score >= 9) return 'Critical';
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  if (score > 0) return 'Low';
  return 'Info';
}

const SEVERITY_WORDS = new Set(['Info', 'Low', 'Medium', 'High', 'Critical']);

/**
 * The rule's `security-severity`: a number (as Python's `float` reads it) gives the severity
 * and the CVSS score; a severity word gives that severity; any other word gives Info.
 */
function securitySeverity(value: unknown): { severity: string; score?: number | null } | undefined {
  let score: number | undefined;
  if (typeof value === 'number') score = value;
  else if (typeof value === 'boolean') score = value ? 1 : 0;
  else if (typeof value === 'string') score = pythonFloat(value);
  else return undefined;
  if (score !== undefined) {
    // NaN and infinities are valid Python floats but cannot be stored as a JSON score.
    return { severity: cvssToSeverity(score), score: Number.isFinite(score) ? score : null };
  }
  const word = pythonCapitalize((value as string).toLowerCase());
  return { severity: SEVERITY_WORDS.has(word) ? word : 'Info' };
}

/** `search_cwe`: the first `cwe-N` in a string. */
function searchCwe(value: unknown, into: number[]): void {
  if (typeof value !== 'string') return;
  const match = CWE_PATTERN.exec(value);
  if (match) into.push(Number.parseInt(match[1], 10));
}

function tagsOf(value: JsonObject | undefined): string[] {
  return array(object(value?.properties)?.tags).filter((tag): tag is string => typeof tag === 'string');
}

/**
 * `get_rule_cwes`: relationships when the rule has a relationships list (and nothing else,
 * even when the list holds no CWE), else `properties.cwe`, else the rule's tags.
 */
function ruleCwes(rule: Rule): number[] {
  const cwes: number[] = [];
  if (Array.isArray(rule.relationships)) {
    for (const relationship of rule.relationships) searchCwe(own(object(own(relationship, 'target')), 'id'), cwes);
    return cwes;
  }
  const properties = object(rule.properties);
  if (properties && hasKey(properties, 'cwe')) {
    const values = Array.isArray(properties.cwe) ? properties.cwe : [properties.cwe];
    for (const value of values) searchCwe(value, cwes);
    return cwes;
  }
  for (const tag of tagsOf(rule)) searchCwe(tag, cwes);
  return cwes;
}

/** `get_result_cwes_properties` (njsscan and others put the CWE on the result). */
function resultPropertyCwes(result: JsonObject): number[] {
  const cwes: number[] = [];
  const properties = object(result.properties);
  if (properties && hasKey(properties, 'cwe')) {
    // DefectDojo expects one string; a list is read element by element instead of failing.
    const values = Array.isArray(properties.cwe) ? properties.cwe : [properties.cwe];
    for (const value of values) searchCwe(value, cwes);
  }
  return cwes;
}

/** `get_result_cwes_taxa`: taxa whose tool component is named `CWE`. */
function resultTaxaCwes(result: JsonObject): number[] {
  const cwes: number[] = [];
  for (const taxon of array(result.taxa)) {
    const reference = object(taxon);
    if (!reference || own(object(reference.toolComponent), 'name') !== 'CWE') continue;
    const id = reference.id;
    if (!truthy(id)) continue;
    if (typeof id === 'number' && Number.isFinite(id)) cwes.push(Math.trunc(id));
    else if (typeof id === 'string') {
      const number = pythonInt(id);
      if (number !== undefined) cwes.push(number);
      else searchCwe(`CWE-${id}`, cwes);
    }
  }
  return cwes;
}

/** `get_references`: the rule's `helpUri`, else its help text when that is a link. */
function references(rule: Rule | undefined): string | null {
  if (rule === undefined) return null;
  if (hasKey(rule, 'helpUri')) return asString(rule.helpUri) ?? null;
  if (hasKey(rule, 'help')) {
    const help = messageText(rule.help, rule);
    if (help !== null && help.startsWith('http')) return help;
  }
  return null;
}

function fingerprintValue(value: unknown): string | null {
  const unwrapped = isJsonObject(value) && hasKey(value, 'value') ? value.value : value;
  return unwrapped === null || unwrapped === undefined ? null : (asString(unwrapped) ?? JSON.stringify(unwrapped));
}

/**
 * `get_fingerprints_hashes`: keys `method/vN` grouped by method (the second-to-last `/`
 * segment), keeping the highest version; a key without `/` is version 0. Insertion order of
 * the methods is kept, since the first method wins for `fingerprints`.
 */
function fingerprintsByMethod(values: JsonObject, position: Position, fileName: string): Map<string, { version: number; value: string | null }> {
  const methods = new Map<string, { version: number; value: string | null }>();
  for (const key of Object.keys(values)) {
    let method = key;
    let version = 0;
    if (key.includes('/')) {
      const segments = key.split('/');
      method = segments[segments.length - 2];
      const parsed = pythonInt(segments[segments.length - 1].replace(/v/g, ''));
      if (parsed === undefined) {
        throw new ReportParseError(fileName, `fingerprint key "${key}" does not end in a version segment v<integer>`, position());
      }
      version = parsed;
    }
    const existing = methods.get(method);
    if (existing === undefined || existing.version < version) {
      methods.set(method, { version, value: fingerprintValue(values[key]) });
    }
  }
  return methods;
}

function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i].codePointAt(0) ?? 0) - (right[i].codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/** `unique_id_from_tool`: the first fingerprint method's value, else the sorted partial fingerprints. */
function uniqueIdFromTool(result: JsonObject, position: Position, fileName: string): string | null | undefined {
  if (truthy(result.fingerprints) && isJsonObject(result.fingerprints)) {
    const first = fingerprintsByMethod(result.fingerprints, () => `${position()}.fingerprints`, fileName).values().next();
    return first.done ? undefined : first.value.value;
  }
  if (truthy(result.partialFingerprints) && isJsonObject(result.partialFingerprints)) {
    const methods = fingerprintsByMethod(result.partialFingerprints, () => `${position()}.partialFingerprints`, fileName);
    return [...methods.keys()]
      .sort(compareCodePoints)
      .map((method) => `${method}:${pythonStr(methods.get(method)?.value)}`)
      .join('|');
  }
  return undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isJsonObject(value)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    const text = fingerprintValue(entry);
    if (text !== null) map[key] = text;
  }
  return Object.keys(map).length > 0 ? map : undefined;
}

/**
 * `invocations[-1].endTimeUtc` as DefectDojo stores it in a DateField: an aware time is
 * converted to UTC (the server's time zone) before taking the date, a naive one keeps its date.
 */
export function sarifRunDate(run: JsonObject): string | null {
  const invocations = array(run.invocations);
  if (invocations.length === 0) return null;
  const raw = own(object(invocations[invocations.length - 1]), 'endTimeUtc');
  if (typeof raw !== 'string') return null;
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.exec(raw.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second, zone] = match;
  if (zone === undefined || hour === undefined) return `${year}-${month}-${day}`;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? '0')) - offsetMinutes * 60_000;
  if (!Number.isFinite(utc)) return null;
  return new Date(utc).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Paths for the editor

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

function hasScheme(uri: string): boolean {
  return SCHEME.test(uri) && !WINDOWS_DRIVE.test(uri);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Joins a relative reference onto a base URI (or a relative base path). */
function joinUri(base: string, relative: string): string {
  const directory = base.endsWith('/') ? base : `${base}/`;
  if (hasScheme(directory)) {
    try {
      return new URL(relative, directory).href;
    } catch {
      return directory + relative;
    }
  }
  return directory + relative.replace(/^\.\//, '');
}

/**
 * An artifact location as one URI: its `uri` (or the run artifact it points to by `index`),
 * resolved against its `uriBaseId` through `originalUriBaseIds`, which may chain.
 */
function resolveArtifactUri(artifactLocation: JsonObject | undefined, run: JsonObject, depth = 0): string | null {
  if (!artifactLocation || depth > 8) return null;
  let uri = asString(artifactLocation.uri);
  let baseId = asString(artifactLocation.uriBaseId);
  if (uri === undefined) {
    const index = asInteger(artifactLocation.index);
    const artifact = index !== undefined ? object(array(run.artifacts)[index]) : undefined;
    const location = object(artifact?.location);
    if (!location) return null;
    uri = asString(location.uri);
    baseId = baseId ?? asString(location.uriBaseId);
    if (uri === undefined) return null;
  }
  if (hasScheme(uri) || baseId === undefined) return uri;
  const base = object(own(object(run.originalUriBaseIds), baseId));
  const baseUri = base ? resolveArtifactUri(base, run, depth + 1) : null;
  return baseUri === null ? uri : joinUri(baseUri, uri);
}

function normaliseSlashes(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/+$/, '');
}

/** `path` relative to `root` when inside it (drive letters compared case-insensitively). */
function relativeToRoot(path: string, root: string | undefined): string {
  if (!root) return path;
  const normalisedPath = normaliseSlashes(path);
  const normalisedRoot = normaliseSlashes(root);
  if (normalisedRoot === '') return path;
  const windows = /^[A-Za-z]:/.test(normalisedRoot);
  const comparablePath = windows ? normalisedPath.toLowerCase() : normalisedPath;
  const comparableRoot = windows ? normalisedRoot.toLowerCase() : normalisedRoot;
  if (comparablePath === comparableRoot) return '.';
  if (comparablePath.startsWith(`${comparableRoot}/`)) return normalisedPath.slice(normalisedRoot.length + 1);
  return path;
}

/** The path the editor opens: decoded, `file://` turned into a path, workspace-relative if inside. */
export function editorPath(uri: string, workspaceRoot: string | undefined): string {
  if (/^file:/i.test(uri)) {
    try {
      const url = new URL(uri);
      let path = safeDecode(url.pathname);
      if (/^\/[A-Za-z]:/.test(path)) path = path.slice(1);
      if (url.hostname !== '' && url.hostname !== 'localhost') path = `//${url.hostname}${path}`;
      return relativeToRoot(path, workspaceRoot);
    } catch {
      return uri;
    }
  }
  if (hasScheme(uri)) return uri;
  const decoded = safeDecode(uri).replace(/^(\.\/)+/, '');
  if (decoded.startsWith('/') || WINDOWS_DRIVE.test(decoded)) return relativeToRoot(decoded, workspaceRoot);
  return decoded;
}

/**
 * What every result of a run shares: its rules, date and options, and caches for the work that
 * repeats across results (a rule's CWEs and severity; a base id's path), which keeps a
 * 100k-result report close to the cost of decoding it.
 */
interface RunContext {
  run: JsonObject;
  rules: RuleTable;
  rulesByIndex: unknown[];
  runDate: string | null;
  options: ParseOptions;
  fileName: string;
  ruleFacts: Map<Rule, RuleFacts>;
  /** Editor path prefix per base id ('' for none), null where a base needs full resolution. */
  basePrefixes: Map<string, string | null>;
}

/** A relative reference that URL resolution would not change: no escapes, scheme, query, dot segments. */
const PLAIN_RELATIVE_PATH = /^(?![./\\])(?!.*(?:^|\/)\.\.?(?:\/|$))[^%:\\?#]*$/;

/**
 * The editor path prefix a base id stands for (`src/` or `/opt/vendor/`), so plain relative
 * URIs resolve by concatenation instead of URL parsing; null when the base is not a file location
 * (an `https:` base, say), where only full resolution gives the right answer.
 */
function basePrefixOf(baseId: string | undefined, context: RunContext): string | null {
  const key = baseId ?? '';
  const cached = context.basePrefixes.get(key);
  if (cached !== undefined) return cached;
  let prefix: string | null = '';
  if (baseId !== undefined) {
    const probe = 'probe';
    const resolved = resolveArtifactUri({ uri: probe, uriBaseId: baseId }, context.run);
    const path = resolved === null ? null : editorPath(resolved, context.options.workspaceRoot);
    prefix = path !== null && path.endsWith(`/${probe}`) && !hasScheme(path) ? path.slice(0, -probe.length) : path === probe ? '' : null;
  }
  context.basePrefixes.set(key, prefix);
  return prefix;
}

/** The path the editor should open for an artifact location. */
function resolvedPathOf(artifactLocation: JsonObject | undefined, context: RunContext): string | null {
  if (!artifactLocation) return null;
  const uri = asString(artifactLocation.uri);
  if (uri !== undefined && PLAIN_RELATIVE_PATH.test(uri)) {
    const prefix = basePrefixOf(asString(artifactLocation.uriBaseId), context);
    if (prefix !== null) return prefix + uri;
  }
  const resolved = resolveArtifactUri(artifactLocation, context.run);
  return resolved === null ? null : editorPath(resolved, context.options.workspaceRoot);
}

function codeLocation(location: JsonObject | undefined, context: RunContext): CodeLocation | null {
  const physical = object(location?.physicalLocation);
  const path = resolvedPathOf(object(physical?.artifactLocation), context);
  if (path === null) return null;
  const region = object(physical?.region);
  const step: CodeLocation = { filePath: path };
  const line = asInteger(region?.startLine);
  if (line !== undefined) step.line = line;
  const endLine = asInteger(region?.endLine);
  if (endLine !== undefined) step.endLine = endLine;
  const column = asInteger(region?.startColumn);
  if (column !== undefined) step.column = column;
  const endColumn = asInteger(region?.endColumn);
  if (endColumn !== undefined) step.endColumn = endColumn;
  const message = object(location?.message);
  const text = asString(message?.text) ?? asString(message?.markdown);
  if (text !== undefined) step.message = text;
  return step;
}

/**
 * How many code-flow steps and related locations a finding keeps for the editor. Real paths
 * (CodeQL's longest taint paths) have a few dozen steps; a report is untrusted input, and each
 * step becomes a diagnostic's related information and a hover link, so a hostile report with a
 * million steps must not reach the store. The description keeps DefectDojo's full text.
 */
export const MAX_CODE_FLOW_STEPS = 100;
export const MAX_RELATED_LOCATIONS = 50;

/** Code-flow steps for the editor: the same thread flow the description shows (the last one). */
function codeFlowSteps(result: JsonObject, context: RunContext): CodeLocation[] {
  let steps: CodeLocation[] = [];
  for (const codeFlow of array(result.codeFlows)) {
    for (const threadFlow of array(object(codeFlow)?.threadFlows)) {
      const flow = object(threadFlow);
      if (!flow || !hasKey(flow, 'locations')) continue;
      steps = [];
      for (const step of array(flow.locations)) {
        if (steps.length >= MAX_CODE_FLOW_STEPS) break;
        const location = codeLocation(object(object(step)?.location), context);
        if (location) steps.push(location);
      }
    }
  }
  return steps;
}

function locationDetail(
  result: JsonObject,
  location: JsonObject | undefined,
  rule: Rule | undefined,
  context: RunContext,
): FindingLocationDetail {
  const detail: FindingLocationDetail = {};
  const physical = object(location?.physicalLocation);
  const region = object(physical?.region);
  detail.resolvedPath = resolvedPathOf(object(physical?.artifactLocation), context);
  const endLine = asInteger(region?.endLine);
  if (endLine !== undefined) detail.endLine = endLine;
  const column = asInteger(region?.startColumn);
  if (column !== undefined) detail.column = column;
  const endColumn = asInteger(region?.endColumn);
  if (endColumn !== undefined) detail.endColumn = endColumn;
  const snippet = snippetOf(location);
  if (snippet !== null) {
    detail.snippet = snippet;
    const snippetStart = contextSnippetStartLine(location);
    if (snippetStart !== null && snippetStart !== asInteger(region?.startLine)) detail.snippetStartLine = snippetStart;
  }
  if (Array.isArray(result.relatedLocations) && result.relatedLocations.length > 0) {
    const related: CodeLocation[] = [];
    for (const entry of result.relatedLocations) {
      if (related.length >= MAX_RELATED_LOCATIONS) break;
      const step = codeLocation(object(entry), context);
      if (step) related.push(step);
    }
    if (related.length > 0) detail.relatedLocations = related;
  }
  const steps = codeFlowSteps(result, context);
  if (steps.length > 0) detail.codeFlow = steps;
  const partialFingerprints = stringMap(result.partialFingerprints);
  if (partialFingerprints) detail.partialFingerprints = partialFingerprints;
  const fingerprints = stringMap(result.fingerprints);
  if (fingerprints) detail.fingerprints = fingerprints;
  const baselineState = asString(result.baselineState);
  if (baselineState !== undefined) detail.baselineState = baselineState;
  // The editor also wants the rule a result names only by index (`ruleIndex` / `rule`).
  const ruleReference = object(result.rule);
  const ruleIndex = asInteger(result.ruleIndex) ?? asInteger(ruleReference?.index);
  const indexedRule = ruleIndex !== undefined ? object(context.rulesByIndex[ruleIndex]) : undefined;
  const ruleId = asString(result.ruleId) ?? asString(ruleReference?.id) ?? asString(indexedRule?.id);
  if (ruleId !== undefined) detail.ruleId = ruleId;
  const helpUri = asString((rule ?? indexedRule)?.helpUri);
  if (helpUri !== undefined) detail.ruleHelpUri = helpUri;
  return detail;
}

// ---------------------------------------------------------------------------------------------
// Results

/**
 * `file_path`: the artifact location's `uri` exactly as written. A location that names its
 * artifact only by `index` (DefectDojo fails on it) takes that artifact's URI, also verbatim.
 */
function verbatimUri(artifactLocation: JsonObject | undefined, run: JsonObject): string | null {
  if (!artifactLocation) return null;
  const uri = asString(artifactLocation.uri);
  if (uri !== undefined) return uri;
  const index = asInteger(artifactLocation.index);
  const artifact = index !== undefined ? object(array(run.artifacts)[index]) : undefined;
  return asString(object(artifact?.location)?.uri) ?? null;
}

function suppressionOf(result: JsonObject): Suppression | null {
  if (!truthy(result.suppressions)) return null;
  const first = object(array(result.suppressions)[0]);
  const justification = asString(first?.justification);
  return { kind: 'sarif', reason: justification !== undefined && justification !== '' ? justification : null };
}

/** What a rule contributes to each of its findings, computed once per rule. */
interface RuleFacts {
  cwes: number[];
  securitySeverity?: { severity: string; score?: number | null };
  tags: string[];
  references: string | null;
}

function factsOf(rule: Rule, context: RunContext): RuleFacts {
  let facts = context.ruleFacts.get(rule);
  if (facts === undefined) {
    const properties = object(rule.properties);
    facts = {
      cwes: ruleCwes(rule),
      securitySeverity: properties && hasKey(properties, 'security-severity') ? securitySeverity(properties['security-severity']) : undefined,
      tags: tagsOf(rule),
      references: references(rule),
    };
    context.ruleFacts.set(rule, facts);
  }
  return facts;
}

function withoutCwePrefix(tag: string): string {
  return tag.startsWith('external/cwe/') ? tag.slice(13) : tag;
}

/** `get_items_from_result`: zero findings (kind other than `fail`), or one per location. */
function addFindingsOfResult(result: JsonObject, position: Position, context: RunContext, findings: ParsedFinding[]): void {
  const { run, rules, runDate, fileName } = context;
  const kind = hasKey(result, 'kind') ? result.kind : 'fail';
  if (kind !== 'fail') return;

  const suppression = suppressionOf(result);
  const suppressed = suppression !== null;

  const places: { filePath: string | null; line: number | null; location: JsonObject | undefined }[] = [];
  if (hasKey(result, 'locations')) {
    for (const entry of array(result.locations)) {
      const location = object(entry);
      let filePath: string | null = null;
      let line: number | null = null;
      const physical = object(location?.physicalLocation);
      if (physical) {
        // DefectDojo keeps the URI verbatim: no decoding, no base-id resolution (it is hashed).
        filePath = verbatimUri(object(physical.artifactLocation), run);
        const region = object(physical.region);
        if (region && !hasKey(region, 'byteOffset')) line = asInteger(region.startLine) ?? null;
      }
      places.push({ filePath, line, location });
    }
  }
  if (places.length === 0) places.push({ filePath: null, line: null, location: undefined });

  const ruleId = hasKey(result, 'ruleId') ? result.ruleId : undefined;
  const rule = typeof ruleId === 'string' ? rules.get(ruleId) : undefined;

  // Everything below depends on the result and rule only, so it is computed once per result.
  const title = findingTitle(result, rule, position, fileName);
  let severity = resultSeverity(result, rule);
  let cvssv3Score: number | null | undefined;
  const allCwes: number[] = [];
  let cwe: number | undefined;
  const facts = rule !== undefined ? factsOf(rule, context) : undefined;
  if (facts !== undefined) {
    allCwes.push(...facts.cwes);
    if (facts.cwes.length > 0) cwe = facts.cwes[facts.cwes.length - 1];
    if (facts.securitySeverity) {
      severity = facts.securitySeverity.severity;
      if (facts.securitySeverity.score !== undefined) cvssv3Score = facts.securitySeverity.score;
    }
  }
  const fromProperties = resultPropertyCwes(result);
  allCwes.push(...fromProperties);
  if (fromProperties.length > 0) cwe = fromProperties[fromProperties.length - 1];
  const fromTaxa = resultTaxaCwes(result);
  allCwes.push(...fromTaxa);
  if (fromTaxa.length > 0) cwe = fromTaxa[fromTaxa.length - 1];
  const extraCwes = allCwes.length === 0 ? allCwes : [...new Set(allCwes)].filter((value) => value !== cwe);

  let mitigation: string | undefined;
  if (hasKey(result, 'fixes')) {
    mitigation = array(result.fixes)
      .map((fix) => asString(own(object(own(fix, 'description')), 'text')))
      .filter((text): text is string => text !== undefined)
      .join('\n');
  }

  const ruleTags = facts?.tags ?? [];
  const resultTags = tagsOf(result);
  const tags = ruleTags.length + resultTags.length === 0 ? [] : [...new Set([...ruleTags, ...resultTags].map(withoutCwePrefix))];
  const uniqueId = uniqueIdFromTool(result, position, fileName);
  const reference = facts?.references ?? null;

  places.forEach(({ filePath, line, location }, index) => {
    // Findings of one result share nothing mutable: the first takes the arrays, later ones copy.
    const fresh = <T>(values: T[]): T[] => (index === 0 ? values : [...values]);
    const finding: ParsedFinding = {
      title,
      severity,
      description: findingDescription(result, rule, location),
      staticFinding: true,
      dynamicFinding: false,
      falsePositive: suppressed,
      active: !suppressed,
      filePath,
      line,
      references: reference,
    };
    if (ruleId !== undefined) {
      finding.vulnIdFromTool = asString(ruleId) ?? null;
      const cve = typeof ruleId === 'string' ? CVE_PATTERN.exec(ruleId) : null;
      if (cve) finding.vulnerabilityIds = [cve[1].toUpperCase()];
    }
    if (cwe !== undefined) finding.cwe = cwe;
    if (extraCwes.length > 0) finding.cwes = fresh(extraCwes);
    if (cvssv3Score !== undefined) finding.cvssv3Score = cvssv3Score;
    if (mitigation !== undefined) finding.mitigation = mitigation;
    if (runDate !== null) finding.date = runDate;
    finding.tags = fresh(tags);
    if (uniqueId !== undefined) finding.uniqueIdFromTool = uniqueId;
    if (suppression) finding.suppression = index === 0 ? suppression : { ...suppression };
    finding.location = locationDetail(result, location, rule, context);
    findings.push(finding);
  });
}

function parseSarif(text: string, fileName: string, options: ParseOptions = {}): ParsedReport {
  const log = options.decodedJson ? options.decodedJson.value : parseJson(text, fileName);
  // DefectDojo reads `tree.get("runs", [])`, so it would take any JSON object (a Generic
  // Findings Import document included) as an empty SARIF log and, with close-old, close every
  // finding of the test. A "runs" array is required here; an empty one is a log with no tests.
  if (!isJsonObject(log) || !Array.isArray(log.runs)) {
    throw new ReportParseError(fileName, 'not a SARIF log: expected a JSON object with a "runs" array');
  }
  const runs: unknown[] = log.runs;
  const findings: ParsedFinding[] = [];
  let firstTool: { name: string; version: string | null } | null = null;
  runs.forEach((entry, runIndex) => {
    const run = object(entry);
    const driver = object(object(run?.tool)?.driver);
    const name = asString(driver?.name);
    if (!run || name === undefined) {
      throw new ReportParseError(fileName, 'SARIF run without tool.driver.name', `runs[${runIndex}]`);
    }
    if (firstTool === null) firstTool = { name, version: asString(driver?.version) ?? null };
    if (hasKey(run, 'results') && run.results !== null && !Array.isArray(run.results)) {
      throw new ReportParseError(fileName, '"results" is not an array', `runs[${runIndex}]`);
    }
    const context: RunContext = {
      run,
      rules: ruleTable(run as Sarif.Run & JsonObject),
      rulesByIndex: array(driver?.rules),
      runDate: sarifRunDate(run),
      options,
      fileName,
      ruleFacts: new Map(),
      basePrefixes: new Map(),
    };
    const results = array(run.results);
    for (let resultIndex = 0; resultIndex < results.length; resultIndex++) {
      const result = results[resultIndex];
      const position = (): string => `runs[${runIndex}].results[${resultIndex}]`;
      if (!isJsonObject(result)) throw new ReportParseError(fileName, 'result is not an object', position());
      addFindingsOfResult(result, position, context, findings);
    }
  });
  const tool = firstTool as { name: string; version: string | null } | null;
  return {
    scanType: SARIF_SCAN_TYPE,
    testType: testTypeName(tool?.name ?? null, SARIF_SCAN_TYPE),
    toolName: tool?.name ?? null,
    toolVersion: tool?.version ?? null,
    findings,
    ...(runs.length === 0 ? { noInternalTest: true } : {}),
  };
}

export const sarifParser: ReportParser = {
  scanType: SARIF_SCAN_TYPE,
  format: 'json',
  parse: parseSarif,
  sniff(document: unknown): boolean {
    if (!isJsonObject(document) || !Array.isArray(document.runs)) return false;
    const version = asString(document.version);
    const schema = asString(document.$schema) ?? '';
    return version?.startsWith('2.') === true || /sarif/i.test(schema);
  },
};
