import type { Finding, ImportRecord, Severity } from '../../src/model';

/** A stored finding with DefectDojo's defaults for an open, active finding; override what a test needs. */
export function storedFinding(id: number, overrides: Partial<Finding> = {}): Finding {
  const severity: Severity = overrides.severity ?? 'High';
  return {
    id,
    testId: 1,
    title: `Finding ${id}`,
    severity,
    numericalSeverity: 'S1',
    description: 'A description.',
    hashCode: `hash-${id}`,
    date: '2026-11-01',
    cwe: null,
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
    foundBy: ['Semgrep JSON Report'],
    reporter: 'tester',
    created: '2026-11-01T00:00:00.000Z',
    lastStatusUpdate: '2026-11-01T00:00:00.000Z',
    notes: [],
    audit: [],
    filePath: 'src/app.js',
    line: 10,
    ...overrides,
  };
}

/** An import record with the given actions. */
export function importRecord(id: number, testId: number, actions: ImportRecord['actions']): ImportRecord {
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
      closeOldFindings: false,
      closeOldFindingsProductScope: false,
      doNotReactivate: false,
      tags: [],
      scanDate: null,
      service: null,
      applyTagsToFindings: false,
    },
    counts: { created: 0, closed: 0, reactivated: 0, untouched: 0 },
    actions,
  };
}
