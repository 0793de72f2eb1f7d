// A secret handed out outside the login (TOTPAdminService initTOTP or generateSecret, My Account, me/totp INIT)
// is pending until a code proves it. The login enrols the user with that same secret, so the app that scanned
// it makes the code: it is shown on the enrolment page (not replaced), or with enrolment in the login turned off
// the code page takes it directly. Declining enrolment in the login leaves a secret made elsewhere in place.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { TotpRequest } from '../../src/credentials/totp/index.ts';
import { decodeWso2QrPayload } from '../../src/totp/index.ts';
import type { UserRecord } from '../../src/users/user-store.ts';
import { claimOf, createUser, setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('TOTP step: a pending secret handed out elsewhere', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  async function adminHandsOut(user: UserRecord): Promise<OTPAuth.TOTP> {
    const tenant = await tenantOf(server);
    const admin = await server.services.users.find(tenant, 'admin');
    assert.ok(admin);
    const req: TotpRequest = { tenant, actor: admin, via: 'test' };
    const qr = await server.services.totpManagement.begin(req, user);
    return OTPAuth.URI.parse(decodeWso2QrPayload(qr.qrCodeUrl)) as OTPAuth.TOTP;
  }

  async function passwordStep(username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    return { browser, page: await browser.login(await browser.open('/myaccount'), username, password) };
  }

  test('with enrolment in the login: the enrolment page shows the same secret, and its code enrols', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: true });
    const { user, username, password } = await createUser(server);
    const app = await adminHandsOut(user);
    const { browser, page: enrol } = await passwordStep(username, password);
    assert.equal(enrol.name, 'totp_enroll.do');
    assert.equal(totpFromQr(enrol).secret.base32, app.secret.base32, 'the secret handed out, not a new one');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined, 'still pending');
    const codePage = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    await awayFromStepEdge(30);
    const done = await browser.submit(codePage, { token: codeAt(app) });
    assert.equal(done.name, 'myaccount');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), app.secret.base32, 'proven, now active');
  });

  test('without enrolment in the login (mandatory): the code page takes the handed-out secret directly', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: false, authenticationMandatory: true });
    const { user, username, password } = await createUser(server);
    const app = await adminHandsOut(user);
    const { browser, page } = await passwordStep(username, password);
    assert.equal(page.name, 'totp.do');
    const wrong = codeAt(app) === '000000' ? '111111' : '000000';
    const retry = await browser.submit(page, { token: wrong });
    assert.equal(retry.name, 'totp.do', 'a wrong code asks again');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined);
    await awayFromStepEdge(30);
    const done = await browser.submit(retry, { token: codeAt(app) });
    assert.equal(done.name, 'myaccount');
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), app.secret.base32);
  });

  test('without enrolment in the login and not mandatory: the step is skipped and the secret stays pending', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: false, authenticationMandatory: false });
    const { user, username, password } = await createUser(server);
    await adminHandsOut(user);
    const { page } = await passwordStep(username, password);
    assert.equal(page.name, 'myaccount');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: false, pending: true });
  });

  test('declining enrolment in the login keeps a secret handed out elsewhere; one the login made is removed', async () => {
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: false });
    const handed = await createUser(server);
    await adminHandsOut(handed.user);
    const first = await passwordStep(handed.username, handed.password);
    assert.equal((await first.browser.submit(first.page, {}, ['ENABLE_TOTP', 'false'])).name, 'myaccount');
    assert.deepEqual(await server.services.totpManagement.status(handed.user), { enrolled: false, pending: true });

    const own = await createUser(server);
    const second = await passwordStep(own.username, own.password);
    assert.equal(second.page.name, 'totp_enroll.do');
    assert.equal((await second.browser.submit(second.page, {}, ['ENABLE_TOTP', 'false'])).name, 'myaccount');
    assert.deepEqual(await server.services.totpManagement.status(own.user), { enrolled: false, pending: false });
  });
});
