// /scim2/Users (RFC 7644 section 3): the tenant's admin creates, reads, lists, replaces, patches and deletes
// the tenant's users. Every lookup is scoped to request.tenant, so no tenant ever sees another's users. Writes
// go through the user admin service with the Basic-authenticated admin as the actor.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { API_SCOPES, requiredScope } from '../../http/api-scopes.ts';
import { adminRequestOf, requireAdmin } from '../../http/admin-auth.ts';
import type { Services } from '../../services.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { tenantResourceUrl } from '../../http/public-url.ts';
import { SCIM_CONTENT_TYPE, scimError } from './errors.ts';
import { attributeList, project } from './projection.ts';
import { ScimUsers } from './users.ts';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
/** Largest page (advertised as filter.maxResults in /ServiceProviderConfig); also the default page size. */
export const MAX_RESULTS = 100;

type Json = Record<string, unknown>;
type IdParams = { Params: { id: string } };
interface ListParams {
  filter?: string;
  startIndex?: number;
  count?: number;
  attributes?: unknown;
  excludedAttributes?: unknown;
}

/** Bounded so that no page position overflows a database's integer types. */
const INDEX = { type: 'integer', minimum: -2147483648, maximum: 2147483647 } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 128 } } } as const;
const listQuery = {
  type: 'object',
  properties: {
    filter: { type: 'string' },
    startIndex: INDEX,
    count: INDEX,
    attributes: { type: 'string' },
    excludedAttributes: { type: 'string' },
  },
} as const;
const searchBody = {
  type: 'object',
  properties: {
    schemas: { type: 'array', items: { type: 'string' } },
    filter: { type: 'string' },
    startIndex: INDEX,
    count: INDEX,
    attributes: { type: 'array', items: { type: 'string' } },
    excludedAttributes: { type: 'array', items: { type: 'string' } },
  },
} as const;

export function registerUserRoutes(app: FastifyInstance, services: Services): void {
  const users = new ScimUsers(services);
  const location = (request: FastifyRequest) => (id: string) => tenantResourceUrl(services.config, request, `/scim2/Users/${encodeURIComponent(id)}`);
  const view = (q: ListParams) => (resource: Json) => project(resource, attributeList(q.attributes), attributeList(q.excludedAttributes));
  const send = async (request: FastifyRequest, reply: FastifyReply, user: UserRecord, status = 200) => {
    const resource = await users.resource(user, location(request));
    const q = (request.query ?? {}) as ListParams;
    return reply.code(status).type(SCIM_CONTENT_TYPE).send(view(q)(resource));
  };
  const findUser = async (request: FastifyRequest<IdParams>) => {
    const user = await services.users.findById(request.tenant, request.params.id);
    if (!user) throw new AppError('USR-40401', { description: `No user with id ${request.params.id.slice(0, 128)} in this tenant.` });
    return user;
  };

  // Only the tenant's admin gets past this; it runs before the body is read. A token needs WSO2's scope for what
  // the request does: listing and searching is internal_user_mgt_list, reading one user internal_user_mgt_view.
  const scimScope = (request: FastifyRequest): string => {
    const route = request.routeOptions.url ?? '';
    if (route.endsWith('/Users') && request.method === 'GET') return API_SCOPES.users.list;
    if (route.endsWith('/Users/.search')) return API_SCOPES.users.list;
    return requiredScope(API_SCOPES.users, request);
  };
  app.addHook('onRequest', requireAdmin(services.passwords, scimScope));
  const adminRequest = (request: FastifyRequest) => adminRequestOf(request, 'SCIM');

  const list = async (request: FastifyRequest, reply: FastifyReply, q: ListParams) => {
    // Section 3.4.2.4: startIndex below 1 means 1; a negative count means 0.
    const startIndex = Math.max(1, q.startIndex ?? 1);
    const count = Math.min(MAX_RESULTS, Math.max(0, q.count ?? MAX_RESULTS));
    const page = await users.search(request.tenant, { filter: q.filter, startIndex, count });
    const resources = await users.resources(page.users, location(request));
    return reply.type(SCIM_CONTENT_TYPE).send({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: page.total,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources.map(view(q)),
    });
  };

  app.get<{ Querystring: ListParams }>('/Users', { schema: { querystring: listQuery } }, (request, reply) => list(request, reply, request.query));

  // Section 3.4.3: the same search with its parameters in a body, so filters stay out of URLs and logs.
  app.post<{ Body: ListParams & { schemas?: string[] } }>('/Users/.search', { schema: { body: searchBody } }, (request, reply) => {
    const { schemas } = request.body;
    if (schemas && !schemas.includes(SEARCH_REQUEST_SCHEMA)) throw scimError('invalidSyntax', `schemas must contain ${SEARCH_REQUEST_SCHEMA}.`);
    return list(request, reply, request.body);
  });

  // Bodies are checked by the SCIM readers, whose errors name the SCIM attribute and scimType.
  app.post('/Users', async (request, reply) => {
    const user = await users.create(adminRequest(request), request.body);
    // Section 3.3: 201 with the resource and its URI in Location.
    reply.header('location', location(request)(user.id));
    return send(request, reply, user, 201);
  });

  app.get<IdParams>('/Users/:id', { schema: { params: idParams } }, async (request, reply) => send(request, reply, await findUser(request)));

  app.put<IdParams>('/Users/:id', { schema: { params: idParams } }, async (request, reply) => {
    const user = await users.replace(adminRequest(request), await findUser(request), request.body);
    return send(request, reply, user);
  });

  app.patch<IdParams>('/Users/:id', { schema: { params: idParams } }, async (request, reply) => {
    const user = await users.patch(adminRequest(request), await findUser(request), request.body);
    return send(request, reply, user);
  });

  app.delete<IdParams>('/Users/:id', { schema: { params: idParams } }, async (request, reply) => {
    // The service refuses the tenant's admin (nobody would be left to manage the tenant; WSO2 refuses it too).
    await services.userAdmin.delete(adminRequest(request), await findUser(request));
    return reply.code(204).send();
  });
}
