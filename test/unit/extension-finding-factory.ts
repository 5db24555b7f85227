import type { Finding, ImportRecord } from '../../src/model';
import * as builders from '../builders';

/** A stored finding of test 1 at `src/app.js:10`, found by Semgrep; override what a test needs. */
export function storedFinding(id: number, overrides: Partial<Finding> = {}): Finding {
  return builders.storedFinding({
    id,
    testId: 1,
    date: '2026-11-01',
    created: '2026-11-01T00:00:00.000Z',
    lastStatusUpdate: '2026-11-01T00:00:00.000Z',
    foundBy: ['Semgrep JSON Report'],
    filePath: 'src/app.js',
    line: 10,
    ...overrides,
  });
}

/** An import record with the given actions: record 1 is the import, later ones reimports, a day apart. */
export function importRecord(id: number, testId: number, actions: ImportRecord['actions']): ImportRecord {
  return builders.importRecord({
    id,
    testId,
    type: id === 1 ? 'import' : 'reimport',
    created: `2026-11-0${Math.min(id, 9)}T10:00:00.000Z`,
    actions,
  });
}
