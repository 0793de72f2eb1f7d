// The local claims API (WSO2's /api/server/v1/claim-dialects/local/claims), per tenant.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { claimId } from '../../src/claims/claim-metadata.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { TestClient } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const BASE = '/api/server/v1/claim-dialects/local/claims';
const DEPT = 'http://wso2.org/claims/department';

interface ClaimJson {
  id: string;
  claimURI: string;
  dialectURI: string;
  displayName: string;
  description: string;
  displayOrder: number;
  readOnly: boolean;
  required: boolean;
  supportedByDefault: boolean;
  hidden: boolean;
  regEx?: string;
  attributeMapping: { mappedAttribute: string; userstore: string }[];
  properties: unknown[];
}

const department = (extra: Record<string, unknown> = {}) => ({
  claimURI: DEPT,
  displayName: 'Department',
  description: 'Team the user works in',
  displayOrder: 40,
  regEx: '^[A-Z]{2,5}$',
  supportedByDefault: true,
  attributeMapping: [{ mappedAttribute: 'departmentNumber', userstore: 'PRIMARY' }],
  properties: [],
  ...extra,
});

describe('claims API', () => {
  let server: TestServer;
  let c: TestClient;

  before(async () => {
    server = await startTestServer();
    c = server.client();
  });
  after(async () => server?.close());

  test('the local dialect and its claims in the WSO2 shape, with our hidden flag', async () => {
    const dialects = await c.get('/api/server/v1/claim-dialects', { auth: ADMIN });
    assert.equal(dialects.status, 200);
    assert.deepEqual(
      dialects.json<{ id: string; dialectURI: string }[]>().map((d) => [d.id, d.dialectURI]),
      [['local', 'http://wso2.org/claims']],
    );
    const list = await c.get(BASE, { auth: ADMIN });
    assert.equal(list.status, 200);
    const claims = list.json<ClaimJson[]>();
    const email = claims.find((x) => x.claimURI === CLAIMS.email)!;
    assert.equal(email.id, claimId(CLAIMS.email));
    assert.equal(email.dialectURI, 'http://wso2.org/claims');
    assert.deepEqual(email.attributeMapping, [{ mappedAttribute: 'mail', userstore: 'PRIMARY' }]);
    assert.deepEqual(email.properties, []);
    assert.equal(typeof email.regEx, 'string');
    const secret = claims.find((x) => x.claimURI === CLAIMS.secretKey)!;
    assert.deepEqual([secret.hidden, secret.readOnly], [true, true]);
    const withoutIdentity = (await c.get(`${BASE}?exclude-identity-claims=true`, { auth: ADMIN })).json<ClaimJson[]>();
    assert.ok(withoutIdentity.length < claims.length);
    assert.ok(!withoutIdentity.some((x) => x.claimURI.includes('/identity/')));
    assert.deepEqual((await c.get(`${BASE}/${email.id}`, { auth: ADMIN })).json(), email);
  });

  test('add, read, update and delete a custom claim; values of the claim are validated by its regEx', async () => {
    const added = await c.post(BASE, { json: department(), auth: ADMIN });
    assert.equal(added.status, 201, added.text);
    const id = claimId(DEPT);
    assert.equal(added.location, `${server.url}${BASE}/${id}`);
    assert.equal(added.json<ClaimJson>().regEx, '^[A-Z]{2,5}$');
    const read = (await c.get(`${BASE}/${id}`, { auth: ADMIN })).json<ClaimJson>();
    assert.deepEqual([read.displayName, read.displayOrder, read.supportedByDefault, read.hidden], ['Department', 40, true, false]);

    const tenant = (await server.services.tenants.findByDomain('carbon.super'))!;
    const user = await server.services.users.create(tenant, { username: 'dee', password: 'password-1234' });
    await assert.rejects(server.services.claimValues.set(user, { [DEPT]: 'lowercase' }), /Invalid claim/);
    await server.services.claimValues.set(user, { [DEPT]: 'ENG' });
    assert.deepEqual(await server.services.users.storeOf(user).getAttributes(user, ['departmentNumber']), { departmentNumber: 'ENG' });

    const updated = await c.request(`${BASE}/${id}`, { method: 'PUT', json: department({ displayName: 'Dept', attributeMapping: [{ mappedAttribute: 'dept', userstore: 'primary' }] }), auth: ADMIN });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.json<ClaimJson>().attributeMapping, [{ mappedAttribute: 'dept', userstore: 'PRIMARY' }]);
    assert.equal((await c.get(`${BASE}/${id}`, { auth: ADMIN })).json<ClaimJson>().displayName, 'Dept');

    const del = await c.request(`${BASE}/${id}`, { method: 'DELETE', auth: ADMIN });
    assert.equal(del.status, 204);
    assert.deepEqual([(await c.get(`${BASE}/${id}`, { auth: ADMIN })).status, (await c.get(`${BASE}/${id}`, { auth: ADMIN })).json<{ code: string }>().code], [404, 'CLM-40401']);
  });

  test('validation errors are 400 with a code; conflicts 409; default claims stay', async () => {
    const code = async (r: Promise<{ status: number; json<T>(): T }>) => {
      const res = await r;
      return [res.status, res.json<{ code: string }>().code];
    };
    assert.deepEqual(await code(c.post(BASE, { json: { displayName: 'x', attributeMapping: [] }, auth: ADMIN })), [400, 'PCS-40001']);
    assert.deepEqual(await code(c.post(BASE, { json: department({ attributeMapping: [] }), auth: ADMIN })), [400, 'PCS-40001']);
    assert.deepEqual(await code(c.post(BASE, { json: department({ claimURI: 'urn:not-local' }), auth: ADMIN })), [400, 'CLM-40001']);
    assert.deepEqual(await code(c.post(BASE, { json: department({ regEx: '([' }), auth: ADMIN })), [400, 'CLM-40003']);
    assert.deepEqual(await code(c.post(BASE, { json: department({ attributeMapping: [{ mappedAttribute: 'has space', userstore: 'PRIMARY' }] }), auth: ADMIN })), [400, 'CLM-40001']);
    assert.deepEqual(await code(c.post(BASE, { json: department({ properties: [{ key: 'isUnique', value: 'true' }] }), auth: ADMIN })), [400, 'CLM-40001']);
    assert.deepEqual(await code(c.post(BASE, { json: department({ displayOrder: 'first' }), auth: ADMIN })), [400, 'PCS-40001']);
    assert.deepEqual(await code(c.post(BASE, { json: department({ claimURI: CLAIMS.email }), auth: ADMIN })), [409, 'CLM-40901']);
    const email = claimId(CLAIMS.email);
    assert.deepEqual(await code(c.request(`${BASE}/${email}`, { method: 'DELETE', auth: ADMIN })), [400, 'CLM-40002']);
    assert.deepEqual(await code(c.request(`${BASE}/${claimId(`${DEPT}-none`)}`, { method: 'DELETE', auth: ADMIN })), [404, 'CLM-40401']);
    assert.deepEqual(await code(c.request(`${BASE}/${claimId(`${DEPT}-none`)}`, { method: 'PUT', json: department({ claimURI: `${DEPT}-none` }), auth: ADMIN })), [404, 'CLM-40401']);
    assert.deepEqual(await code(c.request(`${BASE}/${email}`, { method: 'PUT', json: department(), auth: ADMIN })), [400, 'CLM-40001'], 'the URI cannot change');
    // The TOTP secret stays hidden and read-only whatever an admin sends.
    const secret = claimId(CLAIMS.secretKey);
    const unhide = c.request(`${BASE}/${secret}`, { method: 'PUT', json: { claimURI: CLAIMS.secretKey, displayName: 'Secret Key', attributeMapping: [{ mappedAttribute: 'totpSecretkey', userstore: 'PRIMARY' }], hidden: false, readOnly: true }, auth: ADMIN });
    assert.deepEqual(await code(unhide), [400, 'CLM-40002']);
    assert.equal((await c.get(`${BASE}/${secret}`, { auth: ADMIN })).json<ClaimJson>().hidden, true);
  });

  test('a claim with a long URI is reachable by its id (ids are longer than the router\'s default parameter bound)', async () => {
    const uri = `${DEPT}/${'x'.repeat(150)}`;
    assert.equal((await c.post(BASE, { json: department({ claimURI: uri }), auth: ADMIN })).status, 201);
    assert.ok(claimId(uri).length > 100);
    const read = await c.get(`${BASE}/${claimId(uri)}`, { auth: ADMIN });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json<ClaimJson>().claimURI, uri);
  });

  test('tenant admins only, and each tenant has its own claims', async () => {
    assert.equal((await c.get(BASE)).status, 401);
    const tenant = (await server.services.tenants.findByDomain('carbon.super'))!;
    await server.services.users.create(tenant, { username: 'nobody', password: 'password-1234' });
    assert.equal((await c.get(BASE, { auth: ['nobody', 'password-1234'] })).status, 403);
    const created = await c.post('/api/server/v1/tenants', { json: { domain: 'claims.example', owners: [{ username: 'owner', password: 'owner password' }] }, auth: ADMIN });
    assert.equal(created.status, 201, created.text);
    const added = await c.post(`/t/claims.example${BASE}`, { json: department({ claimURI: `${DEPT}2` }), auth: ['owner', 'owner password'] });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.location, `${server.url}/t/claims.example${BASE}/${claimId(`${DEPT}2`)}`);
    assert.equal((await c.get(`${BASE}/${claimId(`${DEPT}2`)}`, { auth: ADMIN })).status, 404, 'not in carbon.super');
    assert.equal((await c.get(`${BASE}/${claimId(`${DEPT}2`)}`, { auth: ['owner@claims.example', 'owner password'] })).status, 200);
  });
});
