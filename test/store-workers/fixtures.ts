import { SEVERITIES, type Finding, type ImportRecord } from '../../src/model';
import type { Ledger } from '../../src/engine/ledger';
import { importRecord, storedFinding } from '../builders';

/**
 * Builders shared by the store tests and the child processes they spawn: a product, an
 * engagement and one test to hang findings on, findings with every required field, and import
 * records used as markers ("this write committed").
 */

const CREATED = '2026-01-01T00:00:00.000Z';

/** Creates the product type, product, engagement and test once; returns the test id. */
export function ensureTest(ledger: Ledger): number {
  const existing = ledger.data.tests[0];
  if (existing) return existing.id;
  const productTypeId = ledger.nextId('productType');
  ledger.addProductType({ id: productTypeId, name: 'Research and Development' });
  const productId = ledger.nextId('product');
  ledger.addProduct({ id: productId, name: 'store-test', productTypeId });
  const engagementId = ledger.nextId('engagement');
  ledger.addEngagement({
    id: engagementId,
    name: 'Local scans',
    productId,
    engagementType: 'CI/CD',
    deduplicationOnEngagement: false,
    targetStart: '2026-01-01',
    targetEnd: '2026-01-01',
  });
  const testId = ledger.nextId('test');
  ledger.addTest({
    id: testId,
    engagementId,
    scanType: 'Generic Findings Import',
    testType: 'Generic Findings Import',
    title: null,
    version: '',
    buildId: '',
    commitHash: '',
    branchTag: '',
    targetStart: CREATED,
    targetEnd: CREATED,
    tags: [],
    created: CREATED,
  });
  return testId;
}

/** A stored finding with every required field; `n` varies the content so hash codes differ. */
export function makeFinding(id: number, testId: number, n: number, description: string): Finding {
  return storedFinding({
    id,
    testId,
    title: `Finding ${n}: use of a weak hash in module ${n % 97}`,
    severity: SEVERITIES[n % 5],
    description,
    hashCode: `hash-${n.toString(16).padStart(8, '0')}`,
    cwe: 327,
    filePath: `src/module-${n % 97}/file-${n}.ts`,
    line: (n % 400) + 1,
    foundBy: ['Generic Findings Import'],
    reporter: 'store-test',
  });
}

/** An import record whose id is the marker the tests look for after a crash. */
export function makeMarker(id: number, testId: number, label: string): ImportRecord {
  return importRecord({ id, testId, type: 'reimport', version: label });
}
