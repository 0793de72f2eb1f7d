// SCIM 2.0 Users across user stores, as a provisioning client sees it: PRIMARY, a writable LDAP store (slapd), a
// writable JDBC store (PostgreSQL, tables Portcullis creates) and a read-only JDBC store (MariaDB, an existing
// table). Listing pages across store boundaries, filters mapped through each store's attributes, reads, writes
// that really land in the directory and the tables (read back with ldapsearch and SQL), and writes to the
// read-only store refused with a SCIM error naming the store, changing nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestClient } from '../support/http-client.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { PASSWORDS, SEEDED, StoreFixture, storesReady } from '../support/store-fixture.ts';
import { provisionTenant } from '../support/tenants.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Json = Record<string, unknown>;
interface ScimUser extends Json {
  id: string;
  userName: string;
  emails?: { value: string }[];
  name?: { givenName?: string; familyName?: string };
}
interface ListResponse {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimUser[];
}

const skip = await storesReady();

describe('SCIM Users across user stores', { skip }, () => {
  let fx: StoreFixture;
  let c: TestClient;

  before(async () => {
    fx = await StoreFixture.start();
    c = fx.server.client();
    await setMyAccountSteps(fx.server, [['BasicAuthenticator']]);
  });
  after(async () => fx?.close());

  async function list(query: string, prefix = '', auth = ADMIN): Promise<ListResponse> {
    const r = await c.request(`${prefix}/scim2/Users?${query}`, { auth });
    assert.equal(r.status, 200, r.text);
    return r.json<ListResponse>();
  }
  const names = (page: ListResponse) => page.Resources.map((u) => u.userName);
  const filtered = async (filter: string) => names(await list(`filter=${encodeURIComponent(filter)}`));
  async function byName(userName: string): Promise<ScimUser> {
    const page = await list(`filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    assert.equal(page.totalResults, 1, `${userName} is found once`);
    return page.Resources[0]!;
  }
  async function signsIn(username: string, password: string): Promise<boolean> {
    const browser = new LoginBrowser(fx.server.client());
    const page = await browser.login(await browser.open('/myaccount'), username, password);
    return page.name === 'myaccount';
  }
  function scimError(r: { status: number; json<T>(): T }, status: number, scimType: string): { detail: string; code: string } {
    assert.equal(r.status, status);
    const body = r.json<{ status: string; scimType: string; detail: string; code: string }>();
    assert.equal(body.status, String(status));
    assert.equal(body.scimType, scimType);
    return body;
  }

  test('a list spans every store in store order; pages cut across store boundaries with SCIM paging', async () => {
    const all = await list('count=100');
    assert.deepEqual(names(all), SEEDED);
    assert.equal(all.totalResults, SEEDED.length);
    const seen: string[] = [];
    for (let start = 1; start <= SEEDED.length; start += 4) {
      const page = await list(`startIndex=${start}&count=4`);
      assert.equal(page.totalResults, SEEDED.length);
      assert.equal(page.startIndex, start);
      assert.equal(page.itemsPerPage, Math.min(4, SEEDED.length - start + 1));
      seen.push(...names(page));
    }
    assert.deepEqual(seen, SEEDED, 'pages of 4 (PRIMARY|LDAP, LDAP|JDBC, JDBC|ARCHIVE) add up to the whole list');
    const tail = await list('startIndex=9&count=10');
    assert.deepEqual(names(tail), ['ARCHIVE/cameron', 'ARCHIVE/frank']);
    const beyond = await list('startIndex=50&count=10');
    assert.equal(beyond.totalResults, SEEDED.length);
    assert.equal(beyond.itemsPerPage, 0);
    const counting = await list('count=0');
    assert.equal(counting.totalResults, SEEDED.length);
    assert.equal(counting.itemsPerPage, 0);
  });

  test('/t/{tenant}/scim2/Users sees the same stores; another tenant sees none of them', async () => {
    assert.deepEqual(names(await list('count=100', '/t/carbon.super')), SEEDED);
    await provisionTenant(fx.server, 'other.example');
    const other = await list('count=100', '/t/other.example', ['boss', 'a long password']);
    assert.deepEqual(names(other), ['boss']);
    const r = await c.request(`/t/other.example/scim2/Users?filter=${encodeURIComponent('userName eq "LDAP/bob"')}`, { auth: ['boss', 'a long password'] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json<ListResponse>().totalResults, 0);
  });

  test('filters: a qualified userName asks its store alone; sw spans stores; emails maps through each store', async () => {
    assert.deepEqual(await filtered('userName eq "LDAP/bob"'), ['LDAP/bob']);
    assert.deepEqual(await filtered('userName eq "ldap/BOB"'), ['LDAP/bob'], 'domain and name are case-insensitive');
    assert.deepEqual(await filtered('userName eq "bob"'), ['LDAP/bob'], 'a bare name is looked for everywhere');
    assert.deepEqual(await filtered('userName sw "ca"'), ['cathy', 'LDAP/carla', 'JDBC/carol', 'ARCHIVE/cameron']);
    assert.deepEqual(await filtered('userName sw "JDBC/"'), ['JDBC/carol', 'JDBC/erin']);
    assert.deepEqual(await filtered('emails eq "bob@example.com"'), ['LDAP/bob'], 'LDAP: mail');
    assert.deepEqual(await filtered('emails eq "CAROL@example.com"'), ['JDBC/carol'], 'managed JDBC: the mail attribute row');
    assert.deepEqual(await filtered('emails eq "cameron@example.com"'), ['ARCHIVE/cameron'], 'mapped table: the email column');
    assert.deepEqual(await filtered('emails co "@example.com" and (userName sw "a" or userName sw "b")'), ['alice', 'LDAP/bob']);
    assert.deepEqual(await filtered('name.givenName eq "Bob" or name.givenName eq "Carol"'), ['LDAP/bob', 'JDBC/carol']);
  });

  test('GET by id reads each store, with userName DOMAIN/name for secondary stores and bare for PRIMARY', async () => {
    for (const [userName, email] of [['alice', 'alice@example.com'], ['LDAP/bob', 'bob@example.com'], ['JDBC/carol', 'carol@example.com'], ['ARCHIVE/cameron', 'cameron@example.com']] as const) {
      const listed = await byName(userName);
      const r = await c.request(`/scim2/Users/${encodeURIComponent(listed.id)}`, { auth: ADMIN });
      assert.equal(r.status, 200, r.text);
      const user = r.json<ScimUser>();
      assert.equal(user.userName, userName);
      assert.equal(user.id, listed.id);
      assert.deepEqual(user.emails, [{ value: email, primary: true }]);
    }
    const bob = await byName('LDAP/bob');
    assert.deepEqual(bob.name, { givenName: 'Bob', familyName: 'Builder', formatted: 'bob' }, 'givenName, sn and cn');
    assert.match(bob.id, /^LDAP:[0-9a-f-]{36}$/);
  });

  test('POST LDAP/newuser creates the entry in the directory, with its attributes; the user then signs in', async () => {
    const r = await c.post('/scim2/Users', {
      json: { schemas: [USER_SCHEMA], userName: 'LDAP/newuser', password: 'newuser-Ldap-pass1', name: { givenName: 'Newton', familyName: 'User' }, emails: [{ value: 'newuser@example.com' }] },
      auth: ADMIN,
    });
    assert.equal(r.status, 201, r.text);
    const user = r.json<ScimUser>();
    assert.equal(user.userName, 'LDAP/newuser');
    assert.match(user.id, /^LDAP:/);
    assert.deepEqual(fx.ldapEntry('newuser'), { uid: 'newuser', mail: 'newuser@example.com', givenName: 'Newton', sn: 'User', cn: 'newuser' });
    assert.equal(await signsIn('LDAP/newuser', 'newuser-Ldap-pass1'), true);
    const again = await c.post('/scim2/Users', { json: { userName: 'LDAP/newuser', password: 'newuser-Ldap-pass1' }, auth: ADMIN });
    scimError(again, 409, 'uniqueness');
  });

  test('PUT (read, change, put back) and PATCH edit an LDAP user: the values land in the directory', async () => {
    const bob = await byName('LDAP/bob');
    const put = await c.request(`/scim2/Users/${encodeURIComponent(bob.id)}`, {
      method: 'PUT',
      json: { ...bob, name: { ...bob.name, givenName: 'Robert' }, emails: [{ value: 'robert@example.com' }] },
      auth: ADMIN,
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json<ScimUser>().name?.givenName, 'Robert');
    assert.deepEqual(fx.ldapEntry('bob'), { uid: 'bob', cn: 'bob', sn: 'Builder', givenName: 'Robert', mail: 'robert@example.com' });
    const patch = await c.request(`/scim2/Users/${encodeURIComponent(bob.id)}`, {
      method: 'PATCH',
      json: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails', value: [{ value: 'bob@example.com' }] }] },
      auth: ADMIN,
    });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(fx.ldapEntry('bob')!.mail, 'bob@example.com');
    assert.deepEqual((await byName('LDAP/bob')).emails, [{ value: 'bob@example.com', primary: true }], 'a read right after the write sees it');
  });

  test('a PUT that would remove an attribute the directory requires (sn) is a 400 naming the store, not a 500', async () => {
    const bob = await byName('LDAP/bob');
    const r = await c.request(`/scim2/Users/${encodeURIComponent(bob.id)}`, { method: 'PUT', json: { userName: 'LDAP/bob', name: { givenName: 'Robert', formatted: 'bob' } }, auth: ADMIN });
    const body = scimError(r, 400, 'invalidValue');
    assert.equal(body.code, 'USR-40005');
    assert.match(body.detail, /user store LDAP refused the change \(object class violation\)/);
    assert.equal(fx.ldapEntry('bob')!.sn, 'Builder');
  });

  test('PATCH a JDBC user: the value lands in the table', async () => {
    const carol = await byName('JDBC/carol');
    const r = await c.request(`/scim2/Users/${encodeURIComponent(carol.id)}`, {
      method: 'PATCH',
      json: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { emails: [{ value: 'carol@work.example' }], name: { familyName: 'Danvers' } } }] },
      auth: ADMIN,
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await fx.jdbcAttributes('carol'), { mail: 'carol@work.example', givenName: 'Carol', sn: 'Danvers' });
  });

  test('a value the table refuses (longer than its column) is a 400 naming the store, not a 500', async () => {
    const carol = await byName('JDBC/carol');
    const r = await c.request(`/scim2/Users/${encodeURIComponent(carol.id)}`, {
      method: 'PATCH',
      json: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x'.repeat(2000) }] },
      auth: ADMIN,
    });
    const body = scimError(r, 400, 'invalidValue');
    assert.equal(body.code, 'USR-40005');
    assert.match(body.detail, /user store JDBC refused the change/);
    assert.equal((await fx.jdbcAttributes('carol'))!['displayName'], undefined);
  });

  test('a password set through SCIM for an LDAP user is the one that signs in', async () => {
    const carla = await byName('LDAP/carla');
    const r = await c.request(`/scim2/Users/${encodeURIComponent(carla.id)}`, {
      method: 'PATCH',
      json: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'carla-New-pass2' }] },
      auth: ADMIN,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(await signsIn('LDAP/carla', 'carla-New-pass2'), true);
    assert.equal(await signsIn('LDAP/carla', 'carla-Ldap-pass1'), false);
  });

  test('DELETE removes an LDAP entry and a JDBC row', async () => {
    const dave = await byName('LDAP/dave');
    assert.equal((await c.request(`/scim2/Users/${encodeURIComponent(dave.id)}`, { method: 'DELETE', auth: ADMIN })).status, 204);
    assert.equal(fx.ldapEntry('dave'), undefined);
    assert.equal((await c.request(`/scim2/Users/${encodeURIComponent(dave.id)}`, { auth: ADMIN })).status, 404);
    const erin = await byName('JDBC/erin');
    assert.equal((await c.request(`/scim2/Users/${encodeURIComponent(erin.id)}`, { method: 'DELETE', auth: ADMIN })).status, 204);
    assert.equal(await fx.jdbcAttributes('erin'), undefined);
  });

  test('writes to the read-only store are refused with 400 mutability naming the store; nothing changes', async () => {
    const before = await fx.archiveRow('cameron');
    const create = await c.post('/scim2/Users', { json: { userName: 'ARCHIVE/zed', password: 'zed-Archive-pass1' }, auth: ADMIN });
    const created = scimError(create, 400, 'mutability');
    assert.equal(created.code, 'USR-40004');
    assert.match(created.detail, /The user store ARCHIVE is read-only/);
    assert.equal(await fx.archiveRow('zed'), undefined);

    const cameron = await byName('ARCHIVE/cameron');
    const url = `/scim2/Users/${encodeURIComponent(cameron.id)}`;
    const put = await c.request(url, { method: 'PUT', json: { userName: 'ARCHIVE/cameron', emails: [{ value: 'other@example.com' }] }, auth: ADMIN });
    assert.match(scimError(put, 400, 'mutability').detail, /ARCHIVE is read-only/);
    const patch = await c.request(url, { method: 'PATCH', json: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails', value: [{ value: 'other@example.com' }] }, { op: 'replace', path: 'active', value: false }] }, auth: ADMIN });
    assert.match(scimError(patch, 400, 'mutability').detail, /ARCHIVE is read-only/);
    const password = await c.request(url, { method: 'PATCH', json: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'cameron-New-pass2' }] }, auth: ADMIN });
    assert.match(scimError(password, 400, 'mutability').detail, /ARCHIVE is read-only/);
    const del = await c.request(url, { method: 'DELETE', auth: ADMIN });
    assert.match(scimError(del, 400, 'mutability').detail, /ARCHIVE is read-only/);

    assert.deepEqual(await fx.archiveRow('cameron'), before, 'the row is as it was');
    const now = await byName('ARCHIVE/cameron');
    assert.equal(now.active, true, 'the refused PATCH disabled nothing');
    assert.equal(await signsIn('ARCHIVE/cameron', PASSWORDS.cameron), true);
  });
});
