// Every request belongs to one tenant, decided here and nowhere else: the /t/{tenant}/ path prefix, else the
// tenant named in a Basic-auth user name (admin@example.com, as WSO2 accepts), else the super tenant.
// The prefix is stripped before routing, so each route is written once and serves every tenant.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { splitTenantPath } from '../tenants/tenant-path.ts';
import type { Tenant, TenantService } from '../tenants/tenant-service.ts';
import { parseQualifiedName, SUPER_TENANT_DOMAIN } from '../users/qualified-name.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
    /** True when the URL carried /t/{tenant}/ (pages and redirects then stay tenant-qualified). */
    tenantQualified: boolean;
  }
}

const PATH_TENANT = Symbol('portcullis.pathTenant');
type TaggedRequest = IncomingMessage & { [PATH_TENANT]?: string };

/** Fastify `rewriteUrl`: removes /t/{tenant} and remembers the tenant on the raw request. */
export function rewriteTenantUrl(req: IncomingMessage): string {
  const { tenantDomain, rest } = splitTenantPath(req.url ?? '/');
  if (tenantDomain !== undefined) (req as TaggedRequest)[PATH_TENANT] = tenantDomain;
  return rest;
}

/** The user name in a Basic authorization header, without checking the password. */
export function basicUsername(authorization: string | undefined): string | undefined {
  const creds = parseBasic(authorization);
  return creds?.username;
}

export function parseBasic(authorization: string | undefined): { username: string; password: string } | undefined {
  if (!authorization || !/^basic /i.test(authorization)) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function requestTenantDomain(pathTenant: string | undefined, authorization: string | undefined): string {
  if (pathTenant) return pathTenant;
  const user = basicUsername(authorization);
  return (user && parseQualifiedName(user).tenantDomain) || SUPER_TENANT_DOMAIN;
}

export function installTenantContext(app: FastifyInstance, tenants: TenantService): void {
  app.decorateRequest('tenant', null as unknown as Tenant);
  app.decorateRequest('tenantQualified', false);
  app.addHook('onRequest', async (request) => {
    const pathTenant = (request.raw as TaggedRequest)[PATH_TENANT];
    request.tenantQualified = pathTenant !== undefined;
    const domain = requestTenantDomain(pathTenant, request.headers.authorization);
    const tenant = await tenants.findByDomain(domain);
    if (!tenant || !tenant.active) throw new AppError('TNT-40401');
    request.tenant = tenant;
  });
}
