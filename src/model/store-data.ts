import type { Engagement, ImportRecord, Product, ProductType, Test } from './context';
import type { Finding } from './finding';

/**
 * Bumped whenever the persisted shape changes; the store migrates older files on load.
 * Version 2 (issue 13) splits the store into an index, one document per test and a journal; the
 * data itself is version 1's. Version 3 lets a journal entry add findings and import records (a
 * reimport that changes a small part of a large test); a release that reads version 2 would
 * skip them, so it must refuse the store instead.
 */
export const STORE_SCHEMA_VERSION = 3;

/**
 * A finding group (DefectDojo's `Finding_Group`), created by an import or reimport's `group_by`
 * option (§3.4). Groups belong to one test; a finding may be in several groups when runs grouped
 * the test by different options, as DefectDojo's many-to-many relation allows.
 */
export interface FindingGroup {
  id: number;
  testId: number;
  /** `Findings in: <key>`, at most 255 characters as DefectDojo stores it. */
  name: string;
  /** Member finding ids, oldest first. */
  findingIds: number[];
  /** Who created the group: DefectDojo looks groups up by test, creator and name. */
  creator?: string;
  created?: string;
}

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
  /**
   * Finding groups (§3.4). Optional so store files written before groups existed load as they
   * are: a missing list means no groups, and the list is only written once a group exists.
   */
  findingGroups?: FindingGroup[];
  /**
   * What `pull` and "Sync with DefectDojo" remember per DefectDojo server (keyed by the server's
   * URL): the last sync and which server finding each local finding was matched to. Optional and
   * additive, so store files written before it, and versions of Scan Ledger without it, load as
   * they are; no schema version bump is needed.
   */
  defectdojoSync?: Record<string, DefectDojoSyncState>;
}

/** One server's sync state (issue 14). */
export interface DefectDojoSyncState {
  /** When the last completed sync ended (ISO), or null before the first. */
  lastSync: string | null;
  /** Local finding id → the server finding it matched, with the decision both sides agreed on. */
  links: Record<string, DefectDojoLink>;
  /** Ids of local notes already sent to the server, so none is sent twice. */
  sentNotes: number[];
}

export interface DefectDojoLink {
  serverId: number;
  /**
   * The triage decision both sides held at the end of the last sync (`active`, `false-positive`,
   * …): the common base that tells which side changed since, so only a real change moves.
   */
  agreed: string | null;
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
