// The two browser cookies of a login, with WSO2's names: sessionNonceCookie-{sessionDataKey} binds a login
// in progress to the browser that started it, and commonAuthId carries the SSO session. Both are HttpOnly
// and Secure. commonAuthId is SameSite=None because SAML POST-binding requests arrive cross-site and must
// still find the session (as in WSO2); the nonce is Lax, as it is only needed on our own pages.
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

/** Writes the cookies and the response an engine call asked for. */
export async function sendEngineResponse(reply: FastifyReply, result: EngineResponse, lifetimes: CookieLifetimes): Promise<FastifyReply> {
  if (result.setNonce) reply.setCookie(nonceCookie(result.setNonce.contextId), result.setNonce.value, { ...COOKIE_BASE, sameSite: 'lax', maxAge: Math.ceil(lifetimes.loginMs / 1000) });
  if (result.clearNonce) reply.clearCookie(nonceCookie(result.clearNonce), { ...COOKIE_BASE, sameSite: 'lax' });
  if (result.setSso) reply.setCookie(SSO_COOKIE, result.setSso, { ...SSO_COOKIE_OPTIONS, maxAge: Math.ceil(lifetimes.ssoMaxMs / 1000) });
  if (result.clearSso) clearSsoCookie(reply);
  const r = result.response;
  if (r.kind === 'redirect') return reply.redirect(r.location, 303);
  if (r.csp) reply.header('content-security-policy', r.csp);
  return reply.type('text/html; charset=utf-8').send(r.body);
}
