// URLs and page models the engine itself owns: the multi-option chooser and the login error page.
// Authenticator pages come from the authenticators; this file only turns their configured URLs into
// browser URLs carrying WSO2's query parameters.
import type { PageModel } from '../authenticators/authenticator.ts';
import type { Application } from '../applications/application.ts';
import { tenantQualifiedPath } from '../tenants/tenant-path.ts';
import type { FlowState } from './flow-state.ts';

/**
 * A page URL for this login. Relative configured URLs ('authenticationendpoint/totp.do') are served by us,
 * tenant-qualified for tenants other than carbon.super; absolute ones point at an external login UI.
 * sessionDataKey, t (tenant) and sp (application) are always added, as WSO2 does; never a secret.
 */
export function pageUrl(state: FlowState, configured: string, params: Record<string, string>, contextId?: string): string {
  const absolute = /^https?:\/\//i.test(configured);
  const base = absolute ? configured : tenantQualifiedPath(state.tenantDomain, `/${configured.replace(/^\/+/, '')}`);
  const query = new URLSearchParams();
  if (contextId) query.set('sessionDataKey', contextId);
  query.set('t', state.tenantDomain);
  query.set('sp', state.application.name);
  for (const [k, v] of Object.entries(params)) query.set(k, v);
  return `${base}${base.includes('?') ? '&' : '?'}${query.toString()}`;
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
