import { MysqlAdapter, PostgresAdapter, sql, type Kysely } from 'kysely';

// The tenant registry (tenants/registry/): WSO2's per-tenant store of collections and resources
// (/_system/governance/...). One row per collection or resource, keyed by tenant and normalised path; the root
// collection "/" is implied and never stored. A resource's content is bytes (up to 1 MiB, checked by the
// service), so the column is each dialect's binary type: LONGBLOB on MySQL (BLOB stops at 64 KiB), BYTEA on
// PostgreSQL, BLOB on SQLite.
export async function up(db: Kysely<unknown>): Promise<void> {
  const adapter = db.getExecutor().adapter;
  const binary = adapter instanceof MysqlAdapter ? sql`longblob` : adapter instanceof PostgresAdapter ? sql`bytea` : sql`blob`;
  await db.schema
    .createTable('registry_resources')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('path', 'varchar(512)', (c) => c.notNull())
    .addColumn('parent_path', 'varchar(512)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('content', binary)
    .addColumn('media_type', 'varchar(255)')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_resources_pk', ['tenant_id', 'path'])
    .execute();
  await db.schema.createIndex('registry_resources_parent').on('registry_resources').columns(['tenant_id', 'parent_path']).execute();
}
