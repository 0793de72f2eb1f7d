// The metrics port: plain HTTP GET /metrics on its own listener ([metrics] bind_address, port), apart from the
// HTTPS port users reach, so a load balancer never exposes it and login traffic never waits behind a scrape.
// With [metrics] token set, a scrape must send it as a bearer token (compared in constant time).
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ERROR_CODES } from '../errors/codes.ts';
import type { Metrics } from './metrics.ts';

export interface MetricsServerOptions {
  host: string;
  port: number;
  token: string;
  log: Logger;
}

export interface MetricsServer {
  /** http://host:port of the metrics endpoint. */
  url: string;
  close(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when the Authorization header carries `token` (hashes first: equal lengths for timingSafeEqual). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

export async function startMetricsServer(metrics: Metrics, options: MetricsServerOptions): Promise<MetricsServer> {
  const app: FastifyInstance = Fastify({ loggerInstance: options.log.child({ component: 'metrics' }), disableRequestLogging: true }) as unknown as FastifyInstance;
  app.get('/metrics', async (request, reply) => {
    if (options.token !== '' && !bearerMatches(request.headers.authorization, options.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ code: 'PCS-40100', ...ERROR_CODES['PCS-40100'] });
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.scrape());
  });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
