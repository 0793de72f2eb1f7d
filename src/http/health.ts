// Liveness (/health: the process answers) and readiness (/health/ready: the database answers), for load
// balancers and orchestrators. Neither needs authentication nor reveals anything but UP/DOWN.
import type { FastifyInstance } from 'fastify';

export function registerHealthRoutes(app: FastifyInstance, ping: () => Promise<void>): void {
  app.get('/health', async () => ({ status: 'UP' }));
  app.get('/health/ready', async (request, reply) => {
    try {
      await ping();
      return { status: 'UP', checks: { database: 'UP' } };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'DOWN', checks: { database: 'DOWN' } });
    }
  });
}
