// The seed guide's TOTP step over HTTP, for every combination of enrolUserInAuthenticationFlow and
// authenticationMandatory, driven through the real pages (My Account, with steps basic then totp).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createUser, claimOf, setMyAccountSteps, setTotpParams } from '../support/fixtures.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser, manualKey, totpFromQr, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('TOTP step: enrolment and enforcement', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  async function passwordStep(username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const login = await browser.open('/myaccount');
    assert.equal(login.name, 'login.do');
    return { browser, page: await browser.login(login, username, password) };
  }

  for (const mandatory of [true, false]) {
    test(`enrolUserInAuthenticationFlow=true, authenticationMandatory=${mandatory}: QR, Continue, code, logged in; the secret is saved only then`, async () => {
      await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: mandatory });
      const { user, username, password } = await createUser(server);
      const { browser, page: enrol } = await passwordStep(username, password);
      assert.equal(enrol.name, 'totp_enroll.do');
      assert.ok(!enrol.url.includes('ske='), 'no secret in the URL');
      const totp = totpFromQr(enrol);
      assert.equal(manualKey(enrol), totp.secret.base32, 'the key beside the QR is the one in it');
      assert.equal(totp.issuer, 'carbon.super');
      assert.equal(totp.label, username);
      assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined, 'nothing saved before the code is proven');
      const codePage = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
      assert.equal(codePage.name, 'totp.do');
      assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined, 'Continue alone saves nothing');
      await awayFromStepEdge(30);
      const done = await browser.submit(codePage, { token: codeAt(totp) });
      assert.equal(done.name, 'myaccount');
      assert.match(done.html, /Authenticator app \(TOTP\)<\/dt><dd>Enabled/);
      assert.equal(await claimOf(server, user, CLAIMS.secretKey), totp.secret.base32);
      assert.equal(await claimOf(server, user, CLAIMS.totpEnabled), 'true');
    });

    test(`enrolUserInAuthenticationFlow=true, authenticationMandatory=${mandatory}: Cancel ${mandatory ? 'shows the error page' : 'skips TOTP'}`, async () => {
      await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: mandatory });
      const { user, username, password } = await createUser(server);
      const { browser, page: enrol } = await passwordStep(username, password);
      const after = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'false']);
      if (mandatory) {
        assert.equal(after.name, 'totp_error.do');
        assert.match(alertText(after), /Enable TOTP in your profile/);
        // The login is over: going back to the enrolment page does not revive it.
        const back = await browser.open(enrol.url);
        assert.equal(back.name, 'totp_error.do');
      } else {
        assert.equal(after.name, 'myaccount');
      }
      assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined);
    });

    test(`enrolUserInAuthenticationFlow=false, authenticationMandatory=${mandatory}: ${mandatory ? 'error page' : 'TOTP skipped'}`, async () => {
      await setTotpParams(server, { enrolUserInAuthenticationFlow: false, authenticationMandatory: mandatory });
      const { username, password } = await createUser(server);
      const { page } = await passwordStep(username, password);
      assert.equal(page.name, mandatory ? 'totp_error.do' : 'myaccount');
    });
  }

  test('a wrong code during enrolment leaves the user unenrolled and asks again', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: true });
    const { user, username, password } = await createUser(server);
    const { browser, page: enrol } = await passwordStep(username, password);
    const totp = totpFromQr(enrol);
    const codePage = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    await awayFromStepEdge(30);
    const wrong = String((Number(codeAt(totp)) + 1) % 1_000_000).padStart(6, '0');
    const retry = await browser.submit(codePage, { token: wrong });
    assert.equal(retry.name, 'totp.do');
    assert.match(retry.url, /authFailure=true/);
    assert.match(alertText(retry), /not correct/);
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined);
    const done = await browser.submit(retry, { token: codeAt(totp) });
    assert.equal(done.name, 'myaccount');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), totp.secret.base32);
  });

  test('an enrolled user goes straight to the code page; a used code is refused', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: true });
    const { username, password } = await createUser(server);
    const first = await passwordStep(username, password);
    const totp = totpFromQr(first.page);
    await awayFromStepEdge(30);
    const code = codeAt(totp);
    await first.browser.submit(await first.browser.submit(first.page, {}, ['ENABLE_TOTP', 'true']), { token: code });
    const second = await passwordStep(username, password);
    assert.equal(second.page.name, 'totp.do');
    const reused = await second.browser.submit(second.page, { token: code });
    assert.equal(reused.name, 'totp.do');
    assert.match(alertText(reused), /already used/);
  });
});
