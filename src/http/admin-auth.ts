// HTTP Basic authentication for the admin APIs (over TLS only): the super admin in the super tenant, and
// each tenant's admin within its own tenant. Other users authenticate but are refused (403).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { parseQualifiedName } from '../users/qualified-name.ts';
import { isTenantAdmin } from '../users/user-admin.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { UserService } from '../users/user-service.ts';
import { parseBasic } from './tenant-context.ts';

export interface Caller {
  user: UserRecord;
  isAdmin: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
  }
}

// Who the tenant's admin is lives with the admin use-cases (users/user-admin.ts); re-exported for the HTTP edge.
export { isTenantAdmin };

/** Verifies Basic credentials against the request's tenant. Throws PCS-40100 when they do not match. */
export async function authenticateBasic(request: FastifyRequest, users: UserService): Promise<Caller> {
  const creds = parseBasic(request.headers.authorization);
  if (!creds) throw new AppError('PCS-40100');
  const name = parseQualifiedName(creds.username);
  if (name.tenantDomain !== undefined && name.tenantDomain !== request.tenant.domain) throw new AppError('PCS-40100');
  const user = await users.authenticate(request.tenant, creds.username, creds.password);
  if (!user) throw new AppError('PCS-40100');
  return { user, isAdmin: isTenantAdmin(request.tenant, user) };
}

/** A preHandler that lets only the tenant's admin through. */
export function requireAdmin(users: UserService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const caller = await authenticateBasic(request, users);
    if (!caller.isAdmin) throw new AppError('PCS-40300');
    request.caller = caller;
  };
}
