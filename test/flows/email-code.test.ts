// "Get a Verification Code": the TOTP template is mailed through a real SMTP server on loopback, and the
// code in it logs the user in once. Sends are rate-limited; a wrong code counts toward the lock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { claimOf, createUser, setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser, totpFromQr, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';

describe('verification code by email', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;

  before(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({
      toml: `[output_adapter.email]\nhostname = "127.0.0.1"\nport = ${smtp.port}\nfrom_address = "noreply@portcullis.test"\nenable_start_tls = false\nenable_authentication = false\n`,
    });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    await setTotpParams(server, { AllowSendingVerificationCodeByEmail: true });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  async function enrolledAtCodePage(email?: string) {
    const created = await createUser(server, { givenName: 'Grace', ...(email ? { email } : {}) });
    const b = new LoginBrowser(server.client());
    const enrol = await b.login(await b.open('/myaccount'), created.username, created.password);
    const codePageDuringEnrolment = await b.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    assert.doesNotMatch(codePageDuringEnrolment.html, /Get a Verification Code/, 'not offered before the secret is proven');
    const totp = totpFromQr(enrol);
    await awayFromStepEdge(30);
    assert.equal((await b.submit(codePageDuringEnrolment, { token: codeAt(totp) })).name, 'myaccount');
    const browser = new LoginBrowser(server.client());
    const page = await browser.login(await browser.open('/myaccount'), created.username, created.password);
    assert.equal(page.name, 'totp.do');
    return { ...created, browser, page };
  }

  function codeIn(mail: string): string {
    const m = /token (\d{6})\b/.exec(mail) ?? /\b(\d{6})\b/.exec(mail);
    if (!m) throw new Error(`no code in mail:\n${mail}`);
    return m[1]!;
  }

  test('the mail carries the TOTP template with the code and the given name; the code logs in once', async () => {
    const address = `grace-${Date.now()}@example.org`;
    const { user, browser, page } = await enrolledAtCodePage(address);
    const before = smtp.messages.length;
    const sent = await browser.submit(page, {}, ['sendToken', 'true']);
    assert.equal(sent.name, 'totp.do');
    assert.match(sent.html, /verification code was sent to your email address/);
    assert.match(sent.html, /g•••@example\.org/);
    assert.equal(smtp.messages.length, before + 1);
    const mail = smtp.messages.at(-1)!;
    assert.deepEqual(mail.rcptTo, [address]);
    assert.match(mail.parsed.subject ?? '', /Time-Based One Time Password/);
    const text = mail.parsed.text ?? '';
    assert.match(text, /Grace/);
    const code = codeIn(text);
    assert.ok(!sent.url.includes(code) && !sent.html.includes(code), 'the code is only in the mail');
    const done = await browser.submit(sent, { token: code });
    assert.equal(done.name, 'myaccount');
    // Single use: the same code does not work a second time.
    const again = new LoginBrowser(server.client());
    const second = await again.login(await again.open('/myaccount'), user.username, 'correct horse battery');
    const refused = await again.submit(second, { token: code });
    assert.equal(refused.name, 'totp.do');
    const tenant = await tenantOf(server);
    const events = await server.services.audit.list(tenant.id, { userId: user.id, event: 'totp.email_sent', offset: 0, limit: 5 });
    assert.equal(events.total, 1);
    assert.ok(!JSON.stringify(events).includes(code), 'audit events never hold the code');
  });

  test('a second request within 30 seconds is refused; a wrong email code counts toward the lock', async () => {
    const { user, browser, page } = await enrolledAtCodePage(`limit-${Date.now()}@example.org`);
    const first = await browser.submit(page, {}, ['sendToken', 'true']);
    const count = smtp.messages.length;
    const second = await browser.submit(first, {}, ['sendToken', 'true']);
    assert.match(alertText(second), /sent recently/);
    assert.equal(smtp.messages.length, count, 'no second mail');
    const wrong = String((Number(codeIn(smtp.messages.at(-1)!.parsed.text ?? '')) + 1) % 1_000_000).padStart(6, '0');
    const after: Page = await browser.submit(second, { token: wrong });
    assert.equal(after.name, 'totp.do');
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '1');
  });

  test('no email address: a clear message, no mail', async () => {
    const { browser, page } = await enrolledAtCodePage();
    const count = smtp.messages.length;
    const r = await browser.submit(page, {}, ['sendToken', 'true']);
    assert.match(alertText(r), /no email address/);
    assert.equal(smtp.messages.length, count);
  });

  test("WSO2's GET /commonauth?&sessionDataKey=..&sendToken=true sends and answers as WSO2: 200, empty body", async () => {
    const { browser, page } = await enrolledAtCodePage(`get-${Date.now()}@example.org`);
    const key = /name="sessionDataKey" value="([^"]+)"/.exec(page.html)![1]!;
    const count = smtp.messages.length;
    const r = await browser.client.get(`/commonauth?&sessionDataKey=${key}&sendToken=true`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
    assert.equal(r.status, 200);
    assert.equal(r.text, '', "WSO2's script says the code was sent only for an empty body");
    assert.equal(r.location, undefined);
    assert.equal(smtp.messages.length, count + 1);
    // The login stays on the TOTP step, and the page says where the code went.
    const after = await browser.open(`/authenticationendpoint/totp.do?sessionDataKey=${key}`);
    assert.equal(after.name, 'totp.do');
    assert.match(after.html, /g•••@example\.org/);
  });

  test('when the admin has not allowed it, there is no button and a direct request is refused', async () => {
    await setTotpParams(server, { AllowSendingVerificationCodeByEmail: false });
    try {
      const { browser, page } = await enrolledAtCodePage(`off-${Date.now()}@example.org`);
      assert.doesNotMatch(page.html, /Get a Verification Code/);
      const count = smtp.messages.length;
      const r = await browser.submit(page, { sendToken: 'true' });
      assert.match(alertText(r), /not enabled/);
      assert.equal(smtp.messages.length, count);
    } finally {
      await setTotpParams(server, { AllowSendingVerificationCodeByEmail: true });
    }
  });
});
