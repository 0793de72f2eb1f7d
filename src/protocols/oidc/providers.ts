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
import { ADMIN_SCOPES, INTERNAL_LOGIN, type ApiToken } from '../../http/api-scopes.ts';
import { SSO_COOKIE } from '../../http/login-cookies.ts';
import type { KeyService } from '../../keys/key-service.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Clock } from '../../time/clock.ts';
import type { LockoutService } from '../../users/lockout.ts';
import type { UserService } from '../../users/user-service.ts';
import { accountClaims, SCOPE_CLAIMS } from './claims.ts';
import { CONTINUE_PATH, sealLogout } from './logout.ts';
import type { OidcStore } from './oidc-store.ts';
import type { ClientMetadata, OidcProvider, ProviderInput } from './provider.ts';
import { OIDC_PROTOCOL, oidcSettingsOf, secretMatches } from './settings.ts';

export interface OidcProvidersDeps {
  store: OidcStore;
  keys: KeyService;
  keyring: Keyring;
  applications: ApplicationStore;
  users: UserService;
  lockout: LockoutService;
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
      apiScopes: [INTERNAL_LOGIN, ...ADMIN_SCOPES],
      adminScopes: ADMIN_SCOPES,
      sessionTtl: Math.ceil(deps.ssoMaxMs / 1000),
      endSessionUrl: `${new URL(issuer).origin}${tenantQualifiedPath(tenant.domain, '/oidc/logout')}`,
      cookieKeys: [deps.keyring.mac('oidc-cookies', tenant.id)],
      interactionPath: (uid) => `${mount}/interaction/${uid}`,
      ssoLogin: async (header) => {
        const live = await deps.ssoReuse.byCookie(cookieValue(header, SSO_COOKIE), tenant);
        if (!live) return undefined;
        const methods = Object.values(live.session.state.passed).flatMap((p) => p.amr);
        return { accountId: live.user.id, authTime: Math.floor(live.session.state.authTime / 1000), methods };
      },
      loggedOut: async (header, location) => {
        const now = deps.clock.now();
        const live = await deps.sso.findByCookie(cookieValue(header, SSO_COOKIE), tenant.id, now);
        if (!live) return location;
        const next = sealLogout(deps.keyring, tenant.id, location, live.id, now);
        return `${new URL(issuer).origin}${tenantQualifiedPath(tenant.domain, CONTINUE_PATH)}?next=${encodeURIComponent(next)}`;
      },
      pages: deps.pages,
    });
  }

  /**
   * A live access token issued by this tenant's provider (any issuer of the tenant: tokens are stored per tenant),
   * with its user and application as they are now: a deleted application or user ends the token.
   */
  async apiToken(tenant: Tenant, issuer: string, value: string): Promise<ApiToken | undefined> {
    const token = await (await this.get(tenant, issuer)).accessToken(value);
    if (!token) return undefined;
    const app = await this.deps.applications.findByIdentifier(tenant.id, OIDC_PROTOCOL, token.clientId);
    const settings = app && oidcSettingsOf(app);
    if (!app || !settings) return undefined;
    const application = { id: app.id, name: app.name, authorizedScopes: settings.authorizedScopes };
    if (token.accountId === undefined) return { clientId: token.clientId, scopes: token.scopes, application };
    const user = await this.deps.users.findById(tenant, token.accountId);
    // A disabled or locked account's tokens stop working with it, as its SSO sessions do (sso-reuse.ts).
    if (!user || !(await this.deps.lockout.accountState(user, this.deps.clock.now())).usable) return undefined;
    return { clientId: token.clientId, scopes: token.scopes, user, application, ...(token.otpAt === undefined ? {} : { otpProvenAt: token.otpAt * 1000 }) };
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
      // What the client may ask for: the OIDC scopes, the self-service APIs' scope for its users, and the admin
      // scopes it was authorized for (the provider refuses the others with invalid_scope).
      scope: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS), ...(code ? [INTERNAL_LOGIN] : []), ...s.authorizedScopes].join(' '),
      accessTokenLifetime: s.accessToken.userAccessTokenExpiryInSeconds,
      idTokenLifetime: s.idToken.expiryInSeconds,
      refreshTokenLifetime: s.refreshToken.expiryInSeconds,
    };
  }
}
