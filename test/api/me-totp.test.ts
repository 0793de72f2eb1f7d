// Issue 9, item 2: the me/totp REST API driven by a My Account session (cookie and X-CSRF-Token), with WSO2's
// shapes: every action and error, the enrolment sequence up to a login through the TOTP step with the app's
// code, REFRESH keeping the old secret until the new one is proven, GET and VIEW creating nothing. Time moves on a
// ManualClock, one TOTP step at a time, instead of sleeping.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as OTPAuth from 'otpauth';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { claimOf, createUser, setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { appOf, codeOf, myAccountSession, wrongCode, type ErrorJson, type MeTotpClient } from './me-totp-support.ts';

describe('me/totp API: actions and errors', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
  });
  after(async () => server?.close());

  async function signedIn(): Promise<{ api: MeTotpClient; username: string; password: string; user: Awaited<ReturnType<typeof createUser>>['user'] }> {
    const created = await createUser(server);
    return { ...created, api: await myAccountSession(server, created.username, created.password) };
  }

  /** Logs in through My Account with the steps password then TOTP; returns the page the code leads to. */
  async function loginWithCode(username: string, password: string, code: string): Promise<string> {
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    try {
      const browser = new LoginBrowser(server.client());
      const codePage = await browser.login(await browser.open('/myaccount'), username, password);
      assert.equal(codePage.name, 'totp.do');
      return (await browser.submit(codePage, { token: code })).name;
    } finally {
      await setMyAccountSteps(server, [['BasicAuthenticator']]);
    }
  }

  test('not enrolled: GET and VIEW answer 404 OTP-10003 and create nothing', async () => {
    const { api, user } = await signedIn();
    const get = await api.get();
    assert.equal(get.status, 404);
    const error = get.json<ErrorJson>();
    assert.equal(error.code, 'OTP-10003');
    assert.equal(error.message, "QR Code URL doesn't exist.");
    assert.ok(error.description && error.traceId, 'WSO2 error shape');
    const view = await api.post({ action: 'VIEW' });
    assert.equal(view.status, 404);
    assert.equal(view.json<ErrorJson>().code, 'OTP-10003');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: false, pending: false });
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined);
    assert.equal(await claimOf(server, user, CLAIMS.verifySecretKey), undefined);
  });

  test('INIT, VALIDATE, GET: the enrolment sequence; then a login through the TOTP step takes the app\'s code', async () => {
    const { api, user, username, password } = await signedIn();
    const qrCodeUrl = await api.qr('INIT');
    assert.equal(await api.qr('INIT'), qrCodeUrl, 'INIT again hands out the same pending secret');
    const app = appOf(qrCodeUrl);
    assert.equal(app.label, username);
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: false, pending: true });
    assert.equal((await api.get()).status, 404, 'a pending secret is not the active one');
    assert.notEqual(await claimOf(server, user, CLAIMS.totpEnabled), 'true', 'INIT does not set totpEnabled (WSO2 does)');

    assert.equal(await api.validate(wrongCode(app, clock)), false);
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: false, pending: true }, 'a wrong code keeps it pending');
    assert.equal(await api.validate(Number(codeOf(app, clock))), true, 'the code as an integer, as WSO2 sends it');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false }, 'VALIDATE promotes the pending secret and clears it');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), app.secret.base32);
    assert.equal(await claimOf(server, user, CLAIMS.totpEnabled), 'true');

    const get = await api.get();
    assert.equal(get.status, 200);
    assert.deepEqual(get.json(), { qrCodeUrl });
    assert.equal(await api.qr('VIEW'), qrCodeUrl);
    const secret = await api.get('/secret');
    assert.equal(secret.status, 200);
    assert.deepEqual(secret.json(), { secret: app.secret.base32 });

    clock.advance(app.period * 1000);
    assert.equal(await loginWithCode(username, password, codeOf(app, clock)), 'myaccount');
  });

  test('VALIDATE without a pending secret checks the active one, stores nothing, and refuses a code already used', async () => {
    const { api, user } = await signedIn();
    const app = appOf(await api.qr('INIT'));
    assert.equal(await api.validate(codeOf(app, clock)), true);
    const before = await claimOf(server, user, CLAIMS.secretKey);
    clock.advance(app.period * 1000);
    const code = codeOf(app, clock);
    assert.equal(await api.validate(code), true, 'the code as a digit string');
    assert.equal(await api.validate(code), false, 'a code is accepted once');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), before);
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false });
  });

  test('VALIDATE honours the tenant window: a code three steps old is refused', async () => {
    const { api } = await signedIn();
    const app = appOf(await api.qr('INIT'));
    assert.equal(await api.validate(codeOf(app, clock, -3)), false);
    assert.equal(await api.validate(codeOf(app, clock, -1)), true, 'the previous step is within windowSize = 3');
  });

  test('REFRESH: a new pending secret; the old one logs in until VALIDATE proves the new one', async () => {
    const { api, user, username, password } = await signedIn();
    const oldQr = await api.qr('INIT');
    const oldApp = appOf(oldQr);
    assert.equal(await api.validate(codeOf(oldApp, clock)), true);

    const newQr = await api.qr('REFRESH');
    assert.notEqual(newQr, oldQr);
    const newApp = appOf(newQr);
    assert.notEqual(newApp.secret.base32, oldApp.secret.base32);
    assert.notEqual(await api.qr('REFRESH'), newQr, 'REFRESH always makes a new secret');
    const newest = appOf(await api.qr('INIT'));
    assert.deepEqual((await api.get()).json(), { qrCodeUrl: oldQr }, 'GET still shows the active, old secret');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), oldApp.secret.base32);

    clock.advance(oldApp.period * 1000);
    assert.equal(await loginWithCode(username, password, codeOf(oldApp, clock)), 'myaccount', 'the old app still logs in');
    // The login ended no session: the API's session still works.
    clock.advance(oldApp.period * 1000);
    assert.equal(await api.validate(codeOf(newest, clock)), true);
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), newest.secret.base32);
    clock.advance(oldApp.period * 1000);
    assert.equal(await loginWithCode(username, password, codeOf(oldApp, clock)), 'totp.do', 'the old app no longer logs in');
    assert.equal(await loginWithCode(username, password, codeOf(newest, clock)), 'myaccount');
  });

  test('GET /secret: the active secret, else the pending one, else a new pending one (not active until proven)', async () => {
    const { api, user } = await signedIn();
    const first = await api.get('/secret');
    assert.equal(first.status, 200);
    const { secret } = first.json<{ secret: string }>();
    assert.match(secret, /^[A-Z2-7]+=*$/);
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: false, pending: true });
    assert.equal((await api.get()).status, 404);
    const app = appOf(await api.qr('INIT'));
    assert.equal(app.secret.base32, secret, 'INIT hands out the secret GET /secret made');
    assert.equal(await api.validate(codeOf(app, clock)), true);
    assert.deepEqual((await api.get('/secret')).json(), { secret });
    const tenant = await tenantOf(server);
    const { events } = await server.services.audit.list(tenant.id, { userId: user.id, event: 'totp.secret_read', offset: 0, limit: 10 });
    assert.equal(events.length, 2);
    assert.equal(events[0]?.application, 'REST me/totp');
    assert.ok(!JSON.stringify(events).includes(secret), 'no secret in the audit log');
  });

  test('DELETE: 200 with an empty body; both secrets go; this session stays, the user\'s other sessions end', async () => {
    const { api, user, username, password } = await signedIn();
    const app = appOf(await api.qr('INIT'));
    assert.equal(await api.validate(codeOf(app, clock)), true);
    await api.qr('REFRESH');
    const other = await myAccountSession(server, username, password);
    const res = await api.delete();
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: false, pending: false });
    assert.equal((await api.get()).status, 404, 'this session still works');
    assert.equal((await other.get()).status, 401, 'the other session ended');
  });

  test('bad input: 400 with WSO2\'s codes (not 505), after the caller is known', async () => {
    const { api } = await signedIn();
    const cases: [unknown, string][] = [
      [{}, 'OTP-10002'],
      [{ action: 'DISABLE' }, 'OTP-10002'],
      [{ action: 'init' }, 'OTP-10002'],
      [[{ action: 'INIT' }], 'OTP-10002'],
      [{ action: 'VALIDATE' }, 'OTP-10004'],
      [{ action: 'VALIDATE', verificationCode: null }, 'PCS-40001'],
      [{ action: 'VALIDATE', verificationCode: true }, 'PCS-40001'],
      [{ action: 'VALIDATE', verificationCode: '12ab56' }, 'PCS-40001'],
      [{ action: 'VALIDATE', verificationCode: 1.5 }, 'PCS-40001'],
      [{ action: 'VALIDATE', verificationCode: -1 }, 'PCS-40001'],
    ];
    for (const [body, code] of cases) {
      const res = await api.post(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.json<ErrorJson>().code, code, JSON.stringify(body));
    }
    const unauthenticated = await server.client().request('/api/users/v1/me/totp', { method: 'POST', json: { action: 'DISABLE' } });
    assert.equal(unauthenticated.status, 401, 'no credentials: 401 before the body is judged');
    assert.equal(unauthenticated.json<ErrorJson>().code, 'OTP-10001');
  });

  test('the tenant path /t/carbon.super/... is the same API', async () => {
    const created = await createUser(server);
    const api = await myAccountSession(server, created.username, created.password, '/t/carbon.super');
    const qr = await api.qr('INIT');
    const app: OTPAuth.TOTP = appOf(qr);
    assert.equal(await api.validate(codeOf(app, clock)), true);
    assert.deepEqual((await api.get()).json(), { qrCodeUrl: qr });
  });
});
