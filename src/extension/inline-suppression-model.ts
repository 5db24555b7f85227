/**
 * The quick fix that writes the scanner's own inline suppression (issue 11): the comment each
 * scanner itself reads, with the user's reason, so the next scan reports the result as
 * suppressed and Scan Ledger shows it so (`native-suppressions.ts` reads the same comments).
 * Pure: the edit is computed from the line's text and the document's language, and unit tested.
 */

export type SuppressingScanner = 'bandit' | 'semgrep' | 'checkov' | 'gosec' | 'eslint';

/** An edit of the document: text appended to a line, or a new line inserted before one (0-based). */
export type LineEdit = { kind: 'append'; line: number; text: string } | { kind: 'insert'; line: number; text: string };

export interface InlineSuppression {
  scanner: SuppressingScanner;
  /** What the quick fix says it inserts, e.g. "# nosec B307". */
  marker: string;
  edits: LineEdit[];
}

export interface SuppressionRequest {
  /** The test's scan type (`Bandit Scan`, `SARIF`, …) and type (`ESLint Scan (SARIF)` names the tool). */
  scanType: string;
  testType: string;
  /** The scanner's rule or check id (`B307`, `CKV_AWS_20`, `no-eval`). */
  ruleId: string | null;
  /** VS Code's language id of the document. */
  languageId: string;
  /** 0-based line of the finding in the document, its text, and the next line's text. */
  line: number;
  lineText: string;
  nextLineText?: string;
  reason: string;
}

/** Which scanner wrote the finding: by scan type, or for SARIF by the tool its test type names. */
export function suppressingScanner(scanType: string, testType: string): SuppressingScanner | null {
  const names = `${scanType} ${testType}`.toLowerCase();
  if (names.includes('bandit')) return 'bandit';
  if (names.includes('semgrep')) return 'semgrep';
  if (names.includes('checkov')) return 'checkov';
  if (names.includes('gosec')) return 'gosec';
  if (names.includes('eslint')) return 'eslint';
  return null;
}

const HASH_COMMENT = new Set([
  'python', 'ruby', 'shellscript', 'yaml', 'dockerfile', 'terraform', 'hcl', 'perl', 'r', 'toml', 'makefile', 'powershell', 'coffeescript', 'elixir', 'properties', 'dotenv',
]);
const SLASH_COMMENT = new Set([
  'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'java', 'c', 'cpp', 'csharp', 'go', 'rust', 'kotlin', 'swift', 'scala', 'php', 'dart', 'groovy', 'objective-c', 'objective-cpp', 'jsonc', 'vue', 'svelte',
]);

/** The line-comment opener of a language, or null when it has none we can write safely. */
export function lineComment(languageId: string): '#' | '//' | null {
  if (HASH_COMMENT.has(languageId)) return '#';
  if (SLASH_COMMENT.has(languageId)) return '//';
  return null;
}

/** How long a reason may be in the comment; the triage note can hold the full text. */
const REASON_MAX = 200;

/**
 * The reason as one comment line can hold it: no line breaks, no comment terminators, no `#`
 * (Bandit ends its list of test ids at the next `#`, and a Semgrep reason must not look like more
 * rule ids), bounded.
 */
export function commentReason(reason: string): string {
  const flat = reason
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/\*\/|-->|#/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > REASON_MAX ? `${flat.slice(0, REASON_MAX - 1)}…` : flat;
}

function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)?.[0] ?? '';
}

/** A rule id as the comment may carry it (ids are plain tokens; anything else is left out). */
function safeId(id: string | null): string | null {
  const trimmed = id?.trim() ?? '';
  return /^[A-Za-z0-9_.\-/@]+$/.test(trimmed) ? trimmed : null;
}

/**
 * The suppression comment for a finding, or null when its scanner has no inline suppression we
 * write or the document's language has no line comment. Each form is the scanner's documented
 * one: Bandit `# nosec B307` (the reason after a second `#`), Semgrep `nosemgrep: rule` on the
 * line above (reason on its own comment line above that), Checkov `# checkov:skip=ID: reason`
 * inside the resource (after its first line), gosec `// #nosec G104 -- reason`, ESLint
 * `// eslint-disable-next-line rule -- reason`.
 */
export function inlineSuppression(request: SuppressionRequest): InlineSuppression | null {
  const scanner = suppressingScanner(request.scanType, request.testType);
  if (!scanner) return null;
  const comment = lineComment(request.languageId);
  const id = safeId(request.ruleId);
  const reason = commentReason(request.reason);
  const indent = indentOf(request.lineText);
  switch (scanner) {
    case 'bandit': {
      if (comment !== '#') return null;
      // Bandit's ids arrive as `B307` (SARIF) or `blacklist:B307` (its JSON's test name and id).
      const testId = /\bB\d{3}\b/.exec(request.ruleId ?? '')?.[0];
      const marker = `# nosec${testId ? ` ${testId}` : ''}`;
      return { scanner, marker, edits: [{ kind: 'append', line: request.line, text: `  ${marker}${reason ? `  # ${reason}` : ''}` }] };
    }
    case 'semgrep': {
      if (!comment) return null;
      const marker = `${comment} nosemgrep${id ? `: ${id}` : ''}`;
      const edits: LineEdit[] = [];
      if (reason) edits.push({ kind: 'insert', line: request.line, text: `${indent}${comment} ${reason}` });
      edits.push({ kind: 'insert', line: request.line, text: `${indent}${marker}` });
      return { scanner, marker, edits };
    }
    case 'checkov': {
      if (comment !== '#' || !id) return null;
      const marker = `# checkov:skip=${id}`;
      const inner = request.nextLineText !== undefined && request.nextLineText.trim() !== '' ? indentOf(request.nextLineText) : `${indent}  `;
      return { scanner, marker, edits: [{ kind: 'insert', line: request.line + 1, text: `${inner}${marker}: ${reason || 'skipped'}` }] };
    }
    case 'gosec': {
      if (comment !== '//') return null;
      const marker = `// #nosec${id ? ` ${id}` : ''}`;
      return { scanner, marker, edits: [{ kind: 'append', line: request.line, text: ` ${marker}${reason ? ` -- ${reason}` : ''}` }] };
    }
    case 'eslint': {
      if (comment !== '//' || !id) return null;
      const marker = `// eslint-disable-next-line ${id}`;
      return { scanner, marker, edits: [{ kind: 'insert', line: request.line, text: `${indent}${marker}${reason ? ` -- ${reason}` : ''}` }] };
    }
  }
}
