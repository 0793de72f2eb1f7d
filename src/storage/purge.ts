// Deleting old rows in bounded batches: a purge of a large backlog must not hold locks on a hot table (login
// contexts, SSO sessions) for long. One batch is two short statements, the same on SQLite, PostgreSQL and MySQL
// (MySQL allows no LIMIT in a subquery of IN, PostgreSQL no DELETE ... LIMIT): read up to `limit` keys of
// due rows, then delete those keys where the row is still due (it may have been renewed in between).
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Column<T extends keyof Database> = keyof Database[T] & string;

/** A table whose rows become due by a time column: delete rows with `time <= cutoff` (and `where`, if given). */
export type DueRows = {
  [T in keyof Database]: {
    table: T;
    /** A single-column key of the table. */
    key: Column<T>;
    /** Epoch-ms column compared with the cutoff. */
    time: Column<T>;
    /** Extra equality conditions, e.g. { kind: 'totp-email' }. */
    where?: Partial<Record<Column<T>, string>>;
  };
}[keyof Database];

/** Deletes at most `limit` due rows; returns how many went. Callers repeat while it returns `limit`. */
export async function deleteDueBatch(db: Kysely<Database>, rows: DueRows, cutoff: number, limit: number): Promise<number> {
  const conditions = [sql`${sql.ref(rows.time)} <= ${cutoff}`];
  for (const [column, value] of Object.entries(rows.where ?? {})) conditions.push(sql`${sql.ref(column)} = ${value}`);
  const due = sql.join(conditions, sql` and `);
  const found = await sql<{ k: string }>`select ${sql.ref(rows.key)} as k from ${sql.table(rows.table)} where ${due} limit ${limit}`.execute(db);
  if (found.rows.length === 0) return 0;
  // Padded to `limit` with repeats of the last key, so every batch is the same SQL text: SQLite's statement
  // cache (database.ts) holds one prepared DELETE per table instead of one per batch length.
  const keys = Array.from({ length: limit }, (_, i) => found.rows[Math.min(i, found.rows.length - 1)]!.k);
  const deleted = await sql`delete from ${sql.table(rows.table)} where ${sql.ref(rows.key)} in (${sql.join(keys)}) and ${due}`.execute(db);
  return Number(deleted.numAffectedRows ?? 0);
}
