// Issue 12, items 2 and 3: TOTP for federated users. corp.test is the upstream OpenID Connect provider of
// home.test (one server, HTTPS on loopback). With JIT provisioning on, a user who signs in upstream with a
// password enrols TOTP at home.test during the first login: the account does not exist until the code is
// proven (the secret lives only in the login), the QR label is "<IdP>:<email>", then it is provisioned,
// linked and enrolled; the next login is password upstream and code at home. With JIT off, each `usecase`
// value (local, userAttribute, subjectUri, association) picks the local user it names, and the wrong ones end
// on a page that says what is missing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createUser, setTotpParams, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { enrolFromPage } from '../support/enrolment.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser, totpFromQr, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { completedApp, startLogin, TestFront } from '../support/test-front.ts';
import { adminCall, BOSS, CORP, HOME, homeIdp, startFederationServer, upstreamClient } from './support.ts';

describe('TOTP for federated users', () => {
  let server: TestServer;
  let front: TestFront;
  let client: { clientId: string; clientSecret: string };

  before(async () => {
    server = await startFederationServer();
    front = TestFront.install(server);
    client = await upstreamClient(server);
  });
  after(async () => server?.close());

  async function appFor(idp: string): Promise<Application> {
    return server.services.applicationService.create(await tenantOf(server, HOME), { name: `app-${uniqueSuffix()}`, authenticationSequence: sequenceOf([[`OpenIDConnectAuthenticator:${idp}`], ['totp']]) });
  }

  /** Starts a login at home.test and signs in at corp.test with a password; returns the first home.test page after it. */
  async function upstreamLogin(app: Application, username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const upstream = await startLogin(server, browser, app, { tenant: HOME });
    assert.ok(upstream.url.includes(`/t/${CORP}/`), upstream.url);
    return { browser, page: await browser.login(upstream, username, password) };
  }

  const homeUser = async (name: string) => {
    const tenant = await tenantOf(server, HOME);
    return server.services.users.find(tenant, name);
  };

  test('JIT on: enrol at the first login (account made only once the code is proven), then password upstream and code here', async () => {
    const idp = `Corp-${uniqueSuffix()}`;
    await homeIdp(server, idp, client, { jit: 'on' });
    await setTotpParams(server, { usecase: 'local', enrolUserInAuthenticationFlow: true }, HOME);
    const app = await appFor(idp);
    const upstream = await createUser(server, { tenant: CORP, email: 'grace@corp.example', givenName: 'Grace' });

    const { browser, page: enrol } = await upstreamLogin(app, upstream.username, upstream.password);
    assert.equal(enrol.name, 'totp_enroll.do', enrol.url);
    const totp = totpFromQr(enrol);
    assert.equal(totp.label, `${idp}:grace@corp.example`, "WSO2's <IdP>:<email> label");
    assert.equal(await homeUser(upstream.username), undefined, 'not provisioned before the code is proven');
    const codePage = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    assert.equal(codePage.name, 'totp.do');
    const wrong = await browser.submit(codePage, { token: codeAt(totp, 5) });
    assert.match(alertText(wrong), /not correct/);
    assert.equal(await homeUser(upstream.username), undefined, 'a wrong code provisions nothing');
    await awayFromStepEdge(totp.period);
    const done = await browser.submit(wrong, { token: codeAt(totp) });
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
    const result = front.results.at(-1)!;
    assert.equal(result.user.username, upstream.username);
    assert.deepEqual(result.amr, ['fed', 'otp']);
    const local = (await homeUser(upstream.username))!;
    assert.equal(local.id, result.user.id);
    assert.equal((await server.services.credentials.totp.status(local)).enrolled, true, 'the proven secret is the active credential');
    const links = await server.services.associations.ofUser(local.tenantId, local.id);
    assert.deepEqual(links.map((l) => l.idpUserId), [upstream.user.id], 'linked to the upstream subject');

    // The next login: password upstream, then a code from the same app here.
    const second = await upstreamLogin(app, upstream.username, upstream.password);
    assert.equal(second.page.name, 'totp.do', second.page.url);
    const again = await second.browser.submit(second.page, { token: codeAt(totp, 1) });
    assert.equal(completedApp(again), app.name, `${again.name} ${alertText(again)}`);
    assert.equal(front.results.at(-1)!.user.id, local.id);
  });

  test('JIT off: each usecase gets the local user it names; the wrong ones are refused with a page that says why', async () => {
    const idp = `Usecase-${uniqueSuffix()}`;
    const idpId = await homeIdp(server, idp, client, { jit: 'off' });
    const app = await appFor(idp);
    const nickname = `nick-${uniqueSuffix()}`;
    const upstream = await createUser(server, { tenant: CORP });
    await server.services.claimValues.set(upstream.user, { [CLAIMS.nickname]: nickname });
    const home = await tenantOf(server, HOME);
    const make = async (username: string) => server.services.users.create(home, { username, password: 'a long password 1' });
    const byName = await make(upstream.username);
    const byAttribute = await make(nickname);
    const bySubject = await make(upstream.user.id);
    const linked = await make(`linked-${uniqueSuffix()}`);
    const link = await adminCall(server, 'POST', `/t/${HOME}/api/users/v1/${encodeURIComponent(linked.id)}/federated-associations`, { idp: { id: idpId }, federatedUserId: upstream.user.id }, BOSS);
    assert.equal(link.status, 201, link.text);

    const cases: [Record<string, string>, string][] = [
      [{ usecase: 'local', secondaryUserstore: 'PRIMARY' }, byName.id],
      [{ usecase: 'userAttribute', userAttribute: CLAIMS.nickname }, byAttribute.id],
      [{ usecase: 'subjectUri' }, bySubject.id],
      [{ usecase: 'association' }, linked.id],
    ];
    for (const [params, expected] of cases) {
      await setTotpParams(server, { ...params, enrolUserInAuthenticationFlow: true }, HOME);
      const { browser, page } = await upstreamLogin(app, upstream.username, upstream.password);
      const { page: done } = await enrolFromPage(browser, page);
      assert.equal(completedApp(done), app.name, `${params.usecase}: ${done.name} ${alertText(done)}`);
      assert.equal(front.results.at(-1)!.user.id, expected, `${params.usecase} names its own user`);
    }

    // Wrong ones: no linked account, and no local user of that name.
    const other = await createUser(server, { tenant: CORP });
    await setTotpParams(server, { usecase: 'association' }, HOME);
    const unlinked = await upstreamLogin(app, other.username, other.password);
    assert.equal(unlinked.page.name, 'totp_error.do', unlinked.page.url);
    assert.match(alertText(unlinked.page), /not linked to an account here/);
    await setTotpParams(server, { usecase: 'local' }, HOME);
    const unknown = await upstreamLogin(app, other.username, other.password);
    assert.equal(unknown.page.name, 'totp_error.do');
    assert.match(alertText(unknown.page), /there is no account here for it/);
    assert.equal(await homeUser(other.username), undefined, 'JIT off provisions nobody');
  });

});
