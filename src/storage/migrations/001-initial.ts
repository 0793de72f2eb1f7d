import type { Kysely } from 'kysely';

// varchar lengths keep every primary key and unique index within MySQL's 3072-byte limit under utf8mb4.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('domain', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('admin_username', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('store_domain', 'varchar(64)', (c) => c.notNull())
    .addColumn('username', 'varchar(255)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(512)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('users_name_unique', ['tenant_id', 'store_domain', 'username_key'])
    .execute();

  await db.schema
    .createTable('user_attributes')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_attributes_pk', ['user_id', 'name'])
    .execute();
  // Attribute search (SCIM filters on emails, names) looks values up by attribute name first.
  await db.schema.createIndex('user_attributes_name').on('user_attributes').columns(['name']).execute();

  await db.schema
    .createTable('identity_claims')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('claim_uri', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_claims_pk', ['user_id', 'claim_uri'])
    .execute();

  await db.schema
    .createTable('user_security')
    .addColumn('user_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('failed_login_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_totp_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lockout_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('account_locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_reason', 'varchar(64)')
    .addColumn('unlock_time', 'bigint')
    .addColumn('last_totp_step', 'bigint')
    .execute();

  await db.schema
    .createTable('claims')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('uri', 'varchar(255)', (c) => c.notNull())
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'varchar(1024)', (c) => c.notNull())
    .addColumn('display_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('supported_by_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('regex', 'varchar(1024)')
    .addPrimaryKeyConstraint('claims_pk', ['tenant_id', 'uri'])
    .execute();

  await db.schema
    .createTable('claim_mappings')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('claim_uri', 'varchar(255)', (c) => c.notNull())
    .addColumn('store_domain', 'varchar(64)', (c) => c.notNull())
    .addColumn('attribute', 'varchar(128)', (c) => c.notNull())
    .addPrimaryKeyConstraint('claim_mappings_pk', ['tenant_id', 'claim_uri', 'store_domain'])
    .execute();

  await db.schema
    .createTable('tenant_config')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('resource', 'varchar(128)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tenant_config_pk', ['tenant_id', 'resource'])
    .execute();
}
