// Who may call the me/totp API: the My Account session only with its CSRF token (GET too), HTTP Basic only for
// VALIDATE (403 OTP-10005 otherwise, without comparing the password), bearer tokens only when live (test/oidc/
// api-tokens.test.ts has the live ones); wrong VALIDATE codes
// lock the account whichever the caller; and nothing crosses tenants.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { claimOf, createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { appOf, codeOf, ME_TOTP, MeTotpClient, myAccountSession, wrongCode, type ErrorJson } from './me-totp-support.ts';

const ATTEMPTS = 3;

describe('me/totp API: callers', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock, toml: `[identity_mgt.account_locking]\nallowed_failed_attempts = ${ATTEMPTS}` });
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    await provisionTenant(server, 'other.example');
    await setMyAccountSteps(server, [['BasicAuthenticator']], 'other.example');
  });
  after(async () => server?.close());

  /** A user enrolled through the API, with its session and its app. */
  async function enrolled() {
    const created = await createUser(server);
    const api = await myAccountSession(server, created.username, created.password);
    const app = appOf(await api.qr('INIT'));
    assert.equal(await api.validate(codeOf(app, clock)), true);
    clock.advance(app.period * 1000);
    return { ...created, api, app };
  }

  const every = (api: MeTotpClient) => [
    ['GET', () => api.get()],
    ['GET /secret', () => api.get('/secret')],
    ['DELETE', () => api.delete()],
    ['INIT', () => api.post({ action: 'INIT' })],
    ['REFRESH', () => api.post({ action: 'REFRESH' })],
    ['VIEW', () => api.post({ action: 'VIEW' })],
  ] as const;

  test('the session needs its CSRF token on every method; without it or with another session\'s, 403 PCS-40300 and nothing changes', async () => {
    const { api, user } = await enrolled();
    const otherSession = await myAccountSession(server, ...(await createUser(server).then((u) => [u.username, u.password] as const)));
    for (const csrf of [undefined, 'not-a-token', otherSession.options.csrf]) {
      const bare = new MeTotpClient(api.client, csrf ? { csrf } : {});
      for (const [name, call] of [...every(bare), ['VALIDATE', () => bare.post({ action: 'VALIDATE', verificationCode: 123456 })] as const]) {
        const res = await call();
        assert.equal(res.status, 403, `${name} ${csrf ?? 'without a token'}`);
        assert.equal(res.json<ErrorJson>().code, 'PCS-40300');
      }
    }
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false });
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '0', 'no code was checked');
    assert.equal((await api.get()).status, 200, 'with its token the session works');
  });

  test('no credentials, an unknown bearer token or another scheme: 401 OTP-10001', async () => {
    const client = server.client();
    const none = await client.get(ME_TOTP);
    assert.equal(none.status, 401);
    assert.equal(none.json<ErrorJson>().code, 'OTP-10001');
    const bearer = await client.get(ME_TOTP, { headers: { authorization: 'Bearer abc.def.ghi' } });
    assert.equal(bearer.status, 401);
    assert.equal(bearer.json<ErrorJson>().code, 'OTP-10001');
    assert.match(bearer.json<ErrorJson>().description, /access token is not valid/);
    assert.match(String(bearer.headers['www-authenticate']), /Bearer error="invalid_token"/);
    const digest = await client.post(ME_TOTP, { headers: { authorization: 'Digest username="x"' }, json: { action: 'VALIDATE', verificationCode: 1 } });
    assert.equal(digest.status, 401);
    const stale = await client.get(ME_TOTP, { headers: { cookie: 'commonAuthId=not-a-session', 'x-csrf-token': 'x' } });
    assert.equal(stale.status, 401);
  });

  test('HTTP Basic: 403 OTP-10005 for everything but VALIDATE, before the password is compared', async () => {
    const { user, username, password } = await enrolled();
    for (const pass of [password, 'wrong password']) {
      const basic = new MeTotpClient(server.client(), { auth: [username, pass] });
      for (const [name, call] of every(basic)) {
        const res = await call();
        assert.equal(res.status, 403, name);
        const error = res.json<ErrorJson>();
        assert.equal(error.code, 'OTP-10005');
        assert.equal(error.description, 'This method is blocked for the requests with basic authentication.');
      }
    }
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false }, 'nothing reset or refreshed');
    assert.equal(await claimOf(server, user, CLAIMS.failedLoginAttempts), '0', 'refused before any password check');
  });

  test('HTTP Basic VALIDATE checks the user\'s own code; a wrong password is 401 OTP-10001', async () => {
    const { username, password, app, user } = await enrolled();
    const basic = new MeTotpClient(server.client(), { auth: [username, password] });
    assert.equal(await basic.validate(Number(codeOf(app, clock))), true);
    assert.equal(await basic.validate(wrongCode(app, clock)), false);
    const wrong = await new MeTotpClient(server.client(), { auth: [username, 'wrong password'] }).post({ action: 'VALIDATE', verificationCode: codeOf(app, clock, 1) });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json<ErrorJson>().code, 'OTP-10001');
    assert.equal(await claimOf(server, user, CLAIMS.failedLoginAttempts), '1', 'the wrong password counted');
  });

  test(`HTTP Basic VALIDATE: ${ATTEMPTS} wrong codes lock the account; then even the right password and code are refused`, async () => {
    const { username, password, app, user } = await enrolled();
    const basic = new MeTotpClient(server.client(), { auth: [username, password] });
    for (let i = 0; i < ATTEMPTS; i++) assert.equal(await basic.validate(wrongCode(app, clock)), false);
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');
    assert.equal(await claimOf(server, user, CLAIMS.lockedReason), 'MAX_TOTP_ATTEMPTS_EXCEEDED');
    const refused = await basic.post({ action: 'VALIDATE', verificationCode: codeOf(app, clock) });
    assert.equal(refused.status, 401);
    assert.equal(refused.json<ErrorJson>().code, 'OTP-10001');
  });

  test(`the session's VALIDATE counts too: ${ATTEMPTS} wrong codes lock the account and end its session`, async () => {
    const { api, app, user } = await enrolled();
    await api.qr('REFRESH');
    for (let i = 0; i < ATTEMPTS; i++) assert.equal(await api.validate(wrongCode(app, clock)), false);
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');
    assert.equal((await api.get()).status, 401, 'a locked account has no session');
  });

  test('tenant isolation: a session or Basic user of carbon.super gets nothing under /t/other.example, and nothing changes', async () => {
    const { api, app, user, username, password } = await enrolled();
    const across = new MeTotpClient(api.client, { csrf: api.options.csrf!, prefix: '/t/other.example' });
    for (const [name, call] of [...every(across), ['VALIDATE', () => across.post({ action: 'VALIDATE', verificationCode: codeOf(app, clock) })] as const]) {
      const res = await call();
      assert.equal(res.status, 401, name);
      assert.equal(res.json<ErrorJson>().code, 'OTP-10001');
    }
    const basic = new MeTotpClient(server.client(), { auth: [username, password], prefix: '/t/other.example' });
    for (const [name, call] of every(basic)) assert.equal((await call()).status, 403, name);
    const validate = await basic.post({ action: 'VALIDATE', verificationCode: codeOf(app, clock) });
    assert.equal(validate.status, 401, 'the user does not exist in other.example');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false });
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '0');
    assert.equal(await api.validate(codeOf(app, clock)), true, 'the code was not used up across the tenant line');

    // And the other way round: other.example's own user and session work only there.
    const boss = await myAccountSession(server, 'boss', 'a long password', '/t/other.example');
    assert.equal((await boss.get()).status, 404, 'other.example\'s admin is not enrolled');
    const home = new MeTotpClient(boss.client, { csrf: boss.options.csrf! });
    assert.equal((await home.get()).status, 401);
    assert.equal((await home.post({ action: 'INIT' })).status, 401);
  });
});
