// Web Browser SSO end to end: an independent SP (@node-saml/node-saml, configured from our metadata) sends
// AuthnRequests by both bindings, the test logs in through our pages like a browser without JavaScript, and
// the SP accepts the posted Response; it rejects the Response after any one-byte change in the signed
// Assertion and after signature-wrapping rewrites.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValidateInResponseTo } from '@node-saml/node-saml';
import { createUser } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  CLAIM_EMAIL,
  CLAIM_GIVEN,
  EMAIL,
  idpMetadata,
  PERSISTENT,
  postedForm,
  responseXml,
  samlApp,
  serviceProvider,
  startPost,
  startRedirect,
  type IdpInfo,
  type PostedForm,
} from './support.ts';

const PASSWORD_CLASS = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const TOTP_CLASS = 'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken';

function classRef(form: PostedForm): string | undefined {
  return /<saml:AuthnContextClassRef>([^<]+)</.exec(responseXml(form))?.[1];
}

function reencode(xml: string): Record<string, string> {
  return { SAMLResponse: Buffer.from(xml, 'utf8').toString('base64') };
}

describe('SAML Web SSO', () => {
  let server: TestServer;
  let idp: IdpInfo;

  before(async () => {
    server = await startTestServer();
    idp = await idpMetadata(server);
  });
  after(async () => server?.close());

  test('Redirect binding: the SP accepts the Response (issuer, NameID, attributes, password context, RelayState)', async () => {
    const app = await samlApp(server);
    const sp = serviceProvider(server, app, idp);
    const { username, password } = await createUser(server, { email: 'ann@example.com', givenName: 'Ann' });
    const browser = new LoginBrowser(server.client());
    const login = await startRedirect(browser, sp, 'state-1');
    assert.equal(login.name, 'login.do');
    const form = postedForm(await browser.login(login, username, password));
    assert.ok(form, 'an auto-posting form');
    assert.equal(form.action, app.acs);
    assert.equal(form.fields.RelayState, 'state-1', 'RelayState comes back unchanged');
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.ok(profile);
    assert.equal(profile.issuer, idp.entityId);
    assert.equal(profile.nameID, username);
    assert.equal(profile[CLAIM_EMAIL], 'ann@example.com');
    assert.equal(profile[CLAIM_GIVEN], 'Ann');
    assert.equal(classRef(form), PASSWORD_CLASS);
    assert.ok(profile.sessionIndex);
  });

  test('the page posts without JavaScript and allows posting only to the ACS origin', async () => {
    const app = await samlApp(server);
    const sp = serviceProvider(server, app, idp);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const login = await startRedirect(browser, sp);
    const res = await browser.client.post('/commonauth', { form: { sessionDataKey: /name="sessionDataKey" value="([^"]+)"/.exec(login.html)![1]!, username, password }, headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.text, /<button type="submit">Continue<\/button>/);
    assert.match(res.text, /<script src="\/assets\/saml-post\.js" defer><\/script>/);
    assert.doesNotMatch(res.text, /<script>/, 'no inline script');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /form-action http:\/\/localhost:8080(;|$)/);
    assert.match(csp, /script-src 'self'/);
    const asset = await server.client().get('/assets/saml-post.js');
    assert.equal(asset.status, 200);
    assert.match(asset.text, /submit\(\)/);
  });

  test('POST binding with a password+TOTP application: TimeSyncToken, Response and Assertion signed', async () => {
    const app = await samlApp(server, { steps: [['BasicAuthenticator'], ['totp']] });
    const sp = serviceProvider(server, app, idp, { wantAuthnResponseSigned: true });
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const enrol = await browser.login(await startPost(browser, sp, 'post-state'), username, password);
    assert.equal(enrol.name, 'totp_enroll.do');
    const totp = totpFromQr(enrol);
    await awayFromStepEdge(30);
    const done = await browser.submit(await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']), { token: codeAt(totp) });
    const form = postedForm(done);
    assert.ok(form, done.html);
    assert.equal(form.fields.RelayState, 'post-state');
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, username);
    assert.equal(classRef(form), TOTP_CLASS);
    assert.equal((responseXml(form).match(/<ds:Signature /g) ?? []).length, 2, 'Response and Assertion each signed');
  });

  test('the SP rejects the Response after any one-byte change inside the signed Assertion', async () => {
    // Response signing off, so the Assertion's own signature is the only protection being tested.
    const app = await samlApp(server, { manual: { responseSigning: { enabled: false } } });
    const sp = serviceProvider(server, app, idp, { wantAuthnResponseSigned: false, validateInResponseTo: ValidateInResponseTo.never });
    const { username, password } = await createUser(server, { email: 'tamper@example.com', givenName: 'Tam' });
    const browser = new LoginBrowser(server.client());
    const form = postedForm(await browser.login(await startRedirect(browser, sp), username, password))!;
    const xml = responseXml(form);
    const start = xml.indexOf('<saml:Assertion');
    const end = xml.indexOf('</saml:Assertion>');
    const sigStart = xml.indexOf('<ds:Signature', start);
    const sigEnd = xml.indexOf('</ds:Signature>', start) + '</ds:Signature>'.length;
    // Bytes of element text and attribute values across the Assertion (outside its Signature).
    const targets = [`>${username}<`, 'tamper@example.com', '>Tam<', 'Recipient="', 'NotOnOrAfter="', 'SessionIndex="', `>${app.issuer}<`, 'PasswordProtectedTransport', `>${idp.entityId}<`];
    const positions: number[] = [];
    for (const t of targets) {
      const at = xml.indexOf(t, start);
      assert.ok(at > start && at < end && (at < sigStart || at > sigEnd), `found ${t} in the assertion`);
      // The first byte of the value: after `>` of element text, after `="` of an attribute, else the match.
      positions.push(t.startsWith('>') ? at + 1 : t.endsWith('="') ? at + t.length : at);
    }
    for (const pos of positions) {
      const c = xml[pos]!;
      const swapped = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c === 'a' ? 'b' : 'a';
      const tampered = xml.slice(0, pos) + swapped + xml.slice(pos + 1);
      assert.notEqual(tampered, xml);
      await assert.rejects(sp.validatePostResponseAsync(reencode(tampered)), /signature/i, `a change at ${pos} (${xml.slice(pos - 10, pos + 10)}) is rejected`);
    }
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, username, 'the untouched Response still validates');
  });

  test('the SP rejects signature-wrapping rewrites of the Response', async () => {
    const app = await samlApp(server, { manual: { responseSigning: { enabled: false } } });
    const sp = serviceProvider(server, app, idp, { wantAuthnResponseSigned: false, validateInResponseTo: ValidateInResponseTo.never });
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const xml = responseXml(postedForm(await browser.login(await startRedirect(browser, sp), username, password))!);
    const signed = xml.slice(xml.indexOf('<saml:Assertion'), xml.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length);
    const unsigned = signed.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '').replace(`>${username}<`, '>admin<');
    const forgedNewId = unsigned.replace(/ID="_[0-9a-f]+"/, 'ID="_evil"');
    const rewrites = {
      'a second, unsigned assertion before the signed one': xml.replace(signed, forgedNewId + signed),
      'a second, unsigned assertion after the signed one': xml.replace(signed, signed + forgedNewId),
      'the signed assertion moved into Extensions, a forged one in its place': xml.replace(signed, `<samlp:Extensions>${signed}</samlp:Extensions>${unsigned}`),
      'the signed assertion moved inside the forged one': xml.replace(signed, unsigned.replace('</saml:Assertion>', `${signed}</saml:Assertion>`)),
      'the forged assertion carries the signed one\'s signature': xml.replace(signed, signed.replace(`>${username}<`, '>admin<')),
    };
    for (const [name, rewritten] of Object.entries(rewrites)) {
      assert.notEqual(rewritten, xml, name);
      await assert.rejects(sp.validatePostResponseAsync(reencode(rewritten)), Error, name);
    }
  });

  test('SSO between two SAML applications: the second needs no password; ForceAuthn asks again', async () => {
    const [a, b] = [await samlApp(server), await samlApp(server)];
    const [spA, spB] = [serviceProvider(server, a, idp), serviceProvider(server, b, idp)];
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    await spA.validatePostResponseAsync(postedForm(await browser.login(await startRedirect(browser, spA), username, password))!.fields);
    const second = await startRedirect(browser, spB);
    const form = postedForm(second);
    assert.ok(form, `no login page for the second application (got ${second.name})`);
    assert.equal((await spB.validatePostResponseAsync(form.fields)).profile?.nameID, username);
    const forced = serviceProvider(server, b, idp, { forceAuthn: true });
    const again = await startRedirect(browser, forced);
    assert.equal(again.name, 'login.do', 'ForceAuthn shows the login page despite the SSO session');
    assert.equal((await forced.validatePostResponseAsync(postedForm(await browser.login(again, username, password))!.fields)).profile?.nameID, username);
  });

  test('IsPassive without a session answers NoPassive; with a session it logs in silently', async () => {
    const app = await samlApp(server);
    const passive = serviceProvider(server, app, idp, { passive: true });
    const browser = new LoginBrowser(server.client());
    const page = await startRedirect(browser, passive);
    const form = postedForm(page);
    assert.ok(form, 'a SAML answer, no login page');
    assert.match(responseXml(form), /status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:NoPassive"/);
    const result = await passive.validatePostResponseAsync(form.fields);
    assert.equal(result.profile, null, 'node-saml reads a signed NoPassive as "not logged in"');
    const { username, password } = await createUser(server);
    const normal = serviceProvider(server, app, idp);
    await browser.login(await startRedirect(browser, normal), username, password);
    assert.equal((await passive.validatePostResponseAsync(postedForm(await startRedirect(browser, passive))!.fields)).profile?.nameID, username);
  });

  test('NameIDPolicy: emailAddress and persistent are honoured, an unsupported format is InvalidNameIDPolicy', async () => {
    const app = await samlApp(server);
    const { username, password } = await createUser(server, { email: 'pat@example.com' });
    const browser = new LoginBrowser(server.client());
    const email = serviceProvider(server, app, idp, { identifierFormat: EMAIL });
    const first = await email.validatePostResponseAsync(postedForm(await browser.login(await startRedirect(browser, email), username, password))!.fields);
    assert.equal(first.profile?.nameID, 'pat@example.com');
    const persistent = serviceProvider(server, app, idp, { identifierFormat: PERSISTENT });
    const p1 = (await persistent.validatePostResponseAsync(postedForm(await startRedirect(browser, persistent))!.fields)).profile!;
    assert.equal(p1.nameIDFormat, PERSISTENT);
    assert.match(p1.nameID, /^[A-Za-z0-9_-]{43}$/, 'opaque');
    assert.ok(!p1.nameID.includes(username));
    const p2 = (await persistent.validatePostResponseAsync(postedForm(await startRedirect(browser, persistent))!.fields)).profile!;
    assert.equal(p2.nameID, p1.nameID, 'stable for the same user and application');
    const other = await samlApp(server);
    const otherSp = serviceProvider(server, other, idp, { identifierFormat: PERSISTENT });
    const p3 = (await otherSp.validatePostResponseAsync(postedForm(await startRedirect(browser, otherSp))!.fields)).profile!;
    assert.notEqual(p3.nameID, p1.nameID, 'another application sees another pseudonym');
    const unsupported = serviceProvider(server, app, idp, { identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' });
    const form = postedForm(await startRedirect(new LoginBrowser(server.client()), unsupported));
    assert.ok(form);
    assert.match(responseXml(form), /status:Requester"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy"/);
    await assert.rejects(unsupported.validatePostResponseAsync(form.fields), /Requester/);
  });

  test('Cancel on the TOTP page, then "Return to application", posts AuthnFailed to the ACS', async () => {
    const app = await samlApp(server, { steps: [['BasicAuthenticator'], ['totp']] });
    const sp = serviceProvider(server, app, idp);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const enrol = await browser.login(await startRedirect(browser, sp, 'keep-me'), username, password);
    assert.equal(enrol.name, 'totp_enroll.do');
    const error = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'false']);
    assert.equal(error.name, 'totp_error.do');
    const form = postedForm(await browser.submit(error, {}, ['abort', 'true']));
    assert.ok(form, 'an answer to the application');
    assert.equal(form.action, app.acs);
    assert.equal(form.fields.RelayState, 'keep-me');
    assert.match(responseXml(form), /status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/);
    await assert.rejects(sp.validatePostResponseAsync(form.fields), /Responder/);
  });

  test('IdP-initiated SSO posts an unsolicited Response to the default ACS, only for applications that allow it', async () => {
    const app = await samlApp(server, { manual: { idpInitiatedSingleSignOn: { enabled: true } } });
    const sp = serviceProvider(server, app, idp, { validateInResponseTo: ValidateInResponseTo.never });
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const login = await browser.open(`/samlsso?spEntityID=${encodeURIComponent(app.issuer)}&RelayState=deep-link`);
    assert.equal(login.name, 'login.do');
    const form = postedForm(await browser.login(login, username, password))!;
    assert.equal(form.action, app.acs);
    assert.equal(form.fields.RelayState, 'deep-link');
    assert.doesNotMatch(responseXml(form), /InResponseTo/);
    assert.equal((await sp.validatePostResponseAsync(form.fields)).profile?.nameID, username);
    const other = await browser.open(`/samlsso?spEntityID=${encodeURIComponent(app.issuer)}&acs=${encodeURIComponent(`${app.acs}2`)}`);
    assert.equal(postedForm(other)?.action, `${app.acs}2`, 'a registered acs parameter is used (SSO session, no login)');
    const evil = await browser.open(`/samlsso?spEntityID=${encodeURIComponent(app.issuer)}&acs=${encodeURIComponent('https://evil.example/acs')}`);
    assert.equal(evil.status, 400);
    assert.equal(postedForm(evil), undefined);
    const closed = await samlApp(server);
    const refused = await browser.open(`/samlsso?spEntityID=${encodeURIComponent(closed.issuer)}`);
    assert.equal(refused.status, 403);
    assert.equal(postedForm(refused), undefined);
  });
});
