// Audit events of the tenant, newest first (tenant admin): who did what, in which application, with which
// outcome and reason. Events never hold codes, secrets or passwords.
import type { FastifyInstance } from 'fastify';
import { API_SCOPES } from '../http/api-scopes.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import type { Services } from '../services.ts';

export async function registerAuditRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.addHook('preHandler', requireAdmin(services.passwords, API_SCOPES.audit));

  app.get<{ Querystring: { limit?: number; offset?: number; userId?: string; event?: string } }>(
    '/api/server/v1/audit-events',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, offset: { type: 'integer', minimum: 0 }, userId: { type: 'string', maxLength: 128 }, event: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await services.audit.list(request.tenant.id, { userId: q.userId, event: q.event, offset: q.offset ?? 0, limit: q.limit ?? 50 });
      return { totalResults: page.total, startIndex: (q.offset ?? 0) + 1, count: page.events.length, events: page.events };
    },
  );
}
