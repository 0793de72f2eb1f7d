// The rows of totp_credentials: at most one active and one pending credential per user. Secrets are encrypted
// with the keyring and bound to tenant, user and status. The binding is the one the secrets had as WSO2 claims
// (secretAad with the secretkey URI for the active secret, verifySecretkey for the pending one), so migration
// 009 moved them without decrypting and the claim views (claims/totp-credential-claims.ts) read the same rows.
import type { Kysely, Transaction } from 'kysely';
import { CLAIMS } from '../../claims/local-claims.ts';
import { secretAad } from '../../claims/secret-claims.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { Database } from '../../storage/schema.ts';
import type { SecretEncoding, TotpAlgorithm, TotpDigits } from '../../totp/index.ts';
import type { UserRecord } from '../../users/user-store.ts';

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

export class TotpCredentialStore {
  constructor(
    readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
  ) {}

  async get(user: UserRecord, status: CredentialStatus): Promise<StoredTotpCredential | undefined> {
    const row = await this.db.selectFrom('totp_credentials').selectAll().where('user_id', '=', user.id).where('status', '=', status).executeTakeFirst();
    if (!row) return undefined;
    return {
      status,
      secret: this.keyring.decryptString(row.secret, secretAad(user, BINDING[status])),
      sealed: row.secret,
      encoding: row.encoding === 'Base32' || row.encoding === 'Base64' ? row.encoding : null,
      algorithm: row.algorithm === 'SHA1' || row.algorithm === 'SHA256' || row.algorithm === 'SHA512' ? row.algorithm : null,
      digits: row.digits === null ? null : (Number(row.digits) as TotpDigits),
      period: row.period === null ? null : Number(row.period),
      createdAt: Number(row.created_at),
    };
  }

  async statuses(user: UserRecord): Promise<Set<CredentialStatus>> {
    const rows = await this.db.selectFrom('totp_credentials').select('status').where('user_id', '=', user.id).execute();
    return new Set(rows.map((r) => r.status));
  }

  /** Replaces the user's credential of `status`. */
  async put(user: UserRecord, status: CredentialStatus, c: NewTotpCredential, db: Db = this.db): Promise<void> {
    await db.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', status).execute();
    await db
      .insertInto('totp_credentials')
      .values({
        user_id: user.id,
        tenant_id: user.tenantId,
        status,
        secret: this.keyring.encrypt(c.secret, secretAad(user, BINDING[status])),
        encoding: c.encoding,
        algorithm: c.algorithm,
        digits: c.digits,
        period: c.period,
        created_at: c.createdAt,
      })
      .execute();
  }

  async remove(user: UserRecord, status?: CredentialStatus, db: Db = this.db): Promise<void> {
    await db
      .deleteFrom('totp_credentials')
      .where('user_id', '=', user.id)
      .$if(status !== undefined, (q) => q.where('status', '=', status!))
      .execute();
  }

  /**
   * Makes the verified pending credential the active one, in one transaction. False when the pending row is no
   * longer the one that was verified (a concurrent refresh or reset replaced it): nothing changes then.
   */
  async promote(user: UserRecord, verified: StoredTotpCredential, enabled: (trx: Transaction<Database>) => Promise<void>): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', 'pending').where('secret', '=', verified.sealed).executeTakeFirst();
      if (Number(r.numDeletedRows) !== 1) return false;
      await this.put(user, 'active', verified, trx);
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
