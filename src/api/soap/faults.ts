// SOAP faults of TOTPAdminService. The fault text is the error's user-safe description (never a secret, code or
// password: the AppErrors thrown here carry none), and a 5xx never shows more than "server error" and a trace id.
// HTTP status: the error's own 4xx for a Client (Sender) fault, 500 only for a Server (Receiver) fault. SOAP 1.2's
// HTTP binding does exactly this for Sender faults (400); SOAP 1.1 (section 6.2) and WS-I BP R1126 would send
// 500 for every fault, but a 500 means "our bug" to monitoring and to the fuzz test, and the `soap` package
// reads the fault from the body whatever the status (docs/totp-admin-service.md). The form-posted style
// answers the bare SOAP 1.2 Fault element (the shape WSO2's Axis2 gives REST-style callers).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../../errors/app-error.ts';
import { el, type XmlElement } from '../../encoding/xml.ts';
import { answer, contentTypeOf, SOAP12_NS, SoapFault, TOTP_NS, type CallStyle, type FaultKind } from './envelope.ts';

const SOAP12_CODES: Record<FaultKind, string> = { Client: 'Sender', Server: 'Receiver', VersionMismatch: 'VersionMismatch', MustUnderstand: 'MustUnderstand' };
const SERVER_ERROR = 'The server could not complete the request.';

/** Our error code and the request's trace id, so an operator can find the log line. */
function detail(error: AppError, traceId: string): XmlElement {
  return el('ns:TOTPAdminServiceFault', { 'xmlns:ns': TOTP_NS }, [el('ns:code', {}, [error.code]), el('ns:traceId', {}, [traceId])]);
}

export function faultElement(style: CallStyle, kind: FaultKind, text: string, info: XmlElement): XmlElement {
  if (style === '1.1') {
    return el('soapenv:Fault', {}, [el('faultcode', {}, [`soapenv:${kind}`]), el('faultstring', {}, [text]), el('detail', {}, [info])]);
  }
  return el('soapenv:Fault', style === 'form' ? { 'xmlns:soapenv': SOAP12_NS } : {}, [
    el('soapenv:Code', {}, [el('soapenv:Value', {}, [`soapenv:${SOAP12_CODES[kind]}`])]),
    el('soapenv:Reason', {}, [el('soapenv:Text', { 'xml:lang': 'en' }, [text])]),
    el('soapenv:Detail', {}, [info]),
  ]);
}

export function sendFault(request: FastifyRequest, reply: FastifyReply, style: CallStyle, error: AppError): FastifyReply {
  const server = error.status >= 500;
  const kind: FaultKind = error instanceof SoapFault ? error.kind : server ? 'Server' : 'Client';
  const text = server ? SERVER_ERROR : error.description;
  reply.code(error.status);
  // A refused or missing Basic login is an HTTP 401 a client's HTTP layer understands, with the fault as its body.
  if (error.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Basic realm="Portcullis", charset="UTF-8"');
  return reply.type(contentTypeOf(style)).send(answer(style, faultElement(style, kind, text, detail(error, request.id))));
}
