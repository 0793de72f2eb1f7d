// The database pool as the metrics read it: PostgreSQL's pg.Pool and MySQL's pool report their connections
// (one open after a query, none waiting); SQLite has no pool and reports nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStorage, type DatabaseType } from '../../src/storage/database.ts';
import { createTestDatabase, isAvailable } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';

for (const type of ['postgres', 'mysql'] as DatabaseType[]) {
  const available = await isAvailable(type);
  describe(`pool statistics on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    test('connections are counted after a query', async () => {
      const database = await createTestDatabase(type);
      const storage = await openStorage({ type, path: '', url: database.url, poolSize: 3 });
      try {
        await sql`select 1`.execute(storage.db);
        const stats = storage.poolStats();
        assert.ok(stats, 'a pool reports');
        assert.ok(stats.total >= 1 && stats.total <= 3, `total ${stats.total}`);
        assert.ok(stats.idle >= 1 && stats.idle <= stats.total, `idle ${stats.idle}`);
        assert.equal(stats.waiting, 0);
      } finally {
        await storage.close();
        await database.drop();
      }
    });
  });
}

describe('pool statistics on sqlite', () => {
  test('no pool, no statistics', async () => {
    const database = await createTestDatabase('sqlite');
    const storage = await openStorage({ type: 'sqlite', path: database.path, url: '', poolSize: 1 });
    try {
      assert.equal(storage.poolStats(), undefined);
    } finally {
      await storage.close();
      await database.drop();
    }
  });
});
