// What OpenID Connect asks of a login, through the engine with a test front: prompt=login and prompt=none,
// max_age (SSO steps passed too long ago are done again), acr_values asking for multiple factors (a TOTP
// step is added to a password-only sequence), login_hint, and the acr each result carries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR } from '../../src/flows/acr.ts';
import { createUser } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { enrolFromPage } from '../support/enrolment.ts';
import { appWithSteps, completedApp, startLogin, TestFront } from '../support/test-front.ts';

describe('login requirements (OIDC prompt, max_age, acr_values, login_hint)', () => {
  let server: TestServer;
  let front: TestFront;

  before(async () => {
    server = await startTestServer();
    front = TestFront.install(server);
  });
  after(async () => server?.close());

  const app = (steps: string[][]) => appWithSteps(server, steps);


  test('a password login is single factor; prompt=login asks again; prompt=none without a session fails', async () => {
    const basic = await app([['basic']]);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    assert.equal(completedApp(await browser.login(await startLogin(server, browser, basic), username, password)), basic.name);
    assert.equal(front.results.at(-1)!.acr, ACR.singleFactor);
    assert.equal((await startLogin(server, browser, basic, { prompt: new Set(['login']) })).name, 'login.do');
    assert.equal(completedApp(await startLogin(server, browser, basic, { prompt: new Set(['none']) })), basic.name, 'a session: no page');
    const failures = front.failures.length;
    await startLogin(server, new LoginBrowser(server.client()), basic, { prompt: new Set(['none']) });
    assert.deepEqual(front.failures.slice(failures), ['login.passive']);
  });

  test('max_age: a recent session is reused; an older one does the steps again, TOTP included', async () => {
    const mfa = await app([['basic'], ['totp']]);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const { totp, page } = await enrolFromPage(browser, await browser.login(await startLogin(server, browser, mfa), username, password));
    assert.equal(completedApp(page), mfa.name);
    assert.equal(front.results.at(-1)!.acr, ACR.multiFactor);
    assert.equal(completedApp(await startLogin(server, browser, mfa, { maxAge: 3600 })), mfa.name, 'passed within the hour');
    const again = await startLogin(server, browser, mfa, { maxAge: 0 });
    assert.equal(again.name, 'login.do', 'max_age=0: nothing is reused');
    const totpPage = await browser.login(again, username, password);
    assert.equal(totpPage.name, 'totp.do', 'the TOTP step is asked again');
    const before = Date.now();
    await awayFromStepEdge(30);
    assert.equal(completedApp(await browser.submit(totpPage, { token: codeAt(totp, 1) })), mfa.name);
    assert.ok(front.results.at(-1)!.authTime >= before, 'auth_time is the new login');
    assert.ok(front.results.at(-1)!.steps.every((s) => !s.fromSso));
    const passive = front.failures.length;
    await startLogin(server, browser, mfa, { maxAge: 0, prompt: new Set(['none']) });
    assert.deepEqual(front.failures.slice(passive), ['login.passive'], 'prompt=none with max_age exceeded shows no page');
  });

  test('acr_values asking for MFA adds a TOTP step to a password-only application, and the result says so', async () => {
    const basic = await app([['basic']]);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const enrolPage = await browser.login(await startLogin(server, browser, basic, { acrValues: [ACR.multiFactor] }), username, password);
    const { page } = await enrolFromPage(browser, enrolPage);
    assert.equal(completedApp(page), basic.name);
    assert.equal(front.results.at(-1)!.acr, ACR.multiFactor);
    assert.deepEqual(front.results.at(-1)!.amr, ['pwd', 'otp']);
    // The session has both factors now: asking again needs no page, and single-factor requests stay as they are.
    assert.equal(completedApp(await startLogin(server, browser, basic, { acrValues: [ACR.multiFactor] })), basic.name);
    assert.equal(front.results.at(-1)!.acr, ACR.multiFactor);
    const other = await app([['basic']]);
    const fresh = new LoginBrowser(server.client());
    assert.equal(completedApp(await fresh.login(await startLogin(server, fresh, other, { acrValues: [ACR.singleFactor] }), username, password)), other.name);
    assert.equal(front.results.at(-1)!.acr, ACR.singleFactor);
  });

  test('login_hint fills the user name on the login page', async () => {
    const basic = await app([['basic']]);
    const browser = new LoginBrowser(server.client());
    const page = await startLogin(server, browser, basic, { loginHint: 'alice@example.com' });
    assert.match(page.html, /name="username" value="alice@example.com"/);
    assert.match((await startLogin(server, browser, basic)).html, /name="username" value=""/);
  });
});
