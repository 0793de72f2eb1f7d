// Rate-limit counters in the identity database, as a store for @fastify/rate-limit, so every node of a cluster
// counts against the same numbers. A counter is a fixed window: the first hit opens it for `timeWindow` ms, later
// hits in the window add to it, the first hit after it ends starts a new one. Each hit is ONE upsert-increment
// (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL, ON DUPLICATE KEY UPDATE on MySQL), so concurrent
// hits on any node are all counted and none can slip between a read and a write.
import type { Kysely, OnConflictBuilder } from 'kysely';
import { sql } from 'kysely';
import type { DatabaseType } from '../storage/database.ts';
import { prepared } from '../storage/prepared.ts';
import { deleteDueBatch } from '../storage/purge.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';

export interface Count {
  current: number;
  /** Milliseconds until the window ends. */
  ttl: number;
}

type Callback = (err: Error | null, result?: Count) => void;

/**
 * ON CONFLICT for a counter row (SQLite, PostgreSQL): one more hit in the current window, or a new window of one
 * hit when the old one has ended. eb.val: Kysely writes a bare case-then value into the SQL text, which would make
 * every call a new statement to prepare (the SQLite statement cache keys on the text).
 */
function countInWindow(now: number, fresh: number) {
  return (oc: OnConflictBuilder<Database, 'rate_limits'>) =>
    oc.column('limit_key').doUpdateSet((eb) => {
      const over = eb('rate_limits.expires_at', '<=', now);
      return {
        hits: eb.case().when(over).then(1).else(eb(eb.ref('rate_limits.hits'), '+', 1)).end(),
        expires_at: eb.case().when(over).then(eb.val(fresh)).else(eb.ref('rate_limits.expires_at')).end(),
      };
    });
}

type Counted = { limit_key: string; hits: number | string; expires_at: number | string };

// Every request a limit applies to runs one of these (SQLite and PostgreSQL; src/storage/prepared.ts).
const upsertOne = prepared<{ key: string; now: number; fresh: number }, Counted>((db, p) =>
  db
    .insertInto('rate_limits')
    .values({ limit_key: p('key'), hits: 1, expires_at: p('fresh') })
    .onConflict(countInWindow(p('now'), p('fresh')))
    .returning(['limit_key', 'hits', 'expires_at']),
);
const upsertPair = prepared<{ first: string; second: string; now: number; fresh: number }, Counted>((db, p) =>
  db
    .insertInto('rate_limits')
    .values([
      { limit_key: p('first'), hits: 1, expires_at: p('fresh') },
      { limit_key: p('second'), hits: 1, expires_at: p('fresh') },
    ])
    .onConflict(countInWindow(p('now'), p('fresh')))
    .returning(['limit_key', 'hits', 'expires_at']),
);

export class DatabaseRateLimitStore {
  constructor(
    private readonly storage: { db: Kysely<Database>; type: DatabaseType },
    private readonly clock: Clock,
  ) {}

  /** Counts one hit on `key` and returns the window's count including it. */
  async hit(key: string, windowMs: number): Promise<Count> {
    const { db, type } = this.storage;
    const now = this.clock.now();
    const fresh = now + windowMs;
    const row =
      type === 'mysql'
        ? await db.transaction().execute(async (trx) => {
            // MySQL applies the assignments left to right: `hits` must be set while expires_at is still the old value.
            await trx
              .insertInto('rate_limits')
              .values({ limit_key: key, hits: 1, expires_at: fresh })
              .onDuplicateKeyUpdate({
                hits: sql<number>`IF(expires_at <= ${now}, 1, hits + 1)`,
                expires_at: sql<number>`IF(expires_at <= ${now}, ${fresh}, expires_at)`,
              })
              .execute();
            return trx.selectFrom('rate_limits').select(['hits', 'expires_at']).where('limit_key', '=', key).forUpdate().executeTakeFirstOrThrow();
          })
        : (await upsertOne(db, { key, now, fresh })).rows[0]!;
    return { current: Number(row.hits), ttl: Math.max(0, Number(row.expires_at) - now) };
  }

  /**
   * Counts one hit on `first` and, unless that hit is over `firstMax`, one on `second`: the two hits of a password
   * POST (address, then account). On SQLite and PostgreSQL both are one multi-row upsert (one statement instead
   * of two; rows are locked in the same order, address first, so two such statements cannot deadlock). When
   * the first key refuses, the second's hit is taken back at once, so a client over its address limit spends
   * nothing of the account's budget (as when the second hit was never made); a window that hit had opened is
   * closed again. MySQL counts them one after the other, the second only when the first allows it.
   */
  async hitPair(first: string, firstMax: number, second: string, windowMs: number): Promise<{ first: Count; second?: Count }> {
    const { db, type } = this.storage;
    if (type === 'mysql') {
      const one = await this.hit(first, windowMs);
      return one.current > firstMax ? { first: one } : { first: one, second: await this.hit(second, windowMs) };
    }
    const now = this.clock.now();
    const fresh = now + windowMs;
    const { rows } = await upsertPair(db, { first, second, now, fresh });
    const count = (key: string): Count => {
      const row = rows.find((r) => r.limit_key === key)!;
      return { current: Number(row.hits), ttl: Math.max(0, Number(row.expires_at) - now) };
    };
    const one = count(first);
    if (one.current <= firstMax) return { first: one, second: count(second) };
    // Refused by the first key: take the second hit back (a window it opened ends now, as if never opened).
    await db
      .updateTable('rate_limits')
      .set((eb) => ({
        hits: eb(eb.ref('hits'), '-', 1),
        expires_at: eb.case().when('hits', '=', 1).then(eb.val(now)).else(eb.ref('expires_at')).end(),
      }))
      .where('limit_key', '=', second)
      .where('hits', '>', 0)
      .execute();
    return { first: one };
  }

  /** The count of the current window without adding to it (0 when no window is open). */
  async peek(key: string): Promise<Count> {
    const now = this.clock.now();
    const row = await this.storage.db.selectFrom('rate_limits').select(['hits', 'expires_at']).where('limit_key', '=', key).where('expires_at', '>', now).executeTakeFirst();
    return row ? { current: Number(row.hits), ttl: Number(row.expires_at) - now } : { current: 0, ttl: 0 };
  }

  /** Deletes counters whose window has ended (the sweeper calls this); returns how many went. */
  /** Deletes up to `limit` windows that have ended (the sweeper's task). */
  async purgeExpired(now: number, limit: number): Promise<number> {
    return deleteDueBatch(this.storage.db, { table: 'rate_limits', key: 'limit_key', time: 'expires_at' }, now, limit);
  }

  // The store contract of @fastify/rate-limit (callback style).
  incr(key: string, cb: Callback, timeWindow: number): void {
    this.hit(key, timeWindow).then((r) => cb(null, r), (err: Error) => cb(err));
  }

  read(key: string, cb: Callback): void {
    this.peek(key).then((r) => cb(null, r), (err: Error) => cb(err));
  }

  child(): this {
    return this;
  }
}
