// The rows of totp_credentials: at most one active and one pending credential per user. Secrets are encrypted
// with the keyring and bound to tenant, user and status. The binding is the one the secrets had as WSO2 claims
// (secretAad with the secretkey URI for the active secret, verifySecretkey for the pending one), so migration
// 009 moved them without decrypting and the claim views (claims/totp-credential-claims.ts) read the same rows.
//
// Where the active secret lives: in the row, or (a tenant's choice, secret-storage.ts) in an attribute of the
// user's own store, through a SecretHome (store-secrets.ts). Either way it is the same ciphertext under the same
// binding; the row keeps the parameters, and `secret_attribute` records where the secret went, so reading
// always looks there whatever the tenant's current choice or claim mapping. The pending secret always stays in
// the row: it is short-lived and unproven (every abandoned enrolment would otherwise leave a value in the
// directory), and promoting it needs a compare-and-delete only the database gives.
import type { Kysely, Selectable, Transaction } from 'kysely';
import { CLAIMS } from '../../claims/local-claims.ts';
import { secretAad } from '../../claims/secret-claims.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { AppError } from '../../errors/app-error.ts';
import { prepared } from '../../storage/prepared.ts';
import type { Database, TotpCredentialsTable } from '../../storage/schema.ts';
import type { SecretEncoding, TotpAlgorithm, TotpDigits } from '../../totp/index.ts';
import type { UserRecord } from '../../users/user-store.ts';

/** Keeps active secrets in user stores (store-secrets.ts); every value it handles is already sealed. */
export interface SecretHome {
  /** The store attribute a new active secret of `user` goes to; undefined: the row. Throws USR-40004 when the store cannot take it. */
  placementFor(user: UserRecord): Promise<string | undefined>;
  read(user: UserRecord, attribute: string): Promise<string | undefined>;
  write(user: UserRecord, attribute: string, sealed: string): Promise<void>;
  clear(user: UserRecord, attribute: string): Promise<void>;
}

export type CredentialStatus = 'active' | 'pending';

/** A credential as stored; null parameters (moved from the claims by migration 009) mean the tenant's current ones. */
export interface StoredTotpCredential {
  status: CredentialStatus;
  /** The secret text in `encoding`, decrypted. */
  secret: string;
  /** The ciphertext as stored, so a promotion can check it promotes what was verified. */
  sealed: string;
  encoding: SecretEncoding | null;
  algorithm: TotpAlgorithm | null;
  digits: TotpDigits | null;
  period: number | null;
  createdAt: number;
}

export type NewTotpCredential = Omit<StoredTotpCredential, 'sealed' | 'status'>;

type Db = Kysely<Database> | Transaction<Database>;

const BINDING: Record<CredentialStatus, string> = { active: CLAIMS.secretKey, pending: CLAIMS.verifySecretKey };

type Enabled = (trx: Transaction<Database>) => Promise<void>;

// The TOTP page and every code read these (src/storage/prepared.ts).
const findCredential = prepared<{ userId: string; status: TotpCredentialsTable['status'] }, Selectable<TotpCredentialsTable>>((db, p) =>
  db.selectFrom('totp_credentials').selectAll().where('user_id', '=', p('userId')).where('status', '=', p('status')),
);
const findStatuses = prepared<{ userId: string }, { status: TotpCredentialsTable['status'] }>((db, p) => db.selectFrom('totp_credentials').select('status').where('user_id', '=', p('userId')));

export class TotpCredentialStore {
  constructor(
    readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly home?: SecretHome,
  ) {}

  async get(user: UserRecord, status: CredentialStatus): Promise<StoredTotpCredential | undefined> {
    const row = (await findCredential(this.db, { userId: user.id, status })).rows[0];
    if (!row) return undefined;
    const sealed = row.secret_attribute === null ? row.secret : await this.fromStore(user, row.secret_attribute);
    return {
      status,
      secret: row.secret_attribute === null ? this.keyring.decryptString(sealed, secretAad(user, BINDING[status])) : this.openFromStore(user, sealed),
      sealed,
      encoding: row.encoding === 'Base32' || row.encoding === 'Base64' ? row.encoding : null,
      algorithm: row.algorithm === 'SHA1' || row.algorithm === 'SHA256' || row.algorithm === 'SHA512' ? row.algorithm : null,
      digits: row.digits === null ? null : (Number(row.digits) as TotpDigits),
      period: row.period === null ? null : Number(row.period),
      createdAt: Number(row.created_at),
    };
  }

  /** The sealed secret from the user's store. Absent means someone removed it there: fail closed, never "not enrolled". */
  private async fromStore(user: UserRecord, attribute: string): Promise<string> {
    const sealed = await this.home?.read(user, attribute);
    if (sealed) return sealed;
    throw new AppError('SEC-40901', {
      description: `The TOTP secret of this account is missing from the user store ${user.storeDomain} (attribute ${attribute}). An administrator can reset the account's TOTP so that it enrols again.`,
    });
  }

  /** A store value that does not decrypt was changed or copied there (the directory is editable): a 409, not a 500. */
  private openFromStore(user: UserRecord, sealed: string): string {
    try {
      return this.keyring.decryptString(sealed, secretAad(user, BINDING.active));
    } catch (cause) {
      if (cause instanceof AppError && cause.code === 'SEC-50001') throw new AppError('SEC-40902', { description: `The TOTP secret in the user store ${user.storeDomain} does not decrypt for this account (changed, or copied from another account). An administrator can reset the account's TOTP so that it enrols again.`, cause });
      throw cause;
    }
  }

  async statuses(user: UserRecord): Promise<Set<CredentialStatus>> {
    const { rows } = await findStatuses(this.db, { userId: user.id });
    return new Set(rows.map((r) => r.status));
  }

  /**
   * Replaces the user's pending credential (always kept in the row). Refused first when its promotion would be
   * (the tenant keeps secrets in a store that has become read-only), so no QR code is shown for nothing.
   */
  async putPending(user: UserRecord, c: NewTotpCredential): Promise<void> {
    await this.placement(user);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', 'pending').execute();
      await trx.insertInto('totp_credentials').values(this.row(user, 'pending', c, this.keyring.encrypt(c.secret, secretAad(user, BINDING.pending)))).execute();
    });
  }

  /** Where a new active secret of `user` goes; asked before a transaction opens (it reads settings, and the store). */
  private placement(user: UserRecord): Promise<string | undefined> {
    return this.home ? this.home.placementFor(user) : Promise.resolve(undefined);
  }

  /**
   * Replaces the active credential in `trx`. A secret kept in the store is written last, inside the transaction,
   * so a store that refuses or is down rolls the row back; an attribute an older secret used is then cleared.
   */
  private async writeActive(trx: Transaction<Database>, user: UserRecord, c: NewTotpCredential, attribute: string | undefined): Promise<void> {
    const before = await trx.selectFrom('totp_credentials').select('secret_attribute').where('user_id', '=', user.id).where('status', '=', 'active').executeTakeFirst();
    await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', 'active').execute();
    const sealed = this.keyring.encrypt(c.secret, secretAad(user, BINDING.active));
    await trx.insertInto('totp_credentials').values({ ...this.row(user, 'active', c, attribute ? '' : sealed), secret_attribute: attribute ?? null }).execute();
    if (attribute) await this.home!.write(user, attribute, sealed);
    const stale = before?.secret_attribute;
    if (stale && stale !== attribute) await this.home?.clear(user, stale);
  }

  private row(user: UserRecord, status: CredentialStatus, c: NewTotpCredential, secret: string): Database['totp_credentials'] {
    return { user_id: user.id, tenant_id: user.tenantId, status, secret, encoding: c.encoding, algorithm: c.algorithm, digits: c.digits, period: c.period, created_at: c.createdAt, secret_attribute: null };
  }

  /** Drops the user's pending credential (a declined enrolment). */
  async removePending(user: UserRecord): Promise<void> {
    await this.db.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', 'pending').execute();
  }

  /**
   * Removes both credentials and, for a secret kept in the store, its attribute (first: a store that is down
   * fails the reset before anything changes, so it can be retried). `enabled` runs in the same transaction.
   */
  async removeAll(user: UserRecord, enabled: Enabled): Promise<void> {
    const active = await this.db.selectFrom('totp_credentials').select('secret_attribute').where('user_id', '=', user.id).where('status', '=', 'active').executeTakeFirst();
    if (active?.secret_attribute) await this.home?.clear(user, active.secret_attribute);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).execute();
      await enabled(trx);
    });
  }

  /** Makes `c` the active credential (an import): any pending one goes, `enabled` runs in the same transaction. */
  async replaceActive(user: UserRecord, c: NewTotpCredential, enabled: Enabled): Promise<void> {
    const attribute = await this.placement(user);
    await this.db.transaction().execute(async (trx) => {
      await this.writeActive(trx, user, c, attribute);
      await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', 'pending').execute();
      await enabled(trx);
    });
  }

  /**
   * Makes the verified pending credential the active one, in one transaction. False when the pending row is no
   * longer the one that was verified (a concurrent refresh or reset replaced it): nothing changes then.
   */
  async promote(user: UserRecord, verified: StoredTotpCredential, enabled: Enabled): Promise<boolean> {
    const attribute = await this.placement(user);
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', 'pending').where('secret', '=', verified.sealed).executeTakeFirst();
      if (Number(r.numDeletedRows) !== 1) return false;
      await this.writeActive(trx, user, verified, attribute);
      await enabled(trx);
      return true;
    });
  }
}

/** WSO2's totpEnabled claim, kept beside the credential so the claim reads as before ('true' enrolled, 'false' reset). */
export async function writeTotpEnabled(db: Db, user: UserRecord, value: boolean): Promise<void> {
  await db.deleteFrom('identity_claims').where('user_id', '=', user.id).where('claim_uri', '=', CLAIMS.totpEnabled).execute();
  await db.insertInto('identity_claims').values({ tenant_id: user.tenantId, user_id: user.id, claim_uri: CLAIMS.totpEnabled, value: String(value) }).execute();
}
