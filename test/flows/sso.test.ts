// SSO across applications and multi-option steps, through the engine with a test front: steps a session
// already passed are skipped, a TOTP step only when TOTP was passed; forceAuthn and passive requests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { enrolFromPage } from '../support/enrolment.ts';
import { appWithSteps, completedApp, startLogin, TestFront } from '../support/test-front.ts';

describe('SSO and multi-option steps', () => {
  let server: TestServer;
  let front: TestFront;

  before(async () => {
    server = await startTestServer();
    front = TestFront.install(server);
  });
  after(async () => server?.close());

  const app = (steps: string[][]) => appWithSteps(server, steps);


  test('a second password-only application needs no login; a TOTP application still asks for TOTP, once', async () => {
    const [basicA, basicB, mfaC, mfaD] = [await app([['basic']]), await app([['basic']]), await app([['basic'], ['totp']]), await app([['basic'], ['totp']])];
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const done = await browser.login(await startLogin(server, browser, basicA), username, password);
    assert.equal(completedApp(done), basicA.name);
    assert.deepEqual(front.results.at(-1)!.amr, ['pwd']);
    assert.equal(completedApp(await startLogin(server, browser, basicB)), basicB.name, 'SSO: no page at all');
    const totpStep = await startLogin(server, browser, mfaC);
    assert.notEqual(totpStep.name, 'login.do', 'the password step is skipped');
    const { page } = await enrolFromPage(browser, totpStep);
    assert.equal(completedApp(page), mfaC.name);
    assert.deepEqual(front.results.at(-1)!.amr, ['pwd', 'otp']);
    assert.equal(completedApp(await startLogin(server, browser, mfaD)), mfaD.name, 'TOTP passed in this session');
    // Another browser has no session.
    const other = new LoginBrowser(server.client());
    assert.equal((await startLogin(server, other, basicB)).name, 'login.do');
  });

  test('forceAuthn asks again; passive fails without a page', async () => {
    const basic = await app([['basic']]);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    await browser.login(await startLogin(server, browser, basic), username, password);
    assert.equal((await startLogin(server, browser, basic, { forceAuthn: true })).name, 'login.do');
    const fresh = new LoginBrowser(server.client());
    const passive = await startLogin(server, fresh, basic, { passive: true });
    assert.equal(passive.name, 'error.do');
    assert.equal(front.failures.at(-1), 'login.passive');
  });

  test('a step with two options shows a chooser; "Choose a different authentication option" returns to it', async () => {
    const multi = await app([['basic'], ['totp', 'basic']]);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const chooser = await browser.login(await startLogin(server, browser, multi), username, password);
    assert.equal(chooser.name, 'login.do');
    assert.match(chooser.html, /Choose how to sign in/);
    const enrol = await browser.submit(chooser, {}, ['authenticator', 'totp']);
    assert.equal(enrol.name, 'totp_enroll.do');
    assert.match(enrol.html, /Choose a different authentication option/);
    const back = await browser.submit(enrol, {}, ['chooseAnother', 'true']);
    assert.match(back.html, /Choose how to sign in/);
  });

  test('a login is bound to its browser: another browser cannot continue it', async () => {
    const basic = await app([['basic']]);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const page = await startLogin(server, browser, basic);
    const thief = new LoginBrowser(server.client());
    const stolen = await thief.submit(page, { username, password });
    assert.equal(stolen.status, 404);
    assert.match(stolen.html, /Login session not found/);
  });
});
