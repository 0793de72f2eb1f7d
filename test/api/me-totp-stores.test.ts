// The me/totp API (issue 10, "done when") for users of secondary stores: LDAP/bob (slapd), JDBC/carol
// (PostgreSQL) and ARCHIVE/cameron (a read-only MariaDB table; TOTP state lives in Portcullis's database, so a
// read-only store works). Each signs in to My Account, runs INIT, VALIDATE and GET as WSO2 clients call them,
// signs in with password and code, VALIDATEs over HTTP Basic with the qualified name, and DELETEs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/time/clock.ts';
import { setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { PASSWORDS, StoreFixture, storesReady } from '../support/store-fixture.ts';
import { appOf, codeOf, MeTotpClient, myAccountSession, wrongCode } from './me-totp-support.ts';

const skip = await storesReady();

describe('me/totp for users of secondary stores', { skip }, () => {
  let fx: StoreFixture;
  const clock = new ManualClock(Date.now());

  before(async () => {
    fx = await StoreFixture.start({ clock });
  });
  after(async () => fx?.close());

  async function loginWithCode(username: string, password: string, code: string): Promise<string> {
    await setMyAccountSteps(fx.server, [['BasicAuthenticator'], ['totp']]);
    try {
      const browser = new LoginBrowser(fx.server.client());
      const codePage = await browser.login(await browser.open('/myaccount'), username, password);
      assert.equal(codePage.name, 'totp.do', `${username} reaches the code step`);
      return (await browser.submit(codePage, { token: code })).name;
    } finally {
      await setMyAccountSteps(fx.server, [['BasicAuthenticator']]);
    }
  }

  for (const [username, password] of [['LDAP/bob', PASSWORDS.bob], ['JDBC/carol', PASSWORDS.carol], ['ARCHIVE/cameron', PASSWORDS.cameron]] as const) {
    test(`${username}: INIT, VALIDATE, GET, a login with the code, Basic VALIDATE, DELETE`, async () => {
      await setMyAccountSteps(fx.server, [['BasicAuthenticator']]);
      const user = (await fx.server.services.users.find(await tenantOf(fx.server), username))!;
      const api = await myAccountSession(fx.server, username, password);
      assert.equal((await api.get()).status, 404, 'not enrolled yet');

      const qrCodeUrl = await api.qr('INIT');
      const app = appOf(qrCodeUrl);
      assert.equal(app.label, username, 'the QR label names the store, as WSO2 does by default');
      assert.equal(await api.validate(wrongCode(app, clock)), false);
      assert.equal(await api.validate(Number(codeOf(app, clock))), true);
      assert.deepEqual(await fx.server.services.totpManagement.status(user), { enrolled: true, pending: false });
      const get = await api.get();
      assert.equal(get.status, 200);
      assert.deepEqual(get.json(), { qrCodeUrl });

      clock.advance(app.period * 1000);
      assert.equal(await loginWithCode(username, password, codeOf(app, clock)), 'myaccount');

      clock.advance(app.period * 1000);
      const basic = new MeTotpClient(fx.server.client(), { auth: [username, password] });
      assert.equal(await basic.validate(codeOf(app, clock)), true, 'HTTP Basic with the qualified name');
      assert.equal((await new MeTotpClient(fx.server.client(), { auth: [username, 'wrong password'] }).post({ action: 'VALIDATE', verificationCode: codeOf(app, clock) })).status, 401);

      const del = await api.delete();
      assert.equal(del.status, 200);
      assert.deepEqual(await fx.server.services.totpManagement.status(user), { enrolled: false, pending: false });
      assert.equal((await api.get()).status, 404);
    });
  }
});
