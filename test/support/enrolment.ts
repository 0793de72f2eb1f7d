// A user enrolled through the pages (password, QR, Continue, code), as most TOTP tests need one.
import assert from 'node:assert/strict';
import type * as OTPAuth from 'otpauth';
import type { UserRecord } from '../../src/users/user-store.ts';
import { createUser } from './fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr, type Page } from './login-browser.ts';
import type { TestServer } from './server.ts';

export interface EnrolledUser {
  user: UserRecord;
  username: string;
  password: string;
  /** What the user's authenticator app holds, read from the enrolment page's QR. */
  totp: OTPAuth.TOTP;
}

/**
 * Enrols a new user through My Account (its steps must be basic then totp). Enrolment uses the current
 * step's code, and only newer steps are accepted after it; unless `keepUsedStep`, that is forgotten, as if
 * the user had enrolled long ago, so tests can use any code of the window straight away.
 */
export async function enrolledUser(server: TestServer, options: { keepUsedStep?: boolean; email?: string; givenName?: string } = {}): Promise<EnrolledUser> {
  const created = await createUser(server, options);
  const totp = await enrolAtLogin(server, created.username, created.password);
  if (!options.keepUsedStep) await server.services.security.update(created.user, { lastTotpStep: null });
  return { ...created, totp };
}

/**
 * Signs in to My Account (steps password then TOTP, enrolment in the login on) as `username` (any store:
 * `LDAP/bob`, `JDBC/carol`), enrols from the QR with Continue and a code, and returns the app it set up.
 */
export async function enrolAtLogin(server: TestServer, username: string, password: string): Promise<OTPAuth.TOTP> {
  const browser = new LoginBrowser(server.client());
  const enrol = await browser.login(await browser.open('/myaccount'), username, password);
  assert.equal(enrol.name, 'totp_enroll.do');
  const totp = totpFromQr(enrol);
  const codePage = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
  assert.equal(codePage.name, 'totp.do');
  await awayFromStepEdge(totp.period);
  const done = await browser.submit(codePage, { token: codeAt(totp) });
  assert.equal(done.name, 'myaccount');
  assert.match(done.html, /Authenticator app \(TOTP\)<\/dt><dd>Enabled/);
  return totp;
}

/** On a login's enrolment page: reads the QR, chooses to enrol and proves it with a code; returns the app and the page after. */
export async function enrolFromPage(browser: LoginBrowser, page: Page): Promise<{ totp: OTPAuth.TOTP; page: Page }> {
  assert.equal(page.name, 'totp_enroll.do');
  const totp = totpFromQr(page);
  await awayFromStepEdge(totp.period);
  return { totp, page: await browser.submit(await browser.submit(page, {}, ['ENABLE_TOTP', 'true']), { token: codeAt(totp) }) };
}
