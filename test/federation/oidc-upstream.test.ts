// Issue 12: a second Portcullis tenant (corp.test) is the upstream OpenID Connect provider of a first one
// (home.test), over HTTPS on loopback, through openid-client. A user signs in upstream with a password and is
// provisioned just in time (mapped claims, linked account), or refused with a page that says why (JIT off);
// the next login finds the same local user through the link; a forged or replayed callback is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createUser, claimOf, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { alertText, LoginBrowser, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { completedApp, startLogin, TestFront } from '../support/test-front.ts';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { CORP, HOME, homeIdp, startFederationServer, upstreamClient } from './support.ts';

describe('upstream OpenID Connect provider', () => {
  let server: TestServer;
  let front: TestFront;
  let client: { clientId: string; clientSecret: string };

  before(async () => {
    server = await startFederationServer();
    front = TestFront.install(server);
    client = await upstreamClient(server);
  });
  after(async () => server?.close());

  async function homeApp(steps: string[][]): Promise<Application> {
    return server.services.applicationService.create(await tenantOf(server, HOME), { name: `app-${uniqueSuffix()}`, authenticationSequence: sequenceOf(steps) });
  }

  /** Chooses "Sign in with <idp>" on the chooser and signs in upstream with a password. */
  async function signInUpstream(browser: LoginBrowser, first: Page, idp: string, username: string, password: string): Promise<Page> {
    let page = first;
    if (page.name === 'login.do' && page.html.includes(`Sign in with ${idp}`)) page = await browser.submit(page, {}, ['authenticator', `OpenIDConnectAuthenticator:${idp}`]);
    assert.equal(page.name, 'login.do', page.url);
    assert.ok(page.url.includes(`/t/${CORP}/`), `at the upstream tenant's login page: ${page.url}`);
    return browser.login(page, username, password);
  }

  test('JIT on: the upstream user is provisioned with mapped claims and linked; the next login finds the same user', async () => {
    const idp = `Corp-${uniqueSuffix()}`;
    await homeIdp(server, idp, client, { jit: 'on' });
    const app = await homeApp([['basic', `OpenIDConnectAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP, email: 'ada@corp.example', givenName: 'Ada' });

    const browser = new LoginBrowser(server.client());
    const chooser = await startLogin(server, browser, app, { tenant: HOME });
    assert.match(chooser.html, new RegExp(`Sign in with ${idp}`));
    const done = await signInUpstream(browser, chooser, idp, upstream.username, upstream.password);
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
    const result = front.results.at(-1)!;
    assert.equal(result.user.username, upstream.username, 'provisioned under the upstream user name');
    assert.equal(result.tenant.domain, HOME);
    assert.notEqual(result.user.id, upstream.user.id);
    assert.equal(await claimOf(server, result.user, CLAIMS.email), 'ada@corp.example');
    assert.equal(await claimOf(server, result.user, CLAIMS.givenName), 'Ada');

    const again = new LoginBrowser(server.client());
    const second = await signInUpstream(again, await startLogin(server, again, app, { tenant: HOME }), idp, upstream.username, upstream.password);
    assert.equal(completedApp(second), app.name);
    assert.equal(front.results.at(-1)!.user.id, result.user.id, 'found again through the link');
  });

  test('JIT off and no linked account: a page that says so, not a generic failure', async () => {
    const idp = `Off-${uniqueSuffix()}`;
    await homeIdp(server, idp, client, { jit: 'off' });
    const app = await homeApp([[`OpenIDConnectAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP });
    const browser = new LoginBrowser(server.client());
    const page = await signInUpstream(browser, await startLogin(server, browser, app, { tenant: HOME }), idp, upstream.username, upstream.password);
    assert.equal(page.name, 'error.do');
    assert.match(alertText(page), /not linked to an account here, and accounts are not created automatically/);
  });

  test('JIT prompt: the user picks a local user name and password (policy applies); the account is linked and usable', async () => {
    const idp = `Prompt-${uniqueSuffix()}`;
    await homeIdp(server, idp, client, { jit: 'prompt' });
    const app = await homeApp([[`OpenIDConnectAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP, email: 'lin@corp.example' });
    const browser = new LoginBrowser(server.client());
    const prompt = await signInUpstream(browser, await startLogin(server, browser, app, { tenant: HOME }), idp, upstream.username, upstream.password);
    assert.equal(prompt.name, 'login.do');
    assert.match(prompt.html, /name="jitUsername"/);
    const chosen = `local-${uniqueSuffix()}`;
    const weak = await browser.submit(prompt, { jitUsername: chosen, jitPassword: 'x' });
    assert.match(alertText(weak), /password policy/);
    assert.equal(weak.html.includes('value="x"'), false, 'the password is not echoed');
    const done = await browser.submit(weak, { jitUsername: chosen, jitPassword: 'a long local password' });
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
    const user = front.results.at(-1)!.user;
    assert.equal(user.username, chosen);
    assert.equal(await claimOf(server, user, CLAIMS.email), 'lin@corp.example');
    const home = await tenantOf(server, HOME);
    assert.ok(await server.services.users.authenticate(home, chosen, 'a long local password'), 'the chosen password works here');
    // The next login finds the linked account: no prompt.
    const again = new LoginBrowser(server.client());
    const second = await signInUpstream(again, await startLogin(server, again, app, { tenant: HOME }), idp, upstream.username, upstream.password);
    assert.equal(completedApp(second), app.name);
    assert.equal(front.results.at(-1)!.user.id, user.id);
  });

  /** Signs in upstream but stops at the redirect back to home.test's /commonauth; returns that callback URL. */
  async function callbackOf(idp: string): Promise<{ browser: LoginBrowser; callback: URL; app: Application }> {
    await homeIdp(server, idp, client, { jit: 'on' });
    const app = await homeApp([[`OpenIDConnectAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP });
    const browser = new LoginBrowser(server.client());
    const upstreamLogin = await startLogin(server, browser, app, { tenant: HOME });
    const form = /<form[^>]*action="([^"]*)"/.exec(upstreamLogin.html)!;
    const key = /name="sessionDataKey" value="([^"]+)"/.exec(upstreamLogin.html)![1]!;
    let res = await browser.client.post(form[1]!.replace(/&amp;/g, '&'), { form: { sessionDataKey: key, username: upstream.username, password: upstream.password } });
    while (res.location && !res.location.includes(`/t/${HOME}/commonauth`)) {
      const next = new URL(res.location, server.url);
      res = await browser.client.get(next.pathname + next.search);
    }
    assert.ok(res.location, `redirected back: ${res.status} ${res.text.slice(0, 300)}`);
    return { browser, callback: new URL(res.location, server.url), app };
  }

  test('a tampered authorization code is refused (the token exchange fails), with a page that says so', async () => {
    const { browser, callback, app } = await callbackOf(`Code-${uniqueSuffix()}`);
    const tampered = new URL(callback);
    tampered.searchParams.set('code', `${callback.searchParams.get('code')!.slice(0, -2)}xx`);
    const refused = await browser.follow(await browser.client.get(tampered.pathname + tampered.search), tampered.pathname);
    assert.equal(refused.name, 'error.do');
    assert.match(alertText(refused), /could not be verified/);
    assert.notEqual(completedApp(refused), app.name);
  });

  test('a callback with another state, or replayed, is refused', async () => {
    const { browser, callback, app } = await callbackOf(`State-${uniqueSuffix()}`);
    const forged = new URL(callback);
    forged.searchParams.set('state', `${callback.searchParams.get('state')!.split('.')[0]}.forged`);
    const refused = await browser.follow(await browser.client.get(forged.pathname + forged.search), forged.pathname);
    assert.equal(refused.name, 'error.do');
    assert.match(alertText(refused), /does not belong to your login/);
    const replay = await browser.follow(await browser.client.get(callback.pathname + callback.search), callback.pathname);
    assert.notEqual(completedApp(replay), app.name, 'the real callback after a refusal does not complete the login');
  });
});
