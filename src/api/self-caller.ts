// Who calls a self-service API (`/api/users/v1/me/...`): the user acting on itself. One function decides it
// from the request, so each new kind of credential is one more branch here (bearer tokens arrive with the
// OpenID Connect issue). Every branch works within the request's tenant only: a session or password of another
// tenant is simply not found there.
//
// - The My Account browser session: the SSO cookie, accepted only when the session has signed in to the tenant's
//   My Account application (the same rule as the /myaccount page, so My Account's own authentication sequence,
//   e.g. password then TOTP, stands behind the API too), plus the session's My Account CSRF token in the
//   X-CSRF-Token header on every request. GET needs it too: GET /me/totp/secret reveals the seed, and the SSO
//   cookie is SameSite=None, so only the token shows that the request comes from the user's own My Account page.
// - HTTP Basic, through the one Basic door (rate limits, lockout). A password alone never reveals or changes a
//   second factor, so Basic is refused (403 OTP-10005) for every operation the route does not allow it for,
//   before the password is compared: the refusal says nothing about the password and costs no hashing.
// - Bearer access tokens of the tenant's OIDC provider with the scope internal_login (WSO2's), for the user the
//   token was issued to: every operation, as for the session. Its login's one-time code counts as the recent proof
//   an enrolled user's changes need (otpProvenAt), as a session's does.
// Every 401 on these routes is WSO2's OTP-10001; a rate limit is still 429.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicationStore } from '../applications/application-store.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { AppError, isAppError } from '../errors/app-error.ts';
import type { SsoReuse } from '../flows/sso-reuse.ts';
import type { SsoSession, SsoSessionStore } from '../flows/sso-session.ts';
import type { Clock } from '../time/clock.ts';
import { authenticateBasic, authenticateBearer } from '../http/admin-auth.ts';
import { bearerOf, INTERNAL_LOGIN } from '../http/api-scopes.ts';
import { isValidCsrf } from '../http/csrf.ts';
import { SSO_COOKIE } from '../http/login-cookies.ts';
import type { AdminRequest } from '../users/user-admin.ts';
import type { PasswordCheck } from '../users/password-check.ts';
import type { UserRecord } from '../users/user-store.ts';

/** The header a My Account page's script sends its CSRF token in (the page's `csrf` form value). */
export const CSRF_HEADER = 'x-csrf-token';

export interface SelfCaller {
  user: UserRecord;
  /** How the caller proved who it is. */
  via: 'session' | 'basic' | 'bearer';
  /** The SSO session of a browser caller: a reset keeps it, ending only the user's other sessions. */
  sessionId?: string;
  /** That session (flows/step-up.ts reads and records its proof of a current code). */
  session?: SsoSession;
  /** A bearer caller's login proved a one-time code at this time (epoch ms). */
  otpProvenAt?: number;
}

export interface SelfCallerDeps {
  ssoReuse: SsoReuse;
  sso: SsoSessionStore;
  clock: Clock;
  applications: ApplicationStore;
  keyring: Keyring;
  passwords: PasswordCheck;
}

export interface SelfCallerOptions {
  /** Whether this operation accepts HTTP Basic (WSO2 allows it only for VALIDATE). */
  basic: boolean;
}

/** The user calling a self-service API, or an AppError (401 OTP-10001, 403 OTP-10005 or PCS-40300, 429). */
export async function selfCallerOf(request: FastifyRequest, reply: FastifyReply, deps: SelfCallerDeps, options: SelfCallerOptions): Promise<SelfCaller> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const scheme = authorization.trim().split(/\s+/, 1)[0]?.toLowerCase();
    if (scheme === 'basic') return basicCaller(request, reply, deps, options);
    if (scheme === 'bearer') return bearerCaller(request, reply);
    throw new AppError('OTP-10001', { description: 'Unsupported authorization scheme.' });
  }
  return sessionCaller(request, deps);
}

async function basicCaller(request: FastifyRequest, reply: FastifyReply, deps: SelfCallerDeps, options: SelfCallerOptions): Promise<SelfCaller> {
  if (!options.basic) throw new AppError('OTP-10005');
  try {
    const caller = await authenticateBasic(request, reply, deps.passwords);
    return { user: caller.user, via: 'basic' };
  } catch (err) {
    // The Basic door's refusal, in this API's code; rate limits (429) pass through unchanged.
    if (isAppError(err) && err.code === 'PCS-40100') throw new AppError('OTP-10001');
    throw err;
  }
}

async function bearerCaller(request: FastifyRequest, reply: FastifyReply): Promise<SelfCaller> {
  const value = bearerOf(request.headers.authorization);
  if (value === undefined) throw new AppError('OTP-10001', { description: 'Malformed bearer token.' });
  let token;
  try {
    token = await authenticateBearer(request, reply, value);
  } catch (err) {
    if (isAppError(err) && err.code === 'PCS-40100') throw new AppError('OTP-10001', { description: err.description });
    throw err;
  }
  if (!token.user) throw new AppError('PCS-40300', { description: 'An application token acts for no user; sign the user in to get a token for this API.' });
  if (!token.scopes.has(INTERNAL_LOGIN)) {
    reply.header('www-authenticate', `Bearer error="insufficient_scope", scope="${INTERNAL_LOGIN}"`);
    throw new AppError('PCS-40300', { description: `The access token does not carry the scope ${INTERNAL_LOGIN}.` });
  }
  return { user: token.user, via: 'bearer', ...(token.otpProvenAt === undefined ? {} : { otpProvenAt: token.otpProvenAt }) };
}

async function sessionCaller(request: FastifyRequest, deps: SelfCallerDeps): Promise<SelfCaller> {
  const cookie = request.cookies[SSO_COOKIE];
  if (!cookie) throw new AppError('OTP-10001', { description: 'Sign in to My Account, or send credentials with the request.' });
  const myAccount = await deps.applications.ensureMyAccount(request.tenant.id);
  const live = await deps.ssoReuse.forApplication(cookie, request.tenant, myAccount.id);
  if (!live) {
    throw new AppError('OTP-10001', { description: 'Sign in to My Account of this tenant first.' });
  }
  if (!isValidCsrf(deps.keyring, 'myaccount', live.session.id, request.headers[CSRF_HEADER])) {
    throw new AppError('PCS-40300', { description: `Send the My Account page's CSRF token in the X-CSRF-Token header.` });
  }
  // An API call is use of the session, as a My Account page view is: it keeps the session alive.
  await deps.sso.touch(live.session, deps.clock.now());
  return { user: live.user, via: 'session', sessionId: live.session.id, session: live.session };
}

/** The use-case request of a self-service call: the user acts on itself, through `via` (for the audit). */
export function selfRequestOf(request: FastifyRequest, caller: SelfCaller, via: string): AdminRequest {
  return {
    tenant: request.tenant,
    actor: caller.user,
    ...(caller.sessionId ? { sessionId: caller.sessionId } : {}),
    via,
    traceId: request.id,
    remoteAddress: request.ip,
  };
}
