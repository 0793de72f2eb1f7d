// Upstream SAML 2.0: Responses an upstream could send, signed with a test key registered at home.test as the
// IdP's certificate (xml-crypto, as an IdP signs). A correct one is accepted (so the harness is right); each
// fault is refused with a page, for the reason the server logs: wrong audience or issuer, unsigned, signed by
// another key, a signed Response where the Assertion itself must be signed, SHA-1, an encrypted assertion, an
// error status, a DTD, and an Assertion ID used again in a fresh, correctly bound Response. Also the
// AuthnRequest itself: signed over the Redirect query (bindings 3.4.4.1) with home.test's SAML key.
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createSelfSigned, type CertificatePair } from '../../src/crypto/certificates.ts';
import { claimOf, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { alertText, LoginBrowser, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { completedApp, startLogin, TestFront } from '../support/test-front.ts';
import { adminCall, BOSS, HOME, IDP_BASE } from './support.ts';
import { acsOf, b64, forgeResponse, OffsetClock, samlIdpBody, sentRequest, startSamlFederationServer, type ForgedResponse, type SamlIdpOptions } from './saml-support.ts';

const ISSUER = 'https://idp.forged.test/entity';
const SSO_URL = 'https://idp.forged.test/sso';

describe('upstream SAML 2.0: Responses signed with a registered test key', () => {
  let server: TestServer;
  let front: TestFront;
  let key: CertificatePair;
  let other: CertificatePair;
  const logs: string[] = [];
  const clock = new OffsetClock();
  const spEntityId = `home-${uniqueSuffix()}`;

  before(async () => {
    server = await startSamlFederationServer(clock, logs);
    front = TestFront.install(server);
    [key, other] = await Promise.all([createSelfSigned({ commonName: 'upstream IdP' }), createSelfSigned({ commonName: 'someone else' })]);
  });
  after(async () => server?.close());

  async function appFor(options: Partial<SamlIdpOptions> = {}): Promise<Application> {
    const name = `Forged-${uniqueSuffix()}`;
    const body = samlIdpBody({ name, idpEntityId: ISSUER, spEntityId, ssoUrl: SSO_URL, certificates: [key.certificatePem], jit: 'on', ...options });
    const res = await adminCall(server, 'POST', `/t/${HOME}${IDP_BASE}`, body, BOSS);
    assert.equal(res.status, 201, res.text);
    return server.services.applicationService.create(await tenantOf(server, HOME), { name: `app-${uniqueSuffix()}`, authenticationSequence: sequenceOf([[`SAMLSSOAuthenticator:${name}`]]) });
  }

  /** Starts a login at home.test; the browser stops at the redirect to the (unreachable) upstream. */
  async function started(app: Application) {
    const browser = new LoginBrowser(server.client());
    const page = await startLogin(server, browser, app, { tenant: HOME });
    assert.equal(page.name, 'external', page.url);
    return { browser, sent: sentRequest(page.url) };
  }

  function forged(sent: { id: string }, changes: Partial<ForgedResponse> = {}): string {
    return forgeResponse({ key, issuer: ISSUER, audience: spEntityId, acs: acsOf(server), inResponseTo: sent.id, nameId: `fed-${uniqueSuffix()}`, now: clock.now(), ...changes });
  }

  async function post(browser: LoginBrowser, relayState: string, xml: string): Promise<Page> {
    logs.length = 0;
    const path = `/t/${HOME}/commonauth`;
    return browser.follow(await browser.client.post(path, { form: { SAMLResponse: b64(xml), RelayState: relayState }, headers: { accept: 'text/html' } }), path);
  }

  async function refused(app: Application, xmlOf: (sent: { id: string }) => string, detail: RegExp, text = /could not be verified/): Promise<void> {
    const { browser, sent } = await started(app);
    const page = await post(browser, sent.relayState, xmlOf(sent));
    assert.equal(page.name, 'error.do', `${page.name} ${page.url}`);
    assert.match(alertText(page), text);
    assert.notEqual(completedApp(page), app.name);
    const why = logs.filter((l) => l.includes('upstream SAML Response')).at(-1) ?? '';
    assert.match(why, detail, `logged reason: ${why}`);
  }

  test('the AuthnRequest: signed over the Redirect query with home.test\'s SAML key; Issuer, ACS, Destination, NameIDPolicy', async () => {
    const app = await appFor();
    const { sent } = await started(app);
    assert.equal(sent.url.origin + sent.url.pathname, SSO_URL);
    assert.match(sent.xml, new RegExp(`<saml:Issuer>${spEntityId}</saml:Issuer>`));
    assert.match(sent.xml, new RegExp(`AssertionConsumerServiceURL="${acsOf(server)}"`));
    assert.match(sent.xml, new RegExp(`Destination="${SSO_URL}"`));
    assert.match(sent.xml, /<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1\.1:nameid-format:unspecified"/);
    assert.ok(sent.relayState.length <= 80 && sent.relayState.includes('.'), sent.relayState);
    const raw = sent.url.search.slice(1).split('&');
    const signed = raw.filter((p) => !p.startsWith('Signature=')).join('&');
    assert.match(signed, /^SAMLRequest=[^&]+&RelayState=[^&]+&SigAlg=http%3A%2F%2Fwww\.w3\.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256$/);
    const homeCert = (await server.services.keys.keys(await tenantOf(server, HOME), 'saml')).active.certificatePem;
    const signature = Buffer.from(sent.url.searchParams.get('Signature')!, 'base64');
    assert.equal(verify('sha256', Buffer.from(signed), homeCert, signature), true, 'bindings 3.4.4.1 signature verifies with home.test\'s certificate');
  });

  test('chosen from the chooser, the login\'s nonce cookie becomes SameSite=None (the Response is a cross-site POST) and the login completes', async () => {
    const name = `Chooser-${uniqueSuffix()}`;
    const res0 = await adminCall(server, 'POST', `/t/${HOME}${IDP_BASE}`, samlIdpBody({ name, idpEntityId: ISSUER, spEntityId, ssoUrl: SSO_URL, certificates: [key.certificatePem], jit: 'on' }), BOSS);
    assert.equal(res0.status, 201, res0.text);
    const app = await server.services.applicationService.create(await tenantOf(server, HOME), { name: `app-${uniqueSuffix()}`, authenticationSequence: sequenceOf([['basic', `SAMLSSOAuthenticator:${name}`]]) });
    const browser = new LoginBrowser(server.client());
    const chooser = await startLogin(server, browser, app, { tenant: HOME });
    const contextId = /name="sessionDataKey" value="([^"]+)"/.exec(chooser.html)![1]!;
    const res = await browser.client.post(`/t/${HOME}/commonauth`, { form: { sessionDataKey: contextId, authenticator: `SAMLSSOAuthenticator:${name}` } });
    assert.equal(res.status, 303);
    assert.ok(res.location!.startsWith(SSO_URL), res.location);
    const cookies = [res.headers['set-cookie'] ?? []].flat();
    const nonce = cookies.find((c) => c.startsWith(`sessionNonceCookie-${contextId}=`));
    assert.ok(nonce && /SameSite=None/i.test(nonce) && /Secure/i.test(nonce), `nonce cookie: ${cookies.join(' | ')}`);
    const sent = sentRequest(res.location!);
    const done = await post(browser, sent.relayState, forged(sent));
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)}`);
  });

  test('HTTP-POST binding: an auto-posting page (policy allows the upstream origin) with an enveloped signature by home.test\'s key', async () => {
    const app = await appFor({ requestMethod: 'post' });
    const browser = new LoginBrowser(server.client());
    const page = await startLogin(server, browser, app, { tenant: HOME });
    assert.equal(page.name, 'login.do', page.url);
    const form = /<form method="post" action="([^"]+)" id="saml-post">/.exec(page.html);
    assert.equal(form?.[1], SSO_URL);
    assert.match(page.html, /<script src="\/assets\/saml-post\.js"><\/script>/);
    const fields = Object.fromEntries([...page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
    const xml = Buffer.from(fields.SAMLRequest!, 'base64').toString('utf8');
    assert.match(xml, /^<samlp:AuthnRequest /, 'Base64 of the XML, not DEFLATEd (bindings 3.5.4)');
    const homeCert = (await server.services.keys.keys(await tenantOf(server, HOME), 'saml')).active.certificatePem;
    const check = new SignedXml({ publicCert: homeCert, getCertFromKeyInfo: () => null });
    check.loadSignature(check.findSignatures(new DOMParser().parseFromString(xml, 'text/xml'))[0]!);
    assert.equal(check.checkSignature(xml), true, "the enveloped signature verifies with home.test's certificate");
    // The page as the browser gets it: the policy lets the form post to the upstream, the nonce survives the cross-site answer.
    const raw = await browser.client.get(page.url, { headers: { accept: 'text/html' } });
    assert.match(String(raw.headers['content-security-policy']), /form-action https:\/\/idp\.forged\.test/);
    assert.ok([raw.headers['set-cookie'] ?? []].flat().some((c) => c.startsWith('sessionNonceCookie-') && /SameSite=None/i.test(c)));
    const id = /\sID="([^"]+)"/.exec(xml)![1]!;
    const done = await post(browser, fields.RelayState!, forged({ id }));
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)} ${logs.join('\n')}`);
  });

  test('a correct Response (signed Assertion) is accepted: provisioned under the NameID with the mapped email', async () => {
    const app = await appFor();
    const { browser, sent } = await started(app);
    const nameId = `fed-${uniqueSuffix()}`;
    const done = await post(browser, sent.relayState, forged(sent, { nameId, email: 'grace@forged.test' }));
    assert.equal(completedApp(done), app.name, `${done.name} ${alertText(done)} ${logs.join('\n')}`);
    const user = front.results.at(-1)!.user;
    assert.equal(user.username, nameId);
    assert.equal(await claimOf(server, user, CLAIMS.email), 'grace@forged.test');
  });

  test('a signed Response (Assertion unsigned) is accepted when the Assertion need not be signed, and refused when it must', async () => {
    const lenient = await appFor({ requireSignedAssertion: false });
    const { browser, sent } = await started(lenient);
    const done = await post(browser, sent.relayState, forged(sent, { signAssertion: false, signResponse: true }));
    assert.equal(completedApp(done), lenient.name, `${done.name} ${alertText(done)} ${logs.join('\n')}`);
    await refused(lenient, (s) => forged(s, { signAssertion: false, signResponse: true }).replace('forged@corp.example', 'boss@corp.example'), /does not verify/);
    await refused(await appFor(), (s) => forged(s, { signAssertion: false, signResponse: true }), /the Assertion is not signed/);
  });

  test('IsAuthnRespSigned: a signed Assertion in an unsigned Response is refused; signed both ways it is accepted', async () => {
    const strict = await appFor({ extra: [{ key: 'IsAuthnRespSigned', value: 'true' }] });
    await refused(strict, (s) => forged(s), /the Response is not signed/);
    const { browser, sent } = await started(strict);
    const done = await post(browser, sent.relayState, forged(sent, { signResponse: true }));
    assert.equal(completedApp(done), strict.name, `${done.name} ${alertText(done)} ${logs.join('\n')}`);
  });

  test('wrong audience', async () => refused(await appFor(), (s) => forged(s, { audience: 'https://someone-else.test' }), /audience/));
  test('wrong issuer', async () => refused(await appFor(), (s) => forged(s, { issuer: 'https://idp.other.test' }), /Issuer/));
  test('unsigned Response and Assertion', async () => refused(await appFor(), (s) => forged(s, { signAssertion: false }), /neither the Response nor the Assertion is signed/));
  test('signed by another key', async () => refused(await appFor(), (s) => forged(s, { key: other }), /does not verify/));
  test('a Destination that is not our ACS', async () => refused(await appFor(), (s) => forged(s).replace(/Destination="[^"]+"/, 'Destination="https://elsewhere.test/acs"'), /Destination/));

  test('SHA-1 signatures are refused', async () =>
    refused(
      await appFor(),
      (s) => {
        const xml = forged(s, { signAssertion: false });
        const sig = new SignedXml({ privateKey: key.privateKeyPem, publicCert: key.certificatePem, signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#' });
        sig.addReference({ xpath: "//*[local-name(.)='Assertion']", transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'], digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' });
        sig.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
        return sig.getSignedXml();
      },
      /algorithm/,
    ));

  test('an EncryptedAssertion is refused (not supported)', async () =>
    refused(await appFor(), (s) => forged(s).replace(/<saml:Assertion [\s\S]*<\/saml:Assertion>/, '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></saml:EncryptedAssertion>'), /EncryptedAssertion/));

  test('a DTD is refused', async () => refused(await appFor(), (s) => `<!DOCTYPE r [<!ENTITY x "y">]>${forged(s)}`, /malformed/));

  test('an error status: a page that says the upstream refused', async () =>
    refused(
      await appFor(),
      (s) =>
        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_e${uniqueSuffix()}" Version="2.0" IssueInstant="${new Date(clock.now()).toISOString()}" Destination="${acsOf(server)}" InResponseTo="${s.id}">` +
        `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode></samlp:Status></samlp:Response>`,
      /status urn:oasis:names:tc:SAML:2.0:status:Responder/,
      /did not sign you in/,
    ));

  test('an Assertion ID used again, in a fresh Response bound to a fresh login, is refused (the database remembers it)', async () => {
    const app = await appFor();
    const assertionId = `_reuse${uniqueSuffix()}`;
    const first = await started(app);
    const ok = await post(first.browser, first.sent.relayState, forged(first.sent, { assertionId }));
    assert.equal(completedApp(ok), app.name, `${ok.name} ${alertText(ok)} ${logs.join('\n')}`);
    await refused(app, (s) => forged(s, { assertionId }), /assertion replayed/);
  });

  test('an assertion not valid yet, and one past its NotOnOrAfter (the clock moved)', async () => {
    const app = await appFor();
    await refused(app, (s) => forged(s, { now: clock.now() + 10 * 60_000 }), /not valid yet/);
    const { browser, sent } = await started(app);
    const xml = forged(sent);
    clock.offset = 6 * 60_000 + 1;
    try {
      logs.length = 0;
      const page = await post(browser, sent.relayState, xml);
      assert.equal(page.name, 'error.do');
      assert.match(logs.join('\n'), /expired/);
    } finally {
      clock.offset = 0;
    }
  });
});
