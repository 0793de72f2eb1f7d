// The checks on an upstream OpenID Connect provider's ID token (OpenID Connect Core 3.1.3.7, through
// openid-client): a wrong `iss`, a wrong `aud`, a bad signature, a wrong nonce and an expired token are each
// refused with the federation error page, and the login does not complete. The upstream is a fake
// (fake-op.ts), because a real provider cannot be made to send these; the first test shows the fake's correct
// answer is accepted, so each refusal is the flaw's doing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { alertText, LoginBrowser, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { completedApp, startLogin, TestFront } from '../support/test-front.ts';
import { FakeOpenIdProvider, type Flaw } from './fake-op.ts';
import { adminCall, BOSS, HOME, IDP_BASE, oidcIdpBody, startFederationServer } from './support.ts';

describe('upstream ID token checks (fake OpenID provider)', () => {
  let server: TestServer;
  let op: FakeOpenIdProvider;
  let app: Application;

  before(async () => {
    server = await startFederationServer();
    TestFront.install(server);
    op = await FakeOpenIdProvider.start(join(server.dataDir, 'tls'));
    const name = `Fake-${uniqueSuffix()}`;
    const res = await adminCall(server, 'POST', `/t/${HOME}${IDP_BASE}`, oidcIdpBody({ name, issuer: op.issuer, clientId: op.clientId, clientSecret: 'fake-secret', jit: 'on' }), BOSS);
    assert.equal(res.status, 201, res.text);
    app = await server.services.applicationService.create(await tenantOf(server, HOME), { name: `app-${uniqueSuffix()}`, authenticationSequence: sequenceOf([[`OpenIDConnectAuthenticator:${name}`]]) });
  });
  after(async () => {
    await op?.close();
    await server?.close();
  });

  /** Starts a login, answers at the fake's authorization endpoint with an ID token having `flaw`; the page the user lands on. */
  async function loginWith(flaw: Flaw): Promise<Page> {
    const browser = new LoginBrowser(server.client());
    const away = await startLogin(server, browser, app, { tenant: HOME });
    assert.equal(away.name, 'external', `sent to the upstream: ${away.url}`);
    const authorize = new URL(away.url);
    assert.equal(authorize.origin + authorize.pathname, `${op.issuer}/authorize`);
    const params = authorize.searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    const callback = new URL(params.get('redirect_uri')!);
    callback.searchParams.set('code', op.grant(params.get('nonce')!, flaw));
    callback.searchParams.set('state', params.get('state')!);
    const before = op.tokenRequests;
    const page = await browser.follow(await browser.client.get(callback.pathname + callback.search, { headers: { accept: 'text/html' } }), callback.pathname);
    assert.equal(op.tokenRequests, before + 1, 'the code was redeemed at the token endpoint');
    return page;
  }

  test("the fake's correct ID token is accepted (the login completes)", async () => {
    const page = await loginWith('none');
    assert.equal(completedApp(page), app.name, `${page.name} ${alertText(page)}`);
  });

  for (const flaw of ['issuer', 'audience', 'signature', 'nonce', 'expired'] as const) {
    test(`an ID token with a wrong ${flaw === 'expired' ? 'expiry (expired)' : flaw} is refused with the federation error page`, async () => {
      const page = await loginWith(flaw);
      assert.equal(page.name, 'error.do', page.url);
      assert.match(alertText(page), /answer could not be verified, so it was not accepted/);
      assert.notEqual(completedApp(page), app.name);
    });
  }
});
