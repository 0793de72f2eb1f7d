// SOAP 1.1 and 1.2 envelopes of TOTPAdminService: reading a request (document/literal wrapped: the Body holds
// one element named after the operation, its children are the parameters) and writing a response or a fault.
// Requests are parsed by the shared strict reader (encoding/xml.ts: no DOCTYPE, bounded size, one root), so
// bad XML is a Client fault, never a crash. Every value written goes through the escaping serializer.
import { AppError } from '../../errors/app-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import { el, elementChildren, parseXmlStrict, serialize, type XmlElement } from '../../encoding/xml.ts';

export const TOTP_NS = 'http://services.totp.authenticator.application.identity.carbon.wso2.org';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** Far above any call of this service (a few hundred bytes); the route's body limit is the same. */
export const MAX_SOAP_BYTES = 64 * 1024;

export type SoapVersion = '1.1' | '1.2';
/** How a request came and how its answer goes: a SOAP envelope, or the form-posted style of the seed guide. */
export type CallStyle = SoapVersion | 'form';
export type FaultKind = 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand';

/** A refusal with its SOAP fault code; other AppErrors become Client (4xx) or Server (5xx) faults. */
export class SoapFault extends AppError {
  constructor(
    code: ErrorCode,
    text: string,
    readonly kind: FaultKind = 'Client',
  ) {
    super(code, { description: text });
  }
}

const invalid = (text: string) => new SoapFault('PCS-40000', text);

/** An operation and its parameters as text (a nil or absent parameter is missing). */
export interface OperationCall {
  operation: string;
  params: Record<string, string>;
}

/** SOAP 1.2 (application/soap+xml), SOAP 1.1 (text/xml) or neither, by the Content-Type's media type. */
export function soapVersionOf(contentType: string | undefined): SoapVersion | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/soap+xml') return '1.2';
  if (type === 'text/xml') return '1.1';
  return undefined;
}

/** The action the client names: SOAP 1.1's SOAPAction header, SOAP 1.2's `action` media type parameter. */
export function soapActionOf(version: SoapVersion, headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = version === '1.1' ? headers.soapaction : /;\s*action\s*=\s*("[^"]*"|[^;\s]*)/i.exec(String(headers['content-type'] ?? ''))?.[1];
  if (typeof raw !== 'string') return undefined;
  return raw.trim().replace(/^"(.*)"$/, '$1');
}

export function parseEnvelope(xml: string, version: SoapVersion): OperationCall {
  const doc = parseXmlStrict(xml, { maxBytes: MAX_SOAP_BYTES, code: 'PCS-40000', tooLargeCode: 'PCS-41300', what: 'SOAP message', allowComments: true });
  const envelope = doc.documentElement!;
  const ns = version === '1.1' ? SOAP11_NS : SOAP12_NS;
  if (envelope.localName !== 'Envelope') throw invalid('The root element of a SOAP message is its Envelope.');
  if (envelope.namespaceURI !== ns) {
    throw new SoapFault('PCS-40000', `The Envelope must be in the SOAP ${version} namespace ${ns} (SOAP 1.1 is sent as text/xml, SOAP 1.2 as application/soap+xml).`, 'VersionMismatch');
  }
  onlyElements(envelope);
  const parts = elementChildren(envelope);
  const header = parts[0]?.namespaceURI === ns && parts[0].localName === 'Header' ? parts.shift() : undefined;
  if (parts.length !== 1 || parts[0]!.namespaceURI !== ns || parts[0]!.localName !== 'Body') throw invalid('A SOAP Envelope holds an optional Header and one Body.');
  if (header) refuseMandatoryHeaders(header, ns);
  const body = parts[0]!;
  onlyElements(body);
  const calls = elementChildren(body);
  if (calls.length !== 1) throw invalid('The SOAP Body must hold exactly one operation element.');
  const call = calls[0]!;
  if (call.namespaceURI !== TOTP_NS) throw invalid(`The operation element must be in the namespace ${TOTP_NS}.`);
  return { operation: call.localName ?? '', params: paramsOf(call) };
}

/** We understand no header block, so one the client marks mandatory is a MustUnderstand fault (SOAP 1.2 part 1, 5.2.3). */
function refuseMandatoryHeaders(header: Element, ns: string): void {
  for (const block of elementChildren(header)) {
    const value = block.getAttributeNS(ns, 'mustUnderstand');
    if (value === '1' || value === 'true') throw new SoapFault('PCS-40000', 'A mandatory SOAP header block is not understood by this service.', 'MustUnderstand');
  }
}

/** Parameters: child elements (the service's namespace or unqualified) with text content; xsi:nil is missing. */
function paramsOf(call: Element): Record<string, string> {
  onlyElements(call);
  const params = Object.create(null) as Record<string, string>;
  for (const child of elementChildren(call)) {
    if (child.namespaceURI !== TOTP_NS && child.namespaceURI) throw invalid(`The parameters must be in the namespace ${TOTP_NS}.`);
    const name = child.localName ?? '';
    if (Object.hasOwn(params, name)) throw invalid(`The parameter ${name} appears more than once.`);
    const nil = child.getAttributeNS(XSI_NS, 'nil');
    if (nil === 'true' || nil === '1') continue;
    params[name] = textOf(child);
  }
  return params;
}

/** Only elements, whitespace and comments may stand between the elements of an envelope. */
function onlyElements(parent: Element): void {
  for (const node of Array.from(parent.childNodes)) {
    if (node.nodeType === 1 || node.nodeType === 8) continue;
    if (node.nodeType === 3 && /^\s*$/.test(node.nodeValue ?? '')) continue;
    throw invalid(`${parent.localName} may hold only elements.`);
  }
}

function textOf(element: Element): string {
  let out = '';
  for (const node of Array.from(element.childNodes)) {
    if (node.nodeType === 3 || node.nodeType === 4) out += node.nodeValue ?? '';
    else if (node.nodeType !== 8) throw invalid(`The parameter ${element.localName} must hold text only.`);
  }
  return out;
}

// ---- writing ----

/** WSO2's response element: `<ns:{op}Response xmlns:ns="..."><ns:return>...</ns:return></ns:{op}Response>`. */
export function responseElement(operation: string, value: string): XmlElement {
  return el(`ns:${operation}Response`, { 'xmlns:ns': TOTP_NS }, [el('ns:return', {}, [value])]);
}

export function envelope(version: SoapVersion, body: XmlElement): string {
  const ns = version === '1.1' ? SOAP11_NS : SOAP12_NS;
  return `<?xml version="1.0" encoding="UTF-8"?>${serialize(el('soapenv:Envelope', { 'xmlns:soapenv': ns }, [el('soapenv:Body', {}, [body])]))}`;
}

/** The Content-Type of an answer in this style. */
export function contentTypeOf(style: CallStyle): string {
  if (style === '1.2') return 'application/soap+xml; charset=utf-8';
  if (style === '1.1') return 'text/xml; charset=utf-8';
  return 'application/xml; charset=utf-8';
}

/** The text of a whole answer: an envelope for SOAP, the bare element for the form-posted style. */
export function answer(style: CallStyle, body: XmlElement): string {
  return style === 'form' ? serialize(body) : envelope(style, body);
}
