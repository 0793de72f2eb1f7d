// The WSO2 guide's "Testing the sample" (steps 1 to 7) in a real Chromium, reading only what a user sees:
// the QR code is decoded from the picture on the enrolment page and codes come from otpauth, as a phone app
// would make them. Then what a user meets next: the second login, a wrong code, a reused code, a code by
// email, cancelling enrolment when TOTP is mandatory, and single logout. Every page is photographed into
// test-results/walkthrough/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readQrPng } from '../../src/totp/testing.ts';
import { awayFromStepEdge, codeAt } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { chromiumInstalled, launchChromium, newWindow, Pictures } from './chromium.ts';
import { createScimUser, startWithSample, type ScimUser } from './sample-support.ts';

const skip = skipUnless(chromiumInstalled(), 'chromium is not installed');

describe('walkthrough: the travelocity sample with TOTP, in Chromium', { skip }, () => {
  let smtp: TestSmtpServer;
  let server: TestServer & { sampleUrl: string };
  let browser: Browser;
  let window: BrowserContext;
  let page: Page;
  let user: ScimUser;
  let totp: OTPAuth.TOTP;
  let usedCode: string;
  let lastStep = -1;
  const pictures = new Pictures('walkthrough');

  before(async () => {
    smtp = await startSmtpServer();
    server = await startWithSample({
      toml: `[output_adapter.email]
hostname = "127.0.0.1"
port = ${smtp.port}
from_address = "noreply@portcullis.test"
enable_start_tls = false
enable_authentication = false
[authentication.authenticator.totp.parameters]
AllowSendingVerificationCodeByEmail = true
`,
    });
    browser = await launchChromium();
    window = await newWindow(browser);
    page = await window.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    pictures.publish({ login: 'login.png', 'totp-enroll': 'totp-enroll.png', 'totp-code': 'totp-code.png', 'travelocity-home': 'travelocity-home.png' });
  });

  const sampleHome = () => `${server.sampleUrl}/travelocity.com/home.jsp`;
  const alert = (p: Page) => p.locator('[role="alert"]').innerText();

  async function signIn(p: Page, who: ScimUser): Promise<void> {
    await p.getByLabel('Username').fill(who.username);
    await p.getByLabel('Password').fill(who.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  async function enterCode(p: Page, code: string): Promise<void> {
    await p.locator('#token').fill(code);
    await p.getByRole('button', { name: 'Authenticate' }).click();
  }

  /**
   * A current code from a later time step than the last one used: a code is accepted once (RFC 6238
   * section 5.2), so a second login within the same 30 seconds waits for the next step, as a user would.
   */
  async function freshCode(): Promise<string> {
    while (totp.counter() <= lastStep) await new Promise((r) => setTimeout(r, 250));
    await awayFromStepEdge(totp.period);
    lastStep = totp.counter();
    return codeAt(totp);
  }

  async function loginUntilCodePage(): Promise<void> {
    await page.getByRole('link', { name: 'Log in with SAML from Portcullis' }).click();
    await page.waitForURL(/\/authenticationendpoint\/login\.do/);
    await signIn(page, user);
    await page.waitForURL(/\/authenticationendpoint\/totp\.do/);
  }

  async function logOut(): Promise<void> {
    await page.getByRole('link', { name: 'Logout' }).click();
    await page.waitForURL(`${server.sampleUrl}/?logged_out`);
    assert.match(await page.locator('[role="status"]').innerText(), /You have been logged out/);
  }

  test('setup: an administrator creates a user with an email address through SCIM', async () => {
    user = await createScimUser(server, 'alice', { givenName: 'Alice', familyName: 'Walker' });
    assert.ok(user.id);
  });

  test('steps 1-2: the sample home page links to the SAML login', async () => {
    await page.goto(`${server.sampleUrl}/`);
    await pictures.take(page, 'sample-home');
    await page.getByRole('link', { name: 'Log in with SAML from Portcullis' }).click();
    await page.waitForURL(/\/authenticationendpoint\/login\.do\?/);
    assert.ok(page.url().startsWith(`${server.url}/`), 'the login page is at the IdP');
  });

  test('step 3: the password page', async () => {
    await pictures.take(page, 'login');
    assert.match(await page.locator('main').innerText(), /travelocity\.com/);
    await signIn(page, user);
    await page.waitForURL(/\/authenticationendpoint\/totp_enroll\.do/);
  });

  test('steps 4-5: the enrolment page shows a QR code that a phone can read', async () => {
    await pictures.take(page, 'totp-enroll');
    const { text } = readQrPng(await page.locator('img.qr').screenshot());
    assert.ok(text, 'the QR picture decodes');
    const parsed = OTPAuth.URI.parse(text);
    assert.ok(parsed instanceof OTPAuth.TOTP);
    totp = parsed;
    assert.equal(totp.label, user.username);
    const shownKey = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    assert.equal(shownKey, totp.secret.base32, 'the key beside the QR is the one in it');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/authenticationendpoint\/totp\.do/);
  });

  test('steps 6-7: the code from the app logs in; the sample shows the user and the second factor', async () => {
    await pictures.take(page, 'totp-code-enrolling');
    await enterCode(page, await freshCode());
    await page.waitForURL(sampleHome());
    await pictures.take(page, 'travelocity-home');
    assert.match(await page.locator('#logged-in-as').innerText(), new RegExp(`You are logged in as ${user.username}`));
    const attributes = await page.locator('#attributes').innerText();
    assert.ok(attributes.includes(user.email));
    assert.match(attributes, /Alice/);
    assert.match(attributes, /Walker/);
    assert.match(await page.locator('#authn-context').innerText(), /TimeSyncToken/);
  });

  test('single logout ends the sample session and the IdP session', async () => {
    await logOut();
    await pictures.take(page, 'logged-out');
    await page.goto(sampleHome());
    assert.equal(page.url(), `${server.sampleUrl}/`, 'the sample no longer knows the user');
    await page.getByRole('link', { name: 'Log in with SAML from Portcullis' }).click();
    await page.waitForURL(/\/authenticationendpoint\/login\.do/);
    await pictures.take(page, 'login-again');
  });

  test('the second login goes from the password to the code page; a wrong code asks to retry', async () => {
    await signIn(page, user);
    await page.waitForURL(/\/authenticationendpoint\/totp\.do/);
    assert.equal(await page.locator('img.qr').count(), 0, 'no enrolment the second time');
    await pictures.take(page, 'totp-code');
    await awayFromStepEdge(totp.period);
    const accepted = new Set([-1, 0, 1].map((o) => codeAt(totp, o)));
    let offset = 10;
    while (accepted.has(codeAt(totp, offset))) offset += 1;
    await enterCode(page, codeAt(totp, offset));
    await page.waitForLoadState();
    assert.match(page.url(), /\/authenticationendpoint\/totp\.do/);
    assert.match(await alert(page), /not correct/);
    await pictures.take(page, 'totp-wrong-code');
    usedCode = await freshCode();
    await enterCode(page, usedCode);
    await page.waitForURL(sampleHome());
  });

  test('the same code a second time is refused', async () => {
    await logOut();
    await loginUntilCodePage();
    await enterCode(page, usedCode);
    await page.waitForLoadState();
    assert.match(page.url(), /\/authenticationendpoint\/totp\.do/);
    assert.match(await alert(page), /already used/);
    await pictures.take(page, 'totp-code-reused');
  });

  test('"Get a Verification Code" mails a code to the user, and that code logs in', async () => {
    const before = smtp.messages.length;
    await page.getByRole('button', { name: 'Get a Verification Code' }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('[role="status"]').innerText(), /verification code was sent/);
    await pictures.take(page, 'totp-email-sent');
    assert.equal(smtp.messages.length, before + 1);
    const mail = smtp.messages.at(-1)!;
    assert.deepEqual(mail.rcptTo, [user.email]);
    const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? '')?.[1];
    assert.ok(code, 'the mail carries a six-digit code');
    await enterCode(page, code);
    await page.waitForURL(sampleHome());
    assert.match(await page.locator('#logged-in-as').innerText(), new RegExp(user.username));
    await logOut();
  });

  test('cancelling enrolment while TOTP is mandatory ends on the error page; the sample shows the SAML status (HTTP-POST binding)', async () => {
    const other = await createScimUser(server, 'bob', { givenName: 'Bob', familyName: 'Stone' });
    const second = await newWindow(browser);
    try {
      const p = await second.newPage();
      await p.goto(`${server.sampleUrl}/`);
      // This time by the HTTP-POST binding: the sample's page submits its form by script, under its CSP.
      await p.getByRole('link', { name: 'Log in (HTTP-POST binding)' }).click();
      await p.waitForURL(/\/authenticationendpoint\/login\.do/);
      await signIn(p, other);
      await p.waitForURL(/\/authenticationendpoint\/totp_enroll\.do/);
      await p.getByRole('button', { name: 'Cancel' }).click();
      await p.waitForURL(/\/authenticationendpoint\/totp_error\.do/);
      assert.match(await alert(p), /Enable TOTP/);
      await pictures.take(p, 'totp-error');
      await p.getByRole('button', { name: /Return to travelocity\.com/ }).click();
      await p.waitForURL(sampleHome());
      assert.match(await p.locator('h1').innerText(), /Login failed/);
      assert.match(await p.locator('#saml-status').innerText(), /urn:oasis:names:tc:SAML:2\.0:status:/);
      await pictures.take(p, 'sample-error');
    } finally {
      await second.close();
    }
  });
});
