// SP-initiated Single Logout (profiles 4.4). A LogoutRequest from a session participant (signed when the
// application has a certificate) whose NameID and SessionIndex match what we issued in this browser's SSO
// session ends that session at once; one naming anything else is refused with Requester/UnknownPrincipal and
// the session stays. The other SAML participants are then told: back-channel ones by a server-side POST (never
// to a private address unless allowed), front-channel ones one after the other through the browser (a
// redirect or POST chain; the chain's state rides in a short-lived encrypted cookie). Finally the initiator
// gets a LogoutResponse: Success, with PartialLogout nested when some participant could not be told (core
// 3.7.3.2). A request from an application this browser has no session with gets Success (logout is
// idempotent) and nothing else happens, so the answer reveals nothing about other sessions. OIDC's
// RP-initiated logout ends the session through the same chain (endSessionAndNotify), ending at the RP.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { FrontResponse } from '../../flows/fronts.ts';
import { clearSsoCookie, sendEngineResponse, SSO_COOKIE } from '../../http/login-cookies.ts';
import { CLOCK_SKEW_MS, STATUS, type Binding } from '../../saml-core/constants.ts';
import { idpEndpoints } from './endpoints.ts';
import { trustedRoot, type InboundMessage } from './inbound.ts';
import { postForm } from '../../http/outbound-post.ts';
import { buildLogoutRequest, buildLogoutResponse, readLogoutRequest, readLogoutResponse, sendByBinding, signRoot, type LogoutRequestMessage } from './logout-messages.ts';
import { encodePostMessage } from './post-binding.ts';
import type { SamlParticipant } from './saml.front.ts';
import { logoutRequestUrl, logoutResponseUrl, SAML_PROTOCOL, samlSettingsOf, type SamlSettings } from './settings.ts';
import { issuerOf } from './authn-request.ts';
import { samlApplication, type SamlContext } from './sso.ts';
import { SUCCESS, type SamlStatus } from './status.ts';
import { clearChain, MAX_FRONT_CHANNEL, readChain, writeChain, type LogoutChain, type LogoutInitiator } from './logout-chain.ts';
import type { SsoSession } from '../../flows/sso-session.ts';

const PARTIAL: SamlStatus = { code: STATUS.success, subCode: STATUS.partialLogout, message: 'Not every application could be signed out.' };
const BACKCHANNEL_TIMEOUT_MS = 5000;

function send(ctx: SamlContext, reply: FastifyReply, response: FrontResponse) {
  return sendEngineResponse(reply, { response }, ctx.lifetimes);
}

/**
 * WSO2's back-channel logout: the LogoutRequest, XML-signed, POSTed as a form field from the server. The URL is
 * the application's configuration, so private and loopback addresses are refused unless the deployment allows
 * them ([saml] allow_private_logout_targets), checked at connect time.
 */
async function backChannel(ctx: SamlContext, request: FastifyRequest, application: string, location: string, xml: string): Promise<boolean> {
  const result = await postForm(location, { SAMLRequest: encodePostMessage(xml) }, { allowPrivate: ctx.config.saml.allow_private_logout_targets, timeoutMs: BACKCHANNEL_TIMEOUT_MS });
  if (result === 'refused') request.log.warn({ application }, 'back-channel SAML logout not sent: the logout URL is a private or loopback address ([saml] allow_private_logout_targets is off)');
  return result === 'delivered';
}

/**
 * The LogoutRequest to read fields from. Logging out ends a session, so an application with a registered
 * certificate must sign it (by either binding, with the same XSW-hardened verification as AuthnRequests) even
 * when it does not sign its AuthnRequests.
 */
function verifiedLogoutRoot(message: InboundMessage, settings: SamlSettings): Element {
  if (settings.requestValidation.certificate === undefined) return message.root;
  return trustedRoot(message, { ...settings, requestValidation: { ...settings.requestValidation, enableSignatureValidation: true } });
}

/**
 * Whether the request names what we issued to this application in this session: its NameID, and its
 * SessionIndex. Core 3.7.1 lets an SP leave SessionIndex out to mean "every session"; only a signed request may,
 * since an unsigned one could be forged cross-site by anyone who knows a user name.
 */
function namesSession(logout: LogoutRequestMessage, data: SamlParticipant | undefined, signed: boolean): boolean {
  if (!data || data.nameId !== logout.nameId) return false;
  if (logout.sessionIndexes.length === 0) return signed;
  return logout.sessionIndexes.includes(data.sessionIndex);
}

const UNKNOWN_PRINCIPAL: SamlStatus = { code: STATUS.requester, subCode: STATUS.unknownPrincipal, message: 'The request does not name this session.' };

export async function handleLogoutRequest(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, message: InboundMessage) {
  const { app, settings } = await samlApplication(ctx, request, issuerOf(message.root));
  const logout = readLogoutRequest(verifiedLogoutRoot(message, settings));
  if (logout.issuer !== settings.issuer) throw new AppError('SAML-40002');
  if (!settings.singleLogoutProfile.enabled) throw new AppError('SAML-40007');
  const now = ctx.now();
  const endpoints = idpEndpoints(ctx.config, request);
  const key = (await ctx.keys.keys(request.tenant)).active;
  const respond = (status: SamlStatus) => {
    const xml = buildLogoutResponse(endpoints.entityId, logoutResponseUrl(settings), logout.id, status, now);
    return send(ctx, reply, sendByBinding(message.binding, logoutResponseUrl(settings), 'SAMLResponse', 'LogoutResponse', xml, message.relayState, key));
  };
  if (logout.version !== '2.0') return respond({ code: STATUS.versionMismatch });
  const stale = Math.abs(now - logout.issueInstant) > CLOCK_SKEW_MS || (logout.notOnOrAfter !== undefined && logout.notOnOrAfter <= now);
  if (stale) return respond({ code: STATUS.requester, message: 'The request has expired.' });
  if (logout.destination !== undefined && !endpoints.destinations.includes(logout.destination)) return respond({ code: STATUS.requester, message: 'The request was sent to another destination.' });

  const session = await ctx.sso.findByCookie(request.cookies[SSO_COOKIE], request.tenant.id, now);
  const participant = session?.state.participants.find((p) => p.applicationId === app.id && p.protocol === SAML_PROTOCOL);
  // Nothing of this application's in this browser: it is logged out already (logout is idempotent).
  if (!session || !participant) return respond(SUCCESS);
  // Core 3.7.3.2: a request the session authority cannot honour gets an error status; the session stays.
  if (!namesSession(logout, participant.data as SamlParticipant | undefined, settings.requestValidation.certificate !== undefined)) {
    request.log.info({ application: app.name }, 'SAML LogoutRequest refused: it does not name the NameID and SessionIndex of this session');
    return respond(UNKNOWN_PRINCIPAL);
  }

  const initiator = { applicationId: app.id, requestId: logout.id, binding: message.binding, ...(message.relayState === undefined ? {} : { relayState: message.relayState }) };
  return endSessionAndNotify(ctx, request, reply, session, initiator);
}

/** A returnTo longer than this leaves no room in the chain's cookie for front-channel participants. */
const MAX_RETURN_TO = 2048;

/**
 * Ends the browser's SSO session and tells its SAML participants (except the initiator, when it is one):
 * back-channel ones at once, front-channel ones through the browser, one after the other. Then the initiator
 * is answered: a SAML SP with its LogoutResponse, another front's logout (OIDC RP-initiated logout) by a
 * redirect to the returnTo it validated.
 */
export async function endSessionAndNotify(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, session: SsoSession, initiator: LogoutInitiator) {
  await ctx.sso.remove(session.id);
  clearSsoCookie(reply);
  const now = ctx.now();
  const entityId = idpEndpoints(ctx.config, request).entityId;
  const key = (await ctx.keys.keys(request.tenant)).active;
  const except = 'applicationId' in initiator ? initiator.applicationId : undefined;
  const roomForChain = !('returnTo' in initiator) || initiator.returnTo.length <= MAX_RETURN_TO;
  const chain: LogoutChain = { tenantId: request.tenant.id, entityId, initiator, pending: [], partial: false, expiresAt: now + 5 * 60_000 };
  const backChannels: Promise<boolean>[] = [];
  for (const other of session.state.participants) {
    if (other.protocol !== SAML_PROTOCOL || other.applicationId === except) continue;
    const otherApp = await ctx.applications.get(request.tenant.id, other.applicationId);
    const otherSettings = otherApp && samlSettingsOf(otherApp);
    const otherData = other.data as SamlParticipant | undefined;
    if (!otherApp || !otherSettings?.singleLogoutProfile.enabled || !otherData) continue;
    const target = { nameId: otherData.nameId, nameIdFormat: otherData.nameIdFormat, sessionIndex: otherData.sessionIndex };
    if (otherSettings.singleLogoutProfile.logoutMethod === 'BACKCHANNEL') {
      const location = logoutRequestUrl(otherSettings);
      const { xml } = buildLogoutRequest(entityId, location, { ...target, spIssuer: otherSettings.issuer }, now);
      backChannels.push(backChannel(ctx, request, otherApp.name, location, signRoot(xml, 'LogoutRequest', key)));
    } else if (roomForChain && chain.pending.length < MAX_FRONT_CHANNEL) {
      chain.pending.push({ applicationId: other.applicationId, ...target });
    } else {
      chain.partial = true;
    }
  }
  const delivered = await Promise.all(backChannels);
  if (delivered.includes(false)) {
    chain.partial = true;
    request.log.warn('a back-channel SAML logout request was not delivered');
  }
  return continueChain(ctx, request, reply, chain);
}

/** Sends the next front-channel LogoutRequest, or, when none is left, the initiator's LogoutResponse. */
async function continueChain(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, chain: LogoutChain) {
  const now = ctx.now();
  const key = (await ctx.keys.keys(request.tenant)).active;
  for (let next = chain.pending.shift(); next; next = chain.pending.shift()) {
    const app = await ctx.applications.get(chain.tenantId, next.applicationId);
    const settings = app && samlSettingsOf(app);
    if (!settings?.singleLogoutProfile.enabled) {
      chain.partial = true;
      continue;
    }
    const location = logoutRequestUrl(settings);
    const { id, xml } = buildLogoutRequest(chain.entityId, location, { ...next, spIssuer: settings.issuer }, now);
    chain.current = { applicationId: next.applicationId, issuer: settings.issuer, requestId: id };
    writeChain(ctx, reply, chain);
    const binding: Binding = settings.singleLogoutProfile.logoutMethod === 'FRONTCHANNEL_HTTP_POST' ? 'post' : 'redirect';
    return send(ctx, reply, sendByBinding(binding, location, 'SAMLRequest', 'LogoutRequest', xml, undefined, key));
  }
  clearChain(reply);
  if ('returnTo' in chain.initiator) {
    if (chain.partial) request.log.warn('not every SAML participant could be signed out');
    return send(ctx, reply, { kind: 'redirect', location: chain.initiator.returnTo });
  }
  const initiator = await ctx.applications.get(chain.tenantId, chain.initiator.applicationId);
  const settings = initiator && samlSettingsOf(initiator);
  if (!settings) throw new AppError('SAML-40002');
  const location = logoutResponseUrl(settings);
  const xml = buildLogoutResponse(chain.entityId, location, chain.initiator.requestId, chain.partial ? PARTIAL : SUCCESS, now);
  return send(ctx, reply, sendByBinding(chain.initiator.binding, location, 'SAMLResponse', 'LogoutResponse', xml, chain.initiator.relayState, key));
}

/** A participant's LogoutResponse during a front-channel chain; a failed or unverifiable one makes it partial. */
export async function handleLogoutResponse(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, message: InboundMessage) {
  const chain = readChain(ctx, request);
  if (!chain?.current || issuerOf(message.root) !== chain.current.issuer) throw new AppError('SAML-40008');
  const current = chain.current;
  delete chain.current;
  const app = await ctx.applications.get(chain.tenantId, current.applicationId);
  const settings = app && samlSettingsOf(app);
  let ok = false;
  if (settings) {
    try {
      const response = readLogoutResponse(trustedRoot(message, settings));
      ok = response.inResponseTo === current.requestId && response.status.code === STATUS.success;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
  }
  if (!ok) chain.partial = true;
  return continueChain(ctx, request, reply, chain);
}
