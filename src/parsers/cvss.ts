import type { Severity } from '../model';

/**
 * CVSS v3.0 / v3.1 scoring, as DefectDojo's `parse_cvss_data` (dojo/utils.py) obtains it from the
 * Python `cvss` package: the vector as given, the environmental score (`scores()[2]`, which equals
 * the base score unless the scope changes) and the base severity (`severities()[0]`). The
 * Trivy and Dependency-Check parsers take a finding's severity from it, so it has to agree with
 * the Python package to the tenth of a point.
 */
export interface Cvss3Data {
  vector: string;
  baseScore: number;
  environmentalScore: number;
  /** The base severity as the `cvss` package spells it: `None`, `Low`, `Medium`, `High`, `Critical`. */
  baseSeverity: 'None' | Exclude<Severity, 'Info'>;
}

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

const VECTOR = /CVSS:3\.([01])\/((?:[A-Za-z]+:[A-Za-z]+\/?)+)/;

function privilegesWeight(value: string, scopeChanged: boolean): number | undefined {
  if (value === 'N') return 0.85;
  if (value === 'L') return scopeChanged ? 0.68 : 0.62;
  if (value === 'H') return scopeChanged ? 0.5 : 0.27;
  return undefined;
}

/** CVSS 3.1's Roundup, which avoids floating-point surprises such as 4.000000001 → 4.1. */
function roundUp31(value: number): number {
  const scaled = Math.round(value * 100000);
  if (scaled % 10000 === 0) return scaled / 100000;
  return (Math.floor(scaled / 10000) + 1) / 10;
}

/** CVSS 3.0's round-up to one decimal, kept for 3.0 vectors as the `cvss` package does. */
function roundUp30(value: number): number {
  return Math.ceil(value * 10) / 10;
}

function severityOf(score: number): Cvss3Data['baseSeverity'] {
  if (score === 0) return 'None';
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  if (score < 9) return 'High';
  return 'Critical';
}

/**
 * Scores a CVSS v3 vector found in `text`, or returns null when there is none or it lacks a
 * mandatory base metric (the Python package raises, and DefectDojo then keeps the report's
 * severity).
 */
export function parseCvss3(text: string | null | undefined): Cvss3Data | null {
  if (!text) return null;
  const match = VECTOR.exec(text);
  if (!match) return null;
  const minor = match[1];
  const metrics = new Map<string, string>();
  for (const part of match[2].split('/')) {
    if (!part) continue;
    const [key, value] = part.split(':');
    metrics.set(key.toUpperCase(), value.toUpperCase());
  }
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return null;
  const changed = scope === 'C';
  const av = WEIGHTS.AV[metrics.get('AV') as keyof typeof WEIGHTS.AV];
  const ac = WEIGHTS.AC[metrics.get('AC') as keyof typeof WEIGHTS.AC];
  const ui = WEIGHTS.UI[metrics.get('UI') as keyof typeof WEIGHTS.UI];
  const pr = privilegesWeight(metrics.get('PR') ?? '', changed);
  const c = WEIGHTS.CIA[metrics.get('C') as keyof typeof WEIGHTS.CIA];
  const i = WEIGHTS.CIA[metrics.get('I') as keyof typeof WEIGHTS.CIA];
  const a = WEIGHTS.CIA[metrics.get('A') as keyof typeof WEIGHTS.CIA];
  if ([av, ac, ui, pr, c, i, a].some((w) => w === undefined)) return null;
  const roundUp = minor === '1' ? roundUp31 : roundUp30;

  const exploitability = 8.22 * av * ac * pr! * ui;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const baseScore =
    impact <= 0 ? 0 : changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));

  // The environmental score with every environmental metric "not defined": the modified
  // impact is capped at 0.915 and, in 3.1, uses a different scope-changed formula.
  const miss = Math.min(iss, 0.915);
  const modifiedImpact = changed
    ? minor === '1'
      ? 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss * 0.9731 - 0.02, 13)
      : 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss - 0.02, 15)
    : 6.42 * miss;
  const environmentalScore =
    modifiedImpact <= 0
      ? 0
      : changed
        ? roundUp(roundUp(Math.min(1.08 * (modifiedImpact + exploitability), 10)))
        : roundUp(roundUp(Math.min(modifiedImpact + exploitability, 10)));

  return { vector: match[0].replace(/\/$/, ''), baseScore, environmentalScore, baseSeverity: severityOf(baseScore) };
}

/** DefectDojo's common score-to-severity table (0 → Info, <4 Low, <7 Medium, <9 High, else Critical). */
export function severityFromScore(score: number | null | undefined): Severity {
  if (score === null || score === undefined || Number.isNaN(score) || score === 0) return 'Info';
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  if (score < 9) return 'High';
  return 'Critical';
}
