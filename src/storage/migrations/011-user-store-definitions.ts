import type { Kysely } from 'kysely';

// Secondary user stores a tenant admin adds at run time (users/store-definitions.ts): one row per store,
// unique by tenant and domain. `settings` is the validated [[user_store]] table without its secrets, as JSON;
// `secrets` holds the secret keys (url, password, connection_password) as one keyring ciphertext bound to the
// row's id. `version` grows with every change, so each node can tell that its live store is stale.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_store_definitions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('domain', 'varchar(64)', (c) => c.notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('description', 'varchar(1024)', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('user_store_definitions_domain', ['tenant_id', 'domain'])
    .execute();
}
