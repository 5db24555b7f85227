/**
 * Builds small ledgers for the editor's view-model tests (tree, export, settings preview): one
 * product, engagements, tests, findings and import records with the fields the views read.
 */
import { Ledger } from '../../src/engine/ledger';
import type { Finding, FindingAction, ImportRecord, Test } from '../../src/model';
import { emptyStoreData } from '../../src/model';
import { importRecord, importSettings, storedFinding } from '../builders';

/** A stored finding at `src/app.ts`, line `id`, found by CodeQL's SARIF; override what a test needs. */
export function aFinding(id: number, testId: number, overrides: Partial<Finding> = {}): Finding {
  return storedFinding({
    id,
    testId,
    description: `Description of finding ${id}`,
    date: '2026-11-01',
    cwe: 79,
    foundBy: ['SARIF'],
    created: '2026-11-01T10:00:00.000Z',
    lastStatusUpdate: '2026-11-01T10:00:00.000Z',
    filePath: 'src/app.ts',
    line: id,
    ...overrides,
  });
}

export function aTest(id: number, engagementId: number, overrides: Partial<Test> = {}): Test {
  return {
    id,
    engagementId,
    scanType: 'SARIF',
    testType: 'CodeQL Scan (SARIF)',
    title: null,
    version: '',
    buildId: '',
    commitHash: '',
    branchTag: '',
    targetStart: '2026-11-01',
    targetEnd: '2026-11-01',
    tags: [],
    created: '2026-11-01T10:00:00.000Z',
    ...overrides,
  };
}

/** Record 1 is the import, later ones reimports a day apart; counts follow the actions. */
export function anImport(
  id: number,
  testId: number,
  actions: [number, FindingAction][],
  overrides: Partial<ImportRecord> = {},
): ImportRecord {
  const counts = { created: 0, closed: 0, reactivated: 0, untouched: 0 };
  for (const [, action] of actions) counts[action]++;
  return importRecord({
    id,
    testId,
    type: id === 1 ? 'import' : 'reimport',
    created: `2026-11-0${Math.min(id, 9)}T10:00:00.000Z`,
    settings: importSettings({ closeOldFindings: true }),
    counts,
    actions: actions.map(([findingId, action]) => ({ findingId, action })),
    ...overrides,
  });
}

/** A ledger with product 1 ("app") and engagement 1 ("Local scans"), plus the given tests, findings and imports. */
export function aLedger(tests: Test[], findings: Finding[], imports: ImportRecord[] = []): Ledger {
  const data = emptyStoreData();
  data.productTypes.push({ id: 1, name: 'Workspace' });
  data.products.push({ id: 1, name: 'app', productTypeId: 1 });
  const engagementIds = new Set(tests.map((t) => t.engagementId));
  if (engagementIds.size === 0) engagementIds.add(1);
  for (const id of [...engagementIds].sort((a, b) => a - b)) {
    data.engagements.push({
      id,
      name: id === 1 ? 'Local scans' : `Engagement ${id}`,
      productId: 1,
      engagementType: 'CI/CD',
      deduplicationOnEngagement: false,
      targetStart: '2026-11-01',
      targetEnd: '2026-11-01',
    });
  }
  data.tests.push(...tests);
  data.findings.push(...findings);
  data.imports.push(...imports);
  data.nextIds.finding = Math.max(0, ...findings.map((f) => f.id)) + 1;
  data.nextIds.test = Math.max(0, ...tests.map((t) => t.id)) + 1;
  data.nextIds.importRecord = Math.max(0, ...imports.map((r) => r.id)) + 1;
  data.nextIds.engagement = Math.max(...engagementIds) + 1;
  data.nextIds.product = 2;
  data.nextIds.productType = 2;
  return new Ledger(data);
}
