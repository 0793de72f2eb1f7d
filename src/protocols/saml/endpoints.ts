// The identity provider's own URLs for a tenant. Our entity id is the tenant's SSO URL
// ({public base}/samlsso, or {public base}/t/{tenant}/samlsso): unique per tenant, stable while server.base_path
// (or hostname and port) stays the same, and resolvable, so it also tells an SP where to go. WSO2 uses the
// configured "Entity ID" ("localhost" by default); SPs that pinned that value read ours from the metadata.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/index.ts';
import { publicBaseUrl } from '../../http/public-url.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';

export interface IdpEndpoints {
  entityId: string;
  /** SingleSignOnService and SingleLogoutService location (both bindings, as WSO2's /samlsso). */
  ssoUrl: string;
  /** Destination values a request may carry for this tenant (with or without /t/carbon.super). */
  destinations: string[];
}

export function idpEndpoints(config: Config, request: FastifyRequest): IdpEndpoints {
  const base = publicBaseUrl(config, request);
  const domain = request.tenant.domain;
  const ssoUrl = `${base}${tenantQualifiedPath(domain, '/samlsso')}`;
  const qualified = `${base}/t/${encodeURIComponent(domain)}/samlsso`;
  return { entityId: ssoUrl, ssoUrl, destinations: ssoUrl === qualified ? [ssoUrl] : [ssoUrl, qualified] };
}
