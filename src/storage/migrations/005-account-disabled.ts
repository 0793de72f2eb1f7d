import { sql, type Kysely } from 'kysely';

// Whether an account is disabled joins the lock state in user_security, so that every check that must refuse a
// disabled or locked account (password, second factor, SSO reuse) reads one row, and a code can be accepted by
// one UPDATE conditional on both. The accountDisabled claim stays readable and writable under its WSO2 URI.
// Values written before this migration (identity claim rows) are moved over.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_security').addColumn('account_disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  const uri = 'http://wso2.org/claims/identity/accountDisabled';
  await sql`INSERT INTO user_security (user_id, tenant_id) SELECT ic.user_id, ic.tenant_id FROM identity_claims ic
    WHERE ic.claim_uri = ${uri} AND ic.value = 'true' AND NOT EXISTS (SELECT 1 FROM user_security us WHERE us.user_id = ic.user_id)`.execute(db);
  await sql`UPDATE user_security SET account_disabled = 1 WHERE user_id IN
    (SELECT user_id FROM identity_claims WHERE claim_uri = ${uri} AND value = 'true')`.execute(db);
  await sql`DELETE FROM identity_claims WHERE claim_uri = ${uri}`.execute(db);
}
