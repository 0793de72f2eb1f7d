// /health/ready and the user stores: PRIMARY down makes the node unready; a secondary store down is reported
// and the node stays ready (docs/user-stores.md, "Health").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerHealthRoutes, type StoreStatusView } from '../../src/http/health.ts';

async function ready(stores: StoreStatusView[], ping: () => Promise<void> = async () => {}) {
  const app = Fastify({ logger: false });
  registerHealthRoutes(app, ping, async () => stores);
  try {
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    return { status: res.statusCode, body: res.json<{ status: string; checks: { database: string; userStores: StoreStatusView[] } }>() };
  } finally {
    await app.close();
  }
}

test('a secondary store that is down is reported; the node stays ready', async () => {
  const stores: StoreStatusView[] = [{ domain: 'PRIMARY', status: 'UP' }, { domain: 'JDBC', tenant: 'carbon.super', status: 'DOWN', reason: 'timeout' }];
  const r = await ready(stores);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'UP');
  assert.deepEqual(r.body.checks.userStores, stores);
});

test('PRIMARY down, or the database down, makes the node unready', async () => {
  const primaryDown = await ready([{ domain: 'PRIMARY', status: 'DOWN', reason: 'the identity database does not answer' }]);
  assert.equal(primaryDown.status, 503);
  assert.equal(primaryDown.body.status, 'DOWN');
  const dbDown = await ready([{ domain: 'PRIMARY', status: 'UP' }], async () => {
    throw new Error('ECONNREFUSED');
  });
  assert.equal(dbDown.status, 503);
  assert.equal(dbDown.body.checks.database, 'DOWN');
});
