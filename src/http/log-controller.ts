// One access-log line per request (method, path without query, status, time, trace id) instead of
// Fastify's two; the line on arrival is kept at debug level for troubleshooting.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { stripQuery } from './logger.ts';

export class AccessLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'traceId' });
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, path: stripQuery(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
