// Tenant-qualified URLs, as WSO2 writes them: /t/{tenant}/... . This is the one place that reads a tenant
// out of a request path; the HTTP layer strips the prefix once and routes the rest as usual.
import { SUPER_TENANT_DOMAIN } from '../users/qualified-name.ts';

export interface TenantPath {
  /** Lower-cased tenant domain from `/t/{tenant}/`, or undefined when the path has no tenant prefix. */
  tenantDomain: string | undefined;
  /** The rest of the URL (path and query), starting with `/`. */
  rest: string;
}

const PREFIX = /^\/t\/([^/?#]+)(\/[^]*)?$/;

export function splitTenantPath(url: string): TenantPath {
  const m = PREFIX.exec(url);
  if (!m) return { tenantDomain: undefined, rest: url };
  const domain = decodeURIComponent(m[1]!).toLowerCase();
  const rest = m[2] ?? '/';
  return { tenantDomain: domain, rest: rest.startsWith('/') ? rest : `/${rest}` };
}

/** `/t/{tenant}{path}` for tenants, `{path}` for the super tenant (both forms are served). */
export function tenantQualifiedPath(tenantDomain: string, path: string): string {
  return tenantDomain === SUPER_TENANT_DOMAIN ? path : `/t/${encodeURIComponent(tenantDomain)}${path}`;
}
