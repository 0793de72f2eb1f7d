// Issue 10, item 1: the tenant registry over REST. Resources and collections are added, read, listed and
// deleted by the tenant's admin only; paths are normalised or refused with the problem named; content keeps its
// bytes and media type up to 1 MiB; every change is audited; one tenant's admin never reaches another's registry.
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { normalisePath } from '../../src/tenants/registry/registry-path.ts';
import { BAD_ESCAPES } from '../server/fuzz-inputs.ts';
import { createUser, tenantOf } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const ALPHA: [string, string] = ['boss', 'a long password'];
const BASE = '/api/server/v1/registry/resources';

describe('registry API', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await provisionTenant(server, 'alpha.com');
    await provisionTenant(server, 'beta.com', { username: 'chief', password: 'another long password' });
  });
  after(async () => server?.close());

  const call = (method: string, path: string, options: { body?: string | Buffer; type?: string; auth?: [string, string] | null } = {}) =>
    server.client().request(path, {
      method,
      ...(options.auth === null ? {} : { auth: options.auth ?? ADMIN }),
      ...(options.body !== undefined ? { body: options.body } : {}),
      headers: options.type ? { 'content-type': options.type } : {},
    });

  test('PUT adds (201) then replaces (200) a resource; GET returns its bytes and media type; collections are created and list children', async () => {
    const created = await call('PUT', `${BASE}/_system/governance/notes/readme.txt`, { body: 'hello', type: 'text/plain; charset=utf-8' });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual([created.json<{ path: string }>().path, created.json<{ size: number }>().size], ['/_system/governance/notes/readme.txt', 5]);
    const replaced = await call('PUT', `${BASE}/_system/governance/notes/readme.txt`, { body: 'hello again', type: 'text/plain; charset=utf-8' });
    assert.equal(replaced.status, 200);
    const read = await call('GET', `${BASE}/_system/governance/notes/readme.txt`);
    assert.equal(read.status, 200);
    assert.equal(read.text, 'hello again');
    assert.equal(read.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(read.headers['x-registry-kind'], 'resource');
    assert.equal(read.headers['content-disposition'], 'attachment', 'never rendered on this origin');
    assert.match(String(read.headers['content-security-policy']), /sandbox/);

    const binary = Buffer.from([0, 1, 2, 255, 254, 0x80]);
    assert.equal((await call('PUT', `${BASE}/_system/governance/notes/blob.bin`, { body: binary, type: 'application/octet-stream' })).status, 201);
    const served = await call('GET', `${BASE}/_system/governance/notes/blob.bin`);
    assert.equal(served.headers['content-length'], String(binary.length));
    assert.equal(served.headers['content-type'], 'application/octet-stream');
    // The test client reads text; the stored bytes are compared in-process.
    const stored = await server.services.registry.read(await tenantOf(server), '/_system/governance/notes/blob.bin');
    assert.ok(stored.kind === 'resource' && stored.content.equals(binary), 'bytes stored as sent');
    const meta = await call('GET', `/api/server/v1/registry/properties/_system/governance/notes/blob.bin`);
    assert.equal(meta.json<{ size: number }>().size, binary.length, 'bytes stored as sent');
    assert.equal(meta.json<{ mediaType: string }>().mediaType, 'application/octet-stream');

    const noType = await call('PUT', `${BASE}/_system/governance/notes/plain`, { body: 'x' });
    assert.equal(noType.status, 201);
    assert.equal(noType.json<{ mediaType: string }>().mediaType, 'application/octet-stream', 'no Content-Type: octet-stream');
    const json = await call('PUT', `${BASE}/_system/governance/notes/data.json`, { body: '{"not":"parsed"', type: 'application/json' });
    assert.equal(json.status, 201, 'JSON content is stored as given, not parsed');
    assert.equal((await call('GET', `${BASE}/_system/governance/notes/data.json`)).text, '{"not":"parsed"');

    const listing = await call('GET', `${BASE}/_system/governance/notes`);
    assert.equal(listing.status, 200);
    assert.equal(listing.headers['x-registry-kind'], 'collection');
    const names = listing.json<{ children: { path: string; kind: string }[] }>().children.map((c) => `${c.kind}:${c.path}`);
    assert.deepEqual(names, ['resource:/_system/governance/notes/blob.bin', 'resource:/_system/governance/notes/data.json', 'resource:/_system/governance/notes/plain', 'resource:/_system/governance/notes/readme.txt']);
    const root = await call('GET', BASE);
    assert.ok(root.json<{ children: { path: string }[] }>().children.some((c) => c.path === '/_system'), 'the root lists /_system');
    const system = await call('GET', `${BASE}/_system/`);
    assert.deepEqual(system.json<{ path: string; children: { path: string; kind: string }[] }>().children.map((c) => [c.path, c.kind]), [['/_system/governance', 'collection']]);
  });

  test('paths are normalised, and refused with the problem named', async () => {
    assert.equal((await call('PUT', `${BASE}//_system//governance///n2/a.txt/`, { body: 'a', type: 'text/plain' })).status, 201);
    assert.equal((await call('GET', `${BASE}/_system/governance/n2/a.txt`)).text, 'a', 'repeated and trailing slashes dropped');
    const bad: [string, RegExp][] = [
      [`${BASE}/_system/%2e%2e/x`, /"\.\." segment/],
      [`${BASE}/_system/./x`, /"\." segment|\.\./],
      [`${BASE}/_system/a%00b`, /NUL/],
      [`${BASE}/_system/a%01b`, /control character/],
      [`${BASE}/_system/a%5Cb`, /backslash/],
      [`${BASE}/${'a'.repeat(256)}`, /segment is longer than 255/],
      [`${BASE}/${Array.from({ length: 6 }, () => 'b'.repeat(100)).join('/')}`, /longer than 512/],
    ];
    for (const [url, why] of bad) {
      const res = await call('PUT', url, { body: 'x', type: 'text/plain' });
      // A URL with ./ or ../ may be resolved by the client itself; what reaches the server must not escape.
      if (res.status === 201) {
        assert.doesNotMatch(res.json<{ path: string }>().path, /\/\.\.?(\/|$)/, url);
        continue;
      }
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.match(res.json<{ description: string }>().description, why, url);
    }
  });

  test('a path sent as is (not resolved by the client) with ".." or "." is refused, never resolved', async () => {
    // What curl --path-as-is sends: the URL parser of the test client would resolve these itself.
    const raw = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(server.url);
        const auth = Buffer.from(ADMIN.join(':')).toString('base64');
        const req = httpsRequest({ host: url.hostname, port: url.port, path, method: 'PUT', ca: server.certificate, headers: { authorization: `Basic ${auth}`, 'content-type': 'text/plain' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end('x');
      });
    for (const [path, why] of [[`${BASE}/_system/../escape`, /"\.\." segment/], [`${BASE}/_system/%2e%2e/escape`, /"\.\." segment/], [`${BASE}/_system/./here`, /"\." segment/]] as const) {
      const res = await raw(path);
      assert.equal(res.status, 400, `${path}: ${res.body}`);
      assert.match((JSON.parse(res.body) as { description: string }).description, why);
    }
    assert.equal(normalisePath('//a//b/'), '/a/b');
    assert.equal(normalisePath('/'), '/');
    assert.throws(() => normalisePath('a/b'), (e: Error & { description?: string }) => /absolute/.test(e.description ?? ''));
  });

  test('malformed escapes and odd bodies in any registry URL are a 4xx, never a 500', async () => {
    // The fuzz test cannot fill a wildcard route; these are its bad escapes under each registry route.
    for (const prefix of [BASE, '/api/server/v1/registry/properties']) {
      for (const bad of [...BAD_ESCAPES, `a/${'%F0%9F%98%80'.repeat(200)}`, 'a?type=folder', 'x%2F..%2Fy']) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const res = await call(method, `${prefix}/${bad}`, method === 'PUT' ? { body: '{"a":', type: 'application/json' } : {});
          assert.ok(res.status >= 200 && res.status < 500, `${method} ${prefix}/${bad}: ${res.status} ${res.text}`);
        }
      }
    }
  });

  test('size limit (1 MiB) and media type checks', async () => {
    const max = Buffer.alloc(1024 * 1024, 0x61);
    assert.equal((await call('PUT', `${BASE}/big/max.bin`, { body: max, type: 'application/octet-stream' })).status, 201);
    const over = await call('PUT', `${BASE}/big/over.bin`, { body: Buffer.alloc(1024 * 1024 + 1, 0x61), type: 'application/octet-stream' });
    assert.equal(over.status, 413);
    assert.equal((await call('GET', `${BASE}/big/over.bin`)).status, 404, 'nothing stored');
    const badType = await call('PUT', `${BASE}/big/t`, { body: 'x', type: 'not a media type' });
    assert.ok([400, 415].includes(badType.status), badType.text);
  });

  test('DELETE removes a resource; a non-empty collection is refused (409); an empty one goes; absent is 404', async () => {
    await call('PUT', `${BASE}/del/one/a.txt`, { body: 'a', type: 'text/plain' });
    assert.equal((await call('DELETE', `${BASE}/del/one`)).status, 409);
    assert.equal((await call('DELETE', `${BASE}/del/one/a.txt`)).status, 204);
    assert.equal((await call('GET', `${BASE}/del/one/a.txt`)).status, 404);
    assert.equal((await call('DELETE', `${BASE}/del/one`)).status, 204);
    assert.equal((await call('DELETE', `${BASE}/del/one`)).status, 404);
    assert.equal((await call('DELETE', BASE)).status, 409, 'the root stays');
    assert.equal((await call('PUT', `${BASE}/del/empty?type=collection`)).status, 201);
    assert.equal((await call('PUT', `${BASE}/del/empty?type=collection`)).status, 200);
    assert.equal((await call('GET', `${BASE}/del/empty`)).json<{ children: unknown[] }>().children.length, 0);
    // A resource cannot sit where a collection is, nor a collection under a resource.
    await call('PUT', `${BASE}/del/file`, { body: 'f', type: 'text/plain' });
    assert.equal((await call('PUT', `${BASE}/del/file/child`, { body: 'c', type: 'text/plain' })).status, 409);
    assert.equal((await call('PUT', `${BASE}/del/empty`, { body: 'c', type: 'text/plain' })).status, 409);
  });

  test('properties: string key/values, replaced as a whole', async () => {
    await call('PUT', `${BASE}/props/r.txt`, { body: 'r', type: 'text/plain' });
    const set = await server.client().request('/api/server/v1/registry/properties/props/r.txt', { method: 'PUT', auth: ADMIN, json: { properties: { owner: 'ops', note: 'x' } } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json<{ properties: unknown }>().properties, { owner: 'ops', note: 'x' });
    const wrong = await server.client().request('/api/server/v1/registry/properties/props/r.txt', { method: 'PUT', auth: ADMIN, json: { properties: { n: { nested: true } } } });
    assert.equal(wrong.status, 400, 'values are strings');
    assert.deepEqual((await call('GET', '/api/server/v1/registry/properties/props/r.txt')).json<{ properties: unknown }>().properties, { owner: 'ops', note: 'x' }, 'the refused PUT changed nothing');
  });

  test('tenant admin only: no credentials 401, a non-admin 403', async () => {
    assert.equal((await call('GET', BASE, { auth: null })).status, 401);
    const user = await createUser(server, { prefix: 'reg' });
    assert.equal((await call('GET', BASE, { auth: [user.username, user.password] })).status, 403);
    assert.equal((await call('PUT', `${BASE}/by-user`, { auth: [user.username, user.password], body: 'x', type: 'text/plain' })).status, 403);
    assert.equal((await call('DELETE', `${BASE}/_system`, { auth: [user.username, user.password] })).status, 403);
    assert.equal((await call('GET', `${BASE}/by-user`)).status, 404, "the non-admin's PUT stored nothing");
  });

  test("tenant isolation: A's admin cannot read or write B's registry, and each tenant sees only its own", async () => {
    const a = '/t/alpha.com' + BASE;
    const b = '/t/beta.com' + BASE;
    assert.equal((await call('PUT', `${a}/secret/a.txt`, { auth: ALPHA, body: 'alpha only', type: 'text/plain' })).status, 201);
    assert.equal((await call('GET', `${b}/secret/a.txt`, { auth: ALPHA })).status, 401, "alpha's admin is nobody in beta");
    assert.equal((await call('PUT', `${b}/secret/a.txt`, { auth: ALPHA, body: 'x', type: 'text/plain' })).status, 401);
    assert.equal((await call('DELETE', `${a}/secret/a.txt`, { auth: ADMIN })).status, 401, 'the super admin is not alpha.com\'s admin');
    assert.equal((await call('GET', `${BASE}/secret/a.txt`)).status, 404, 'the super tenant does not see it');
    await provisionTenantAdminCall();
    async function provisionTenantAdminCall() {
      const betaAdmin: [string, string] = ['chief', 'another long password'];
      assert.equal((await call('GET', `${b}/secret/a.txt`, { auth: betaAdmin })).status, 404, "beta's admin does not see alpha's resource");
      assert.equal((await call('GET', `${b}/secret`, { auth: betaAdmin })).status, 404);
    }
    assert.equal((await call('GET', `${a}/secret/a.txt`, { auth: ALPHA })).text, 'alpha only');
  });

  test('every change is audited in its tenant with the admin and the path', async () => {
    await call('PUT', `${BASE}/audited/x.txt`, { body: 'x', type: 'text/plain' });
    await call('DELETE', `${BASE}/audited/x.txt`);
    const tenant = await tenantOf(server);
    const updated = await server.services.audit.list(tenant.id, { event: 'registry.updated', offset: 0, limit: 200 });
    const deleted = await server.services.audit.list(tenant.id, { event: 'registry.deleted', offset: 0, limit: 200 });
    const u = updated.events.find((e) => e.reason === '/audited/x.txt');
    assert.ok(u, 'registry.updated with the path');
    assert.equal(u.actor, 'admin');
    assert.equal(u.application, 'Registry API');
    assert.ok(deleted.events.some((e) => e.reason === '/audited/x.txt'), 'registry.deleted with the path');
    const alpha = await tenantOf(server, 'alpha.com');
    const inAlpha = await server.services.audit.list(alpha.id, { event: 'registry.updated', offset: 0, limit: 200 });
    assert.ok(!inAlpha.events.some((e) => e.reason === '/audited/x.txt'), 'not in another tenant');
  });
});
