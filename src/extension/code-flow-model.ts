import type { CodeLocation, Finding } from '../model';
import { isOutsideFolderPath, normaliseFindingPath } from './report-paths';

/**
 * A finding's SARIF code flow (the steps from source to sink) and related locations, as the
 * Problems panel (diagnostic related information) and the hover (links) show them. Pure: the
 * paths come from the report, so only steps that name a file inside the workspace folder are
 * kept, and the editor side additionally resolves symbolic links before linking to them.
 */

export interface FlowStep {
  kind: 'step' | 'related';
  /** Workspace-relative POSIX path. */
  relPath: string;
  /** 1-based line (1 when the report gives none). */
  line: number;
  /** 1-based column, when known. */
  column?: number;
  /** What the step or location says, e.g. "Step 2/5: user input" (unescaped, bounded). */
  label: string;
}

/** How much of a step's message is shown; the full text stays in the store and the export. */
const MESSAGE_SHOWN = 200;

function shortMessage(message: string | null | undefined): string {
  const text = (message ?? '').replace(/\s+/g, ' ').trim();
  return text.length > MESSAGE_SHOWN ? `${text.slice(0, MESSAGE_SHOWN - 1)}…` : text;
}

function toStep(kind: FlowStep['kind'], location: CodeLocation, folderPath: string, label: string): FlowStep | null {
  if (typeof location.filePath !== 'string' || location.filePath.trim() === '') return null;
  const relPath = normaliseFindingPath(location.filePath, folderPath);
  if (relPath === '' || isOutsideFolderPath(relPath)) return null;
  const line = typeof location.line === 'number' && Number.isSafeInteger(location.line) && location.line >= 1 ? location.line : 1;
  const step: FlowStep = { kind, relPath, line, label };
  if (typeof location.column === 'number' && Number.isSafeInteger(location.column) && location.column >= 1) step.column = location.column;
  return step;
}

/**
 * The code-flow steps, then the related locations, of a finding, inside the folder only.
 * Step numbers count every step of the flow, so "Step 3/4" stays true when a step outside the
 * folder is left out.
 */
export function flowStepsOf(f: Finding, folderPath: string): FlowStep[] {
  const out: FlowStep[] = [];
  const flow = f.location?.codeFlow ?? [];
  flow.forEach((location, i) => {
    const message = shortMessage(location.message);
    const step = toStep('step', location, folderPath, `Step ${i + 1}/${flow.length}${message ? `: ${message}` : ''}`);
    if (step) out.push(step);
  });
  for (const location of f.location?.relatedLocations ?? []) {
    const message = shortMessage(location.message);
    const step = toStep('related', location, folderPath, message ? `Related: ${message}` : 'Related location');
    if (step) out.push(step);
  }
  return out;
}

/**
 * A link target for a step: the folder's URI with the path and a `#L<line>,<column>` fragment,
 * which VS Code's opener turns into a selection. Every path segment is percent-encoded, and so
 * are the characters `encodeURIComponent` leaves alone but markdown gives meaning to.
 */
export function stepLinkTarget(folderUri: string, step: FlowStep): string {
  const encode = (segment: string): string => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const path = step.relPath.split('/').map(encode).join('/');
  return `${folderUri.replace(/\/+$/, '')}/${path}#L${step.line}${step.column !== undefined ? `,${step.column}` : ''}`;
}
