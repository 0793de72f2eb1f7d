// SP-initiated Single Logout with node-saml as the SPs: by Redirect and POST the SSO session ends (the next
// AuthnRequest shows the login page) and the LogoutResponse validates; other participants are told by a
// front-channel chain (redirect) or a back-channel POST; a logout for an unknown session answers Success.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { ValidateInResponseTo, type Profile, type SAML } from '@node-saml/node-saml';
import { SSO_COOKIE } from '../../src/http/login-cookies.ts';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { errorMessage, idpMetadata, postedForm, responseXml, samlApp, serviceProvider, spKeys, startRedirect, type IdpInfo, type SamlApp } from './support.ts';

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
  let backChannel: Server;
  let backChannelUrl: string;
  const received: string[] = [];

  before(async () => {
    server = await startTestServer();
    idp = await idpMetadata(server);
    backChannel = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('SAMLRequest') ?? '');
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => backChannel.listen(0, '127.0.0.1', resolve));
    backChannelUrl = `http://127.0.0.1:${(backChannel.address() as AddressInfo).port}/slo`;
  });
  after(async () => {
    await server?.close();
    await new Promise((resolve) => backChannel?.close(resolve));
  });

  async function login(browser: LoginBrowser, sp: SAML, credentials?: { username: string; password: string }): Promise<Profile> {
    let page = await startRedirect(browser, sp);
    if (credentials) page = await browser.login(page, credentials.username, credentials.password);
    const form = postedForm(page);
    assert.ok(form, `a Response (got ${page.name})`);
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.ok(profile);
    return profile;
  }

  test('by Redirect: the session ends, the cookie is cleared and the LogoutResponse validates', async () => {
    const app = await samlApp(server);
    const sp = serviceProvider(server, app, idp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const profile = await login(browser, sp, user);
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
    const profile = await login(browser, sp, user);
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
    const c = await samlApp(server, { manual: { singleLogoutProfile: { enabled: true, logoutRequestUrl: backChannelUrl, logoutMethod: 'BACKCHANNEL' } } });
    const [spA, spB, spC] = [a, b, c].map((app) => serviceProvider(server, app, idp)) as [SAML, SAML, SAML];
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const pa = await login(browser, spA, user);
    const pb = await login(browser, spB);
    const pc = await login(browser, spC);
    const before = received.length;
    const url = new URL(await spA.getLogoutUrlAsync(pa, 'from-a', {}));
    const toB = redirectParts(await browser.open(url.pathname + url.search));
    assert.equal(received.length, before + 1, 'the back-channel participant got a LogoutRequest');
    const atC = await spC.validatePostRequestAsync({ SAMLRequest: received.at(-1)! });
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
    const pa = await login(browser, spA, user);
    await login(browser, spB);
    await login(browser, spC);
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
    const pb = await login(browser, spB, user);
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
    const profile = await login(browser, signed, user);
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
    const p = await login(browser, sp, user);
    const page = await browser.open(new URL(await sp.getLogoutUrlAsync(p, '', {})).pathname + new URL(await sp.getLogoutUrlAsync(p, '', {})).search);
    assert.equal(page.status, 400);
    assert.match(errorMessage(page), /Single logout is not enabled/);

    const stray = await browser.open(`/samlsso?SAMLResponse=${encodeURIComponent(Buffer.from('<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>x</saml:Issuer></samlp:LogoutResponse>').toString('base64'))}`);
    assert.equal(stray.status, 400);
    assert.match(errorMessage(stray), /does not belong to a logout in progress/);
  });
});
