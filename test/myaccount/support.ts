// My Account as a browser without JavaScript uses it: sign in through the login pages, read the forms, post
// them back. Time is a ManualClock the tests move (codes are computed for the server's "now"), never a sleep.
import assert from 'node:assert/strict';
import type * as OTPAuth from 'otpauth';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import type { ManualClock } from '../../src/time/clock.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { alertText, LoginBrowser, totpFromQr, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { completedApp, startLogin } from '../support/test-front.ts';

export const STEP_MS = 30_000;

/** A browser signed in to /myaccount (or /t/{tenant}/myaccount), on the profile page. */
export async function signIn(server: TestServer, username: string, password: string, tenant?: string): Promise<{ browser: LoginBrowser; page: Page }> {
  const browser = new LoginBrowser(server.client());
  const base = tenant ? `/t/${tenant}/myaccount` : '/myaccount';
  const page = await browser.login(await browser.open(base), username, password);
  assert.equal(page.name, 'myaccount', alertText(page) || page.html.slice(0, 400));
  return { browser, page };
}

export function csrfOf(page: Page): string {
  const m = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(page.html);
  if (!m) throw new Error(`no csrf on ${page.url}`);
  return m[1]!;
}

/** The text of the page's inline error, or ''. */
export function errorText(page: Page): string {
  return alertText(page);
}

export function noticeText(page: Page): string {
  const m = /<p class="info" role="status">([\s\S]*?)<\/p>/.exec(page.html);
  return m ? m[1]!.trim() : '';
}

export function statusText(page: Page): string {
  return /<strong id="totp-status">([^<]*)<\/strong>/.exec(page.html)?.[1] ?? '';
}

/** The code an app holding `totp` shows at the server's current time. */
export function codeNow(totp: OTPAuth.TOTP, clock: ManualClock): string {
  return totp.generate({ timestamp: clock.now() });
}

/** The TOTP the security page's QR describes, checked against the Base32 key shown beside it. */
export function appFromPage(page: Page): OTPAuth.TOTP {
  const totp = totpFromQr(page);
  const key = /<p class="secret" id="secret">([\s\S]*?)<\/p>/.exec(page.html)![1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, '');
  assert.equal(key, totp.secret.base32, 'the key beside the QR is the QR\'s key');
  return totp;
}

/** Enables TOTP from the security page: Enable, read the QR, enter the code. Returns the app. */
export async function enableTotp(browser: LoginBrowser, clock: ManualClock, tenant?: string): Promise<{ totp: OTPAuth.TOTP; page: Page }> {
  const security = await browser.open(tenant ? `/t/${tenant}/myaccount/security` : '/myaccount/security');
  const pending = await browser.submit(security, {}, ['action', 'enable']);
  const totp = appFromPage(pending);
  const page = await browser.submit(pending, { token: codeNow(totp, clock) }, ['action', 'confirm']);
  assert.equal(statusText(page), 'Enabled', errorText(page));
  return { totp, page };
}

/** An application signing in with password then TOTP, started by the test front. */
export async function mfaApp(server: TestServer, tenant = 'carbon.super'): Promise<Application> {
  return server.services.applicationService.create(await tenantOf(server, tenant), { name: `mfa-${uniqueSuffix()}`, authenticationSequence: sequenceOf([['BasicAuthenticator'], ['totp']]) });
}

/**
 * A new sign-in (fresh browser) to `app` with the password and then `code`: 'done' when it completed, 'asked-again'
 * when the code page came back, or the page name where it stopped (e.g. totp_enroll.do for a user not enrolled).
 */
export async function loginWithCode(server: TestServer, app: Application, username: string, password: string, code: string): Promise<string> {
  const browser = new LoginBrowser(server.client());
  const codePage = await browser.login(await startLogin(server, browser, app), username, password);
  if (codePage.name !== 'totp.do') return codePage.name;
  const after = await browser.submit(codePage, { token: code });
  if (completedApp(after) === app.name) return 'done';
  return after.name === 'totp.do' ? 'asked-again' : after.name;
}
