// RP-initiated logout across fronts: an OIDC relying party (openid-client) and SAML SPs (node-saml) share one
// SSO session; the RP's logout at /oidc/logout ends it, the SAML SPs receive signed LogoutRequests (front
// channel through the browser, back channel by a server-side POST), and the browser ends at the RP's
// post_logout_redirect_uri with its state. Afterwards prompt=none answers login_required. "Stay signed in"
// ends nothing but that RP's authorization, and the continue link cannot end another browser's session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { SSO_COOKIE } from '../../src/http/login-cookies.ts';
import { createUser, uniqueSuffix } from '../support/fixtures.ts';
import { provisionTenant } from '../support/tenants.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { backChannelListener, idpMetadata, postedForm, samlApp, samlLogin, serviceProvider, startRedirect, type IdpInfo } from '../saml/support.ts';
import { authorizationUrl, discover, oidcApp, openAuthorization, redeem, REDIRECT, samlThenOidc } from './support.ts';

function external(page: Page): { target: string; query: Record<string, string>; raw: string } {
  assert.equal(page.name, 'external', `a redirect away from the server (got ${page.name} ${page.status} ${page.url})\n${page.html.slice(0, 300)}`);
  const url = new URL(page.url);
  return { target: `${url.origin}${url.pathname}`, query: Object.fromEntries(url.searchParams), raw: url.search.slice(1) };
}

/** The confirmation page's form, posted with the button the user pressed. */
async function confirmLogout(browser: LoginBrowser, confirm: Page, signOut: boolean): Promise<Page> {
  const form = /<form[^>]*action="([^"]+)"[\s\S]*?name="xsrf" value="([^"]+)"/.exec(confirm.html);
  assert.ok(form, `a confirmation form (got ${confirm.name} ${confirm.status})`);
  const action = new URL(form[1]!).pathname;
  return browser.follow(await browser.client.post(action, { form: { xsrf: form[2]!, ...(signOut ? { logout: 'yes' } : {}) } }), action);
}

describe('OIDC RP-initiated logout with SAML participants', () => {
  let server: TestServer;
  let idp: IdpInfo;
  let backChannel: Awaited<ReturnType<typeof backChannelListener>>;

  before(async () => {
    // The back-channel SP listens on loopback, which the default configuration refuses to reach.
    server = await startTestServer({ toml: '[saml]\nallow_private_logout_targets = true\n' });
    idp = await idpMetadata(server);
    backChannel = await backChannelListener();
  });
  after(async () => {
    await server?.close();
    await backChannel?.close();
  });


  test('the SSO session ends, SAML SPs get signed LogoutRequests, and the browser ends at the RP with state', async () => {
    const front = await samlApp(server);
    const back = await samlApp(server, { manual: { singleLogoutProfile: { enabled: true, logoutRequestUrl: backChannel.url, logoutMethod: 'BACKCHANNEL' } } });
    const [spFront, spBack] = [serviceProvider(server, front, idp), serviceProvider(server, back, idp)];
    const rp = await oidcApp(server, { steps: [['basic']] });
    const config = await discover(server, rp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const atFront = await samlLogin(browser, spFront, user);
    const atBack = await samlLogin(browser, spBack);
    const auth = await authorizationUrl(config);
    const tokens = await redeem(config, await openAuthorization(browser, auth.url), auth);
    assert.ok(tokens.id_token, 'the RP signed in from the SAML login, without a page');

    const before = backChannel.received.length;
    const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT, state: 'rp-state' });
    const confirm = await browser.open(logoutUrl.pathname + logoutUrl.search);
    const toFront = external(await confirmLogout(browser, confirm, true));
    assert.equal(backChannel.received.length, before + 1, 'the back-channel SP got a LogoutRequest');
    const byPost = await spBack.validatePostRequestAsync({ SAMLRequest: backChannel.received.at(-1)! });
    assert.equal(byPost.profile?.nameID, atBack.nameID, 'signed (node-saml checked it against our metadata), naming the session');
    assert.equal(byPost.profile?.sessionIndex, atBack.sessionIndex);

    assert.equal(toFront.target, front.slo, 'the front-channel SP is next, through the browser');
    assert.ok(toFront.query.Signature, 'the redirect-binding LogoutRequest is signed');
    const atSp = await spFront.validateRedirectAsync(toFront.query, toFront.raw);
    assert.equal(atSp.profile?.nameID, atFront.nameID);
    assert.equal(atSp.profile?.sessionIndex, atFront.sessionIndex);
    assert.equal(browser.client.cookies.has(SSO_COOKIE), false, 'commonAuthId is cleared');

    const answer = new URL(await spFront.getLogoutResponseUrlAsync(atSp.profile!, '', {}, true));
    const atRp = external(await browser.open(answer.pathname + answer.search));
    assert.equal(atRp.target, REDIRECT, 'the chain ends at the registered post_logout_redirect_uri');
    assert.equal(atRp.query.state, 'rp-state');

    const silent = await authorizationUrl(config, { prompt: 'none' });
    assert.equal(new URL((await openAuthorization(browser, silent.url)).url).searchParams.get('error'), 'login_required', 'the SSO session is gone');
    assert.equal((await startRedirect(browser, spFront)).name, 'login.do', 'the SAML SP must log in again too');
  });

  test('an unregistered post_logout_redirect_uri is refused and nothing ends', async () => {
    const rp = await oidcApp(server, { steps: [['basic']] });
    const config = await discover(server, rp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const auth = await authorizationUrl(config);
    const tokens = await redeem(config, await browser.login(await openAuthorization(browser, auth.url), user.username, user.password), auth);
    for (const uri of ['https://rp.example/elsewhere', `${REDIRECT}/`, `${REDIRECT}?x=1`]) {
      const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: uri });
      const page = await browser.open(url.pathname + url.search);
      assert.equal(page.status, 400, uri);
      assert.notEqual(page.name, 'external');
    }
    const silent = await authorizationUrl(config, { prompt: 'none' });
    assert.ok((await redeem(config, await openAuthorization(browser, silent.url), silent)).id_token, 'still signed in');
  });

  test('"Stay signed in" keeps the SSO session; the continue link ends only the session it was made for', async () => {
    const sp = await samlApp(server);
    const saml = serviceProvider(server, sp, idp);
    const rp = await oidcApp(server, { steps: [['basic']] });
    const config = await discover(server, rp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    await samlLogin(browser, saml, user);
    const auth = await authorizationUrl(config);
    const tokens = await redeem(config, await openAuthorization(browser, auth.url), auth);
    const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT, state: 's1' });
    const stay = external(await confirmLogout(browser, await browser.open(logoutUrl.pathname + logoutUrl.search), false));
    assert.equal(stay.target, REDIRECT);
    assert.ok(postedForm(await startRedirect(browser, saml)), 'the SAML SP still signs in without a page');

    // A second browser with its own session opens the first browser's continue link: it is sent on to the RP
    // and keeps its session; the first browser's session is not ended by it either.
    const other = new LoginBrowser(server.client());
    await samlLogin(other, saml, user);
    const again = await authorizationUrl(config);
    const second = await redeem(config, await openAuthorization(browser, again.url), again);
    const url = client.buildEndSessionUrl(config, { id_token_hint: second.id_token!, post_logout_redirect_uri: REDIRECT, state: 's2' });
    const confirm = await browser.open(url.pathname + url.search);
    const form = /<form[^>]*action="([^"]+)"[\s\S]*?name="xsrf" value="([^"]+)"/.exec(confirm.html)!;
    const res = await browser.client.post(new URL(form[1]!).pathname, { form: { xsrf: form[2]!, logout: 'yes' } });
    const continueAt = new URL(res.location!);
    assert.equal(continueAt.pathname, '/oidc/logout/continue');
    const atRp = external(await other.open(continueAt.pathname + continueAt.search));
    assert.equal(atRp.target, REDIRECT);
    assert.ok(postedForm(await startRedirect(other, saml)), 'the other browser is still signed in');
    const tampered = await browser.open(`/oidc/logout/continue?next=${encodeURIComponent('v1:x:AAAA')}`);
    assert.equal(tampered.status, 400, 'a forged link is refused');
    const own = await browser.open(continueAt.pathname + continueAt.search);
    assert.equal(own.name, 'external', 'the browser it was made for signs out');
    assert.equal((await startRedirect(browser, saml)).name, 'login.do');
  });

  test("another account's login over a stale provider session signs the provider out on its own, not the SSO session", async () => {
    const saml = serviceProvider(server, await samlApp(server), idp);
    const rp = await oidcApp(server, { steps: [['basic']] });
    const config = await discover(server, rp);
    const [x, y] = [await createUser(server), await createUser(server)];
    const browser = new LoginBrowser(server.client());
    const first = await authorizationUrl(config);
    await redeem(config, await browser.login(await openAuthorization(browser, first.url), x.username, x.password), first);
    const profile = await samlLogin(browser, saml);
    const out = new URL(await saml.getLogoutUrlAsync(profile, '', {}));
    assert.equal((await browser.open(out.pathname + out.search)).name, 'external', 'SAML logout ends the SSO session of x');
    await samlLogin(browser, saml, y);
    const next = await authorizationUrl(config);
    // The provider's auto-posting sign-out form (a browser posts it by script).
    const switching = await openAuthorization(browser, next.url);
    const form = /<form method="post" action="([^"]+)">[\s\S]*?name="xsrf" value="([^"]+)"/.exec(switching.html);
    assert.ok(form, switching.html);
    const action = new URL(form[1]!).pathname;
    const back = await browser.follow(await browser.client.post(action, { form: { xsrf: form[2]!, logout: 'yes' } }), action);
    const tokens = await redeem(config, back, next);
    assert.equal(tokens.claims()!.sub, y.user.id, "y's SSO session, without a page");
    assert.ok(postedForm(await startRedirect(browser, saml)), "y's SSO session is still live");
  });

  test('in a tenant: /t/{tenant}/oidc/logout tells the tenant SAML SP and ends at the RP', async () => {
    const domain = `slo-${uniqueSuffix()}.example`;
    await provisionTenant(server, domain);
    const tenantIdp = await idpMetadata(server, domain);
    const app = await samlApp(server, { tenant: domain });
    const sp = serviceProvider(server, app, tenantIdp, { entryPoint: `${server.url}/t/${domain}/samlsso`, logoutUrl: `${server.url}/t/${domain}/samlsso` });
    const rp = await oidcApp(server, { steps: [['basic']], tenant: domain });
    const config = await discover(server, rp, domain);
    const user = await createUser(server, { tenant: domain });
    const browser = new LoginBrowser(server.client());
    const atSp = await samlLogin(browser, sp, user);
    const auth = await authorizationUrl(config);
    const tokens = await redeem(config, await openAuthorization(browser, auth.url), auth);
    const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT, state: 't' });
    assert.equal(logoutUrl.pathname, `/t/${domain}/oidc/logout`);
    const toSp = external(await confirmLogout(browser, await browser.open(logoutUrl.pathname + logoutUrl.search), true));
    assert.equal(toSp.target, app.slo);
    const request = await sp.validateRedirectAsync(toSp.query, toSp.raw);
    assert.equal(request.profile?.nameID, atSp.nameID);
    const answer = new URL(await sp.getLogoutResponseUrlAsync(request.profile!, '', {}, true));
    const atRp = external(await browser.open(answer.pathname + answer.search));
    assert.equal(atRp.target, REDIRECT);
    assert.equal(atRp.query.state, 't');
    assert.equal((await startRedirect(browser, sp)).name, 'login.do');
  });

  test('a state too long to ride along a front-channel chain: the SSO session still ends, the browser goes straight to the RP', async () => {
    const { sp, config, browser } = await samlThenOidc(server, idp);
    const auth = await authorizationUrl(config);
    const tokens = await redeem(config, await openAuthorization(browser, auth.url), auth);
    const state = 's'.repeat(2100);
    const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT, state });
    const atRp = external(await confirmLogout(browser, await browser.open(logoutUrl.pathname + logoutUrl.search), true));
    assert.equal(atRp.target, REDIRECT, 'the front-channel SP is skipped (a partial logout, logged)');
    assert.equal(atRp.query.state, state);
    assert.equal((await startRedirect(browser, sp)).name, 'login.do', 'the SSO session is gone all the same');
  });
});
