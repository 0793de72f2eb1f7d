// Prepared queries on every database: built and compiled once per dialect, then run with each call's values
// (a value used twice, fixed values kept, inside a transaction too), counted like any statement, and refused at
// the first run when a placeholder would not be a parameter.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../test/support/databases.ts';
import { skipUnless } from '../../test/support/services.ts';
import { prepared } from './prepared.ts';

let builds = 0;
const insert = prepared<{ key: string; fresh: number }, never>((db, p) => db.insertInto('rate_limits').values({ limit_key: p('key'), hits: 1, expires_at: p('fresh') }));
// A hit in the window counts on; one after it opens a new window (hits back to the fixed value 1).
const hit = prepared<{ key: string; now: number; fresh: number }, never>((db, p) => {
  builds++;
  return db
    .updateTable('rate_limits')
    .set((eb) => ({
      hits: eb.case().when('expires_at', '<=', p('now')).then(1).else(eb(eb.ref('hits'), '+', 1)).end(),
      expires_at: eb.case().when('expires_at', '<=', p('now')).then(eb.val(p('fresh'))).else(eb.ref('expires_at')).end(),
    }))
    .where('limit_key', '=', p('key'));
});
const upsert = async (db: Parameters<typeof hit>[0], values: { key: string; now: number; fresh: number }) => {
  const r = await hit(db, values);
  if (Number(r.numAffectedRows) === 0) await insert(db, values);
};
const read = prepared<{ key: string }, { hits: number | string }>((db, p) => db.selectFrom('rate_limits').select('hits').where('limit_key', '=', p('key')));

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`prepared queries on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    before(async () => {
      storage = await openTestStorage(type);
    });
    after(async () => storage?.close());

    test("each run takes its own values; a value used twice and a fixed value are both right; built once", async () => {
      const before = builds;
      const hits = async (key: string) => Number((await read(storage.db, { key })).rows[0]?.hits ?? 0);
      await upsert(storage.db, { key: 'a', now: 1000, fresh: 61_000 });
      await upsert(storage.db, { key: 'a', now: 2000, fresh: 62_000 });
      await upsert(storage.db, { key: 'b', now: 2000, fresh: 62_000 });
      assert.equal(await hits('a'), 2, 'the second hit in the window counts on');
      assert.equal(await hits('b'), 1);
      assert.equal(await hits('nobody'), 0);
      await upsert(storage.db, { key: 'a', now: 70_000, fresh: 130_000 });
      assert.equal(await hits('a'), 1, 'a hit after the window opens a new one (the fixed value 1)');
      const row = await storage.db.selectFrom('rate_limits').select('expires_at').where('limit_key', '=', 'a').executeTakeFirstOrThrow();
      assert.equal(Number(row.expires_at), 130_000, 'the value used twice was put in both places');
      assert.ok(builds - before <= 1, `built at most once per dialect (${builds - before})`);
    });

    test('runs on a transaction it is given, and is rolled back with it; every run is a counted statement', async () => {
      const counted = storage.statementCount();
      await assert.rejects(
        storage.db.transaction().execute(async (trx) => {
          await upsert(trx, { key: 'in-trx', now: 0, fresh: 60_000 });
          assert.equal((await read(trx, { key: 'in-trx' })).rows.length, 1, 'seen inside the transaction');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal((await read(storage.db, { key: 'in-trx' })).rows.length, 0, 'gone with the rollback');
      assert.equal(storage.statementCount() - counted, 4, 'update (no row yet), insert, and the two reads');
    });

    test("a run outside a transaction never joins another caller's open transaction", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inside!: () => void;
      const begun = new Promise<void>((resolve) => (inside = resolve));
      const other = storage.db.transaction().execute(async (trx) => {
        await insert(trx, { key: 'theirs', fresh: 1 });
        inside();
        await held;
        throw new Error('roll back theirs');
      });
      await begun;
      const mine = insert(storage.db, { key: 'mine', fresh: 1 });
      release();
      await assert.rejects(other, /roll back theirs/);
      await mine;
      assert.equal((await read(storage.db, { key: 'theirs' })).rows.length, 0, 'their row went with their rollback');
      assert.equal((await read(storage.db, { key: 'mine' })).rows.length, 1, 'mine was not part of their transaction');
    });

    test('a placeholder written into the SQL, or one that never reaches it, is refused at the first run', async () => {
      const inlined = prepared<{ key: string }, unknown>((db, p) => db.selectFrom('rate_limits').select('hits').where('limit_key', '=', sql.lit(p('key'))));
      await assert.rejects(inlined(storage.db, { key: 'a' }), /written into the SQL text/);
      const lost = prepared<{ key: string; unused: string }, unknown>((db, p) => {
        p('unused');
        return db.selectFrom('rate_limits').select('hits').where('limit_key', '=', p('key'));
      });
      await assert.rejects(lost(storage.db, { key: 'a', unused: 'x' }), /unused did not become parameters/);
    });
  });
}
