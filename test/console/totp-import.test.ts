// The console's TOTP import (issue 9, item 4): the user page's "Import a TOTP secret" form (POST-redirect-GET
// with a notice; the user then logs in with their existing app) and the users page's bulk CSV form, which shows
// each refused line by number. No secret appears in a URL, a notice or a page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ConsoleBrowser, noticeOf, problemOf } from './console-browser.ts';

describe('console: importing TOTP secrets', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;

  before(async () => {
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    admin = new ConsoleBrowser(server);
    await admin.signIn('admin', 'admin');
  });
  after(async () => server?.close());

  async function logsIn(username: string, password: string, totp: OTPAuth.TOTP): Promise<string> {
    const browser = new LoginBrowser(server.client());
    const codePage = await browser.login(await browser.open('/myaccount'), username, password);
    assert.equal(codePage.name, 'totp.do');
    await awayFromStepEdge(totp.period);
    return (await browser.submit(codePage, { token: codeAt(totp) })).name;
  }

  test("the user page's form imports a Base64 SHA512 secret; a refusal names the field without the secret", async () => {
    const hana = await createUser(server, { prefix: 'hana' });
    const page = await admin.open(`/console/users/${hana.user.id}`);
    assert.match(page.html, /Import a TOTP secret/);

    const bad = await admin.post(page, '/import-totp', { secret: 'SECRET*NOT*BASE32', encoding: 'Base32', algorithm: 'SHA1', digits: '6', period: '30' });
    assert.equal(bad.status, 400);
    assert.match(problemOf(bad), /^Invalid input\. secret: Not Base32/);
    assert.ok(!bad.html.includes('SECRET*NOT*BASE32'), 'the refused secret is not shown back');
    const badDigits = await admin.post(page, '/import-totp', { secret: 'JBSWY3DPEHPK3PXP', digits: '7' });
    assert.match(problemOf(badDigits), /^Invalid input\. digits must be 6 or 8/);

    const secret = new OTPAuth.Secret({ size: 64 });
    const b64 = Buffer.from(secret.bytes).toString('base64');
    const done = await admin.post(page, '/import-totp', { secret: b64, encoding: 'Base64', algorithm: 'SHA512', digits: '8', period: '30' });
    assert.match(done.url, /\?done=totp-imported$/);
    assert.match(noticeOf(done), /The TOTP secret was imported/);
    assert.ok(!done.url.includes(b64) && !done.html.includes(b64), 'no secret in the URL or the page');
    assert.match(done.html, /Enrolled\./);
    assert.equal(await logsIn(hana.username, hana.password, new OTPAuth.TOTP({ secret, algorithm: 'SHA512', digits: 8, period: 30 })), 'myaccount');
  });

  test("the users page's CSV form imports good lines and lists bad ones by line number", async () => {
    const ivan = await createUser(server, { prefix: 'ivan' });
    const secret = new OTPAuth.Secret({ size: 20 });
    const list = await admin.open('/console/users');
    const csv = ['username,secret', `${ivan.username},${secret.base32}`, `nobody-at-all,${secret.base32}`, `${ivan.username},${secret.base32},SHA1,6,0`].join('\r\n');
    const result = await admin.post(list, '/console/users/totp-import', { csv });
    assert.equal(result.status, 200);
    assert.match(result.html, /Imported 1; failed 2\./);
    assert.match(result.html, /<tr><td>3<\/td><td>nobody-at-all<\/td><td>USR-40401<\/td>/);
    assert.match(result.html, /<tr><td>4<\/td><td>ivan-[0-9a-f]+<\/td><td>PCS-40001<\/td><td>period/);
    assert.ok(!result.html.includes(secret.base32), 'no secret on the result page');
    assert.equal(await logsIn(ivan.username, ivan.password, new OTPAuth.TOTP({ secret })), 'myaccount');
  });
});
