import type { Kysely } from 'kysely';

// Assertion IDs an upstream SAML IdP sent us (identity-providers/assertion-ids.ts): an Assertion is accepted
// once (SAML profiles 4.1.4.5: "the service provider MUST ensure that bearer assertions are not replayed"),
// and remembered until its NotOnOrAfter, in the database so that every node of a cluster refuses it too.
// `id` is the SHA-256 (hex) of tenant, provider and Assertion ID: one short primary key on every engine; the
// insert that hits it is the refusal. The sweeper deletes rows past `expires_at`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('saml_assertion_ids')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saml_assertion_ids_expiry').on('saml_assertion_ids').column('expires_at').execute();
}
