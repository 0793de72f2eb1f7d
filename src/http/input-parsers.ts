// How Fastify reads what a client sends, all through the guarded decoders (decode.ts): query strings, form
// bodies, cookies and JSON bodies. Malformed input is a 4xx through the normal error handler, never a throw in
// a place Fastify does not guard (its router calls the query parser outside any try: a throw there would end
// the process) and never a silently "repaired" value.
import cookie, { type FastifyCookieOptions } from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { parseFormEncoded, parseJson, tryDecodePercent, type FormFields } from '../encoding/decode.ts';

const MALFORMED = Symbol('portcullis.malformedQuery');
type ParsedQuery = FormFields & { [MALFORMED]?: AppError };

/** Fastify's `querystringParser`: must not throw, so a bad query is remembered and refused in onRequest. */
export function parseQuery(text: string): ParsedQuery {
  try {
    return parseFormEncoded(text, { what: 'The query string' });
  } catch (err) {
    const query = Object.create(null) as ParsedQuery;
    query[MALFORMED] = err instanceof AppError ? err : new AppError('PCS-40002');
    return query;
  }
}

/**
 * Fastify's `frameworkErrors`: a path its router cannot decode (FST_ERR_BAD_URL) or a parameter over
 * maxParamLength. Answered in our error shape; Fastify's own body would echo the whole URL, query included.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'PCS-41400' : error.code === 'FST_ERR_BAD_URL' ? 'PCS-40002' : 'PCS-40000';
  // Through our own error handler (reply.send(error) here would use Fastify's default shape).
  void Promise.resolve(request.server.errorHandler.call(request.server, new AppError(code) as unknown as FastifyError, request, reply));
}

/** A cookie whose value is not valid percent-encoded UTF-8 reads as absent (another site's junk cannot lock a browser out). */
function decodeCookie(value: string): string {
  return tryDecodePercent(value) as string;
}

export async function registerInputParsers(app: FastifyInstance, options: { bodyLimit: number }): Promise<void> {
  // Hooks of every request take a callback rather than being async: the request scope (request-scope.ts) hooks
  // every promise a request makes, so each one costs more than it looks (docs/performance.md, "Eighth pass").
  app.addHook('onRequest', (request, _reply, done) => {
    const bad = (request.query as ParsedQuery | undefined)?.[MALFORMED];
    done(bad);
  });
  await app.register(formbody, { bodyLimit: options.bodyLimit, parser: (text: string) => parseFormEncoded(text, { what: 'The form' }) });
  // parseOptions reach the `cookie` package's parser (its type names only the serializer's options).
  await app.register(cookie, { parseOptions: { decode: decodeCookie } as FastifyCookieOptions['parseOptions'] });
  // JSON, and SCIM's application/scim+json (RFC 7644 section 3.1), read as bytes so bad UTF-8 is refused too.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, (body as Buffer).length === 0 ? undefined : parseJson(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
