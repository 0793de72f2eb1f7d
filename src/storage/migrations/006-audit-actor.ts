import type { Kysely } from 'kysely';

// Who made an admin change (the console's or an API's admin) gets its own columns, beside the user acted on,
// instead of prose in `reason`: an auditor can then list what one admin did. actor_id is the admin's user id;
// actor the domain-qualified name as it was when the change was made (the user may be renamed or deleted later).
// Two statements: SQLite adds one column per ALTER TABLE.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('actor_id', 'varchar(128)').execute();
  await db.schema.alterTable('audit_events').addColumn('actor', 'varchar(512)').execute();
}
