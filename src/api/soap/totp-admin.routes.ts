// TOTPAdminService at /services/TOTPAdminService (and /t/{tenant}/services/...), as WSO2 serves it:
// - SOAP 1.1 (text/xml) and SOAP 1.2 (application/soap+xml) envelopes POSTed to the service or to Axis2's
//   ...HttpsSoap11Endpoint / ...HttpsSoap12Endpoint, described by the WSDL at GET ?wsdl;
// - the form-posted style of the seed guide: POST /services/TOTPAdminService/{operation} with
//   `username=testuser@carbon.super` (and `verificationCode`), answered with the bare response element.
// Callers authenticate with HTTP Basic through the one password policy (authenticateBasic: rate limits,
// lockout), before the body is read; target-user.ts decides whom they may act on. Every error in this scope is
// answered as a SOAP fault in the caller's style (faults.ts), never as a crash.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { decodeUtf8 } from '../../encoding/decode.ts';
import { authenticateBasic } from '../../http/admin-auth.ts';
import { toAppError } from '../../http/error-handler.ts';
import { tenantResourceUrl } from '../../http/public-url.ts';
import type { Services } from '../../services.ts';
import { answer, contentTypeOf, MAX_SOAP_BYTES, parseEnvelope, responseElement, soapActionOf, soapVersionOf, SoapFault, type CallStyle, type OperationCall, type SoapVersion } from './envelope.ts';
import { sendFault } from './faults.ts';
import { operationOf, parseCode } from './operations.ts';
import { targetUser } from './target-user.ts';
import { SOAP11_ENDPOINT, SOAP12_ENDPOINT, totpAdminWsdl } from './wsdl.ts';

const BASE = '/services/TOTPAdminService';
const SOAP_PATHS = [BASE, `/services/${SOAP11_ENDPOINT}`, `/services/${SOAP12_ENDPOINT}`];
/** WSO2's clients (Axis2 stubs) may send the AuthenticationContext argument of some operations; it is ignored. */
const IGNORED_PARAMS = new Set(['context']);

/** The form-posted style is the path with an operation; everything else answers in the envelope's version. */
function styleOf(request: FastifyRequest): CallStyle {
  if (request.url.split('?')[0]!.startsWith(`${BASE}/`)) return 'form';
  return soapVersionOf(request.headers['content-type']) ?? '1.1';
}

export async function registerTotpAdminService(app: FastifyInstance, services: Services): Promise<void> {
  app.setErrorHandler(async (error: Error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code }, 'request refused');
    return sendFault(request, reply, styleOf(request), appError);
  });

  // Only for this scope: envelopes as strict UTF-8 text, bounded (form bodies are the server's own parser).
  app.addContentTypeParser(['text/xml', 'application/soap+xml'], { parseAs: 'buffer', bodyLimit: MAX_SOAP_BYTES }, (_request, body, done) => {
    try {
      done(null, decodeUtf8(body as Buffer, { what: 'The SOAP message' }));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Who calls, before the body is read. The WSDL (GET) is public: it describes the service and holds nothing secret.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'POST') request.caller = await authenticateBasic(request, reply, services.passwords);
  });

  app.get<{ Querystring: Record<string, unknown> }>(BASE, async (request, reply) => {
    if (!Object.keys(request.query).some((k) => k.toLowerCase() === 'wsdl')) throw new AppError('PCS-40400', { description: `The service description is at ${BASE}?wsdl.` });
    const wsdl = totpAdminWsdl(tenantResourceUrl(services.config, request, '/services'));
    return reply.type('text/xml; charset=utf-8').send(wsdl);
  });

  for (const path of SOAP_PATHS) {
    app.post(path, async (request, reply) => {
      const version = soapVersionOf(request.headers['content-type']);
      if (!version || typeof request.body !== 'string') {
        throw new AppError('PCS-41500', { description: 'Send a SOAP 1.1 envelope as text/xml or a SOAP 1.2 envelope as application/soap+xml, or POST a form to /services/TOTPAdminService/{operation}.' });
      }
      const call = parseEnvelope(request.body, version);
      checkAction(version, request, call.operation);
      return invoke(request, reply, version, call);
    });
  }

  app.post<{ Params: { operation: string } }>(`${BASE}/:operation`, { schema: { params: { type: 'object', properties: { operation: { type: 'string', maxLength: 64 } } } } }, async (request, reply) => {
    const body = request.body;
    const isForm = /^application\/x-www-form-urlencoded/i.test(String(request.headers['content-type'] ?? ''));
    if (body !== undefined && (!isForm || typeof body !== 'object' || body === null)) {
      throw new AppError('PCS-41500', { description: 'Send the parameters as application/x-www-form-urlencoded, e.g. username=testuser@carbon.super.' });
    }
    const params = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries((body ?? {}) as Record<string, string | string[]>)) {
      if (typeof value !== 'string') throw new AppError('PCS-40001', { description: `The parameter ${name} appears more than once.` });
      params[name] = value;
    }
    return invoke(request, reply, 'form', { operation: request.params.operation, params });
  });

  async function invoke(request: FastifyRequest, reply: FastifyReply, style: CallStyle, call: OperationCall): Promise<FastifyReply> {
    const op = operationOf(call.operation);
    for (const name of Object.keys(call.params)) {
      if (!(op.params as readonly string[]).includes(name) && !IGNORED_PARAMS.has(name)) throw new AppError('PCS-40001', { description: `${call.operation} takes ${op.params.join(' and ')}.` });
    }
    const username = call.params.username;
    if (username === undefined) throw new AppError('USR-40001', { description: 'The username parameter is required (DOMAIN/name@tenant).' });
    const code = op.params.includes('verificationCode') ? parseCode(call.params.verificationCode) : 0;
    const caller = request.caller;
    if (!caller) throw new AppError('PCS-40100');
    const user = await targetUser(services.users, request, caller, username, services.config.admin_services.totp.self_operations);
    const req = { tenant: request.tenant, actor: caller.actor, via: 'TOTPAdminService', traceId: request.id, remoteAddress: request.ip };
    const value = await op.run({ totp: services.totpManagement, req, user, code });
    // The answer may hold a secret (retrieveSecretKey, the QR payloads): no cache may keep it.
    reply.header('cache-control', 'no-store');
    return reply.type(contentTypeOf(style)).send(answer(style, responseElement(call.operation, String(value))));
  }
}

/** A SOAPAction (1.1) or action parameter (1.2) of `urn:{operation}` must name the operation in the Body. */
function checkAction(version: SoapVersion, request: FastifyRequest, operation: string): void {
  const action = soapActionOf(version, request.headers);
  const named = action && /^urn:([A-Za-z]+)$/.exec(action)?.[1];
  if (named && named !== operation) throw new SoapFault('PCS-40001', 'The SOAP action does not name the operation in the Body.');
}
