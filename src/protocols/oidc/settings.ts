// An application's OpenID Connect settings, in WSO2's application API shape (inboundProtocolConfiguration.oidc),
// checked strictly like SAML's: an unknown key is an error naming it. The client secret is generated when not
// given, returned once (revealOnce) and stored as its SHA-256 only: it is 256 random bits, so a fast hash is
// enough, and the provider compares through provider.ts's secretMatches. Redirect URIs match exactly.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Application } from '../../applications/application.ts';
import type { InboundProtocol } from '../../applications/application-service.ts';
import { AppError } from '../../errors/app-error.ts';
import { ADMIN_SCOPES } from '../../http/api-scopes.ts';
import { checkUrl } from '../saml/settings.ts';

export const OIDC_PROTOCOL = 'oidc';
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export interface OidcSettings {
  clientId: string;
  /** base64url SHA-256 of the secret; absent for public clients. */
  clientSecretHash?: string;
  callbackURLs: string[];
  grantTypes: GrantType[];
  publicClient: boolean;
  accessToken: { userAccessTokenExpiryInSeconds: number; applicationAccessTokenExpiryInSeconds: number };
  idToken: { expiryInSeconds: number };
  refreshToken: { expiryInSeconds: number; renewRefreshToken: true };
  /**
   * Admin API scopes (WSO2's internal_* names, http/api-scopes.ts) the client may ask for: through client
   * credentials it acts as itself with them; in a user's token they need the user to be the tenant's admin.
   * internal_login (the self-service APIs) needs no listing here.
   */
  authorizedScopes: string[];
}

type Obj = Record<string, unknown>;
const TOP = ['clientId', 'clientSecret', 'clientSecretHash', 'callbackURLs', 'grantTypes', 'publicClient', 'accessToken', 'idToken', 'refreshToken', 'pkce', 'authorizedScopes'];

function fail(description: string): never {
  throw new AppError('APP-40001', { description: `inboundProtocolConfiguration.oidc: ${description}` });
}

function object(value: unknown, path: string, allowed: readonly string[]): Obj {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${path} must be an object.`);
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) fail(`${path ? `${path}.` : ''}${unknown[0]} is not a supported setting (supported: ${allowed.join(', ')}).`);
  return value as Obj;
}

function seconds(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > 31_536_000) fail(`${path} must be a whole number of seconds from 60 to 31536000.`);
  return value;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export function secretMatches(storedHash: string, presented: string): boolean {
  const a = Buffer.from(storedHash);
  const b = Buffer.from(hashSecret(presented));
  return a.length === b.length && timingSafeEqual(a, b);
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{8,128}$/;

function validate(input: unknown, current: OidcSettings | undefined): { settings: OidcSettings; revealOnce?: Record<string, string> } {
  const m = object(input, '', TOP);
  const clientId = m.clientId ?? current?.clientId ?? randomBytes(18).toString('base64url');
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) fail('clientId must be 8 to 128 characters of letters, digits and . _ ~ -.');
  const publicClient = m.publicClient ?? current?.publicClient ?? false;
  if (typeof publicClient !== 'boolean') fail('publicClient must be true or false.');
  const grants = m.grantTypes ?? ['authorization_code', 'refresh_token'];
  if (!Array.isArray(grants) || grants.length === 0 || grants.some((g) => !GRANT_TYPES.includes(g as GrantType))) fail(`grantTypes must be a list of ${GRANT_TYPES.join(', ')}.`);
  const grantTypes = [...new Set(grants as GrantType[])];
  // A client that only uses client credentials redirects nowhere.
  const urls = m.callbackURLs ?? (grantTypes.includes('authorization_code') ? undefined : []);
  if (!Array.isArray(urls) || urls.length > 20 || (urls.length === 0 && grantTypes.includes('authorization_code'))) fail('callbackURLs must list 1 to 20 redirect URIs (matched exactly).');
  const callbackURLs = [...new Set(urls.map((u, i) => checkUrl(u, `callbackURLs[${i}]`, OIDC_PROTOCOL)))];
  const scopes = m.authorizedScopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((x) => typeof x !== 'string')) fail('authorizedScopes must be a list of scope names.');
  const unknownScope = (scopes as string[]).find((x) => !ADMIN_SCOPES.includes(x));
  if (unknownScope !== undefined) fail(`authorizedScopes: ${unknownScope.slice(0, 64)} is not an API scope (known: ${ADMIN_SCOPES.join(', ')}).`);
  const authorizedScopes = [...new Set(scopes as string[])].sort();
  if (publicClient && grantTypes.includes('client_credentials')) fail('a public client cannot use client_credentials.');
  object(m.pkce, 'pkce', ['mandatory', 'supportPlainTransformAlgorithm']);
  const access = object(m.accessToken, 'accessToken', ['userAccessTokenExpiryInSeconds', 'applicationAccessTokenExpiryInSeconds', 'type']);
  const id = object(m.idToken, 'idToken', ['expiryInSeconds']);
  const refresh = object(m.refreshToken, 'refreshToken', ['expiryInSeconds', 'renewRefreshToken']);
  if (refresh.renewRefreshToken === false) fail('refreshToken.renewRefreshToken cannot be false: refresh tokens always rotate.');
  const settings: OidcSettings = {
    clientId,
    callbackURLs,
    grantTypes,
    publicClient,
    accessToken: {
      userAccessTokenExpiryInSeconds: seconds(access.userAccessTokenExpiryInSeconds, 'accessToken.userAccessTokenExpiryInSeconds', 3600),
      applicationAccessTokenExpiryInSeconds: seconds(access.applicationAccessTokenExpiryInSeconds, 'accessToken.applicationAccessTokenExpiryInSeconds', 3600),
    },
    idToken: { expiryInSeconds: seconds(id.expiryInSeconds, 'idToken.expiryInSeconds', 3600) },
    refreshToken: { expiryInSeconds: seconds(refresh.expiryInSeconds, 'refreshToken.expiryInSeconds', 86400), renewRefreshToken: true },
    authorizedScopes,
  };
  if (publicClient) return { settings };
  if (typeof m.clientSecret === 'string') {
    if (m.clientSecret.length < 32 || m.clientSecret.length > 256) fail('clientSecret must be 32 to 256 characters (or leave it out to have one generated).');
    return { settings: { ...settings, clientSecretHash: hashSecret(m.clientSecret) } };
  }
  if (m.clientSecret !== undefined) fail('clientSecret must be a string.');
  const kept = typeof m.clientSecretHash === 'string' ? m.clientSecretHash : current?.clientId === clientId ? current.clientSecretHash : undefined;
  if (kept) return { settings: { ...settings, clientSecretHash: kept } };
  const secret = randomBytes(32).toString('base64url');
  return { settings: { ...settings, clientSecretHash: hashSecret(secret) }, revealOnce: { clientSecret: secret } };
}

export const oidcInboundProtocol: InboundProtocol = {
  protocol: OIDC_PROTOCOL,
  async validate(input: unknown, _tenant, current?: unknown) {
    const { settings, revealOnce } = validate(input, current as OidcSettings | undefined);
    return { settings, identifiers: [settings.clientId], ...(revealOnce ? { revealOnce } : {}) };
  },
  publicView(stored: unknown) {
    const { clientSecretHash: _hidden, ...rest } = stored as OidcSettings;
    return rest;
  },
};

/** The stored (validated) settings of an application, or undefined when it does not speak OIDC. */
export function oidcSettingsOf(app: Application): OidcSettings | undefined {
  const stored = app.inboundProtocols[OIDC_PROTOCOL] as (Omit<OidcSettings, 'authorizedScopes'> & { authorizedScopes?: string[] }) | undefined;
  // Settings stored before authorizedScopes existed authorize no admin scope.
  return stored && { ...stored, authorizedScopes: stored.authorizedScopes ?? [] };
}
