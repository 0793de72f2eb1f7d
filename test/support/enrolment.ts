// A user enrolled through the pages (password, QR, Continue, code), as most TOTP tests need one.
import assert from 'node:assert/strict';
import type * as OTPAuth from 'otpauth';
import type { UserRecord } from '../../src/users/user-store.ts';
import { createUser } from './fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr } from './login-browser.ts';
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
  const browser = new LoginBrowser(server.client());
  const enrol = await browser.login(await browser.open('/myaccount'), created.username, created.password);
  assert.equal(enrol.name, 'totp_enroll.do');
  const totp = totpFromQr(enrol);
  await awayFromStepEdge(totp.period);
  const done = await browser.submit(await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']), { token: codeAt(totp) });
  assert.equal(done.name, 'myaccount');
  if (!options.keepUsedStep) await server.services.security.update(created.user, { lastTotpStep: null });
  return { ...created, totp };
}
