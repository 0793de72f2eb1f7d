// Issue 9's done-when line: a tenant changes digits 6 -> 8 and algorithm to SHA256 through the configs API.
// Users enrolled before keep logging in with their old 6-digit SHA1 apps (each credential is checked with the
// parameters stored with it); a user enrolling after gets an 8-digit SHA256 otpauth URI and logs in with it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrolledUser } from '../support/enrolment.ts';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];

describe('TOTP: a tenant changing digits and algorithm breaks no enrolled user', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  async function logsIn(username: string, password: string, code: () => string, period: number): Promise<string> {
    const browser = new LoginBrowser(server.client());
    const codePage = await browser.login(await browser.open('/myaccount'), username, password);
    assert.equal(codePage.name, 'totp.do');
    await awayFromStepEdge(period);
    return (await browser.submit(codePage, { token: code() })).name;
  }

  test('enrolled before: 6-digit SHA1 still logs in; enrolled after: 8-digit SHA256 from the QR', async () => {
    const early = await enrolledUser(server);
    assert.deepEqual([early.totp.algorithm, early.totp.digits], ['SHA1', 6]);

    const put = await server.client().request('/api/server/v1/configs/authenticators/totp', {
      method: 'PUT',
      auth: ADMIN,
      json: { properties: [{ key: 'digits', value: '8' }, { key: 'algorithm', value: 'SHA256' }] },
    });
    assert.equal(put.status, 200, put.text);

    assert.equal(await logsIn(early.username, early.password, () => codeAt(early.totp), early.totp.period), 'myaccount', 'the old app still works');

    const late = await enrolledUser(server);
    assert.deepEqual([late.totp.algorithm, late.totp.digits], ['SHA256', 8], 'the otpauth URI carries the new settings');
    assert.equal(await logsIn(late.username, late.password, () => codeAt(late.totp), late.totp.period), 'myaccount');
    // The wrong kind of code for each user is refused: a 6-digit code for the new user.
    const sixDigits = codeAt(late.totp).slice(0, 6);
    assert.equal(await logsIn(late.username, late.password, () => sixDigits, late.totp.period), 'totp.do');
  });
});
