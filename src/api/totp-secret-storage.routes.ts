// Where the tenant keeps its users' active TOTP secrets (credentials/totp/secret-storage.ts), beside the TOTP
// parameters at /api/server/v1/configs/authenticators/totp but not among them (that list is WSO2's, and the
// registry's application-authentication.xml mirrors it). GET shows the location in force and, per user store,
// where a new secret goes; PUT sets the tenant's choice (user_store is refused with USR-40004 while one of its
// secondary stores is read-only); DELETE returns to deployment.toml's default. Changes are audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SECRET_LOCATIONS, type SecretLocation } from '../credentials/totp/index.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { adminRequestOf, requireAdmin } from '../http/admin-auth.ts';
import type { Services } from '../services.ts';

export const SECRET_STORAGE_PATH = '/api/server/v1/configs/authenticators/totp/secret-storage';
const body = { type: 'object', required: ['location'], additionalProperties: false, properties: { location: { type: 'string', enum: [...SECRET_LOCATIONS] } } } as const;

export async function registerTotpSecretStorageRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.addHook('preHandler', requireAdmin(services.passwords, API_SCOPES.configs));
  const storage = services.totpSecretStorage;

  const audit = (request: FastifyRequest, reason: string) => {
    const req = adminRequestOf(request, 'REST');
    return services.audit.record({ tenantId: req.tenant.id, event: 'settings.updated', outcome: 'success', actor: req.actor, application: req.via, reason, traceId: req.traceId, remoteAddress: req.remoteAddress });
  };

  app.get(SECRET_STORAGE_PATH, async (request) => storage.view(request.tenant));

  app.put<{ Body: { location: SecretLocation } }>(SECRET_STORAGE_PATH, { schema: { body } }, async (request) => {
    const view = await storage.set(request.tenant, request.body.location);
    await audit(request, `TOTP secret storage: ${request.body.location}`);
    return view;
  });

  app.delete(SECRET_STORAGE_PATH, async (request, reply) => {
    await storage.clear(request.tenant);
    await audit(request, 'TOTP secret storage: file default');
    return reply.code(204).send();
  });
}
