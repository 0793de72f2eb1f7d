import type { Kysely } from 'kysely';

// Federated identity providers (identity-providers/idp-store.ts) and the accounts linked to them
// (identity-providers/associations.ts).
// identity_providers: one row per upstream provider, unique by tenant and name. `settings` is JSON without
// secrets; `secrets` (an OIDC client secret) is one keyring ciphertext bound to the row's id and tenant.
// federated_associations: WSO2's IDN_ASSOCIATED_ID. One upstream account (idp, subject) links to at most one
// local user in a tenant; a local user may link accounts at several providers.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_providers')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('description', 'varchar(1024)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('identity_providers_name', ['tenant_id', 'name'])
    .execute();
  await db.schema
    .createTable('federated_associations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('idp_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('idp_user_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('federated_associations_subject', ['tenant_id', 'idp_id', 'idp_user_id'])
    .execute();
  await db.schema.createIndex('federated_associations_user').on('federated_associations').columns(['tenant_id', 'user_id']).execute();
}
