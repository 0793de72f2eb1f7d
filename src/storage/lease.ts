// Named leases in the database, so that work meant to happen once per cluster (the sweeper) runs on one node
// at a time while every node is able to do it. The database decides who holds a lease: taking it is one
// conditional UPDATE (free, expired, or already ours), which PostgreSQL and MySQL serialise with a row lock
// and SQLite with its single writer; the first use of a name is an INSERT that the primary key lets one node win.
import type { Kysely } from 'kysely';
import { isUniqueViolation } from './database.ts';
import type { Database } from './schema.ts';

export class Leases {
  constructor(private readonly db: Kysely<Database>) {}

  /** Takes or renews `name` for `holder` until `now + ttlMs`; false when another holder has it and it has not expired. */
  async acquire(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const expires_at = now + ttlMs;
    const updated = await this.db
      .updateTable('leases')
      .set({ holder, expires_at })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('holder', '=', holder)]))
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return true;
    const exists = await this.db.selectFrom('leases').select('name').where('name', '=', name).executeTakeFirst();
    if (exists) return false;
    try {
      await this.db.insertInto('leases').values({ name, holder, expires_at }).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
}
