// The seam to oidc-provider: the only file that imports it. Everything else in protocols/oidc/ speaks in our
// terms (an issuer, keys, clients as metadata, a login result); this file turns them into the provider's
// configuration and its interaction API. The provider runs the protocol (authorize, token, userinfo,
// introspection, revocation, RP-initiated logout, discovery); logins are ours (the engine), never its own pages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { interactionPolicy, type Adapter, type AdapterPayload, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR } from '../../flows/acr.ts';

export type { Adapter, AdapterPayload, ClientMetadata };

/** What the provider needs from us, per tenant. */
export interface ProviderInput {
  issuer: string;
  /** Private JWKs, the active key first (KeyService.privateJwks). */
  jwks: { keys: object[] };
  /** Storage for every model but Client (oidc-store.ts). */
  adapter: (model: string) => Adapter;
  /** A client's metadata (from its application), or undefined. client_secret is the secret's SHA-256 hash. */
  client(clientId: string): Promise<ClientMetadata | undefined>;
  /** Compares a presented client secret with the stored hash, in constant time. */
  secretMatches(stored: string, presented: string): boolean;
  /** Claims of an account for a client (userinfo, ID token); undefined when the account is gone. */
  claims(accountId: string, clientId: string | undefined): Promise<Record<string, unknown> | undefined>;
  /** Claim names per scope (what `scope=email` releases ...). */
  scopes: Record<string, string[]>;
  /** Scopes for our own APIs (internal_login, the admin scopes): granted when the client may ask for them. */
  apiScopes: readonly string[];
  /** Of those, the ones only the tenant's admin may hold in a user's token. */
  adminScopes: readonly string[];
  /** How long the provider's own session and grants live: the SSO session's maximum lifetime, in seconds. */
  sessionTtl: number;
  /** Where RP-initiated logout is served (WSO2: /oidc/logout); discovery names it. */
  endSessionUrl: string;
  /** Keys for the provider's signed cookies. */
  cookieKeys: string[];
  /** Where a login interaction is sent: our route, which runs the engine. */
  interactionPath(uid: string): string;
  /**
   * The browser's live SSO session (commonAuthId cookie): its user, when it last authenticated (epoch seconds)
   * and the methods (amr) it has passed, so the provider's session counts only while it is this SSO session's
   * login (an SSO session ended, replaced or stepped up asks the engine again).
   */
  ssoLogin(cookieHeader: string | undefined): Promise<{ accountId: string; authTime: number; methods: string[] } | undefined>;
  /**
   * RP-initiated logout was confirmed ("sign out of all applications"): returns where the browser goes instead
   * of `location` (the RP's post_logout_redirect_uri with state, or the signed-out page), so that the SSO
   * session ends and its other participants are told first.
   */
  loggedOut(cookieHeader: string | undefined, location: string): Promise<string>;
  /** HTML pages the provider shows itself: an error, the logout confirmation (form given) and logout success. */
  pages: { error(out: { error: string; error_description?: string }): string; logout(form: string): string; loggedOut(): string };
}

export interface LoginForInteraction {
  accountId: string;
  acr: string;
  amr: string[];
  /** Epoch seconds. */
  authTime: number;
  /** Whether the user is the tenant's admin: only then does a token carry admin scopes it asked for. */
  admin: boolean;
}

/** A live access token, as our APIs need it. */
export interface IssuedToken {
  clientId: string;
  /** The user of a user's token; absent for client credentials. */
  accountId?: string;
  scopes: Set<string>;
  /** When the token's login proved a one-time code (amr otp), epoch seconds. */
  otpAt?: number;
}

export interface PendingInteraction {
  uid: string;
  clientId: string;
  /** The authorization request's parameters (prompt=none included, see PASSIVE). */
  params: Record<string, unknown>;
  returnTo: string;
}

export interface OidcProvider {
  /** Serves a request; `mountPath` is the path prefix the provider's routes sit under (e.g. /t/acme/oauth2). */
  handle(req: IncomingMessage, res: ServerResponse, mountPath: string, path: string, publicHost: string): Promise<void>;
  interaction(uid: string): Promise<PendingInteraction | undefined>;
  /** Records the login (and, for first-party clients, the grant of what was asked) and returns where the browser goes. */
  finish(uid: string, login: LoginForInteraction): Promise<string | undefined>;
  /** Ends the interaction with an OAuth error (login_required, access_denied ...). */
  refuse(uid: string, error: string, description: string): Promise<string | undefined>;
  /** A live access token (a user's, or a client's own) by its value; undefined when unknown, expired or revoked. */
  accessToken(value: string): Promise<IssuedToken | undefined>;
}

type Ctx = KoaContextWithOIDC;

/**
 * prompt=none is the login engine's to answer, not the provider's: the provider would answer login_required
 * from its own session alone (a session made by a SAML login has no provider session, and a step the
 * application needs is not known to it). So an authorization request's prompt=none is moved to this parameter
 * before the provider's checks run; when they ask for a login, the interaction starts the engine passive, which
 * finishes from the SSO session or answers login_required / interaction_required without a page. A client that
 * sends this parameter itself only asks for what prompt=none asks.
 */
const PASSIVE = 'portcullis_passive';

/** The login prompt, with the SSO session consulted and acr_values asking for MFA honoured even with a session. */
function policy(input: ProviderInput) {
  const { Check, base } = interactionPolicy;
  const prompts = base();
  const login = prompts.get('login')!;
  login.checks.remove('no_session');
  login.checks.add(
    new Check('no_session', 'End-User authentication is required', 'login_required', async (ctx: Ctx) => {
      const session = ctx.oidc.session;
      if (!session?.accountId) return Check.REQUEST_PROMPT;
      const sso = await input.ssoLogin(ctx.get('cookie'));
      const current = sso?.accountId === session.accountId && sso.authTime === session.loginTs && (session.amr ?? []).every((m) => m === 'mfa' || sso.methods.includes(m));
      return current ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
    0,
  );
  login.checks.add(
    new Check('acr_values', 'Multi-factor authentication is required', 'login_required', (ctx: Ctx) => {
      const asked = String(ctx.oidc.params?.acr_values ?? '').split(' ');
      return asked.includes(ACR.multiFactor) && ctx.oidc.session?.acr !== ACR.multiFactor ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return prompts;
}

export function buildProvider(input: ProviderInput): OidcProvider {
  const adapter = (model: string): Adapter => {
    if (model !== 'Client') return input.adapter(model);
    const none = async () => undefined;
    return { find: (id) => input.client(id) as Promise<AdapterPayload | undefined>, upsert: none, findByUid: none, findByUserCode: none, consume: none, destroy: none, revokeByGrantId: none };
  };
  const lifetime = (name: 'accessTokenLifetime' | 'idTokenLifetime' | 'refreshTokenLifetime', fallback: number) => (_ctx: Ctx, _token: unknown, client: { [k: string]: unknown }) =>
    typeof client[name] === 'number' ? (client[name] as number) : fallback;
  const provider = new Provider(input.issuer, {
    adapter,
    jwks: input.jwks as never,
    clients: [],
    extraParams: {
      [PASSIVE]: (ctx: Ctx) => {
        const params = ctx.oidc.params as Record<string, unknown>;
        if (params.prompt !== 'none') return;
        params.prompt = undefined;
        params[PASSIVE] = 'true';
      },
    },
    // Our APIs' scopes are known to the provider, so a client gets only those its metadata allows (client.scope).
    scopes: ['openid', 'offline_access', ...input.apiScopes],
    findAccount: async (ctx, sub) => {
      const claims = await input.claims(sub, ctx.oidc.client?.clientId);
      return claims && { accountId: sub, claims: async () => ({ ...claims, sub }) };
    },
    // acr, amr and auth_time ride with openid, so every ID token carries how and when the user signed in.
    claims: { ...input.scopes, openid: [...(input.scopes.openid ?? []), 'acr', 'amr', 'auth_time'] },
    // Scope claims go into the ID token too (not only userinfo), as WSO2 does.
    conformIdTokenClaims: false,
    acrValues: [ACR.singleFactor, ACR.multiFactor],
    cookies: { keys: input.cookieKeys },
    extraClientMetadata: { properties: ['accessTokenLifetime', 'idTokenLifetime', 'refreshTokenLifetime'] },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] } as never,
    features: {
      devInteractions: { enabled: false },
      // A client may introspect and revoke its own tokens only.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = input.pages.logout(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = input.pages.loggedOut();
        },
      },
    },
    // Public clients (no secret) must use PKCE; every client may, and S256 is the only method offered.
    pkce: { required: (_ctx, client) => client.tokenEndpointAuthMethod === 'none' },
    interactions: { policy: policy(input), url: (_ctx, interaction) => input.interactionPath(interaction.uid) },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: lifetime('accessTokenLifetime', 3600) as never,
      IdToken: lifetime('idTokenLifetime', 3600) as never,
      RefreshToken: lifetime('refreshTokenLifetime', 86400) as never,
      ClientCredentials: lifetime('accessTokenLifetime', 3600) as never,
      Interaction: 3600,
      Session: input.sessionTtl,
      Grant: input.sessionTtl,
    },
    routes: { authorization: '/authorize', token: '/token', jwks: '/jwks', userinfo: '/userinfo', revocation: '/revoke', introspection: '/introspect', end_session: '/logout' },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = input.pages.error(out as { error: string; error_description?: string });
    },
  });
  // Client secrets are stored hashed: the provider is given the hash and compares through this.
  provider.Client.prototype.compareClientSecret = function (this: { clientSecret: string }, presented: string) {
    return input.secretMatches(this.clientSecret, presented);
  } as never;
  provider.use(async (ctx, next) => {
    await next();
    // RP-initiated logout, confirmed by a user who was signed in here ("Stay signed in" ends only this
    // client's authorization): the SSO session and its other participants come before the RP's redirect.
    // The provider also signs out on its own when a login brings another account (back to its resume URL): that
    // is no user's logout, and the SSO session, the new account's, stays.
    const location = ctx.response.get('location');
    const resume = ctx.oidc?.route === 'end_session_confirm' && location.startsWith(`${ctx.oidc.urlFor('authorization')}/`);
    if (ctx.oidc?.route === 'end_session_confirm' && ctx.status === 303 && location && !resume && ctx.oidc.params?.logout && ctx.oidc.session?.accountId) {
      ctx.redirect(await input.loggedOut(ctx.get('cookie'), location));
    }
    // Discovery names WSO2's logout path; the provider's own /oauth2/logout answers too.
    if (ctx.oidc?.route === 'discovery' && ctx.body && typeof ctx.body === 'object') (ctx.body as Record<string, unknown>).end_session_endpoint = input.endSessionUrl;
  });
  const callback = provider.callback();

  return {
    async handle(req, res, mountPath, path, publicHost) {
      // The provider builds URLs from the Host header and the mount path; both come from us, not the client.
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = `${mountPath}${path}`;
      req.url = path;
      req.headers.host = publicHost;
      await callback(req, res);
    },
    async interaction(uid) {
      const found = await provider.Interaction.find(uid);
      if (!found) return undefined;
      const { [PASSIVE]: passive, ...params } = found.params;
      return { uid, clientId: String(params.client_id ?? ''), params: passive === 'true' ? { ...params, prompt: 'none' } : params, returnTo: found.returnTo };
    },
    async finish(uid, login) {
      const interaction = await provider.Interaction.find(uid);
      if (!interaction) return undefined;
      // First-party applications: no consent page; what the request asked for is granted.
      const grant = new provider.Grant({ accountId: login.accountId, clientId: String(interaction.params.client_id) });
      const admin = new Set(input.adminScopes);
      const asked = String(interaction.params.scope ?? 'openid').split(' ');
      const denied = login.admin ? [] : asked.filter((scope) => admin.has(scope));
      grant.addOIDCScope(asked.filter((scope) => !denied.includes(scope)).join(' '));
      // Rejected, not missing: the consent prompt would otherwise ask again for what the user may not hold.
      if (denied.length > 0) grant.rejectOIDCScope(denied.join(' '));
      await grant.save();
      interaction.result = { login: { accountId: login.accountId, acr: login.acr, amr: login.amr, ts: login.authTime, remember: true }, consent: { grantId: grant.jti } };
      await interaction.persist();
      return interaction.returnTo;
    },
    async accessToken(value) {
      const token = (await provider.AccessToken.find(value)) ?? (await provider.ClientCredentials.find(value));
      if (!token?.clientId) return undefined;
      const scopes = new Set(String(token.scope ?? '').split(' ').filter(Boolean));
      if (!(token instanceof provider.AccessToken)) return { clientId: token.clientId, scopes };
      // A user's token stands only while its grant does (a revoked grant, e.g. a reused refresh token, ends it).
      const grant = token.grantId ? await provider.Grant.find(token.grantId) : undefined;
      if (!grant || grant.accountId !== token.accountId || grant.clientId !== token.clientId) return undefined;
      const session = token.sessionUid ? await provider.Session.findByUid(token.sessionUid) : undefined;
      const otp = session?.accountId === token.accountId && session.amr?.includes('otp') && typeof session.loginTs === 'number';
      return { clientId: token.clientId, accountId: token.accountId, scopes, ...(otp ? { otpAt: session.loginTs } : {}) };
    },
    async refuse(uid, error, description) {
      const interaction = await provider.Interaction.find(uid);
      if (!interaction) return undefined;
      interaction.result = { error, error_description: description };
      await interaction.persist();
      return interaction.returnTo;
    },
  };
}
