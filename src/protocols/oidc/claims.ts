// OIDC claims from the application's claim mapping: the application's requested local claims, read through
// the one claim read policy (claimValues.readReleasable, audience 'application', as SAML attributes are), named
// as OIDC names them (WSO2's http://wso2.org/oidc/claim dialect), and grouped by the scope that releases them.
// A local claim with no OIDC name is not released: the provider only sends claims a scope names.
import type { Application } from '../../applications/application.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import type { UserRecord } from '../../users/user-store.ts';

const OIDC_NAMES: Record<string, string> = {
  [CLAIMS.email]: 'email',
  [CLAIMS.givenName]: 'given_name',
  [CLAIMS.lastName]: 'family_name',
  [CLAIMS.fullName]: 'name',
  [CLAIMS.nickname]: 'nickname',
  [CLAIMS.username]: 'preferred_username',
  [CLAIMS.mobile]: 'phone_number',
  [CLAIMS.locale]: 'locale',
  [CLAIMS.country]: 'address',
};

/** Claim names per scope, for the provider's `claims` configuration. */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  email: ['email'],
  phone: ['phone_number'],
  address: ['address'],
  profile: ['name', 'given_name', 'family_name', 'nickname', 'preferred_username', 'locale'],
};

/** The user's releasable claims that the application requests, by OIDC name; empty values are left out. */
export async function accountClaims(claimValues: ClaimValueService, user: UserRecord, application: Application | undefined): Promise<Record<string, string>> {
  const requested = [...new Set((application?.claimConfiguration.requestedClaims ?? []).map((c) => c.claim.uri))].filter((uri) => OIDC_NAMES[uri]);
  if (requested.length === 0) return {};
  const values = await claimValues.readReleasable(user, requested, 'application');
  const out: Record<string, string> = {};
  for (const uri of requested) {
    const value = values[uri];
    if (value !== undefined && value !== '') out[OIDC_NAMES[uri]!] = value;
  }
  return out;
}
