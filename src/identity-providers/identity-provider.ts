// An upstream identity provider of a tenant (WSO2's "connection" / federated IdP): another OpenID Connect
// provider or SAML 2.0 IdP where users sign in, and what this server does with the account it returns: which
// upstream attributes become which local claims, and whether an unknown account is provisioned just in time.

export const IDP_TYPES = ['oidc', 'saml'] as const;
export type IdpType = (typeof IDP_TYPES)[number];

/** The authenticator that signs in at a provider of each type, by WSO2's names (also the REST API's authenticator ids). */
export const AUTHENTICATOR_OF_TYPE: Readonly<Record<IdpType, string>> = { oidc: 'OpenIDConnectAuthenticator', saml: 'SAMLSSOAuthenticator' };

/** Just-in-time provisioning: off, silently on, or after the user picks a local user name and password. */
export const JIT_MODES = ['off', 'on', 'prompt'] as const;
export type JitMode = (typeof JIT_MODES)[number];

export interface OidcUpstream {
  /** The upstream issuer; discovery reads {issuer}/.well-known/openid-configuration (OpenID Connect Discovery 1.0, section 4). */
  issuer: string;
  clientId: string;
  scopes: string[];
}

/** An upstream SAML 2.0 IdP; this server is its service provider (WSO2's SAMLSSOAuthenticator). */
export interface SamlUpstream {
  /** The upstream's entity ID: the Issuer its Responses and Assertions must carry (WSO2 IdPEntityId). */
  idpEntityId: string;
  /** Where the AuthnRequest goes (WSO2 SSOUrl). */
  ssoUrl: string;
  /** This server's entity ID at the upstream (WSO2 SPEntityId): the AuthnRequest's Issuer and the audience an assertion must name. */
  spEntityId: string;
  /** How the AuthnRequest is sent (WSO2 RequestMethod): HTTP-Redirect or HTTP-POST. */
  requestBinding: 'redirect' | 'post';
  /** Sign the AuthnRequest with the tenant's SAML key (WSO2 IsAuthnReqSigned). */
  signAuthnRequest: boolean;
  /** Require the Assertion itself to be signed (WSO2 IsAssertionSigned); a signed Response alone is not enough then. */
  requireSignedAssertion: boolean;
  /** Require the Response to be signed as well (WSO2 IsAuthnRespSigned); absent in settings saved before it existed. */
  requireSignedResponse?: boolean;
  /** The upstream's signing certificates, PEM (WSO2's IdP certificate); more than one during a key rollover. */
  certificates: string[];
  /** The NameID format asked for (WSO2 NameIDType). */
  nameIdFormat: string;
}

export interface ClaimMapping {
  /** The upstream attribute (an ID token or userinfo claim name). */
  remote: string;
  /** The local claim URI it fills, e.g. http://wso2.org/claims/emailaddress. */
  local: string;
}

export interface IdpSettings {
  oidc?: OidcUpstream;
  saml?: SamlUpstream;
  claimMappings: ClaimMapping[];
  /** The upstream attribute that is the account's user name (WSO2's userIdClaim); the subject when empty. */
  userIdClaim: string;
  provisioning: { jit: JitMode; userstore: string };
}

export interface IdpSecrets {
  clientSecret?: string;
}

export interface IdentityProvider {
  id: string;
  tenantId: string;
  name: string;
  type: IdpType;
  description: string;
  enabled: boolean;
  settings: IdpSettings;
  secrets: IdpSecrets;
  createdAt: number;
  updatedAt: number;
}

/** An account as an upstream provider returned it, with its attributes mapped to local claims. */
export interface FederatedIdentity {
  idpId: string;
  idpName: string;
  /** The upstream subject (OIDC `sub`, SAML NameID): what an association links. */
  subject: string;
  /** The account's user name upstream (the userIdClaim's value, or the subject). */
  username: string;
  /** Local claim URI -> value, through the provider's claim mappings. */
  claims: Record<string, string>;
  /** The upstream attributes as received (strings only), for userAttribute lookups by upstream name. */
  attributes: Record<string, string>;
}

/** Upstream attributes, strings only and bounded, mapped to local claims as the provider says. */
export function federatedIdentityOf(idp: IdentityProvider, subject: string, raw: Record<string, unknown>): FederatedIdentity {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (Object.keys(attributes).length >= 100) break;
    if (typeof v === 'string' && k.length <= 255) attributes[k] = v.slice(0, 1024);
    else if ((typeof v === 'number' || typeof v === 'boolean') && k.length <= 255) attributes[k] = String(v);
  }
  const claims: Record<string, string> = {};
  for (const m of idp.settings.claimMappings) {
    const value = attributes[m.remote];
    if (value !== undefined && value !== '') claims[m.local] = value;
  }
  const userIdClaim = idp.settings.userIdClaim;
  const username = (userIdClaim && attributes[userIdClaim]) || subject;
  return { idpId: idp.id, idpName: idp.name, subject, username, claims, attributes };
}
