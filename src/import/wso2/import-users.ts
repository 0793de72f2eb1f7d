// Users of the WSO2 JDBC (PRIMARY) store: the account with its password hash as WSO2 stored it (verified in WSO2's
// format by PasswordHasher until the first login here replaces it with argon2id), its claims mapped through the
// tenant's claim dialect, and its TOTP secret. A user of the same name already here (not from this import) is left
// alone, with its claims and secret: merging two people's accounts is not a guess to make.
import { AppError } from '../../errors/app-error.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { isValidUsername } from '../../users/qualified-name.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { isSupportedDigest, isSupportedPrf, wso2DigestHash, wso2Pbkdf2Hash } from '../../users/wso2-password-hash.ts';
import { decryptWso2, Wso2CipherError } from './cipher.ts';
import type { SecretParameters } from './import-totp-settings.ts';
import { importRequest, type ImportContext } from './importer.ts';
import { readAttributes, readClaimMapping, readIdentityData, readUsers, SECRET_CLAIM, SUPER_TENANT_DOMAIN, type Wso2Tenant, type Wso2User } from './read.ts';

/** The JDBC store's PasswordDigest and, for PBKDF2, its Hash.Algorithm.Properties (not stored per user by WSO2). */
export interface PasswordScheme {
  /** SHA-256 (the default), SHA-1, SHA-512, MD5, PLAIN_TEXT or PBKDF2. */
  digest: string;
  pbkdf2: { prf: string; iterations: number; keyBytes: number };
}

export const DEFAULT_PASSWORD_SCHEME: PasswordScheme = { digest: 'SHA-256', pbkdf2: { prf: 'PBKDF2WithHmacSHA256', iterations: 10000, keyBytes: 32 } };

const I = 'http://wso2.org/claims/identity/';
/** Identity claims carried over as the account's state; the rest of WSO2's identity data is its own bookkeeping. */
const CARRIED_IDENTITY = new Set([`${I}accountLocked`, `${I}accountDisabled`]);
const TOTP_STATE = new Set([SECRET_CLAIM, `${I}verifySecretkey`, `${I}totpEnabled`]);

export async function importUsers(ctx: ImportContext, source: Wso2Tenant, tenant: Tenant, secrets: SecretParameters): Promise<void> {
  const { source: shared, identity: identityDb } = ctx.options;
  const mapping = await readClaimMapping(shared, identityDb, source.id);
  const attributes = await readAttributes(shared, source.id);
  const identity = await readIdentityData(identityDb, source.id);
  for (const wso2 of await readUsers(shared, source.id)) {
    const name = source.domain === SUPER_TENANT_DOMAIN ? wso2.username : `${wso2.username}@${source.domain}`;
    const claims = new Map<string, string>();
    for (const [attribute, value] of attributes.get(wso2.id) ?? []) {
      const uri = mapping.get(attribute);
      if (uri) claims.set(uri, value);
      else ctx.report.skipped('claims', `the attribute "${attribute}" has no claim in the tenant's dialect`, name);
    }
    for (const [uri, value] of identity.get(wso2.username.toLowerCase()) ?? []) claims.set(uri, value);
    const secret = claims.get(SECRET_CLAIM) ?? '';
    const user = await importAccount(ctx, tenant, wso2, name, claims);
    if (user && secret !== '') await importSecret(ctx, source, tenant, user, name, secret, secrets);
  }
}

/** The user here: created now, or found from an earlier run; undefined when skipped. */
async function importAccount(ctx: ImportContext, tenant: Tenant, wso2: Wso2User, name: string, claims: Map<string, string>): Promise<UserRecord | undefined> {
  const { services, origins, report } = ctx;
  const earlier = await origins.find('user', tenant.id, wso2.id);
  if (earlier) {
    const user = await services.users.findById(tenant, earlier);
    if (!user) {
      report.skipped('users', 'imported by an earlier run and deleted here since; not brought back', name);
      return undefined;
    }
    report.already('users');
    // A user who has not signed in yet still has the hash as the earlier run read it: this run's reading (say, a
    // corrected --password-digest) replaces it. A user who has signed in has argon2id and is left alone.
    const hash = storedHash(ctx.options.password, wso2);
    if ('hash' in hash && (await services.users.replaceUnusedImportedHash(user, hash.hash))) {
      report.note('users', 'not signed in here yet: the password hash was read again with this run\'s password digest', name);
    }
    return user;
  }
  if (!isValidUsername(wso2.username)) {
    report.skipped('users', 'the user name is not one this server accepts', name);
    return undefined;
  }
  if (await services.users.find(tenant, `PRIMARY/${wso2.username}`)) {
    report.skipped('users', 'a user of this name already exists here (not from this import); left as it is, with its claims and TOTP', name);
    return undefined;
  }
  const hash = storedHash(ctx.options.password, wso2);
  if ('skip' in hash) {
    report.skipped('users', hash.skip, name);
    return undefined;
  }
  let user: UserRecord;
  try {
    user = 'plain' in hash
      ? await services.users.create(tenant, { username: `PRIMARY/${wso2.username}`, password: hash.plain }, { enforcePolicy: false })
      : await services.users.importUser(tenant, { username: wso2.username, passwordHash: hash.hash });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    report.skipped('users', `refused here: ${err.description}`, name);
    return undefined;
  }
  await origins.record('user', tenant.id, wso2.id, user.id);
  report.imported('users');
  await importClaims(ctx, user, name, claims);
  return user;
}

function storedHash(scheme: PasswordScheme, wso2: Wso2User): { hash: string } | { plain: string } | { skip: string } {
  if (wso2.password === '') return { skip: 'no password is stored for the user' };
  const digest = scheme.digest.toUpperCase() === 'PBKDF2' ? 'PBKDF2' : scheme.digest;
  if (digest === 'PLAIN_TEXT') return { plain: wso2.password };
  if (digest === 'PBKDF2') {
    const { prf, iterations, keyBytes } = scheme.pbkdf2;
    if (!isSupportedPrf(prf)) return { skip: `the PBKDF2 function ${prf} is not supported` };
    return { hash: wso2Pbkdf2Hash(prf, iterations, keyBytes, wso2.salt, wso2.password) };
  }
  if (!isSupportedDigest(digest)) return { skip: `the password digest ${digest} is not supported` };
  return { hash: wso2DigestHash(digest, wso2.salt, wso2.password) };
}

/** Each claim on its own, so one refused value (a read-only claim, a bad format) never loses the others. */
async function importClaims(ctx: ImportContext, user: UserRecord, name: string, claims: Map<string, string>): Promise<void> {
  const { services, report } = ctx;
  for (const [uri, value] of claims) {
    if (TOTP_STATE.has(uri)) continue;
    if (uri.startsWith(I) && !CARRIED_IDENTITY.has(uri)) {
      report.skipped('claims', `${uri}: WSO2's own bookkeeping (counters, times, state this server keeps itself); not carried over`, name);
      continue;
    }
    if (value === '') continue;
    // A lock with an unlock time is WSO2's lock for failed attempts; carried over it would never expire here.
    if (uri === `${I}accountLocked` && value.toLowerCase() === 'true' && Number(claims.get(`${I}unlockTime`) ?? 0) > 0) {
      report.skipped('claims', `${uri}: a timed lock (failed attempts) is not carried over`, name);
      continue;
    }
    try {
      await services.claimValues.set(user, { [uri]: value });
      report.imported('claims');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      report.skipped('claims', `${uri}: ${err.description}`, name);
    }
  }
}

async function importSecret(ctx: ImportContext, source: Wso2Tenant, tenant: Tenant, user: UserRecord, name: string, stored: string, parameters: SecretParameters): Promise<void> {
  const { services, origins, report, options } = ctx;
  if (await origins.find('totp', tenant.id, user.id)) return report.already('totp secrets');
  if ((await services.credentials.totp.status(user)).enrolled) {
    return report.skipped('totp secrets', 'the user already has TOTP set up here; kept', name);
  }
  // [encryption] totpKey encrypts the super tenant's TOTP secrets only (TOTPUtil, IS 7.0+); try it first there.
  const aes = source.domain === SUPER_TENANT_DOMAIN ? [...options.totpKeys, ...options.keys.aes] : options.keys.aes;
  let secret: string;
  try {
    secret = decryptWso2(stored, { aes, rsa: options.keys.rsa }).toString('utf8');
  } catch (err) {
    if (!(err instanceof Wso2CipherError)) throw err;
    return report.skipped('totp secrets', `cannot decrypt: ${err.message}`, name);
  }
  try {
    // WSO2's TOTP is HMAC-SHA1 with 6 digits; the encoding and period are the tenant's (registry or file).
    await services.userAdmin.importTotp(importRequest(tenant), user, { secret, encoding: parameters.encoding, algorithm: 'SHA1', digits: 6, period: parameters.period });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return report.skipped('totp secrets', `refused here: ${err.description}`, name);
  }
  await origins.record('totp', tenant.id, user.id, user.id);
  report.imported('totp secrets');
}
