import type { Kysely } from 'kysely';

// What an import from another server (import/wso2/) has already brought over: one row per thing imported (a
// tenant, a user, a user's TOTP secret, an application, a tenant's TOTP settings), keyed by where it came from.
// Running the import again skips what has a row, so it duplicates nothing, tells "imported before" apart from "a
// user of that name was already here", and picks up what an earlier run could not do (e.g. a secret whose key
// was missing). A thing deleted here after its import is not brought back.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('import_origins')
    .addColumn('source', 'varchar(128)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('source_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('target_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_origins_pk', ['source', 'kind', 'tenant_id', 'source_id'])
    .execute();
}
