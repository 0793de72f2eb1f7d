// My Account's TOTP self-service in a real Chromium, reading only what a user sees: the QR code is decoded
// from the page's picture (a screenshot of the img element, as a phone camera reads it) and codes come from
// otpauth. One window manages TOTP in My Account; a second window signs in to My Account (password, then TOTP)
// to show what each change means at sign-in: enable, refresh (the old key works until the new one is proven,
// then only the new one), disable (needs a current code). The server's clock is a ManualClock moved one time
// step between codes (a code is accepted once), so nothing sleeps. Pages are photographed into
// test-results/myaccount/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/time/clock.ts';
import { readQrPng } from '../../src/totp/testing.ts';
import { createUser, setMyAccountSteps, setTotpParams } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { chromiumInstalled, launchChromium, newWindow, Pictures } from './chromium.ts';

const skip = skipUnless(chromiumInstalled(), 'chromium is not installed (/usr/bin/chromium)');

describe('My Account: enable, refresh and disable TOTP in Chromium', { skip }, () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let browser: Browser;
  let manage: BrowserContext;
  let page: Page;
  let user: { username: string; password: string };
  let oldApp: OTPAuth.TOTP;
  let newApp: OTPAuth.TOTP;
  const pictures = new Pictures('myaccount');

  before(async () => {
    server = await startTestServer({ clock });
    // Signing in to My Account asks for TOTP once the user has it; before that the step is passed without a code
    // (no enrolment during sign-in), so the user sets it up in My Account.
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    await setTotpParams(server, { authenticationMandatory: false, enrolUserInAuthenticationFlow: false });
    user = await createUser(server, { givenName: 'Tess' });
    browser = await launchChromium();
    manage = await newWindow(browser);
    page = await manage.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const nextStep = () => clock.advance(30_000);
  const code = (app: OTPAuth.TOTP) => app.generate({ timestamp: clock.now() });
  const status = (p: Page) => p.locator('#totp-status').innerText();

  async function signInOnLoginPage(p: Page): Promise<void> {
    await p.waitForURL(/\/authenticationendpoint\/login\.do/);
    await p.getByLabel('Username').fill(user.username);
    await p.getByLabel('Password').fill(user.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The app a phone would make from the QR picture on the page; the key shown beside it must match. */
  async function scanQr(p: Page): Promise<OTPAuth.TOTP> {
    const { text } = readQrPng(await p.locator('img.qr').screenshot());
    assert.ok(text, 'the QR picture decodes');
    const parsed = OTPAuth.URI.parse(text);
    assert.ok(parsed instanceof OTPAuth.TOTP);
    assert.equal((await p.locator('#secret').innerText()).replace(/\s+/g, ''), parsed.secret.base32, 'the key beside the QR is the one in it');
    assert.doesNotMatch(await p.content(), /otpauth:/, 'the secret is never in a URL on the page');
    return parsed;
  }

  /** A new sign-in in its own window: password, then `codeOf` on the TOTP page; whether it reached My Account. */
  async function signInElsewhere(...codes: string[]): Promise<'signed-in' | 'refused'> {
    const window = await newWindow(browser);
    try {
      const p = await window.newPage();
      await p.goto(`${server.url}/myaccount`);
      await signInOnLoginPage(p);
      await p.waitForURL(/\/authenticationendpoint\/totp\.do/);
      for (const c of codes) {
        await p.locator('#token').fill(c);
        await p.getByRole('button', { name: 'Authenticate' }).click();
        await p.waitForLoadState();
        if (new URL(p.url()).pathname === '/myaccount') return 'signed-in';
      }
      assert.match(await p.locator('[role="alert"]').innerText(), /not correct|code/i);
      return 'refused';
    } finally {
      await window.close();
    }
  }

  test('sign in to My Account and open Security', async () => {
    await page.goto(`${server.url}/myaccount`);
    await signInOnLoginPage(page);
    await page.waitForURL(`${server.url}/myaccount`);
    await pictures.take(page, 'profile');
    assert.match(await page.locator('main').innerText(), new RegExp(`Signed in as ${user.username}`));
    await page.getByRole('link', { name: 'Security' }).click();
    await page.waitForURL(/\/myaccount\/security$/);
    assert.equal(await status(page), 'Not set up');
  });

  test('Enable TOTP: the QR is read from the picture; a wrong code does not enable it, the right one does', async () => {
    await page.getByRole('button', { name: 'Enable TOTP' }).click();
    await page.waitForURL(/\/myaccount\/security\?done=started/);
    await pictures.take(page, 'enable-qr');
    oldApp = await scanQr(page);
    await page.reload();
    assert.equal((await scanQr(page)).secret.base32, oldApp.secret.base32, 'a reload shows the same pending key');
    await page.locator('#token').fill(String((Number(code(oldApp)) + 1) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Verify code' }).click();
    assert.match(await page.locator('[role="alert"]').innerText(), /not right/);
    assert.equal(await status(page), 'Set-up not finished');
    await page.locator('#token').fill(code(oldApp));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page.waitForURL(/done=enabled/);
    assert.equal(await status(page), 'Enabled');
    await pictures.take(page, 'enabled');
    nextStep();
    assert.equal(await signInElsewhere(code(oldApp)), 'signed-in', 'signing in now asks for the app\'s code and takes it');
  });

  test('Refresh Secret Key: re-scan; the old key works until a code from the new one is entered', async () => {
    await page.getByRole('button', { name: 'Refresh Secret Key' }).click();
    await page.waitForURL(/done=refresh/);
    await pictures.take(page, 'refresh-qr');
    assert.match(await page.locator('main').innerText(), /Re-scan this QR code/);
    newApp = await scanQr(page);
    assert.notEqual(newApp.secret.base32, oldApp.secret.base32);
    nextStep();
    assert.equal(await signInElsewhere(code(oldApp)), 'signed-in', 'the old key still signs in');
    nextStep();
    await page.locator('#token').fill(code(newApp));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page.waitForURL(/done=enabled/);
    assert.equal(await status(page), 'Enabled');
    nextStep();
    assert.equal(await signInElsewhere(code(oldApp)), 'refused', 'the old key no longer signs in');
    nextStep();
    assert.equal(await signInElsewhere(code(newApp)), 'signed-in', 'the new key does');
  });

  test('Disable TOTP: a current code is needed once the session\'s last code is older than fifteen minutes', async () => {
    // Two visits 8 minutes apart keep the session alive (15 minutes idle) while its last code gets older than 15.
    clock.advance(8 * 60_000);
    await page.goto(`${server.url}/myaccount/security`);
    clock.advance(8 * 60_000);
    await page.goto(`${server.url}/myaccount/security`);
    await page.locator('#disable-token').fill(String((Number(code(newApp)) + 1) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Disable TOTP' }).click();
    assert.match(await page.locator('[role="alert"]').innerText(), /not right/);
    assert.equal(await status(page), 'Enabled');
    await page.locator('#disable-token').fill(code(newApp));
    await page.getByRole('button', { name: 'Disable TOTP' }).click();
    await page.waitForURL(/done=disabled/);
    assert.equal(await status(page), 'Not set up');
    await pictures.take(page, 'disabled');
  });
});
