import { sql, type Kysely } from 'kysely';

// TOTP credentials get their own table (credentials/totp/): one row per user and status ('active' or
// 'pending'), with the parameters the credential was enrolled with, so a tenant changing `algorithm` or
// `digits` later does not break enrolled users. The WSO2 claims secretkey / verifySecretkey / encoding stay
// readable as views of these rows (claims/claim-values.ts, claims/secret-claims.ts).
//
// Existing secretkey / verifySecretkey rows are moved WITHOUT decrypting: a credential's ciphertext keeps the
// binding it had as a claim (associated data `${tenant}:${user}:${claim URI}`, the URI of secretkey for the
// active secret and of verifySecretkey for the pending one), so the moved values decrypt as they are; migrations
// have no keyring and need none. Moved rows have no stored parameters: algorithm, digits and period are NULL,
// which the credentials layer reads as "the tenant's current settings", as before; encoding is the user's
// encoding claim (NULL when absent: the tenant's encodingMethod, as before).
const I = 'http://wso2.org/claims/identity/';
const SECRET = `${I}secretkey`;
const PENDING = `${I}verifySecretkey`;
const ENCODING = `${I}encoding`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('totp_credentials')
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('encoding', 'varchar(16)')
    .addColumn('algorithm', 'varchar(16)')
    .addColumn('digits', 'integer')
    .addColumn('period', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('totp_credentials_pk', ['user_id', 'status'])
    .execute();
  await db.schema.createIndex('totp_credentials_tenant').on('totp_credentials').columns(['tenant_id']).execute();
  for (const [uri, status] of [[SECRET, 'active'], [PENDING, 'pending']] as const) {
    // created_at 0: enrolled before credentials were recorded (the time was never kept).
    await sql`INSERT INTO totp_credentials (user_id, tenant_id, status, secret, encoding, created_at)
      SELECT s.user_id, s.tenant_id, ${status}, s.value,
        (SELECT e.value FROM identity_claims e WHERE e.user_id = s.user_id AND e.claim_uri = ${ENCODING}), 0
      FROM identity_claims s WHERE s.claim_uri = ${uri}`.execute(db);
  }
  await sql`DELETE FROM identity_claims WHERE claim_uri IN (${SECRET}, ${PENDING}, ${ENCODING})`.execute(db);
}
