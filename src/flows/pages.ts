// URLs and page models the engine itself owns: the multi-option chooser and the login error page.
// Authenticator pages come from the authenticators; this file only turns their configured URLs into
// browser URLs carrying WSO2's query parameters.
import type { PageModel } from '../authenticators/authenticator.ts';
import type { Application } from '../applications/application.ts';
import { tenantQualifiedPath } from '../tenants/tenant-path.ts';
import type { FlowState } from './flow-state.ts';

/** A configured page URL that points at another host (an external login UI) rather than at our own pages. */
export function isExternalPage(configured: string): boolean {
  return /^https?:\/\//i.test(configured);
}

/**
 * A page URL for this login. Relative configured URLs ('authenticationendpoint/totp.do') are served by us,
 * tenant-qualified for tenants other than carbon.super, and get sessionDataKey, t (tenant), sp (application)
 * and `params`: our pages read everything else from the login's context. Absolute ones point at an external
 * login UI, which gets WSO2's full query (externalQuery); `extra` holds what only such a page gets (ske).
 */
export function pageUrl(state: FlowState, configured: string, params: Record<string, string>, contextId?: string, extra: Record<string, string> = {}): string {
  if (isExternalPage(configured)) return withQuery(configured, externalQuery(state, params, contextId, extra));
  const base = tenantQualifiedPath(state.tenantDomain, `/${configured.replace(/^\/+/, '')}`);
  const query = new URLSearchParams();
  if (contextId) query.set('sessionDataKey', contextId);
  query.set('t', state.tenantDomain);
  query.set('sp', state.application.name);
  for (const [k, v] of Object.entries(params)) query.set(k, v);
  return withQuery(base, query);
}

function withQuery(base: string, query: URLSearchParams): string {
  return `${base}${base.includes('?') ? '&' : '?'}${query.toString()}`;
}

/**
 * WSO2's query in the order its TOTP authenticator (6.1 to 7.2) builds it: t, sessionDataKey, authenticators,
 * type, [authFailure, authFailureMsg], username, sp, [errorCode, lockedReason, unlockTime, ske], [multiOptionURI].
 * username is name@tenant without the user store domain, as WSO2's addTenantDomainToEntry writes it. Unlike
 * WSO2, every value is percent-encoded (its raw `ske` loses every `+` to a space in a servlet).
 */
function externalQuery(state: FlowState, params: Record<string, string>, contextId: string | undefined, extra: Record<string, string>): URLSearchParams {
  const query = new URLSearchParams();
  query.set('t', state.tenantDomain);
  if (contextId) query.set('sessionDataKey', contextId);
  const rest = { ...params };
  for (const key of ['authenticators', 'type', 'authFailure', 'authFailureMsg']) {
    if (rest[key] !== undefined) query.set(key, rest[key]);
    delete rest[key];
  }
  if (state.user) query.set('username', `${state.user.username}@${state.tenantDomain}`);
  query.set('sp', state.application.name);
  for (const [k, v] of Object.entries({ ...rest, ...extra })) query.set(k, v);
  if (state.multiOptionURI) query.set('multiOptionURI', state.multiOptionURI);
  return query;
}

/**
 * WSO2 echoes the multiOptionURI the request that entered a step carried to that step's pages (TOTPUtil
 * getMultiOptionURIQueryParam). Kept only when it is a plausible link (a path or an http(s) URL, bounded),
 * since an external page renders it as "choose another option".
 */
export function acceptedMultiOptionUri(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0 || value.length > 2048) return undefined;
  if (/^\/(?!\/)/.test(value)) return value;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function chooserPage(state: FlowState, displayName: (name: string) => string): PageModel {
  const step = state.steps[state.stepIndex];
  return {
    template: 'choose',
    title: 'Choose how to sign in',
    data: { options: (step?.options ?? []).map((name) => ({ name, displayName: displayName(name) })) },
  };
}

export function errorPage(state: FlowState, application: Application): PageModel {
  return {
    template: 'login_error',
    title: 'Sign-in failed',
    // `failure` is what the page's failure partial shows (the reason's text).
    data: { reason: state.failure?.reason ?? 'login.failed', details: state.failure?.details, failure: state.failure ?? { reason: 'login.failed' }, applicationName: application.name },
  };
}
