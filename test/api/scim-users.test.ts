// SCIM 2.0 Users in the super tenant over HTTPS, as a provisioning client sees it (RFC 7643/7644).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { claimOf } from '../support/fixtures.ts';
import type { TestClient } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Json = Record<string, unknown>;
interface ScimError {
  schemas: string[];
  status: string;
  scimType?: string;
  detail: string;
  code: string;
}
interface ListResponse {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: Json[];
}

function assertScimError(r: { status: number; headers: Record<string, unknown>; json<T>(): T }, status: number, scimType?: string): ScimError {
  assert.equal(r.status, status);
  assert.match(String(r.headers['content-type']), /^application\/scim\+json/);
  const body = r.json<ScimError>();
  assert.deepEqual(body.schemas, [ERROR_SCHEMA]);
  assert.equal(body.status, String(status));
  assert.equal(body.scimType, scimType);
  assert.ok(body.detail.length > 0);
  return body;
}

describe('SCIM 2.0 Users (super tenant)', () => {
  let server: TestServer;
  let c: TestClient;
  const create = (json: Json) => c.post('/scim2/Users', { json, auth: ADMIN });
  const superTenant = async () => (await server.services.tenants.findByDomain('carbon.super'))!;

  before(async () => {
    server = await startTestServer();
    c = server.client();
  });
  after(async () => server?.close());

  test('create, then read back: 201, Location, meta, mapped claims; the password is never returned', async () => {
    const r = await c.post('/scim2/Users', {
      body: JSON.stringify({
        schemas: [USER_SCHEMA],
        userName: 'alice',
        password: 'correct horse battery',
        name: { givenName: 'Alice', familyName: 'Liddell' },
        emails: [{ value: 'alice@work.example', type: 'work' }, { value: 'alice@example.org', primary: true }],
        phoneNumbers: [{ value: '+15550100', type: 'mobile' }],
        displayName: 'Alice L.',
        nickName: 'Al',
        title: 'Explorer',
        locale: 'en_GB',
      }),
      headers: { 'content-type': 'application/scim+json' },
      auth: ADMIN,
    });
    assert.equal(r.status, 201, r.text);
    assert.match(String(r.headers['content-type']), /^application\/scim\+json/);
    const user = r.json<Json & { id: string; meta: Json }>();
    assert.match(user.id, /^[0-9a-f-]{36}$/);
    assert.equal(r.location, `${server.url}/scim2/Users/${user.id}`);
    assert.deepEqual(user.schemas, [USER_SCHEMA, 'urn:scim:wso2:schema']);
    assert.equal(user.userName, 'alice');
    assert.deepEqual(user.name, { givenName: 'Alice', familyName: 'Liddell' });
    assert.deepEqual(user.emails, [{ value: 'alice@example.org', primary: true }], 'the primary address is the email claim');
    assert.deepEqual(user.phoneNumbers, [{ value: '+15550100', type: 'mobile' }]);
    assert.equal(user.active, true);
    assert.deepEqual(user['urn:scim:wso2:schema'], { accountLocked: false });
    assert.equal(user.meta.resourceType, 'User');
    assert.equal(user.meta.location, r.location);
    assert.ok(!Number.isNaN(Date.parse(String(user.meta.created))));
    assert.ok(!r.text.includes('correct horse'), 'no password in the response');

    const read = await c.get(`/scim2/Users/${user.id}`, { auth: ADMIN });
    assert.equal(read.status, 200);
    assert.deepEqual(read.json(), user);
    // The claims are where the rest of the server reads them.
    const tenant = await superTenant();
    const record = (await server.services.users.find(tenant, 'alice'))!;
    assert.equal(await server.services.claimValues.getOne(record, CLAIMS.email), 'alice@example.org');
    assert.equal(await server.services.claimValues.getOne(record, CLAIMS.givenName), 'Alice');
    // And the new user can log in with the password.
    const me = await server.services.users.authenticate(tenant, 'alice', 'correct horse battery');
    assert.equal(me?.id, user.id);
  });

  test('duplicate userName is 409 uniqueness, case-insensitively', async () => {
    await create({ userName: 'dupe', password: 'password-1234' });
    assertScimError(await create({ userName: 'DUPE', password: 'password-1234' }), 409, 'uniqueness');
  });

  test('bad input is 400 with a clear detail and creates nothing', async () => {
    const weak = assertScimError(await create({ userName: 'weak', password: 'short' }), 400, 'invalidValue');
    assert.match(weak.detail, /at least 8 characters/);
    assert.equal(weak.code, 'USR-40002');
    assert.match(assertScimError(await create({ password: 'password-1234' }), 400, 'invalidValue').detail, /userName is required/);
    assert.match(assertScimError(await create({ userName: 'nopass' }), 400, 'invalidValue').detail, /password is required/);
    assert.match(assertScimError(await create({ userName: 'bad name', password: 'password-1234' }), 400, 'invalidValue').code, /USR-40001/);
    assert.match(assertScimError(await create({ userName: 'badmail', password: 'password-1234', emails: ['not-an-email'] }), 400, 'invalidValue').detail, /Email/);
    assert.match(assertScimError(await create({ userName: 'badtype', password: 'password-1234', title: 42 }), 400, 'invalidValue').detail, /title must be a string/);
    assert.match(assertScimError(await create({ userName: 'fax', password: 'password-1234', phoneNumbers: [{ value: '1', type: 'fax' }] }), 400, 'invalidValue').detail, /fax/);
    assertScimError(await create({ userName: 'NOSUCHSTORE/x', password: 'password-1234' }), 400, 'invalidValue');
    const notJson = await c.post('/scim2/Users', { body: '{"userName":', headers: { 'content-type': 'application/scim+json' }, auth: ADMIN });
    assertScimError(notJson, 400, 'invalidSyntax');
    const notObject = await c.post('/scim2/Users', { body: '["alice"]', headers: { 'content-type': 'application/json' }, auth: ADMIN });
    assert.match(assertScimError(notObject, 400, 'invalidSyntax').detail, /SCIM User object/);
    const list = await c.get('/scim2/Users?filter=userName%20sw%20%22b%22', { auth: ADMIN });
    assert.deepEqual(list.json<ListResponse>().Resources.map((u) => u.userName), [], 'the refused users were not created (badmail included)');
  });

  test('authentication: none or wrong password is 401 with WWW-Authenticate; a non-admin user is 403', async () => {
    const none = await c.get('/scim2/Users');
    assertScimError(none, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm=/);
    const wrong = await c.get('/scim2/Users', { auth: ['admin', 'wrong'] });
    assertScimError(wrong, 401);
    assert.match(String(wrong.headers['www-authenticate']), /^Basic/);
    await create({ userName: 'plainuser', password: 'plain-password-1' });
    const forbidden = assertScimError(await c.get('/scim2/Users', { auth: ['plainuser', 'plain-password-1'] }), 403);
    assert.equal(forbidden.code, 'PCS-40300');
    assertScimError(await c.post('/scim2/Users', { json: { userName: 'x', password: 'password-1234' }, auth: ['plainuser', 'plain-password-1'] }), 403);
  });

  test('unknown ids and paths are SCIM 404s', async () => {
    assert.equal(assertScimError(await c.get('/scim2/Users/00000000-0000-0000-0000-000000000000', { auth: ADMIN }), 404).code, 'USR-40401');
    assertScimError(await c.get('/scim2/Groups', { auth: ADMIN }), 404);
    assertScimError(await c.request('/scim2/Users/nope', { method: 'DELETE', auth: ADMIN }), 404);
  });

  test('filters: eq/ne/co/sw/ew/pr on userName, emails, names; and/or with parentheses; escapes', async () => {
    const people = [
      ['fbob', 'Bob', 'Builder', 'bob@build.example'],
      ['fcarol', 'Carol', 'Danvers', 'carol@marvel.example'],
      ['fdave', 'Dave', 'Builder', 'dave@build.example'],
      ['f"quote', 'Quincy', 'Q', undefined],
    ] as const;
    for (const [userName, givenName, familyName, email] of people) {
      const r = await create({ userName, password: 'password-1234', name: { givenName, familyName }, ...(email ? { emails: [email] } : {}) });
      assert.equal(r.status, 201, r.text);
    }
    const names = async (filter: string) => {
      const r = await c.get(`/scim2/Users?filter=${encodeURIComponent(filter)}`, { auth: ADMIN });
      assert.equal(r.status, 200, r.text);
      return r.json<ListResponse>().Resources.map((u) => u.userName).sort();
    };
    assert.deepEqual(await names('userName eq "FBOB"'), ['fbob']);
    assert.deepEqual(await names('userName sw "f" and name.familyName eq "builder"'), ['fbob', 'fdave']);
    assert.deepEqual(await names('emails co "@build."'), ['fbob', 'fdave']);
    assert.deepEqual(await names('emails.value ew "marvel.example"'), ['fcarol']);
    assert.deepEqual(await names('name.givenName sw "Ca" or name.givenName eq "Dave"'), ['fcarol', 'fdave']);
    assert.deepEqual(await names('userName sw "f" and (emails pr and not (name.familyName eq "Builder"))'), ['fcarol']);
    assert.deepEqual(await names('userName sw "f" and name.familyName ne "Builder"'), ['f"quote', 'fcarol']);
    assert.deepEqual(await names('userName eq "f\\"quote"'), ['f"quote']);
    assert.deepEqual(await names('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "fcarol"'), ['fcarol']);
    assert.deepEqual(await names('userName eq "PRIMARY/fcarol"'), ['fcarol']);
    // `and` binds tighter than `or`.
    assert.deepEqual(await names('userName eq "fbob" or userName sw "f" and name.givenName eq "Carol"'), ['fbob', 'fcarol']);

    const bad = async (filter: string, detail: RegExp) =>
      assert.match(assertScimError(await c.get(`/scim2/Users?filter=${encodeURIComponent(filter)}`, { auth: ADMIN }), 400, 'invalidFilter').detail, detail);
    await bad('userName eq', /value is missing/);
    await bad('userName eq "a" and (', /ends where/);
    await bad('password eq "x"', /'password' is not supported/);
    await bad('userName gt "a"', /'gt' is not supported/);
  });

  test('paging: startIndex is 1-based, count is capped, totalResults counts all matches', async () => {
    for (let i = 0; i < 5; i++) await create({ userName: `page${i}`, password: 'password-1234' });
    const page = async (query: string) => {
      const r = await c.get(`/scim2/Users?filter=${encodeURIComponent('userName sw "page"')}&${query}`, { auth: ADMIN });
      assert.equal(r.status, 200, r.text);
      return r.json<ListResponse & { schemas: string[] }>();
    };
    const p2 = await page('startIndex=2&count=2');
    assert.deepEqual(p2.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    assert.deepEqual([p2.totalResults, p2.startIndex, p2.itemsPerPage], [5, 2, 2]);
    assert.deepEqual(p2.Resources.map((u) => u.userName), ['page1', 'page2']);
    const all = await page('startIndex=0&count=1000');
    assert.deepEqual([all.startIndex, all.itemsPerPage], [1, 5], 'startIndex < 1 means 1');
    const none = await page('count=-3');
    assert.deepEqual([none.totalResults, none.itemsPerPage, none.Resources.length], [5, 0, 0], 'a negative count means 0');
    const past = await page('startIndex=99');
    assert.deepEqual([past.totalResults, past.itemsPerPage], [5, 0]);
    assertScimError(await c.get('/scim2/Users?count=many', { auth: ADMIN }), 400, 'invalidValue');
    assertScimError(await c.get('/scim2/Users?startIndex=100000000000000000000', { auth: ADMIN }), 400, 'invalidValue');
    const capped = await c.get('/scim2/Users?count=1000', { auth: ADMIN });
    assert.ok(capped.json<ListResponse>().itemsPerPage <= 100);
  });

  test('POST /Users/.search and attributes/excludedAttributes', async () => {
    const r = await c.post('/scim2/Users/.search', {
      json: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "alice"', attributes: ['userName', 'name.givenName'] },
      auth: ADMIN,
    });
    assert.equal(r.status, 200, r.text);
    const [alice] = r.json<ListResponse>().Resources;
    assert.deepEqual(Object.keys(alice!).sort(), ['id', 'name', 'schemas', 'userName']);
    assert.deepEqual(alice!.name, { givenName: 'Alice' });
    const excluded = await c.get(`/scim2/Users/${String(alice!.id)}?excludedAttributes=meta,emails`, { auth: ADMIN });
    assert.equal(excluded.json<Json>().meta, undefined);
    assert.equal(excluded.json<Json>().emails, undefined);
    assert.equal(excluded.json<Json>().userName, 'alice');
    assertScimError(await c.post('/scim2/Users/.search', { json: { schemas: ['urn:wrong'] }, auth: ADMIN }), 400, 'invalidSyntax');
  });

  test('PUT replaces: omitted attributes are cleared, userName cannot change, password optional', async () => {
    const created = (await create({ userName: 'putme', password: 'password-1234', name: { givenName: 'Put', familyName: 'Me' }, title: 'Old', emails: ['put@example.org'] })).json<{ id: string }>();
    const url = `/scim2/Users/${created.id}`;
    const r = await c.request(url, { method: 'PUT', json: { schemas: [USER_SCHEMA], userName: 'PUTME', name: { givenName: 'Putty' }, emails: [{ value: 'new@example.org' }] }, auth: ADMIN });
    assert.equal(r.status, 200, r.text);
    const user = r.json<Json>();
    assert.deepEqual(user.name, { givenName: 'Putty' });
    assert.equal(user.title, undefined);
    assert.deepEqual(user.emails, [{ value: 'new@example.org', primary: true }]);
    assert.equal(user.userName, 'putme');
    assert.deepEqual((await c.get(url, { auth: ADMIN })).json(), user);
    assertScimError(await c.request(url, { method: 'PUT', json: { userName: 'renamed' }, auth: ADMIN }), 400, 'mutability');
    assertScimError(await c.request(url, { method: 'PUT', json: { name: { givenName: 'x' } }, auth: ADMIN }), 400, 'invalidValue');
    const weak = assertScimError(await c.request(url, { method: 'PUT', json: { userName: 'putme', password: 'short', title: 'Unsaved' }, auth: ADMIN }), 400, 'invalidValue');
    assert.match(weak.detail, /at least 8/);
    assert.equal((await c.get(url, { auth: ADMIN })).json<Json>().title, undefined, 'a refused PUT changes nothing');
    const pw = await c.request(url, { method: 'PUT', json: { userName: 'putme', password: 'a new password' }, auth: ADMIN });
    assert.equal(pw.status, 200);
    assert.ok(await server.services.users.authenticate(await superTenant(), 'putme', 'a new password'));
  });

  test('PATCH: replace with and without path, add password, remove, unlock through the WSO2 extension', async () => {
    const created = (await create({ userName: 'patchme', password: 'password-1234', name: { givenName: 'Pat' }, title: 'T' })).json<{ id: string }>();
    const url = `/scim2/Users/${created.id}`;
    const patch = (...Operations: unknown[]) => c.request(url, { method: 'PATCH', json: { schemas: [PATCH_OP], Operations }, auth: ADMIN });
    let r = await patch({ op: 'replace', path: 'name.givenName', value: 'Patricia' }, { op: 'replace', value: { name: { familyName: 'Smith' }, emails: [{ value: 'pat@example.org', primary: true }] } }, { op: 'remove', path: 'title' });
    assert.equal(r.status, 200, r.text);
    let user = r.json<Json>();
    assert.deepEqual(user.name, { givenName: 'Patricia', familyName: 'Smith' });
    assert.deepEqual(user.emails, [{ value: 'pat@example.org', primary: true }]);
    assert.equal(user.title, undefined);

    r = await patch({ op: 'add', path: 'password', value: 'patched password' });
    assert.equal(r.status, 200, r.text);
    const tenant = await superTenant();
    assert.ok(await server.services.users.authenticate(tenant, 'patchme', 'patched password'));

    // A locked account (as the TOTP authenticator leaves it) is unlocked by the admin; counters are cleared.
    const record = (await server.services.users.findById(tenant, created.id))!;
    await server.services.security.update(record, { accountLocked: true, lockedReason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', failedTotpAttempts: 5 });
    user = (await c.get(url, { auth: ADMIN })).json<Json>();
    assert.deepEqual(user['urn:scim:wso2:schema'], { accountLocked: true, lockedReason: 'MAX_TOTP_ATTEMPTS_EXCEEDED' });
    r = await patch({ op: 'replace', path: 'urn:scim:wso2:schema:accountLocked', value: false });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json<Json>()['urn:scim:wso2:schema'], { accountLocked: false });
    const state = await server.services.security.get(record);
    assert.deepEqual([state.accountLocked, state.failedTotpAttempts, state.lockedReason], [false, 0, null]);

    r = await patch({ op: 'replace', value: { active: 'False' } });
    assert.equal(r.json<Json>().active, false, 'Entra-style "False" disables the account');
    assert.equal(await server.services.claimValues.getOne(record, CLAIMS.accountDisabled), 'true');

    assertScimError(await patch({ op: 'replace', path: 'userName', value: 'other' }), 400, 'mutability');
    assertScimError(await patch({ op: 'replace', path: 'urn:scim:wso2:schema:lockedReason', value: 'x' }), 400, 'mutability');
    assertScimError(await patch({ op: 'replace', path: 'groups', value: [] }), 400, 'invalidPath');
    assertScimError(await patch({ op: 'remove' }), 400, 'noTarget');
    assertScimError(await patch({ op: 'add', path: 'password', value: 'short' }), 400, 'invalidValue');
    assertScimError(await c.request(url, { method: 'PATCH', json: { Operations: 'nope' }, auth: ADMIN }), 400, 'invalidSyntax');
  });

  test('DELETE: 204, then 404; the tenant admin cannot be deleted', async () => {
    const created = (await create({ userName: 'deleteme', password: 'password-1234' })).json<{ id: string }>();
    const del = await c.request(`/scim2/Users/${created.id}`, { method: 'DELETE', auth: ADMIN });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertScimError(await c.get(`/scim2/Users/${created.id}`, { auth: ADMIN }), 404);
    const admin = (await c.get('/scim2/Users?filter=userName%20eq%20%22admin%22', { auth: ADMIN })).json<ListResponse>().Resources[0]!;
    assertScimError(await c.request(`/scim2/Users/${String(admin.id)}`, { method: 'DELETE', auth: ADMIN }), 403);
  });

  test('hidden claims (the TOTP secret) never appear in SCIM output', async () => {
    const created = (await create({ userName: 'totpuser', password: 'password-1234' })).json<{ id: string }>();
    const tenant = await superTenant();
    const record = (await server.services.users.findById(tenant, created.id))!;
    await server.services.claimValues.set(record, { [CLAIMS.secretKey]: 'JBSWY3DPEHPK3PXP', [CLAIMS.verifySecretKey]: 'KRSXG5CTMVRXEZLU', [CLAIMS.totpEnabled]: 'true' });
    const outputs = [
      await c.get(`/scim2/Users/${created.id}`, { auth: ADMIN }),
      await c.get('/scim2/Users?filter=userName%20eq%20%22totpuser%22', { auth: ADMIN }),
      await c.get(`/scim2/Users/${created.id}?attributes=urn:scim:wso2:schema:secretkey,secretkey`, { auth: ADMIN }),
      await c.request(`/scim2/Users/${created.id}`, { method: 'PATCH', json: { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, auth: ADMIN }),
    ];
    for (const r of outputs) {
      assert.equal(r.status, 200, r.text);
      assert.ok(!r.text.includes('JBSWY3DPEHPK3PXP') && !r.text.includes('KRSXG5CTMVRXEZLU'), r.text);
      assert.ok(!/secret/i.test(r.text));
    }
    assert.equal(await claimOf(server, record, CLAIMS.secretKey), 'JBSWY3DPEHPK3PXP', 'the PATCH left the secret alone');
  });

  test('discovery documents are public and truthful', async () => {
    const spc = await c.get('/scim2/ServiceProviderConfig');
    assert.equal(spc.status, 200);
    assert.match(String(spc.headers['content-type']), /^application\/scim\+json/);
    const config = spc.json<Record<string, Json>>();
    assert.deepEqual([config.patch!.supported, config.bulk!.supported, config.filter!.supported, config.filter!.maxResults, config.sort!.supported, config.etag!.supported], [true, false, true, 100, false, false]);
    assert.equal((config.authenticationSchemes as unknown as Json[])[0]!.type, 'httpbasic');
    const types = (await c.get('/scim2/ResourceTypes')).json<ListResponse>();
    assert.deepEqual(types.Resources.map((t) => [t.id, t.endpoint, t.schema]), [['User', '/Users', USER_SCHEMA]]);
    const schemas = (await c.get('/scim2/Schemas')).json<ListResponse>();
    assert.deepEqual(schemas.Resources.map((s) => s.id), [USER_SCHEMA, 'urn:scim:wso2:schema']);
    const user = (await c.get(`/scim2/Schemas/${USER_SCHEMA}`)).json<{ attributes: { name: string; returned: string }[] }>();
    assert.equal(user.attributes.find((a) => a.name === 'password')?.returned, 'never');
    assert.equal((await c.get('/scim2/Schemas/urn:nope')).status, 404);
  });
});
