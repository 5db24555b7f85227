/**
 * Builds small ledgers for the editor's view-model tests (tree, export, settings preview): one
 * product, engagements, tests, findings and import records with the fields the views read.
 */
import { Ledger } from '../../src/engine/ledger';
import type { Finding, FindingAction, ImportRecord, Severity, Test } from '../../src/model';
import { emptyStoreData, SEVERITY_RANK } from '../../src/model';

export function aFinding(id: number, testId: number, overrides: Partial<Finding> = {}): Finding {
  const severity: Severity = overrides.severity ?? 'High';
  return {
    id,
    testId,
    title: `Finding ${id}`,
    severity,
    numericalSeverity: `S${SEVERITY_RANK[severity]}`,
    description: `Description of finding ${id}`,
    hashCode: `hash-${id}`,
    date: '2026-11-01',
    cwe: 79,
    vulnerabilityIds: [],
    cwes: [],
    endpoints: [],
    tags: [],
    active: true,
    verified: false,
    falsePositive: false,
    outOfScope: false,
    riskAccepted: false,
    underReview: false,
    isMitigated: false,
    mitigated: null,
    mitigatedBy: null,
    staticFinding: true,
    dynamicFinding: false,
    duplicate: false,
    duplicateOf: null,
    foundBy: ['SARIF'],
    reporter: 'tester',
    created: '2026-11-01T10:00:00.000Z',
    lastStatusUpdate: '2026-11-01T10:00:00.000Z',
    notes: [],
    audit: [],
    filePath: 'src/app.ts',
    line: id,
    ...overrides,
  };
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

export function anImport(
  id: number,
  testId: number,
  actions: [number, FindingAction][],
  overrides: Partial<ImportRecord> = {},
): ImportRecord {
  const counts = { created: 0, closed: 0, reactivated: 0, untouched: 0 };
  for (const [, action] of actions) counts[action]++;
  return {
    id,
    testId,
    type: id === 1 ? 'import' : 'reimport',
    created: `2026-11-0${Math.min(id, 9)}T10:00:00.000Z`,
    version: '',
    branchTag: '',
    buildId: '',
    commitHash: '',
    settings: {
      active: null,
      verified: null,
      minimumSeverity: 'Info',
      closeOldFindings: true,
      closeOldFindingsProductScope: false,
      doNotReactivate: false,
      tags: [],
      scanDate: null,
      service: null,
      applyTagsToFindings: false,
    },
    counts,
    actions: actions.map(([findingId, action]) => ({ findingId, action })),
    ...overrides,
  };
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
