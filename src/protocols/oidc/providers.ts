// One oidc-provider per tenant and issuer (WSO2: https://host/oauth2/token, https://host/t/{tenant}/oauth2/token),
// built on first use from the tenant's OIDC keys and kept while its key set is unchanged: a rotation (a new
// keySetVersion) builds a new provider, so tokens are signed with the new key and the previous one stays in
// the JWKS for its grace period. Everything a provider stores is in the database (oidc-store.ts).
import type { ApplicationStore } from '../../applications/application-store.ts';
import { BoundedCache } from '../../cache/bounded-cache.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { SsoReuse } from '../../flows/sso-reuse.ts';
import type { SsoSessionStore } from '../../flows/sso-session.ts';
import { SSO_COOKIE } from '../../http/login-cookies.ts';
import type { KeyService } from '../../keys/key-service.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Clock } from '../../time/clock.ts';
import type { UserService } from '../../users/user-service.ts';
import { accountClaims, SCOPE_CLAIMS } from './claims.ts';
import type { OidcStore } from './oidc-store.ts';
import type { ClientMetadata, OidcProvider, ProviderInput } from './provider.ts';
import { OIDC_PROTOCOL, oidcSettingsOf, secretMatches } from './settings.ts';

export interface OidcProvidersDeps {
  store: OidcStore;
  keys: KeyService;
  keyring: Keyring;
  applications: ApplicationStore;
  users: UserService;
  claimValues: ClaimValueService;
  sso: SsoSessionStore;
  ssoReuse: SsoReuse;
  clock: Clock;
  pages: ProviderInput['pages'];
  /** The SSO session's maximum lifetime in ms: the provider's sessions and grants live as long. */
  ssoMaxMs: number;
}

/** The tenant's issuer at a public base URL. */
export function issuerFor(baseUrl: string, tenantDomain: string): string {
  return `${baseUrl}${tenantQualifiedPath(tenantDomain, '/oauth2/token')}`;
}

/** One cookie's value from a Cookie header (the provider hands us the header, not parsed cookies). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class OidcProviders {
  private readonly cache: BoundedCache<string, OidcProvider>;

  constructor(private readonly deps: OidcProvidersDeps) {
    this.cache = new BoundedCache({ ttlMs: 3_600_000, max: 200, clock: deps.clock });
  }

  async get(tenant: Tenant, issuer: string): Promise<OidcProvider> {
    const version = await this.deps.keys.keySetVersion(tenant, 'oidc');
    return this.cache.get(`${tenant.id} ${version} ${issuer}`, async () => this.build(tenant, issuer));
  }

  private async build(tenant: Tenant, issuer: string): Promise<OidcProvider> {
    const { deps } = this;
    const mount = tenantQualifiedPath(tenant.domain, '/oauth2');
    // Loaded on the first OIDC request, not at start: oidc-provider (with Koa and jose) is the heaviest
    // dependency, and many deployments never serve OpenID Connect.
    const { buildProvider } = await import('./provider.ts');
    return buildProvider({
      issuer,
      jwks: await deps.keys.privateJwks(tenant),
      adapter: deps.store.adapterFor(tenant.id),
      client: (clientId) => this.client(tenant, clientId),
      secretMatches,
      claims: async (accountId, clientId) => {
        const user = await deps.users.findById(tenant, accountId);
        if (!user) return undefined;
        const application = clientId ? await deps.applications.findByIdentifier(tenant.id, OIDC_PROTOCOL, clientId) : undefined;
        return accountClaims(deps.claimValues, user, application);
      },
      scopes: SCOPE_CLAIMS,
      sessionTtl: Math.ceil(deps.ssoMaxMs / 1000),
      endSessionUrl: `${new URL(issuer).origin}${tenantQualifiedPath(tenant.domain, '/oidc/logout')}`,
      cookieKeys: [deps.keyring.mac('oidc-cookies', tenant.id)],
      interactionPath: (uid) => `${mount}/interaction/${uid}`,
      ssoUser: async (header) => (await deps.ssoReuse.byCookie(cookieValue(header, SSO_COOKIE), tenant))?.user.id,
      endSso: async (header) => {
        const live = await deps.sso.findByCookie(cookieValue(header, SSO_COOKIE), tenant.id, deps.clock.now());
        if (live) await deps.sso.remove(live.id);
      },
      pages: deps.pages,
    });
  }

  /** An application's OIDC settings as the provider's client metadata. */
  private async client(tenant: Tenant, clientId: string): Promise<ClientMetadata | undefined> {
    const app = await this.deps.applications.findByIdentifier(tenant.id, OIDC_PROTOCOL, clientId);
    const s = app && oidcSettingsOf(app);
    if (!app || !s) return undefined;
    const code = s.grantTypes.includes('authorization_code');
    return {
      client_id: s.clientId,
      client_name: app.name,
      ...(s.publicClient ? { token_endpoint_auth_method: 'none' } : { client_secret: s.clientSecretHash, token_endpoint_auth_method: 'client_secret_basic' }),
      redirect_uris: code ? s.callbackURLs : [],
      post_logout_redirect_uris: s.callbackURLs,
      grant_types: s.grantTypes,
      response_types: code ? ['code'] : [],
      accessTokenLifetime: s.accessToken.userAccessTokenExpiryInSeconds,
      idTokenLifetime: s.idToken.expiryInSeconds,
      refreshTokenLifetime: s.refreshToken.expiryInSeconds,
    };
  }
}
