// SAML's XML rules on top of the shared safe reader and writer (encoding/xml.ts): inbound messages are parsed
// strictly there (no DOCTYPE, no comments: comment tricks in signed values, no processing instructions, one
// root); here are the SAML-specific readers (IDs, dates, single children) and their SAML-40001 error.
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';
import { childrenNS, parseXmlStrict } from '../encoding/xml.ts';

// The generic reader and writer live in encoding/xml.ts (the SOAP front parses the same way); SAML's callers
// keep importing them from here.
export { childrenNS, el, escapeAttr, escapeText, isElement, serialize, type XmlElement } from '../encoding/xml.ts';

/** Large enough for any signed request with an embedded certificate; AuthnRequests are usually under 2 KiB. */
export const MAX_XML_BYTES = 128 * 1024;

export function invalidMessage(description: string): AppError {
  return new AppError('SAML-40001', { description });
}

export function parseSamlXml(xml: string): Document {
  return parseXmlStrict(xml, { maxBytes: MAX_XML_BYTES, code: 'SAML-40001', tooLargeCode: 'SAML-41301', what: 'SAML message' });
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

/** `_` + 128 random bits in hex: an xs:ID that cannot be guessed (SAML core 1.3.4). */
export function newSamlId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

export function instant(ms: number): string {
  return new Date(ms).toISOString();
}
