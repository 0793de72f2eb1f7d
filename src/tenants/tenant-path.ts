// Tenant-qualified URLs, as WSO2 writes them: /t/{tenant}/... . This is the one place that reads a tenant
// out of a request path; the HTTP layer strips the prefix once and routes the rest as usual.
// It runs inside Fastify's rewriteUrl, where a throw would escape Fastify's error handling and end the
// process, so it never throws: a segment that is not a tenant domain is reported as `invalid`.
import { tryDecodePercent } from '../encoding/decode.ts';
import { isValidTenantDomain, SUPER_TENANT_DOMAIN } from '../users/qualified-name.ts';

export interface TenantPath {
  /** Lower-cased tenant domain from `/t/{tenant}/`, or undefined when the path has no (valid) tenant prefix. */
  tenantDomain: string | undefined;
  /** The rest of the URL (path and query), starting with `/`. */
  rest: string;
  /** Set when the path has a /t/ prefix whose segment is not a tenant domain (bad encoding, bad name, too long). */
  invalid?: true;
}

const PREFIX = /^\/t\/([^/?#]+)(\/[^]*)?$/;
/** A DNS name has at most 253 characters (RFC 1035 section 2.3.4); percent-encoded, at most three times that. */
const MAX_SEGMENT = 253 * 3;

export function splitTenantPath(url: string): TenantPath {
  const m = PREFIX.exec(url);
  if (!m) return { tenantDomain: undefined, rest: url };
  const rest = m[2] ?? '/';
  const segment = m[1] ?? '';
  const domain = segment.length <= MAX_SEGMENT ? tryDecodePercent(segment)?.toLowerCase() : undefined;
  if (domain === undefined || !isValidTenantDomain(domain)) return { tenantDomain: undefined, rest, invalid: true };
  return { tenantDomain: domain, rest };
}

/** `/t/{tenant}{path}` for tenants, `{path}` for the super tenant (both forms are served). */
export function tenantQualifiedPath(tenantDomain: string, path: string): string {
  return tenantDomain === SUPER_TENANT_DOMAIN ? path : `/t/${encodeURIComponent(tenantDomain)}${path}`;
}
