// Linking from My Account through an upstream SAML 2.0 IdP (issue 12): the same "Link your account at X" as for
// OpenID Connect (test/federation/link.test.ts), here with corp.test as a real SAML IdP. The link is the NameID
// corp.test sends; nobody is provisioned even with JIT on or "prompt", and the signed-in user stays the same.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { alertText, LoginBrowser } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { noticeText, signIn } from '../myaccount/support.ts';
import { corpAtHome, corpResponse, OffsetClock, postToAcs, registerHomeAtCorp, startSamlFederationServer } from './saml-support.ts';
import { CORP, HOME, pressLink, SECURITY } from './support.ts';

describe('linking an upstream SAML account from My Account', () => {
  let server: TestServer;
  let spEntityId: string;

  before(async () => {
    server = await startSamlFederationServer(new OffsetClock(), []);
    ({ spEntityId } = await registerHomeAtCorp(server));
  });
  after(async () => server?.close());

  for (const jit of ['on', 'prompt'] as const) {
    test(`JIT ${jit}: the NameID is linked to the signed-in user, nobody is provisioned`, async () => {
      const idp = `SamlCorp-${uniqueSuffix()}`;
      await corpAtHome(server, idp, spEntityId, { jit });
      const local = await createUser(server, { tenant: HOME });
      const upstream = await createUser(server, { tenant: CORP });
      const { browser } = await signIn(server, local.username, local.password, HOME);

      const started = await pressLink(browser, await browser.open(SECURITY), idp);
      assert.equal(started.status, 303, started.text.slice(0, 300));
      const location = new URL(started.location!);
      assert.equal(location.pathname, `/t/${CORP}/samlsso`, 'sent to the upstream IdP with an AuthnRequest');
      // The upstream sign-in in a browser of its own: on one test host the tenants would share the SSO cookie,
      // where a real upstream on another site has its own.
      const atCorp = new LoginBrowser(server.client());
      const corpLogin = await atCorp.open(location.pathname + location.search);
      assert.equal(corpLogin.name, 'login.do', `${corpLogin.url} ${alertText(corpLogin)}`);
      const done = await postToAcs(browser, await corpResponse(atCorp, corpLogin, upstream.username, upstream.password));
      assert.equal(done.name, 'security', `${done.url} ${alertText(done)}`);
      assert.equal(noticeText(done), 'Your account was linked: you can sign in with it.');

      const home = await tenantOf(server, HOME);
      const links = await server.services.associations.ofUser(home.id, local.user.id);
      assert.deepEqual(links.map((l) => l.idpUserId), [upstream.username], 'linked under the NameID corp sent');
      assert.equal(await server.services.users.find(home, upstream.username), undefined, 'no user was provisioned');
      assert.match((await browser.open(`/t/${HOME}/myaccount`)).html, new RegExp(local.username), 'still signed in as the same user');
    });
  }
});
