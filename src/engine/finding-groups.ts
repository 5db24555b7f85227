import type { Finding, FindingGroup, Test } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';
import type { Ledger } from './ledger';

/** DefectDojo's `group_by` options (§3.4), spelled as its API takes them. */
export const GROUP_BY_OPTIONS = ['component_name', 'component_name+component_version', 'file_path', 'finding_title', 'vuln_id_from_tool'] as const;

export type GroupByOption = (typeof GROUP_BY_OPTIONS)[number];

/** `Finding_Group.name` is a 255-character column; DefectDojo cuts the name to fit. */
export const MAX_GROUP_NAME_LENGTH = 255;

/**
 * The group a finding belongs in under a `group_by` option (DefectDojo's
 * `get_group_by_group_name`), or null when the finding has no key for it. Titles are the
 * stored titles, which keep the scanner's spelling (DefectDojo groups title-cased titles).
 */
export function findingGroupName(f: Finding, groupBy: GroupByOption): string | null {
  let key: string | null | undefined = null;
  switch (groupBy) {
    case 'component_name':
      key = f.componentName;
      break;
    case 'component_name+component_version':
      if (f.componentName || f.componentVersion) key = `${f.componentName || 'None'}:${f.componentVersion || 'None'}`;
      break;
    case 'file_path':
      if (f.filePath) key = `Filepath ${f.filePath}`;
      break;
    case 'finding_title':
      key = f.title;
      break;
    case 'vuln_id_from_tool':
      if (f.vulnIdFromTool) key = `Vulnerability ID ${f.vulnIdFromTool}`;
      break;
  }
  return key ? `Findings in: ${key}` : null;
}

/** The name as stored: at most 255 code points, as Python slices. */
function storedName(name: string): string {
  if (name.length <= MAX_GROUP_NAME_LENGTH) return name;
  const points = Array.from(name);
  return points.length <= MAX_GROUP_NAME_LENGTH ? name : points.slice(0, MAX_GROUP_NAME_LENGTH).join('');
}

/**
 * Puts a run's new findings into groups (§3.4, DefectDojo's `add_findings_to_auto_group` per
 * group name, in the order names first occur among the new findings). Only new findings are
 * grouped; older findings of the test join a group only when the group is created for them.
 *
 * - With `createForAll` (the default), or when two or more new findings share a name, the
 *   group of that name created by the acting user is used or created; a group created now
 *   first pulls in the test's older findings of the same name.
 * - Otherwise a single new finding joins the test's group of that name when exactly one
 *   exists; when none exists, a group is created for it only if an older finding of the test
 *   has the same name. DefectDojo decides from its last `get_or_create` whether the group was
 *   created, so when two or more older findings match, they are grouped and the new finding is
 *   not (quirk, reproduced).
 *
 * Older findings are indexed by name once per run, and only if a created group needs them, so
 * grouping stays linear in the size of the test.
 */
export function groupNewFindings(
  ledger: Ledger,
  test: Test,
  created: readonly Finding[],
  groupBy: GroupByOption,
  createForAll: boolean,
  ctx: EngineContext,
): FindingGroup[] {
  const byName = new Map<string, Finding[]>();
  for (const f of created) {
    const name = findingGroupName(f, groupBy);
    if (name === null) continue;
    const list = byName.get(name);
    if (list) list.push(f);
    else byName.set(name, [f]);
  }
  if (byName.size === 0) return [];

  const createdIds = new Set(created.map((f) => f.id));
  let olderByName: Map<string, Finding[]> | null = null;
  // The test's findings not created by this run, by group name (DefectDojo's `f not in findings`
  // also excludes only the batch being grouped; the run's other new findings have other names).
  const olderNamed = (name: string): readonly Finding[] => {
    if (olderByName === null) {
      olderByName = new Map();
      for (const f of ledger.findingsOfTest(test.id)) {
        if (createdIds.has(f.id)) continue;
        const n = findingGroupName(f, groupBy);
        if (n === null) continue;
        const list = olderByName.get(n);
        if (list) list.push(f);
        else olderByName.set(n, [f]);
      }
    }
    return olderByName.get(name) ?? [];
  };
  // The test's groups by stored name, so each lookup is one map access however many groups
  // the test has.
  const groupsByName = new Map<string, FindingGroup[]>();
  for (const g of ledger.findingGroupsOfTest(test.id)) {
    const list = groupsByName.get(g.name);
    if (list) list.push(g);
    else groupsByName.set(g.name, [g]);
  }
  const touched = new Set<FindingGroup>();
  const add = (g: FindingGroup, findings: readonly Finding[]): void => {
    if (findings.length === 0) return;
    const members = new Set(g.findingIds);
    for (const f of findings) if (!members.has(f.id)) g.findingIds.push(f.id);
    g.findingIds.sort((a, b) => a - b);
    touched.add(g);
  };
  // `Finding_Group.objects.get_or_create(test, creator, name[:255])`.
  const getOrCreate = (name: string): { group: FindingGroup; created: boolean } => {
    const stored = storedName(name);
    const existing = groupsByName.get(stored)?.find((g) => (g.creator ?? null) === ctx.user);
    if (existing) return { group: existing, created: false };
    const group = ledger.addFindingGroup({ testId: test.id, name: stored, findingIds: [], creator: ctx.user, created: nowIso(ctx) });
    const list = groupsByName.get(stored);
    if (list) list.push(group);
    else groupsByName.set(stored, [group]);
    return { group, created: true };
  };

  for (const [name, findings] of byName) {
    if (createForAll || findings.length > 1) {
      const { group, created: isNew } = getOrCreate(name);
      if (isNew) add(group, olderNamed(name));
      add(group, findings);
      continue;
    }
    // `Finding_Group.objects.get(test, name)` with the uncut name: exactly one group must match.
    const named = groupsByName.get(name) ?? [];
    if (named.length === 1) {
      add(named[0], findings);
      continue;
    }
    // DefectDojo calls `get_or_create` once per matching older finding and keeps only the last
    // call's `created`, which is true only when there was exactly one and it created the group.
    const older = olderNamed(name);
    if (older.length === 0) continue;
    const { group, created: isNew } = getOrCreate(name);
    add(group, older);
    if (isNew && older.length === 1) add(group, findings);
  }
  return [...touched];
}

/**
 * The group each grouped finding is shown under: its lowest-id group (DefectDojo's
 * `Finding.finding_group` returns the first). One pass over the groups, for listings.
 */
export function findingGroupNames(ledger: Ledger): Map<number, string> {
  const names = new Map<number, string>();
  const groups = [...(ledger.data.findingGroups ?? [])].sort((a, b) => a.id - b.id);
  for (const g of groups) for (const id of g.findingIds) if (!names.has(id)) names.set(id, g.name);
  return names;
}

/** The group one finding is shown under, looked up among its test's groups only. */
export function findingGroupOf(ledger: Ledger, f: Finding): FindingGroup | undefined {
  let first: FindingGroup | undefined;
  for (const g of ledger.findingGroupsOfTest(f.testId)) {
    if ((first === undefined || g.id < first.id) && g.findingIds.includes(f.id)) first = g;
  }
  return first;
}
