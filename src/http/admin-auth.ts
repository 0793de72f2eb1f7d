// HTTP Basic authentication for the admin APIs (over TLS only): the super admin in the super tenant, and
// each tenant's admin within its own tenant. Other users authenticate but are refused (403). Every Basic door
// comes through here, so each one gets the same rules: the rate limits (rate-limit.ts) before any hashing, and
// the one password policy (users/password-check.ts): a locked or disabled account is refused before the
// password is compared, failures count toward the lock. Every refusal reads the same (401 PCS-40100).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { isTenantAdmin, type AdminRequest } from '../users/user-admin.ts';
import type { PasswordCheck } from '../users/password-check.ts';
import type { UserRecord } from '../users/user-store.ts';
import { accountKey, addressKey } from './rate-limit.ts';
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


/**
 * Verifies Basic credentials against the request's tenant. Throws PCS-40100 when they do not match, or PCS-42900
 * (with Retry-After) when the address or the account is over its rate limit. Every request with credentials counts
 * on the address; only refused credentials count on the account, so a working API client is not slowed down.
 */
export async function authenticateBasic(request: FastifyRequest, reply: FastifyReply, passwords: PasswordCheck): Promise<Caller> {
  const creds = parseBasic(request.headers.authorization);
  if (!creds) throw new AppError('PCS-40100');
  const limits = request.server.passwordLimits;
  const account = accountKey(request.tenant.domain, creds.username);
  await limits.hit(request, reply, addressKey(request));
  await limits.check(request, reply, account);
  const result = await passwords.check(request.tenant, creds.username, creds.password);
  if (!result.ok) {
    await limits.count(request, account);
    throw new AppError('PCS-40100');
  }
  return { user: result.user, isAdmin: isTenantAdmin(request.tenant, result.user) };
}

/** A hook that lets only the tenant's admin through. */
export function requireAdmin(passwords: PasswordCheck) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const caller = await authenticateBasic(request, reply, passwords);
    if (!caller.isAdmin) throw new AppError('PCS-40300');
    request.caller = caller;
  };
}

/** The admin use-case request of a route behind requireAdmin: the authenticated admin acts, through `via` (for the audit). */
export function adminRequestOf(request: FastifyRequest, via: string): AdminRequest {
  if (!request.caller) throw new AppError('PCS-40100');
  return { tenant: request.tenant, actor: request.caller.user, via, traceId: request.id, remoteAddress: request.ip };
}
