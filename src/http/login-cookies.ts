// The two browser cookies of a login, with WSO2's names: sessionNonceCookie-{sessionDataKey} binds a login
// in progress to the browser that started it, and commonAuthId carries the SSO session. Both are HttpOnly
// and Secure. commonAuthId is SameSite=None because SAML POST-binding requests arrive cross-site and must
// still find the session (as in WSO2). The nonce is Lax while the login's pages are ours; once the login sends
// the browser to a page on another origin ([authentication.endpoints] login_url, an absolute TOTP page URL),
// it is (re)set SameSite=None, as WSO2 sets it, or that page's form post back to /commonauth would arrive
// without it; so is a login sent to an upstream SAML IdP, whose Response is posted back cross-site.
// docs/security.md gives the trade-off.
import type {} from '@fastify/cookie'; // request.cookies, reply.setCookie
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Browser, EngineResponse } from '../flows/engine.ts';

export const SSO_COOKIE = 'commonAuthId';
export const nonceCookie = (contextId: string) => `sessionNonceCookie-${contextId}`;

export function browserOf(request: FastifyRequest): Browser {
  return {
    nonce: (id) => request.cookies[nonceCookie(id)],
    ssoCookie: request.cookies[SSO_COOKIE],
    remoteAddress: request.ip,
    traceId: request.id,
  };
}

export interface CookieLifetimes {
  loginMs: number;
  ssoMaxMs: number;
}

const COOKIE_BASE = { path: '/', httpOnly: true, secure: true } as const;
const SSO_COOKIE_OPTIONS = { ...COOKIE_BASE, sameSite: 'none' } as const;

/** Ends the browser's SSO cookie (with the attributes it was set with, or browsers keep it). */
export function clearSsoCookie(reply: FastifyReply): void {
  reply.clearCookie(SSO_COOKIE, SSO_COOKIE_OPTIONS);
}

/** The origin of an absolute redirect to another origin than the request's own (a login page elsewhere), else undefined. */
export function otherOriginOf(request: FastifyRequest, location: string): URL | undefined {
  if (!/^https?:\/\//i.test(location)) return undefined;
  try {
    const target = new URL(location);
    return target.origin === `${request.protocol}://${request.host}` ? undefined : target;
  } catch {
    return undefined;
  }
}

/**
 * The nonce to write, and how: the one a new login made, or (for a redirect to a page on another origin) the
 * one the browser sent, again with SameSite=None so that page can post it back.
 */
function nonceToWrite(reply: FastifyReply, result: EngineResponse): { contextId: string; value: string; crossSite: boolean } | undefined {
  const r = result.response;
  const target = r.kind === 'redirect' ? otherOriginOf(reply.request, r.location) : undefined;
  if (result.setNonce) return { ...result.setNonce, crossSite: target !== undefined };
  // The login is named in the target's query (an external login page), or in the request that chose the option
  // which sends the browser away (an upstream SAML IdP, whose Response comes back as a cross-site POST).
  const contextId = target ? (target.searchParams.get('sessionDataKey') ?? postedContextId(reply.request)) : undefined;
  const value = contextId ? reply.request.cookies[nonceCookie(contextId)] : undefined;
  return contextId && value ? { contextId, value, crossSite: true } : undefined;
}

function postedContextId(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const id = body && typeof body === 'object' ? body.sessionDataKey : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * A page of ours whose form posts the login to another origin (an upstream SAML IdP's AuthnRequest, HTTP-POST
 * binding): the answer comes back as a cross-site POST, so the login's nonce is (re)set SameSite=None.
 */
export function nonceAcrossSites(request: FastifyRequest, reply: FastifyReply, contextId: string, lifetimes: CookieLifetimes): void {
  const value = request.cookies[nonceCookie(contextId)];
  if (value) writeNonce(reply, { contextId, value, crossSite: true }, lifetimes);
}

/** The login's nonce cookie: Lax, or None when the login's next request comes from another site. */
function writeNonce(reply: FastifyReply, nonce: { contextId: string; value: string; crossSite: boolean }, lifetimes: CookieLifetimes): void {
  reply.setCookie(nonceCookie(nonce.contextId), nonce.value, { ...COOKIE_BASE, sameSite: nonce.crossSite ? 'none' : 'lax', maxAge: Math.ceil(lifetimes.loginMs / 1000) });
}

/** Writes the cookies and the response an engine call asked for. */
export async function sendEngineResponse(reply: FastifyReply, result: EngineResponse, lifetimes: CookieLifetimes): Promise<FastifyReply> {
  const nonce = nonceToWrite(reply, result);
  if (nonce) writeNonce(reply, nonce, lifetimes);
  // None: a deletion must be accepted also when it answers a post from a page on another site (the cookie may be None).
  if (result.clearNonce) reply.clearCookie(nonceCookie(result.clearNonce), { ...COOKIE_BASE, sameSite: 'none' });
  if (result.setSso) reply.setCookie(SSO_COOKIE, result.setSso, { ...SSO_COOKIE_OPTIONS, maxAge: Math.ceil(lifetimes.ssoMaxMs / 1000) });
  if (result.clearSso) clearSsoCookie(reply);
  const r = result.response;
  if (r.kind === 'redirect') return reply.redirect(r.location, 303);
  if (r.csp) reply.header('content-security-policy', r.csp);
  return reply.type('text/html; charset=utf-8').send(r.body);
}
