// Issue 12: a second Portcullis tenant (corp.test, our own SAML IdP side) is the upstream SAML 2.0 IdP of
// home.test, over HTTPS on loopback. home.test sends a signed AuthnRequest by HTTP-Redirect (corp.test requires
// the signature), the user signs in at corp.test with a password, and corp's real auto-posting form brings the
// signed Response back to home.test's /commonauth. The user is provisioned (JIT on) or refused (JIT off),
// enrols TOTP at home.test and logs in again with the password upstream and a code here. Responses taken from
// that form and changed after signing (NameID, an attribute, an XSW wrapping, replayed, posted late or to
// another login) are refused with a page that says so.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as OTPAuth from 'otpauth';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { nonceCookie } from '../../src/http/login-cookies.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { claimOf, createUser, setTotpParams, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { enrolFromPage } from '../support/enrolment.ts';
import { alertText, codeAt, LoginBrowser, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { completedApp, startLogin, TestFront } from '../support/test-front.ts';
import { adminCall, BOSS, CORP, HOME } from './support.ts';
import { b64, corpAtHome, corpResponse, OffsetClock, postToAcs, registerHomeAtCorp, startSamlFederationServer, unb64 } from './saml-support.ts';

describe('upstream SAML 2.0 IdP', () => {
  let server: TestServer;
  let front: TestFront;
  let spEntityId: string;
  const clock = new OffsetClock();
  const logs: string[] = [];

  before(async () => {
    server = await startSamlFederationServer(clock, logs);
    front = TestFront.install(server);
    ({ spEntityId } = await registerHomeAtCorp(server));
  });
  after(async () => server?.close());

  async function homeApp(steps: string[][]): Promise<Application> {
    return server.services.applicationService.create(await tenantOf(server, HOME), { name: `app-${uniqueSuffix()}`, authenticationSequence: sequenceOf(steps) });
  }

  /** Starts a login at home.test; the signed AuthnRequest takes the browser to corp.test's login page. */
  async function toCorp(app: Application, browser = new LoginBrowser(server.client())): Promise<{ browser: LoginBrowser; page: Page }> {
    let page = await startLogin(server, browser, app, { tenant: HOME });
    const option = /name="authenticator" value="(SAMLSSOAuthenticator:[^"]+)"/.exec(page.html);
    if (page.url.includes(`/t/${HOME}/`) && option) page = await browser.submit(page, {}, ['authenticator', option[1]!]);
    assert.equal(page.name, 'login.do', `${page.url} ${alertText(page)}`);
    assert.ok(page.url.includes(`/t/${CORP}/`), `at the upstream tenant's login page (corp verified the signed AuthnRequest): ${page.url}`);
    return { browser, page };
  }

  async function signedInUpstream(app: Application, user: { username: string; password: string }) {
    const { browser, page } = await toCorp(app);
    const form = await corpResponse(browser, page, user.username, user.password);
    logs.length = 0;
    return { browser, form };
  }

  /** The page says `text`; the server logged why (`detail`), so the refusal is for the reason the test means. */
  const refusedWith = (page: Page, text: RegExp, app: Application, detail?: RegExp) => {
    assert.equal(page.name, 'error.do', `${page.name} ${page.url}`);
    assert.match(alertText(page), text);
    assert.notEqual(completedApp(page), app.name);
    if (detail) {
      const why = logs.filter((l) => l.includes('upstream SAML Response')).at(-1) ?? '';
      assert.match(why, detail, `logged reason: ${why}`);
    }
  };
  const NOT_VERIFIED = /could not be verified/;

  test('JIT on: provisioned with the mapped attributes and linked; the next login finds the same user', async () => {
    const idp = `Corp-${uniqueSuffix()}`;
    await corpAtHome(server, idp, spEntityId, { jit: 'on' });
    const app = await homeApp([['basic', `SAMLSSOAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP, email: 'ada@corp.example', givenName: 'Ada' });

    const browser = new LoginBrowser(server.client());
    const chooser = await startLogin(server, browser, app, { tenant: HOME });
    assert.match(chooser.html, new RegExp(`Sign in with ${idp}`));
    const corpLogin = await browser.submit(chooser, {}, ['authenticator', `SAMLSSOAuthenticator:${idp}`]);
    assert.ok(corpLogin.url.includes(`/t/${CORP}/`), corpLogin.url);
    const form = await corpResponse(browser, corpLogin, upstream.username, upstream.password);
    assert.equal(form.action, `${server.url}/t/${HOME}/commonauth`, 'corp posts to our ACS (/commonauth)');
    const done = await postToAcs(browser, form);
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
    const result = front.results.at(-1)!;
    assert.equal(result.user.username, upstream.username, 'provisioned under the NameID');
    assert.equal(result.tenant.domain, HOME);
    assert.deepEqual(result.amr, ['fed']);
    assert.equal(await claimOf(server, result.user, CLAIMS.email), 'ada@corp.example');
    assert.equal(await claimOf(server, result.user, CLAIMS.givenName), 'Ada');

    const again = await signedInUpstream(app, upstream);
    const second = await postToAcs(again.browser, again.form);
    assert.equal(completedApp(second), app.name);
    assert.equal(front.results.at(-1)!.user.id, result.user.id, 'found again through the link');
  });

  test('HTTP-POST binding: corp verifies the enveloped signature of the posted AuthnRequest; the user signs in', async () => {
    const idp = `Post-${uniqueSuffix()}`;
    await corpAtHome(server, idp, spEntityId, { jit: 'on', requestMethod: 'post' });
    const app = await homeApp([[`SAMLSSOAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP });
    const browser = new LoginBrowser(server.client());
    const autoPost = await startLogin(server, browser, app, { tenant: HOME });
    assert.match(autoPost.html, /id="saml-post"/, autoPost.html.slice(0, 500));
    const corpLogin = await browser.submit(autoPost, {});
    assert.ok(corpLogin.url.includes(`/t/${CORP}/`) && corpLogin.name === 'login.do', `${corpLogin.url} ${alertText(corpLogin)}`);
    const done = await postToAcs(browser, await corpResponse(browser, corpLogin, upstream.username, upstream.password));
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
    assert.equal(front.results.at(-1)!.user.username, upstream.username);
  });

  test('JIT prompt (the shared prompt of the upstream authenticators): the user picks a local name and password', async () => {
    const idp = `Prompt-${uniqueSuffix()}`;
    await corpAtHome(server, idp, spEntityId, { jit: 'prompt' });
    const app = await homeApp([[`SAMLSSOAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP, email: 'lin@corp.example' });
    const { browser, form } = await signedInUpstream(app, upstream);
    const prompt = await postToAcs(browser, form);
    assert.equal(prompt.name, 'login.do', prompt.url);
    assert.match(prompt.html, /name="jitUsername"/);
    const chosen = `local-${uniqueSuffix()}`;
    const done = await browser.submit(prompt, { jitUsername: chosen, jitPassword: 'a long local password' });
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
    const user = front.results.at(-1)!.user;
    assert.equal(user.username, chosen);
    assert.equal(await claimOf(server, user, CLAIMS.email), 'lin@corp.example');
    const links = await server.services.associations.ofUser(user.tenantId, user.id);
    assert.deepEqual(links.map((l) => l.idpUserId), [upstream.username], 'linked to the NameID');
  });

  test('JIT off and no linked account: a page that says so', async () => {
    const idp = `Off-${uniqueSuffix()}`;
    await corpAtHome(server, idp, spEntityId, { jit: 'off' });
    const app = await homeApp([[`SAMLSSOAuthenticator:${idp}`]]);
    const upstream = await createUser(server, { tenant: CORP });
    const { browser, form } = await signedInUpstream(app, upstream);
    const page = await postToAcs(browser, form);
    assert.equal(page.name, 'error.do');
    assert.match(alertText(page), /not linked to an account here, and accounts are not created automatically/);
  });

  test('TOTP: enrol at the first login (JIT on), then password upstream and a code here', async () => {
    const idp = `Totp-${uniqueSuffix()}`;
    await corpAtHome(server, idp, spEntityId, { jit: 'on' });
    await setTotpParams(server, { usecase: 'local', enrolUserInAuthenticationFlow: true }, HOME);
    const app = await homeApp([[`SAMLSSOAuthenticator:${idp}`], ['totp']]);
    const upstream = await createUser(server, { tenant: CORP, email: 'grace@corp.example' });
    const first = await signedInUpstream(app, upstream);
    const enrol = await postToAcs(first.browser, first.form);
    const { totp, page: done } = await enrolFromPage(first.browser, enrol);
    assert.equal(totp.label, `${idp}:grace@corp.example`);
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
    const local = front.results.at(-1)!.user;
    assert.deepEqual(front.results.at(-1)!.amr, ['fed', 'otp']);

    const second = await signedInUpstream(app, upstream);
    const codePage = await postToAcs(second.browser, second.form);
    assert.equal(codePage.name, 'totp.do', codePage.url);
    const again = await second.browser.submit(codePage, { token: codeAt(totp, 1) });
    assert.equal(completedApp(again), app.name, `${again.name} ${alertText(again)}`);
    assert.equal(front.results.at(-1)!.user.id, local.id);
  });

  test('JIT off: each usecase finds the user it names; an unlinked account and an unknown name are refused', async () => {
    const idp = `Usecase-${uniqueSuffix()}`;
    const idpId = await corpAtHome(server, idp, spEntityId, { jit: 'off' });
    const app = await homeApp([[`SAMLSSOAuthenticator:${idp}`], ['totp']]);
    const givenName = `gn-${uniqueSuffix()}`;
    const upstream = await createUser(server, { tenant: CORP, givenName });
    const home = await tenantOf(server, HOME);
    const byAttribute = await server.services.users.create(home, { username: givenName, password: 'a long password 1' });
    const linked = await server.services.users.create(home, { username: `linked-${uniqueSuffix()}`, password: 'a long password 1' });
    // The SAML subject is the NameID: corp's user name (unspecified format).
    const link = await adminCall(server, 'POST', `/t/${HOME}/api/users/v1/${encodeURIComponent(linked.id)}/federated-associations`, { idp: { id: idpId }, federatedUserId: upstream.username }, BOSS);
    assert.equal(link.status, 201, link.text);
    const bySubject = await server.services.users.create(home, { username: upstream.username, password: 'a long password 1' });

    const cases: [Record<string, string>, string][] = [
      [{ usecase: 'association' }, linked.id],
      [{ usecase: 'subjectUri' }, bySubject.id],
      [{ usecase: 'local', secondaryUserstore: 'PRIMARY' }, bySubject.id],
      [{ usecase: 'userAttribute', userAttribute: CLAIMS.givenName }, byAttribute.id],
    ];
    const totps = new Map<string, OTPAuth.TOTP>();
    for (const [params, expected] of cases) {
      const usecase = params.usecase;
      await setTotpParams(server, { ...params, enrolUserInAuthenticationFlow: true }, HOME);
      const { browser, form } = await signedInUpstream(app, upstream);
      const step = await postToAcs(browser, form);
      // With a SAML NameID of the user name, local and subjectUri name the same user: enrolled the first time.
      let done: Page;
      if (totps.has(expected)) {
        assert.equal(step.name, 'totp.do', `${usecase}: ${step.url}`);
        done = await browser.submit(step, { token: codeAt(totps.get(expected)!, 1) });
      } else {
        const enrolled = await enrolFromPage(browser, step);
        totps.set(expected, enrolled.totp);
        done = enrolled.page;
      }
      assert.equal(completedApp(done), app.name, `${usecase}: ${done.name} ${alertText(done)}`);
      assert.equal(front.results.at(-1)!.user.id, expected, `${usecase} names its own user`);
    }
    const other = await createUser(server, { tenant: CORP });
    await setTotpParams(server, { usecase: 'association' }, HOME);
    const unlinked = await signedInUpstream(app, other);
    const page = await postToAcs(unlinked.browser, unlinked.form);
    assert.equal(page.name, 'totp_error.do', page.url);
    assert.match(alertText(page), /not linked to an account here/);
    await setTotpParams(server, { usecase: 'local' }, HOME);
    const unknown = await signedInUpstream(app, other);
    const noUser = await postToAcs(unknown.browser, unknown.form);
    assert.equal(noUser.name, 'totp_error.do', noUser.url);
    assert.match(alertText(noUser), /there is no account here for it/);
    assert.equal(await server.services.users.find(home, other.username), undefined, 'JIT off provisions nobody');
  });

  describe('refused Responses, each with its page', () => {
    let app: Application;
    let user: { username: string; password: string };
    before(async () => {
      const idp = `Hostile-${uniqueSuffix()}`;
      await corpAtHome(server, idp, spEntityId, { jit: 'on' });
      app = await homeApp([[`SAMLSSOAuthenticator:${idp}`]]);
      user = await createUser(server, { tenant: CORP, email: 'eve@corp.example' });
    });

    const changed = (form: { fields: Record<string, string> }, edit: (xml: string) => string) => {
      const xml = unb64(form.fields.SAMLResponse!);
      const edited = edit(xml);
      assert.notEqual(edited, xml, 'the edit applies');
      return { SAMLResponse: b64(edited) };
    };

    test('the NameID changed after signing', async () => {
      const { browser, form } = await signedInUpstream(app, user);
      const page = await postToAcs(browser, form, changed(form, (x) => x.replace(`>${user.username}</saml:NameID>`, '>admin</saml:NameID>')));
      refusedWith(page, NOT_VERIFIED, app, /does not verify/);
    });

    test('an attribute changed after signing', async () => {
      const { browser, form } = await signedInUpstream(app, user);
      const page = await postToAcs(browser, form, changed(form, (x) => x.replace('eve@corp.example', 'boss@corp.example')));
      refusedWith(page, NOT_VERIFIED, app, /does not verify/);
    });

    test('XSW: the signed Assertion moved into an Extensions element and a forged one put in its place', async () => {
      const { browser, form } = await signedInUpstream(app, user);
      const page = await postToAcs(
        browser,
        form,
        changed(form, (x) => {
          const m = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(x)!;
          const forged = m[0].replace(/ID="[^"]+"/, 'ID="_evil"').replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '').replace(`>${user.username}<`, '>admin<');
          return x.replace(m[0], `<samlp:Extensions>${m[0]}</samlp:Extensions>${forged}`);
        }),
      );
      refusedWith(page, NOT_VERIFIED, app, /exactly one Assertion/);
    });

    test('a replayed Response: posted again after it was used, and posted to a fresh login', async () => {
      const { browser, form } = await signedInUpstream(app, user);
      assert.equal(completedApp(await postToAcs(browser, form)), app.name, 'the first post is accepted');
      const again = await postToAcs(browser, form);
      assert.notEqual(completedApp(again), app.name, 'the same post again completes nothing');
      // A fresh login in the same browser: its own RelayState, the old Response (InResponseTo names the old request).
      const relayState = await freshRelayState(app, browser);
      refusedWith(await postToAcs(browser, form, { RelayState: relayState }), NOT_VERIFIED, app, /InResponseTo is not our request/);
    });

    test('an expired assertion (the clock moved past its NotOnOrAfter)', async () => {
      const { browser, form } = await signedInUpstream(app, user);
      clock.offset = 7 * 60_000;
      try {
        refusedWith(await postToAcs(browser, form), NOT_VERIFIED, app, /expired/);
      } finally {
        clock.offset = 0;
      }
    });

    test('a Response for another login (unknown InResponseTo)', async () => {
      const a = await signedInUpstream(app, user);
      // Login B, in another browser: its RelayState, login A's Response.
      const b = new LoginBrowser(server.client());
      const relayState = await freshRelayState(app, b);
      refusedWith(await postToAcs(b, a.form, { RelayState: relayState }), NOT_VERIFIED, app, /InResponseTo is not our request/);
    });

    test('a RelayState that is not this login\'s', async () => {
      const { browser, form } = await signedInUpstream(app, user);
      const relayState = `${form.fields.RelayState!.split('.')[0]}.forged`;
      refusedWith(await postToAcs(browser, form, { RelayState: relayState }), /does not belong to your login/, app);
    });
  });

  /** Starts a login at home.test without following it to corp; returns its RelayState. */
  async function freshRelayState(app: Application, browser = new LoginBrowser(server.client())): Promise<string> {
    const tenant = await tenantOf(server, HOME);
    const jar = browser.client.cookies;
    const result = await server.services.engine.start({ tenant, tenantQualified: false, application: app, protocol: 'test', protocolState: {} }, { nonce: (id) => jar.get(nonceCookie(id)), ssoCookie: undefined, remoteAddress: '127.0.0.1', traceId: 'test' });
    if (result.setNonce) jar.set(nonceCookie(result.setNonce.contextId), result.setNonce.value);
    assert.equal(result.response.kind, 'redirect');
    const location = (result.response as { location: string }).location;
    return new URL(location).searchParams.get('RelayState')!;
  }
});
