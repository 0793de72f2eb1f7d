// The tenants API (WSO2's /api/server/v1/tenants) and SCIM in a second tenant: a tenant created through the
// API gets its own admin, who manages the tenant's users and nobody else's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { TestClient } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const BOSS_PASSWORD = 'boss password 1';

type Json = Record<string, unknown>;
interface TenantJson {
  id: string;
  domain: string;
  owners: { id: string; username: string }[];
  createdDate: string;
  lifecycleStatus: { activated: boolean };
}

const owner = (username: string, extra: Json = {}) => ({
  username,
  password: BOSS_PASSWORD,
  email: `${username}@example.com`,
  firstname: 'B',
  lastname: 'Oss',
  provisioningMethod: 'inline-password',
  ...extra,
});

describe('tenants API and SCIM across tenants', () => {
  let server: TestServer;
  let c: TestClient;
  let example: TenantJson;

  before(async () => {
    server = await startTestServer();
    c = server.client();
  });
  after(async () => server?.close());

  const createTenant = (domain: string, ownerJson: Json = owner('boss'), auth: [string, string] = ADMIN) =>
    c.post('/api/server/v1/tenants', { json: { domain, owners: [ownerJson] }, auth });

  test('POST creates a tenant with its admin: 201, Location, WSO2 shape; owner details become claims', async () => {
    const r = await createTenant('example.com');
    assert.equal(r.status, 201, r.text);
    example = r.json<TenantJson>();
    assert.equal(r.location, `${server.url}/api/server/v1/tenants/${example.id}`);
    assert.equal(example.domain, 'example.com');
    assert.equal(example.owners[0]?.username, 'boss');
    assert.match(example.owners[0]!.id, /^[0-9a-f-]{36}$/);
    assert.equal(example.lifecycleStatus.activated, true);
    assert.ok(Math.abs(Date.parse(example.createdDate) - Date.now()) < 60_000);
    assert.ok(!r.text.includes(BOSS_PASSWORD));
    const tenant = (await server.services.tenants.findByDomain('example.com'))!;
    const boss = (await server.services.users.find(tenant, 'boss'))!;
    assert.deepEqual(await server.services.claimValues.get(boss, [CLAIMS.email, CLAIMS.givenName, CLAIMS.lastName]), {
      [CLAIMS.email]: 'boss@example.com',
      [CLAIMS.givenName]: 'B',
      [CLAIMS.lastName]: 'Oss',
    });
  });

  test('POST refuses duplicates (409 TNT-40901), bad domains and owners (400), and leaves nothing behind', async () => {
    const dupe = await createTenant('EXAMPLE.com');
    assert.equal(dupe.status, 409);
    assert.equal(dupe.json<{ code: string }>().code, 'TNT-40901');
    for (const domain of ['not a domain', '-bad.com', 'UPPER_case.com']) {
      const r = await createTenant(domain);
      assert.equal(r.status, 400, domain);
      assert.equal(r.json<{ code: string }>().code, 'TNT-40001');
    }
    const weak = await createTenant('weak.example', owner('boss', { password: 'short' }));
    assert.equal(weak.status, 400);
    assert.equal(weak.json<{ code: string; description: string }>().code, 'USR-40002');
    assert.equal(await server.services.tenants.findByDomain('weak.example'), undefined, 'a refused owner leaves no tenant');
    const invite = await createTenant('invite.example', owner('boss', { provisioningMethod: 'invite-via-email' }));
    assert.equal(invite.status, 400);
    assert.equal(invite.json<{ code: string }>().code, 'PCS-40001');
    const qualified = await createTenant('q.example', owner('LDAP/boss'));
    assert.equal(qualified.json<{ code: string }>().code, 'TNT-40002');
    const secret = await createTenant('s.example', owner('boss', { additionalClaims: [{ claim: CLAIMS.secretKey, value: 'JBSWY3DPEHPK3PXP' }] }));
    assert.equal(secret.status, 400);
    assert.ok(!secret.text.includes('JBSWY3DPEHPK3PXP'));
    const noOwner = await c.post('/api/server/v1/tenants', { json: { domain: 'none.example', owners: [] }, auth: ADMIN });
    assert.equal(noOwner.status, 400);
    assert.match(noOwner.json<{ description: string }>().description, /owners/);
  });

  test('GET list (paged), by id and by domain', async () => {
    await createTenant('second.example', owner('chief'));
    const list = await c.get('/api/server/v1/tenants?limit=2&offset=0', { auth: ADMIN });
    assert.equal(list.status, 200, list.text);
    const body = list.json<{ totalResults: number; startIndex: number; count: number; tenants: TenantJson[] }>();
    assert.deepEqual([body.totalResults, body.startIndex, body.count], [3, 1, 2]);
    assert.deepEqual(body.tenants.map((t) => t.domain), ['carbon.super', 'example.com']);
    assert.equal(body.tenants[0]?.owners[0]?.username, 'admin');
    const next = (await c.get('/api/server/v1/tenants?limit=2&offset=2', { auth: ADMIN })).json<{ startIndex: number; tenants: TenantJson[] }>();
    assert.deepEqual([next.startIndex, next.tenants.map((t) => t.domain)], [3, ['second.example']]);
    assert.deepEqual((await c.get(`/api/server/v1/tenants/${example.id}`, { auth: ADMIN })).json(), example);
    assert.deepEqual((await c.get('/api/server/v1/tenants/domain/example.com', { auth: ADMIN })).json(), example);
    const missing = await c.get('/api/server/v1/tenants/nope', { auth: ADMIN });
    assert.deepEqual([missing.status, missing.json<{ code: string }>().code], [404, 'TNT-40401']);
    assert.equal((await c.get('/api/server/v1/tenants?limit=-1', { auth: ADMIN })).status, 400);
    assert.equal((await c.get('/api/server/v1/tenants?offset=100000000000000000000', { auth: ADMIN })).status, 400);
  });

  test('only the super tenant admin manages tenants', async () => {
    const none = await c.get('/api/server/v1/tenants');
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic/);
    const asBoss = await c.get('/api/server/v1/tenants', { auth: ['boss@example.com', BOSS_PASSWORD] });
    assert.deepEqual([asBoss.status, asBoss.json<{ code: string }>().code], [403, 'TNT-40301']);
    const tenantPath = await c.get('/t/example.com/api/server/v1/tenants', { auth: ['boss', BOSS_PASSWORD] });
    assert.equal(tenantPath.status, 403);
    const superOnOtherTenant = await c.post('/t/example.com/api/server/v1/tenants', { json: { domain: 'x.example', owners: [owner('x')] }, auth: ADMIN });
    assert.equal(superOnOtherTenant.status, 401, 'admin is not a user of example.com');
  });

  test('Done when: a user created through /scim2/Users is read back in the second tenant, by path and by Basic name', async () => {
    const byPath = await c.post('/t/example.com/scim2/Users', { json: { userName: 'erin', password: 'erin password', emails: ['erin@example.com'] }, auth: ['boss', BOSS_PASSWORD] });
    assert.equal(byPath.status, 201, byPath.text);
    const erin = byPath.json<{ id: string; userName: string }>();
    assert.equal(byPath.location, `${server.url}/t/example.com/scim2/Users/${erin.id}`);
    const read = await c.get(`/t/example.com/scim2/Users/${erin.id}`, { auth: ['boss', BOSS_PASSWORD] });
    assert.equal(read.status, 200);
    assert.equal(read.json<{ userName: string }>().userName, 'erin');

    // boss@example.com as the Basic user name selects the tenant on the plain path.
    const byName = await c.post('/scim2/Users', { json: { userName: 'frank', password: 'frank password' }, auth: ['boss@example.com', BOSS_PASSWORD] });
    assert.equal(byName.status, 201, byName.text);
    const frank = byName.json<{ id: string }>();
    assert.equal(byName.location, `${server.url}/t/example.com/scim2/Users/${frank.id}`);
    const list = await c.get('/scim2/Users', { auth: ['boss@example.com', BOSS_PASSWORD] });
    assert.deepEqual(list.json<{ Resources: { userName: string }[] }>().Resources.map((u) => u.userName), ['boss', 'erin', 'frank']);

    // The same user name may exist in another tenant; they are different users.
    const superErin = await c.post('/scim2/Users', { json: { userName: 'erin', password: 'other password' }, auth: ADMIN });
    assert.equal(superErin.status, 201);
    assert.notEqual(superErin.json<{ id: string }>().id, erin.id);
  });

  test('isolation: one tenant never sees or touches another tenant\'s users', async () => {
    const boss: [string, string] = ['boss@example.com', BOSS_PASSWORD];
    const erin = (await c.get('/t/example.com/scim2/Users?filter=userName%20eq%20%22erin%22', { auth: ['boss', BOSS_PASSWORD] })).json<{ Resources: { id: string }[] }>().Resources[0]!;
    // The super admin, in its own tenant, does not find example.com's users.
    assert.equal((await c.get(`/scim2/Users/${erin.id}`, { auth: ADMIN })).status, 404);
    assert.equal((await c.request(`/scim2/Users/${erin.id}`, { method: 'DELETE', auth: ADMIN })).status, 404);
    const superList = (await c.get('/scim2/Users', { auth: ADMIN })).json<{ Resources: { userName: string }[] }>();
    assert.ok(!superList.Resources.some((u) => u.userName === 'frank'));
    // Credentials of one tenant are not valid in another.
    const cross = await c.get(`/t/example.com/scim2/Users/${erin.id}`, { auth: ADMIN });
    assert.equal(cross.status, 401);
    assert.match(String(cross.headers['www-authenticate']), /^Basic/);
    assert.equal((await c.get('/t/second.example/scim2/Users', { auth: boss })).status, 401, 'a tenant suffix naming another tenant');
    assert.equal((await c.get('/t/second.example/scim2/Users', { auth: ['boss', BOSS_PASSWORD] })).status, 401);
    // example.com's ordinary user is not its admin.
    const asErin = await c.get('/t/example.com/scim2/Users', { auth: ['erin', 'erin password'] });
    assert.equal(asErin.status, 403);
    assert.equal(asErin.json<{ code: string }>().code, 'PCS-40300');
  });

  test('deactivated tenants are refused everywhere with TNT-40401; carbon.super cannot be deactivated', async () => {
    const off = await c.request(`/api/server/v1/tenants/${example.id}/lifecycle-status`, { method: 'PUT', json: { activated: false }, auth: ADMIN });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json<TenantJson>().lifecycleStatus.activated, false);
    const scim = await c.get('/t/example.com/scim2/Users', { auth: ['boss', BOSS_PASSWORD] });
    assert.equal(scim.status, 404);
    assert.equal(scim.json<{ code: string }>().code, 'TNT-40401');
    const byName = await c.get('/scim2/Users', { auth: ['boss@example.com', BOSS_PASSWORD] });
    assert.equal(byName.json<{ code: string }>().code, 'TNT-40401');
    const claims = await c.get('/t/example.com/api/server/v1/claim-dialects/local/claims', { auth: ['boss', BOSS_PASSWORD] });
    assert.deepEqual([claims.status, claims.json<{ code: string }>().code], [404, 'TNT-40401']);
    assert.equal((await c.get(`/api/server/v1/tenants/${example.id}`, { auth: ADMIN })).json<TenantJson>().lifecycleStatus.activated, false);

    const on = await c.request(`/api/server/v1/tenants/${example.id}/lifecycle-status`, { method: 'PUT', json: { activated: true }, auth: ADMIN });
    assert.equal(on.status, 200);
    assert.equal((await c.get('/t/example.com/scim2/Users', { auth: ['boss', BOSS_PASSWORD] })).status, 200);

    const superId = (await c.get('/api/server/v1/tenants/domain/carbon.super', { auth: ADMIN })).json<TenantJson>().id;
    const refused = await c.request(`/api/server/v1/tenants/${superId}/lifecycle-status`, { method: 'PUT', json: { activated: false }, auth: ADMIN });
    assert.deepEqual([refused.status, refused.json<{ code: string }>().code], [403, 'TNT-40302']);
    const bad = await c.request(`/api/server/v1/tenants/${example.id}/lifecycle-status`, { method: 'PUT', json: { activated: 'maybe' }, auth: ADMIN });
    assert.deepEqual([bad.status, bad.json<{ code: string }>().code], [400, 'PCS-40001']);
  });
});
