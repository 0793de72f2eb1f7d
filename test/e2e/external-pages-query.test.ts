// Login pages on another host, over HTTP: what the redirects to them carry (WSO2's query, page-contract.md
// section 2), what WSO2's "Get a Verification Code" request gets back (section 4), and the nonce cookie
// (section 5). Here only the TOTP pages are elsewhere (the tenant's own TOTP page URLs), so the login starts on
// our login.do with a Lax nonce, which becomes SameSite=None when the login leaves for the other site.
// No secret is in any URL: allow_secret_in_enrolment_url is off.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser, setMyAccountSteps, setTotpParams } from '../support/fixtures.ts';
import { enrolledUser, type EnrolledUser } from '../support/enrolment.ts';
import type { Response, TestClient } from '../support/http-client.ts';
import { awayFromStepEdge, codeAt } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';

const SITE = 'http://127.0.0.1:9'; // never contacted: the client stops at the redirect to it

const setCookies = (r: Response): string[] => [r.headers['set-cookie'] ?? []].flat();
const nonceCookieOf = (r: Response, key: string): string | undefined => setCookies(r).find((c) => c.startsWith(`sessionNonceCookie-${key}=`));

describe('login pages on another host: query, sendToken reply, nonce cookie', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let enrolled: EnrolledUser;

  before(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({
      toml: `[output_adapter.email]\nhostname = "127.0.0.1"\nport = ${smtp.port}\nfrom_address = "noreply@portcullis.test"\nenable_start_tls = false\nenable_authentication = false\n`,
    });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    enrolled = await enrolledUser(server, { email: `ext-${Date.now()}@example.org` });
    await setTotpParams(server, {
      TOTPAuthenticationEndpointURL: `${SITE}/authenticationendpoint/totp.do`,
      TOTPAuthenticationEndpointEnableTOTPPage: `${SITE}/authenticationendpoint/enableTOTP.do`,
      AllowSendingVerificationCodeByEmail: true,
    });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  /** Password on our login.do; returns the client, the redirect to the other site and the login page's nonce Set-Cookie. */
  async function toExternalStep(username: string, password: string): Promise<{ client: TestClient; key: string; location: URL; loginNonce: string; stepNonce: string }> {
    const client = server.client();
    // Follow the start to our login.do, keeping the Set-Cookie that carried the nonce.
    let path = '/myaccount';
    let startKey = '';
    let loginNonce = '';
    for (let i = 0; i < 5 && !startKey; i++) {
      const hop = await client.get(path);
      const next = new URL(hop.location!, server.url);
      loginNonce = setCookies(hop).find((c) => c.startsWith('sessionNonceCookie-')) ?? loginNonce;
      if (next.pathname === '/authenticationendpoint/login.do') startKey = next.searchParams.get('sessionDataKey')!;
      path = next.pathname + next.search;
    }
    assert.ok(startKey && loginNonce.startsWith(`sessionNonceCookie-${startKey}=`), 'the login started on our login.do with a nonce');
    const r = await client.post('/commonauth', { form: { sessionDataKey: startKey, username, password } });
    assert.equal(r.status, 303);
    return { client, key: startKey, location: new URL(r.location!), loginNonce, stepNonce: nonceCookieOf(r, startKey) ?? '' };
  }

  test("the code page gets WSO2's query in WSO2's order, and the nonce turns SameSite=None for it", async () => {
    const { key, location, loginNonce, stepNonce } = await toExternalStep(enrolled.username, enrolled.password);
    assert.equal(location.origin + location.pathname, `${SITE}/authenticationendpoint/totp.do`);
    assert.deepEqual([...location.searchParams.keys()], ['t', 'sessionDataKey', 'authenticators', 'type', 'username', 'sp']);
    assert.equal(location.searchParams.get('t'), 'carbon.super');
    assert.equal(location.searchParams.get('sessionDataKey'), key);
    assert.equal(location.searchParams.get('authenticators'), 'totp');
    assert.equal(location.searchParams.get('type'), 'totp');
    assert.equal(location.searchParams.get('username'), `${enrolled.username}@carbon.super`);
    assert.equal(location.searchParams.get('sp'), 'My Account');
    // Our own login page: Lax. Leaving for the other site: the same nonce again, SameSite=None; Secure; HttpOnly.
    assert.match(loginNonce, /SameSite=Lax/i);
    assert.ok(stepNonce, 'the nonce is set again for the other site');
    assert.equal(stepNonce.split(';')[0], loginNonce.split(';')[0], 'same value');
    assert.match(stepNonce, /SameSite=None/i);
    assert.match(stepNonce, /; Secure/i);
    assert.match(stepNonce, /; HttpOnly/i);
  });

  test('a wrong code comes back with authFailure; a multiOptionURI the page posts is echoed; a right code finishes', async () => {
    const { client, key } = await toExternalStep(enrolled.username, enrolled.password);
    const multi = '/authenticationendpoint/login.do?sessionDataKey=x&type=multi';
    const wrong = await client.post('/commonauth', { form: { sessionDataKey: key, token: '000000' === codeAt(enrolled.totp) ? '111111' : '000000', multiOptionURI: multi }, headers: { origin: SITE } });
    const back = new URL(wrong.location!);
    assert.deepEqual([...back.searchParams.keys()], ['t', 'sessionDataKey', 'authenticators', 'type', 'authFailure', 'authFailureMsg', 'username', 'sp', 'multiOptionURI']);
    assert.equal(back.searchParams.get('authFailure'), 'true');
    assert.equal(back.searchParams.get('authFailureMsg'), 'login.fail.message');
    assert.equal(back.searchParams.get('multiOptionURI'), multi);
    await server.services.security.update(enrolled.user, { lastTotpStep: null });
    await awayFromStepEdge(30);
    const done = await client.post('/commonauth', { form: { sessionDataKey: key, token: codeAt(enrolled.totp) }, headers: { origin: SITE } });
    assert.equal(new URL(done.location!, server.url).pathname, '/myaccount');
  });

  test("WSO2's sendToken request: 200 with an empty body when sent, readable by the page's origin; refused sends are not", async () => {
    await server.services.security.update(enrolled.user, { lastTotpStep: null });
    const { client, key } = await toExternalStep(enrolled.username, enrolled.password);
    const count = smtp.messages.length;
    const sent = await client.get(`/commonauth?&sessionDataKey=${key}&sendToken=true`, { headers: { origin: SITE, 'x-requested-with': 'XMLHttpRequest' } });
    assert.equal(sent.status, 200);
    assert.equal(sent.text, '');
    assert.equal(sent.headers['content-length'], '0');
    assert.equal(sent.location, undefined);
    assert.equal(sent.headers['content-type'], undefined);
    assert.equal(sent.headers['access-control-allow-origin'], SITE);
    assert.equal(sent.headers['access-control-allow-credentials'], 'true');
    assert.equal(smtp.messages.length, count + 1);
    // Another origin may send it (the cookie decides), but may not read the answer.
    const other = await client.get(`/commonauth?&sessionDataKey=${key}&sendToken=true`, { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    // That second send came too soon: refused, so not the empty 200 the script reads as "sent".
    assert.notEqual(other.status, 200);
    assert.equal(smtp.messages.length, count + 1);
    const refusal = new URL(other.location!);
    assert.equal(refusal.searchParams.get('authFailure'), 'true');
    assert.equal(refusal.pathname, '/authenticationendpoint/totp.do');
    // The login is still on the TOTP step: the mailed code finishes it.
    const code = /\b(\d{6})\b/.exec(smtp.messages.at(-1)!.parsed.text ?? '')![1]!;
    const done = await client.post('/commonauth', { form: { sessionDataKey: key, token: code }, headers: { origin: SITE } });
    assert.equal(new URL(done.location!, server.url).pathname, '/myaccount');
  });

  test('without the nonce cookie a post from the other site does not continue the login', async () => {
    const { client, key } = await toExternalStep(enrolled.username, enrolled.password);
    client.cookies.delete(`sessionNonceCookie-${key}`);
    await awayFromStepEdge(30);
    const r = await client.post('/commonauth', { form: { sessionDataKey: key, token: codeAt(enrolled.totp) }, headers: { origin: SITE } });
    assert.notEqual(r.status, 303);
    assert.equal(r.location, undefined);
  });

  test('the enrolment page gets sessionDataKey, t, sp and username, but no secret unless the deployment allows it', async () => {
    const created = await createUser(server);
    const { location } = await toExternalStep(created.username, created.password);
    assert.equal(location.pathname, '/authenticationendpoint/enableTOTP.do');
    assert.equal(location.searchParams.get('type'), 'totp');
    assert.equal(location.searchParams.get('username'), `${created.username}@carbon.super`);
    assert.ok(location.searchParams.get('sessionDataKey'));
    assert.equal(location.searchParams.get('ske'), null);
    assert.doesNotMatch(location.toString(), /otpauth|secret/i);
  });
});
