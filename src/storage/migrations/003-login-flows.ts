import type { Kysely } from 'kysely';

// Applications and their login sequences, the state of logins in progress (any node can serve any step),
// SSO sessions, audit events, and single-use email codes with their send log.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('name_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('applications_name_unique', ['tenant_id', 'name_key'])
    .execute();

  // One row per protocol identifier (SAML issuer, OIDC client id), so a lookup is one indexed read.
  await db.schema
    .createTable('application_identifiers')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('protocol', 'varchar(16)', (c) => c.notNull())
    .addColumn('identifier', 'varchar(255)', (c) => c.notNull())
    .addColumn('application_id', 'varchar(36)', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_identifiers_pk', ['tenant_id', 'protocol', 'identifier'])
    .execute();

  await db.schema
    .createTable('auth_contexts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('nonce_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_contexts_expiry').on('auth_contexts').columns(['expires_at']).execute();

  await db.schema
    .createTable('sso_sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_sessions_user').on('sso_sessions').columns(['user_id']).execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('event', 'varchar(64)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(128)')
    .addColumn('username', 'varchar(512)')
    .addColumn('application', 'varchar(255)')
    .addColumn('authenticator', 'varchar(64)')
    .addColumn('reason', 'varchar(255)')
    .addColumn('trace_id', 'varchar(64)')
    .addColumn('remote_address', 'varchar(64)')
    .execute();
  await db.schema.createIndex('audit_events_tenant_time').on('audit_events').columns(['tenant_id', 'at']).execute();

  await db.schema
    .createTable('email_codes')
    .addColumn('user_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_sends')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notification_sends_user').on('notification_sends').columns(['user_id', 'kind', 'sent_at']).execute();
}
