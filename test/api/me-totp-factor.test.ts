// A password alone never reveals or replaces a second factor (docs/security.md): through me/totp, a My Account
// session that signed in with the password only gets 403 OTP-10008 for everything but VALIDATE on an enrolled
// user's TOTP; a correct VALIDATE against the current secret is the proof (for 15 minutes), after which the
// session may see and change it, and a pending secret is proven only after that.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/time/clock.ts';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { appOf, codeOf, myAccountSession, wrongCode, type ErrorJson } from './me-totp-support.ts';

describe('me/totp API: an enrolled user\'s factor needs a proven code', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());
  const nextStep = () => clock.advance(30_000);

  before(async () => {
    server = await startTestServer({ clock });
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
  });
  after(async () => server?.close());

  test('a password-only session: 403 OTP-10008 until VALIDATE proves the current code; then everything works', async () => {
    const { username, password, user } = await createUser(server);
    const first = await myAccountSession(server, username, password);
    const app = appOf(await first.qr('INIT'));
    assert.equal(await first.validate(codeOf(app, clock)), true, 'enrolled (and this session proved the code)');

    const second = await myAccountSession(server, username, password);
    for (const call of [() => second.get(), () => second.get('/secret'), () => second.post({ action: 'VIEW' }), () => second.post({ action: 'REFRESH' }), () => second.post({ action: 'INIT' }), () => second.delete()]) {
      const res = await call();
      assert.equal(res.status, 403, res.text);
      assert.equal(res.json<ErrorJson>().code, 'OTP-10008');
    }
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false }, 'nothing changed');
    nextStep();
    assert.equal(await second.validate(wrongCode(app, clock)), false);
    assert.equal((await second.get()).status, 403, 'a wrong code proves nothing');
    assert.equal(await second.validate(codeOf(app, clock)), true);
    assert.equal((await second.get()).status, 200, 'proven: the active QR is shown');
    // The proof lasts 15 minutes; the session itself stays alive while it is used.
    clock.advance(8 * 60_000);
    assert.equal((await second.get()).status, 200, 'an API call keeps the 15-minute idle session alive too');
    clock.advance(8 * 60_000);
    const expired = await second.get();
    assert.equal(expired.status, 403, expired.text);
    assert.equal(expired.json<ErrorJson>().code, 'OTP-10008', 'the session lives on; only the proof expired');
  });

  test('with a pending secret, VALIDATE first proves the current one, then the pending one', async () => {
    const { username, password, user } = await createUser(server);
    const first = await myAccountSession(server, username, password);
    const oldApp = appOf(await first.qr('INIT'));
    assert.equal(await first.validate(codeOf(oldApp, clock)), true);
    nextStep();
    const newApp = appOf(await first.qr('REFRESH'));

    const second = await myAccountSession(server, username, password);
    nextStep();
    assert.equal(await second.validate(codeOf(newApp, clock)), false, 'the pending secret is not proven by an unproven session');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: true });
    nextStep();
    assert.equal(await second.validate(codeOf(oldApp, clock)), true, 'the current code is the proof');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: true }, 'still pending');
    nextStep();
    assert.equal(await second.validate(codeOf(newApp, clock)), true, 'now the pending one is proven');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false });
  });

  test('a user not enrolled needs no proof: INIT and VALIDATE enrol from a password-only session', async () => {
    const { username, password, user } = await createUser(server);
    const api = await myAccountSession(server, username, password);
    const app = appOf(await api.qr('INIT'));
    assert.equal((await api.get('/secret')).status, 200, 'the pending secret of a user not enrolled');
    nextStep();
    assert.equal(await api.validate(codeOf(app, clock)), true);
    assert.equal((await server.services.totpManagement.status(user)).enrolled, true);
  });
});
