import type { Kysely } from 'kysely';

// Housekeeping. `leases` holds named, expiring leases: a node that wants to do cluster-wide work once (the
// sweeper) takes the lease with one conditional write, so the database decides between nodes. The indexes let
// the sweeper find expired rows without scanning the tables it purges (auth_contexts has its expiry index).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_sessions_expiry').on('sso_sessions').columns(['expires_at']).execute();
  await db.schema.createIndex('audit_events_time').on('audit_events').columns(['at']).execute();
  await db.schema.createIndex('email_codes_expiry').on('email_codes').columns(['expires_at']).execute();
  await db.schema.createIndex('notification_sends_time').on('notification_sends').columns(['sent_at']).execute();
}
