// Users, tenants and application sequences for flow tests, made through the server's own services.
import { randomBytes } from 'node:crypto';
import { sequenceOf } from '../../src/applications/application.ts';
import { CLAIMS, ENCRYPTED_CLAIMS } from '../../src/claims/local-claims.ts';
import { SecretClaimReader } from '../../src/claims/secret-claims.ts';
import type { Tenant } from '../../src/tenants/tenant-service.ts';
import type { UserRecord } from '../../src/users/user-store.ts';
import type { TestServer } from './server.ts';

export async function tenantOf(server: TestServer, domain = 'carbon.super'): Promise<Tenant> {
  return server.services.tenants.requireActive(domain);
}

/** A new user with a unique name (so replay state never leaks between tests). */
export async function createUser(
  server: TestServer,
  options: { tenant?: string; prefix?: string; password?: string; email?: string; givenName?: string } = {},
): Promise<{ user: UserRecord; username: string; password: string }> {
  const tenant = await tenantOf(server, options.tenant);
  const username = `${options.prefix ?? 'user'}-${randomBytes(4).toString('hex')}`;
  const password = options.password ?? 'correct horse battery';
  const user = await server.services.users.create(tenant, { username, password });
  const claims: Record<string, string> = {};
  if (options.email) claims[CLAIMS.email] = options.email;
  if (options.givenName) claims[CLAIMS.givenName] = options.givenName;
  if (Object.keys(claims).length > 0) await server.services.claimValues.set(user, claims);
  return { user, username, password };
}

/** Sets the My Account application's steps, e.g. [['BasicAuthenticator'], ['totp']]. */
export async function setMyAccountSteps(server: TestServer, steps: string[][], tenantDomain = 'carbon.super'): Promise<void> {
  const tenant = await tenantOf(server, tenantDomain);
  const app = await server.services.applications.ensureMyAccount(tenant.id);
  await server.services.applicationService.update(tenant, app, { authenticationSequence: sequenceOf(steps) });
}

/** Sets the tenant's TOTP parameters (over the file's), as the configs API does. */
export async function setTotpParams(server: TestServer, values: Record<string, unknown>, tenantDomain = 'carbon.super'): Promise<void> {
  await server.services.totpSettings.setOverrides(await tenantOf(server, tenantDomain), values);
}

/** A claim's value as stored; the TOTP secrets decrypted as only their authenticator reads them. */
export async function claimOf(server: TestServer, user: UserRecord, uri: string): Promise<string | undefined> {
  if (ENCRYPTED_CLAIMS.has(uri)) return (await new SecretClaimReader(server.services.storage.db, server.services.keyring, server.services.users).read(user, [uri]))[uri];
  return server.services.claimValues.getOne(user, uri);
}

export function uniqueSuffix(): string {
  return randomBytes(3).toString('hex');
}
