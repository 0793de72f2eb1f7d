// Reading and writing a user's claim values: the one way the rest of the server touches them.
// Each claim is stored where it belongs: ordinary claims as attributes of the user's store (through the
// claim's attribute mapping), identity claims in the identity-data table (the TOTP secrets encrypted, bound to
// user and claim), and lock counters in typed columns so they change atomically. It encrypts secrets when
// writing them but never decrypts: only the TOTP credentials layer (credentials/totp/) reads them in clear.
// secretkey, verifySecretkey and encoding are views of the TOTP credential rows (totp-credential-claims.ts).
import type { Kysely } from 'kysely';
import type { Keyring } from '../crypto/keyring.ts';
import { AppError } from '../errors/app-error.ts';
import type { Database } from '../storage/schema.ts';
import type { SecurityPatch, SecurityState, SecurityStateStore } from '../users/security-state.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { UserService } from '../users/user-service.ts';
import type { ClaimMetadataStore, LocalClaim } from './claim-metadata.ts';
import { matchesClaimPattern } from './claim-pattern.ts';
import { isReleasable, isSecretClaim, type ClaimAudience } from './claim-read-policy.ts';
import { CLAIMS, ENCRYPTED_CLAIMS, isIdentityClaim } from './local-claims.ts';
import { secretAad } from './secret-claims.ts';
import { CREDENTIAL_CLAIMS, readCredentialClaims, writeCredentialClaims } from './totp-credential-claims.ts';

export type ClaimValues = Record<string, string>;

/** Claims read from the user record itself. */
const RECORD_CLAIMS: Record<string, (u: UserRecord) => string> = {
  [CLAIMS.username]: (u) => u.username,
  [CLAIMS.userId]: (u) => u.id,
  [CLAIMS.created]: (u) => new Date(u.createdAt).toISOString(),
  [CLAIMS.modified]: (u) => new Date(u.updatedAt).toISOString(),
};

/** Claims backed by the security-state columns, as WSO2 writes their values. */
const SECURITY_CLAIMS: Record<string, { read: (s: SecurityState) => string | undefined; write?: (v: string | null) => SecurityPatch | undefined }> = {
  [CLAIMS.failedTotpAttempts]: { read: (s) => String(s.failedTotpAttempts) },
  [CLAIMS.failedLoginAttempts]: { read: (s) => String(s.failedLoginAttempts) },
  [CLAIMS.failedLoginLockoutCount]: { read: (s) => String(s.lockoutCount) },
  [CLAIMS.lockedReason]: { read: (s) => s.lockedReason ?? undefined },
  [CLAIMS.unlockTime]: { read: (s) => (s.unlockTime === null ? undefined : String(s.unlockTime)) },
  [CLAIMS.usedTotpTimeWindows]: { read: (s) => JSON.stringify(s.lastTotpStep === null ? [] : [s.lastTotpStep]) },
  // Absent (or removed) reads as enabled, as WSO2 treats a missing accountDisabled claim.
  [CLAIMS.accountDisabled]: { read: (s) => (s.accountDisabled ? 'true' : undefined), write: (v) => ({ accountDisabled: v !== null && parseBoolean(v) }) },
  [CLAIMS.accountLocked]: {
    read: (s) => String(s.accountLocked),
    // An admin unlocking an account also clears the counters and the reason, as WSO2's account-lock handler does.
    write: (v) =>
      v === null
        ? undefined
        : parseBoolean(v)
        ? { accountLocked: true, lockedReason: 'AdminInitiated', unlockTime: null }
        : { accountLocked: false, lockedReason: null, unlockTime: null, failedLoginAttempts: 0, failedTotpAttempts: 0 },
  },
};

function parseBoolean(v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new AppError('CLM-40001', { description: 'The value must be true or false.' });
}

export interface SetOptions {
  /** APIs acting for an admin or user may not write read-only claims; the server itself may. */
  enforceReadOnly?: boolean;
}

export class ClaimValueService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly metadata: ClaimMetadataStore,
    private readonly users: UserService,
    private readonly security: SecurityStateStore,
    private readonly keyring: Keyring,
  ) {}

  /**
   * Values of the given claims (all defined claims when omitted), for the server's own decisions: whether an
   * account is disabled, where to send a code. Secret claims are never returned and nothing is decrypted.
   * Whatever is shown or sent outside the server reads through readReleasable instead.
   */
  async get(user: UserRecord, uris?: readonly string[]): Promise<ClaimValues> {
    const defined = await this.metadata.list(user.tenantId);
    return this.read(user, uris ? defined.filter((c) => uris.includes(c.uri)) : defined);
  }

  async getOne(user: UserRecord, uri: string): Promise<string | undefined> {
    return (await this.get(user, [uri]))[uri];
  }

  /**
   * The outward read: values of the requested claims that the claim read policy releases to `audience`
   * (claim-read-policy.ts). Claims it refuses are simply absent, as if the user had no value, so a stored
   * configuration that names one (from before the policy, or written to the database directly) leaks nothing.
   */
  async readReleasable(user: UserRecord, uris: readonly string[], audience: ClaimAudience): Promise<ClaimValues> {
    const defined = await this.metadata.list(user.tenantId);
    return this.read(user, defined.filter((c) => uris.includes(c.uri) && isReleasable(c, audience)));
  }

  /**
   * readReleasable for a page of users (SCIM list, console list): the same values, read with one statement per
   * kind of claim for the whole page rather than per user. By user id.
   */
  async readReleasableMany(users: readonly UserRecord[], uris: readonly string[], audience: ClaimAudience): Promise<Map<string, ClaimValues>> {
    if (users.length === 0) return new Map();
    const defined = await this.metadata.list(users[0]!.tenantId);
    return this.readMany(users, defined.filter((c) => uris.includes(c.uri) && isReleasable(c, audience)));
  }

  private async read(user: UserRecord, wanted: readonly LocalClaim[]): Promise<ClaimValues> {
    return (await this.readMany([user], wanted)).get(user.id)!;
  }

  private async readMany(users: readonly UserRecord[], wanted: readonly LocalClaim[]): Promise<Map<string, ClaimValues>> {
    const out = new Map<string, ClaimValues>(users.map((u) => [u.id, {}]));
    const securityClaims: [string, (s: SecurityState) => string | undefined][] = [];
    const attributeClaims: LocalClaim[] = [];
    let identityUris: string[] = [];
    for (const claim of wanted) {
      // Secrets are for SecretClaimReader alone; this reader has no key to read them with.
      if (isSecretClaim(claim.uri)) continue;
      const fromRecord = RECORD_CLAIMS[claim.uri];
      const fromSecurity = SECURITY_CLAIMS[claim.uri];
      if (fromRecord) for (const u of users) out.get(u.id)![claim.uri] = fromRecord(u);
      else if (fromSecurity) securityClaims.push([claim.uri, fromSecurity.read]);
      else if (isIdentityClaim(claim.uri)) identityUris.push(claim.uri);
      else attributeClaims.push(claim);
    }
    if (securityClaims.length > 0) {
      const states = await this.security.getMany(users);
      for (const u of users) {
        const state = states.get(u.id)!;
        for (const [uri, read] of securityClaims) {
          const v = read(state);
          if (v !== undefined) out.get(u.id)![uri] = v;
        }
      }
    }
    const credentialUris = identityUris.filter((u) => CREDENTIAL_CLAIMS.has(u));
    // The TOTP credential claims are read by the server for one user at a time (never listed in bulk).
    if (credentialUris.length > 0) for (const u of users) Object.assign(out.get(u.id)!, await readCredentialClaims(this.db, u, credentialUris));
    identityUris = identityUris.filter((u) => !CREDENTIAL_CLAIMS.has(u));
    if (identityUris.length > 0) {
      const rows = await this.db
        .selectFrom('identity_claims')
        .select(['user_id', 'claim_uri', 'value'])
        .where('user_id', 'in', users.map((u) => u.id))
        .where('claim_uri', 'in', identityUris)
        .execute();
      for (const r of rows) out.get(r.user_id)![r.claim_uri] = r.value;
    }
    if (attributeClaims.length > 0) await this.readAttributes(users, attributeClaims, out);
    return out;
  }

  /** Attribute-backed claims, one round trip per user store (per user for stores that cannot read many at once). */
  private async readAttributes(users: readonly UserRecord[], claims: readonly LocalClaim[], out: Map<string, ClaimValues>): Promise<void> {
    const byStore = new Map<string, UserRecord[]>();
    for (const u of users) {
      const key = `${u.tenantId}/${u.storeDomain}`;
      byStore.set(key, [...(byStore.get(key) ?? []), u]);
    }
    for (const group of byStore.values()) {
      const names = claims.map((c) => this.metadata.attributeFor(c, group[0]!.storeDomain));
      const store = this.users.storeOf(group[0]!);
      const attrs = store.getAttributesOfMany && group.length > 1
        ? await store.getAttributesOfMany(group, names)
        : new Map(await Promise.all(group.map(async (u) => [u.id, await store.getAttributes(u, names)] as const)));
      for (const u of group) {
        const values = attrs.get(u.id) ?? {};
        claims.forEach((c, i) => {
          const v = values[names[i]!];
          if (v !== undefined) out.get(u.id)![c.uri] = v;
        });
      }
    }
  }

  /** Sets claim values; null or "" removes a value. Unknown claims and values failing a claim's regex are refused. */
  async set(user: UserRecord, values: Record<string, string | null>, options: SetOptions = {}): Promise<void> {
    const defined = new Map((await this.metadata.list(user.tenantId)).map((c) => [c.uri, c]));
    const attributes: Record<string, string | null> = {};
    const identity: [string, string | null][] = [];
    let security: SecurityPatch = {};
    for (const [uri, raw] of Object.entries(values)) {
      const claim = defined.get(uri);
      if (!claim) throw new AppError('CLM-40401', { description: `${uri} is not a local claim of this tenant.` });
      const value = raw === '' ? null : raw;
      if (options.enforceReadOnly && claim.readOnly) throw new AppError('CLM-40002', { description: `${uri} is read-only.` });
      if (value !== null && claim.regex && !matchesClaimPattern(claim.regex, value)) {
        throw new AppError('CLM-40001', { description: `The value of ${claim.displayName} has an invalid format.` });
      }
      const sec = SECURITY_CLAIMS[uri];
      if (RECORD_CLAIMS[uri]) throw new AppError('CLM-40002', { description: `${uri} is derived from the user record.` });
      else if (sec) {
        if (!sec.write) throw new AppError('CLM-40002', { description: `${uri} is maintained by the server.` });
        security = { ...security, ...sec.write(value) };
      } else if (isIdentityClaim(uri)) identity.push([uri, value]);
      else attributes[this.metadata.attributeFor(claim, user.storeDomain)] = value;
    }
    if (Object.keys(attributes).length > 0) await this.users.setAttributes(user, attributes);
    if (identity.length > 0) await this.writeIdentity(user, identity);
    if (Object.keys(security).length > 0) await this.security.update(user, security);
  }

  private async writeIdentity(user: UserRecord, values: [string, string | null][]): Promise<void> {
    const credential = new Map(values.filter(([u]) => CREDENTIAL_CLAIMS.has(u)));
    values = values.filter(([u]) => !CREDENTIAL_CLAIMS.has(u));
    await this.db.transaction().execute(async (trx) => {
      if (credential.size > 0) await writeCredentialClaims(trx, this.keyring, user, credential);
      if (values.length === 0) return;
      await trx.deleteFrom('identity_claims').where('user_id', '=', user.id).where('claim_uri', 'in', values.map(([u]) => u)).execute();
      const rows = values
        .filter((e): e is [string, string] => e[1] !== null)
        .map(([uri, v]) => ({
          tenant_id: user.tenantId,
          user_id: user.id,
          claim_uri: uri,
          value: ENCRYPTED_CLAIMS.has(uri) ? this.keyring.encrypt(v, secretAad(user, uri)) : v,
        }));
      if (rows.length > 0) await trx.insertInto('identity_claims').values(rows).execute();
    });
  }
}
