// The state of a front-channel logout chain between browser round trips: who asked, who is still to be told
// and which LogoutRequest we are waiting on. It is small and short-lived, so it travels in a cookie,
// encrypted and bound to the tenant with the keyring; the SSO session it belongs to is already gone.
// SameSite=None because participants answer with cross-site POSTs as well as redirects. Who asked is a SAML
// SP (answered with a LogoutResponse) or another front (OIDC RP-initiated logout: the browser goes to returnTo).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { Binding } from '../../saml-core/constants.ts';
import type { SamlContext } from './sso.ts';

export const LOGOUT_COOKIE = 'samlLogout';
/** Keeps the cookie well under 4 KiB; participants beyond this many make the logout partial. */
export const MAX_FRONT_CHANNEL = 8;

export interface PendingLogout {
  applicationId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}

/** A SAML SP's LogoutRequest, or another front's logout that ends at a URL it has already validated. */
export type LogoutInitiator = { applicationId: string; requestId: string; relayState?: string; binding: Binding } | { returnTo: string };

export interface LogoutChain {
  tenantId: string;
  entityId: string;
  initiator: LogoutInitiator;
  pending: PendingLogout[];
  current?: { applicationId: string; issuer: string; requestId: string };
  partial: boolean;
  expiresAt: number;
}

const aad = (tenantId: string) => `saml-logout:${tenantId}`;
const options = { path: '/', httpOnly: true, secure: true, sameSite: 'none' } as const;
/** Browsers keep cookies up to 4096 bytes with name and attributes; this leaves room for both. */
const MAX_COOKIE_VALUE = 3800;

/**
 * Writes the chain's cookie. Long NameIDs or a long returnTo (an RP's state) could outgrow a cookie: the last
 * participants still to be told are then dropped, and the logout is partial, rather than the cookie lost.
 */
export function writeChain(ctx: SamlContext, reply: FastifyReply, chain: LogoutChain): void {
  let value = ctx.keyring.encrypt(JSON.stringify(chain), aad(chain.tenantId));
  while (value.length > MAX_COOKIE_VALUE && chain.pending.length > 0) {
    chain.pending.pop();
    chain.partial = true;
    value = ctx.keyring.encrypt(JSON.stringify(chain), aad(chain.tenantId));
  }
  reply.setCookie(LOGOUT_COOKIE, value, { ...options, maxAge: Math.max(1, Math.ceil((chain.expiresAt - ctx.now()) / 1000)) });
}

export function clearChain(reply: FastifyReply): void {
  reply.clearCookie(LOGOUT_COOKIE, options);
}

/** The chain of this browser in this tenant, or undefined (missing, expired, tampered or another tenant's). */
export function readChain(ctx: SamlContext, request: FastifyRequest): LogoutChain | undefined {
  const raw = request.cookies[LOGOUT_COOKIE];
  if (!raw) return undefined;
  try {
    const chain = JSON.parse(ctx.keyring.decryptString(raw, aad(request.tenant.id))) as LogoutChain;
    return chain.tenantId === request.tenant.id && chain.expiresAt > ctx.now() ? chain : undefined;
  } catch (err) {
    if (err instanceof AppError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}
