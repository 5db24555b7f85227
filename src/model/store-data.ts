import type { Engagement, ImportRecord, Product, ProductType, Test } from './context';
import type { Finding } from './finding';

/** Bumped whenever the persisted shape changes; the store migrates older files on load. */
export const STORE_SCHEMA_VERSION = 1;

/** Everything the store file holds: data only; indexes are rebuilt in memory on load. */
export interface StoreData {
  schemaVersion: number;
  /** The next id to hand out per kind; ids only grow, so "older" means "lower id". */
  nextIds: {
    productType: number;
    product: number;
    engagement: number;
    test: number;
    finding: number;
    importRecord: number;
    note: number;
  };
  productTypes: ProductType[];
  products: Product[];
  engagements: Engagement[];
  tests: Test[];
  findings: Finding[];
  imports: ImportRecord[];
  /**
   * The hash configuration each stored hash code was computed with, per test type, so a
   * configuration change can be detected and previewed (improvement 10).
   */
  hashConfigFingerprints: Record<string, string>;
}

export function emptyStoreData(): StoreData {
  return {
    schemaVersion: STORE_SCHEMA_VERSION,
    nextIds: { productType: 1, product: 1, engagement: 1, test: 1, finding: 1, importRecord: 1, note: 1 },
    productTypes: [],
    products: [],
    engagements: [],
    tests: [],
    findings: [],
    imports: [],
    hashConfigFingerprints: {},
  };
}
