/**
 * Python string behaviour that DefectDojo's parsers rely on and that ends up in hash codes.
 * A title that DefectDojo shortens with `textwrap.shorten` enters the legacy hash, so a title
 * shortened one character differently would never match the finding DefectDojo stored.
 */

/** Characters Python's `str.split()` / `str.strip()` treat as whitespace (`str.isspace`). */
const PYTHON_WHITESPACE =
  '\\t\\n\\x0b\\x0c\\r\\x1c\\x1d\\x1e\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WHITESPACE_RUN = new RegExp(`[${PYTHON_WHITESPACE}]+`, 'gu');
const EDGE_WHITESPACE = new RegExp(`^[${PYTHON_WHITESPACE}]+|[${PYTHON_WHITESPACE}]+$`, 'gu');

const NEEDS_COLLAPSING = new RegExp(`^[${PYTHON_WHITESPACE}]|[${PYTHON_WHITESPACE}]$|[${PYTHON_WHITESPACE}]{2}|[${PYTHON_WHITESPACE.replace(' ', '')}]`, 'u');

/** Python's `" ".join(text.split())`: every whitespace run becomes one space, ends trimmed. */
export function collapseWhitespace(text: string): string {
  // Most titles are already single-spaced; one test avoids two replacing passes.
  if (!NEEDS_COLLAPSING.test(text)) return text;
  return text.replace(EDGE_WHITESPACE, '').replace(WHITESPACE_RUN, ' ');
}

/** Python's `str.strip()` with no argument. */
export function pythonStrip(text: string): string {
  return text.replace(EDGE_WHITESPACE, '');
}

// TextWrapper.wordsep_re, translated. Python's `\w` is Unicode-aware (letters, digits, numbers,
// underscore); `letter` is `[^\d\W]`, i.e. a word character that is not a decimal digit.
const WORD = '[\\p{L}\\p{N}_]';
const WORD_PUNCT = '[\\p{L}\\p{N}_!"\'&.,?]';
const LETTER = '[\\p{L}\\p{Nl}\\p{No}_]';
const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NON_WS = '[^\\t\\n\\x0b\\x0c\\r ]';
/**
 * Python's `TextWrapper.wordsep_re` with `break_on_hyphens` on: whitespace runs, em-dashes,
 * and words split after a hyphen between letters. `text.split` with it gives TextWrapper's
 * chunks (with empty strings between them to drop). Both `textwrap.shorten` here and
 * html2text's wrapping cut at these chunks.
 */
export const TEXTWRAP_WORD_SEPARATOR = new RegExp(
  `(${WS}+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=${WORD})` +
    `|${NON_WS}+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})` +
    `|(?=${WS}|$)` +
    `|(?<=${WORD_PUNCT})(?=-{2,}${WORD})))`,
  'u',
);

/** Length in code points, as Python's `len` counts. */
export function pythonLen(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function pySlice(text: string, start: number, end?: number): string {
  return Array.from(text).slice(start, end).join('');
}

/**
 * Python's `textwrap.shorten(text, width)` with the default placeholder ` [...]`: whitespace
 * collapsed, then, if still too long, cut at a chunk boundary (spaces and hyphenation points,
 * exactly as TextWrapper splits) so that the placeholder fits.
 */
export function textwrapShorten(text: string, width = 150): string {
  const placeholder = ' [...]';
  const collapsed = collapseWhitespace(text);
  // UTF-16 length is never below the code-point count, so a short string needs no counting.
  if (collapsed.length <= width || pythonLen(collapsed) <= width) return collapsed;

  // TextWrapper._split_chunks, then _wrap_chunks with max_lines=1 and drop_whitespace=True.
  // Only the first `width` code points and the chunk after them decide the result, so a long
  // text is split from a prefix: its chunks are the whole text's except the last few, which are
  // never reached (the prefix holds over four times `width` code points and the text continues
  // past it). Splitting megabytes into words would cost a second for a 150-character title.
  const prefixLength = width * 8 + 64;
  const splitText = collapsed.length > prefixLength ? collapsed.slice(0, prefixLength) : collapsed;
  const chunks = splitText.split(TEXTWRAP_WORD_SEPARATOR).filter((chunk) => chunk !== '');
  chunks.reverse();
  const line: string[] = [];
  let lineLength = 0;
  while (chunks.length > 0) {
    const length = pythonLen(chunks[chunks.length - 1]);
    if (lineLength + length > width) break;
    line.push(chunks.pop() as string);
    lineLength += length;
  }
  if (chunks.length > 0 && pythonLen(chunks[chunks.length - 1]) > width) {
    // _handle_long_word: break the word, at a hyphen when there is one in reach.
    const chunk = chunks[chunks.length - 1];
    const spaceLeft = width < 1 ? 1 : width - lineLength;
    let end = spaceLeft;
    if (pythonLen(chunk) > spaceLeft) {
      const hyphen = Array.from(chunk).slice(0, spaceLeft).lastIndexOf('-');
      if (hyphen > 0 && Array.from(chunk).slice(0, hyphen).some((c) => c !== '-')) end = hyphen + 1;
    }
    line.push(pySlice(chunk, 0, end));
    chunks[chunks.length - 1] = pySlice(chunk, end);
    lineLength = line.reduce((sum, part) => sum + pythonLen(part), 0);
  }
  if (line.length > 0 && line[line.length - 1].trim() === '') {
    lineLength -= pythonLen(line[line.length - 1]);
    line.pop();
  }
  const rest = chunks.filter((chunk) => chunk !== '');
  if (line.length > 0 && (rest.length === 0 || (rest.length === 1 && rest[0].trim() === '')) && lineLength <= width) {
    return line.join('');
  }
  // Too long for one line: drop trailing chunks until the placeholder fits after a word.
  while (line.length > 0) {
    const last = line[line.length - 1];
    if (last.trim() !== '' && lineLength + pythonLen(placeholder) <= width) {
      return line.join('') + placeholder;
    }
    lineLength -= pythonLen(last);
    line.pop();
  }
  return placeholder.trimStart();
}

/** Python's `str.capitalize()`: first character upper-cased, the rest lower-cased. */
export function pythonCapitalize(text: string): string {
  const characters = Array.from(text);
  if (characters.length === 0) return text;
  return characters[0].toUpperCase() + characters.slice(1).join('').toLowerCase();
}

/** Python's `int(text)` for strings: optional sign, digits with single underscores, whitespace around. */
export function pythonInt(text: string): number | undefined {
  const match = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[2].replace(/_/g, ''));
  if (!Number.isSafeInteger(value)) return undefined;
  return match[1] === '-' ? -value : value;
}

/** Python's `float(text)` for strings, including `nan` and `inf`; `undefined` when Python raises ValueError. */
export function pythonFloat(text: string): number | undefined {
  const trimmed = pythonStrip(text);
  const digits = '\\d(?:_?\\d)*';
  const decimal = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (decimal.test(trimmed)) return Number(trimmed.replace(/_/g, ''));
  const special = /^([+-]?)(nan|inf|infinity)$/i.exec(trimmed);
  if (!special) return undefined;
  if (special[2].toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}
