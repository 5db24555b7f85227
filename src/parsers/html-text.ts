/**
 * A port of Python's `html2text` (version 2020.1.16, default settings), which DefectDojo's ZAP
 * and SpotBugs parsers run over scanner HTML. ZAP descriptions enter the legacy hash when an
 * alert has no CWE, so paragraph breaks, Markdown escaping and the 78-column wrapping must come
 * out byte for byte as Python's. The port follows `HTML2Text.handle_tag`, `handle_data`, `o`
 * and `optwrap`, and tokenises like `html.parser` with `convert_charrefs=False` (text is
 * delivered in chunks split at `<` and `&`, which matters for escaping and emphasis spacing).
 * Not ported: Google Docs mode, abbreviations, reference-style links and table padding, none of
 * which the defaults or the scanners' HTML use.
 */
import { MAX_FIELD_LENGTH, boundField, keptLength, safeCut, truncationMarker } from './field-bound';
import { html5Entity, pythonUnescape } from './html-unescape';
import { TEXTWRAP_WORD_SEPARATOR, pythonLen } from './python-text';

const BODY_WIDTH = 78;

/** html2text's `config.UNIFIABLE`: entities replaced by plain ASCII. `nbsp` is special-cased. */
const UNIFIABLE: Readonly<Record<string, string>> = {
  rsquo: "'",
  lsquo: "'",
  rdquo: '"',
  ldquo: '"',
  copy: '(C)',
  mdash: '--',
  rarr: '->',
  larr: '<-',
  middot: '*',
  ndash: '-',
  oelig: 'oe',
  aelig: 'ae',
  agrave: 'a',
  aacute: 'a',
  acirc: 'a',
  atilde: 'a',
  auml: 'a',
  aring: 'a',
  egrave: 'e',
  eacute: 'e',
  ecirc: 'e',
  euml: 'e',
  igrave: 'i',
  iacute: 'i',
  icirc: 'i',
  iuml: 'i',
  ograve: 'o',
  oacute: 'o',
  ocirc: 'o',
  otilde: 'o',
  ouml: 'o',
  ugrave: 'u',
  uacute: 'u',
  ucirc: 'u',
  uuml: 'u',
  lrm: '',
  rlm: '',
};

/** Code points of the UNIFIABLE names, for `&#NNNN;` references (`unifiable_n`). */
const UNIFIABLE_CODE_POINTS: Readonly<Record<number, string>> = {
  8217: "'",
  8216: "'",
  8221: '"',
  8220: '"',
  169: '(C)',
  8212: '--',
  8594: '->',
  8592: '<-',
  183: '*',
  8211: '-',
  339: 'oe',
  230: 'ae',
  224: 'a',
  225: 'a',
  226: 'a',
  227: 'a',
  228: 'a',
  229: 'a',
  232: 'e',
  233: 'e',
  234: 'e',
  235: 'e',
  236: 'i',
  237: 'i',
  238: 'i',
  239: 'i',
  242: 'o',
  243: 'o',
  244: 'o',
  245: 'o',
  246: 'o',
  249: 'u',
  250: 'u',
  251: 'u',
  252: 'u',
  8206: '',
  8207: '',
};

const NBSP_PLACEHOLDER = '&nbsp_place_holder;';
const ABSOLUTE_URL = /^[a-zA-Z+]+:\/\//;

function entityRef(name: string): string {
  if (name === 'nbsp') return NBSP_PLACEHOLDER;
  if (Object.prototype.hasOwnProperty.call(UNIFIABLE, name)) return UNIFIABLE[name];
  // `html.entities.html5[c + ";"]`: the full table, so `&Eacute;` is `É` as in DefectDojo.
  return html5Entity(`${name};`) ?? `&${name};`;
}

function charRef(name: string): string {
  const code = name[0] === 'x' || name[0] === 'X' ? Number.parseInt(name.slice(1), 16) : Number.parseInt(name, 10);
  if (Object.prototype.hasOwnProperty.call(UNIFIABLE_CODE_POINTS, code)) return UNIFIABLE_CODE_POINTS[code];
  if (!Number.isFinite(code) || code < 0 || code > 0x10ffff) return '';
  return String.fromCodePoint(code);
}

/** `html.parser` unescapes attribute values with `html.unescape`. */
function unescapeAttribute(value: string): string {
  return pythonUnescape(value);
}

/** html2text's `escape_md_section` with `snob=False`. */
function escapeMarkdownSection(text: string): string {
  return text
    .replace(/(\\)(?=[\\`*_{}[\]()#+\-.!])/g, '\\$1')
    .replace(/^(\s*\d+)(\.)(?=\s)/gm, '$1\\$2')
    .replace(/^(\s*)(\+)(?=\s)/gm, '$1\\$2')
    .replace(/^(\s*)(-)(?=\s|-)/gm, '$1\\$2');
}

/** html2text's `escape_md` (inside link targets and titles). */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\[\]()])/g, '\\$1');
}

function headingLevel(tag: string): number {
  return tag.length === 2 && tag[0] === 'h' && tag[1] > '0' && tag[1] <= '9' ? Number(tag[1]) : 0;
}

type Attributes = Record<string, string | null>;

interface ListElement {
  name: string;
  num: number;
}

/** The converter's state machine, one instance per document. */
class Html2Text {
  private readonly output: string[] = [];
  /** Code units in `output`, so conversion can stop once the result is past the field bound. */
  private outputLength = 0;
  private lastWasNL = false;
  private quiet = 0;
  private pp = 0;
  private start = true;
  private space = false;
  private readonly astack: (Attributes | null)[] = [];
  private maybeAutomaticLink: string | null = null;
  private emptyLink = false;
  private readonly list: ListElement[] = [];
  private blockquote = 0;
  private pre = false;
  private startPre = false;
  private code = false;
  private quote = false;
  private brToggle = '';
  private lastWasList = false;
  private stressed = false;
  private precedingStressed = false;
  private precedingData = '';
  private currentTag = '';
  private splitNextTd = false;
  private tdCount = 0;
  private tableStart = false;

  /**
   * Whether the output is already past the field bound. Nested blockquotes or lists repeat
   * their prefix on every line, so a few hundred kilobytes of hostile HTML could otherwise grow
   * into gigabytes of Markdown; conversion stops here and the result is cut with a marker.
   */
  get full(): boolean {
    return this.outputLength > MAX_FIELD_LENGTH;
  }

  private out(s: string): void {
    this.output.push(s);
    this.outputLength += s.length;
    if (s) this.lastWasNL = s.endsWith('\n');
  }

  private pbr(): void {
    if (this.pp === 0) this.pp = 1;
  }

  private p(): void {
    this.pp = 2;
  }

  private softBr(): void {
    this.pbr();
    this.brToggle = '  ';
  }

  private o(input: string, pureData = false, force: false | true | 'end' = false): void {
    if (this.quiet) return;
    let data = input;
    if (pureData && !this.pre) {
      data = data.replace(/\s+/g, ' ');
      if (data.startsWith(' ')) {
        this.space = true;
        data = data.slice(1);
      }
    }
    if (!data && !force) return;
    if (this.startPre && !data.startsWith('\n') && !data.startsWith('\r\n')) data = `\n${data}`;
    let bq = '>'.repeat(this.blockquote);
    if (!(force && data && data[0] === '>') && this.blockquote) bq += ' ';
    if (this.pre) {
      if (this.list.length === 0) bq += '    ';
      bq += '    '.repeat(this.list.length);
      data = data.replaceAll('\n', `\n${bq}`);
    }
    if (this.startPre) {
      this.startPre = false;
      if (this.list.length > 0) data = data.replace(/^\n+/, '');
    }
    if (this.start) {
      this.space = false;
      this.pp = 0;
      this.start = false;
    }
    if (force === 'end') {
      this.pp = 0;
      this.out('\n');
      this.space = false;
    }
    if (this.pp) {
      this.out(`${this.brToggle}\n${bq}`.repeat(this.pp));
      this.space = false;
      this.brToggle = '';
    }
    if (this.space) {
      if (!this.lastWasNL) this.out(' ');
      this.space = false;
    }
    this.pp = 0;
    this.out(data);
  }

  private noPrecedingSpace(): boolean {
    return this.precedingData !== '' && /[^\s]/.test(this.precedingData[this.precedingData.length - 1]);
  }

  handleTag(tag: string, attrs: Attributes, start: boolean): void {
    this.currentTag = tag;
    const level = headingLevel(tag);
    if (level) {
      this.p();
      if (start) {
        this.o(`${'#'.repeat(level)} `);
      } else {
        return;
      }
    }
    if (tag === 'p' || tag === 'div') {
      if (!(this.astack.length > 0 && tag === 'div')) this.p();
    }
    if (tag === 'br' && start) this.o(this.blockquote > 0 ? '  \n> ' : '  \n');
    if (tag === 'hr' && start) {
      this.p();
      this.o('* * *');
      this.p();
    }
    if (tag === 'head' || tag === 'style' || tag === 'script') this.quiet += start ? 1 : -1;
    if (tag === 'body') this.quiet = 0;
    if (tag === 'blockquote') {
      if (start) {
        this.p();
        this.o('> ', false, true);
        this.start = true;
        this.blockquote += 1;
      } else {
        this.blockquote -= 1;
        this.p();
      }
    }
    if (tag === 'em' || tag === 'i' || tag === 'u') {
      this.o(start && this.noPrecedingSpace() ? ' _' : '_');
      if (start) this.stressed = true;
    }
    if (tag === 'strong' || tag === 'b') {
      this.o(start && this.noPrecedingSpace() ? ' **' : '**');
      if (start) this.stressed = true;
    }
    if (tag === 'del' || tag === 'strike' || tag === 's') {
      this.o(start && this.noPrecedingSpace() ? ' ~~' : '~~');
      if (start) this.stressed = true;
    }
    if ((tag === 'kbd' || tag === 'code' || tag === 'tt') && !this.pre) {
      this.o('`');
      this.code = !this.code;
    }
    if (tag === 'q') {
      this.o('"');
      this.quote = !this.quote;
    }
    if (tag === 'a') this.handleLink(attrs, start);
    if (tag === 'img' && start) this.handleImage(attrs);
    if (tag === 'dl' && start) this.p();
    if (tag === 'dt' && !start) this.pbr();
    if (tag === 'dd' && start) this.o('    ');
    if (tag === 'dd' && !start) this.pbr();
    if (tag === 'ol' || tag === 'ul') {
      if (this.list.length === 0 && !this.lastWasList) this.p();
      if (start) {
        const first = attrs.start !== undefined && attrs.start !== null && /^\s*[+-]?\d+\s*$/.test(attrs.start) ? Number.parseInt(attrs.start, 10) - 1 : 0;
        this.list.push({ name: tag, num: first });
      } else if (this.list.length > 0) {
        this.list.pop();
        if (this.list.length === 0) this.o('\n');
      }
      this.lastWasList = true;
    } else {
      this.lastWasList = false;
    }
    if (tag === 'li') {
      this.pbr();
      if (start) {
        const item = this.list.length > 0 ? this.list[this.list.length - 1] : { name: 'ul', num: 0 };
        this.o('  '.repeat(this.list.length));
        if (item.name === 'ul') this.o('* ');
        else if (item.name === 'ol') {
          item.num += 1;
          this.o(`${item.num}. `);
        }
        this.start = true;
      }
    }
    if (tag === 'table' && start) this.tableStart = true;
    if ((tag === 'td' || tag === 'th') && start) {
      if (this.splitNextTd) this.o('| ');
      this.splitNextTd = true;
    }
    if (tag === 'tr' && start) this.tdCount = 0;
    if (tag === 'tr' && !start) {
      this.splitNextTd = false;
      this.softBr();
    }
    if (tag === 'tr' && !start && this.tableStart) {
      this.o(Array(this.tdCount).fill('---').join('|'));
      this.softBr();
      this.tableStart = false;
    }
    if ((tag === 'td' || tag === 'th') && start) this.tdCount += 1;
    if (tag === 'pre') {
      if (start) {
        this.startPre = true;
        this.pre = true;
      } else {
        this.pre = false;
      }
      this.p();
    }
  }

  private handleLink(attrs: Attributes, start: boolean): void {
    if (start) {
      const href = attrs.href;
      if (href !== undefined && href !== null) {
        this.astack.push(attrs);
        this.maybeAutomaticLink = href;
        this.emptyLink = true;
      } else {
        this.astack.push(null);
      }
      return;
    }
    if (this.astack.length === 0) return;
    const a = this.astack.pop()!;
    if (this.maybeAutomaticLink && !this.emptyLink) {
      this.maybeAutomaticLink = null;
    } else if (a) {
      if (this.emptyLink) {
        this.o('[');
        this.emptyLink = false;
        this.maybeAutomaticLink = null;
      }
      const title = a.title ? escapeMarkdown(a.title) : '';
      this.o(`](${escapeMarkdown(a.href ?? '')}${title.trim() ? ` "${title}"` : ''})`);
    }
  }

  private handleImage(attrs: Attributes): void {
    const src = attrs.src;
    if (src === undefined || src === null) return;
    const alt = attrs.alt || '';
    if (this.maybeAutomaticLink !== null) {
      this.o('[');
      this.maybeAutomaticLink = null;
      this.emptyLink = false;
    }
    this.o(`![${escapeMarkdown(alt)}](${escapeMarkdown(src)})`);
  }

  handleData(input: string, entityChar = false): void {
    if (!input) return;
    let data = input;
    if (this.stressed) {
      data = data.trim();
      this.stressed = false;
      this.precedingStressed = true;
    } else if (this.precedingStressed) {
      if (/[^\s.!?]/.test(data[0]) && !headingLevel(this.currentTag) && !['a', 'code', 'pre'].includes(this.currentTag)) data = ` ${data}`;
      this.precedingStressed = false;
    }
    if (this.maybeAutomaticLink !== null) {
      const href = this.maybeAutomaticLink;
      if (href === data && ABSOLUTE_URL.test(href)) {
        this.o(`<${data}>`);
        this.emptyLink = false;
        return;
      }
      this.o('[');
      this.maybeAutomaticLink = null;
      this.emptyLink = false;
    }
    if (!this.code && !this.pre && !entityChar) data = escapeMarkdownSection(data);
    this.precedingData = data;
    this.o(data, true);
  }

  finish(): string {
    this.pbr();
    this.o('', false, 'end');
    return this.output.join('').replaceAll(NBSP_PLACEHOLDER, ' ');
  }
}

const RAW_TEXT_TAGS = new Set(['script', 'style']);

function parseAttributes(text: string): Attributes {
  const attrs: Attributes = {};
  const pattern = /([^\s/>"'=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const value = match[2] ?? match[3] ?? match[4];
    attrs[match[1].toLowerCase()] = value === undefined ? null : unescapeAttribute(value);
  }
  return attrs;
}

/**
 * Feeds `html` through the converter the way `html.parser` (convert_charrefs=False) delivers
 * it: text chunks split at `<` and `&`, entity and character references separately, start,
 * end and self-closing tags, comments and declarations skipped, script/style as raw text.
 */
function feed(html: string, converter: Html2Text): number {
  let i = 0;
  const n = html.length;
  // Searches run from an index rather than on the rest of the text, and the lower-cased text
  // and the last `>` are computed once: each per-token copy or scan to the end made hostile
  // input (thousands of `<script>` tags, or of `<` with no `>` after them) quadratic.
  const special = /[<&]/g;
  const lastGreaterThan = html.lastIndexOf('>');
  let lowered: string | null = null;
  while (i < n) {
    if (converter.full) return n - i;
    special.lastIndex = i;
    const next = special.exec(html);
    const j = next === null ? n : next.index;
    if (j > i) converter.handleData(html.slice(i, j));
    if (j >= n) break;
    i = j;
    if (html[i] === '&') {
      const ref = /^&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][-.a-zA-Z0-9]*)(;?)/.exec(html.slice(i, i + 40));
      if (ref && (ref[2] === ';' || i + ref[0].length < n)) {
        const body = ref[1];
        const text = body.startsWith('#') ? charRef(body.slice(1)) : entityRef(body);
        if (text) converter.handleData(text, true);
        i += ref[0].length;
      } else {
        converter.handleData('&');
        i += 1;
      }
      continue;
    }
    const rest = html.slice(i);
    if (rest.startsWith('<!--')) {
      const end = html.indexOf('-->', i + 4);
      i = end === -1 ? n : end + 3;
      continue;
    }
    if (/^<[!?]/.test(rest)) {
      const end = html.indexOf('>', i);
      i = end === -1 ? n : end + 1;
      continue;
    }
    // A tag needs a `>` after it; without one the pattern would scan to the end of the text.
    const tag = i < lastGreaterThan ? /^<(\/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(rest) : null;
    if (!tag) {
      converter.handleData('<');
      i += 1;
      continue;
    }
    const name = tag[2].toLowerCase();
    i += tag[0].length;
    if (tag[1] === '/') {
      converter.handleTag(name, {}, false);
      continue;
    }
    const selfClosing = /\/\s*$/.test(tag[3]);
    converter.handleTag(name, parseAttributes(tag[3].replace(/\/\s*$/, '')), true);
    if (selfClosing) {
      converter.handleTag(name, {}, false);
    } else if (RAW_TEXT_TAGS.has(name)) {
      lowered ??= html.toLowerCase();
      const close = lowered.indexOf(`</${name}`, i);
      const end = close === -1 ? n : close;
      if (end > i) converter.handleData(html.slice(i, end));
      i = end;
    }
  }
  return 0;
}

/**
 * Python's `textwrap.wrap(text, width, break_long_words=False, subsequent_indent=indent)`:
 * tabs expanded and whitespace made spaces, split into TextWrapper chunks (html2text leaves
 * `break_on_hyphens` on, so `en-US` can break), lines filled
 * greedily, whitespace dropped at line ends, a word longer than the width kept whole.
 */
function wrap(text: string, width: number, subsequentIndent: string): string[] {
  const munged = text.replace(/\t/g, '        ').replace(/[\n\x0b\x0c\r]/g, ' ');
  const chunks = munged.split(TEXTWRAP_WORD_SEPARATOR).filter((chunk) => chunk !== '');
  chunks.reverse();
  const lines: string[] = [];
  while (chunks.length > 0) {
    const line: string[] = [];
    let length = 0;
    const indent = lines.length > 0 ? subsequentIndent : '';
    const room = width - pythonLen(indent);
    if (chunks[chunks.length - 1].trim() === '' && lines.length > 0) chunks.pop();
    while (chunks.length > 0) {
      const size = pythonLen(chunks[chunks.length - 1]);
      if (length + size > room) break;
      line.push(chunks.pop()!);
      length += size;
    }
    if (chunks.length > 0 && pythonLen(chunks[chunks.length - 1]) > room && line.length === 0) line.push(chunks.pop()!);
    if (line.length > 0 && line[line.length - 1].trim() === '') line.pop();
    if (line.length > 0) lines.push(indent + line.join(''));
  }
  return lines;
}

/** html2text's `skipwrap` with wrap_links on and wrap_list_items off. */
function skipWrap(paragraph: string): boolean {
  if (paragraph.startsWith('    ') || paragraph[0] === '\t') return true;
  const stripped = paragraph.replace(/^\s+/, '');
  if (stripped.startsWith('--') && stripped.length > 2 && stripped[2] !== '-') return false;
  if ((stripped[0] === '-' || stripped[0] === '*') && !stripped.startsWith('**')) return true;
  return /^\d+\.\s/.test(stripped) || /^[-*+]\s/.test(stripped);
}

/** html2text's `optwrap`: wraps each paragraph line at 78 columns. */
function optWrap(text: string): string {
  let result = '';
  let newlines = 0;
  for (const paragraph of text.split('\n')) {
    if (paragraph.length > 0) {
      if (!skipWrap(paragraph)) {
        let indent = '';
        if (paragraph.startsWith('  *')) indent = '    ';
        else if (paragraph.startsWith('> ')) indent = '> ';
        result += wrap(paragraph, BODY_WIDTH, indent).join('\n');
        if (paragraph.endsWith('  ')) {
          result += '  \n';
          newlines = 1;
        } else if (indent) {
          result += '\n';
          newlines = 1;
        } else {
          result += '\n\n';
          newlines = 2;
        }
      } else if (!/^\s\+/.test(paragraph)) {
        // html2text's RE_SPACE is `\s\+` (a whitespace then a literal plus), so almost every
        // unwrapped line is kept; reproduced as written.
        result += `${paragraph}\n`;
        newlines = 1;
      }
    } else if (newlines < 2) {
      result += '\n';
      newlines += 1;
    }
  }
  return result;
}

/**
 * Converts HTML (or plain text) to Markdown exactly as `html2text.html2text(html)` does, for
 * any result within the field bound (`MAX_FIELD_LENGTH`). Past it, conversion stops and the
 * result keeps its beginning and a marker counting the input characters left unconverted.
 */
export function htmlToText(html: string): string {
  const converter = new Html2Text();
  const left = feed(html.replaceAll("</' + 'script>", '</ignore>'), converter);
  const text = optWrap(converter.finish());
  if (left === 0) return boundField(text);
  // The count is what the reader does not see: the input left unconverted and any converted
  // text past the bound.
  const keep = text.length > keptLength() ? safeCut(text, keptLength()) : text.length;
  return text.slice(0, keep) + truncationMarker(left + text.length - keep);
}
