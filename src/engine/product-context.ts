import type { Engagement, ParsedReport, Product, ProductType, Test } from '../model';
import type { EngineContext } from './context';
import { nowIso, todayIso } from './context';
import type { Ledger } from './ledger';
import { ImportTargetError } from './types';

/** The product type a product is created in when none is named (docs/improvements.md §2). */
export const DEFAULT_PRODUCT_TYPE_NAME = 'Workspace';

export interface EngagementRef {
  productTypeName?: string;
  productName: string;
  engagementName: string;
}

export interface EnsureEngagementOptions extends EngagementRef {
  /** Only used when the engagement is created; an existing engagement keeps its own value. */
  deduplicationOnEngagement?: boolean;
}

function productByName(ledger: Ledger, name: string): Product | undefined {
  return ledger.data.products.find((p) => p.name === name);
}

function productTypeByName(ledger: Ledger, name: string): ProductType | undefined {
  return ledger.data.productTypes.find((pt) => pt.name === name);
}

/**
 * A named product type must be the product's own (§3.1: "`product_type_name` must match the
 * product's type if given"); DefectDojo refuses the import otherwise.
 */
function checkProductType(ledger: Ledger, product: Product, productTypeName: string | undefined): void {
  if (productTypeName === undefined) return;
  const actual = ledger.data.productTypes.find((pt) => pt.id === product.productTypeId);
  if (!actual || actual.name !== productTypeName) {
    throw new ImportTargetError(
      `Product "${product.name}" is in product type "${actual?.name ?? '(none)'}", not "${productTypeName}".`,
    );
  }
}

/** The engagement with this name in the product; the highest id wins when names repeat (§3.1). */
function engagementByName(ledger: Ledger, productId: number, name: string): Engagement | undefined {
  let best: Engagement | undefined;
  for (const e of ledger.data.engagements) {
    if (e.productId === productId && e.name === name && (!best || e.id > best.id)) best = e;
  }
  return best;
}

/** Resolves an engagement by product and engagement name without creating anything. */
export function findEngagement(ledger: Ledger, ref: EngagementRef): Engagement | undefined {
  const product = productByName(ledger, ref.productName);
  if (!product) return undefined;
  checkProductType(ledger, product, ref.productTypeName);
  return engagementByName(ledger, product.id, ref.engagementName);
}

/** `today + days` as YYYY-MM-DD, UTC. */
function addDays(ctx: EngineContext, days: number): string {
  const d = new Date(ctx.now.getTime());
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * DefectDojo's `auto_create_context` (§3.1): resolves the engagement by product (+ product type
 * check) and engagement name, creating the product type (default `Workspace`), the product and
 * the engagement when missing. A created engagement is `CI/CD`, starts today and ends a year
 * from today, with the requested `deduplication_on_engagement`.
 */
export function ensureEngagement(ledger: Ledger, opts: EnsureEngagementOptions, ctx: EngineContext): Engagement {
  let product = productByName(ledger, opts.productName);
  if (product) {
    checkProductType(ledger, product, opts.productTypeName);
  } else {
    const typeName = opts.productTypeName ?? DEFAULT_PRODUCT_TYPE_NAME;
    let productType = productTypeByName(ledger, typeName);
    if (!productType) {
      productType = { id: ledger.nextId('productType'), name: typeName };
      ledger.addProductType(productType);
    }
    product = { id: ledger.nextId('product'), name: opts.productName, productTypeId: productType.id };
    ledger.addProduct(product);
  }
  const existing = engagementByName(ledger, product.id, opts.engagementName);
  if (existing) return existing;
  const engagement: Engagement = {
    id: ledger.nextId('engagement'),
    name: opts.engagementName,
    productId: product.id,
    engagementType: 'CI/CD',
    deduplicationOnEngagement: opts.deduplicationOnEngagement ?? false,
    targetStart: todayIso(ctx),
    targetEnd: addDays(ctx, 365),
  };
  ledger.addEngagement(engagement);
  return engagement;
}

export interface CreateTestOptions {
  engagement: Engagement;
  scanType: string;
  /** Test_Type name; defaults to the scan type (parsers without `get_tests`). */
  testType?: string;
  title?: string | null;
  description?: string | null;
  /** Timestamp for `target_start` / `target_end`; default now. */
  scanDate?: string | null;
  version?: string;
  buildId?: string;
  commitHash?: string;
  branchTag?: string;
  tags?: string[];
}

/** Creates a test in an engagement, as DefectDojo does before parsing into it (§3.2 step 1). */
export function createTest(ledger: Ledger, opts: CreateTestOptions, ctx: EngineContext): Test {
  const at = opts.scanDate ?? nowIso(ctx);
  const test: Test = {
    id: ledger.nextId('test'),
    engagementId: opts.engagement.id,
    scanType: opts.scanType,
    testType: opts.testType ?? opts.scanType,
    title: opts.title ?? null,
    description: opts.description ?? null,
    version: opts.version ?? '',
    buildId: opts.buildId ?? '',
    commitHash: opts.commitHash ?? '',
    branchTag: opts.branchTag ?? '',
    targetStart: at,
    targetEnd: at,
    tags: (opts.tags ?? []).map((t) => t.toLowerCase()),
    created: nowIso(ctx),
  };
  ledger.addTest(test);
  return test;
}

export interface ReimportTargetQuery {
  testId?: number;
  scanType: string;
  testTitle?: string | null;
  /** The engagement resolved from the request, when one was named and exists. */
  engagement?: Engagement;
}

/**
 * DefectDojo's reimport target (§4.1 rules 1–3): a given test id wins, but must lie in the
 * resolved engagement; otherwise the highest-id test of the engagement with the same scan type
 * and, when a title is asked for, the same title (without a title any test matches, titled or
 * not). Undefined means "no test": the caller imports instead (rule 4).
 */
export function findReimportTarget(ledger: Ledger, query: ReimportTargetQuery): Test | undefined {
  if (query.testId !== undefined) {
    const test = ledger.test(query.testId);
    if (!test) throw new ImportTargetError(`Test ${query.testId} does not exist.`);
    if (query.engagement && test.engagementId !== query.engagement.id) {
      throw new ImportTargetError(
        `Test ${test.id} is not in engagement "${query.engagement.name}" (id ${query.engagement.id}).`,
      );
    }
    return test;
  }
  if (!query.engagement) return undefined;
  let best: Test | undefined;
  for (const t of ledger.data.tests) {
    if (t.engagementId !== query.engagement.id || t.scanType !== query.scanType) continue;
    if (query.testTitle != null && t.title !== query.testTitle) continue;
    if (!best || t.id > best.id) best = t;
  }
  return best;
}

/**
 * DefectDojo's Test_Type naming for parsers with `get_tests` (§3.2 step 1), from the tool name
 * `T` of the report's first internal test. Parsers already return the derived name in
 * `ParsedReport.testType`; this is for parsers and callers that only know the tool name.
 */
export function testTypeName(scanType: string, toolType: string | null | undefined): string {
  const t = toolType ?? '';
  if (t === '' || t === scanType) return scanType;
  if (t.endsWith(` (${scanType})`)) return t;
  if (`${t} Scan` === scanType) return scanType;
  return `${t} Scan (${scanType})`;
}

/**
 * The Test_Type names a report may be reimported under (§4.1 rule 5): its own name, the older
 * DefectDojo naming without ` Scan` (`CodeQL (SARIF)`), and the bare scan type.
 */
export function acceptedTestTypeNames(report: Pick<ParsedReport, 'scanType' | 'testType'>): Set<string> {
  const names = new Set<string>([report.testType, report.scanType]);
  const suffix = ` Scan (${report.scanType})`;
  if (report.testType.endsWith(suffix)) {
    names.add(`${report.testType.slice(0, -suffix.length)} (${report.scanType})`);
  }
  return names;
}

/** Refuses a reimport whose report names another Test_Type than the target test (§4.1 rule 5). */
export function checkReimportTestType(test: Test, report: Pick<ParsedReport, 'scanType' | 'testType' | 'noInternalTest'>): void {
  // A report with no internal test names no tool, so there is nothing to conflict with: DefectDojo's
  // `consolidate_dynamic_tests` returns before its check and keeps the test (empty SARIF log).
  if (report.noInternalTest === true) return;
  if (acceptedTestTypeNames(report).has(test.testType)) return;
  throw new ImportTargetError(
    `Test ${test.id} holds "${test.testType}" results but the report is "${report.testType}"; ` +
      'reimport it into a test of that type or import it as a new test.',
  );
}
