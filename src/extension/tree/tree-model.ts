/**
 * The findings tree as plain data: product → engagements → tests → findings (grouped by severity
 * or by file) and each test's import history. Nothing here imports `vscode`, so the shape of the
 * tree is unit-tested in plain Node; `findings-tree.ts` only turns these nodes into TreeItems.
 *
 * Children are computed on demand from the ledger's indexes (a test's findings, a test's
 * imports), never by scanning the whole store, so expanding one test of a 100k-finding store
 * stays cheap.
 */
import type { Ledger } from '../../engine';
import type {
  Engagement,
  Finding,
  FindingAction,
  ImportActionRecord,
  ImportRecord,
  Product,
  Severity,
  Test,
} from '../../model';
import { SEVERITIES, SEVERITY_RANK } from '../../model';
import { normaliseFindingPath } from '../report-paths';
import { decorateWithWarning, type DuplicateWarnings } from './duplicate-warning-model';

export type GroupBy = 'severity' | 'file';

export const GROUP_BY_VALUES: readonly GroupBy[] = ['severity', 'file'];

/** One workspace folder's ledger, as the tree sees it. */
export interface TreeSource {
  /** The folder's URI as a string: the key every node carries back to the session registry. */
  folder: string;
  folderName: string;
  /** The folder as a POSIX path (`Uri.path`), so scanner paths show relative to it. */
  folderPath: string;
  ledger: Ledger;
}

export interface TreeOptions {
  groupBy: GroupBy;
  /** The view filter (severity, new since): which of a test's findings are listed; all when absent. */
  passes?: ((f: Finding) => boolean) | null;
  /** Duplicate-health warnings of the source's tests and engagements (issue 17); none when absent. */
  duplicateWarnings?: DuplicateWarnings;
}

/** A test or engagement node with its duplicate-health warning, when it has one. */
function withWarning<N extends TestNode | EngagementNode>(node: N, warnings: DuplicateWarnings | undefined): N {
  const warning = node.kind === 'test' ? warnings?.tests.get(node.testId) : warnings?.engagements.get(node.engagementId);
  return warning ? { ...node, ...decorateWithWarning(node, warning) } : node;
}

/** A codicon id and an optional theme colour id, turned into `ThemeIcon(id, ThemeColor(color))`. */
export interface NodeIcon {
  id: string;
  color?: string;
}

export type Collapsible = 'none' | 'collapsed' | 'expanded';

interface NodeBase {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  key: string;
  folder: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue: string;
  collapsible: Collapsible;
  icon?: NodeIcon;
  /** What a screen reader says, when the label and description use symbols. */
  ariaLabel?: string;
  parent?: TreeNode;
}

export interface ProductNode extends NodeBase {
  kind: 'product';
  productId: number;
}

export interface EngagementNode extends NodeBase {
  kind: 'engagement';
  engagementId: number;
}

export interface TestNode extends NodeBase {
  kind: 'test';
  testId: number;
}

export interface FindingGroupNode extends NodeBase {
  kind: 'findingGroup';
  testId: number;
  /** `severity:High`, `file:src/a.ts`, `file:` (no file) or `closed`. */
  group: string;
  /** The findings of the group, so a bulk command on the group needs no second lookup. */
  findingIds: number[];
}

export interface ImportHistoryNode extends NodeBase {
  kind: 'importHistory';
  testId: number;
}

export interface ImportRecordNode extends NodeBase {
  kind: 'importRecord';
  testId: number;
  importId: number;
}

export interface ImportActionNode extends NodeBase {
  kind: 'importAction';
  testId: number;
  importId: number;
  action: FindingAction;
  findingIds: number[];
}

/**
 * A finding. It carries `folder` and `findingIds` so that the node itself is a valid argument of
 * the triage commands (`{ folder, findingIds }`), which is what VS Code passes from a context
 * menu.
 */
export interface FindingNode extends NodeBase {
  kind: 'finding';
  findingId: number;
  findingIds: number[];
  testId: number;
  filePath: string | null;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
}

/** A finding an import record names but the store no longer holds (deleted since). */
export interface MissingFindingNode extends NodeBase {
  kind: 'missingFinding';
  findingId: number;
}

/** The DefectDojo server a folder syncs with and its last sync (issue 14); it has no children. */
export interface DefectDojoServerNode extends NodeBase {
  kind: 'defectdojoServer';
}

export type TreeNode =
  | DefectDojoServerNode
  | ProductNode
  | EngagementNode
  | TestNode
  | FindingGroupNode
  | ImportHistoryNode
  | ImportRecordNode
  | ImportActionNode
  | FindingNode
  | MissingFindingNode;

export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  Critical: 'scanLedger.criticalForeground',
  High: 'scanLedger.highForeground',
  Medium: 'scanLedger.mediumForeground',
  Low: 'scanLedger.lowForeground',
  Info: 'scanLedger.infoForeground',
};

const SEVERITY_ICONS: Readonly<Record<Severity, string>> = {
  Critical: 'flame',
  High: 'error',
  Medium: 'warning',
  Low: 'info',
  Info: 'circle-outline',
};

const ACTION_ORDER: readonly FindingAction[] = ['created', 'reactivated', 'closed', 'untouched'];

const ACTION_LABELS: Readonly<Record<FindingAction, string>> = {
  created: 'Created',
  closed: 'Closed',
  reactivated: 'Reactivated',
  untouched: 'Untouched',
};

const ACTION_ICONS: Readonly<Record<FindingAction, NodeIcon>> = {
  created: { id: 'diff-added', color: 'scanLedger.highForeground' },
  closed: { id: 'pass', color: 'testing.iconPassed' },
  reactivated: { id: 'debug-restart', color: 'scanLedger.reactivatedForeground' },
  untouched: { id: 'circle-small' },
};

/** Open means what the editor decorates: active and not a duplicate. */
export function isOpenFinding(f: Finding): boolean {
  return f.active && !f.duplicate;
}

/** Findings the tree lists under the severity or file groups: open ones and duplicates. */
function isListedInGroups(f: Finding): boolean {
  return isOpenFinding(f) || (f.duplicate && !f.isMitigated && !f.falsePositive && !f.outOfScope && !f.riskAccepted);
}

/** The triage or closure state of a finding, in DefectDojo's words, for descriptions and CSV. */
export function findingStatus(f: Finding): string {
  if (f.falsePositive) return 'false positive';
  if (f.outOfScope) return 'out of scope';
  if (f.riskAccepted) return f.riskAcceptance?.expires ? `risk accepted until ${f.riskAcceptance.expires}` : 'risk accepted';
  if (f.isMitigated) return 'mitigated';
  if (f.duplicate) return f.duplicateOf != null ? `duplicate of #${f.duplicateOf}` : 'duplicate';
  if (!f.active) return 'inactive';
  return f.verified ? 'active, verified' : 'active';
}

/**
 * A scanner's file path as the tree shows it: relative to the workspace folder when it lies
 * inside (scanners write `./src/a.js`, `file:///repo/src/a.js` or absolute CI paths alike).
 */
export function displayPath(filePath: string | null | undefined, folderPath: string | undefined): string {
  if (!filePath) return '';
  return folderPath ? normaliseFindingPath(filePath, folderPath) || filePath : filePath;
}

export function fileLocation(f: Pick<Finding, 'filePath' | 'line'>, folderPath?: string): string {
  const shown = displayPath(f.filePath, folderPath);
  if (!shown) return '';
  return f.line != null && f.line > 0 ? `${shown}:${f.line}` : shown;
}

/** Compares findings for display: severity first, then file, line and id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.filePath ?? '').localeCompare(b.filePath ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    a.id - b.id
  );
}

/** Compares findings within one file: by line, then severity. */
function compareByLine(a: Finding, b: Finding): number {
  return (a.line ?? 0) - (b.line ?? 0) || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.id - b.id;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2026-11-22 06:12` from an ISO time, in UTC so that the tree reads the same everywhere. */
export function shortTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toISOString().slice(0, 16).replace('T', ' ');
}

/** For each finding of a test, the latest import that reactivated it. */
export function lastReactivation(imports: readonly ImportRecord[]): Map<number, number> {
  const byFinding = new Map<number, number>();
  for (const record of imports) {
    for (const a of record.actions) {
      if (a.action !== 'reactivated') continue;
      const known = byFinding.get(a.findingId);
      if (known === undefined || known < record.id) byFinding.set(a.findingId, record.id);
    }
  }
  return byFinding;
}

/** The markers after a finding's location: duplicate, reopened, triaged or closed. */
export function findingMarkers(f: Finding, reopenedBy: number | undefined): string[] {
  const markers: string[] = [];
  if (f.duplicate) markers.push(f.duplicateOf != null ? `duplicate of #${f.duplicateOf}` : 'duplicate');
  if (f.falsePositive) markers.push('false positive');
  if (f.outOfScope) markers.push('out of scope');
  if (f.riskAccepted) markers.push(f.riskAcceptance?.expires ? `risk accepted until ${f.riskAcceptance.expires}` : 'risk accepted');
  if (f.isMitigated && !f.falsePositive && !f.outOfScope && !f.riskAccepted) markers.push('closed');
  if (isOpenFinding(f) && reopenedBy !== undefined) markers.push(`reopened by import #${reopenedBy}`);
  if (f.suppression) markers.push(`suppressed (${f.suppression.kind})`);
  return markers;
}

function findingTooltip(f: Finding, test: Test | undefined, folderPath: string): string {
  const lines = [`#${f.id} ${f.title}`, `Severity: ${f.severity}`, `Status: ${findingStatus(f)}`];
  const where = fileLocation(f, folderPath);
  if (where) lines.push(`Location: ${where}`);
  if (f.location?.ruleId) lines.push(`Rule: ${f.location.ruleId}`);
  if (f.cwe != null) lines.push(`CWE-${f.cwe}`);
  if (f.vulnerabilityIds.length > 0) lines.push(`Vulnerability ids: ${f.vulnerabilityIds.join(', ')}`);
  if (f.componentName) lines.push(`Component: ${f.componentName}${f.componentVersion ? ` ${f.componentVersion}` : ''}`);
  if (test) lines.push(`Test: ${testLabel(test)} (${test.testType})`);
  return lines.join('\n');
}

/** A movement recorded by fingerprint matching, e.g. "moved from line 40 to 52". */
function movement(a: ImportActionRecord | undefined): string | null {
  if (!a) return null;
  if (a.fromFile) return `moved from ${a.fromFile}${a.fromLine != null ? `:${a.fromLine}` : ''}`;
  if (a.fromLine != null && a.toLine != null && a.fromLine !== a.toLine) return `moved from line ${a.fromLine} to ${a.toLine}`;
  return null;
}

export function findingNode(
  source: TreeSource,
  f: Finding,
  parent: TreeNode,
  reopenedBy: number | undefined,
  action?: ImportActionRecord,
): FindingNode {
  const where = fileLocation(f, source.folderPath);
  const markers = findingMarkers(f, reopenedBy);
  const moved = movement(action);
  if (moved) markers.push(moved);
  const description = [where, ...markers].filter((s) => s.length > 0).join(' · ');
  const open = isOpenFinding(f);
  return {
    kind: 'finding',
    key: `${parent.key}/f${f.id}`,
    folder: source.folder,
    label: f.title,
    description,
    tooltip: findingTooltip(f, source.ledger.test(f.testId), source.folderPath),
    contextValue: open || f.duplicate ? 'finding:open' : 'finding:closed',
    collapsible: 'none',
    icon: {
      id: SEVERITY_ICONS[f.severity],
      color: f.duplicate ? 'scanLedger.duplicateForeground' : open ? SEVERITY_COLORS[f.severity] : 'disabledForeground',
    },
    parent,
    findingId: f.id,
    findingIds: [f.id],
    testId: f.testId,
    filePath: f.filePath ?? null,
    line: f.line ?? null,
    column: f.location?.column ?? null,
    endLine: f.location?.endLine ?? null,
    endColumn: f.location?.endColumn ?? null,
  };
}

export function testLabel(t: Test): string {
  return t.title && t.title.trim().length > 0 ? t.title : t.testType;
}

/** Version, branch and commit, when known, as the tree and the history show them. */
export function buildContext(r: Pick<ImportRecord, 'version' | 'branchTag' | 'commitHash' | 'buildId'>): string {
  const parts: string[] = [];
  if (r.branchTag) parts.push(r.branchTag);
  if (r.commitHash) parts.push(r.commitHash.slice(0, 10));
  if (r.version) parts.push(`v${r.version.replace(/^v/, '')}`);
  if (r.buildId) parts.push(`build ${r.buildId}`);
  return parts.join(' · ');
}

export function countsSummary(r: Pick<ImportRecord, 'counts'>): string {
  const c = r.counts;
  return `${c.created} created, ${c.closed} closed, ${c.reactivated} reactivated, ${c.untouched} untouched`;
}

/** Root nodes: the products of every folder's store that hold a test. Empty when there is none, so the welcome view shows. */
export function rootNodes(sources: readonly TreeSource[]): TreeNode[] {
  const nodes: TreeNode[] = [];
  const several = sources.length > 1;
  for (const source of sources) {
    const products = [...source.ledger.data.products].sort((a, b) => a.id - b.id);
    for (const p of products) {
      const hasTest = source.ledger.engagementsOfProduct(p.id).some((e) => source.ledger.testsOfEngagement(e.id).length > 0);
      if (!hasTest) continue;
      nodes.push(productNode(source, p, several));
    }
  }
  return nodes;
}

function productNode(source: TreeSource, p: Product, severalFolders: boolean): ProductNode {
  const openCount = countOpen(source.ledger, source.ledger.engagementsOfProduct(p.id).flatMap((e) => source.ledger.testsOfEngagement(e.id)));
  const folderNote = severalFolders || p.name !== source.folderName ? source.folderName : '';
  return {
    kind: 'product',
    key: `${source.folder}#p${p.id}`,
    folder: source.folder,
    label: p.name,
    description: [folderNote, `${openCount} open`].filter((s) => s.length > 0).join(' · '),
    tooltip: `Product ${p.name} (workspace folder ${source.folderName})`,
    contextValue: 'product',
    collapsible: 'expanded',
    icon: { id: 'package' },
    productId: p.id,
  };
}

function countOpen(ledger: Ledger, tests: readonly Test[]): number {
  let open = 0;
  for (const t of tests) for (const f of ledger.findingsOfTest(t.id)) if (isOpenFinding(f)) open++;
  return open;
}

function engagementNode(source: TreeSource, e: Engagement, parent: ProductNode): EngagementNode {
  const tests = source.ledger.testsOfEngagement(e.id);
  const details = [e.engagementType, e.deduplicationOnEngagement ? 'dedupe on engagement only' : '', buildContext({
    version: e.version ?? '', branchTag: e.branchTag ?? '', commitHash: e.commitHash ?? '', buildId: e.buildId ?? '' })];
  return {
    kind: 'engagement',
    key: `${parent.key}/e${e.id}`,
    folder: source.folder,
    label: e.name,
    description: `${plural(tests.length, 'test')} · ${countOpen(source.ledger, tests)} open`,
    tooltip: [`Engagement ${e.name}`, ...details.filter((s) => s.length > 0)].join('\n'),
    contextValue: 'engagement',
    collapsible: 'expanded',
    icon: { id: 'briefcase' },
    parent,
    engagementId: e.id,
  };
}

function testNode(source: TreeSource, t: Test, parent: EngagementNode): TestNode {
  const findings = source.ledger.findingsOfTest(t.id);
  const bySeverity = new Map<Severity, number>();
  for (const f of findings) if (isOpenFinding(f)) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
  const counts = SEVERITIES.filter((s) => bySeverity.has(s)).map((s) => `${bySeverity.get(s)} ${s}`);
  const label = testLabel(t);
  const tooltip = [`Test #${t.id}: ${label}`, `Scan type: ${t.scanType}`, `Test type: ${t.testType}`];
  const context = buildContext(t);
  if (context) tooltip.push(context);
  return {
    kind: 'test',
    key: `${parent.key}/t${t.id}`,
    folder: source.folder,
    label,
    description: counts.length > 0 ? counts.join(', ') : 'no open findings',
    tooltip: tooltip.join('\n'),
    contextValue: 'test',
    collapsible: 'collapsed',
    icon: { id: 'beaker' },
    parent,
    testId: t.id,
  };
}

/** The children of a node, in display order. */
export function childNodes(node: TreeNode, source: TreeSource, options: TreeOptions): TreeNode[] {
  const ledger = source.ledger;
  switch (node.kind) {
    case 'defectdojoServer':
      return [];
    case 'product':
      return ledger
        .engagementsOfProduct(node.productId)
        .sort((a, b) => a.id - b.id)
        .map((e) => withWarning(engagementNode(source, e, node), options.duplicateWarnings));
    case 'engagement':
      return ledger
        .testsOfEngagement(node.engagementId)
        .sort((a, b) => a.id - b.id)
        .map((t) => withWarning(testNode(source, t, node), options.duplicateWarnings));
    case 'test':
      return testChildren(source, node, options);
    case 'findingGroup':
      return groupChildren(source, node);
    case 'importHistory':
      return ledger
        .importsOfTest(node.testId)
        .sort((a, b) => b.id - a.id)
        .map((r) => importRecordNode(source, r, node));
    case 'importRecord':
      return importActionNodes(source, node);
    case 'importAction':
      return importActionFindings(source, node);
    case 'finding':
    case 'missingFinding':
      return [];
  }
}

function testChildren(source: TreeSource, node: TestNode, options: TreeOptions): TreeNode[] {
  const all = source.ledger.findingsOfTest(node.testId);
  const passes = options.passes;
  const findings = passes ? all.filter(passes) : all;
  const listed = findings.filter(isListedInGroups);
  const closed = findings.filter((f) => !isListedInGroups(f));
  const groups: TreeNode[] = options.groupBy === 'file' ? fileGroups(source, node, listed) : severityGroups(source, node, listed);
  if (closed.length > 0) {
    groups.push({
      kind: 'findingGroup',
      key: `${node.key}/closed`,
      folder: source.folder,
      label: 'Closed and triaged',
      description: String(closed.length),
      tooltip: 'Mitigated, false positive, out of scope and risk-accepted findings of this test',
      contextValue: 'findingGroup:closed',
      collapsible: 'collapsed',
      icon: { id: 'pass' },
      parent: node,
      testId: node.testId,
      group: 'closed',
      findingIds: closed.map((f) => f.id),
    });
  }
  const imports = source.ledger.importsOfTest(node.testId);
  groups.push({
    kind: 'importHistory',
    key: `${node.key}/history`,
    folder: source.folder,
    label: 'Import history',
    description: plural(imports.length, 'import'),
    tooltip: 'Every import and reimport of this test, newest first, with what each did',
    contextValue: 'importHistory',
    collapsible: imports.length > 0 ? 'collapsed' : 'none',
    icon: { id: 'history' },
    parent: node,
    testId: node.testId,
  });
  return groups;
}

function severityGroups(source: TreeSource, node: TestNode, findings: readonly Finding[]): TreeNode[] {
  const bySeverity = new Map<Severity, number[]>();
  for (const f of findings) {
    const list = bySeverity.get(f.severity);
    if (list) list.push(f.id);
    else bySeverity.set(f.severity, [f.id]);
  }
  return SEVERITIES.filter((s) => bySeverity.has(s)).map((s) => {
    const ids = bySeverity.get(s) ?? [];
    return {
      kind: 'findingGroup',
      key: `${node.key}/severity:${s}`,
      folder: source.folder,
      label: s,
      description: String(ids.length),
      contextValue: 'findingGroup',
      collapsible: s === 'Critical' || s === 'High' ? 'expanded' : 'collapsed',
      icon: { id: SEVERITY_ICONS[s], color: SEVERITY_COLORS[s] },
      parent: node,
      testId: node.testId,
      group: `severity:${s}`,
      findingIds: ids,
    } satisfies FindingGroupNode;
  });
}

function fileGroups(source: TreeSource, node: TestNode, findings: readonly Finding[]): TreeNode[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const file = displayPath(f.filePath, source.folderPath);
    const list = byFile.get(file);
    if (list) list.push(f);
    else byFile.set(file, [f]);
  }
  const files = [...byFile.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  return files.map((file) => {
    const list = byFile.get(file) ?? [];
    const worst = list.reduce((w, f) => (SEVERITY_RANK[f.severity] < SEVERITY_RANK[w] ? f.severity : w), 'Info' as Severity);
    const slash = file.lastIndexOf('/');
    return {
      kind: 'findingGroup',
      key: `${node.key}/file:${file}`,
      folder: source.folder,
      label: file === '' ? '(no file)' : file.slice(slash + 1),
      description: `${file === '' || slash < 0 ? '' : `${file.slice(0, slash)} · `}${list.length}`,
      tooltip: file === '' ? 'Findings without a file path' : file,
      contextValue: 'findingGroup',
      collapsible: 'collapsed',
      icon: { id: file === '' ? 'symbol-misc' : 'file', color: SEVERITY_COLORS[worst] },
      parent: node,
      testId: node.testId,
      group: `file:${file}`,
      findingIds: list.map((f) => f.id),
    } satisfies FindingGroupNode;
  });
}

function groupChildren(source: TreeSource, node: FindingGroupNode): TreeNode[] {
  const findings = node.findingIds
    .map((id) => source.ledger.finding(id))
    .filter((f): f is Finding => f !== undefined);
  findings.sort(node.group.startsWith('file:') ? compareByLine : compareFindings);
  const reopened = lastReactivation(source.ledger.importsOfTest(node.testId));
  return findings.map((f) => findingNode(source, f, node, reopened.get(f.id)));
}

function importRecordNode(source: TreeSource, r: ImportRecord, parent: ImportHistoryNode): ImportRecordNode {
  const context = buildContext(r);
  const tooltip = [
    `Import #${r.id} (${r.type}) at ${r.created}`,
    countsSummary(r),
    ...(context ? [context] : []),
    ...(r.settings.reportName ? [`Report: ${r.settings.reportName}`] : []),
    ...(r.settings.algorithm ? [`Algorithm: ${r.settings.algorithm}`] : []),
    `Minimum severity: ${r.settings.minimumSeverity}`,
    `Close old findings: ${r.settings.closeOldFindings ? 'yes' : 'no'}`,
    ...(r.type === 'reimport' ? [`Do not reactivate: ${r.settings.doNotReactivate ? 'yes' : 'no'}`] : []),
  ];
  const c = r.counts;
  const short = [`+${c.created}`, `−${c.closed}`, `↺${c.reactivated}`, `=${c.untouched}`].join(' ');
  return {
    kind: 'importRecord',
    key: `${parent.key}/i${r.id}`,
    folder: source.folder,
    label: `${shortTime(r.created)} ${r.type}`,
    description: [short, context].filter((s) => s.length > 0).join(' · '),
    tooltip: tooltip.join('\n'),
    contextValue: 'importRecord',
    ariaLabel: [`${r.type === 'import' ? 'Import' : 'Reimport'} #${r.id} at ${shortTime(r.created)}`, countsSummary(r), context].filter((s) => s.length > 0).join(', '),
    collapsible: r.actions.length > 0 ? 'collapsed' : 'none',
    icon: { id: r.type === 'import' ? 'cloud-upload' : 'sync' },
    parent,
    testId: r.testId,
    importId: r.id,
  };
}

function findImport(source: TreeSource, testId: number, importId: number): ImportRecord | undefined {
  return source.ledger.importsOfTest(testId).find((r) => r.id === importId);
}

function importActionNodes(source: TreeSource, node: ImportRecordNode): TreeNode[] {
  const record = findImport(source, node.testId, node.importId);
  if (!record) return [];
  const byAction = new Map<FindingAction, number[]>();
  for (const a of record.actions) {
    const list = byAction.get(a.action);
    if (list) list.push(a.findingId);
    else byAction.set(a.action, [a.findingId]);
  }
  return ACTION_ORDER.filter((a) => byAction.has(a)).map((action) => {
    const ids = byAction.get(action) ?? [];
    return {
      kind: 'importAction',
      key: `${node.key}/${action}`,
      folder: source.folder,
      label: ACTION_LABELS[action],
      description: String(ids.length),
      contextValue: 'importAction',
      collapsible: action === 'untouched' ? 'collapsed' : 'expanded',
      icon: ACTION_ICONS[action],
      parent: node,
      testId: node.testId,
      importId: node.importId,
      action,
      findingIds: ids,
    } satisfies ImportActionNode;
  });
}

function importActionFindings(source: TreeSource, node: ImportActionNode): TreeNode[] {
  const record = findImport(source, node.testId, node.importId);
  const actionsByFinding = new Map<number, ImportActionRecord>();
  for (const a of record?.actions ?? []) if (a.action === node.action) actionsByFinding.set(a.findingId, a);
  const reopened = lastReactivation(source.ledger.importsOfTest(node.testId));
  const present: Finding[] = [];
  const missing: number[] = [];
  for (const id of node.findingIds) {
    const f = source.ledger.finding(id);
    if (f) present.push(f);
    else missing.push(id);
  }
  present.sort(compareFindings);
  const nodes: TreeNode[] = present.map((f) => findingNode(source, f, node, reopened.get(f.id), actionsByFinding.get(f.id)));
  for (const id of missing.sort((a, b) => a - b)) {
    nodes.push({
      kind: 'missingFinding',
      key: `${node.key}/f${id}`,
      folder: source.folder,
      label: `#${id}`,
      description: 'deleted since',
      contextValue: 'missingFinding',
      collapsible: 'none',
      icon: { id: 'trash', color: 'disabledForeground' },
      parent: node,
      findingId: id,
    });
  }
  return nodes;
}

/**
 * The findings a context-menu command applies to: VS Code passes the clicked node and the
 * selection; the selection wins when it contains the clicked node (multi-select), as in the
 * Explorer.
 */
export function selectedFindingIds(clicked: TreeNode | undefined, selected: readonly TreeNode[] | undefined): number[] {
  const nodes = selected && clicked && selected.some((n) => n.key === clicked.key) ? selected : clicked ? [clicked] : [];
  const ids = new Set<number>();
  for (const n of nodes) if (n.kind === 'finding' || n.kind === 'findingGroup' || n.kind === 'importAction') for (const id of n.findingIds) ids.add(id);
  return [...ids];
}

/** The node of a test's import history, for "Show Import History" to reveal. */
export function importHistoryNodeOf(source: TreeSource, testId: number, options: TreeOptions): ImportHistoryNode | undefined {
  const path = testPath(source, testId);
  if (!path) return undefined;
  const test = childNodes(path.engagement, source, options).find((n): n is TestNode => n.kind === 'test' && n.testId === testId);
  if (!test) return undefined;
  return childNodes(test, source, options).find((n): n is ImportHistoryNode => n.kind === 'importHistory');
}

function testPath(source: TreeSource, testId: number): { engagement: EngagementNode } | undefined {
  const ledger = source.ledger;
  const test = ledger.test(testId);
  const engagement = test ? ledger.engagement(test.engagementId) : undefined;
  const product = engagement ? ledger.product(engagement.productId) : undefined;
  if (!test || !engagement || !product) return undefined;
  const productNodeValue = rootNodes([source]).find((n): n is ProductNode => n.kind === 'product' && n.productId === product.id);
  if (!productNodeValue) return undefined;
  const engagementNodeValue = childNodes(productNodeValue, source, { groupBy: 'severity' }).find(
    (n): n is EngagementNode => n.kind === 'engagement' && n.engagementId === engagement.id,
  );
  return engagementNodeValue ? { engagement: engagementNodeValue } : undefined;
}
