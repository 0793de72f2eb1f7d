// Every request belongs to one tenant, decided here and nowhere else: the /t/{tenant}/ path prefix, else the
// tenant named in a Basic-auth user name (admin@example.com, as WSO2 accepts), else the super tenant.
// The prefix is stripped before routing, so each route is written once and serves every tenant.
// A tenant name is validated before any lookup (a bad /t/{x} segment is TNT-40401 without asking the tenant
// service), so a stream of made-up names never reaches the database or a cache.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { splitTenantPath } from '../tenants/tenant-path.ts';
import type { Tenant, TenantService } from '../tenants/tenant-service.ts';
import { parseQualifiedName, SUPER_TENANT_DOMAIN } from '../users/qualified-name.ts';
import { decodeBase64, decodeUtf8 } from '../encoding/decode.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
    /** True when the URL carried /t/{tenant}/ (pages and redirects then stay tenant-qualified). */
    tenantQualified: boolean;
  }
}

const PATH_TENANT = Symbol('portcullis.pathTenant');
/** The tenant of the path: a valid domain, or INVALID when the /t/ segment was not one. */
type TaggedRequest = IncomingMessage & { [PATH_TENANT]?: string | typeof INVALID };
const INVALID = Symbol('portcullis.invalidTenant');

/**
 * Fastify `rewriteUrl`: removes /t/{tenant} and remembers the tenant on the raw request. Fastify calls it
 * outside its error handling (a throw here ended the process), so it never throws: a bad segment is
 * remembered and refused by the onRequest hook below, through the normal error handler.
 */
export function rewriteTenantUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  try {
    const { tenantDomain, rest, invalid } = splitTenantPath(url);
    if (invalid) (req as TaggedRequest)[PATH_TENANT] = INVALID;
    else if (tenantDomain !== undefined) (req as TaggedRequest)[PATH_TENANT] = tenantDomain;
    return rest;
  } catch {
    (req as TaggedRequest)[PATH_TENANT] = INVALID;
    return url;
  }
}

/** The user name in a Basic authorization header, without checking the password. */
export function basicUsername(authorization: string | undefined): string | undefined {
  const creds = parseBasic(authorization);
  return creds?.username;
}

/** Longer than any user name and password we accept, Base64-encoded; Node bounds the whole header at 16 KiB. */
const MAX_BASIC_LENGTH = 4096;

/**
 * Basic credentials (RFC 7617): Base64 of `user-id:password` in UTF-8 (section 2.1). Anything malformed (bad
 * Base64, bad UTF-8, NUL, no colon, empty user, too long) is undefined: the caller answers 401, never a 500.
 */
export function parseBasic(authorization: string | undefined): { username: string; password: string } | undefined {
  if (!authorization || !/^basic /i.test(authorization)) return undefined;
  const encoded = authorization.slice(6).trim();
  if (encoded.length > MAX_BASIC_LENGTH) return undefined;
  let decoded: string;
  try {
    decoded = decodeUtf8(decodeBase64(encoded));
  } catch (err) {
    if (err instanceof AppError) return undefined;
    throw err;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The tenant domain a request addresses. A path segment was validated by splitTenantPath; a Basic user name
 * names a tenant only with a valid domain after its last `@` (parseQualifiedName, the one parser of names).
 */
export function requestTenantDomain(pathTenant: string | undefined, authorization: string | undefined): string {
  if (pathTenant) return pathTenant;
  const user = basicUsername(authorization);
  return (user && parseQualifiedName(user).tenantDomain) || SUPER_TENANT_DOMAIN;
}

export function installTenantContext(app: FastifyInstance, tenants: TenantService): void {
  app.decorateRequest('tenant', null as unknown as Tenant);
  app.decorateRequest('tenantQualified', false);
  // A callback rather than async: one promise per request instead of three (input-parsers.ts says why).
  app.addHook('onRequest', (request, _reply, done) => {
    const pathTenant = (request.raw as TaggedRequest)[PATH_TENANT];
    if (pathTenant === INVALID) return done(new AppError('TNT-40401'));
    request.tenantQualified = pathTenant !== undefined;
    const domain = requestTenantDomain(pathTenant, request.headers.authorization);
    tenants.findByDomain(domain).then((tenant) => {
      if (!tenant || !tenant.active) return done(new AppError('TNT-40401'));
      request.tenant = tenant;
      done();
    }, done);
  });
}
