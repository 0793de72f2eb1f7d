// One error shape for APIs, {code, message, description, traceId}, and one error page for browsers.
// Unknown errors are logged with their stack and reach the client only as PCS-50000 with a trace id.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors/app-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import type { Views } from '../ui/views.ts';

export interface ErrorBody {
  code: string;
  message: string;
  description: string;
  traceId: string;
}

const API_PREFIXES = ['/api/', '/scim2/', '/services/', '/oauth2/', '/health', '/identity/'];

/** Browsers get a page; API clients (by path, or when they do not accept HTML) get JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  if (API_PREFIXES.some((p) => path.startsWith(p))) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

/** Maps framework errors (body limits, parse errors, schema validation) to our codes. */
export function toAppError(error: FastifyError | Error): AppError {
  if (isAppError(error)) return error;
  const e = error as FastifyError;
  const byCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'PCS-41300',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PCS-41500',
    FST_ERR_RATE_LIMIT: 'PCS-42900',
  };
  const mapped = e.code ? byCode[e.code] : undefined;
  if (mapped) return new AppError(mapped);
  if (e.validation) {
    const first = e.validation[0];
    const where = first?.instancePath ? `${first.instancePath.slice(1).replace(/\//g, '.')} ` : '';
    return new AppError('PCS-40001', { description: `${where}${first?.message ?? 'is invalid'}`.trim() });
  }
  if (e.statusCode === 404) return new AppError('PCS-40400');
  if (e.statusCode === 405) return new AppError('PCS-40500');
  if (e.statusCode === 413) return new AppError('PCS-41300');
  if (e.statusCode === 415) return new AppError('PCS-41500');
  if (e.statusCode === 429) return new AppError('PCS-42900');
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return new AppError('PCS-40000');
  return new AppError('PCS-50000', { cause: error });
}

export function errorBody(error: AppError, traceId: string): ErrorBody {
  return { code: error.code, message: error.message, description: error.description, traceId };
}

export async function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError, views: Views): Promise<FastifyReply> {
  reply.code(error.status);
  if (error.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Basic realm="Portcullis", charset="UTF-8"');
  if (wantsHtml(request)) {
    const html = views.render('error', { title: error.message, message: error.description, description: '', traceId: request.id, assetBase: '' });
    return reply.type('text/html; charset=utf-8').send(html);
  }
  return reply.type('application/json; charset=utf-8').send(errorBody(error, request.id));
}

export function installErrorHandlers(app: FastifyInstance, views: Views): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code }, 'request refused');
    return sendError(request, reply, appError, views);
  });
  app.setNotFoundHandler(async (request, reply) => sendError(request, reply, new AppError('PCS-40400'), views));
}
