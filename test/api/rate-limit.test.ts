// Rate limits on the doors that take a password or a code: POST /commonauth and HTTP Basic. Over the limit
// the answer is 429 with Retry-After: the JSON error for API clients, a plain page for browsers. The window is
// moved with the server's clock, never waited for.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accountKey } from '../../src/http/rate-limit.ts';
import { ManualClock } from '../../src/time/clock.ts';
import type { Response } from '../support/http-client.ts';
import { createUser } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const API = '/api/server/v1/authenticators';
const PER_IP = 8;
const PER_ACCOUNT = 3;

function assertLimited(res: Response): void {
  assert.equal(res.status, 429, res.text);
  const after = Number(res.headers['retry-after']);
  assert.ok(after >= 1 && after <= 60, `Retry-After: ${String(res.headers['retry-after'])}`);
}

describe('rate limits', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock, toml: `[rate_limit]\nper_ip_per_minute = ${PER_IP}\nper_account_per_minute = ${PER_ACCOUNT}` });
  });
  after(async () => server?.close());

  // Each test starts with fresh windows.
  const nextWindow = () => clock.advance(61_000);

  const post = (form: Record<string, string>, accept = 'text/html') =>
    server.client().request('/commonauth', { method: 'POST', form: { sessionDataKey: '00000000-0000-0000-0000-000000000000', ...form }, headers: { accept } });

  test('POST /commonauth: one address gets per_ip_per_minute submissions, then 429 with Retry-After and a plain page', async () => {
    nextWindow();
    for (let i = 0; i < PER_IP; i++) assert.notEqual((await post({ token: '123456' })).status, 429);
    const page = await post({ token: '123456' });
    assertLimited(page);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.text, /Too many requests/);
    const api = await post({ token: '123456' }, 'application/json');
    assertLimited(api);
    assert.equal(api.json<{ code: string }>().code, 'PCS-42900');
    clock.advance(Number(api.headers['retry-after']) * 1000);
    assert.notEqual((await post({ token: '123456' })).status, 429, 'a new window opens when Retry-After has passed');
  });

  test('POST /commonauth: one account gets per_account_per_minute password forms, whatever case or tenant suffix', async () => {
    nextWindow();
    for (const name of ['Carol', 'carol', 'carol@carbon.super']) assert.notEqual((await post({ username: name, password: 'x' })).status, 429);
    assertLimited(await post({ username: ' CAROL ', password: 'x' }));
    assert.notEqual((await post({ username: 'dave', password: 'x' })).status, 429, 'another account has its own budget');
  });

  test('POST /commonauth: password forms refused by the address limit spend nothing of the account budget', async () => {
    nextWindow();
    // The account's count is 1 after this; the address's too.
    assert.notEqual((await post({ username: 'erin', password: 'x' })).status, 429);
    for (let i = 1; i < PER_IP; i++) assert.notEqual((await post({ token: '123456' })).status, 429);
    // Over the address limit: refused, and erin's budget (2 left) is untouched however often it is tried.
    for (let i = 0; i < PER_ACCOUNT + 2; i++) assertLimited(await post({ username: 'erin', password: 'x' }));
    const erin = await server.services.storage.db.selectFrom('rate_limits').select('hits').where('limit_key', '=', accountKey('carbon.super', 'erin')).executeTakeFirstOrThrow();
    assert.equal(Number(erin.hits), 1, 'only the first, allowed form counted on the account');
    nextWindow();
    for (let i = 0; i < PER_ACCOUNT; i++) assert.notEqual((await post({ username: 'erin', password: 'x' })).status, 429);
    assertLimited(await post({ username: 'erin', password: 'x' }));
  });

  test('HTTP Basic: every request counts on the address; over the limit a JSON 429 with Retry-After', async () => {
    nextWindow();
    for (let i = 0; i < PER_IP; i++) assert.equal((await server.client().get(API, { auth: ['admin', 'admin'] })).status, 200);
    const res = await server.client().get(API, { auth: ['admin', 'admin'] });
    assertLimited(res);
    assert.equal(res.json<{ code: string }>().code, 'PCS-42900');
    assertLimited(await server.client().get('/scim2/Users', { auth: ['admin', 'admin'] })); // SCIM is the same door
  });

  test('HTTP Basic: refused credentials use the account budget, accepted ones do not', async () => {
    nextWindow();
    for (let i = 0; i < PER_ACCOUNT + 1; i++) assert.equal((await server.client().get(API, { auth: ['admin', 'admin'] })).status, 200);
    nextWindow();
    for (let i = 0; i < PER_ACCOUNT; i++) assert.equal((await server.client().get(API, { auth: ['admin', `wrong-${i}`] })).status, 401);
    assertLimited(await server.client().get(API, { auth: ['admin', 'admin'] }));
    const { username, password } = await createUser(server);
    assert.equal((await server.client().get(API, { auth: [username, password] })).status, 403, 'another account is not limited');
    nextWindow();
    assert.equal((await server.client().get(API, { auth: ['admin', 'admin'] })).status, 200);
  });
});

describe('rate limits switched off', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ toml: '[rate_limit]\nenable = false\nper_ip_per_minute = 1' });
  });
  after(async () => server?.close());

  test('enable = false lets every request through', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await server.client().get(API, { auth: ['admin', 'admin'] })).status, 200);
  });
});
