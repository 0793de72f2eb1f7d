// The tenant registry over REST (WSO2's /_system/governance/...), for the tenant's admin only (HTTP Basic),
// always within the request's tenant (/t/{tenant}/... or the super tenant):
//   PUT    /api/server/v1/registry/resources/{path}   the body, as sent, becomes the resource; its media type
//                                                     is the Content-Type. 201 created, 200 replaced (with the
//                                                     resource's metadata as JSON). ?type=collection creates an
//                                                     empty collection instead (201, or 200 if it existed).
//   GET    /api/server/v1/registry/resources/{path}   a resource's bytes with its media type; a collection's
//                                                     listing as JSON (X-Registry-Kind tells which).
//   DELETE /api/server/v1/registry/resources/{path}   204; a collection only when empty (409 otherwise).
//   GET|PUT /api/server/v1/registry/properties/{path}  a resource's or collection's metadata; PUT replaces its
//                                                     string properties: {"properties": {"key": "value"}}.
// A resource is served as an attachment under a sandboxing CSP: an uploaded HTML file never runs on this origin.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { adminRequestOf, requireAdmin } from '../http/admin-auth.ts';
import type { Services } from '../services.ts';
import { MAX_CONTENT_BYTES, MAX_PROPERTIES } from '../tenants/registry/registry-service.ts';
import type { RegistryEntry } from '../tenants/registry/registry-store.ts';

const RESOURCES = '/api/server/v1/registry/resources';
const PROPERTIES = '/api/server/v1/registry/properties';
const VIA = 'Registry API';

type Wild = { Params: { '*'?: string }; Querystring: { type?: string } };

/** The registry path named by the URL: everything after the route's prefix ("" for the root). */
const pathOf = (request: FastifyRequest<Wild>) => `/${request.params['*'] ?? ''}`;

export function entryJson(e: RegistryEntry) {
  return { path: e.path, kind: e.kind, mediaType: e.mediaType ?? undefined, size: e.kind === 'resource' ? e.size : undefined, properties: e.properties, createdAt: e.createdAt ?? undefined, updatedAt: e.updatedAt ?? undefined };
}

const propertiesBody = {
  type: 'object',
  required: ['properties'],
  additionalProperties: false,
  properties: {
    properties: { type: 'object', maxProperties: MAX_PROPERTIES, propertyNames: { minLength: 1, maxLength: 128 }, additionalProperties: { type: 'string', maxLength: 1024 } },
  },
} as const;

export async function registerRegistryRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { registry } = services;

  await app.register(async (scope) => {
    scope.addHook('onRequest', requireAdmin(services.passwords, API_SCOPES.configs));
    // The body is the resource, whatever its type: bytes as sent, up to the registry's bound (413 beyond).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_CONTENT_BYTES }, (_request, body, done) => done(null, body));

    const get = async (request: FastifyRequest<Wild>, reply: FastifyReply) => {
      const read = await registry.read(request.tenant, pathOf(request));
      reply.header('x-registry-kind', read.kind);
      if (read.kind === 'collection') return { ...entryJson(read.entry), children: read.children.map(entryJson) };
      return reply
        .type(read.entry.mediaType ?? 'application/octet-stream')
        .header('content-disposition', 'attachment')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .send(read.content);
    };

    const put = async (request: FastifyRequest<Wild>, reply: FastifyReply) => {
      const req = adminRequestOf(request, VIA);
      if (request.query.type === 'collection') {
        const created = await registry.createCollection(req, pathOf(request));
        const read = await registry.read(request.tenant, pathOf(request));
        return reply.code(created ? 201 : 200).send(entryJson(read.entry));
      }
      if (request.query.type !== undefined && request.query.type !== 'resource') throw new AppError('PCS-40001', { description: 'type must be resource or collection.' });
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const { status, entry } = await registry.put(req, pathOf(request), body, request.headers['content-type']);
      return reply.code(status === 'created' ? 201 : 200).send(entryJson(entry));
    };

    const remove = async (request: FastifyRequest<Wild>, reply: FastifyReply) => {
      await registry.remove(adminRequestOf(request, VIA), pathOf(request));
      return reply.code(204).send();
    };

    for (const url of [RESOURCES, `${RESOURCES}/*`]) {
      scope.get<Wild>(url, get);
      scope.put<Wild>(url, put);
      scope.delete<Wild>(url, remove);
    }
  });

  await app.register(async (scope) => {
    scope.addHook('onRequest', requireAdmin(services.passwords, API_SCOPES.configs));
    const read = async (request: FastifyRequest<Wild>) => entryJson((await registry.read(request.tenant, pathOf(request))).entry);
    scope.get<Wild>(PROPERTIES, read);
    scope.get<Wild>(`${PROPERTIES}/*`, read);
    scope.put<Wild & { Body: { properties: Record<string, string> } }>(`${PROPERTIES}/*`, { schema: { body: propertiesBody } }, async (request) =>
      entryJson(await registry.setProperties(adminRequestOf(request, VIA), pathOf(request), request.body.properties)),
    );
  });
}
