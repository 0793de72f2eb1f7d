import type { Kysely } from 'kysely';

// What the OpenID Connect provider stores (protocols/oidc/oidc-store.ts): sessions, interactions, grants,
// authorization codes, access and refresh tokens, one row each, keyed by "tenant:model:id" so the sweeper's batch
// delete has a single-column key. The payload is the provider's JSON. grant_id lets revoking a grant
// (refresh-token reuse, revocation) delete every token of it in one statement; uid and user_code serve the
// provider's lookups by interaction uid and device user code.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_models')
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('model', 'varchar(40)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'varchar(128)')
    .addColumn('uid', 'varchar(128)')
    .addColumn('user_code', 'varchar(128)')
    .addColumn('consumed_at', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_models_grant').on('oidc_models').columns(['grant_id']).execute();
  await db.schema.createIndex('oidc_models_uid').on('oidc_models').columns(['uid']).execute();
  await db.schema.createIndex('oidc_models_user_code').on('oidc_models').columns(['user_code']).execute();
  await db.schema.createIndex('oidc_models_expiry').on('oidc_models').columns(['expires_at']).execute();
}
