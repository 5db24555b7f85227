import namedWithSemicolon from 'entities/lib/maps/entities.json';
import namedLegacy from 'entities/lib/maps/legacy.json';

/**
 * Python's `html.entities.html5` and `html.unescape`, which DefectDojo's parsers reach through
 * `html2text` and `html.parser`. The table is WHATWG's named character references as the
 * `entities` package ships them: its 2,125 names (stored without the `;`) plus the 106 legacy
 * names that may appear without one, which together are exactly Python's 2,231 keys. The
 * numeric rules (`_invalid_charrefs`, `_invalid_codepoints`) are copied from Python's `html`
 * module, because a description's text enters hash codes and must decode as Python decodes it.
 */

const WITH_SEMICOLON = namedWithSemicolon as Readonly<Record<string, string>>;
const LEGACY = namedLegacy as Readonly<Record<string, string>>;

function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** `html.entities.html5[key]`, where `key` ends with `;` or is one of the legacy names. */
export function html5Entity(key: string): string | undefined {
  if (key.endsWith(';')) return own(WITH_SEMICOLON, key.slice(0, -1));
  return own(LEGACY, key);
}

/** Python's `html._invalid_charrefs`: Windows-1252 readings of C1 controls, NUL and CR. */
const INVALID_CHARREFS: Readonly<Record<number, string>> = {
  0x00: '\ufffd', 0x0d: '\r', 0x80: '\u20ac', 0x81: '\x81', 0x82: '\u201a', 0x83: '\u0192', 0x84: '\u201e',
  0x85: '\u2026', 0x86: '\u2020', 0x87: '\u2021', 0x88: '\u02c6', 0x89: '\u2030', 0x8a: '\u0160', 0x8b: '\u2039',
  0x8c: '\u0152', 0x8d: '\x8d', 0x8e: '\u017d', 0x8f: '\x8f', 0x90: '\x90', 0x91: '\u2018', 0x92: '\u2019',
  0x93: '\u201c', 0x94: '\u201d', 0x95: '\u2022', 0x96: '\u2013', 0x97: '\u2014', 0x98: '\u02dc', 0x99: '\u2122',
  0x9a: '\u0161', 0x9b: '\u203a', 0x9c: '\u0153', 0x9d: '\x9d', 0x9e: '\u017e', 0x9f: '\u0178',
};

/** Python's `html._invalid_codepoints`: controls, non-characters, and the last two of every plane. */
function isInvalidCodePoint(code: number): boolean {
  if ((code >= 0x1 && code <= 0x8) || code === 0xb || (code >= 0xe && code <= 0x1f)) return true;
  if ((code >= 0x7f && code <= 0x9f) || (code >= 0xfdd0 && code <= 0xfdef)) return true;
  return (code & 0xfffe) === 0xfffe;
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

/** Python's `html._replace_charref` for the text after `&`. */
function replaceCharref(s: string): string {
  if (s[0] === '#') {
    const digits = s.replace(/;$/, '');
    const code = s[1] === 'x' || s[1] === 'X' ? Number.parseInt(digits.slice(2), 16) : Number.parseInt(digits.slice(1), 10);
    if (Object.prototype.hasOwnProperty.call(INVALID_CHARREFS, code)) return INVALID_CHARREFS[code];
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff || !Number.isFinite(code)) return '\ufffd';
    if (isInvalidCodePoint(code)) return '';
    return String.fromCodePoint(code);
  }
  const whole = html5Entity(s);
  if (whole !== undefined) return whole;
  // The longest name the text starts with, as the standard defines it (`&notit;` is `¬it;`).
  for (let length = s.length - 1; length > 1; length--) {
    const prefix = html5Entity(s.slice(0, length));
    if (prefix !== undefined) return prefix + s.slice(length);
  }
  return `&${s}`;
}

/** Python's `html.unescape(text)`. */
export function pythonUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (_whole, body: string) => replaceCharref(body));
}
