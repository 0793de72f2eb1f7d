// An upstream OpenID Connect provider as an authenticator (WSO2's OpenIDConnectAuthenticator): each sequence
// option names the identity provider, e.g. {idp: "Corp", authenticator: "OpenIDConnectAuthenticator"}, and the
// chooser shows "Sign in with Corp". Through openid-client: discovery (cached), authorization code with PKCE
// (S256, RFC 7636), state bound to this login (its sessionDataKey plus a random part, as WSO2's
// "sessionDataKey,OIDC"), nonce, ID token validation (issuer, audience, signature, expiry; OIDC Core 3.1.3.7),
// the RFC 9207 `iss` response parameter when the provider sends it, and userinfo with the subject checked
// (OIDC Core 5.3.2). The browser comes back to /commonauth (or /t/{tenant}/commonauth) with code and state.
// The upstream account's attributes are mapped to local claims; the local user is found later (TOTP's
// `usecase`, the link, or JIT provisioning: identity-providers/federated-users.ts), or here when the provider
// provisions after asking the user for a local user name and password.
import { randomBytes } from 'node:crypto';
import type { Configuration, CustomFetch } from 'openid-client';
import { BoundedCache } from '../../cache/bounded-cache.ts';
import type { FederatedUsers } from '../../identity-providers/federated-users.ts';
import { AUTHENTICATOR_OF_TYPE, federatedIdentityOf, type FederatedIdentity, type IdentityProvider } from '../../identity-providers/identity-provider.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Clock } from '../../time/clock.ts';
import type { Authenticator, FormFields, StepContext, StepOutcome } from '../authenticator.ts';
import { federatedOutcome } from '../federation/jit-prompt.ts';
import { providerNamed, upstreamAuthenticator, type EnabledProviders } from '../federation/upstream-authenticator.ts';

/** fetch for upstream calls (http/outbound-fetch.ts): private addresses refused unless allowed, extra CAs. */
export type UpstreamFetch = (url: string, init: { method?: string; headers?: unknown; body?: unknown }) => Promise<Response>;

export interface OidcFederationDeps {
  idps: EnabledProviders;
  federatedUsers: FederatedUsers;
  fetch: UpstreamFetch;
  /** The absolute /commonauth URL of a tenant (the redirect URI registered at the upstream provider). */
  callbackUrl(tenant: Tenant): string;
  clock: Clock;
}

interface Pending {
  expectedState?: string;
  verifier?: string;
  nonce?: string;
  /** With JIT "prompt": the upstream account waiting for the user's local user name and password. */
  prompt?: FederatedIdentity;
}

/** Protocol claims of the ID token that are not attributes of the account. */
const PROTOCOL_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'azp', 'at_hash', 'c_hash', 's_hash', 'auth_time', 'acr', 'amr', 'sid', 'jti']);

// Loaded by the first login through an OpenID Connect identity provider (with oauth4webapi), not at start.
const openidClient = () => import('openid-client');

const fail = (reason: string): StepOutcome => ({ kind: 'fail', failure: { reason } });

export function createOidcFederatedAuthenticator(deps: OidcFederationDeps): Authenticator {
  // Discovery is cached per provider version; a changed provider (updatedAt) is discovered again.
  const configs = new BoundedCache<string, Configuration>({ max: 1000, ttlMs: 10 * 60_000, clock: deps.clock });
  const configOf = (idp: IdentityProvider) =>
    configs.get(`${idp.id}:${idp.updatedAt}`, async () => {
      const o = idp.settings.oidc!;
      const client = await openidClient();
      const fetch = deps.fetch as unknown as CustomFetch;
      const config = await client.discovery(new URL(o.issuer), o.clientId, undefined, client.ClientSecretBasic(idp.secrets.clientSecret ?? ''), { [client.customFetch]: fetch });
      config[client.customFetch] = fetch;
      // The ID token's signature is checked against the upstream's JWKS too. openid-client skips it for a token
      // from the token endpoint (OIDC Core 3.1.3.7 item 6 lets TLS stand in for it); checking it costs one cached
      // JWKS fetch and refuses a token a compromised or misbehaving endpoint did not sign with the upstream's key.
      client.enableNonRepudiationChecks(config);
      return config;
    });

  const providerOf = (ctx: StepContext) => providerNamed(deps.idps, ctx, 'oidc');

  async function begin(ctx: StepContext): Promise<StepOutcome> {
    const idp = await providerOf(ctx);
    if (!idp) return fail('federation.idp.unavailable');
    let config: Configuration;
    try {
      config = await configOf(idp);
    } catch {
      return fail('federation.idp.unreachable');
    }
    const client = await openidClient();
    const state = ctx.state as Pending;
    state.verifier = client.randomPKCECodeVerifier();
    state.expectedState = `${ctx.contextId}.${randomBytes(16).toString('base64url')}`;
    state.nonce = client.randomNonce();
    delete state.prompt;
    const location = client.buildAuthorizationUrl(config, {
      redirect_uri: deps.callbackUrl(ctx.tenant),
      scope: idp.settings.oidc!.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(state.verifier),
      code_challenge_method: 'S256',
      state: state.expectedState,
      nonce: state.nonce,
    });
    return { kind: 'redirect', location: location.href };
  }

  async function callback(ctx: StepContext, form: FormFields): Promise<StepOutcome> {
    const state = ctx.state as Pending;
    const { expectedState, verifier, nonce } = state;
    // One use: a replayed callback finds nothing to check against.
    delete state.expectedState;
    delete state.verifier;
    delete state.nonce;
    if (!expectedState || !verifier || !nonce || form.state !== expectedState) return fail('federation.state.mismatch');
    if (form.error !== undefined) return fail('federation.upstream.refused');
    const idp = await providerOf(ctx);
    if (!idp) return fail('federation.idp.unavailable');
    const redirect = deps.callbackUrl(ctx.tenant);
    const current = new URL(redirect);
    for (const k of ['code', 'state', 'iss', 'session_state']) if (form[k] !== undefined) current.searchParams.set(k, form[k]!);
    let identity: FederatedIdentity;
    try {
      const config = await configOf(idp);
      const client = await openidClient();
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: verifier, expectedState, expectedNonce: nonce, idTokenExpected: true }, { redirect_uri: redirect });
      const claims = tokens.claims()!;
      let info: Record<string, unknown> = {};
      if (config.serverMetadata().userinfo_endpoint) info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      const attributes = Object.fromEntries(Object.entries({ ...claims, ...info }).filter(([k]) => !PROTOCOL_CLAIMS.has(k)));
      identity = federatedIdentityOf(idp, claims.sub, attributes);
    } catch {
      // Which check failed (issuer, audience, signature, nonce, PKCE) is for the upstream's logs, not the page.
      return fail('federation.upstream.invalid');
    }
    return federatedOutcome(ctx, idp, identity, deps.federatedUsers);
  }

  return upstreamAuthenticator({
    name: AUTHENTICATOR_OF_TYPE.oidc,
    alias: 'oidc',
    displayName: 'OpenID Connect',
    federatedUsers: deps.federatedUsers,
    providerOf,
    begin,
    isAnswer: (form) => form.state !== undefined && (form.code !== undefined || form.error !== undefined),
    answer: callback,
  });
}
