import type { Severity } from './finding';

/** DefectDojo's four matching algorithms plus our own `fingerprint` (docs/improvements.md §4). */
export type DedupeAlgorithm =
  | 'hash_code'
  | 'unique_id_from_tool'
  | 'unique_id_from_tool_or_hash_code'
  | 'legacy'
  | 'fingerprint';

export const DEDUPE_ALGORITHMS: readonly DedupeAlgorithm[] = [
  'hash_code',
  'unique_id_from_tool',
  'unique_id_from_tool_or_hash_code',
  'legacy',
  'fingerprint',
];

/** The severities an SLA can apply to: DefectDojo never gives Info findings an SLA (§1.6). */
export type SlaSeverity = Exclude<Severity, 'Info'>;

/**
 * Days to fix per severity, DefectDojo's `SLA_Configuration`. Null stands for an unticked
 * `enforce_<severity>` flag: findings of that severity get no expiration date.
 */
export type SlaDays = Record<SlaSeverity, number | null>;

/** DefectDojo's default `SLA_Configuration`: Critical 7, High 30, Medium 90, Low 120 days. */
export const DEFAULT_SLA_DAYS: Readonly<SlaDays> = { Critical: 7, High: 30, Medium: 90, Low: 120 };

/** One watched report pattern (docs/improvements.md §8). */
export interface WatchEntry {
  glob: string;
  scanType?: string;
  engagement?: string;
  testTitle?: string;
}

/**
 * Every setting, keyed exactly as the CLI `config` command and `settings.json` (with the
 * `scanLedger.` prefix) name it. The per-scan-type tables hold overrides that are merged key by
 * key over DefectDojo's defaults, as DefectDojo's `DD_HASHCODE_FIELDS_PER_SCANNER` is.
 */
export interface Settings {
  defectdojoParity: boolean;
  'dedupe.enabled': boolean;
  'dedupe.algorithmPerScanType': Record<string, DedupeAlgorithm>;
  /** Field names in camelCase (`filePath`, `vulnIdFromTool`, `vulnerabilityIds`, …). */
  'dedupe.hashFieldsPerScanType': Record<string, string[]>;
  'dedupe.hashAllowsNullCwePerScanType': Record<string, boolean>;
  'dedupe.hashFieldsAlways': string[];
  'dedupe.endpointFields': string[];
  'dedupe.deleteDuplicates': boolean;
  'dedupe.maxDuplicates': number | null;
  /**
   * Duplicate health (issue 17): the share of a test's findings, in percent, that must duplicate
   * another test's before the tree and `scan-ledger duplicates` warn that the report is imported
   * as a new test where it should be reimported.
   */
  'duplicates.warnThreshold': number;
  falsePositiveHistory: boolean;
  retroactiveFalsePositiveHistory: boolean;
  'import.closeOldFindings': boolean;
  'reimport.closeOldFindings': boolean;
  'reimport.doNotReactivate': boolean;
  minimumSeverity: Severity;
  /** Improvement 1: bind each incoming finding to a distinct stored finding. */
  'reimport.oneToOneMatching': boolean;
  /** Improvement 2: a repeated, empty or placeholder unique id counts as no unique id. */
  'reimport.ignoreUnreliableUniqueIds': boolean;
  /** Improvement 3: synchronise CVE / vulnerability ids before hashing on reimport too. */
  'reimport.syncVulnerabilityIdsBeforeHash': boolean;
  /** Improvement 4: a finding closed by the report is closed once and keeps the report's date. */
  'reimport.closeReportClosedOnce': boolean;
  /** Improvement 5: false-positive history applies the status invariants (mitigates). */
  falsePositiveHistoryMitigates: boolean;
  /** Improvement 6: a reimport without version / branch / build / commit keeps the stored values. */
  'reimport.keepTestMetadata': boolean;
  /** Improvement 7: an incoming suppressed or false-positive result does not reopen a mitigated finding. */
  'reimport.suppressedDoesNotReactivate': boolean;
  /** Improvement 8: extra CWEs are reconciled from the incoming finding. */
  'reimport.reconcileCwes': boolean;
  /** Improvement 9: fields refreshed on matched findings; empty means DefectDojo's freeze. */
  'reimport.refreshMatchedFields': string[];
  /** Improvement 10: recompute stored hash codes when the hash configuration changes. */
  'dedupe.rehashOnConfigChange': boolean;
  /** DefectDojo's `enable_finding_sla`: compute SLA expiration dates at all (§1.6). */
  'sla.enabled': boolean;
  /** DefectDojo's `SLA_Configuration` days per severity (null: not enforced). */
  'sla.days': SlaDays;
  /** DefectDojo's `restart_sla_on_reactivation`: a reimport reactivation restarts the SLA today. */
  'sla.restartOnReactivation': boolean;
  /** Reports larger than this are refused before parsing (bytes). */
  maxReportSizeMb: number;
  watch: WatchEntry[];
  /**
   * Globs of folders and files the watcher and the start-up sweep never import from, on top of
   * `files.exclude`. The default keeps test and fixture folders out: projects keep sample
   * reports of many scanners there, and those are not findings of the project's code.
   */
  watchExclude: string[];
  storePath: string;
  /**
   * The team's DefectDojo server (issue 14), e.g. `https://defectdojo.example.com`; empty for
   * none. The API token is never a setting: the editor keeps it in its secret storage and the
   * CLI reads `DD_API_TOKEN`.
   */
  'defectdojo.url': string;
  /** The server's product for this folder; empty means the local product's name. */
  'defectdojo.product': string;
  /** The server's engagement for pushed reports; empty means the local engagement's name. */
  'defectdojo.engagement': string;
  /**
   * The product type a push files a new product under (DefectDojo's `product_type_name`, which
   * its reimport needs to create a product); empty sends none, so the product must exist.
   */
  'defectdojo.productType': string;
  /** Whether the editor sends every watched reimport to the server as well. */
  'defectdojo.pushOnWatchedReimport': boolean;
}

/** The names of the ten improvement settings, which `defectdojoParity` turns off. */
export const IMPROVEMENT_KEYS = [
  'reimport.oneToOneMatching',
  'reimport.ignoreUnreliableUniqueIds',
  'reimport.syncVulnerabilityIdsBeforeHash',
  'reimport.closeReportClosedOnce',
  'falsePositiveHistoryMitigates',
  'reimport.keepTestMetadata',
  'reimport.suppressedDoesNotReactivate',
  'reimport.reconcileCwes',
  'reimport.refreshMatchedFields',
  'dedupe.rehashOnConfigChange',
] as const satisfies readonly (keyof Settings)[];

export const DEFAULT_REFRESHED_FIELDS: readonly string[] = [
  'line',
  'endLine',
  'column',
  'endColumn',
  'snippet',
  'description',
  'severity',
  'mitigation',
  'references',
  'fixAvailable',
  'fixVersion',
  'resolvedPath',
];

export const DEFAULT_WATCH: readonly WatchEntry[] = [
  { glob: '**/*.sarif' },
  { glob: '**/*.sarif.json' },
  { glob: '**/semgrep*.json' },
  { glob: '**/trivy*.json' },
  { glob: '**/gitleaks*.json' },
  { glob: '**/bandit*.json' },
  { glob: '**/results_json.json' },
  { glob: '**/checkov*.json' },
  { glob: '**/dependency-check-report.xml' },
  { glob: '**/zap*.xml' },
  { glob: '**/npm-audit*.json' },
  { glob: '**/gosec*.json' },
  { glob: '**/spotbugs*.xml' },
  { glob: '**/findings*.json' },
];

/** Folders whose reports are samples, not findings of the project: never watched by default. */
export const DEFAULT_WATCH_EXCLUDE: readonly string[] = ['**/{test,tests,unittests,fixtures,testdata,__tests__}/**'];

export function defaultSettings(): Settings {
  return {
    defectdojoParity: false,
    'dedupe.enabled': true,
    'dedupe.algorithmPerScanType': {},
    'dedupe.hashFieldsPerScanType': {},
    'dedupe.hashAllowsNullCwePerScanType': {},
    'dedupe.hashFieldsAlways': ['service'],
    'dedupe.endpointFields': ['host', 'path'],
    'dedupe.deleteDuplicates': false,
    'dedupe.maxDuplicates': 10,
    'duplicates.warnThreshold': 80,
    falsePositiveHistory: false,
    retroactiveFalsePositiveHistory: false,
    'import.closeOldFindings': false,
    'reimport.closeOldFindings': true,
    'reimport.doNotReactivate': false,
    minimumSeverity: 'Info',
    'reimport.oneToOneMatching': true,
    'reimport.ignoreUnreliableUniqueIds': true,
    'reimport.syncVulnerabilityIdsBeforeHash': true,
    'reimport.closeReportClosedOnce': true,
    falsePositiveHistoryMitigates: true,
    'reimport.keepTestMetadata': true,
    'reimport.suppressedDoesNotReactivate': true,
    'reimport.reconcileCwes': true,
    'reimport.refreshMatchedFields': [...DEFAULT_REFRESHED_FIELDS],
    'dedupe.rehashOnConfigChange': true,
    'sla.enabled': true,
    'sla.days': { ...DEFAULT_SLA_DAYS },
    'sla.restartOnReactivation': false,
    maxReportSizeMb: 256,
    watch: DEFAULT_WATCH.map((w) => ({ ...w })),
    watchExclude: [...DEFAULT_WATCH_EXCLUDE],
    storePath: '.scan-ledger/store.json',
    'defectdojo.url': '',
    'defectdojo.product': '',
    'defectdojo.engagement': '',
    'defectdojo.productType': '',
    'defectdojo.pushOnWatchedReimport': false,
  };
}

/**
 * The settings the engine actually runs with: with `defectdojoParity` on, every improvement is
 * off, whatever its own value, so the engine reproduces DefectDojo quirks included.
 */
export function effectiveSettings(settings: Settings): Settings {
  if (!settings.defectdojoParity) return settings;
  return {
    ...settings,
    'reimport.oneToOneMatching': false,
    'reimport.ignoreUnreliableUniqueIds': false,
    'reimport.syncVulnerabilityIdsBeforeHash': false,
    'reimport.closeReportClosedOnce': false,
    falsePositiveHistoryMitigates: false,
    'reimport.keepTestMetadata': false,
    'reimport.suppressedDoesNotReactivate': false,
    'reimport.reconcileCwes': false,
    'reimport.refreshMatchedFields': [],
    'dedupe.rehashOnConfigChange': false,
  };
}
