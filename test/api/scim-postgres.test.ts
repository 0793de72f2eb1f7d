// SCIM create, read and filter on PostgreSQL, the production database: the same requests as on SQLite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const available = await isAvailable('postgres');

describe('SCIM Users on PostgreSQL', { skip: skipUnless(available, 'PostgreSQL is not reachable') }, () => {
  let database: TestDatabase;
  let server: TestServer;

  before(async () => {
    database = await createTestDatabase('postgres');
    server = await startTestServer({ database });
  });
  after(async () => {
    await server?.close();
    await database?.drop();
  });

  test('create and read back in the super tenant and in a tenant made through the tenants API', async () => {
    const c = server.client();
    const created = await c.post('/scim2/Users', { json: { userName: 'pgalice', password: 'password-1234', name: { givenName: 'Alice' }, emails: ['alice@pg.example'] }, auth: ADMIN });
    assert.equal(created.status, 201, created.text);
    const id = created.json<{ id: string }>().id;
    const read = await c.get(`/scim2/Users/${id}`, { auth: ADMIN });
    assert.equal(read.status, 200);
    assert.deepEqual(read.json(), created.json());
    const found = await c.get(`/scim2/Users?filter=${encodeURIComponent('emails co "@PG.example" and name.givenName sw "al"')}`, { auth: ADMIN });
    assert.deepEqual(found.json<{ totalResults: number; Resources: { id: string }[] }>().Resources.map((u) => u.id), [id]);

    const tenant = await c.post('/api/server/v1/tenants', { json: { domain: 'pg.example', owners: [{ username: 'boss', password: 'boss password' }] }, auth: ADMIN });
    assert.equal(tenant.status, 201, tenant.text);
    const boss: [string, string] = ['boss@pg.example', 'boss password'];
    const bob = await c.post('/scim2/Users', { json: { userName: 'pgbob', password: 'password-1234' }, auth: boss });
    assert.equal(bob.status, 201, bob.text);
    const bobId = bob.json<{ id: string }>().id;
    assert.equal((await c.get(`/t/pg.example/scim2/Users/${bobId}`, { auth: ['boss', 'boss password'] })).json<{ userName: string }>().userName, 'pgbob');
    assert.equal((await c.get(`/scim2/Users/${bobId}`, { auth: ADMIN })).status, 404, 'not visible from carbon.super');
  });
});
