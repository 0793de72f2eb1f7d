import type { Kysely } from 'kysely';

// Rate-limit counters shared by every node of a cluster: one row per key (a client address or an account),
// counting hits in a fixed window that ends at expires_at. Each hit is one upsert-increment on the key, so
// concurrent hits on any node are all counted. Rows past expires_at are dead weight; the sweeper deletes
// them (by expires_at, hence the index).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('limit_key', 'varchar(160)', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limits_expires_at').on('rate_limits').column('expires_at').execute();
}
