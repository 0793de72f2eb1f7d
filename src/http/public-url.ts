// Absolute URLs of API resources (Location headers, SCIM meta.location), built from the configured public
// address rather than the request's Host header, which a client controls.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/index.ts';
import { tenantQualifiedPath } from '../tenants/tenant-path.ts';

/** server.base_path, else https://{hostname}:{the port this request arrived on}. */
export function publicBaseUrl(config: Config, request: FastifyRequest): string {
  if (config.server.base_path) return config.server.base_path;
  const port = request.socket.localPort;
  return `https://${config.server.hostname}${port === undefined || port === 443 ? '' : `:${port}`}`;
}

/** The absolute URL of `path` in the request's tenant (`/t/{tenant}` for every tenant but carbon.super). */
export function tenantResourceUrl(config: Config, request: FastifyRequest, path: string): string {
  return `${publicBaseUrl(config, request)}${tenantQualifiedPath(request.tenant.domain, path)}`;
}
