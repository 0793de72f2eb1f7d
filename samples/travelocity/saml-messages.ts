// Small readers for SAML protocol messages (SAML 2.0 Core), used before and besides node-saml's checks:
// to show an error Status to the user, and to find the InResponseTo of a message. Nothing read here is
// trusted for a decision on its own; node-saml verifies the signature first where it matters.
import { inflateRawSync } from 'node:zlib';
import { parseXml } from './xml.ts';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const MAX_XML = 512 * 1024;

export interface SamlStatus {
  code: string;
  /** The second-level status code (e.g. ...:status:AuthnFailed), if any. */
  subCode: string | undefined;
  message: string | undefined;
}

export interface MessageSummary {
  root: string;
  id: string | undefined;
  inResponseTo: string | undefined;
  destination: string | undefined;
  status: SamlStatus | undefined;
}

/** Decodes a POST-binding value (base64 XML) or, with `deflated`, a Redirect-binding one (base64 DEFLATE). */
export function decodeMessage(value: string, deflated: boolean): string | undefined {
  try {
    const raw = Buffer.from(value, 'base64');
    const xml = deflated ? inflateRawSync(raw, { maxOutputLength: MAX_XML }) : raw;
    return xml.length > MAX_XML ? undefined : xml.toString('utf8');
  } catch {
    return undefined;
  }
}

export function summarise(xml: string | undefined): MessageSummary | undefined {
  if (!xml) return undefined;
  const root = parseXml(xml)?.documentElement;
  if (!root || root.namespaceURI !== SAMLP) return undefined;
  const status = child(root, 'Status');
  const top = status && child(status, 'StatusCode');
  const sub = top && child(top, 'StatusCode');
  const message = status && child(status, 'StatusMessage');
  return {
    root: root.localName ?? '',
    id: root.getAttribute('ID') || undefined,
    inResponseTo: root.getAttribute('InResponseTo') || undefined,
    destination: root.getAttribute('Destination') || undefined,
    status: top ? { code: top.getAttribute('Value') ?? '', subCode: sub?.getAttribute('Value') || undefined, message: message?.textContent?.trim() || undefined } : undefined,
  };
}

function child(parent: Element, name: string): Element | undefined {
  return Array.from(parent.childNodes).find((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === SAMLP && (n as Element).localName === name);
}

export const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** The last part of a status URI, e.g. "AuthnFailed", for headings. */
export function shortStatus(uri: string | undefined): string {
  return uri ? (uri.split(':').pop() ?? uri) : '';
}
