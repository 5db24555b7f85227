import type { EngineContext } from '../../src/engine/context';
import { Ledger } from '../../src/engine/ledger';
import { emptyStoreData, type Engagement, type Finding, type Settings, type Test } from '../../src/model';
import { engineContext, storedFinding } from '../builders';

/** The fixed clock every dedupe, triage and delete test runs under. */
export const NOW = new Date('2026-03-15T10:00:00.000Z');

/**
 * An engine context with default settings plus `overrides`; `parity: true` turns on
 * `defectdojoParity` and runs `effectiveSettings`, as the real layers do.
 */
export function makeContext(overrides: Partial<Settings> = {}, opts: { parity?: boolean; now?: Date; user?: string } = {}): EngineContext {
  return engineContext({ settings: { ...overrides, defectdojoParity: opts.parity ?? false }, now: opts.now ?? NOW, user: opts.user });
}

/** A small product / engagement / test / finding hierarchy over a fresh ledger. */
export class World {
  readonly ledger = new Ledger(emptyStoreData());

  product(name = `product ${this.ledger.data.nextIds.product}`): number {
    const id = this.ledger.nextId('product');
    this.ledger.addProduct({ id, name, productTypeId: 1 });
    return id;
  }

  engagement(productId: number, opts: { dedupeOnEngagement?: boolean } = {}): Engagement {
    const id = this.ledger.nextId('engagement');
    const e: Engagement = {
      id,
      name: `engagement ${id}`,
      productId,
      engagementType: 'CI/CD',
      deduplicationOnEngagement: opts.dedupeOnEngagement ?? false,
      targetStart: '2026-01-01',
      targetEnd: '2026-12-31',
    };
    this.ledger.addEngagement(e);
    return e;
  }

  test(engagementId: number, opts: { testType?: string; scanType?: string } = {}): Test {
    const id = this.ledger.nextId('test');
    const scanType = opts.scanType ?? opts.testType ?? 'Bandit Scan';
    const t: Test = {
      id,
      engagementId,
      scanType,
      testType: opts.testType ?? scanType,
      title: null,
      version: '',
      buildId: '',
      commitHash: '',
      branchTag: '',
      targetStart: '2026-01-01',
      targetEnd: '2026-12-31',
      tags: [],
      created: NOW.toISOString(),
    };
    this.ledger.addTest(t);
    return t;
  }

  /** A stored finding with DefectDojo's defaults (active, unverified, original). */
  finding(testId: number, fields: Partial<Finding> = {}): Finding {
    const id = this.ledger.nextId('finding');
    const testType = this.ledger.test(testId)?.testType ?? 'Bandit Scan';
    const f = storedFinding({
      id,
      testId,
      title: 'Use of eval',
      description: 'eval is dangerous',
      hashCode: 'hash-a',
      date: '2026-03-01',
      cwe: 95,
      filePath: 'src/app.py',
      line: 12,
      foundBy: [testType],
      reporter: 'alice',
      created: NOW.toISOString(),
      lastStatusUpdate: NOW.toISOString(),
      ...fields,
    });
    this.ledger.addFinding(f);
    return f;
  }

  /** Links `dup` to `original` the way stored data holds it. */
  link(dup: Finding, original: Finding): void {
    dup.active = false;
    dup.verified = false;
    this.ledger.updateIndexed(dup, { duplicate: true, duplicateOf: original.id });
  }
}

/** A world with one product, one engagement and one test of `testType`. */
export function singleTestWorld(testType = 'Bandit Scan'): { world: World; productId: number; engagement: Engagement; test: Test } {
  const world = new World();
  const productId = world.product();
  const engagement = world.engagement(productId);
  const test = world.test(engagement.id, { testType });
  return { world, productId, engagement, test };
}

/** A mitigated finding as a close-old or a manual mitigation leaves it. */
export const MITIGATED: Partial<Finding> = {
  active: false,
  isMitigated: true,
  mitigated: '2026-03-01T00:00:00.000Z',
  mitigatedBy: 'bob',
};
