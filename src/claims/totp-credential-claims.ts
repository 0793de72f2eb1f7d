// The WSO2 claims secretkey, verifySecretkey and encoding as views of the user's TOTP credential rows
// (totp_credentials, owned by credentials/totp/): secretkey is the active secret, verifySecretkey the pending
// one, encoding the active one's encoding. Writes through the claim names (tenant creation with
// additionalClaims, older scripts) land in the same rows; the secret keeps its claim binding (secretAad), which
// is the binding the credentials layer uses, so both read the same ciphertext. Rows written here have no stored
// parameters (NULL: the tenant's current settings), exactly like a secret written as a claim before.
// An active secret a tenant keeps in the user's store (credentials/totp/store-secrets.ts) has an empty `secret`
// and names its attribute in `secret_attribute`; the view reads the sealed value there when given a reader.
// A write through the claim name always lands in the row (the database), like any claim write before.
import type { Kysely, Transaction } from 'kysely';
import type { Keyring } from '../crypto/keyring.ts';
import type { Database } from '../storage/schema.ts';
import type { UserService } from '../users/user-service.ts';
import type { UserRecord } from '../users/user-store.ts';
import { CLAIMS } from './local-claims.ts';
import { secretAad } from './secret-claims.ts';

const STATUS_OF: Record<string, 'active' | 'pending'> = { [CLAIMS.secretKey]: 'active', [CLAIMS.verifySecretKey]: 'pending' };

/** The claims that are views of the TOTP credential rather than rows of identity_claims. */
export const CREDENTIAL_CLAIMS: ReadonlySet<string> = new Set([CLAIMS.secretKey, CLAIMS.verifySecretKey, CLAIMS.encoding]);

/** Reads the sealed secret a user's store keeps under `attribute`; undefined when absent. */
export type StoredSecretReader = (user: UserRecord, attribute: string) => Promise<string | undefined>;

/** The one way a sealed secret is read back from a user store (the credentials layer and this view). */
export function storeSecretReader(users: Pick<UserService, 'storeOf'>): StoredSecretReader {
  return async (user, attribute) => (await users.storeOf(user).getAttributes(user, [attribute]))[attribute];
}

/**
 * The raw stored values (secrets still encrypted) of the credential claims among `uris`. An active secret kept
 * in the user's store is read through `fromStore`; without one it is left out.
 */
export async function readCredentialClaims(db: Kysely<Database>, user: UserRecord, uris: readonly string[], fromStore?: StoredSecretReader): Promise<Record<string, string>> {
  const wanted = uris.filter((u) => CREDENTIAL_CLAIMS.has(u));
  if (wanted.length === 0) return {};
  const rows = await db.selectFrom('totp_credentials').select(['status', 'secret', 'encoding', 'secret_attribute']).where('user_id', '=', user.id).execute();
  const out: Record<string, string> = {};
  for (const r of rows) {
    if (r.status === 'active' && wanted.includes(CLAIMS.secretKey)) {
      const sealed = r.secret_attribute === null ? r.secret : fromStore && (await fromStore(user, r.secret_attribute));
      if (sealed) out[CLAIMS.secretKey] = sealed;
    }
    if (r.status === 'pending' && wanted.includes(CLAIMS.verifySecretKey)) out[CLAIMS.verifySecretKey] = r.secret;
    if (r.status === 'active' && r.encoding && wanted.includes(CLAIMS.encoding)) out[CLAIMS.encoding] = r.encoding;
  }
  return out;
}

/** Writes credential claims (null removes) in the caller's transaction. */
export async function writeCredentialClaims(trx: Transaction<Database>, keyring: Keyring, user: UserRecord, values: ReadonlyMap<string, string | null>): Promise<void> {
  const encoding = values.get(CLAIMS.encoding);
  for (const [uri, status] of Object.entries(STATUS_OF)) {
    if (!values.has(uri)) continue;
    const value = values.get(uri) ?? null;
    const existing = await trx.selectFrom('totp_credentials').select('encoding').where('user_id', '=', user.id).where('status', '=', status).executeTakeFirst();
    await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('status', '=', status).execute();
    if (value === null) continue;
    await trx
      .insertInto('totp_credentials')
      .values({
        user_id: user.id,
        tenant_id: user.tenantId,
        status,
        secret: keyring.encrypt(value, secretAad(user, uri)),
        encoding: encoding === undefined ? (existing?.encoding ?? null) : encoding,
        // Written as a claim: the time is not part of the claim model; 0 reads as "unknown".
        created_at: 0,
      })
      .execute();
  }
  if (encoding !== undefined && !values.has(CLAIMS.secretKey)) {
    await trx.updateTable('totp_credentials').set({ encoding }).where('user_id', '=', user.id).where('status', '=', 'active').execute();
  }
}
