// The OpenID Connect login front: a login the provider asked for (an interaction) runs through the engine like
// any other; when it ends, the front records the result in the interaction (account, amr, acr, auth_time) and
// sends the browser back to the provider, which issues the code. A failed or passive login becomes an OAuth
// error at the client's redirect URI (login_required for prompt=none without a usable session).
import type { Failure } from '../../authenticators/authenticator.ts';
import { AppError } from '../../errors/app-error.ts';
import { amrClaim } from '../../flows/acr.ts';
import type { FrontResponse, LoginFront, LoginResult } from '../../flows/fronts.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { isTenantAdmin } from '../../users/user-admin.ts';
import type { OidcProviders } from './providers.ts';
import { OIDC_PROTOCOL } from './settings.ts';

export interface OidcLoginState {
  tenantDomain: string;
  /** The issuer the authorization request came to (the provider is found by it again). */
  issuer: string;
  /** The provider's interaction uid. */
  uid: string;
}

declare module '../../flows/fronts.ts' {
  interface ProtocolStates {
    oidc: OidcLoginState;
  }
}

/** The OAuth error a failed login answers with. */
export function oauthErrorFor(failure: Failure): { error: string; description: string } {
  if (failure.reason === 'login.passive') return { error: 'login_required', description: 'The user is not signed in.' };
  // Core 3.1.2.6: signed in, but a step of this application (e.g. TOTP) needs the user.
  if (failure.reason === 'login.passive_step') return { error: 'interaction_required', description: 'The application needs a sign-in step the session has not done.' };
  return { error: 'access_denied', description: failure.reason === 'login.cancelled' ? 'The user cancelled the sign-in.' : 'The user could not be authenticated.' };
}

export function createOidcFront(providers: OidcProviders, tenantOf: (id: string) => Promise<Tenant | undefined>): LoginFront<typeof OIDC_PROTOCOL> {
  return {
    protocol: OIDC_PROTOCOL,

    async complete(result: LoginResult, state: OidcLoginState) {
      const provider = await providers.get(result.tenant, state.issuer);
      const returnTo = await provider.finish(state.uid, {
        accountId: result.user.id,
        acr: result.acr,
        amr: amrClaim(result.amr),
        authTime: Math.floor(result.authTime / 1000),
        admin: isTenantAdmin(result.tenant, result.user),
      });
      if (!returnTo) throw new AppError('OIDC-40001');
      return { response: { kind: 'redirect', location: returnTo } };
    },

    async fail(failure: Failure, state: OidcLoginState, application): Promise<FrontResponse | undefined> {
      const tenant = await tenantOf(application.tenantId);
      if (!tenant) return undefined;
      const { error, description } = oauthErrorFor(failure);
      const returnTo = await (await providers.get(tenant, state.issuer)).refuse(state.uid, error, description);
      return returnTo ? { kind: 'redirect', location: returnTo } : undefined;
    },
  };
}
