// openid-client as the relying party against the test server: over HTTPS, trusting the server's own certificate
// (a custom fetch on node:https), with OIDC applications created through the application service.
import { request as httpsRequest } from 'node:https';
import * as client from 'openid-client';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { SAML } from '@node-saml/node-saml';
import { samlApp, samlLogin, serviceProvider, type IdpInfo } from '../saml/support.ts';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';

export const REDIRECT = 'https://rp.example/callback';

/** fetch over node:https with the server's certificate as the only CA. */
export function fetchTrusting(ca: string): client.CustomFetch {
  return (url, options) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method: options.method, headers: options.headers as Record<string, string>, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const one of [v ?? []].flat()) headers.append(k, one);
          const status = res.statusCode ?? 500;
          resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (options.body !== undefined && options.body !== null) req.write(options.body instanceof URLSearchParams ? options.body.toString() : (options.body as string));
      req.end();
    });
}

export interface OidcApp {
  application: Application;
  clientId: string;
  clientSecret?: string;
}

/** An OIDC application with these steps; a confidential client unless `publicClient`. */
export async function oidcApp(
  server: TestServer,
  options: { steps?: string[][]; publicClient?: boolean; tenant?: string; grantTypes?: string[]; authorizedScopes?: string[] } = {},
): Promise<OidcApp> {
  const tenant = await tenantOf(server, options.tenant);
  const created = await server.services.applicationService.create(tenant, {
    name: `oidc-${uniqueSuffix()}`,
    authenticationSequence: sequenceOf(options.steps ?? [['basic'], ['totp']]),
    claimConfiguration: { requestedClaims: [{ claim: { uri: CLAIMS.email }, mandatory: false }, { claim: { uri: CLAIMS.givenName }, mandatory: false }] },
    inboundProtocolConfiguration: { oidc: { callbackURLs: [REDIRECT], publicClient: options.publicClient ?? false, ...(options.grantTypes ? { grantTypes: options.grantTypes } : {}), ...(options.authorizedScopes ? { authorizedScopes: options.authorizedScopes } : {}) } },
  });
  const oidc = created.inboundProtocols.oidc as { clientId: string };
  const secret = created.revealOnce?.oidc?.clientSecret;
  return { application: created, clientId: oidc.clientId, ...(secret ? { clientSecret: secret } : {}) };
}

export function issuerOf(server: TestServer, tenant?: string): URL {
  return new URL(`${server.url}${tenant ? `/t/${tenant}` : ''}/oauth2/token`);
}

/** The relying party's configuration from discovery (at {issuer}/.well-known/openid-configuration). */
export async function discover(server: TestServer, app: OidcApp, tenant?: string): Promise<client.Configuration> {
  const auth = app.clientSecret ? client.ClientSecretBasic(app.clientSecret) : client.None();
  return client.discovery(issuerOf(server, tenant), app.clientId, undefined, auth, { [client.customFetch]: fetchTrusting(server.certificate) });
}

export interface Authorization {
  url: URL;
  verifier: string;
  state: string;
}

export async function authorizationUrl(config: client.Configuration, extra: Record<string, string> = {}): Promise<Authorization> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  return { url, verifier, state };
}

/** Opens an authorization URL in the browser (its path on our server) and follows it to the first page. */
export function openAuthorization(browser: LoginBrowser, url: URL): Promise<Page> {
  return browser.open(url.pathname + url.search);
}

/** Exchanges the code the browser came back with. */
export function redeem(config: client.Configuration, page: Page, auth: Authorization): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  if (!page.url.startsWith(REDIRECT)) throw new Error(`not back at the client: ${page.name} ${page.url}\n${page.html.slice(0, 500)}`);
  return client.authorizationCodeGrant(config, new URL(page.url), { pkceCodeVerifier: auth.verifier, expectedState: auth.state });
}

/**
 * A new user signed in at a SAML SP of the super tenant (password only), and an OIDC relying party whose
 * login has the same single step: what the cross-front tests start from.
 */
export async function samlThenOidc(server: TestServer, idp: IdpInfo): Promise<{ sp: SAML; config: client.Configuration; user: Awaited<ReturnType<typeof createUser>>; browser: LoginBrowser }> {
  const sp = serviceProvider(server, await samlApp(server), idp);
  const config = await discover(server, await oidcApp(server, { steps: [['basic']] }));
  const user = await createUser(server);
  const browser = new LoginBrowser(server.client());
  await samlLogin(browser, sp, user);
  return { sp, config, user, browser };
}
