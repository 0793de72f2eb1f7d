// JDBC secondary stores pass the same contract as PRIMARY: managed tables on PostgreSQL and MariaDB, an
// existing table mapped column by column (writable and read-only), and a store that is down fails fast.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/errors/app-error.ts';
import type { DatabaseType } from '../../src/storage/database.ts';
import { createServer, type Socket } from 'node:net';
import { ManualClock, systemClock } from '../../src/time/clock.ts';
import { JdbcUserStore } from '../../src/users/jdbc/jdbc-user-store.ts';
import { PasswordHasher } from '../../src/users/password-hash.ts';
import { createTestDatabase, isAvailable } from '../support/databases.ts';
import { createLegacyTable, insertLegacyUser, jdbcSettings, LEGACY_TABLE, legacyRow, runSql } from '../support/jdbc-tables.ts';
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
  }, { skip, expects: { verifyPassword: true, list: true, write: true, tenantScoped: true } });

  describeUserStoreContract(`JDBC (mapped existing table) on ${type}`, async () => {
    const database = await createTestDatabase(type as DatabaseType);
    await createLegacyTable(type, database.url);
    const store = new JdbcUserStore(jdbcSettings(database.url, { mapped: LEGACY_TABLE }), hasher, systemClock);
    return { store, tenantScoped: false, seed: async (t, u) => void (await store.create(t, u)), close: async () => (await store.close(), await database.drop()) };
  }, { skip, expects: { verifyPassword: true, list: true, write: true, tenantScoped: false } });

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
  }, { skip, expects: { verifyPassword: true, list: true, write: false, tenantScoped: false } });
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

describe('a JDBC store whose server never answers', () => {
  test('times out after connect_timeout, then fails at once for a while; the health check still probes', async () => {
    // A loopback listener that accepts connections and never says a word, like a host that drops packets.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const clock = new ManualClock();
    const store = new JdbcUserStore(jdbcSettings(`postgres://nobody@127.0.0.1:${port}/none`, { connectTimeoutMs: 300, queryTimeoutMs: 600 }), hasher, clock);
    const unavailable = (e: unknown) => e instanceof AppError && e.code === 'USR-50301' && /timeout/.test(e.description);
    try {
      let started = performance.now();
      await assert.rejects(store.findByName('t', 'carol'), unavailable);
      const first = performance.now() - started;
      assert.ok(first >= 250 && first < 2000, `waited for the timeout (${first} ms)`);
      started = performance.now();
      await assert.rejects(store.verifyPassword('t', 'carol', 'pw'), unavailable);
      assert.ok(performance.now() - started < 100, 'then fails at once');
      assert.deepEqual(await store.health(), { status: 'DOWN', reason: 'timeout' });
      clock.advance(5001);
      started = performance.now();
      await assert.rejects(store.findByName('t', 'carol'), unavailable);
      assert.ok(performance.now() - started >= 250, 'after the back-off it tries again');
    } finally {
      await store.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('legacy hashes in a mapped table', { skip: skipUnless(await isAvailable('mysql'), 'mysql is not reachable') }, () => {
  test('a read-only store verifies them and leaves them as they are; a writable one upgrades them (MariaDB)', async () => {
    const database = await createTestDatabase('mysql');
    const readOnly = new JdbcUserStore(jdbcSettings(database.url, { mapped: LEGACY_TABLE, readOnly: true }), hasher, systemClock);
    const writable = new JdbcUserStore(jdbcSettings(database.url, { mapped: LEGACY_TABLE }), hasher, systemClock);
    try {
      await createLegacyTable('mysql', database.url);
      const wso2 = { login: 'erin', pass: '2WpmaGj4YkXqsFAIhAnRSiWNZgIxj8WgdDgYLPIRXTI=', salt: 'c2FsdHNhbHRzYWx0c2FsdA==' };
      await insertLegacyUser('mysql', database.url, wso2);
      assert.equal((await readOnly.verifyPassword('t', 'ERIN', 'wso2pass'))?.username, 'erin');
      assert.equal((await readOnly.findByName('t', 'erin')) !== undefined, true);
      const before = await readOnly.getAttributes((await readOnly.findByName('t', 'erin'))!);
      assert.deepEqual(before, {});
      assert.deepEqual(await legacyRow('mysql', database.url, 'erin'), { pass: wso2.pass, salt: wso2.salt }, 'the read-only store wrote nothing');
      assert.equal(await writable.verifyPassword('t', 'erin', 'wso2pasS'), undefined);
      assert.equal((await writable.verifyPassword('t', 'erin', 'wso2pass'))?.username, 'erin');
      assert.match((await legacyRow('mysql', database.url, 'erin'))!.pass, /^\$argon2id\$/, 'the writable store upgraded it');
      assert.equal((await readOnly.verifyPassword('t', 'erin', 'wso2pass'))?.username, 'erin', 'the argon2id hash verifies');
      await runSql('mysql', database.url, ["update legacy_users set salt = 'x' where login = 'erin'"]);
      assert.equal((await readOnly.verifyPassword('t', 'erin', 'wso2pass'))?.username, 'erin', 'the salt no longer matters');
    } finally {
      await readOnly.close();
      await writable.close();
      await database.drop();
    }
  });
});
