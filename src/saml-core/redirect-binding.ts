// The HTTP-Redirect binding (SAML bindings 3.4): the message is DEFLATEd (RFC 1951, raw), Base64-encoded and
// URL-encoded into the query; a signature covers the query parameters as they appear on the wire. The raw
// query is split here without normalising anything, so the signed octets can be rebuilt exactly as received.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AppError } from '../errors/app-error.ts';
import { decodeBase64 as strictBase64, decodePercent, decodeUtf8 } from '../encoding/decode.ts';
import { signQuery, type SigningKey } from './signature.ts';
import { invalidMessage, MAX_XML_BYTES } from './xml.ts';

export interface QueryParam {
  /** As it appeared in the URL (still percent-encoded). */
  raw: string;
  /** Decoded (application/x-www-form-urlencoded rules). */
  value: string;
}

const KNOWN = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'];

/** The SAML parameters of a URL's query; a repeated one makes the message invalid (which one was signed?). */
export function parseRedirectQuery(url: string): Map<string, QueryParam> {
  const q = url.indexOf('?');
  const out = new Map<string, QueryParam>();
  if (q < 0) return out;
  for (const token of url.slice(q + 1).split('&')) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    const rawName = eq < 0 ? token : token.slice(0, eq);
    const raw = eq < 0 ? '' : token.slice(eq + 1);
    const name = decodePercent(rawName, { code: 'SAML-40001', what: 'The query string', plusAsSpace: true });
    // Base64 values keep a literal '+' (some SPs forget to encode it); RelayState follows form rules.
    const value = decodePercent(raw, { code: 'SAML-40001', what: 'The query string', plusAsSpace: name === 'RelayState' || name === 'SigAlg' });
    if (!KNOWN.includes(name)) continue;
    if (out.has(name)) throw invalidMessage(`The query repeats ${name}.`);
    out.set(name, { raw, value });
  }
  return out;
}

/** The signed octets of a Redirect-binding message (bindings 3.4.4.1), from the raw parameters. */
export function signedOctets(params: Map<string, QueryParam>, messageName: 'SAMLRequest' | 'SAMLResponse'): string {
  const part = (name: string) => (params.has(name) ? `${name}=${params.get(name)!.raw}` : undefined);
  return [part(messageName), part('RelayState'), part('SigAlg')].filter((p) => p !== undefined).join('&');
}

/** Base64 as SAML uses it (RFC 2045 alphabet, line breaks tolerated); decoded size is bounded. */
export function decodeBase64(value: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length > Math.ceil((MAX_XML_BYTES * 4) / 3) + 4) {
    if (compact.length === 0) throw invalidMessage('The SAML message is empty.');
    throw new AppError('SAML-41301');
  }
  return strictBase64(compact, { code: 'SAML-40001', what: 'The SAML message' });
}

/** Inflates a raw DEFLATE stream, refusing output beyond the XML size limit (a "zip bomb"). */
export function inflate(data: Buffer): string {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(data, { maxOutputLength: MAX_XML_BYTES });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new AppError('SAML-41301');
    throw invalidMessage('The SAML message is not DEFLATE-compressed.');
  }
  return decodeUtf8(inflated, { code: 'SAML-40001', what: 'The SAML message' });
}

/**
 * A message of either binding as XML. Redirect messages are DEFLATEd (bindings 3.4.4.1) and POST messages are
 * not (3.5.4), but SPs get this wrong both ways (node-saml deflates POST messages unless told otherwise, and
 * skips compression on request), so a payload that is already XML is taken as is, anything else is inflated.
 */
export function decodeMessage(value: string): string {
  const data = decodeBase64(value);
  // Sniffed on the bytes: a DEFLATE stream is not UTF-8, so decoding it as text would refuse it.
  const head = data.subarray(0, 64).toString('latin1');
  return /^(\xEF\xBB\xBF)?\s*</.test(head) ? decodeUtf8(data, { code: 'SAML-40001', what: 'The SAML message' }) : inflate(data);
}

/**
 * A Redirect-binding URL carrying `xml` to `location`, signed with our key (bindings 3.4.4.1) unless `key` is
 * undefined (an upstream IdP that takes unsigned AuthnRequests). Values are
 * percent-encoded with encodeURIComponent (RFC 3986), which is also what the signature covers.
 */
export function redirectUrl(location: string, name: 'SAMLRequest' | 'SAMLResponse', xml: string, relayState: string | undefined, key: SigningKey | undefined): string {
  const message = deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');
  let query = `${name}=${encodeURIComponent(message)}`;
  if (relayState !== undefined && relayState !== '') query += `&RelayState=${encodeURIComponent(relayState)}`;
  return `${location}${location.includes('?') ? '&' : '?'}${key ? signQuery(query, key) : query}`;
}
