// Secondary user stores over REST, in the shape of WSO2 Identity Server's /api/server/v1/userstores (and
// /t/{tenant}/...), for the tenant's admin only (HTTP Basic), always within the request's tenant:
//   GET    /userstores                  the tenant's secondary stores: [{id, name, typeName, description, enabled, self}]
//   POST   /userstores                  {typeId|typeName, name, description, properties: [{name, value}]}: 201
//   GET    /userstores/{id}             one store, its properties under WSO2's names; secrets masked, never returned
//   PUT    /userstores/{id}             replaces it; a secret left out (or sent back masked) keeps its value
//   DELETE /userstores/{id}             204; its users' sessions end (users/store-definition-service.ts)
//   GET    /userstores/meta/types       the store types (WSO2's user store managers) and their properties
//   POST   /userstores/test-connection  {connection: true|false, reason}: connects and binds, registers nothing
// WSO2's id is the base64url of the domain name. A store declared in deployment.toml is listed with source
// "deployment.toml" and is read-only here (409 USR-40904).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeBase64 } from '../encoding/decode.ts';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { adminRequestOf, requireAdmin } from '../http/admin-auth.ts';
import { tenantResourceUrl } from '../http/public-url.ts';
import type { Services } from '../services.ts';
import type { StoreInput, StoreSummary } from '../users/store-definition-service.ts';
import { shownProperties, storeTypeOf, typeIdOf, STORE_TYPES } from '../users/store-properties.ts';
import { storeMetaTypes, storeTypeNameOf } from '../users/store-types.ts';

const BASE = '/api/server/v1/userstores';
const VIA = 'User stores API';

const property = {
  type: 'object',
  required: ['name', 'value'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, value: { type: 'string', maxLength: 4096 } },
} as const;
const body = {
  type: 'object',
  required: ['name'],
  properties: {
    typeId: { type: 'string', maxLength: 200 },
    typeName: { type: 'string', maxLength: 200 },
    name: { type: 'string', minLength: 1, maxLength: 64 },
    description: { type: 'string', maxLength: 1024 },
    properties: { type: 'array', maxItems: 100, items: property },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

interface Body {
  typeId?: string;
  typeName?: string;
  name: string;
  description?: string;
  properties?: { name: string; value: string }[];
}

/** WSO2's store id: the domain name in base64url. */
export const storeIdOf = (domain: string) => Buffer.from(domain, 'utf8').toString('base64url');

/** The domain an id names; an id that is not base64url names no store (404, not a 500 or a guess). */
export function domainOfId(id: string): string {
  try {
    return decodeBase64(id, { url: true }).toString('utf8');
  } catch {
    throw new AppError('USR-40402');
  }
}

export function storeInputOf(b: Body): StoreInput {
  const given = b.typeId ?? b.typeName;
  if (given === undefined) throw new AppError('USR-40006', { description: 'typeName: required (or typeId), e.g. UniqueIDReadWriteLDAPUserStoreManager or UniqueIDJDBCUserStoreManager.' });
  const t = storeTypeOf(given);
  return { name: b.name, type: t.type, readOnly: t.readOnly, description: b.description ?? '', properties: b.properties ?? [] };
}

export async function registerUserStoreRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.addHook('preHandler', requireAdmin(services.passwords, API_SCOPES.userStores));
  const stores = services.userStoreDefinitions;
  const self = (request: FastifyRequest, domain: string) => tenantResourceUrl(services.config, request, `${BASE}/${storeIdOf(domain)}`);

  const summaryJson = (request: FastifyRequest, s: StoreSummary) => ({
    id: storeIdOf(s.domain),
    name: s.domain,
    typeId: typeIdOf(storeTypeNameOf(s)),
    typeName: storeTypeNameOf(s),
    description: s.description,
    enabled: true,
    source: s.source,
    self: self(request, s.domain),
  });
  const detailJson = (request: FastifyRequest, s: StoreSummary) => ({
    ...summaryJson(request, s),
    className: STORE_TYPES.find((t) => t.typeName === storeTypeNameOf(s))?.className,
    properties: s.definition ? shownProperties(s.definition.settings, s.definition.secrets) : [],
  });

  app.get(BASE, async (request) => (await stores.list(request.tenant)).map((s) => summaryJson(request, s)));

  app.post<{ Body: Body }>(BASE, { schema: { body } }, async (request, reply) => {
    const created = await stores.add(adminRequestOf(request, VIA), storeInputOf(request.body));
    const shown = await stores.get(request.tenant, created.domain);
    return reply.code(201).header('location', self(request, created.domain)).send(detailJson(request, shown));
  });

  app.get(`${BASE}/meta/types`, async () => storeMetaTypes());

  app.post<{ Body: Body }>(`${BASE}/test-connection`, { schema: { body } }, async (request) => {
    const health = await stores.test(request.tenant, storeInputOf(request.body));
    return { connection: health.status === 'UP', ...(health.reason ? { reason: health.reason } : {}) };
  });

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request) => detailJson(request, await stores.get(request.tenant, domainOfId(request.params.id))));

  app.put<{ Params: { id: string }; Body: Body }>(`${BASE}/:id`, { schema: { params: idParams, body } }, async (request) => {
    const updated = await stores.update(adminRequestOf(request, VIA), domainOfId(request.params.id), storeInputOf(request.body));
    return detailJson(request, await stores.get(request.tenant, updated.domain));
  });

  app.delete<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request, reply) => {
    await stores.remove(adminRequestOf(request, VIA), domainOfId(request.params.id));
    return reply.code(204).send();
  });
}
