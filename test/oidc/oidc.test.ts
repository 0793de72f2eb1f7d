// OpenID Connect end to end: openid-client as the relying party against the real server over HTTPS, the user
// driven through our login pages. Discovery at WSO2's paths; code + PKCE through password then TOTP (enrolment
// on the first login); the ID token's amr and acr; userinfo from the claim mapping; refresh with rotation;
// revocation; RP-initiated logout ending the SSO session; exact redirect URIs; PKCE for public clients;
// prompt=none and max_age; one SSO session with other fronts; one issuer per tenant.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { sequenceOf } from '../../src/applications/application.ts';
import { ACR } from '../../src/flows/acr.ts';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { completedApp, startLogin, TestFront } from '../support/test-front.ts';
import { authorizationUrl, discover, issuerOf, oidcApp, openAuthorization, redeem, REDIRECT } from './support.ts';

describe('OpenID Connect provider', () => {
  let server: TestServer;
  let front: TestFront;

  before(async () => {
    server = await startTestServer();
    front = TestFront.install(server);
  });
  after(async () => server?.close());

  const errorAt = (url: string) => new URL(url).searchParams.get('error');

  test('discovery at WSO2 paths names our endpoints; the issuer is /oauth2/token', async () => {
    const app = await oidcApp(server);
    const meta = (await discover(server, app)).serverMetadata();
    const base = server.url;
    assert.equal(meta.issuer, `${base}/oauth2/token`);
    assert.deepEqual(
      [meta.authorization_endpoint, meta.token_endpoint, meta.userinfo_endpoint, meta.jwks_uri, meta.revocation_endpoint, meta.introspection_endpoint, meta.end_session_endpoint],
      ['/oauth2/authorize', '/oauth2/token', '/oauth2/userinfo', '/oauth2/jwks', '/oauth2/revoke', '/oauth2/introspect', '/oidc/logout'].map((p) => `${base}${p}`),
    );
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    const root = await server.client().get('/.well-known/openid-configuration');
    assert.equal(root.json<{ issuer: string }>().issuer, meta.issuer, 'also at the root');
  });

  test('code + PKCE through password then TOTP enrolment: ID token with amr and acr, userinfo, refresh rotation, revocation', async () => {
    const app = await oidcApp(server);
    assert.ok(app.clientSecret && app.clientSecret.length >= 40, 'a generated secret is shown once');
    const stored = app.application.inboundProtocols.oidc as Record<string, unknown>;
    assert.equal(stored.clientSecret, undefined, 'only its hash is stored');
    const config = await discover(server, app);
    const { username, password } = await createUser(server, { email: 'oidc-user@example.com', givenName: 'Ada' });
    const browser = new LoginBrowser(server.client());
    const auth = await authorizationUrl(config, { login_hint: username });
    const login = await openAuthorization(browser, auth.url);
    assert.equal(login.name, 'login.do');
    assert.match(login.html, new RegExp(`name="username" value="${username}"`), 'login_hint fills the user name');
    const enrol = await browser.login(login, username, password);
    assert.equal(enrol.name, 'totp_enroll.do');
    const totp = totpFromQr(enrol);
    await awayFromStepEdge(30);
    const back = await browser.submit(await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']), { token: codeAt(totp) });
    const tokens = await redeem(config, back, auth);
    const claims = tokens.claims()!;
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR.multiFactor);
    assert.equal(claims.aud, app.clientId);
    assert.equal(claims.iss, issuerOf(server).href);
    assert.equal(typeof claims.auth_time, 'number');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, 'oidc-user@example.com');
    assert.equal(info.given_name, 'Ada');
    assert.equal(Object.keys(info).some((k) => /secret|totp/i.test(k)), false);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'rotated');
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (e: Error & { error?: string }) => e.error === 'invalid_grant', 'the old refresh token is refused');

    const fresh = await client.refreshTokenGrant(config, refreshed.refresh_token!).catch(() => undefined);
    assert.equal(fresh, undefined, 'reusing an old refresh token revoked the whole grant');

    // A new login in the same browser: SSO, no page; then revocation of its access token.
    const again = await authorizationUrl(config);
    const second = await redeem(config, await openAuthorization(browser, again.url), again);
    assert.equal((await client.tokenIntrospection(config, second.access_token)).active, true);
    await client.tokenRevocation(config, second.access_token);
    assert.equal((await client.tokenIntrospection(config, second.access_token)).active, false);
  });

  test('RP-initiated logout at /oidc/logout ends the SSO session', async () => {
    const app = await oidcApp(server, { steps: [['basic']] });
    const config = await discover(server, app);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const auth = await authorizationUrl(config);
    const tokens = await redeem(config, await browser.login(await openAuthorization(browser, auth.url), username, password), auth);
    const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT });
    assert.equal(logoutUrl.pathname, '/oidc/logout');
    const confirm = await browser.open(logoutUrl.pathname + logoutUrl.search);
    const form = /<form[^>]*action="([^"]+)"[\s\S]*?name="xsrf" value="([^"]+)"/.exec(confirm.html);
    assert.ok(form, confirm.html);
    const done = await browser.follow(await browser.client.post(new URL(form[1]!).pathname, { form: { xsrf: form[2]!, logout: 'yes' } }), new URL(form[1]!).pathname);
    assert.ok(done.url.startsWith(REDIRECT), done.url);
    const next = await authorizationUrl(config);
    assert.equal((await openAuthorization(browser, next.url)).name, 'login.do', 'the SSO session is gone');
  });

  test('redirect URIs match exactly; PKCE is required of public clients', async () => {
    const confidential = await oidcApp(server, { steps: [['basic']] });
    const config = await discover(server, confidential);
    const browser = new LoginBrowser(server.client());
    for (const redirect of ['https://rp.example/other', `${REDIRECT}?extra=1`, `${REDIRECT}/`]) {
      const { url } = await authorizationUrl(config, { redirect_uri: redirect });
      const page = await openAuthorization(browser, url);
      assert.notEqual(page.name, 'external', `never sent to ${redirect}`);
      assert.equal(page.status, 400);
    }
    const pub = await oidcApp(server, { steps: [['basic']], publicClient: true });
    assert.equal(pub.clientSecret, undefined);
    const pubConfig = await discover(server, pub);
    const withoutPkce = client.buildAuthorizationUrl(pubConfig, { redirect_uri: REDIRECT, scope: 'openid', state: 's' });
    const refused = await openAuthorization(browser, withoutPkce);
    assert.equal(errorAt(refused.url), 'invalid_request');
    const { username, password } = await createUser(server);
    const auth = await authorizationUrl(pubConfig);
    const tokens = await redeem(pubConfig, await browser.login(await openAuthorization(browser, auth.url), username, password), auth);
    assert.equal(tokens.claims()!.acr, ACR.singleFactor);
    assert.deepEqual(tokens.claims()!.amr, ['pwd']);
  });

  test('prompt=none without a session answers login_required; max_age forces the steps again, TOTP included', async () => {
    const app = await oidcApp(server);
    const config = await discover(server, app);
    const fresh = new LoginBrowser(server.client());
    const none = await authorizationUrl(config, { prompt: 'none' });
    const answer = await openAuthorization(fresh, none.url);
    assert.equal(errorAt(answer.url), 'login_required');

    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const first = await authorizationUrl(config);
    const enrol = await browser.login(await openAuthorization(browser, first.url), username, password);
    const totp = totpFromQr(enrol);
    await awayFromStepEdge(30);
    await redeem(config, await browser.submit(await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']), { token: codeAt(totp) }), first);
    const silent = await authorizationUrl(config, { prompt: 'none' });
    assert.ok((await redeem(config, await openAuthorization(browser, silent.url), silent)).id_token, 'prompt=none with a session');
    const aged = await authorizationUrl(config, { max_age: '0' });
    const again = await openAuthorization(browser, aged.url);
    assert.equal(again.name, 'login.do');
    const totpPage = await browser.login(again, username, password);
    assert.equal(totpPage.name, 'totp.do', 'the TOTP step is asked again');
    await awayFromStepEdge(30);
    const tokens = await redeem(config, await browser.submit(totpPage, { token: codeAt(totp, 1) }), aged);
    assert.equal(tokens.claims()!.acr, ACR.multiFactor);
  });

  test('one SSO session across fronts: another application first, then OIDC without a password; and the reverse', async () => {
    const tenant = await tenantOf(server);
    const other = await server.services.applicationService.create(tenant, { name: `other-${uniqueSuffix()}`, authenticationSequence: sequenceOf([['basic']]) });
    const app = await oidcApp(server, { steps: [['basic']] });
    const config = await discover(server, app);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    assert.equal(completedApp(await browser.login(await startLogin(server, browser, other), username, password)), other.name);
    const auth = await authorizationUrl(config);
    assert.ok((await redeem(config, await openAuthorization(browser, auth.url), auth)).id_token, 'no page');

    const reverse = new LoginBrowser(server.client());
    const first = await authorizationUrl(config);
    await redeem(config, await reverse.login(await openAuthorization(reverse, first.url), username, password), first);
    assert.equal(completedApp(await startLogin(server, reverse, other)), other.name, 'the OIDC login made the SSO session');
    assert.ok(front.results.length > 0);
  });

  test('one issuer per tenant; a client of one tenant is unknown to another', async () => {
    const domain = `oidc-${uniqueSuffix()}.example`;
    await provisionTenant(server, domain);
    const app = await oidcApp(server, { steps: [['basic']], tenant: domain });
    const meta = (await discover(server, app, domain)).serverMetadata();
    assert.equal(meta.issuer, `${server.url}/t/${domain}/oauth2/token`);
    assert.equal(meta.authorization_endpoint, `${server.url}/t/${domain}/oauth2/authorize`);
    const superApp = await oidcApp(server, { steps: [['basic']] });
    const crossed = await authorizationUrl(await discover(server, { ...superApp }, domain));
    const page = await openAuthorization(new LoginBrowser(server.client()), crossed.url);
    assert.equal(page.status, 400, 'the super tenant client is not a client of the tenant');
  });
});
