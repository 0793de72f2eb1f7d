// Liveness (/health: the process answers) and readiness (/health/ready: the database and the user stores
// answer), for load balancers and orchestrators. Neither needs authentication nor reveals more than UP/DOWN,
// each user store's domain and a short reason (never a URL or credential).
//
// Readiness follows the PRIMARY store only: it lives in the identity database, without which no node can
// serve anything. A secondary store that is down is reported (DOWN, with its reason) but keeps the node
// ready: its users' logins fail fast with USR-50301 while everyone else signs in, and taking every node out
// of the load balancer for it would lock out all users instead of some.
//
// An overloaded node (overload.ts) is not ready either: it refuses new logins, and a load balancer that
// reads DOWN sends them to another node. Liveness stays UP: the node finishes the logins it has.
import type { FastifyInstance } from 'fastify';
import type { Pressure } from './overload.ts';

export interface StoreStatusView {
  domain: string;
  tenant?: string;
  status: 'UP' | 'DOWN';
  reason?: string;
}

export function registerHealthRoutes(
  app: FastifyInstance,
  ping: () => Promise<void>,
  stores: () => Promise<StoreStatusView[]> = async () => [],
  pressure: () => Pressure | undefined = () => undefined,
): void {
  app.get('/health', async () => ({ status: 'UP' }));
  app.get('/health/ready', async (request, reply) => {
    const overloaded = pressure();
    if (overloaded) {
      return reply.code(503).send({ status: 'DOWN', checks: { overload: { status: 'DOWN', ...overloaded } } });
    }
    const userStores = await stores().catch(() => [] as StoreStatusView[]);
    const primaryDown = userStores.some((s) => s.domain === 'PRIMARY' && s.status === 'DOWN');
    try {
      await ping();
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'DOWN', checks: { database: 'DOWN', userStores } });
    }
    for (const s of userStores.filter((x) => x.status === 'DOWN')) request.log.warn({ store: s.domain, tenant: s.tenant, reason: s.reason }, 'user store is down');
    if (primaryDown) return reply.code(503).send({ status: 'DOWN', checks: { database: 'UP', userStores } });
    return { status: 'UP', checks: { database: 'UP', userStores } };
  });
}
