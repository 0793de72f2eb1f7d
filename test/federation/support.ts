// Identity providers for federation tests: WSO2's REST body for an upstream OpenID Connect provider.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { Clock } from '../../src/time/clock.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { LoginBrowser, sessionDataKey, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { csrfOf } from '../myaccount/support.ts';

export const IDP_BASE = '/api/server/v1/identity-providers';
export const OIDC_AUTHENTICATOR_ID = Buffer.from('OpenIDConnectAuthenticator').toString('base64url');

export interface OidcIdpOptions {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  jit?: 'off' | 'on' | 'prompt';
  userstore?: string;
  userIdClaim?: string;
  mappings?: [string, string][];
}

export function oidcIdpBody(o: OidcIdpOptions): Record<string, unknown> {
  return {
    name: o.name,
    description: 'upstream',
    isEnabled: true,
    claims: { userIdClaim: { uri: o.userIdClaim ?? '' }, mappings: (o.mappings ?? []).map(([idpClaim, uri]) => ({ idpClaim, localClaim: { uri } })) },
    federatedAuthenticators: {
      defaultAuthenticatorId: OIDC_AUTHENTICATOR_ID,
      authenticators: [
        {
          authenticatorId: OIDC_AUTHENTICATOR_ID,
          isEnabled: true,
          properties: [
            { key: 'ClientId', value: o.clientId },
            ...(o.clientSecret === undefined ? [] : [{ key: 'ClientSecret', value: o.clientSecret }]),
            { key: 'Issuer', value: o.issuer },
          ],
        },
      ],
    },
    provisioning: { jit: { isEnabled: (o.jit ?? 'off') !== 'off', scheme: o.jit === 'prompt' ? 'PROMPT_USERNAME_PASSWORD_CONSENT' : 'PROVISION_SILENTLY', userstore: o.userstore ?? 'PRIMARY' } },
  };
}

export async function adminCall(server: TestServer, method: string, path: string, body?: unknown, auth: [string, string] = ['admin', 'admin']) {
  return server.client().request(path, { method, auth, ...(body === undefined ? {} : { json: body }) });
}


export const HOME = 'home.test';
export const CORP = 'corp.test';
export const BOSS: [string, string] = ['boss', 'a long password'];

/**
 * One server, two tenants: corp.test is the upstream provider, home.test the tenant users come to. The server
 * trusts its own self-signed certificate for upstream calls and may call itself on loopback. With `logs`, warnings
 * are kept there (why an upstream answer was refused is logged, never shown), so a test can check the reason.
 */
export async function startFederationServer(options: { clock?: Clock; logs?: string[] } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcs-fed-'));
  const logs = options.logs;
  const server = await startTestServer({
    dataDir,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(logs ? { logStream: { write: (line: string) => void logs.push(line) } } : {}),
    toml: `${logs ? '[logging]\nlevel = "warn"\n' : ''}[federation]\nallow_private_upstreams = true\ntrusted_ca_file = ${JSON.stringify(join(dataDir, 'tls', 'server.crt'))}\n`,
  });
  await provisionTenant(server, HOME);
  await provisionTenant(server, CORP);
  const close = server.close;
  return { ...server, close: async () => { await close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

/** An OIDC client at corp.test whose redirect URI is home.test's /commonauth; returns its id and secret. */
export async function upstreamClient(server: TestServer): Promise<{ clientId: string; clientSecret: string; application: Application }> {
  const created = await server.services.applicationService.create(await tenantOf(server, CORP), {
    name: `home-${uniqueSuffix()}`,
    authenticationSequence: sequenceOf([['basic']]),
    claimConfiguration: { requestedClaims: [CLAIMS.email, CLAIMS.givenName, CLAIMS.username, CLAIMS.nickname].map((uri) => ({ claim: { uri }, mandatory: false })) },
    inboundProtocolConfiguration: { oidc: { callbackURLs: [`${server.url}/t/${HOME}/commonauth`], publicClient: false } },
  });
  const oidc = created.inboundProtocols.oidc as { clientId: string };
  return { clientId: oidc.clientId, clientSecret: created.revealOnce!.oidc!.clientSecret!, application: created };
}

/** An identity provider "name" at home.test for that client, through the API as home.test's admin. */
export async function homeIdp(server: TestServer, name: string, client: { clientId: string; clientSecret: string }, options: Partial<OidcIdpOptions> = {}): Promise<string> {
  const body = oidcIdpBody({
    name,
    issuer: `${server.url}/t/${CORP}/oauth2/token`,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    userIdClaim: 'preferred_username',
    mappings: [
      ['email', CLAIMS.email],
      ['given_name', CLAIMS.givenName],
      ['nickname', CLAIMS.nickname],
    ],
    ...options,
  });
  const res = await adminCall(server, 'POST', `/t/${HOME}${IDP_BASE}`, body, BOSS);
  if (res.status !== 201) throw new Error(res.text);
  return res.json<{ id: string }>().id;
}

/**
 * Signs in at the upstream tenant in a browser of its own (its own cookies, as a real upstream on another host
 * has), starting from the authorization URL home.test redirected to; returns the callback URL to home.test.
 * (One server serves both tenants here and cookies are not kept per tenant, so sharing the browser would replace
 * the user's home.test session with the upstream one.)
 */
export async function upstreamCallback(server: TestServer, authorizeUrl: string, username: string, password: string): Promise<URL> {
  const upstream = new LoginBrowser(server.client());
  const start = new URL(authorizeUrl, server.url);
  const login = await upstream.open(start.pathname + start.search);
  if (login.name !== 'login.do') throw new Error(`expected the upstream login page, got ${login.url}`);
  const form = /<form[^>]*action="([^"]*)"/.exec(login.html)!;
  const key = sessionDataKey(login);
  let res = await upstream.client.post(form[1]!.replace(/&amp;/g, '&'), { form: { sessionDataKey: key, username, password } });
  for (let i = 0; i < 10 && res.location && !res.location.includes(`/t/${HOME}/commonauth`); i++) {
    const next = new URL(res.location, server.url);
    res = await upstream.client.get(next.pathname + next.search);
  }
  if (!res.location) throw new Error(`not redirected back: ${res.status} ${res.text.slice(0, 300)}`);
  return new URL(res.location, server.url);
}

/** My Account's security page of home.test, where an upstream account is linked. */
export const SECURITY = `/t/${HOME}/myaccount/security`;

/** Presses "Link your account at <idp>" on the security page; returns the redirect it answers with (not followed). */
export async function pressLink(browser: LoginBrowser, page: Page, idp: string) {
  const form = [...page.html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)].find((f) => f[2]!.includes(`Link your account at ${idp}<`));
  if (!form) throw new Error(`no "Link your account at ${idp}" button on ${page.url}`);
  const idpId = /name="idp" value="([^"]+)"/.exec(form[2]!)![1]!;
  return browser.client.post(form[1]!, { form: { csrf: csrfOf(page), idp: idpId } });
}
