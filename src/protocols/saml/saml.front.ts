// The SAML login front: when the engine finishes a login started by an AuthnRequest (or IdP-initiated), it
// posts a signed Response to the ACS the request resolved to (checked again here, in case the application
// changed meanwhile); when the login fails or the user leaves, it posts the matching status instead. The
// NameID and SessionIndex it issued are kept with the SSO session, so a LogoutRequest can be matched later.
import type { Failure } from '../../authenticators/authenticator.ts';
import type { Application } from '../../applications/application.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { AppError } from '../../errors/app-error.ts';
import type { FrontResponse, LoginFront, LoginResult } from '../../flows/fronts.ts';
import { STATUS } from '../../saml-core/constants.ts';
import type { SamlKeys } from './keys.ts';
import { nameIdFor } from './name-id.ts';
import { autoPostPage, encodePostMessage } from './post-binding.ts';
import { buildErrorResponse, buildSuccessResponse, type Attribute } from './response.ts';
import { SAML_PROTOCOL, samlSettingsOf, type SamlSettings } from './settings.ts';
import { statusForFailure, type SamlStatus } from './status.ts';

/** What a SAML login remembers while the user goes through the steps. */
export interface SamlLoginState {
  tenantDomain: string;
  /** Our entity id when the request arrived (from the public base URL). */
  entityId: string;
  issuer: string;
  acs: string;
  /** The AuthnRequest ID; absent for IdP-initiated logins (the Response is then unsolicited). */
  requestId?: string;
  relayState?: string;
  nameIdFormat: string;
}

/** Kept with the SSO session for each SAML application the user logged in to (for Single Logout). */
export interface SamlParticipant {
  issuer: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}

export interface SamlFrontDeps {
  keys: SamlKeys;
  claimValues: ClaimValueService;
  keyring: Keyring;
  now: () => number;
}

/** The settings, provided the application still has this issuer and ACS; otherwise nothing is posted. */
function trustedSettings(application: Application, state: SamlLoginState): SamlSettings | undefined {
  const settings = samlSettingsOf(application);
  if (!settings || settings.issuer !== state.issuer || !settings.assertionConsumerUrls.includes(state.acs)) return undefined;
  return settings;
}

/** The application's requested claims that have a value and that the claim read policy releases to applications. */
async function attributesFor(deps: SamlFrontDeps, result: LoginResult, settings: SamlSettings): Promise<Attribute[]> {
  if (!settings.attributeProfile.enabled) return [];
  const requested = [...new Set(result.application.claimConfiguration.requestedClaims.map((c) => c.claim.uri))];
  if (requested.length === 0) return [];
  const values = await deps.claimValues.readReleasable(result.user, requested, 'application');
  return requested.filter((uri) => values[uri] !== undefined && values[uri] !== '').map((uri) => ({ name: uri, values: [values[uri]!] }));
}

declare module '../../flows/fronts.ts' {
  interface ProtocolStates {
    saml: SamlLoginState;
  }
}

export function createSamlFront(deps: SamlFrontDeps): LoginFront<typeof SAML_PROTOCOL> {
  const errorAnswer = async (state: SamlLoginState, tenantId: string, status: SamlStatus): Promise<FrontResponse> => {
    const key = (await deps.keys.keys({ id: tenantId, domain: state.tenantDomain })).active;
    const xml = buildErrorResponse({ entityId: state.entityId, acs: state.acs, inResponseTo: state.requestId, now: deps.now(), status }, key);
    return autoPostPage(state.acs, { SAMLResponse: encodePostMessage(xml), RelayState: state.relayState });
  };

  return {
    protocol: SAML_PROTOCOL,

    async complete(result: LoginResult, state: SamlLoginState) {
      const settings = trustedSettings(result.application, state);
      if (!settings) throw new AppError('SAML-40003');
      const now = deps.now();
      const nameId = await nameIdFor(
        { claimValues: deps.claimValues, nameIdSecret: (id) => deps.keys.nameIdSecret(id) },
        { tenant: result.tenant, user: result.user, application: result.application, format: state.nameIdFormat, idpEntityId: state.entityId, spIssuer: settings.issuer },
      );
      // Core 3.4.1.1: a format the IdP cannot satisfy for this user is InvalidNameIDPolicy.
      if (!nameId) {
        const status = { code: STATUS.requester, subCode: STATUS.invalidNameIdPolicy, message: 'The user has no identifier in the requested format.' };
        return { response: await errorAnswer(state, result.tenant.id, status) };
      }
      // Stable per SSO session and application, opaque, and not the session's own id.
      const sessionIndex = `_${deps.keyring.mac('saml-session-index', `${result.ssoSessionId}:${result.application.id}`)}`;
      const key = (await deps.keys.keys(result.tenant)).active;
      const xml = buildSuccessResponse(
        {
          entityId: state.entityId,
          acs: state.acs,
          spIssuer: settings.issuer,
          inResponseTo: state.requestId,
          nameId,
          authnInstant: result.authTime,
          sessionIndex,
          amr: result.amr,
          attributes: await attributesFor(deps, result, settings),
          now,
        },
        key,
        settings.responseSigning.enabled,
      );
      const participantData: SamlParticipant = { issuer: settings.issuer, nameId: nameId.value, nameIdFormat: nameId.format, sessionIndex };
      return { response: autoPostPage(state.acs, { SAMLResponse: encodePostMessage(xml), RelayState: state.relayState }), participantData };
    },

    async fail(failure: Failure, state: SamlLoginState, application: Application): Promise<FrontResponse | undefined> {
      if (!trustedSettings(application, state)) return undefined;
      return errorAnswer(state, application.tenantId, statusForFailure(failure));
    },
  };
}
