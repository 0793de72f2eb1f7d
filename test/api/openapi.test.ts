// The OpenAPI document is generated from the routes themselves: it lists every API route the server really
// registers (read from Fastify's route tree), the me/totp request schema it documents is the one the route
// enforces, and the reference page loads with its own assets under the server's Content-Security-Policy,
// relaxed for that page only (checked in Chromium when it is installed: no CSP violation, no script error).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_CSP } from '../../src/http/security-headers.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { chromiumInstalled, launchChromium, newWindow } from '../e2e/chromium.ts';
import { routesOf } from '../server/fuzz-inputs.ts';
import { appOf, codeOf, ME_TOTP, myAccountSession, type ErrorJson } from './me-totp-support.ts';

interface Operation {
  tags?: string[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  security?: Record<string, string[]>[];
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

const DOCUMENTED = ['/api/users/v1/', '/api/server/v1/', '/scim2/'];

describe('OpenAPI document and reference page', () => {
  let server: TestServer;
  let doc: OpenApiDoc;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    const res = await server.client().get('/api/openapi.json');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json<OpenApiDoc>();
  });
  after(async () => server?.close());

  test('OpenAPI 3.x, and exactly the API routes the server registers (plain paths; /t/{tenant} is a server entry)', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    const registered = routesOf(server.app.printRoutes({ commonPrefix: false }))
      .filter((r) => DOCUMENTED.some((p) => r.template.startsWith(p)))
      // A wildcard route /x/* prints as x then * (the registry's paths); OpenAPI names it /x/{*}.
      .map((r) => `${r.method} ${r.template.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/([^/])\*$/, '$1/{*}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    assert.ok(registered.length > 30, `found the routes (${registered.length})`);
    assert.deepEqual([...new Set(documented)].sort(), [...new Set(registered)].sort());
    for (const path of Object.keys(doc.paths)) assert.ok(DOCUMENTED.some((p) => path.startsWith(p)), `${path}: pages and the docs are not in the API document`);
    for (const [path, ops] of Object.entries(doc.paths)) for (const [m, op] of Object.entries(ops)) assert.ok(op.security && op.security.length > 0 && op.tags?.length, `${m} ${path} says who may call it`);
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['basicAuth', 'bearerToken', 'csrfToken', 'myAccountSession']);
  });

  test('the me/totp routes are documented with request and response schemas', () => {
    const ops = doc.paths[ME_TOTP]!;
    assert.deepEqual(Object.keys(ops).sort(), ['delete', 'get', 'post']);
    assert.deepEqual(Object.keys(doc.paths[`${ME_TOTP}/secret`]!), ['get']);
    const json = (op: Operation, status: string) => op.responses[status]?.content?.['application/json']?.schema;
    assert.deepEqual(Object.keys(json(ops.get!, '200')!.properties as object), ['qrCodeUrl']);
    assert.deepEqual(Object.keys(json(ops.post!, '200')!.properties as object), ['qrCodeUrl', 'isValid']);
    assert.deepEqual(Object.keys(json(doc.paths[`${ME_TOTP}/secret`]!.get!, '200')!.properties as object), ['secret']);
    assert.ok(ops.delete!.responses['200'] && !ops.delete!.responses['200'].content, 'DELETE: 200, empty body');
    for (const op of [ops.get!, ops.post!, ops.delete!]) {
      for (const status of ['401', '403']) assert.deepEqual(json(op, status)!.required, ['code', 'message', 'description', 'traceId'], status);
    }
    assert.ok(ops.post!.security!.some((s) => 'basicAuth' in s), 'POST (VALIDATE) takes Basic');
    assert.ok(!ops.get!.security!.some((s) => 'basicAuth' in s), 'GET does not');
  });

  test('the documented me/totp POST body is the one the route enforces', async () => {
    const schema = doc.paths[ME_TOTP]!.post!.requestBody!.content['application/json']!.schema as {
      required: string[];
      properties: { action: { enum: string[] }; verificationCode: { anyOf: [{ maximum: number }, { pattern: string }] } };
    };
    assert.deepEqual(schema.required, ['action']);
    const { username, password } = await createUser(server);
    const api = await myAccountSession(server, username, password);
    // Each documented action is accepted (VIEW: nothing active yet, so 404).
    const statuses = Object.fromEntries(await Promise.all(schema.properties.action.enum.filter((a) => a !== 'VALIDATE').map(async (action) => [action, (await api.post({ action })).status])));
    assert.deepEqual(statuses, { INIT: 200, REFRESH: 200, VIEW: 404 });
    const app = appOf(await api.qr('INIT'));
    assert.equal(await api.validate(codeOf(app, clock)), true);
    // What the document forbids, the route refuses with 400.
    const [integer, text] = schema.properties.verificationCode.anyOf;
    const tooLong = '1'.repeat(9);
    assert.doesNotMatch(tooLong, new RegExp(text.pattern));
    const violations: unknown[] = [
      {},
      { action: 'NOT-' + schema.properties.action.enum[0] },
      { action: 'VALIDATE', verificationCode: integer.maximum + 1 },
      { action: 'VALIDATE', verificationCode: tooLong },
      { action: 'VALIDATE', verificationCode: { code: 1 } },
    ];
    for (const body of violations) {
      const res = await api.post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.json<ErrorJson>().code, /^(OTP-10002|PCS-40001)$/);
    }
  });

  test('the reference page and its own assets load; only that page\'s policy gains one style hash', async () => {
    const client = server.client();
    const page = await client.get('/api/docs', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/=]+';/);
    assert.equal(csp.replace(/ 'sha256-[^']+'/, ''), DEFAULT_CSP, 'nothing else relaxed: scripts only from the server itself');
    const assets = [...page.text.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.length >= 5, assets.join(', '));
    for (const asset of assets) {
      assert.ok(asset.startsWith('/api/docs/static/'), `${asset}: served by the server itself, no CDN`);
      const res = await client.get(asset);
      assert.equal(res.status, 200, asset);
      const type = String(res.headers['content-type']);
      const expected = asset.endsWith('.css') ? /^text\/css/ : asset.endsWith('.js') ? /^application\/javascript/ : /^image\/png/;
      assert.match(type, expected, asset);
    }
    const spec = await client.get('/api/docs/json');
    assert.equal(spec.status, 200);
    assert.deepEqual(spec.json(), doc, 'the page reads the same document');
    const login = await client.get('/myaccount', { headers: { accept: 'text/html' } });
    const loginPage = await client.get(login.location!, { headers: { accept: 'text/html' } });
    assert.equal(loginPage.headers['content-security-policy'], DEFAULT_CSP, 'other pages keep the strict policy');
  });

  test('the page\'s files answer as static files do: HEAD, conditional, partial; an unknown one is the server\'s 404', async () => {
    const client = server.client();
    const path = '/api/docs/static/swagger-ui.css';
    const full = await client.get(path);
    assert.equal(full.status, 200);
    const etag = String(full.headers.etag);
    assert.match(etag, /^(W\/)?"/);
    assert.equal(Number(full.headers['content-length']), Buffer.byteLength(full.text));
    assert.equal(full.headers['x-content-type-options'], 'nosniff', 'the server\'s own headers still apply');
    const head = await client.request(path, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers.etag, etag);
    assert.equal((await client.get(path, { headers: { 'if-none-match': etag } })).status, 304);
    const part = await client.get(path, { headers: { range: 'bytes=0-9' } });
    assert.equal(part.status, 206);
    assert.equal(part.text, full.text.slice(0, 10));
    assert.match(String(part.headers['content-range']), /^bytes 0-9\//);
    const missing = await client.get('/api/docs/static/no-such-file.js');
    assert.equal(missing.status, 404);
    assert.equal(missing.json<ErrorJson>().code, 'PCS-40400');
    assert.equal((await client.get('/t/carbon.super/api/openapi.json')).json<OpenApiDoc>().openapi, doc.openapi, 'under a tenant too');
  });

  test('in Chromium the page renders the me/totp operations with no CSP violation or script error', { skip: !chromiumInstalled() && 'no Chromium' }, async () => {
    const browser = await launchChromium();
    try {
      const context = await newWindow(browser);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
      const res = await page.goto(`${server.url}/api/docs`);
      assert.equal(res?.status(), 200);
      await page.locator('.opblock-summary-path', { hasText: '/api/users/v1/me/totp/secret' }).waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('.opblock-tag', { hasText: 'me/totp' }).count(), 1);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
});
