// Tenant management, shaped like WSO2's /api/server/v1/tenants: the super tenant's admin creates, lists,
// reads and (de)activates tenants. A deactivated tenant is refused on every path (TNT-40401).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CLAIMS, DEFAULT_LOCAL_CLAIMS, isIdentityClaim } from '../claims/local-claims.ts';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import { createTenant } from '../provisioning.ts';
import type { Services } from '../services.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import { parseQualifiedName } from '../users/qualified-name.ts';
import { publicBaseUrl } from '../http/public-url.ts';

const BASE = '/api/server/v1/tenants';
const DEFAULT_LIMIT = 15;
const MAX_LIMIT = 100;

interface OwnerInput {
  username: string;
  password: string;
  email?: string;
  firstname?: string;
  lastname?: string;
  provisioningMethod?: string;
  additionalClaims?: { claim: string; value: string }[];
}

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const createBody = {
  type: 'object',
  required: ['domain', 'owners'],
  properties: {
    domain: text(253),
    owners: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        required: ['username', 'password'],
        properties: {
          username: text(255),
          password: text(1024),
          email: text(255),
          firstname: text(255),
          lastname: text(255),
          // WSO2 also has invite-via-email, which needs the notification service; only inline passwords here.
          provisioningMethod: { type: 'string', enum: ['inline-password'] },
          additionalClaims: {
            type: 'array',
            maxItems: 50,
            items: { type: 'object', required: ['claim', 'value'], properties: { claim: text(255), value: { type: 'string', maxLength: 1024 } } },
          },
        },
      },
    },
  },
} as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } as const;
const position = { type: 'integer', minimum: 0, maximum: 2147483647 } as const;
const pageQuery = { type: 'object', properties: { limit: position, offset: position } } as const;
const lifecycleBody = { type: 'object', required: ['activated'], properties: { activated: { type: 'boolean' } } } as const;

/** Profile claims of the new admin: email, names and any ordinary (not identity, not read-only) claim. */
function ownerClaims(owner: OwnerInput): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const { claim, value } of owner.additionalClaims ?? []) {
    const def = DEFAULT_LOCAL_CLAIMS.find((c) => c.uri === claim);
    if (!def || def.readOnly || def.hidden || isIdentityClaim(claim)) {
      throw new AppError('TNT-40002', { description: `${claim.slice(0, 255)} cannot be set for a tenant owner.` });
    }
    claims[claim] = value;
  }
  if (owner.email) claims[CLAIMS.email] = owner.email;
  if (owner.firstname) claims[CLAIMS.givenName] = owner.firstname;
  if (owner.lastname) claims[CLAIMS.lastName] = owner.lastname;
  return claims;
}

export function registerTenantRoutes(app: FastifyInstance, services: Services): void {
  const admin = requireAdmin(services.passwords, API_SCOPES.tenants);
  // Runs before the body is read; the scope holds only these routes.
  app.addHook('onRequest', async (request, reply) => {
    await admin(request, reply);
    if (!services.tenants.isSuperTenant(request.tenant)) throw new AppError('TNT-40301');
  });

  const toJson = async (tenant: Tenant) => {
    const owner = await services.users.find(tenant, tenant.adminUsername);
    return {
      id: tenant.id,
      domain: tenant.domain,
      owners: [{ id: owner?.id ?? null, username: tenant.adminUsername }],
      createdDate: new Date(tenant.createdAt).toISOString(),
      lifecycleStatus: { activated: tenant.active },
    };
  };
  const byId = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const tenant = await services.tenants.findById(request.params.id);
    if (!tenant) throw new AppError('TNT-40401', { description: 'No tenant has this id.' });
    return tenant;
  };

  app.post<{ Body: { domain: string; owners: OwnerInput[] } }>(BASE, { schema: { body: createBody } }, async (request, reply) => {
    const owner = request.body.owners[0]!;
    const name = parseQualifiedName(owner.username);
    if (name.storeDomain !== undefined || name.tenantDomain !== undefined) {
      throw new AppError('TNT-40002', { description: 'The owner user name is a plain name, without a user store or tenant.' });
    }
    const tenant = await createTenant(services, request.body.domain.trim().toLowerCase(), { username: owner.username, password: owner.password, claims: ownerClaims(owner) });
    reply.header('location', `${publicBaseUrl(services.config, request)}${BASE}/${tenant.id}`);
    return reply.code(201).send(await toJson(tenant));
  });

  app.get<{ Querystring: { limit?: number; offset?: number } }>(BASE, { schema: { querystring: pageQuery } }, async (request) => {
    const limit = Math.min(request.query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const offset = request.query.offset ?? 0;
    const page = await services.tenants.list(offset, limit);
    const tenants = await Promise.all(page.tenants.map(toJson));
    // WSO2's list shape; startIndex is 1-based there too.
    return { totalResults: page.total, startIndex: offset + 1, count: tenants.length, tenants };
  });

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request) => toJson(await byId(request)));

  app.get<{ Params: { domain: string } }>(`${BASE}/domain/:domain`, async (request) => {
    const tenant = await services.tenants.findByDomain(request.params.domain);
    if (!tenant) throw new AppError('TNT-40401', { description: 'No tenant has this domain.' });
    return toJson(tenant);
  });

  app.put<{ Params: { id: string }; Body: { activated: boolean } }>(
    `${BASE}/:id/lifecycle-status`,
    { schema: { params: idParams, body: lifecycleBody } },
    async (request) => {
      const tenant = await byId(request);
      if (services.tenants.isSuperTenant(tenant) && !request.body.activated) throw new AppError('TNT-40302');
      return toJson(await services.tenants.setActive(tenant, request.body.activated));
    },
  );
}
