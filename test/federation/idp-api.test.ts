// Issue 12, item 1: identity providers through WSO2's /api/server/v1/identity-providers. The tenant admin adds,
// reads, changes and removes an upstream OpenID Connect provider; the client secret is write-only (never in a
// response, kept when a PUT leaves it out, encrypted at rest); bad settings are a 400 naming the field; a used
// name is a 409; every change is audited; another tenant's admin neither sees nor reaches it. Accounts are
// linked and unlinked by the admin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { myAccountSession } from '../api/me-totp-support.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { adminCall, IDP_BASE, oidcIdpBody } from './support.ts';

const SECRET = 'upstream-client-secret-0123456789';

describe('identity providers API', () => {
  let server: TestServer;
  const seen: string[] = [];
  const call = async (method: string, path: string, body?: unknown, auth?: [string, string]) => {
    const res = await adminCall(server, method, path, body, auth);
    seen.push(res.text, JSON.stringify(res.headers));
    return res;
  };

  before(async () => {
    server = await startTestServer();
    await provisionTenant(server, 'alpha.com');
  });
  after(async () => server?.close());

  test('add, read, change and remove; the client secret is never returned and is kept by PUT', async () => {
    const body = oidcIdpBody({ name: 'Corp', issuer: 'https://idp.example/oauth2/token', clientId: 'rp-1', clientSecret: SECRET, jit: 'on', mappings: [['email', 'http://wso2.org/claims/emailaddress']] });
    const created = await call('POST', IDP_BASE, body);
    assert.equal(created.status, 201, created.text);
    const idp = created.json<{ id: string; name: string; provisioning: { jit: { isEnabled: boolean; scheme: string } }; claims: { mappings: unknown[] } }>();
    assert.equal(created.headers.location, `${server.url}${IDP_BASE}/${idp.id}`);
    assert.equal(idp.provisioning.jit.scheme, 'PROVISION_SILENTLY');
    assert.equal(idp.claims.mappings.length, 1);
    assert.equal((await call('POST', IDP_BASE, body)).json<{ code: string }>().code, 'IDP-40901', 'the name is taken');

    const list = (await call('GET', IDP_BASE)).json<{ totalResults: number; identityProviders: { id: string }[] }>();
    assert.deepEqual(list.identityProviders.map((i) => i.id), [idp.id]);

    const changed = await call('PUT', `${IDP_BASE}/${idp.id}`, { ...oidcIdpBody({ name: 'Corp', issuer: 'https://idp.example/oauth2/token', clientId: 'rp-2', jit: 'prompt' }) });
    assert.equal(changed.status, 200, changed.text);
    const stored = await server.services.identityProviders.get({ id: (await tenantId()), domain: 'carbon.super' }, idp.id);
    assert.equal(stored.secrets.clientSecret, SECRET, 'a PUT without ClientSecret keeps it');
    assert.equal(stored.settings.oidc?.clientId, 'rp-2');
    assert.equal(stored.settings.provisioning.jit, 'prompt');
    const row = await server.services.storage.db.selectFrom('identity_providers').select('secrets').where('id', '=', idp.id).executeTakeFirstOrThrow();
    assert.equal(row.secrets.includes(SECRET), false, 'encrypted at rest');

    const events = (await server.services.audit.list(await tenantId(), { offset: 0, limit: 50 })).events.map((e) => `${e.event}:${e.reason}:${e.actor}`);
    assert.ok(events.includes('idp.created:Corp:admin') && events.includes('idp.updated:Corp:admin'), events.join(','));

    assert.equal((await call('DELETE', `${IDP_BASE}/${idp.id}`)).status, 204);
    assert.equal((await call('GET', `${IDP_BASE}/${idp.id}`)).json<{ code: string }>().code, 'IDP-40401');
    assert.equal(seen.some((t) => t.includes(SECRET)), false, 'no response carried the secret');
  });

  test('bad settings are refused naming the field', async () => {
    const bad = async (patch: Partial<Parameters<typeof oidcIdpBody>[0]>, field: RegExp) => {
      const res = await call('POST', IDP_BASE, oidcIdpBody({ name: 'Bad', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's', ...patch }));
      assert.equal(res.status, 400, res.text);
      const err = res.json<{ code: string; description: string }>();
      assert.equal(err.code, 'IDP-40001');
      assert.match(err.description, field);
    };
    await bad({ issuer: 'http://idp.example' }, /Issuer/);
    await bad({ issuer: 'not a url' }, /Issuer/);
    await bad({ clientId: '' }, /ClientId/);
    await bad({ clientSecret: undefined }, /ClientSecret/);
    await bad({ name: 'a/b' }, /name/);
    await bad({ mappings: [['email', '']] }, /mappings/);
  });

  test("admins only, and only their tenant's providers", async () => {
    const created = (await call('POST', IDP_BASE, oidcIdpBody({ name: 'Mine', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's' }))).json<{ id: string }>();
    const { username, password } = await createUser(server);
    assert.equal((await call('GET', IDP_BASE, undefined, [username, password])).status, 403);
    const boss: [string, string] = ['boss', 'a long password'];
    assert.equal((await call('GET', `/t/alpha.com${IDP_BASE}`, undefined, boss)).json<{ totalResults: number }>().totalResults, 0);
    assert.equal((await call('GET', `/t/alpha.com${IDP_BASE}/${created.id}`, undefined, boss)).status, 404);
    assert.equal((await call('DELETE', `/t/alpha.com${IDP_BASE}/${created.id}`, undefined, boss)).status, 404);
    assert.equal((await call('GET', `${IDP_BASE}/${created.id}`)).status, 200, 'still there');
  });

  test('an admin links and unlinks an upstream account; one upstream account links to one user', async () => {
    const idp = (await call('POST', IDP_BASE, oidcIdpBody({ name: 'Links', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's' }))).json<{ id: string }>();
    const a = await createUser(server);
    const b = await createUser(server);
    const path = (u: { user: { id: string } }) => `/api/users/v1/${encodeURIComponent(u.user.id)}/federated-associations`;
    const made = await call('POST', path(a), { idp: { id: idp.id }, federatedUserId: 'upstream-42' });
    assert.equal(made.status, 201, made.text);
    assert.equal((await call('POST', path(b), { idp: { id: idp.id }, federatedUserId: 'upstream-42' })).json<{ code: string }>().code, 'IDP-40902');
    const links = (await call('GET', path(a))).json<{ id: string; idp: { name: string }; federatedUserId: string }[]>();
    assert.deepEqual(links.map((l) => [l.idp.name, l.federatedUserId]), [['Links', 'upstream-42']]);
    assert.equal((await call('DELETE', `${path(b)}/${links[0]!.id}`)).status, 404, "not b's link");
    assert.equal((await call('DELETE', `${path(a)}/${links[0]!.id}`)).status, 204);
    assert.equal((await call('GET', path(a))).json<unknown[]>().length, 0);
  });

  test('in My Account a user lists and unlinks their own linked accounts, and only theirs', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    const idp = (await call('POST', IDP_BASE, oidcIdpBody({ name: 'Mine-links', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's' }))).json<{ id: string }>();
    const me = await createUser(server);
    const other = await createUser(server);
    const linkOf = async (u: { user: { id: string } }, sub: string) =>
      (await call('POST', `/api/users/v1/${encodeURIComponent(u.user.id)}/federated-associations`, { idp: { id: idp.id }, federatedUserId: sub })).json<{ id: string }>();
    const mine = await linkOf(me, 'sub-me');
    const theirs = await linkOf(other, 'sub-other');
    const session = await myAccountSession(server, me.username, me.password);
    const path = '/api/users/v1/me/federated-associations';
    const headers = { accept: 'application/json', 'x-csrf-token': session.options.csrf! };
    const listed = await session.client.request(path, { method: 'GET', headers });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json<{ id: string; idp: { name: string }; federatedUserId: string }[]>().map((l) => [l.id, l.idp.name, l.federatedUserId]), [[mine.id, 'Mine-links', 'sub-me']]);
    assert.equal((await session.client.request(path, { method: 'GET' })).status, 403, 'the CSRF token is required');
    assert.equal((await server.client().request(path, { method: 'GET', auth: [me.username, me.password] })).status, 403, 'a password alone is refused');
    assert.equal((await session.client.request(`${path}/${theirs.id}`, { method: 'DELETE', headers })).status, 404, "another user's link");
    assert.equal((await session.client.request(`${path}/${mine.id}`, { method: 'DELETE', headers })).status, 204);
    assert.equal((await session.client.request(path, { method: 'GET', headers })).json<unknown[]>().length, 0);
    assert.equal((await call('GET', `/api/users/v1/${encodeURIComponent(other.user.id)}/federated-associations`)).json<unknown[]>().length, 1, "the other user's link stays");
  });

  async function tenantId(): Promise<string> {
    return (await server.services.tenants.findByDomain('carbon.super'))!.id;
  }
});
