// Reading and writing XML from outside safely, for every front that takes XML (SAML messages, SOAP envelopes).
// Inbound documents are parsed strictly: bounded size, no DOCTYPE (entity expansion, external entities), no
// processing instructions, exactly one root element, and any parser warning is an error; comments are refused
// unless the caller allows them (SAML refuses them: comment tricks in signed values). Outbound XML is written by
// one small serializer that escapes every value, so no caller builds markup by string concatenation.
import type * as Xmldom from '@xmldom/xmldom';
import { lazyRequire } from '../cache/lazy-module.ts';
import { AppError } from '../errors/app-error.ts';
import type { ErrorCode } from '../errors/codes.ts';

// Loaded by the first XML parsed: a node that never sees a SAML or SOAP message does not load it.
const xmldom = lazyRequire<typeof Xmldom>('@xmldom/xmldom');

export interface XmlParseOptions {
  /** The largest document accepted, in UTF-8 bytes. */
  maxBytes: number;
  /** The error for a document that is not acceptable XML. */
  code: ErrorCode;
  /** The error for a document over maxBytes. */
  tooLargeCode: ErrorCode;
  /** What the document is, for the error's description: 'SAML message', 'SOAP message'. */
  what: string;
  /** Whether comments may appear (callers then skip comment nodes). Default false. */
  allowComments?: boolean;
}

export function parseXmlStrict(xml: string, options: XmlParseOptions): Document {
  const refuse = (description: string) => new AppError(options.code, { description });
  const notWellFormed = () => refuse(`The ${options.what} is not well-formed XML.`);
  if (Buffer.byteLength(xml, 'utf8') > options.maxBytes) throw new AppError(options.tooLargeCode);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw refuse(`A document type declaration is not allowed in a ${options.what}.`);
  if (!options.allowComments && xml.includes('<!--')) throw refuse(`Comments are not allowed in a ${options.what}.`);
  const body = xml.replace(/^\uFEFF?\s*<\?xml\s[^?]*\?>/, '');
  if (body.includes('<?')) throw refuse(`Processing instructions are not allowed in a ${options.what}.`);
  // xmldom silently drops text before the root element; nothing may stand outside it.
  if (!/^\s*<[\s\S]*>\s*$/.test(body)) throw notWellFormed();
  const problems: string[] = [];
  const record = (m: unknown) => problems.push(String(m));
  let doc: Document | undefined;
  try {
    doc = new (xmldom().DOMParser)({ errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(body, 'text/xml');
  } catch {
    throw notWellFormed();
  }
  if (problems.length > 0 || !doc?.documentElement) throw notWellFormed();
  // xmldom accepts text around the root and (after CVE-2022-39353) reports a second root; check both here.
  let roots = 0;
  for (const node of Array.from(doc.childNodes)) {
    if (node.nodeType === 1) roots += 1;
    else if (node.nodeType === 3 && /^\s*$/.test(node.nodeValue ?? '')) continue;
    else if (node.nodeType === 8 && options.allowComments) continue;
    else throw refuse(`The ${options.what} must contain exactly one root element.`);
  }
  if (roots !== 1) throw refuse(`The ${options.what} must contain exactly one root element.`);
  return doc;
}

export function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** The element children of `parent` (text, comments and the rest skipped). */
export function elementChildren(parent: Element): Element[] {
  return Array.from(parent.childNodes).filter(isElement);
}

/** Element children of `parent` with the namespace and local name. */
export function childrenNS(parent: Element, ns: string, local: string): Element[] {
  return elementChildren(parent).filter((n) => n.namespaceURI === ns && n.localName === local);
}

// ---- writing ----

export interface XmlElement {
  name: string;
  attrs?: Record<string, string | undefined>;
  children?: (XmlElement | string | undefined)[];
}

// Characters XML 1.0 cannot carry at all (section 2.2) are replaced rather than written.
export const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeText(value: string): string {
  return value.replace(INVALID_XML_CHARS, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
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
