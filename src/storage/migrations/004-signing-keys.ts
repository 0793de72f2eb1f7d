import type { Kysely } from 'kysely';

// Per-tenant keys the server signs with (SAML assertions, responses and metadata; WSO2 also keeps one key per
// tenant), stored in the database so every node of a cluster signs with the same key. The private key is
// encrypted with the keyring, bound to the row id. `generation` orders the keys of a (tenant, purpose) and is
// unique, so two nodes creating the first key, or two rotations at once, cannot both win.
// status: 'active' signs; 'next' is published ahead of use; 'retired' no longer signs but stays published
// until publish_until, so relying parties that cache metadata keep validating during a rotation.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('certificate', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addColumn('publish_until', 'bigint')
    .addUniqueConstraint('signing_keys_generation_unique', ['tenant_id', 'purpose', 'generation'])
    .execute();
}
