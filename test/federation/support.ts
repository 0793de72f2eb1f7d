// Identity providers for federation tests: WSO2's REST body for an upstream OpenID Connect provider.
import type { TestServer } from '../support/server.ts';

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
