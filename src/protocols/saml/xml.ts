// Reading and writing SAML XML safely. Inbound messages are parsed strictly: no DOCTYPE (entity expansion,
// external entities), no comments or processing instructions (comment tricks in signed values), exactly one
// root element, and any parser warning is an error. Outbound XML is written by one small serializer that
// escapes every value, so no caller builds markup by string concatenation.
import { randomBytes } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { AppError } from '../../errors/app-error.ts';

/** Large enough for any signed request with an embedded certificate; AuthnRequests are usually under 2 KiB. */
export const MAX_XML_BYTES = 128 * 1024;

export function invalidMessage(description: string): AppError {
  return new AppError('SAML-40001', { description });
}

export function parseSamlXml(xml: string): Document {
  if (Buffer.byteLength(xml, 'utf8') > MAX_XML_BYTES) throw new AppError('SAML-41301');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw invalidMessage('A document type declaration is not allowed in a SAML message.');
  if (xml.includes('<!--')) throw invalidMessage('Comments are not allowed in a SAML message.');
  const body = xml.replace(/^\uFEFF?\s*<\?xml\s[^?]*\?>/, '');
  if (body.includes('<?')) throw invalidMessage('Processing instructions are not allowed in a SAML message.');
  // xmldom silently drops text before the root element; nothing may stand outside it.
  if (!/^\s*<[\s\S]*>\s*$/.test(body)) throw invalidMessage('The SAML message is not well-formed XML.');
  const problems: string[] = [];
  const record = (m: unknown) => problems.push(String(m));
  const doc = new DOMParser({ errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(body, 'text/xml');
  if (problems.length > 0 || !doc?.documentElement) throw invalidMessage('The SAML message is not well-formed XML.');
  // xmldom accepts text around the root and (after CVE-2022-39353) reports a second root; check both here.
  let roots = 0;
  for (const node of Array.from(doc.childNodes)) {
    if (node.nodeType === 1) roots += 1;
    else if (node.nodeType === 3 && /^\s*$/.test(node.nodeValue ?? '')) continue;
    else throw invalidMessage('The SAML message must contain exactly one root element.');
  }
  if (roots !== 1) throw invalidMessage('The SAML message must contain exactly one root element.');
  return doc;
}

export function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** Element children of `parent` with the namespace and local name. */
export function childrenNS(parent: Element, ns: string, local: string): Element[] {
  return Array.from(parent.childNodes).filter((n): n is Element => isElement(n) && n.namespaceURI === ns && n.localName === local);
}

/** The single child with this name, or undefined; two of them make the message invalid. */
export function optionalChild(parent: Element, ns: string, local: string): Element | undefined {
  const found = childrenNS(parent, ns, local);
  if (found.length > 1) throw invalidMessage(`${parent.localName} has more than one ${local}.`);
  return found[0];
}

export function requiredChild(parent: Element, ns: string, local: string): Element {
  const found = optionalChild(parent, ns, local);
  if (!found) throw invalidMessage(`${parent.localName} has no ${local}.`);
  return found;
}

/** The text of a simple element; an element inside it makes the message invalid. */
export function textOf(el: Element): string {
  let out = '';
  for (const node of Array.from(el.childNodes)) {
    if (node.nodeType === 3 || node.nodeType === 4) out += node.nodeValue ?? '';
    else throw invalidMessage(`${el.localName} must contain text only.`);
  }
  return out.trim();
}

export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name)! : undefined;
}

/** xs:boolean (XML Schema 2, section 3.2.2). */
export function boolAttr(el: Element, name: string): boolean {
  const v = attr(el, name);
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw invalidMessage(`${name} must be true or false.`);
}

/** Milliseconds of an xs:dateTime in UTC ("2026-01-01T00:00:00Z", fractions allowed); SAML core 1.3.3. */
export function dateAttr(el: Element, name: string, required: boolean): number | undefined {
  const v = attr(el, name);
  if (v === undefined) {
    if (required) throw invalidMessage(`${el.localName} has no ${name}.`);
    return undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) || Number.isNaN(Date.parse(v))) throw invalidMessage(`${name} is not a UTC date and time.`);
  return Date.parse(v);
}

/** SAML IDs are xs:ID (an NCName); we also bound their length. */
export function idAttr(el: Element): string {
  const id = attr(el, 'ID');
  if (!id || id.length > 256 || !/^[A-Za-z_][\w.-]*$/.test(id)) throw invalidMessage(`${el.localName} has no valid ID.`);
  return id;
}

// ---- writing ----

export interface XmlElement {
  name: string;
  attrs?: Record<string, string | undefined>;
  children?: (XmlElement | string | undefined)[];
}

// Characters XML 1.0 cannot carry at all (section 2.2) are replaced rather than written.
const INVALID_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeText(value: string): string {
  return value.replace(INVALID_CHARS, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

export function el(name: string, attrs: XmlElement['attrs'] = {}, children: XmlElement['children'] = []): XmlElement {
  return { name, attrs, children };
}

export function serialize(node: XmlElement): string {
  const attrs = Object.entries(node.attrs ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  const children = (node.children ?? []).filter((c) => c !== undefined);
  if (children.length === 0) return `<${node.name}${attrs}/>`;
  const inner = children.map((c) => (typeof c === 'string' ? escapeText(c) : serialize(c))).join('');
  return `<${node.name}${attrs}>${inner}</${node.name}>`;
}

/** `_` + 128 random bits in hex: an xs:ID that cannot be guessed (SAML core 1.3.4). */
export function newSamlId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

export function instant(ms: number): string {
  return new Date(ms).toISOString();
}
