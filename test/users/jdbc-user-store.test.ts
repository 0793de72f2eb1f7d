// JDBC secondary stores pass the same contract as PRIMARY: managed tables on PostgreSQL and MariaDB, an
// existing table mapped column by column (writable and read-only), and a store that is down fails fast.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/errors/app-error.ts';
import type { DatabaseType } from '../../src/storage/database.ts';
import { systemClock } from '../../src/time/clock.ts';
import { JdbcUserStore } from '../../src/users/jdbc/jdbc-user-store.ts';
import { PasswordHasher } from '../../src/users/password-hash.ts';
import { createTestDatabase, isAvailable } from '../support/databases.ts';
import { createLegacyTable, jdbcSettings, LEGACY_TABLE } from '../support/jdbc-tables.ts';
import { skipUnless } from '../support/services.ts';
import { describeUserStoreContract } from '../support/user-store-contract.ts';

const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
const ENGINES: ('postgres' | 'mysql')[] = ['postgres', 'mysql'];

for (const type of ENGINES) {
  const skip = skipUnless(await isAvailable(type), `${type} is not reachable`);

  describeUserStoreContract(`JDBC (managed tables) on ${type}`, async () => {
    const database = await createTestDatabase(type);
    const store = new JdbcUserStore(jdbcSettings(database.url), hasher, systemClock);
    return { store, tenantScoped: true, seed: async (t, u) => void (await store.create(t, u)), close: async () => (await store.close(), await database.drop()) };
  }, { skip });

  describeUserStoreContract(`JDBC (mapped existing table) on ${type}`, async () => {
    const database = await createTestDatabase(type as DatabaseType);
    await createLegacyTable(type, database.url);
    const store = new JdbcUserStore(jdbcSettings(database.url, { mapped: LEGACY_TABLE }), hasher, systemClock);
    return { store, tenantScoped: false, seed: async (t, u) => void (await store.create(t, u)), close: async () => (await store.close(), await database.drop()) };
  }, { skip });

  describeUserStoreContract(`JDBC (mapped, read-only) on ${type}`, async () => {
    const database = await createTestDatabase(type);
    await createLegacyTable(type, database.url);
    const writer = new JdbcUserStore(jdbcSettings(database.url, { mapped: LEGACY_TABLE }), hasher, systemClock);
    const store = new JdbcUserStore(jdbcSettings(database.url, { mapped: LEGACY_TABLE, readOnly: true }), hasher, systemClock);
    assert.equal(store.capabilities.write, false);
    return {
      store,
      tenantScoped: false,
      seed: async (t, u) => void (await writer.create(t, u)),
      close: async () => (await writer.close(), await store.close(), await database.drop()),
    };
  }, { skip });
}

describe('a JDBC store that is down', () => {
  test('fails fast with USR-50301 and reports DOWN with a reason, not the URL', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const store = new JdbcUserStore(jdbcSettings('postgres://nobody:hunter2@127.0.0.1:1/none', { connectTimeoutMs: 1000, queryTimeoutMs: 2000 }), hasher, systemClock);
    try {
      const started = performance.now();
      await assert.rejects(store.findByName('t', 'carol'), (e: unknown) => e instanceof AppError && e.code === 'USR-50301' && !e.description.includes('hunter2'));
      await assert.rejects(store.verifyPassword('t', 'carol', 'pw'), (e: unknown) => e instanceof AppError && e.code === 'USR-50301');
      assert.ok(performance.now() - started < 3000, 'refused quickly');
      const health = await store.health();
      assert.equal(health.status, 'DOWN');
      assert.equal(health.reason, 'connection refused');
      // Another store's ids never reach this database.
      assert.equal(await store.findById('t', '5b0c3a4e-0000-4000-8000-000000000000'), undefined);
    } finally {
      await store.close();
    }
  });
});
