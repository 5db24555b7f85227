import { XMLParser, XMLValidator, type X2jOptions } from 'fast-xml-parser';
import { ReportParseError } from './errors';
import { MAX_FIELD_LENGTH, keptLength, truncationMarker, xmlSafeCut } from './field-bound';

/**
 * Safe XML decoding for untrusted scanner reports.
 *
 * Reports come from CI artefacts and pull requests, so they are hostile until proven otherwise.
 * A DOCTYPE is the only place XML lets a document declare entities (the billion-laughs
 * expansion) or point at external resources (XXE), and no scanner format we read needs one, so
 * any document that declares a DOCTYPE or an ENTITY is refused before the parser sees it. What
 * remains is decoded with a fixed entity table: the five predefined XML entities and numeric
 * character references, nothing else.
 */

export const XML_DOCTYPE_REFUSED = 'XML DOCTYPE and entity declarations are not allowed in reports';

/** Options a format may pass through to fast-xml-parser (everything but entity handling). */
export type XmlParseOptions = Omit<Partial<X2jOptions>, 'processEntities' | 'htmlEntities' | 'entityDecoder'>;

/**
 * The defaults every XML parser here starts from: attributes kept with the `@_` prefix, values
 * kept as strings (a version `1.10` or an id `007` must not become a number), and a nesting
 * limit well above any real report but far below a stack overflow.
 */
export const XML_DEFAULT_OPTIONS: XmlParseOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 256,
};

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

const ENTITY_REFERENCE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,5}));/g;

/** Decodes one reference, or returns it unchanged when it is not one XML defines. */
function decodeReference(reference: string, decimal?: string, hex?: string, name?: string): string {
  if (decimal !== undefined || hex !== undefined) {
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    // A reference outside Unicode or to a surrogate is not a character; keep the text as written.
    if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint === 0) return reference;
    return String.fromCodePoint(codePoint);
  }
  const value = name !== undefined ? PREDEFINED_ENTITIES[name] : undefined;
  return value ?? reference;
}

/** Decodes predefined entities and character references in one pass (so `&amp;lt;` stays `&lt;`). */
export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY_REFERENCE, (reference, decimal?: string, hex?: string, name?: string) =>
    decodeReference(reference, decimal, hex, name),
  );
}

/**
 * fast-xml-parser's entity decoder hook. It only ever sees text outside CDATA sections, and it
 * ignores whatever entities a DOCTYPE would add (none can reach it: DOCTYPEs are refused first).
 */
const fixedEntityDecoder = {
  setExternalEntities: (): void => undefined,
  addInputEntities: (): void => undefined,
  reset: (): void => undefined,
  setXmlVersion: (): void => undefined,
  decode: decodeXmlEntities,
};

/** Line and column (1-based) of an offset, for error messages. */
export function lineColumnAt(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return `${line}:${end - lineStart + 1}`;
}

/**
 * Finds a DOCTYPE or ENTITY declaration. A DOCTYPE is only legal in the prolog, but looking
 * anywhere outside comments and CDATA sections also catches declarations smuggled after the
 * root element, which a lenient parser might still honour. Processing instructions and tags are
 * stepped over as whole tokens (quoted attribute values included), because fast-xml-parser
 * accepts a `<!--` or `<![CDATA[` inside them as plain text: without that, an attribute such as
 * `href="<!--"` would hide a DOCTYPE that follows it from this scan while the parser still reads it.
 */
function findDeclaration(text: string): number {
  const pattern = /<!--|<!\[CDATA\[|<!\s*(?:DOCTYPE|ENTITY)\b|<\?|<[^!?]/gi;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const token = match[0];
    let resume: number;
    if (token === '<!--') {
      const end = text.indexOf('-->', match.index + 4);
      resume = end === -1 ? -1 : end + 3;
    } else if (token.toUpperCase() === '<![CDATA[') {
      const end = text.indexOf(']]>', match.index + 9);
      resume = end === -1 ? -1 : end + 3;
    } else if (token === '<?') {
      const end = text.indexOf('?>', match.index + 2);
      resume = end === -1 ? -1 : end + 2;
    } else if (token.startsWith('<!')) {
      return match.index;
    } else {
      resume = endOfTag(text, match.index + 1);
    }
    // An unterminated comment, section or tag is left to the validator, which refuses it.
    if (resume === -1) return -1;
    pattern.lastIndex = resume;
  }
  return -1;
}

/** The offset just past the `>` that ends the tag starting before `from`, skipping quoted values; -1 when none. */
function endOfTag(text: string, from: number): number {
  return boundTag(text, from, () => undefined);
}

/** One value of a report's XML source cut to the field bound. */
export interface XmlCut {
  /** Offset in the original text where the value starts. */
  offset: number;
  /** The value's length in the original text (raw, references undecoded). */
  length: number;
}

/** The XML source with every over-long value cut, and where the cuts were. */
export interface BoundedXml {
  text: string;
  cuts: XmlCut[];
}

/**
 * Cuts every text run, CDATA section and quoted attribute value longer than `limit` in raw XML,
 * keeping its beginning (never half a reference) and a truncation marker. fast-xml-parser builds
 * a text value one character at a time, so an 8 MB text node costs it a second and hundreds of
 * megabytes, and every step after it (HTML conversion, hashing, the store) pays again; cutting
 * the source bounds all of them. The walk steps over tokens exactly as `findDeclaration` does, in
 * one pass that mostly jumps with `indexOf`, and the text is returned as is when nothing is over
 * the bound, which is every real report.
 */
export function boundXmlSource(text: string, limit: number = MAX_FIELD_LENGTH): BoundedXml {
  const cuts: XmlCut[] = [];
  const pieces: string[] = [];
  let copied = 0;
  const keep = keptLength(limit);
  const cut = (start: number, end: number): void => {
    if (end - start <= limit) return;
    const at = xmlSafeCut(text, start, keep);
    pieces.push(text.slice(copied, at), truncationMarker(end - at));
    copied = end;
    cuts.push({ offset: start, length: end - start });
  };
  // Texts shorter than the bound cannot hold a value over it.
  if (text.length <= limit) return { text, cuts };
  const n = text.length;
  let runStart = 0;
  let unterminated = false;
  let i = text.indexOf('<');
  while (i !== -1) {
    let resume: number;
    if (text.startsWith('<!--', i)) {
      cut(runStart, i);
      const end = text.indexOf('-->', i + 4);
      resume = end === -1 ? -1 : end + 3;
    } else if (text.startsWith('<![CDATA[', i) || text.slice(i, i + 9).toUpperCase() === '<![CDATA[') {
      cut(runStart, i);
      const end = text.indexOf(']]>', i + 9);
      if (end !== -1) cut(i + 9, end);
      resume = end === -1 ? -1 : end + 3;
    } else if (text.startsWith('<?', i)) {
      cut(runStart, i);
      const end = text.indexOf('?>', i + 2);
      resume = end === -1 ? -1 : end + 2;
    } else if (text.startsWith('<!', i) || i + 1 >= n) {
      // Not a token `findDeclaration` steps over (a declaration is refused before this runs):
      // the scan goes on from the next character, within the same text run.
      i = text.indexOf('<', i + 1);
      continue;
    } else {
      cut(runStart, i);
      resume = boundTag(text, i + 1, cut);
    }
    // An unterminated comment, section or tag is left to the validator, which refuses it.
    if (resume === -1) {
      unterminated = true;
      break;
    }
    runStart = resume;
    i = text.indexOf('<', resume);
  }
  if (!unterminated) cut(runStart, n);
  if (cuts.length === 0) return { text, cuts };
  pieces.push(text.slice(copied));
  return { text: pieces.join(''), cuts };
}

/** The offset just past the `>` that ends the tag starting before `from`, handing every quoted value to `cut`; -1 when none. */
function boundTag(text: string, from: number, cut: (start: number, end: number) => void): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 62) return i + 1; // >
    if (code === 34 || code === 39) {
      const close = text.indexOf(text[i], i + 1);
      if (close === -1) return -1;
      cut(i + 1, close);
      i = close;
    }
  }
  return -1;
}

/** Line and column (1-based) of each of the sorted offsets, in one pass over the text. */
export function lineColumnsAt(text: string, offsets: readonly number[]): string[] {
  const result: string[] = [];
  let line = 1;
  let lineStart = 0;
  let index = text.indexOf('\n');
  for (const offset of offsets) {
    while (index !== -1 && index < offset) {
      line += 1;
      lineStart = index + 1;
      index = text.indexOf('\n', index + 1);
    }
    result.push(`${line}:${offset - lineStart + 1}`);
  }
  return result;
}

/**
 * Parses an XML report into fast-xml-parser's object form. Throws `ReportParseError` for a
 * DOCTYPE or ENTITY declaration, for a document that is not well-formed (with line:column), and
 * for nesting deeper than `maxNestedTags`. Values longer than the field bound are cut
 * (`boundXmlSource`).
 */
export function parseXml(text: string, fileName: string, options?: XmlParseOptions): unknown {
  const declarationAt = findDeclaration(text);
  if (declarationAt !== -1) {
    throw new ReportParseError(fileName, XML_DOCTYPE_REFUSED, lineColumnAt(text, declarationAt));
  }
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    throw new ReportParseError(fileName, `not well-formed XML: ${msg}`, col ? `${line}:${col}` : `${line}`);
  }
  // Checked and validated as written, so positions in errors are the report's own; then parsed
  // with over-long values cut, which leaves a well-formed document well-formed.
  const bounded = boundXmlSource(text).text;
  const parser = new XMLParser({
    ...XML_DEFAULT_OPTIONS,
    ...options,
    processEntities: true,
    htmlEntities: false,
    entityDecoder: fixedEntityDecoder,
  });
  try {
    return parser.parse(bounded) as unknown;
  } catch (error) {
    // fast-xml-parser throws plain Errors for nesting beyond maxNestedTags and for reserved
    // names such as `__proto__`; both are properties of the report, so they become report errors.
    const message = error instanceof Error ? error.message : String(error);
    throw new ReportParseError(fileName, `unreadable XML: ${message}`);
  }
}
