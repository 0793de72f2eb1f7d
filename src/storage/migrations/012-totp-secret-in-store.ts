import type { Kysely } from 'kysely';

// A tenant may keep active TOTP secrets in the user's own store (LDAP, AD, JDBC) instead of in this table
// (credentials/totp/store-secrets.ts). The credential row stays here with its parameters; `secret_attribute`
// names the store attribute that holds the ciphertext, and `secret` is then empty. NULL (every existing row):
// the secret is in `secret`, as before. Recording the attribute per row means a later change of the claim
// mapping or of the tenant's choice never strands an enrolled user: reading looks where the secret was put.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('totp_credentials').addColumn('secret_attribute', 'varchar(128)').execute();
}
