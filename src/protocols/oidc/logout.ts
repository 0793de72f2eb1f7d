// RP-initiated logout after the provider: once the user confirmed at /oidc/logout, the provider has ended its own
// session and would send the browser to the RP's post_logout_redirect_uri (validated exactly against the
// client's registered URIs, with state). Instead the browser first comes here, to /oidc/logout/continue, where
// the SSO session ends and its SAML participants are told by the SAML front's single-logout chain (the same
// one SAML-initiated logout runs); the chain ends at the RP's URI. The provider's URI travels sealed (encrypted
// and bound to the tenant) and ends only the SSO session it was made for, in the browser holding it, for a few
// minutes, so a copied link cannot sign anyone else out.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Keyring } from '../../crypto/keyring.ts';
import { sha256 } from '../../flows/context-store.ts';
import { SSO_COOKIE } from '../../http/login-cookies.ts';
import { AppError } from '../../errors/app-error.ts';
import { endSessionAndNotify } from '../saml/logout.ts';
import type { SamlContext } from '../saml/sso.ts';

export const CONTINUE_PATH = '/oidc/logout/continue';
const TTL_MS = 5 * 60_000;
const aad = (tenantId: string) => `oidc-logout:${tenantId}`;

interface Sealed {
  /** Where the provider would have sent the browser. */
  location: string;
  /** The SSO session this logout ends (its id: the cookie's hash). */
  sso: string;
  expiresAt: number;
}

export function sealLogout(keyring: Keyring, tenantId: string, location: string, ssoId: string, now: number): string {
  const sealed: Sealed = { location, sso: ssoId, expiresAt: now + TTL_MS };
  return keyring.encrypt(JSON.stringify(sealed), aad(tenantId));
}

function openLogout(keyring: Keyring, tenantId: string, value: unknown, now: number): Sealed {
  if (typeof value !== 'string' || value.length > 8192) throw new AppError('OIDC-40003');
  let sealed: Sealed;
  try {
    sealed = JSON.parse(keyring.decryptString(value, aad(tenantId))) as Sealed;
  } catch (err) {
    if (err instanceof AppError || err instanceof SyntaxError) throw new AppError('OIDC-40003');
    throw err;
  }
  if (sealed.expiresAt <= now) throw new AppError('OIDC-40003');
  return sealed;
}

/** GET /oidc/logout/continue?next=…: ends the browser's SSO session, tells the SAML participants, ends at the RP. */
export async function continueLogout(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply) {
  const now = ctx.now();
  const sealed = openLogout(ctx.keyring, request.tenant.id, (request.query as Record<string, unknown> | undefined)?.next, now);
  const cookie = request.cookies[SSO_COOKIE];
  const session = cookie && sha256(cookie) === sealed.sso ? await ctx.sso.findById(sealed.sso, request.tenant.id, now) : undefined;
  // Another browser's link, or a session already gone (another tab, an expiry): nothing here is ended; the
  // RP still gets its answer.
  if (!session) return reply.redirect(sealed.location, 303);
  return endSessionAndNotify(ctx, request, reply, session, { returnTo: sealed.location });
}
