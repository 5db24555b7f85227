import { banditParser } from './bandit';
import { checkovParser } from './checkov';
import { dependencyCheckParser } from './dependency-check';
import { genericParser } from './generic';
import { gitleaksParser } from './gitleaks';
import { gosecParser } from './gosec';
import { npmAuditParser, npmAuditV7Parser } from './npm-audit';
import type { ReportParser } from './parser';
import { sarifParser } from './sarif';
import { semgrepParser } from './semgrep';
import { spotbugsParser } from './spotbugs';
import { trivyParser } from './trivy';
import { zapParser } from './zap';

/**
 * Every supported format. Order matters for detection only: when two formats claim the same
 * document and the file name does not settle it, the earlier one wins, so specific formats come
 * before the Generic Findings Import, which accepts anything shaped like DefectDojo findings.
 */
export const PARSERS: readonly ReportParser[] = [
  sarifParser,
  semgrepParser,
  gitleaksParser,
  trivyParser,
  banditParser,
  checkovParser,
  zapParser,
  dependencyCheckParser,
  npmAuditParser,
  npmAuditV7Parser,
  gosecParser,
  spotbugsParser,
  genericParser,
];

/** DefectDojo's scan type names, in registry order. */
export const SCAN_TYPES: readonly string[] = PARSERS.map((parser) => parser.scanType);

/** The parser for a scan type (exact DefectDojo spelling, or any case), or undefined. */
export function parserFor(scanType: string): ReportParser | undefined {
  return (
    PARSERS.find((parser) => parser.scanType === scanType) ??
    PARSERS.find((parser) => parser.scanType.toLowerCase() === scanType.trim().toLowerCase())
  );
}
