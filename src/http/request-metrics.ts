// Request latency by route PATTERN (`/api/server/v1/applications/:id`, never the URL with its ids, user
// names or tokens) and the count of new logins started, for the metrics (metrics/metrics.ts).
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/metrics.ts';
import { newLoginFront } from './login-start.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // No route matched (404, or refused before routing): one label value, whatever the URL was.
    const route = request.routeOptions.url ?? 'unmatched';
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    metrics.requestDuration.observe({ method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const front = reply.statusCode < 500 ? newLoginFront(request) : undefined;
    if (front) metrics.loginsStarted.inc({ front });
  });
}
