// Names from the SAML 2.0 specifications (core, bindings, profiles, metadata) and XML Signature, in one place.

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export type Binding = 'redirect' | 'post';

/** NameID formats we issue (SAML core 8.3). */
export const NAMEID_FORMAT = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  entity: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
} as const;

export const SUPPORTED_NAMEID_FORMATS: readonly string[] = [NAMEID_FORMAT.unspecified, NAMEID_FORMAT.email, NAMEID_FORMAT.persistent];

/** Status codes (SAML core 3.2.2.2): four top-level ones, the rest nest under Requester or Responder. */
const S = 'urn:oasis:names:tc:SAML:2.0:status:';
export const STATUS = {
  success: `${S}Success`,
  requester: `${S}Requester`,
  responder: `${S}Responder`,
  versionMismatch: `${S}VersionMismatch`,
  authnFailed: `${S}AuthnFailed`,
  invalidNameIdPolicy: `${S}InvalidNameIDPolicy`,
  noPassive: `${S}NoPassive`,
  requestDenied: `${S}RequestDenied`,
  unsupportedBinding: `${S}UnsupportedBinding`,
  partialLogout: `${S}PartialLogout`,
  unknownPrincipal: `${S}UnknownPrincipal`,
} as const;

/**
 * Authentication context classes (SAML authn context, section 3.4). A login that passed a TOTP step says
 * TimeSyncToken (a time-synchronised one-time code); a password-only login over TLS says
 * PasswordProtectedTransport. The class names the strongest method used, so an SP can require the second factor.
 */
export const AUTHN_CONTEXT = {
  password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  timeSyncToken: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
} as const;

export const ALGORITHM = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

/** Signature algorithms accepted on requests, with the Node hash name. SHA-1 is refused (weak, SP 800-131A). */
export const ACCEPTED_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  [ALGORITHM.rsaSha256]: 'sha256',
  [ALGORITHM.rsaSha512]: 'sha512',
};

export const ACCEPTED_DIGEST_ALGORITHMS: readonly string[] = [ALGORITHM.sha256, ALGORITHM.sha512];

export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const ATTRNAME_FORMAT_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';

/** SAML bindings 3.4.3 / 3.5.3: RelayState MUST NOT exceed 80 bytes. */
export const MAX_RELAY_STATE_BYTES = 80;

/** How far a request's IssueInstant may be from our clock (both directions). */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** How long an assertion and its bearer confirmation may be used (WSO2's default validity is 5 minutes). */
export const ASSERTION_LIFETIME_MS = 5 * 60_000;
