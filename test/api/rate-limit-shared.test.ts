// A cluster enforces one limit, not one per node: two servers on one PostgreSQL database count into the same
// rows, and with [rate_limit] redis_url two servers (each with its own SQLite file) count into the same Redis keys.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

const API = '/api/server/v1/authenticators';
const REDIS_URL = process.env.PORTCULLIS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 4;

async function redisAnswers(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** Alternates requests between the nodes: LIMIT pass, the next one is refused wherever it lands. */
async function sharesOneBudget(a: TestServer, b: TestServer): Promise<void> {
  const nodes = [a, b];
  for (let i = 0; i < LIMIT; i++) assert.equal((await nodes[i % 2]!.client().get(API, { auth: ['admin', 'admin'] })).status, 200, `request ${i + 1}`);
  for (const node of nodes) {
    const res = await node.client().get(API, { auth: ['admin', 'admin'] });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers['retry-after']) >= 1);
  }
}

const pgAvailable = await isAvailable('postgres');
describe('rate limits shared through PostgreSQL', { skip: skipUnless(pgAvailable, 'postgres is not reachable') }, () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  const toml = `[rate_limit]\nper_ip_per_minute = ${LIMIT}`;

  before(async () => {
    database = await createTestDatabase('postgres');
    a = await startTestServer({ database, toml });
    b = await startTestServer({ database, toml });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  test('two servers on one database count together', async () => {
    await sharesOneBudget(a, b);
  });
});

const redisAvailable = await redisAnswers();
describe('rate limits shared through Redis', { skip: skipUnless(redisAvailable, `Redis is not reachable at ${REDIS_URL}`) }, () => {
  let a: TestServer;
  let b: TestServer;
  const prefix = `pcs-test-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { lazyConnect: true });

  before(async () => {
    const toml = `[rate_limit]\nper_ip_per_minute = ${LIMIT}\nredis_url = "${REDIS_URL}"\nredis_key_prefix = "${prefix}"`;
    a = await startTestServer({ toml });
    b = await startTestServer({ toml });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  test('two servers with separate databases count together in Redis', async () => {
    await sharesOneBudget(a, b);
    const keys = await redis.keys(`${prefix}*`);
    assert.ok(keys.includes(`${prefix}ip:127.0.0.1`), `the counters are in Redis under the configured prefix: ${keys.join(', ')}`);
    assert.equal(await a.services.storage.db.selectFrom('rate_limits').select('limit_key').executeTakeFirst(), undefined, 'and not in the database');
  });
});
