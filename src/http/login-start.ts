// Which requests start a new login, and through which front: the requests an overloaded node refuses first
// (overload.ts) and the ones counted as logins started (request-metrics.ts). A login in progress carries its
// sessionDataKey (pages, /commonauth) or the browser already holds an SSO session (console, My Account): those
// go on, so that a user past the password step is not sent back to the start by a busy node.
import type { FastifyRequest } from 'fastify';
import { SSO_COOKIE } from './login-cookies.ts';

export type LoginFront = 'saml' | 'oidc' | 'commonauth' | 'console' | 'myaccount';

function field(source: unknown, name: string): unknown {
  return source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
}

/** The front a request starts a new login through, or undefined when it is not a login start. */
export function newLoginFront(request: FastifyRequest): LoginFront | undefined {
  // The route pattern (tenant prefix already removed by rewriteTenantUrl), never the raw URL.
  const route = request.routeOptions.url;
  if (route === undefined) return undefined;
  if (route === '/samlsso') return 'saml';
  // The OIDC routes hand everything under /oauth2 to the provider through one wildcard route.
  if (route === '/oauth2/authorize' || (route === '/oauth2/*' && field(request.params, '*') === 'authorize')) return 'oidc';
  if (route === '/commonauth') {
    // An upstream IdP's answer names the login in RelayState (SAML, posted) or state (OpenID Connect, in the query).
    const key = field(request.body, 'sessionDataKey') ?? field(request.query, 'sessionDataKey') ?? field(request.body, 'RelayState') ?? field(request.query, 'state');
    return typeof key === 'string' && key !== '' ? undefined : 'commonauth';
  }
  if (request.method !== 'GET' || request.cookies?.[SSO_COOKIE]) return undefined;
  if (route === '/console' || route.startsWith('/console/')) return 'console';
  if (route === '/myaccount' || route.startsWith('/myaccount/')) return 'myaccount';
  return undefined;
}
