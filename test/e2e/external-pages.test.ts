// A WSO2-style login UI on another site, in Chromium: every login page (login_url and the TOTP pages) is on
// http://127.0.0.1 (external-pages-site.ts, made from WSO2's page contract) while the server is https://localhost,
// so each form post to /commonauth is cross-site and needs the SameSite=None nonce. One user signs in to My
// Account with a password, enrols from the key the enrolment page read from `ske` (allowed here, with its start-up
// warning), and enters a code; a second sign-in uses "Get a Verification Code" (WSO2's script request, answered
// with an empty 200, so the page says "sent"), and the code from the mail. The server's clock is a ManualClock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/time/clock.ts';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { chromiumInstalled, launchChromium, launchWindowAllowingThirdPartyCookies, newWindow } from './chromium.ts';
import { externalPagesToml, startExternalSite, type ExternalSite } from './external-pages-site.ts';

const skip = skipUnless(chromiumInstalled(), 'chromium is not installed (/usr/bin/chromium)');

describe('WSO2-style login pages on another site, in Chromium', { skip }, () => {
  const clock = new ManualClock(Date.now());
  const logs: string[] = [];
  let site: ExternalSite;
  let smtp: TestSmtpServer;
  let server: TestServer;
  let browser: Browser;
  let user: { username: string; password: string };
  let app: OTPAuth.TOTP;
  const address = `ext-${Date.now()}@example.org`;

  before(async () => {
    site = await startExternalSite(() => server.url);
    smtp = await startSmtpServer();
    server = await startTestServer({
      clock,
      logStream: { write: (line) => void logs.push(line) },
      toml: `${externalPagesToml(site.origin, { allowSke: true })}
[logging]
level = "warn"
[output_adapter.email]
hostname = "127.0.0.1"
port = ${smtp.port}
from_address = "noreply@portcullis.test"
enable_start_tls = false
enable_authentication = false
`,
    });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    user = await createUser(server, { email: address });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    await site?.close();
  });

  /** Opens My Account in `window` and signs in on the other site's login page; returns the page after. */
  async function passwordOnOtherSite(window: BrowserContext): Promise<Page> {
    const page = await window.newPage();
    await page.goto(`${server.url}/myaccount`);
    await page.waitForURL(`${site.origin}/authenticationendpoint/login.do?**`);
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('authenticators'), 'BasicAuthenticator');
    assert.equal(query.get('sp'), 'My Account');
    assert.equal(query.get('t'), 'carbon.super');
    const nonce = (await window.cookies(server.url)).find((c) => c.name === `sessionNonceCookie-${query.get('sessionDataKey')}`);
    assert.ok(nonce, 'the nonce cookie is set for the server');
    assert.equal(nonce.sameSite, 'None');
    assert.equal(nonce.secure, true);
    assert.equal(nonce.httpOnly, true);
    await page.locator('#username').fill(user.username);
    await page.locator('#password').fill(user.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    return page;
  }

  async function codeOnOtherSite(page: Page, code: string): Promise<void> {
    await page.locator('#token').fill(code);
    await page.getByRole('button', { name: 'Authenticate' }).click();
  }

  test('the server warned at start that enrolment pages get the secret in their URL', () => {
    assert.ok(logs.some((l) => /allow_secret_in_enrolment_url/.test(l) && /"level":(40|"warn")/.test(l)), logs.join('\n'));
  });

  test('password, enrolment from ske and a code, all posted from the other site (in a private window)', async () => {
    const page = await passwordOnOtherSite(await newWindow(browser));
    await page.waitForURL(`${site.origin}/authenticationendpoint/enableTOTP.do?**`);
    assert.equal(new URL(page.url()).searchParams.get('username'), `${user.username}@carbon.super`);
    const uri = await page.locator('#uri').innerText();
    const parsed = OTPAuth.URI.parse(uri);
    assert.ok(parsed instanceof OTPAuth.TOTP);
    assert.equal(await page.locator('#key').innerText(), parsed.secret.base32, 'the page shows the key from ske');
    app = parsed;
    await page.locator('#continue').click();
    await page.waitForURL(`${site.origin}/authenticationendpoint/totp.do?**`);
    assert.equal(await page.locator('#user').innerText(), `Signed in as ${user.username}@carbon.super`);
    await codeOnOtherSite(page, app.generate({ timestamp: clock.now() }));
    await page.waitForURL(`${server.url}/myaccount**`);
    assert.match(await page.content(), /Authenticator app \(TOTP\)<\/dt><dd>Enabled/);
    await page.context().close();
  });

  // The script's request is a cross-site fetch: it carries the nonce only where third-party cookies are allowed
  // (Google Chrome's default; private windows, Safari, Firefox and this Chromium block them, see
  // docs/wso2-compatibility.md). Where they are blocked, the next test shows what the page gets.
  test('"Get a Verification Code" on the other site: the page says sent, the mail arrives, its code signs in', async () => {
    assert.ok(app, 'enrolled by the previous test');
    clock.advance(30_000);
    const profile = mkdtempSync(join(tmpdir(), 'pcs-chromium-'));
    const window = await launchWindowAllowingThirdPartyCookies(profile);
    try {
      await verificationCodeByMail(await passwordOnOtherSite(window));
    } finally {
      await window.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  async function verificationCodeByMail(page: Page): Promise<void> {
    await page.waitForURL(`${site.origin}/authenticationendpoint/totp.do?**`);
    const count = smtp.messages.length;
    const dialog = page.waitForEvent('dialog', { timeout: 5000 });
    await page.locator('#genToken').click();
    const shown = await dialog;
    assert.equal(shown.message(), 'Verification is code sent to your email address');
    await shown.accept();
    assert.equal(smtp.messages.length, count + 1);
    const mail = smtp.messages.at(-1)!;
    assert.deepEqual(mail.rcptTo, [address]);
    const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? '')![1]!;
    assert.notEqual(code, app.generate({ timestamp: clock.now() }), 'a mailed code, not the app one');
    await codeOnOtherSite(page, code);
    await page.waitForURL(`${server.url}/myaccount**`);
    assert.match(await page.content(), /Authenticator app \(TOTP\)<\/dt><dd>Enabled/);
  }

  test('where third-party cookies are blocked (a private window) the script is refused, no mail goes, and the app code still works', async () => {
    clock.advance(30_000);
    const window = await newWindow(browser);
    try {
      const page = await passwordOnOtherSite(window);
      await page.waitForURL(`${site.origin}/authenticationendpoint/totp.do?**`);
      const count = smtp.messages.length;
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs += 1;
        void d.dismiss();
      });
      const failed = page.waitForEvent('console', (m) => /Failed to fetch/.test(m.text()));
      await page.locator('#genToken').click();
      await failed;
      assert.equal(dialogs, 0, 'the page never says "sent"');
      assert.equal(smtp.messages.length, count);
      await codeOnOtherSite(page, app.generate({ timestamp: clock.now() }));
      await page.waitForURL(`${server.url}/myaccount**`);
    } finally {
      await window.close();
    }
  });

  test('the other site was sent what WSO2 sends, and never a password', () => {
    const enrol = site.requests.find((u) => u.pathname.endsWith('/enableTOTP.do'));
    assert.ok(enrol?.searchParams.get('ske'), 'ske, as allowed here');
    for (const url of site.requests) assert.doesNotMatch(url.toString(), new RegExp(user.password.replace(/ /g, '(?:\\+|%20| )')));
  });
});
