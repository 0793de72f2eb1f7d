// The HTTP foundation as a client sees it: health, error shapes, tenants in paths, headers, limits, logs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('HTTP foundation', () => {
  let server: TestServer;
  const logLines: string[] = [];

  before(async () => {
    server = await startTestServer({ toml: '[logging]\nlevel = "trace"\n[server]\nmax_body_size = 2048', logStream: { write: (l) => logLines.push(l) } });
  });
  after(async () => server?.close());

  test('health and readiness', async () => {
    const c = server.client();
    const live = await c.get('/health');
    assert.equal(live.status, 200);
    assert.deepEqual(live.json(), { status: 'UP' });
    const ready = await c.get('/health/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json(), { status: 'UP', checks: { database: 'UP', userStores: [{ domain: 'PRIMARY', status: 'UP' }] } });
  });

  test('API errors have one shape with a trace id; no stack traces', async () => {
    const r = await server.client().get('/api/server/v1/nothing-here');
    assert.equal(r.status, 404);
    const body = r.json<Record<string, string>>();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'description', 'message', 'traceId']);
    assert.equal(body.code, 'PCS-40400');
    assert.match(body.traceId!, /^[0-9a-f-]{36}$/);
    assert.ok(!r.text.includes(' at '), 'no stack trace');
  });

  test('browsers get an error page, escaped and with the security headers', async () => {
    const r = await server.client().get('/nowhere/<script>', { headers: { accept: 'text/html' } });
    assert.equal(r.status, 404);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.match(r.text, /<h1>Not found\.<\/h1>/);
    assert.ok(!r.text.includes('<script>'));
    assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(String(r.headers['strict-transport-security']), /max-age=\d+/);
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('tenant-qualified paths: an unknown tenant is 404 TNT-40401; carbon.super works under /t/', async () => {
    const c = server.client();
    const unknown = await c.get('/t/unknown.example/health');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json<{ code: string }>().code, 'TNT-40401');
    const superTenant = await c.get('/t/carbon.super/health');
    assert.equal(superTenant.status, 200);
  });

  test('the stylesheet is served; other asset names are not', async () => {
    const c = server.client();
    const css = await c.get('/assets/portcullis.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);
    assert.equal((await c.get('/assets/..%2Fviews.ts')).status, 404);
  });

  test('bodies over max_body_size get 413 PCS-41300', async () => {
    const c = server.client();
    const big = { userName: 'big', password: 'password-1234', displayName: 'x'.repeat(4096) };
    const r = await c.post('/scim2/Users', { json: big, headers: { 'content-type': 'application/scim+json' }, auth: ['admin', 'admin'] });
    assert.equal(r.status, 413);
    // Inside /scim2 the error has SCIM's shape (RFC 7644 section 3.12) and still carries our code.
    const body = r.json<{ schemas: string[]; status: string; code: string }>();
    assert.deepEqual([body.schemas, body.status, body.code], [['urn:ietf:params:scim:api:messages:2.0:Error'], '413', 'PCS-41300']);
    const small = await c.post('/scim2/Users', { json: { ...big, displayName: 'small' }, auth: ['admin', 'admin'] });
    assert.equal(small.status, 201, 'the same request under the limit is accepted');
    const list = await c.get('/scim2/Users?filter=userName%20eq%20%22big%22', { auth: ['admin', 'admin'] });
    assert.equal(list.json<{ Resources: { displayName: string }[] }>().Resources[0]?.displayName, 'small', 'the oversized request stored nothing');
  });

  test('logs carry no passwords, authorization headers or query strings', async () => {
    const c = server.client();
    await c.get('/health?sessionDataKey=abc123secretkey', { auth: ['admin', 'super-secret-password'] });
    const log = logLines.join('');
    assert.ok(log.includes('/health'), 'requests are logged');
    assert.ok(!log.includes('super-secret-password'));
    assert.ok(!log.includes(Buffer.from('admin:super-secret-password').toString('base64')));
    assert.ok(!log.includes('abc123secretkey'));
  });
});
