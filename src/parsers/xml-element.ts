import { ReportParseError } from './errors';
import { parseXml } from './xml';

/**
 * A small ElementTree: DefectDojo's XML parsers are written against Python's
 * `xml.etree.ElementTree` (`find`, `findall`, `findtext`, `itertext`, `text`, `tail`), and
 * reproducing their output exactly (SpotBugs builds its description from `itertext()`, whitespace
 * included) needs the same document model. It is built from fast-xml-parser's order-preserving
 * output, so all decoding still goes through the safe `parseXml`.
 */
export interface XmlElement {
  tag: string;
  attributes: Record<string, string>;
  /** Text before the first child, or null when there is none (ElementTree's `text`). */
  text: string | null;
  /** Text after this element's end tag, inside its parent (ElementTree's `tail`). */
  tail: string | null;
  children: XmlElement[];
}

type OrderedNode = Record<string, unknown>;

const ATTRIBUTES_KEY = ':@';
const TEXT_KEY = '#text';

function appendText(current: string | null, more: string): string {
  return current === null ? more : current + more;
}

function buildChildren(nodes: unknown[], parent: XmlElement): void {
  let last: XmlElement | null = null;
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as OrderedNode;
    if (Object.prototype.hasOwnProperty.call(record, TEXT_KEY)) {
      const text = String(record[TEXT_KEY]);
      if (last === null) parent.text = appendText(parent.text, text);
      else last.tail = appendText(last.tail, text);
      continue;
    }
    const tag = Object.keys(record).find((key) => key !== ATTRIBUTES_KEY);
    if (tag === undefined || tag.startsWith('?')) continue;
    const attributes: Record<string, string> = {};
    const rawAttributes = record[ATTRIBUTES_KEY];
    if (typeof rawAttributes === 'object' && rawAttributes !== null) {
      for (const [name, value] of Object.entries(rawAttributes as Record<string, unknown>)) {
        attributes[name.startsWith('@_') ? name.slice(2) : name] = String(value);
      }
    }
    const element: XmlElement = { tag, attributes, text: null, tail: null, children: [] };
    const content = record[tag];
    if (Array.isArray(content)) buildChildren(content, element);
    parent.children.push(element);
    last = element;
  }
}

/**
 * Parses XML text (safely, via `parseXml`) into the root element. Throws `ReportParseError` for
 * bad XML and for a document without a root element.
 */
export function parseXmlElement(text: string, fileName: string): XmlElement {
  const ordered = parseXml(text, fileName, { preserveOrder: true, trimValues: false });
  const holder: XmlElement = { tag: '#document', attributes: {}, text: null, tail: null, children: [] };
  if (Array.isArray(ordered)) buildChildren(ordered, holder);
  const root = holder.children[0];
  if (root === undefined) throw new ReportParseError(fileName, 'the XML document has no root element');
  return root;
}

/** Wraps an already decoded order-preserving document (for `sniff`), or null when it is not one. */
export function elementFromDocument(document: unknown): XmlElement | null {
  if (!Array.isArray(document)) return null;
  const holder: XmlElement = { tag: '#document', attributes: {}, text: null, tail: null, children: [] };
  buildChildren(document, holder);
  return holder.children[0] ?? null;
}

/**
 * Whether a decoded document (for `sniff`) has the root element `name`, by local name. The
 * detector decodes in the order-preserving form; fast-xml-parser's default form, a plain object
 * keyed by the root tag, is accepted too.
 */
export function hasRootElement(document: unknown, name: string): boolean {
  const element = elementFromDocument(document);
  if (element) return localName(element.tag) === name;
  return typeof document === 'object' && document !== null && name in document;
}

/** The tag without a namespace prefix (`dc:dependency` → `dependency`). */
export function localName(tag: string): string {
  const colon = tag.indexOf(':');
  return colon === -1 ? tag : tag.slice(colon + 1);
}

/**
 * ElementTree's `find` / `findall` for the path subset the DefectDojo parsers use: child steps
 * separated by `/`, and a leading `.//` for "any descendant". Tags compare by local name, as the
 * parsers prefix every step with the document's namespace.
 */
export function findAll(element: XmlElement, path: string): XmlElement[] {
  let steps = path.split('/');
  let current: XmlElement[] = [element];
  if (path.startsWith('.//')) {
    steps = path.slice(3).split('/');
    const first = steps.shift()!;
    current = descendants(element).filter((e) => localName(e.tag) === first);
  }
  for (const step of steps) {
    if (step === '' || step === '.') continue;
    current = current.flatMap((e) => e.children.filter((child) => localName(child.tag) === step));
  }
  return current;
}

function descendants(element: XmlElement): XmlElement[] {
  const found: XmlElement[] = [];
  const stack = [...element.children].reverse();
  while (stack.length > 0) {
    const next = stack.pop()!;
    found.push(next);
    for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]);
  }
  return found;
}

export function find(element: XmlElement, path: string): XmlElement | null {
  return findAll(element, path)[0] ?? null;
}

/** ElementTree's `findtext`: null when there is no such element, its text (or '') otherwise. */
export function findText(element: XmlElement, path: string): string | null {
  const found = find(element, path);
  return found === null ? null : (found.text ?? '');
}

/** ElementTree's `itertext`: this element's text, then each child's texts and tail, in order. */
export function iterText(element: XmlElement): string[] {
  const parts: string[] = [];
  const walk = (e: XmlElement): void => {
    if (e.text !== null) parts.push(e.text);
    for (const child of e.children) {
      walk(child);
      if (child.tail !== null) parts.push(child.tail);
    }
  };
  walk(element);
  return parts;
}
