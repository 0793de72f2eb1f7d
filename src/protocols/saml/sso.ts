// Web Browser SSO (profiles 4.1): an AuthnRequest by either binding, or WSO2's IdP-initiated
// GET /samlsso?spEntityID=..., starts a login in the engine. Until the issuer is a registered application
// and the ACS one of its URLs (and, when required, the signature verifies), every problem is an error page:
// nothing is ever posted to a URL we do not trust. After that, problems go back to the ACS as SAML statuses.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../applications/application.ts';
import type { ApplicationStore } from '../../applications/application-store.ts';
import type { Config } from '../../config/index.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { AppError } from '../../errors/app-error.ts';
import type { LoginEngine } from '../../flows/engine.ts';
import type { SsoSessionStore } from '../../flows/sso-session.ts';
import { browserOf, sendEngineResponse, type CookieLifetimes } from '../../http/login-cookies.ts';
import { checkAuthnRequest, issuerOf, nameIdFormatFor, readAuthnRequest, resolveAcs } from './authn-request.ts';
import { MAX_RELAY_STATE_BYTES } from '../../saml-core/constants.ts';
import { idpEndpoints } from './endpoints.ts';
import { trustedRoot, type InboundMessage } from './inbound.ts';
import type { SamlKeys } from './keys.ts';
import { autoPostPage, encodePostMessage } from './post-binding.ts';
import { buildErrorResponse } from './response.ts';
import type { SamlLoginState } from './saml.front.ts';
import { SAML_PROTOCOL, samlSettingsOf, type SamlSettings } from './settings.ts';
import type { SamlStatus } from './status.ts';

export interface SamlContext {
  config: Config;
  engine: LoginEngine;
  applications: ApplicationStore;
  sso: SsoSessionStore;
  keys: SamlKeys;
  keyring: Keyring;
  lifetimes: CookieLifetimes;
  now: () => number;
}

/** The application with this issuer in the request's tenant, or SAML-40002 (an error page). */
export async function samlApplication(ctx: SamlContext, request: FastifyRequest, issuer: string): Promise<{ app: Application; settings: SamlSettings }> {
  const app = await ctx.applications.findByIdentifier(request.tenant.id, SAML_PROTOCOL, issuer);
  const settings = app && samlSettingsOf(app);
  if (!app || !settings) throw new AppError('SAML-40002');
  return { app, settings };
}

async function startLogin(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, app: Application, state: SamlLoginState, flags: { forceAuthn: boolean; passive: boolean }) {
  const result = await ctx.engine.start(
    { tenant: request.tenant, tenantQualified: request.tenantQualified, application: app, protocol: SAML_PROTOCOL, protocolState: state, ...flags },
    browserOf(request),
  );
  return sendEngineResponse(reply, result, ctx.lifetimes);
}

async function answerWithStatus(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, state: SamlLoginState, status: SamlStatus) {
  const key = (await ctx.keys.keys(request.tenant)).active;
  const xml = buildErrorResponse({ entityId: state.entityId, acs: state.acs, inResponseTo: state.requestId, now: ctx.now(), status }, key);
  return sendEngineResponse(reply, { response: autoPostPage(state.acs, { SAMLResponse: encodePostMessage(xml), RelayState: state.relayState }) }, ctx.lifetimes);
}

export async function handleAuthnRequest(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, message: InboundMessage) {
  // The issuer as received only finds the application; everything else is read from the trusted root.
  const { app, settings } = await samlApplication(ctx, request, issuerOf(message.root));
  const authn = readAuthnRequest(trustedRoot(message, settings));
  if (authn.issuer !== settings.issuer) throw new AppError('SAML-40002');
  const acs = resolveAcs(authn, settings);
  const endpoints = idpEndpoints(ctx.config, request);
  const state: SamlLoginState = {
    tenantDomain: request.tenant.domain,
    entityId: endpoints.entityId,
    issuer: settings.issuer,
    acs,
    requestId: authn.id,
    ...(message.relayState === undefined ? {} : { relayState: message.relayState }),
    nameIdFormat: nameIdFormatFor(authn.nameIdFormat, settings),
  };
  const problem = checkAuthnRequest(authn, ctx.now(), endpoints.destinations);
  if (problem) return answerWithStatus(ctx, request, reply, state, problem);
  return startLogin(ctx, request, reply, app, state, { forceAuthn: authn.forceAuthn, passive: authn.isPassive });
}

/** WSO2's IdP-initiated SSO: GET /samlsso?spEntityID=<issuer>[&acs=<registered URL>][&RelayState=..]. */
export async function handleIdpInitiated(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, query: Record<string, unknown>) {
  const text = (name: string): string | undefined => {
    const v = query[name];
    if (v !== undefined && typeof v !== 'string') throw new AppError('SAML-40001', { description: `${name} may appear once.` });
    return v === '' ? undefined : v;
  };
  const { app, settings } = await samlApplication(ctx, request, text('spEntityID') ?? '');
  if (!settings.idpInitiatedSingleSignOn.enabled) throw new AppError('SAML-40006');
  const acsParam = text('acs');
  const acs = resolveAcs({ acsUrl: acsParam, acsIndex: undefined }, settings);
  const relayState = text('RelayState');
  if (relayState !== undefined && Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE_BYTES) throw new AppError('SAML-40005');
  const state: SamlLoginState = {
    tenantDomain: request.tenant.domain,
    entityId: idpEndpoints(ctx.config, request).entityId,
    issuer: settings.issuer,
    acs,
    ...(relayState === undefined ? {} : { relayState }),
    nameIdFormat: settings.singleSignOnProfile.assertion.nameIdFormat,
  };
  return startLogin(ctx, request, reply, app, state, { forceAuthn: false, passive: false });
}
