// HTTP Basic authentication for the admin APIs (over TLS only): the super admin in the super tenant, and
// each tenant's admin within its own tenant. Other users authenticate but are refused (403). Every Basic door
// comes through here, so each one gets the same rules: the rate limits (rate-limit.ts) before any hashing, and
// the one password policy (users/password-check.ts): a locked or disabled account is refused before the
// password is compared, failures count toward the lock. Every refusal reads the same (401 PCS-40100).
//
// Bearer access tokens (OAuth2, issued by the tenant's OIDC provider) work on the same doors, as in WSO2: the
// token must be live and of this tenant, and carry the scope the route asks for (403 PCS-40300 naming it
// otherwise). A user's token acts as that user, who must still be the tenant's admin; a client-credentials token
// acts as its application, which must still be authorized for the scope.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { isTenantAdmin, type AdminRequest } from '../users/user-admin.ts';
import type { PasswordCheck } from '../users/password-check.ts';
import type { UserRecord } from '../users/user-store.ts';
import { bearerOf, requiredScope, type ApiToken, type ScopeRule } from './api-scopes.ts';
import { accountKey, addressKey } from './rate-limit.ts';
import { parseBasic } from './tenant-context.ts';

/** Who acts, for the audit: a user, or an application acting as itself (client credentials). */
export type Actor = Pick<UserRecord, 'id' | 'storeDomain' | 'username'>;

export interface Caller {
  /** The user calling (Basic, or a user's token); absent for a client-credentials token. */
  user?: UserRecord;
  actor: Actor;
  isAdmin: boolean;
}

/** The audit actor of an application acting through a client-credentials token. */
export const APPLICATION_ACTOR_DOMAIN = 'APPLICATION';

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
export async function authenticateBasic(request: FastifyRequest, reply: FastifyReply, passwords: PasswordCheck): Promise<Caller & { user: UserRecord }> {
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
  return { user: result.user, actor: result.user, isAdmin: isTenantAdmin(request.tenant, result.user) };
}

/**
 * The live token of the request's tenant in a Bearer header, or 401 PCS-40100. Refused tokens count on the
 * address's rate limit, as refused passwords do.
 */
export async function authenticateBearer(request: FastifyRequest, reply: FastifyReply, value: string): Promise<ApiToken> {
  const limits = request.server.passwordLimits;
  const address = addressKey(request);
  await limits.check(request, reply, address);
  const token = await request.server.apiTokens?.verify(request, value);
  if (!token) {
    await limits.count(request, address);
    reply.header('www-authenticate', 'Bearer error="invalid_token"');
    throw new AppError('PCS-40100', { description: 'The access token is not valid here: expired, revoked, or of another tenant.' });
  }
  return token;
}

/** The admin a token acts for, when it carries `scope`: its user (still the tenant's admin) or its application. */
function tokenCaller(request: FastifyRequest, reply: FastifyReply, token: ApiToken, scope: string): Caller {
  if (!token.scopes.has(scope)) {
    reply.header('www-authenticate', `Bearer error="insufficient_scope", scope="${scope}"`);
    throw new AppError('PCS-40300', { description: `The access token does not carry the scope ${scope}.` });
  }
  if (token.user) {
    if (!isTenantAdmin(request.tenant, token.user)) throw new AppError('PCS-40300', { description: `The token's user is not this tenant's administrator.` });
    return { user: token.user, actor: token.user, isAdmin: true };
  }
  const app = token.application;
  if (!app?.authorizedScopes.includes(scope)) throw new AppError('PCS-40300', { description: `The application is no longer authorized for the scope ${scope}.` });
  return { actor: { id: app.id, storeDomain: APPLICATION_ACTOR_DOMAIN, username: app.name }, isAdmin: true };
}

/**
 * A hook that lets only the tenant's admin through: HTTP Basic with the admin's password, or an access token with
 * the scope `scopes` names for the request.
 */
export function requireAdmin(passwords: PasswordCheck, scopes: ScopeRule) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const bearer = bearerOf(request.headers.authorization);
    if (bearer !== undefined) {
      request.caller = tokenCaller(request, reply, await authenticateBearer(request, reply, bearer), requiredScope(scopes, request));
      return;
    }
    const caller = await authenticateBasic(request, reply, passwords);
    if (!caller.isAdmin) throw new AppError('PCS-40300');
    request.caller = caller;
  };
}

/** The admin use-case request of a route behind requireAdmin: the authenticated admin acts, through `via` (for the audit). */
export function adminRequestOf(request: FastifyRequest, via: string): AdminRequest {
  if (!request.caller) throw new AppError('PCS-40100');
  return { tenant: request.tenant, actor: request.caller.actor, via, traceId: request.id, remoteAddress: request.ip };
}
