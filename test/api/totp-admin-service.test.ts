// Issue 9, item 3, "done when": the seed guide's two curl commands for TOTPAdminService, run with curl as written
// (host and port adjusted), return the documented shapes; the base64 `return` of initTOTP decodes to an otpauth
// URI whose code logs testuser in through the login flow (password, then TOTP), with and without enrolment in
// the flow; retrieveSecretKey returns the same secret. Time moves on a ManualClock.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { ManualClock } from '../../src/time/clock.ts';
import { decodeWso2QrPayload } from '../../src/totp/index.ts';
import { setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { LoginBrowser, manualKey, totpFromQr } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

const NS = 'http://services.totp.authenticator.application.identity.carbon.wso2.org';
const PASSWORD = 'testuser password 1';

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface CurlAnswer {
  status: number;
  headers: string;
  body: string;
}

describe("TOTPAdminService: the seed guide's curl commands", { skip: skipUnless(hasCurl(), 'curl is not installed') }, () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 1));

  before(async () => {
    server = await startTestServer({ clock });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    const tenant = await tenantOf(server);
    await server.services.users.create(tenant, { username: 'testuser', password: PASSWORD });
    await server.services.users.create(tenant, { username: 'testuser2', password: PASSWORD });
  });
  after(async () => server?.close());

  /**
   * The guide's command word for word, with this server's address. `-k` is the guide's own flag (the server's
   * certificate is self-signed); the request goes to this loopback server only.
   */
  function curl(operation: string, data = 'username=testuser@carbon.super'): Promise<CurlAnswer> {
    const args = ['-i', '-s', '-X', 'POST', '-H', 'Content-Type: application/x-www-form-urlencoded', '-H', 'Authorization:Basic YWRtaW46YWRtaW4=', `${server.url}/services/TOTPAdminService/${operation}`, '-k', '-d', data];
    return new Promise((resolve, reject) => {
      execFile('curl', args, (err, stdout) => {
        if (err) return reject(err);
        const split = stdout.indexOf('\r\n\r\n');
        const headers = stdout.slice(0, split);
        resolve({ status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(headers)?.[1]), headers, body: stdout.slice(split + 4) });
      });
    });
  }

  /** The documented shape, exactly: the response element with WSO2's namespace and one `return`. */
  function returned(answer: CurlAnswer, operation: string): string {
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.headers, /^content-type: (application|text)\/xml; charset=utf-8$/im);
    const shape = new RegExp(`^<ns:${operation}Response xmlns:ns="${NS}"><ns:return>([^<]*)</ns:return></ns:${operation}Response>$`);
    const m = shape.exec(answer.body);
    assert.ok(m, `the documented shape, got: ${answer.body}`);
    return m[1]!;
  }

  async function passwordStep(username: string): Promise<{ browser: LoginBrowser; page: Awaited<ReturnType<LoginBrowser['open']>> }> {
    const browser = new LoginBrowser(server.client());
    const login = await browser.open('/myaccount');
    assert.equal(login.name, 'login.do');
    return { browser, page: await browser.login(login, username, PASSWORD) };
  }

  test('initTOTP and retrieveSecretKey as in the guide; the QR payload enrols testuser at login (enrolUserInAuthenticationFlow=true)', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true });
    const payload = returned(await curl('initTOTP'), 'initTOTP');
    assert.match(payload, /^[A-Za-z0-9+/]+=*$/, 'Base64');
    const uri = decodeWso2QrPayload(payload);
    const app = OTPAuth.URI.parse(uri);
    assert.ok(app instanceof OTPAuth.TOTP);
    assert.equal(app.label, 'testuser');
    assert.equal(app.issuer, 'carbon.super');

    const secret = returned(await curl('retrieveSecretKey'), 'retrieveSecretKey');
    assert.equal(secret, app.secret.base32, 'retrieveSecretKey returns the secret of the URI');

    // The login offers the same (pending) secret: the app that scanned initTOTP's QR makes the code that enrols.
    const { browser, page: enrol } = await passwordStep('testuser');
    assert.equal(enrol.name, 'totp_enroll.do');
    assert.equal(totpFromQr(enrol).secret.base32, app.secret.base32);
    assert.equal(manualKey(enrol), app.secret.base32);
    const codePage = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    assert.equal(codePage.name, 'totp.do');
    const done = await browser.submit(codePage, { token: app.generate({ timestamp: clock.now() }) });
    assert.equal(done.name, 'myaccount');

    // Enrolled now: initTOTP shows the active secret, and the next login asks for a code from the same app.
    assert.equal(decodeWso2QrPayload(returned(await curl('initTOTP'), 'initTOTP')), uri);
    clock.advance(30_000);
    const { browser: again, page: code } = await passwordStep('testuser');
    assert.equal(code.name, 'totp.do');
    assert.equal((await again.submit(code, { token: app.generate({ timestamp: clock.now() }) })).name, 'myaccount');
  });

  test('with enrolUserInAuthenticationFlow=false the login goes straight to the code page for the secret initTOTP gave', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: false });
    try {
      const app = OTPAuth.URI.parse(decodeWso2QrPayload(returned(await curl('initTOTP', 'username=testuser2@carbon.super'), 'initTOTP'))) as OTPAuth.TOTP;
      const { browser, page } = await passwordStep('testuser2');
      assert.equal(page.name, 'totp.do');
      assert.equal((await browser.submit(page, { token: app.generate({ timestamp: clock.now() }) })).name, 'myaccount');
      assert.equal((await server.services.totpManagement.status((await server.services.users.find(await tenantOf(server), 'testuser2'))!)).enrolled, true);
    } finally {
      await setTotpParams(server, { enrolUserInAuthenticationFlow: true });
    }
  });

  test('the form-posted style: a missing username, an unknown operation and no credentials are faults, never a secret', async () => {
    const missing = await curl('initTOTP', 'user=testuser');
    assert.equal(missing.status, 400);
    assert.match(missing.body, /^<soapenv:Fault xmlns:soapenv="http:\/\/www.w3.org\/2003\/05\/soap-envelope"><soapenv:Code><soapenv:Value>soapenv:Sender<\/soapenv:Value>/);
    const unknown = await curl('deleteEverything');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body, /not one of TOTPAdminService's/);
    const anonymous = await server.client().post('/services/TOTPAdminService/retrieveSecretKey', { form: { username: 'testuser@carbon.super' } });
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /^Basic /);
    assert.match(anonymous.text, /<soapenv:Fault /);
    assert.doesNotMatch(anonymous.text, /<ns:return>/);
  });
});
