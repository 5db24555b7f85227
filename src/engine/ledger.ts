import type { Engagement, Finding, FindingGroup, ImportRecord, Product, ProductType, StoreData, Test } from '../model';
import { addTo, partitionPoint } from './lists';

/** Inserts a finding into the list under `key` at the place its id orders it (oldest first). */
function insertById<K>(map: Map<K, Finding[]>, key: K, f: Finding): void {
  const list = map.get(key);
  if (!list) {
    map.set(key, [f]);
    return;
  }
  list.splice(partitionPoint(list, (g) => g.id < f.id), 0, f);
}

/** Removes `value` from the list under `key`, dropping the list when it empties. */
function removeFrom<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (!list) return;
  const at = list.indexOf(value);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) map.delete(key);
}

/**
 * What changed in a ledger since the store last read or saved it, so the store writes only
 * that (issue 13): the findings whose fields changed, and the tests whose finding or import
 * lists changed (a finding added, removed or moved, an import recorded). The structural
 * mutators below record their own changes; code that edits a finding's fields in place calls
 * `Ledger.touch`, also when its test's list changed in the same transaction (the store then
 * rewrites the test's document, but copies the lines of findings not touched from the old one).
 * A missed call would lose the edit at the next load, so the test suites run the store in a
 * checking mode that compares every finding after each transaction.
 */
export class LedgerChanges {
  readonly findings = new Set<number>();
  readonly tests = new Set<number>();
  /** Findings added (a subset of the changes to `tests`), by id. */
  readonly added = new Set<number>();
  /** Import records added (a subset of the changes to `tests`), by id. */
  readonly imports = new Set<number>();
  /**
   * Tests whose lists changed otherwise than by additions: a finding removed or moved, an import
   * record moved, the test removed. The store's journal can hold additions (a reimport's new
   * findings and its import record) but not these, which rewrite the test's document.
   */
  readonly rearranged = new Set<number>();

  get empty(): boolean {
    return this.findings.size === 0 && this.tests.size === 0;
  }

  clear(): void {
    this.findings.clear();
    this.tests.clear();
    this.added.clear();
    this.imports.clear();
    this.rearranged.clear();
  }

  /** Records a change to a test's list that is not an addition. */
  rearrange(testId: number): void {
    this.tests.add(testId);
    this.rearranged.add(testId);
  }
}

/**
 * The store's data plus the indexes the engine and the editor look things up by. The data is
 * what the store file holds; the indexes are rebuilt here on load and kept in step by the
 * mutators below, so nothing ever scans the whole store per finding.
 *
 * Every change to a finding's hash code, unique id, file path or test must go through these
 * mutators, or the indexes go stale.
 */
export class Ledger {
  readonly data: StoreData;
  readonly findingsById = new Map<number, Finding>();
  readonly findingsByTest = new Map<number, Finding[]>();
  /*
   * The other list indexes are built the first time they are asked for (`listIndex`), then kept
   * in step like the rest. A command uses only some of them (a reimport never looks findings up
   * by file, and opening the store in the editor needs none of them), and building each for
   * 100,000 stored findings costs 50–80 ms. Null until built; the mutators skip one not built.
   */
  private hashIndex: Map<string, Finding[]> | null = null;
  private uniqueIdIndex: Map<string, Finding[]> | null = null;
  private fileIndex: Map<string, Finding[]> | null = null;
  private fingerprintIndex: Map<string, Finding[]> | null = null;
  private duplicateIndex: Map<number, Finding[]> | null = null;
  readonly testsById = new Map<number, Test>();
  readonly engagementsById = new Map<number, Engagement>();
  readonly productsById = new Map<number, Product>();
  /** Finding groups per test (§3.4); empty for stores written before groups existed. */
  readonly findingGroupsByTest = new Map<number, FindingGroup[]>();
  /** What changed since the store last read or saved this ledger. */
  readonly changes = new LedgerChanges();
  /** Group ids are not in `nextIds` (the store schema predates groups); they follow the highest. */
  private nextFindingGroupId = 1;

  constructor(data: StoreData) {
    this.data = data;
    for (const p of data.products) this.productsById.set(p.id, p);
    for (const e of data.engagements) this.engagementsById.set(e.id, e);
    for (const t of data.tests) this.testsById.set(t.id, t);
    // Findings are kept in ascending id order, so every index list is ordered oldest first.
    data.findings.sort((a, b) => a.id - b.id);
    for (const f of data.findings) this.indexFinding(f);
    for (const g of data.findingGroups ?? []) {
      addTo(this.findingGroupsByTest, g.testId, g);
      if (g.id >= this.nextFindingGroupId) this.nextFindingGroupId = g.id + 1;
    }
  }

  /**
   * Calls `visit` with every list index a finding belongs in and its key there. The presence
   * rules live here once, so adding and removing a finding cannot disagree: null is never a
   * key, an empty file path or fingerprint is not one either (an empty unique id is a value to
   * DefectDojo, so it is), and only a duplicate is listed under its original.
   */
  private forEachListIndex(f: Finding, visit: <K>(index: Map<K, Finding[]>, key: K) => void): void {
    visit(this.findingsByTest, f.testId);
    if (this.hashIndex && f.hashCode != null) visit(this.hashIndex, f.hashCode);
    if (this.uniqueIdIndex && f.uniqueIdFromTool != null) visit(this.uniqueIdIndex, f.uniqueIdFromTool);
    if (this.fileIndex && f.filePath) visit(this.fileIndex, f.filePath);
    if (this.fingerprintIndex && f.fingerprint) visit(this.fingerprintIndex, f.fingerprint);
    if (this.duplicateIndex && f.duplicate && f.duplicateOf != null) visit(this.duplicateIndex, f.duplicateOf);
  }

  /**
   * Builds a list index from every finding under the presence rules above. `data.findings` is
   * kept in id order (sorted on load, new ids are the highest, removals keep the order), so each
   * list comes out oldest first, as one kept in step from the start would be.
   */
  private listIndex<K>(index: Map<K, Finding[]>): Map<K, Finding[]> {
    const target: Map<unknown, Finding[]> = index;
    for (const f of this.data.findings) {
      this.forEachListIndex(f, (visited, key) => {
        if (visited === target) addTo(target, key, f);
      });
    }
    return index;
  }

  /** Findings by hash code, oldest first. */
  get findingsByHash(): Map<string, Finding[]> {
    return this.hashIndex ?? this.listIndex((this.hashIndex = new Map<string, Finding[]>()));
  }

  /** Findings by unique id from the tool (an empty one included), oldest first. */
  get findingsByUniqueId(): Map<string, Finding[]> {
    return this.uniqueIdIndex ?? this.listIndex((this.uniqueIdIndex = new Map<string, Finding[]>()));
  }

  /** Findings by file path, oldest first. */
  get findingsByFile(): Map<string, Finding[]> {
    return this.fileIndex ?? this.listIndex((this.fileIndex = new Map<string, Finding[]>()));
  }

  /** Findings by fingerprint (improvement 2), oldest first. */
  get findingsByFingerprint(): Map<string, Finding[]> {
    return this.fingerprintIndex ?? this.listIndex((this.fingerprintIndex = new Map<string, Finding[]>()));
  }

  /** Duplicates by the id of their original, oldest first. */
  get duplicatesOf(): Map<number, Finding[]> {
    return this.duplicateIndex ?? this.listIndex((this.duplicateIndex = new Map<number, Finding[]>()));
  }

  private indexFinding(f: Finding): void {
    this.findingsById.set(f.id, f);
    this.forEachListIndex(f, (index, key) => addTo(index, key, f));
  }

  private unindexFinding(f: Finding): void {
    this.findingsById.delete(f.id);
    this.forEachListIndex(f, (index, key) => removeFrom(index, key, f));
  }

  /**
   * Records that a finding's fields were edited in place, so the store saves it. Every engine
   * function that assigns to a stored finding calls this (or a mutator that does).
   */
  touch(f: Finding): void {
    this.changes.findings.add(f.id);
  }

  /**
   * Records that a test's list of findings or import records changed in a way the mutators
   * below do not see (an import record moved to another test), so the store rewrites it.
   */
  touchTest(testId: number): void {
    this.changes.rearrange(testId);
  }

  /** Hands out the next id of a kind; ids only grow, so a lower id always means older. */
  nextId(kind: keyof StoreData['nextIds']): number {
    const id = this.data.nextIds[kind];
    this.data.nextIds[kind] = id + 1;
    return id;
  }

  addProductType(pt: ProductType): void {
    this.data.productTypes.push(pt);
  }

  addProduct(p: Product): void {
    this.data.products.push(p);
    this.productsById.set(p.id, p);
  }

  addEngagement(e: Engagement): void {
    this.data.engagements.push(e);
    this.engagementsById.set(e.id, e);
  }

  addTest(t: Test): void {
    this.data.tests.push(t);
    this.testsById.set(t.id, t);
  }

  /** Removes a test record only; its findings must have been removed first. Its finding groups go with it. */
  removeTest(testId: number): void {
    this.changes.rearrange(testId);
    const at = this.data.tests.findIndex((t) => t.id === testId);
    if (at >= 0) this.data.tests.splice(at, 1);
    this.testsById.delete(testId);
    this.data.imports = this.data.imports.filter((r) => r.testId !== testId);
    if (this.findingGroupsByTest.delete(testId) && this.data.findingGroups) {
      this.data.findingGroups = this.data.findingGroups.filter((g) => g.testId !== testId);
    }
  }

  /** The finding groups of a test, oldest first. */
  findingGroupsOfTest(testId: number): readonly FindingGroup[] {
    return this.findingGroupsByTest.get(testId) ?? [];
  }

  /** Adds a finding group with the next group id; the store's group list is created on first use. */
  addFindingGroup(fields: Omit<FindingGroup, 'id'>): FindingGroup {
    const group: FindingGroup = { id: this.nextFindingGroupId++, ...fields };
    (this.data.findingGroups ??= []).push(group);
    addTo(this.findingGroupsByTest, group.testId, group);
    return group;
  }

  /**
   * Takes deleted findings out of the groups of their tests. Groups left empty are kept, as
   * DefectDojo's many-to-many relation keeps a group whose findings were deleted.
   */
  private ungroupFindings(gone: readonly Finding[]): void {
    if (this.findingGroupsByTest.size === 0) return;
    const byTest = new Map<number, Set<number>>();
    for (const f of gone) {
      if (!this.findingGroupsByTest.has(f.testId)) continue;
      const ids = byTest.get(f.testId);
      if (ids) ids.add(f.id);
      else byTest.set(f.testId, new Set([f.id]));
    }
    for (const [testId, ids] of byTest) {
      for (const g of this.findingGroupsByTest.get(testId) ?? []) {
        if (g.findingIds.some((id) => ids.has(id))) g.findingIds = g.findingIds.filter((id) => !ids.has(id));
      }
    }
  }

  /** Adds a finding; its id must be higher than every stored id (use `nextId('finding')`). */
  addFinding(f: Finding): void {
    this.changes.tests.add(f.testId);
    this.changes.added.add(f.id);
    this.data.findings.push(f);
    this.indexFinding(f);
  }

  /**
   * Removes many findings at once (deleting a test or an engagement, excess duplicates). A few
   * findings are unindexed one by one; a large set is swept out of every list index in one pass,
   * because a test's or a file's list can hold 100k findings and searching it once per removed
   * finding would be quadratic. The sweep finds the list indexes by shape, so an index added
   * later is swept too.
   */
  removeFindings(ids: ReadonlySet<number>): void {
    const gone = this.data.findings.filter((f) => ids.has(f.id));
    if (gone.length === 0) return;
    for (const f of gone) this.changes.rearrange(f.testId);
    this.ungroupFindings(gone);
    if (gone.length <= 64) {
      for (const f of gone) this.unindexFinding(f);
    } else {
      for (const f of gone) this.findingsById.delete(f.id);
      // By identity, so a list index of anything else is never touched.
      const goneSet = new Set<unknown>(gone);
      const removed = (f: unknown): boolean => goneSet.has(f);
      for (const index of Object.values(this) as unknown[]) {
        if (!(index instanceof Map)) continue;
        for (const [key, list] of index as Map<unknown, unknown>) {
          if (!Array.isArray(list)) break;
          if (!list.some(removed)) continue;
          const kept = list.filter((f) => !removed(f));
          if (kept.length > 0) index.set(key, kept);
          else index.delete(key);
        }
      }
    }
    let kept = 0;
    for (const f of this.data.findings) if (!ids.has(f.id)) this.data.findings[kept++] = f;
    this.data.findings.length = kept;
  }

  /** Removes an engagement record only; its tests must have been removed first. */
  removeEngagement(engagementId: number): void {
    const at = this.data.engagements.findIndex((e) => e.id === engagementId);
    if (at >= 0) this.data.engagements.splice(at, 1);
    this.engagementsById.delete(engagementId);
  }

  removeFinding(id: number): void {
    const f = this.findingsById.get(id);
    if (!f) return;
    this.changes.rearrange(f.testId);
    this.ungroupFindings([f]);
    this.unindexFinding(f);
    const at = this.data.findings.indexOf(f);
    if (at >= 0) this.data.findings.splice(at, 1);
  }

  /**
   * Applies a change to the indexed fields of a finding (hash code, unique id, file path,
   * fingerprint, duplicate link, test) and keeps every index in step. Only the indexes whose key
   * actually changes are touched, so refreshing one finding of a 100k-finding test stays cheap.
   */
  updateIndexed(
    f: Finding,
    change: Partial<Pick<Finding, 'hashCode' | 'uniqueIdFromTool' | 'filePath' | 'fingerprint' | 'duplicate' | 'duplicateOf' | 'testId'>>,
  ): void {
    // Keys are indexed under the same presence rules as forEachListIndex: null never, and the
    // empty string only for unique ids (an empty unique id is a value to DefectDojo). A moved
    // entry is inserted at its id's place, because every index list is kept oldest first.
    const reindex = <K extends string | number>(map: Map<K, Finding[]> | null, before: K | null | undefined, after: K | null | undefined) => {
      if (!map || before === after) return;
      if (before != null) removeFrom(map, before, f);
      if (after != null) insertById(map, after, f);
    };
    this.changes.findings.add(f.id);
    if ('testId' in change && change.testId !== f.testId) {
      this.changes.rearrange(f.testId);
      if (change.testId !== undefined) this.changes.rearrange(change.testId);
    }
    const pick = <K extends keyof typeof change>(key: K): Finding[K] => (key in change ? (change[key] as Finding[K]) : f[key]);
    // A finding changes test only when a test is merged into another (duplicate health).
    reindex(this.findingsByTest, f.testId, pick('testId'));
    reindex(this.hashIndex, f.hashCode, pick('hashCode'));
    reindex(this.uniqueIdIndex, f.uniqueIdFromTool, pick('uniqueIdFromTool'));
    reindex(this.fileIndex, f.filePath || null, pick('filePath') || null);
    reindex(this.fingerprintIndex, f.fingerprint || null, pick('fingerprint') || null);
    const duplicateBefore = f.duplicate && f.duplicateOf != null ? f.duplicateOf : null;
    const duplicateAfter = pick('duplicate') && pick('duplicateOf') != null ? pick('duplicateOf') : null;
    reindex(this.duplicateIndex, duplicateBefore, duplicateAfter);
    Object.assign(f, change);
  }

  addImport(r: ImportRecord): void {
    this.changes.tests.add(r.testId);
    this.changes.imports.add(r.id);
    this.data.imports.push(r);
  }

  finding(id: number): Finding | undefined {
    return this.findingsById.get(id);
  }

  test(id: number): Test | undefined {
    return this.testsById.get(id);
  }

  engagement(id: number): Engagement | undefined {
    return this.engagementsById.get(id);
  }

  product(id: number): Product | undefined {
    return this.productsById.get(id);
  }

  findingsOfTest(testId: number): readonly Finding[] {
    return this.findingsByTest.get(testId) ?? [];
  }

  engagementOfTest(testId: number): Engagement | undefined {
    const t = this.testsById.get(testId);
    return t ? this.engagementsById.get(t.engagementId) : undefined;
  }

  productOfTest(testId: number): Product | undefined {
    const e = this.engagementOfTest(testId);
    return e ? this.productsById.get(e.productId) : undefined;
  }

  testsOfEngagement(engagementId: number): Test[] {
    return this.data.tests.filter((t) => t.engagementId === engagementId);
  }

  engagementsOfProduct(productId: number): Engagement[] {
    return this.data.engagements.filter((e) => e.productId === productId);
  }

  importsOfTest(testId: number): ImportRecord[] {
    return this.data.imports.filter((r) => r.testId === testId);
  }
}
