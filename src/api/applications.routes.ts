// Applications (WSO2: service providers), shaped like WSO2's /api/server/v1/applications: create, list,
// read, PATCH (fields present replace), delete. Tenant admins only; each tenant sees its own applications.
import type { FastifyInstance } from 'fastify';
import type { Application } from '../applications/application.ts';
import type { ApplicationInput, ApplicationService, SavedApplication } from '../applications/application-service.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import type { Services } from '../services.ts';
import { tenantResourceUrl } from '../http/public-url.ts';

const BASE = '/api/server/v1/applications';

const option = { type: 'object', required: ['authenticator'], properties: { idp: { type: 'string', maxLength: 255 }, authenticator: { type: 'string', minLength: 1, maxLength: 128 } } } as const;
const sequence = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['DEFAULT', 'USER_DEFINED'] },
    steps: { type: 'array', maxItems: 10, items: { type: 'object', required: ['id', 'options'], properties: { id: { type: 'integer', minimum: 1 }, options: { type: 'array', items: option } } } },
    subjectStepId: { type: 'integer', minimum: 1 },
    attributeStepId: { type: 'integer', minimum: 1 },
  },
} as const;
const body = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 255 },
    description: { type: 'string', maxLength: 1024 },
    accessUrl: { type: 'string', maxLength: 1024 },
    claimConfiguration: { type: 'object' },
    inboundProtocolConfiguration: { type: 'object' },
    authenticationSequence: sequence,
  },
} as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } as const;
const pageQuery = { type: 'object', properties: { limit: { type: 'integer', minimum: 0, maximum: 100 }, offset: { type: 'integer', minimum: 0 } } } as const;

/** WSO2's application shape; protocol settings as applicationService.publicSettings shows them, plus values shown once. */
export function applicationJson(app: Application | SavedApplication, service: ApplicationService) {
  const inbound = service.publicSettings(app);
  const revealOnce = 'revealOnce' in app ? app.revealOnce : undefined;
  for (const [protocol, values] of Object.entries(revealOnce ?? {})) inbound[protocol] = { ...(inbound[protocol] as object), ...values };
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    accessUrl: app.accessUrl,
    templateId: app.kind === 'system' ? 'system' : 'custom',
    claimConfiguration: app.claimConfiguration,
    inboundProtocolConfiguration: inbound,
    authenticationSequence: app.authenticationSequence,
  };
}

export async function registerApplicationRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.addHook('preHandler', requireAdmin(services.passwords, API_SCOPES.applications));
  const store = services.applications;

  app.post<{ Body: ApplicationInput }>(BASE, { schema: { body } }, async (request, reply) => {
    const created = await services.applicationService.create(request.tenant, request.body);
    return reply.code(201).header('location', tenantResourceUrl(services.config, request, `${BASE}/${created.id}`)).send(applicationJson(created, services.applicationService));
  });

  app.get<{ Querystring: { limit?: number; offset?: number } }>(BASE, { schema: { querystring: pageQuery } }, async (request) => {
    const limit = request.query.limit ?? 30;
    const offset = request.query.offset ?? 0;
    await store.ensureSystemApps(request.tenant.id);
    const page = await store.list(request.tenant.id, offset, limit);
    return {
      totalResults: page.total,
      startIndex: offset + 1,
      count: page.applications.length,
      applications: page.applications.map((a) => ({
        id: a.id,
        name: a.name,
        description: a.description,
        accessUrl: a.accessUrl,
        self: tenantResourceUrl(services.config, request, `${BASE}/${a.id}`),
      })),
    };
  });

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request) => applicationJson(await store.require(request.tenant.id, request.params.id), services.applicationService));

  app.patch<{ Params: { id: string }; Body: ApplicationInput }>(`${BASE}/:id`, { schema: { params: idParams, body } }, async (request) => {
    const current = await store.require(request.tenant.id, request.params.id);
    return applicationJson(await services.applicationService.update(request.tenant, current, request.body), services.applicationService);
  });

  app.delete<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request, reply) => {
    await store.delete(await store.require(request.tenant.id, request.params.id));
    return reply.code(204).send();
  });
}
