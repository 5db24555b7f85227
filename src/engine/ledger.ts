import type { Engagement, Finding, ImportRecord, Product, ProductType, StoreData, Test } from '../model';

/** Pushes `value` into the list under `key`, creating the list on first use. */
function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
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
  readonly findingsByHash = new Map<string, Finding[]>();
  readonly findingsByUniqueId = new Map<string, Finding[]>();
  readonly findingsByFile = new Map<string, Finding[]>();
  readonly findingsByFingerprint = new Map<string, Finding[]>();
  readonly duplicatesOf = new Map<number, Finding[]>();
  readonly testsById = new Map<number, Test>();
  readonly engagementsById = new Map<number, Engagement>();
  readonly productsById = new Map<number, Product>();

  constructor(data: StoreData) {
    this.data = data;
    for (const p of data.products) this.productsById.set(p.id, p);
    for (const e of data.engagements) this.engagementsById.set(e.id, e);
    for (const t of data.tests) this.testsById.set(t.id, t);
    // Findings are kept in ascending id order, so every index list is ordered oldest first.
    data.findings.sort((a, b) => a.id - b.id);
    for (const f of data.findings) this.indexFinding(f);
  }

  private indexFinding(f: Finding): void {
    this.findingsById.set(f.id, f);
    addTo(this.findingsByTest, f.testId, f);
    if (f.hashCode != null) addTo(this.findingsByHash, f.hashCode, f);
    if (f.uniqueIdFromTool != null) addTo(this.findingsByUniqueId, f.uniqueIdFromTool, f);
    if (f.filePath) addTo(this.findingsByFile, f.filePath, f);
    if (f.fingerprint) addTo(this.findingsByFingerprint, f.fingerprint, f);
    if (f.duplicate && f.duplicateOf != null) addTo(this.duplicatesOf, f.duplicateOf, f);
  }

  private unindexFinding(f: Finding): void {
    this.findingsById.delete(f.id);
    removeFrom(this.findingsByTest, f.testId, f);
    if (f.hashCode != null) removeFrom(this.findingsByHash, f.hashCode, f);
    if (f.uniqueIdFromTool != null) removeFrom(this.findingsByUniqueId, f.uniqueIdFromTool, f);
    if (f.filePath) removeFrom(this.findingsByFile, f.filePath, f);
    if (f.fingerprint) removeFrom(this.findingsByFingerprint, f.fingerprint, f);
    if (f.duplicate && f.duplicateOf != null) removeFrom(this.duplicatesOf, f.duplicateOf, f);
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

  /** Removes a test record only; its findings must have been removed first. */
  removeTest(testId: number): void {
    const at = this.data.tests.findIndex((t) => t.id === testId);
    if (at >= 0) this.data.tests.splice(at, 1);
    this.testsById.delete(testId);
    this.data.imports = this.data.imports.filter((r) => r.testId !== testId);
  }

  /** Adds a finding; its id must be higher than every stored id (use `nextId('finding')`). */
  addFinding(f: Finding): void {
    this.data.findings.push(f);
    this.indexFinding(f);
  }

  removeFinding(id: number): void {
    const f = this.findingsById.get(id);
    if (!f) return;
    this.unindexFinding(f);
    const at = this.data.findings.indexOf(f);
    if (at >= 0) this.data.findings.splice(at, 1);
  }

  /**
   * Applies a change to the indexed fields of a finding (hash code, unique id, file path,
   * fingerprint, duplicate link) and keeps every index in step.
   */
  updateIndexed(
    f: Finding,
    change: Partial<Pick<Finding, 'hashCode' | 'uniqueIdFromTool' | 'filePath' | 'fingerprint' | 'duplicate' | 'duplicateOf'>>,
  ): void {
    this.unindexFinding(f);
    Object.assign(f, change);
    this.indexFinding(f);
  }

  addImport(r: ImportRecord): void {
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
