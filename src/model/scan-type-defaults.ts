import type { DedupeAlgorithm } from './settings';

/**
 * DefectDojo 3.2's per-scan-type deduplication defaults (`DEDUPLICATION_ALGORITHM_PER_PARSER`,
 * `HASHCODE_FIELDS_PER_SCANNER`, `HASHCODE_ALLOWS_NULL_CWE` in `dojo/settings/settings.dist.py`),
 * shipped as data so users can override them key by key. Field names are camelCase; the hash
 * code renders them under DefectDojo's snake_case semantics. A scan type without a field list
 * uses the legacy hash; a scan type without an algorithm uses `legacy`.
 */
export interface ScanTypeDefaults {
  algorithm?: DedupeAlgorithm;
  hashFields?: string[];
  allowsNullCwe?: boolean;
}

const LEGACY_HASH: undefined = undefined;

export const DEFECTDOJO_SCAN_TYPE_DEFAULTS: Readonly<Record<string, ScanTypeDefaults>> = {
  SARIF: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Semgrep JSON Report': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Bandit Scan': { algorithm: 'hash_code', hashFields: ['filePath', 'line', 'vulnIdFromTool'], allowsNullCwe: true },
  'Gitleaks Scan': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Trivy Scan': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'vulnerabilityIds', 'cwe', 'description'], allowsNullCwe: true },
  'Trivy Operator Scan': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'vulnerabilityIds', 'description'], allowsNullCwe: true },
  'Checkov Scan': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Dependency Check Scan': { algorithm: 'hash_code', hashFields: ['title', 'cwe', 'filePath'], allowsNullCwe: true },
  'ZAP Scan': { algorithm: 'hash_code', hashFields: ['title', 'cwe', 'severity'], allowsNullCwe: false },
  'Snyk Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'filePath', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'Snyk Code Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'filePath'], allowsNullCwe: true },
  'NPM Audit Scan': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'filePath', 'vulnerabilityIds', 'cwe'], allowsNullCwe: true },
  'NPM Audit v7+ Scan': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'cwe', 'vulnIdFromTool'], allowsNullCwe: true },
  'Yarn Audit Scan': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'filePath', 'vulnerabilityIds', 'cwe'], allowsNullCwe: true },
  'SpotBugs Scan': { algorithm: 'hash_code', hashFields: ['cwe', 'severity', 'filePath', 'line'], allowsNullCwe: false },
  // Gosec, Brakeman, ESLint and Retire.js have no configured entry in DefectDojo: legacy.
  'Trufflehog Scan': { algorithm: 'hash_code', hashFields: ['title', 'description', 'line'], allowsNullCwe: true },
  'Trufflehog3 Scan': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Detect-secrets Scan': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Secretlint Scan': { algorithm: 'hash_code', hashFields: ['filePath', 'line', 'vulnIdFromTool'], allowsNullCwe: true },
  'Nosey Parker Scan': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  Whispers: { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'filePath', 'line'], allowsNullCwe: true },
  'Horusec Scan': { algorithm: 'hash_code', hashFields: ['title', 'description', 'filePath', 'line'], allowsNullCwe: true },
  'Anchore Grype': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'Anchore Grype detailed': { algorithm: 'unique_id_from_tool', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Nuclei Scan': { algorithm: 'hash_code', hashFields: ['title', 'cwe', 'severity', 'componentName'], allowsNullCwe: true },
  'Generic Findings Import': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Hadolint Dockerfile check': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'KICS Scan': { algorithm: 'hash_code', hashFields: ['filePath', 'line', 'severity', 'description', 'title'], allowsNullCwe: true },
  'TFSec Scan': { algorithm: 'hash_code', hashFields: ['severity', 'vulnIdFromTool', 'filePath', 'line'], allowsNullCwe: true },
  'Terrascan Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'title', 'severity', 'filePath', 'line', 'componentName'], allowsNullCwe: true },
  'cfn-lint Scan': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'cfn-nag Scan': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  KubeLinter: { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  Conftest: { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Kubescape JSON Importer': { algorithm: 'hash_code', hashFields: ['title', 'componentName'], allowsNullCwe: true },
  'njsscan Scan': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Mobsfscan Scan': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'cwe', 'filePath', 'description'], allowsNullCwe: false },
  'Bearer CLI': { algorithm: 'hash_code', hashFields: ['title', 'severity'], allowsNullCwe: true },
  'OSV Scan': { algorithm: 'hash_code', hashFields: ['title', 'description', 'severity'], allowsNullCwe: true },
  'CycloneDX Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'SPDX Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'OpenVEX Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'CSAF Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'pip-audit Scan': { algorithm: 'hash_code', hashFields: ['vulnIdFromTool', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'pnpm Audit Scan': { algorithm: 'hash_code', hashFields: ['componentName', 'componentVersion', 'vulnIdFromTool'], allowsNullCwe: true },
  'Dotnet Vulnerable Packages Scan': { algorithm: 'hash_code', hashFields: ['componentName', 'componentVersion', 'vulnIdFromTool'], allowsNullCwe: true },
  'Mix Audit Scan': { algorithm: 'hash_code', hashFields: ['componentName', 'componentVersion', 'vulnIdFromTool'], allowsNullCwe: true },
  'Composer Audit Scan': { algorithm: 'hash_code', hashFields: ['componentName', 'vulnIdFromTool'], allowsNullCwe: true },
  'CargoAudit Scan': { algorithm: 'hash_code', hashFields: ['vulnerabilityIds', 'severity', 'componentName', 'componentVersion', 'vulnIdFromTool'], allowsNullCwe: true },
  'Govulncheck Scanner': { algorithm: 'unique_id_from_tool', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'GitLab SAST Report': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'GitLab Secret Detection Report': { algorithm: 'hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'GitLab Dependency Scanning Report': { algorithm: 'hash_code', hashFields: ['title', 'vulnerabilityIds', 'filePath', 'componentName', 'componentVersion'], allowsNullCwe: true },
  'Github SAST Scan': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['vulnIdFromTool', 'severity', 'filePath', 'line'], allowsNullCwe: true },
  'Github Vulnerability Scan': { algorithm: 'hash_code', hashFields: ['title', 'severity', 'componentName', 'vulnerabilityIds', 'filePath'], allowsNullCwe: true },
  'Github Secrets Detection Report': { algorithm: 'hash_code', hashFields: ['title', 'filePath', 'line'], allowsNullCwe: true },
  'Flawfinder Scan': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'Cppcheck Scan': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'DevSkim Scan': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
  'SonarQube Scan': { algorithm: 'hash_code', hashFields: ['cwe', 'severity', 'filePath'], allowsNullCwe: false },
  'SonarQube Scan detailed': { algorithm: 'unique_id_from_tool' },
  'Checkmarx Scan': { algorithm: 'hash_code', hashFields: ['cwe', 'severity', 'filePath'], allowsNullCwe: false },
  'Checkmarx Scan detailed': { algorithm: 'unique_id_from_tool' },
  'Checkmarx One Scan': { algorithm: 'unique_id_from_tool' },
  'Dependency Track Finding Packaging Format (FPF) Export': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['componentName', 'componentVersion', 'vulnerabilityIds'], allowsNullCwe: true },
  'Veracode Scan': { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: LEGACY_HASH, allowsNullCwe: true },
};

/** The fields DefectDojo allows in a hash field list (`HASHCODE_ALLOWED_FIELDS`), camelCased. */
export const HASHCODE_ALLOWED_FIELDS: readonly string[] = [
  'title',
  'cwe',
  'line',
  'filePath',
  'payload',
  'componentName',
  'componentVersion',
  'description',
  'endpoints',
  'uniqueIdFromTool',
  'severity',
  'vulnIdFromTool',
  'mitigation',
  'vulnerabilityIds',
  'cwes',
];

/** DefectDojo's snake_case name for each camelCase hash field, for users who type either. */
export const HASH_FIELD_SNAKE_NAMES: Readonly<Record<string, string>> = {
  title: 'title',
  cwe: 'cwe',
  line: 'line',
  filePath: 'file_path',
  payload: 'payload',
  componentName: 'component_name',
  componentVersion: 'component_version',
  description: 'description',
  endpoints: 'endpoints',
  uniqueIdFromTool: 'unique_id_from_tool',
  severity: 'severity',
  vulnIdFromTool: 'vuln_id_from_tool',
  mitigation: 'mitigation',
  vulnerabilityIds: 'vulnerability_ids',
  cwes: 'cwes',
  service: 'service',
};

/**
 * Scan Ledger's own default: SAST, secrets and IaC scanners match by `fingerprint`
 * (docs/improvements.md §4), because their DefectDojo hashes contain the line number or the code and
 * churn with every edit. `defectdojoParity` restores DefectDojo's algorithms; a user override
 * for a scan type always wins.
 */
export const FINGERPRINT_DEFAULT_SCAN_TYPES: readonly string[] = [
  'SARIF',
  'Semgrep JSON Report',
  'Bandit Scan',
  'Gitleaks Scan',
  'Checkov Scan',
  'Gosec Scanner',
  'SpotBugs Scan',
];
