// Bad encodings from outside never crash the server: each one is a 4xx with our error shape, and the server
// keeps serving. (GET /t/%E0/anything used to throw a URIError from Fastify's rewriteUrl hook and end the process.)
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { Response } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

function assertRefused(r: Response, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  const body = r.json<{ code: string; traceId: string }>();
  assert.equal(body.code, code);
  assert.match(body.traceId, /^[0-9a-f-]{36}$/);
}

describe('bad encodings from outside', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  test('GET /t/%E0/anything is a 4xx and the server still answers /health', async () => {
    const c = server.client();
    const r = await c.get('/t/%E0/anything');
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    assert.equal((await c.get('/health')).status, 200);
  });

  test('a /t/ segment or Basic tenant that is not a tenant domain is TNT-40401 without a tenant lookup', async () => {
    const tenants = server.services.tenants;
    const original = tenants.findByDomain.bind(tenants);
    const looked: string[] = [];
    tenants.findByDomain = async (domain: string) => {
      looked.push(domain);
      return original(domain);
    };
    try {
      const c = server.client();
      for (const segment of ['%E0', '%', '%zz', 'a%00b', 'bad_name!', `${'a'.repeat(300)}.example`, '-x-']) {
        assertRefused(await c.get(`/t/${segment}/health`), 404, 'TNT-40401');
      }
      assert.equal(looked.length, 0, `no lookup for a name that cannot exist: ${looked.join(', ')}`);
      // A Basic user name names a tenant only with a valid domain after its last @; otherwise it is a user name.
      const r = await c.get('/scim2/Users', { headers: { authorization: `Basic ${b64(`admin@${'a'.repeat(300)}:admin`)}` } });
      assert.equal(r.status, 401);
      assert.ok(!looked.some((d) => d.length > 253), 'the over-long tenant was never looked up');
      assertRefused(await c.get('/t/nowhere.example/health'), 404, 'TNT-40401');
      assert.ok(looked.includes('nowhere.example'), 'a well-formed name is looked up');
    } finally {
      tenants.findByDomain = original;
    }
  });

  test('paths, query strings and form bodies with bad escapes are 400 PCS-40002 in our shape, echoing nothing', async () => {
    const c = server.client();
    const path = await c.get('/scim2/Users/%E0?secret=s3cr3t', { auth: ADMIN });
    assert.equal(path.status, 400);
    assert.equal(path.json<{ code: string }>().code, 'PCS-40002');
    assert.ok(!path.text.includes('s3cr3t'), 'the URL is not echoed');
    assertRefused(await c.get('/health?x=%E0'), 400, 'PCS-40002');
    assertRefused(await c.get('/health?x=%C0%AF'), 400, 'PCS-40002');
    assertRefused(await c.get('/health?x=%00'), 400, 'PCS-40002');
    assertRefused(await c.get('/health?__proto__=1'), 400, 'PCS-40002');
    const form = await c.post('/commonauth', { body: 'sessionDataKey=%E0&username=%', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
    assertRefused(form, 400, 'PCS-40002');
    assertRefused(await c.get(`/scim2/Users/${'a'.repeat(513)}`, { auth: ADMIN }), 414, 'PCS-41400');
  });

  test('JSON bodies: malformed, too deep, prototype keys, bad UTF-8 and NUL are 400 PCS-40003', async () => {
    const c = server.client();
    const post = (body: string | Buffer) => c.post('/api/server/v1/claim-dialects/local/claims', { body, headers: { 'content-type': 'application/json' }, auth: ADMIN });
    for (const body of ['{"a":', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), '{"claimURI":"a\\u0000"}']) {
      assertRefused(await post(body), 400, 'PCS-40003');
    }
    // SCIM answers in its own shape (RFC 7644 section 3.12) and still carries the code.
    const scim = await c.post('/scim2/Users', { body: '{"userName":', headers: { 'content-type': 'application/scim+json' }, auth: ADMIN });
    assert.equal(scim.status, 400);
    assert.deepEqual([scim.json<{ code: string }>().code, scim.json<{ scimType: string }>().scimType], ['PCS-40003', 'invalidSyntax']);
  });

  test('Basic credentials that are not strict Base64 of UTF-8 "user:password" are 401, never a 500', async () => {
    const c = server.client();
    for (const header of ['Basic !!!', 'Basic YWRtaW46YWRtaW4=junk', 'Basic YWRtaW46YWRtaW5=', 'Basic YWRta W46YWRtaW4=', `Basic ${b64('nocolon')}`, `Basic ${b64(Buffer.from([0xff, 0x3a, 0x61]))}`, `Basic ${b64('a\0b:c')}`, `Basic ${'A'.repeat(6000)}`]) {
      assertRefused(await c.get('/scim2/Users', { headers: { authorization: header, accept: 'application/json' } }), 401, 'PCS-40100');
    }
    assert.equal((await c.get('/scim2/Users', { headers: { authorization: `Basic ${b64('admin:admin')}` } })).status, 200);
  });

  test('a cookie with a bad escape reads as absent: the browser is asked to sign in, not refused', async () => {
    const r = await server.client().get('/myaccount', { headers: { cookie: 'commonAuthId=%E0; other=%zz', accept: 'text/html' } });
    assert.equal(r.status, 303);
    assert.match(r.location ?? '', /login\.do/);
  });

  test('SAML messages: bad Base64, bad DEFLATE, bad UTF-8 and DTDs are the error page (400), not a 500', async () => {
    const c = server.client();
    const xml = (s: string) => encodeURIComponent(b64(deflateRawSync(Buffer.from(s))));
    const cases = [
      'SAMLRequest=!!!',
      'SAMLRequest=YQ=',
      `SAMLRequest=${encodeURIComponent(b64(Buffer.from([0xff, 0x00, 0x13])))}`,
      `SAMLRequest=${encodeURIComponent(b64(deflateRawSync(Buffer.from([0xff, 0xfe]))))}`,
      `SAMLRequest=${xml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')}`,
      `SAMLRequest=${xml('not xml')}`,
      'SAMLRequest=%E0',
    ];
    for (const q of cases) {
      const get = await c.get(`/samlsso?${q}`, { headers: { accept: 'text/html' } });
      assert.equal(get.status, 400, q);
      assert.match(get.text, /Invalid SAML message|Malformed encoding/, q);
      const post = await c.post('/samlsso', { body: q, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } });
      assert.ok(post.status === 400, `${q}: ${post.status}`);
    }
    assert.equal((await c.get('/health')).status, 200);
  });
});
