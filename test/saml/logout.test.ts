// SP-initiated Single Logout with node-saml as the SPs: by Redirect and POST the SSO session ends (the next
// AuthnRequest shows the login page) and the LogoutResponse validates; other participants are told by a
// front-channel chain (redirect) or a back-channel POST; a logout for an unknown session answers Success. A
// request that does not name the session's NameID and SessionIndex, or that an application with a certificate
// did not sign, ends nothing; back-channel requests never reach loopback unless the configuration allows it.
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { ValidateInResponseTo, type Profile, type SAML } from '@node-saml/node-saml';
import { SSO_COOKIE } from '../../src/http/login-cookies.ts';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { backChannelListener, errorMessage, idpMetadata, postedForm, responseXml, samlApp, samlLogin, serviceProvider, signMessage, spKeys, startRedirect, type IdpInfo, type SamlApp } from './support.ts';

function redirectParts(page: Page): { target: string; query: Record<string, string>; raw: string } {
  assert.equal(page.name, 'external', `a redirect to the application (got ${page.name} ${page.status})`);
  const url = new URL(page.url);
  return { target: `${url.origin}${url.pathname}`, query: Object.fromEntries(url.searchParams), raw: url.search.slice(1) };
}

function inflated(value: string): string {
  return inflateRawSync(Buffer.from(value, 'base64')).toString('utf8');
}

describe('SAML Single Logout', () => {
  let server: TestServer;
  let idp: IdpInfo;
  let backChannel: Awaited<ReturnType<typeof backChannelListener>>;

  before(async () => {
    // The back-channel participants here listen on loopback, which the default configuration refuses to reach.
    server = await startTestServer({ toml: '[saml]\nallow_private_logout_targets = true\n' });
    idp = await idpMetadata(server);
    backChannel = await backChannelListener();
  });
  after(async () => {
    await server?.close();
    await backChannel?.close();
  });


  test('by Redirect: the session ends, the cookie is cleared and the LogoutResponse validates', async () => {
    const app = await samlApp(server);
    const sp = serviceProvider(server, app, idp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const profile = await samlLogin(browser, sp, user);
    const url = new URL(await sp.getLogoutUrlAsync(profile, 'bye', {}));
    const out = redirectParts(await browser.open(url.pathname + url.search));
    assert.equal(out.target, app.slo);
    assert.equal(out.query.RelayState, 'bye');
    assert.ok(out.query.Signature, 'the LogoutResponse is signed');
    const result = await sp.validateRedirectAsync(out.query, out.raw);
    assert.equal(result.loggedOut, true);
    assert.doesNotMatch(inflated(out.query.SAMLResponse!), /PartialLogout/);
    assert.equal(browser.client.cookies.has(SSO_COOKIE), false, 'commonAuthId is cleared');
    assert.equal((await startRedirect(browser, sp)).name, 'login.do', 'the next AuthnRequest shows the login page');
  });

  test('by POST: the session ends and the signed LogoutResponse validates', async () => {
    const app = await samlApp(server);
    const sp = serviceProvider(server, app, idp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const profile = await samlLogin(browser, sp, user);
    const xml = await sp._generateLogoutRequest(profile);
    const page = await browser.follow(
      await browser.client.post('/samlsso', { form: { SAMLRequest: Buffer.from(xml).toString('base64'), RelayState: 'p' }, headers: { accept: 'text/html' } }),
      '/samlsso',
    );
    const form = postedForm(page);
    assert.ok(form, page.html);
    assert.equal(form.action, app.slo);
    assert.equal(form.fields.RelayState, 'p');
    const requestId = /ID="([^"]+)"/.exec(xml)![1]!;
    assert.match(responseXml(form), new RegExp(`<samlp:LogoutResponse [^>]*InResponseTo="${requestId}"`));
    // node-saml looks for InResponseTo only on a <Response> root, so this check reads the LogoutResponse's signature and status.
    const reader = serviceProvider(server, app, idp, { validateInResponseTo: ValidateInResponseTo.ifPresent });
    assert.equal((await reader.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).loggedOut, true);
    assert.equal((await startRedirect(browser, sp)).name, 'login.do');
  });

  test('other participants are told: back-channel by POST, front-channel by a redirect chain, then the initiator', async () => {
    const a = await samlApp(server);
    const b = await samlApp(server);
    const c = await samlApp(server, { manual: { singleLogoutProfile: { enabled: true, logoutRequestUrl: backChannel.url, logoutMethod: 'BACKCHANNEL' } } });
    const [spA, spB, spC] = [a, b, c].map((app) => serviceProvider(server, app, idp)) as [SAML, SAML, SAML];
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const pa = await samlLogin(browser, spA, user);
    const pb = await samlLogin(browser, spB);
    const pc = await samlLogin(browser, spC);
    const before = backChannel.received.length;
    const url = new URL(await spA.getLogoutUrlAsync(pa, 'from-a', {}));
    const toB = redirectParts(await browser.open(url.pathname + url.search));
    assert.equal(backChannel.received.length, before + 1, 'the back-channel participant got a LogoutRequest');
    const atC = await spC.validatePostRequestAsync({ SAMLRequest: backChannel.received.at(-1)! });
    assert.equal(atC.profile.nameID, pc.nameID);
    assert.equal(atC.profile.sessionIndex, pc.sessionIndex);
    assert.equal(toB.target, b.slo);
    const atB = await spB.validateRedirectAsync(toB.query, toB.raw);
    assert.ok(atB.profile);
    assert.equal(atB.profile.nameID, pb.nameID);
    assert.equal(atB.profile.sessionIndex, pb.sessionIndex);
    const answer = new URL(await spB.getLogoutResponseUrlAsync(atB.profile, '', {}, true));
    const toA = redirectParts(await browser.open(answer.pathname + answer.search));
    assert.equal(toA.target, a.slo);
    assert.equal(toA.query.RelayState, 'from-a');
    assert.equal((await spA.validateRedirectAsync(toA.query, toA.raw)).loggedOut, true);
    assert.doesNotMatch(inflated(toA.query.SAMLResponse!), /PartialLogout/);
    assert.equal((await startRedirect(browser, spB)).name, 'login.do');
  });

  test('a participant that fails (or cannot be reached) makes the logout partial', async () => {
    const a = await samlApp(server);
    const b = await samlApp(server);
    const c = await samlApp(server, { manual: { singleLogoutProfile: { enabled: true, logoutRequestUrl: 'http://127.0.0.1:9/unreachable', logoutMethod: 'BACKCHANNEL' } } });
    const [spA, spB, spC] = [a, b, c].map((app) => serviceProvider(server, app, idp)) as [SAML, SAML, SAML];
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const pa = await samlLogin(browser, spA, user);
    await samlLogin(browser, spB);
    await samlLogin(browser, spC);
    const url = new URL(await spA.getLogoutUrlAsync(pa, '', {}));
    const toB = redirectParts(await browser.open(url.pathname + url.search));
    const atB = await spB.validateRedirectAsync(toB.query, toB.raw);
    const failed = new URL(await spB.getLogoutResponseUrlAsync(atB.profile!, '', {}, false));
    const toA = redirectParts(await browser.open(failed.pathname + failed.search));
    const xml = inflated(toA.query.SAMLResponse!);
    assert.match(xml, /status:Success"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"/);
    assert.equal((await spA.validateRedirectAsync(toA.query, toA.raw)).loggedOut, true, 'Success at the top level: the SP ends its own session');
  });

  test('a logout for an unknown session answers Success and changes nothing', async () => {
    const a = await samlApp(server);
    const b = await samlApp(server);
    const [spA, spB] = [serviceProvider(server, a, idp), serviceProvider(server, b, idp)];
    const user = await createUser(server);
    // A browser with no session at all.
    const stranger = new LoginBrowser(server.client());
    const fake = { issuer: a.issuer, nameID: 'someone', nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', sessionIndex: '_x' } as Profile;
    const url = new URL(await spA.getLogoutUrlAsync(fake, '', {}));
    const out = redirectParts(await stranger.open(url.pathname + url.search));
    assert.equal((await spA.validateRedirectAsync(out.query, out.raw)).loggedOut, true);
    // A browser logged in to B only: A's logout (even naming the right user) leaves B's session alone.
    const browser = new LoginBrowser(server.client());
    const pb = await samlLogin(browser, spB, user);
    const other = new URL(await spA.getLogoutUrlAsync({ ...pb, issuer: a.issuer }, '', {}));
    const answer = redirectParts(await browser.open(other.pathname + other.search));
    assert.equal((await spA.validateRedirectAsync(answer.query, answer.raw)).loggedOut, true);
    assert.ok(postedForm(await startRedirect(browser, spB)), 'B still has its session');
  });

  test('signed logout requests are required when the application requires signing; SLO must be enabled', async () => {
    const keys = await spKeys();
    const app: SamlApp = await samlApp(server, { signedRequests: keys });
    const signed = serviceProvider(server, app, idp, { privateKey: keys.privateKeyPem });
    const unsigned = serviceProvider(server, app, idp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const profile = await samlLogin(browser, signed, user);
    const bad = new URL(await unsigned.getLogoutUrlAsync(profile, '', {}));
    const refused = await browser.open(bad.pathname + bad.search);
    assert.equal(refused.status, 400);
    assert.match(errorMessage(refused), /not signed/);
    assert.ok(postedForm(await startRedirect(browser, signed)), 'the session survived the refused request');
    const good = new URL(await signed.getLogoutUrlAsync(profile, '', {}));
    const out = redirectParts(await browser.open(good.pathname + good.search));
    assert.equal((await signed.validateRedirectAsync(out.query, out.raw)).loggedOut, true);

    const noSlo = await samlApp(server, { manual: { singleLogoutProfile: { enabled: false } } });
    const sp = serviceProvider(server, noSlo, idp);
    const p = await samlLogin(browser, sp, user);
    const page = await browser.open(new URL(await sp.getLogoutUrlAsync(p, '', {})).pathname + new URL(await sp.getLogoutUrlAsync(p, '', {})).search);
    assert.equal(page.status, 400);
    assert.match(errorMessage(page), /Single logout is not enabled/);

    const stray = await browser.open(`/samlsso?SAMLResponse=${encodeURIComponent(Buffer.from('<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>x</saml:Issuer></samlp:LogoutResponse>').toString('base64'))}`);
    assert.equal(stray.status, 400);
    assert.match(errorMessage(stray), /does not belong to a logout in progress/);
  });
  /** The status codes of a LogoutResponse we sent by Redirect. */
  function statusOf(query: Record<string, string>): string[] {
    return [...inflated(query.SAMLResponse!).matchAll(/<samlp:StatusCode Value="([^"]+)"/g)].map((m) => m[1]!);
  }
  const REFUSED = ['urn:oasis:names:tc:SAML:2.0:status:Requester', 'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal'];

  test('a LogoutRequest naming another NameID, another SessionIndex or (unsigned) no SessionIndex is refused and the session lives', async () => {
    const app = await samlApp(server);
    const sp = serviceProvider(server, app, idp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const profile = await samlLogin(browser, sp, user);
    for (const [what, forged] of [
      ['another NameID', { ...profile, nameID: `${profile.nameID}-other` }],
      ['another SessionIndex', { ...profile, sessionIndex: '_not-the-session-index' }],
      ['no SessionIndex', { ...profile, sessionIndex: undefined }],
    ] as const) {
      const url = new URL(await sp.getLogoutUrlAsync(forged as Profile, 'r', {}));
      const out = redirectParts(await browser.open(url.pathname + url.search));
      assert.equal(out.target, app.slo, what);
      assert.deepEqual(statusOf(out.query), REFUSED, `${what}: Requester/UnknownPrincipal`);
      assert.ok(out.query.Signature, 'the refusal is signed like any LogoutResponse');
      assert.equal(browser.client.cookies.has(SSO_COOKIE), true, `${what}: commonAuthId is kept`);
      assert.ok(postedForm(await startRedirect(browser, sp)), `${what}: the session still logs the user in`);
    }
    const good = new URL(await sp.getLogoutUrlAsync(profile, '', {}));
    const out = redirectParts(await browser.open(good.pathname + good.search));
    assert.deepEqual(statusOf(out.query), ['urn:oasis:names:tc:SAML:2.0:status:Success']);
    assert.equal((await startRedirect(browser, sp)).name, 'login.do', 'the matching request ended it');
  });

  test('an application with a certificate must sign its LogoutRequest on both bindings, even when its AuthnRequests need no signature', async () => {
    const keys = await spKeys();
    const app = await samlApp(server, { manual: { requestValidation: { enableSignatureValidation: false, certificate: keys.certificatePem } } });
    const unsigned = serviceProvider(server, app, idp);
    const signed = serviceProvider(server, app, idp, { privateKey: keys.privateKeyPem });
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const profile = await samlLogin(browser, unsigned, user);

    const byRedirect = new URL(await unsigned.getLogoutUrlAsync(profile, '', {}));
    const refused = await browser.open(byRedirect.pathname + byRedirect.search);
    assert.equal(refused.status, 400);
    assert.match(errorMessage(refused), /not signed/);
    const xml = await unsigned._generateLogoutRequest(profile);
    const post = (message: string) =>
      browser.client.post('/samlsso', { form: { SAMLRequest: Buffer.from(message).toString('base64') }, headers: { accept: 'text/html' } }).then((r) => browser.follow(r, '/samlsso'));
    const refusedPost = await post(xml);
    assert.equal(refusedPost.status, 400);
    assert.match(errorMessage(refusedPost), /not signed/);
    const otherKeys = await spKeys();
    const wrongKey = await post(signMessage(xml, 'LogoutRequest', otherKeys));
    assert.equal(wrongKey.status, 400, 'signed with a key that is not the registered one');
    assert.ok(postedForm(await startRedirect(browser, unsigned)), 'the session survived every refused request');

    const accepted = await post(signMessage(xml, 'LogoutRequest', keys));
    const form = postedForm(accepted);
    assert.ok(form, accepted.html);
    assert.match(responseXml(form), /status:Success"\/>/);
    assert.equal((await startRedirect(browser, unsigned)).name, 'login.do', 'the signed request ended the session');
    // And by Redirect with the query signature, in a new session.
    const again = await samlLogin(browser, unsigned, user);
    const signedUrl = new URL(await signed.getLogoutUrlAsync(again, '', {}));
    const out = redirectParts(await browser.open(signedUrl.pathname + signedUrl.search));
    assert.equal((await signed.validateRedirectAsync(out.query, out.raw)).loggedOut, true);
    assert.equal((await startRedirect(browser, unsigned)).name, 'login.do');
  });
});

describe('SAML Single Logout with the default configuration', () => {
  let server: TestServer;
  let idp: IdpInfo;
  let listener: Awaited<ReturnType<typeof backChannelListener>>;
  let port: number;

  before(async () => {
    server = await startTestServer();
    idp = await idpMetadata(server);
    listener = await backChannelListener();
    port = Number(new URL(listener.url).port);
  });
  after(async () => {
    await server?.close();
    await listener?.close();
  });

  test('a back-channel logout URL on loopback is not contacted (by name or by address), and the user is still logged out', async () => {
    assert.equal(server.services.config.saml.allow_private_logout_targets, false);
    const a = await samlApp(server);
    const byName = await samlApp(server, { manual: { singleLogoutProfile: { enabled: true, logoutRequestUrl: `http://localhost:${port}/slo`, logoutMethod: 'BACKCHANNEL' } } });
    const byAddress = await samlApp(server, { manual: { singleLogoutProfile: { enabled: true, logoutRequestUrl: `http://[::ffff:127.0.0.1]:${port}/slo`, logoutMethod: 'BACKCHANNEL' } } });
    const [spA, spName, spAddress] = [a, byName, byAddress].map((app) => serviceProvider(server, app, idp)) as [SAML, SAML, SAML];
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    let page = await startRedirect(browser, spA);
    const form = postedForm(await browser.login(page, user.username, user.password));
    assert.ok(form);
    const { profile } = await spA.validatePostResponseAsync(form.fields);
    for (const sp of [spName, spAddress]) {
      page = await startRedirect(browser, sp);
      assert.ok(postedForm(page), 'SSO into the back-channel participants');
    }
    const url = new URL(await spA.getLogoutUrlAsync(profile!, '', {}));
    const out = redirectParts(await browser.open(url.pathname + url.search));
    assert.equal(out.target, a.slo);
    assert.match(inflated(out.query.SAMLResponse!), /status:Success"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"/, 'the initiator hears that not everyone was told');
    assert.equal(listener.received.length, 0, 'the loopback listener saw no request');
    assert.equal(browser.client.cookies.has(SSO_COOKIE), false);
    assert.equal((await startRedirect(browser, spA)).name, 'login.do', 'the SSO session is over');
  });
});
