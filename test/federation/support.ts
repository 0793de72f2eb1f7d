// Identity providers for federation tests: WSO2's REST body for an upstream OpenID Connect provider.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

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
 * trusts its own self-signed certificate for upstream calls and may call itself on loopback.
 */
export async function startFederationServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcs-fed-'));
  const server = await startTestServer({ dataDir, toml: `[federation]\nallow_private_upstreams = true\ntrusted_ca_file = ${JSON.stringify(join(dataDir, 'tls', 'server.crt'))}\n` });
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
