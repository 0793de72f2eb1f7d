// SCIM discovery (RFC 7644 section 4; documents per RFC 7643 sections 5-7): what this server supports, stated
// truthfully. These describe the server, not any user, so they need no authentication.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { Services } from '../../services.ts';
import { tenantResourceUrl } from '../../http/public-url.ts';
import { SCIM_CONTENT_TYPE } from './errors.ts';
import { USER_ATTRIBUTES, USER_SCHEMA, WSO2_ATTRIBUTES, WSO2_SCHEMA, type AttrDef } from './user-schema.ts';
import { LIST_RESPONSE_SCHEMA, MAX_RESULTS } from './users.routes.ts';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0';

function renderAttribute(a: AttrDef): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    description: a.description,
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? 'readWrite',
    returned: a.returned ?? 'default',
    uniqueness: a.uniqueness ?? 'none',
    ...(a.type === 'reference' ? { referenceTypes: ['uri'] } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(renderAttribute) } : {}),
  };
}

const SCHEMAS = [
  // RFC 7643 section 7: a schema lists its own attributes; the common id and meta are not repeated.
  { id: USER_SCHEMA, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES.filter((a) => a.name !== 'id') },
  { id: WSO2_SCHEMA, name: 'WSO2 User Extension', description: 'Account lock state (WSO2 Identity Server compatible).', attributes: WSO2_ATTRIBUTES },
];

export function registerDiscoveryRoutes(app: FastifyInstance, services: Services): void {
  const url = (request: FastifyRequest, path: string) => tenantResourceUrl(services.config, request, `/scim2${path}`);
  const meta = (request: FastifyRequest, resourceType: string, path: string) => ({ resourceType, location: url(request, path) });
  const listOf = (resources: unknown[]) => ({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });

  const schemaDoc = (request: FastifyRequest, s: (typeof SCHEMAS)[number]) => ({
    schemas: [`${CORE}:Schema`],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: s.attributes.map(renderAttribute),
    meta: meta(request, 'Schema', `/Schemas/${s.id}`),
  });
  const userType = (request: FastifyRequest) => ({
    schemas: [`${CORE}:ResourceType`],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: WSO2_SCHEMA, required: false }],
    meta: meta(request, 'ResourceType', '/ResourceTypes/User'),
  });

  app.get('/ServiceProviderConfig', async (request, reply) =>
    reply.type(SCIM_CONTENT_TYPE).send({
      schemas: [`${CORE}:ServiceProviderConfig`],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: MAX_RESULTS },
      changePassword: { supported: true },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [
        {
          type: 'httpbasic',
          name: 'HTTP Basic',
          description: "The tenant admin's user name and password (admin, or admin@tenant), over TLS.",
          specUri: 'https://www.rfc-editor.org/rfc/rfc7617',
          primary: true,
        },
      ],
      meta: meta(request, 'ServiceProviderConfig', '/ServiceProviderConfig'),
    }),
  );

  app.get('/ResourceTypes', async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(listOf([userType(request)])));
  app.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (request, reply) => {
    if (request.params.name !== 'User') throw new AppError('PCS-40400', { description: 'The only resource type is User.' });
    return reply.type(SCIM_CONTENT_TYPE).send(userType(request));
  });

  app.get('/Schemas', async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(listOf(SCHEMAS.map((s) => schemaDoc(request, s)))));
  app.get<{ Params: { id: string } }>('/Schemas/:id', async (request, reply) => {
    const schema = SCHEMAS.find((s) => s.id.toLowerCase() === request.params.id.toLowerCase());
    if (!schema) throw new AppError('PCS-40400', { description: `Schemas here: ${SCHEMAS.map((s) => s.id).join(', ')}.` });
    return reply.type(SCIM_CONTENT_TYPE).send(schemaDoc(request, schema));
  });
}
