// /api/server/v1/applications as an admin uses it: WSO2's shape, per-tenant, sequences checked against
// the authenticators this deployment has.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const steps = (...names: string[][]) => ({
  type: 'USER_DEFINED',
  steps: names.map((options, i) => ({ id: i + 1, options: options.map((authenticator) => ({ idp: 'LOCAL', authenticator })) })),
  subjectStepId: 1,
  attributeStepId: 1,
});

describe('applications API', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  test('create with steps basic then totp, read, list, patch, delete', async () => {
    const c = server.client();
    const created = await c.post('/api/server/v1/applications', {
      auth: ADMIN,
      json: { name: 'travelocity', description: 'Sample', authenticationSequence: steps(['BasicAuthenticator'], ['totp']) },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.json<{ id: string }>().id;
    assert.match(String(created.headers.location), new RegExp(`/api/server/v1/applications/${id}$`));
    const got = await c.get(`/api/server/v1/applications/${id}`, { auth: ADMIN });
    assert.deepEqual(got.json<{ authenticationSequence: unknown }>().authenticationSequence, steps(['BasicAuthenticator'], ['totp']));
    const list = await c.get('/api/server/v1/applications', { auth: ADMIN });
    const names = list.json<{ applications: { name: string }[] }>().applications.map((a) => a.name);
    assert.ok(names.includes('travelocity') && names.includes('My Account'));
    const patched = await c.request(`/api/server/v1/applications/${id}`, { method: 'PATCH', auth: ADMIN, json: { authenticationSequence: steps(['basic']) } });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.json<{ authenticationSequence: unknown }>().authenticationSequence, steps(['BasicAuthenticator']), 'aliases are stored by their canonical names');
    assert.equal((await c.request(`/api/server/v1/applications/${id}`, { method: 'DELETE', auth: ADMIN })).status, 204);
    assert.equal((await c.get(`/api/server/v1/applications/${id}`, { auth: ADMIN })).status, 404);
  });

  test('unknown authenticators, TOTP without an earlier identifying step, gaps and bad names are refused clearly', async () => {
    const c = server.client();
    const bad = async (body: unknown, code: string, pattern: RegExp) => {
      const r = await c.post('/api/server/v1/applications', { auth: ADMIN, json: body });
      assert.equal(r.status, 400, r.text);
      const e = r.json<{ code: string; description: string }>();
      assert.equal(e.code, code);
      assert.match(e.description, pattern);
    };
    await bad({ name: 'x1', authenticationSequence: steps(['basic'], ['sms-otp']) }, 'APP-40002', /Step 2: there is no authenticator named "sms-otp"/);
    await bad({ name: 'x2', authenticationSequence: steps(['totp']) }, 'APP-40001', /needs a user identified by an earlier step/);
    await bad({ name: 'x3', authenticationSequence: { type: 'USER_DEFINED', steps: [{ id: 2, options: [{ idp: 'LOCAL', authenticator: 'basic' }] }] } }, 'APP-40001', /without gaps/);
    await bad({ name: 'x4', authenticationSequence: steps(['basic']).steps && { ...steps(['basic']), steps: [{ id: 1, options: [{ idp: 'Google', authenticator: 'basic' }] }] } }, 'APP-40002', /identity provider "Google"/);
    await bad({ name: ' ', authenticationSequence: steps(['basic']) }, 'APP-40001', /name/);
    const dup = await c.post('/api/server/v1/applications', { auth: ADMIN, json: { name: 'dup' } });
    assert.equal(dup.status, 201);
    const again = await c.post('/api/server/v1/applications', { auth: ADMIN, json: { name: 'DUP' } });
    assert.equal(again.status, 409);
  });

  test('an application cannot ask for a TOTP secret or an identity claim, as subject or requested claim, on create or update', async () => {
    const c = server.client();
    const SECRET = 'http://wso2.org/claims/identity/secretkey';
    const PENDING = 'http://wso2.org/claims/identity/verifySecretkey';
    const LOCKED = 'http://wso2.org/claims/identity/accountLocked';
    const EMAIL = 'http://wso2.org/claims/emailaddress';
    const requested = (...uris: string[]) => uris.map((uri) => ({ claim: { uri }, mandatory: false }));
    const refused = async (r: { status: number; text: string; json<T>(): T }, path: string, uri: string) => {
      assert.equal(r.status, 400, r.text);
      const e = r.json<{ code: string; description: string }>();
      assert.equal(e.code, 'APP-40001');
      assert.ok(e.description.includes(path) && e.description.includes(uri), e.description);
    };
    const create = (name: string, claimConfiguration: unknown) => c.post('/api/server/v1/applications', { auth: ADMIN, json: { name, claimConfiguration } });
    await refused(await create('seed-subject', { requestedClaims: [], subject: { claim: { uri: SECRET } } }), 'claimConfiguration.subject.claim.uri', SECRET);
    await refused(await create('seed-attr', { requestedClaims: requested(EMAIL, SECRET) }), 'claimConfiguration.requestedClaims[1]', SECRET);
    await refused(await create('pending-attr', { requestedClaims: requested(PENDING) }), 'claimConfiguration.requestedClaims[0]', PENDING);
    await refused(await create('lock-attr', { requestedClaims: requested(LOCKED) }), 'claimConfiguration.requestedClaims[0]', LOCKED);
    await refused(await create('case-subject', { requestedClaims: [], subject: { claim: { uri: SECRET.toUpperCase().replace('HTTP://WSO2.ORG', 'http://wso2.org') } } }), 'subject', 'SECRETKEY');
    const names = (await c.get('/api/server/v1/applications', { auth: ADMIN })).json<{ applications: { name: string }[] }>().applications.map((a) => a.name);
    assert.ok(!names.some((n) => /seed|pending|lock-attr|case-subject/.test(n)), 'nothing refused was stored');

    const ok = await create('profile-app', { requestedClaims: requested(EMAIL), subject: { claim: { uri: EMAIL } } });
    assert.equal(ok.status, 201, ok.text);
    const id = ok.json<{ id: string }>().id;
    const patch = (claimConfiguration: unknown) => c.request(`/api/server/v1/applications/${id}`, { method: 'PATCH', auth: ADMIN, json: { claimConfiguration } });
    await refused(await patch({ requestedClaims: [], subject: { claim: { uri: SECRET } } }), 'claimConfiguration.subject.claim.uri', SECRET);
    await refused(await patch({ requestedClaims: requested(PENDING) }), 'claimConfiguration.requestedClaims[0]', PENDING);
    const kept = (await c.get(`/api/server/v1/applications/${id}`, { auth: ADMIN })).json<{ claimConfiguration: unknown }>().claimConfiguration;
    assert.deepEqual(kept, { requestedClaims: requested(EMAIL), subject: { claim: { uri: EMAIL } } }, 'a refused update changes nothing');
  });

  test('My Account is built in: its steps can change, it cannot be deleted or renamed', async () => {
    const c = server.client();
    const list = await c.get('/api/server/v1/applications', { auth: ADMIN });
    const my = list.json<{ applications: { id: string; name: string }[] }>().applications.find((a) => a.name === 'My Account')!;
    const patched = await c.request(`/api/server/v1/applications/${my.id}`, { method: 'PATCH', auth: ADMIN, json: { authenticationSequence: steps(['basic'], ['totp']) } });
    assert.equal(patched.status, 200);
    assert.equal((await c.request(`/api/server/v1/applications/${my.id}`, { method: 'DELETE', auth: ADMIN })).status, 403);
    assert.equal((await c.request(`/api/server/v1/applications/${my.id}`, { method: 'PATCH', auth: ADMIN, json: { name: 'Mine' } })).status, 403);
  });

  test('applications are per tenant and admin-only', async () => {
    const c = server.client();
    const tenant = await c.post('/api/server/v1/tenants', {
      auth: ADMIN,
      json: { domain: 'apps.example', owners: [{ username: 'boss', password: 'a long password', email: 'boss@apps.example' }] },
    });
    assert.equal(tenant.status, 201, tenant.text);
    const mine = await c.post('/t/apps.example/api/server/v1/applications', { auth: ['boss@apps.example', 'a long password'], json: { name: 'tenant-app' } });
    assert.equal(mine.status, 201);
    const superList = await c.get('/api/server/v1/applications', { auth: ADMIN });
    assert.ok(!superList.text.includes('tenant-app'));
    const id = mine.json<{ id: string }>().id;
    assert.equal((await c.get(`/api/server/v1/applications/${id}`, { auth: ADMIN })).status, 404);
    const user = await c.post('/scim2/Users', { auth: ADMIN, json: { userName: 'plainuser', password: 'plain user password' } });
    assert.equal(user.status, 201, user.text);
    assert.equal((await c.get('/api/server/v1/applications', { auth: ['plainuser', 'plain user password'] })).status, 403);
  });

  test('the TOTP configs API: tenant overrides are validated like the file and can be removed', async () => {
    const c = server.client();
    const put = await c.request('/api/server/v1/configs/authenticators/totp', {
      method: 'PUT',
      auth: ADMIN,
      json: { properties: [{ key: 'windowSize', value: '5' }, { key: 'encodingMethod', value: 'Base64' }] },
    });
    assert.equal(put.status, 200, put.text);
    const props = Object.fromEntries(put.json<{ properties: { key: string; value: string }[] }>().properties.map((p) => [p.key, p.value]));
    assert.equal(props.windowSize, '5');
    assert.equal(props.encodingMethod, 'Base64');
    assert.equal(props.timeStepSize, '30', 'other parameters keep the file value');
    const bad = await c.request('/api/server/v1/configs/authenticators/totp', { method: 'PUT', auth: ADMIN, json: { properties: [{ key: 'windowSize', value: 'wide' }, { key: 'nope', value: '1' }] } });
    assert.equal(bad.status, 400);
    assert.match(bad.json<{ description: string }>().description, /windowSize.*nope|nope.*windowSize/s);
    assert.equal((await c.request('/api/server/v1/configs/authenticators/totp', { method: 'DELETE', auth: ADMIN })).status, 204);
    const back = await c.get('/api/server/v1/configs/authenticators/totp', { auth: ADMIN });
    assert.ok(back.json<{ properties: { key: string; value: string }[] }>().properties.some((p) => p.key === 'windowSize' && p.value === '3'));
  });
});
