// The one claim read policy: which claim values may leave the server, and to whom. Every outward read (SAML
// NameID and attributes, SCIM, the console, My Account, email placeholders, later OIDC claims and userinfo)
// goes through ClaimValueService.readReleasable, which applies it; configurations that name a claim (an
// application's subject and requested claims, an email template's placeholders) are checked with it when
// saved. The rules go by claim URI and the stored attribute, never by a tenant-editable flag alone:
//   - secret claims (the TOTP seeds, anything encrypted at rest, the used time steps) never leave: only the
//     TOTP credentials layer (credentials/totp/) reads them in clear;
//   - identity claims (http://wso2.org/claims/identity/*, account state the server keeps) are not released,
//     except the few each audience has a named reason to see;
//   - claims the tenant marks hidden are not released either.
import { CLAIMS, DEFAULT_LOCAL_CLAIMS, ENCRYPTED_CLAIMS, LOCAL_DIALECT } from './local-claims.ts';

/** Who an outward read is for. */
export type ClaimAudience =
  /** A relying party: SAML NameID and attributes, OIDC ID tokens and userinfo. */
  | 'application'
  /** A tenant admin managing the account: SCIM and the console. */
  | 'admin'
  /** The user looking at their own account: My Account. */
  | 'self'
  /** An email body: whoever can read the mailbox, or the mail on its way. */
  | 'email';

/** Never readable outside the authenticator that owns them: knowing one is knowing the second factor. */
export const SECRET_CLAIMS: ReadonlySet<string> = new Set([...ENCRYPTED_CLAIMS, CLAIMS.usedTotpTimeWindows]);

const IDENTITY_PREFIX = `${LOCAL_DIALECT}/identity/`.toLowerCase();

// URIs compare case-insensitively here, so a claim spelt `.../Identity/SecretKey` is refused like the real one.
const lower = (uris: Iterable<string>): ReadonlySet<string> => new Set([...uris].map((u) => u.toLowerCase()));
const SECRET_LOWER = lower(SECRET_CLAIMS);

/** Identity claims an audience may see, each for a named reason. Anything not listed stays on the server. */
const IDENTITY_EXCEPTIONS: Readonly<Record<ClaimAudience, ReadonlySet<string>>> = {
  application: lower([]),
  email: lower([]),
  admin: lower([
    // SCIM's `active` and the WSO2 extension's accountLocked and lockedReason; the console's lock panel.
    CLAIMS.accountDisabled,
    CLAIMS.accountLocked,
    CLAIMS.lockedReason,
    CLAIMS.unlockTime,
    CLAIMS.failedLoginAttempts,
    CLAIMS.failedTotpAttempts,
    CLAIMS.failedLoginLockoutCount,
    // Whether the user has enrolled, so the admin knows what "Reset TOTP" would do; never the secret itself.
    CLAIMS.totpEnabled,
  ]),
  // My Account says whether TOTP is set up.
  self: lower([CLAIMS.totpEnabled]),
};

// The store attributes the secrets are kept under (lower case, as LDAP compares them): a claim an admin maps
// to one of them reads the same value, so it is as secret as the claim it copies.
const SECRET_ATTRIBUTES: ReadonlySet<string> = new Set(DEFAULT_LOCAL_CLAIMS.filter((c) => SECRET_CLAIMS.has(c.uri)).map((c) => c.attribute.toLowerCase()));

const AUDIENCE_NAMES: Record<ClaimAudience, string> = { application: 'applications', admin: 'admin APIs', self: 'the account page', email: 'emails' };

export function isSecretClaim(uri: string): boolean {
  return SECRET_LOWER.has(uri.toLowerCase());
}

/** Why `uri` is never released to `audience` (a sentence naming the claim), or undefined when it may be. */
export function releaseRefusal(uri: string, audience: ClaimAudience): string | undefined {
  const key = uri.toLowerCase();
  const name = uri.slice(0, 255);
  if (SECRET_LOWER.has(key)) return `${name} is a secret of the TOTP authenticator and is never released.`;
  if (key.startsWith(IDENTITY_PREFIX) && !IDENTITY_EXCEPTIONS[audience].has(key)) {
    return `${name} is an identity claim (account state kept by the server) and is not released to ${AUDIENCE_NAMES[audience]}.`;
  }
  return undefined;
}

/** What the policy needs to know about a defined claim. */
export interface ClaimDefinitionView {
  uri: string;
  hidden: boolean;
  attributeMappings: readonly { mappedAttribute: string }[];
}

/** The store attribute a secret is kept under, when `attribute` is one (compared without case). */
export function isSecretAttribute(attribute: string): boolean {
  return SECRET_ATTRIBUTES.has(attribute.toLowerCase());
}

/** Whether a defined claim's value may be read for `audience`. */
export function isReleasable(claim: ClaimDefinitionView, audience: ClaimAudience): boolean {
  if (claim.hidden || releaseRefusal(claim.uri, audience) !== undefined) return false;
  return !claim.attributeMappings.some((m) => isSecretAttribute(m.mappedAttribute));
}
