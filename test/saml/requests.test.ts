// Bad and signed AuthnRequests. Until the issuer is registered and the ACS is one of its URLs, every problem
// is an error page and nothing is posted anywhere; signed requests are checked on both bindings, and
// tampered, unsigned, wrong-key, SHA-1 and signature-wrapped requests are refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { SAML } from '@node-saml/node-saml';
import type { CertificatePair } from '../../src/crypto/certificates.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { errorMessage, formFields, idpMetadata, postedForm, responseXml, samlApp, serviceProvider, spKeys, startRedirect, type IdpInfo, type SamlApp } from './support.ts';

function authnRequest(fields: { issuer: string; acs?: string; destination?: string; version?: string; instant?: string; extra?: string }): string {
  const id = `_${randomBytes(8).toString('hex')}`;
  return (
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" ` +
    `Version="${fields.version ?? '2.0'}" IssueInstant="${fields.instant ?? new Date().toISOString()}"` +
    (fields.destination ? ` Destination="${fields.destination}"` : '') +
    (fields.acs ? ` AssertionConsumerServiceURL="${fields.acs}"` : '') +
    `><saml:Issuer>${fields.issuer}</saml:Issuer>${fields.extra ?? ''}</samlp:AuthnRequest>`
  );
}

describe('AuthnRequest checks', () => {
  let server: TestServer;
  let idp: IdpInfo;
  let app: SamlApp;

  before(async () => {
    server = await startTestServer();
    idp = await idpMetadata(server);
    app = await samlApp(server);
  });
  after(async () => server?.close());

  async function post(fields: Record<string, string>): Promise<Page> {
    const browser = new LoginBrowser(server.client());
    return browser.follow(await browser.client.post('/samlsso', { form: fields, headers: { accept: 'text/html' } }), '/samlsso');
  }

  const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

  function assertErrorPage(page: Page, status: number, message: RegExp) {
    assert.equal(page.status, status, page.html);
    assert.equal(postedForm(page), undefined, 'nothing is posted anywhere');
    assert.match(page.html, /<title>/);
    assert.match(errorMessage(page) || page.html, message);
  }

  test('an unknown issuer gets an error page', async () => {
    const sp = serviceProvider(server, { ...app, issuer: 'nobody.example' }, idp);
    assertErrorPage(await startRedirect(new LoginBrowser(server.client()), sp), 400, /No application of this tenant has this SAML issuer/);
  });

  test('an unregistered ACS gets an error page, never a post to it', async () => {
    const sp = serviceProvider(server, { ...app, acs: 'https://evil.example/acs' }, idp);
    const page = await startRedirect(new LoginBrowser(server.client()), sp);
    assertErrorPage(page, 400, /assertion consumer service is not registered/);
    assert.doesNotMatch(page.html, /evil\.example/);
    const byIndex = await post({ SAMLRequest: b64(authnRequest({ issuer: app.issuer }).replace(' Version=', ' AssertionConsumerServiceIndex="7" Version=')) });
    assertErrorPage(byIndex, 400, /not registered/);
  });

  test('malformed, oversize, DOCTYPE, multi-root and deflate-bomb requests get error pages', async () => {
    assertErrorPage(await post({ SAMLRequest: 'not base64 !!!' }), 400, /not Base64/);
    assertErrorPage(await post({ SAMLRequest: b64('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"') }), 400, /not well-formed|DEFLATE/);
    const laughs = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>${authnRequest({ issuer: app.issuer, extra: '<x>&b;</x>' })}`;
    assertErrorPage(await post({ SAMLRequest: b64(laughs) }), 400, /document type declaration/);
    assertErrorPage(await post({ SAMLRequest: b64(authnRequest({ issuer: app.issuer }) + authnRequest({ issuer: app.issuer })) }), 400, /exactly one root|not well-formed/);
    assertErrorPage(await post({ SAMLRequest: b64(authnRequest({ issuer: app.issuer, extra: '<!-- x -->' })) }), 400, /Comments/);
    const big = authnRequest({ issuer: app.issuer, extra: `<samlp:Extensions>${'x'.repeat(200_000)}</samlp:Extensions>` });
    assertErrorPage(await post({ SAMLRequest: b64(big) }), 413, /too large|exceeds/);
    const bomb = deflateRawSync(Buffer.from(authnRequest({ issuer: app.issuer, extra: ' '.repeat(5_000_000) }))).toString('base64');
    const bombPage = await new LoginBrowser(server.client()).open(`/samlsso?SAMLRequest=${encodeURIComponent(bomb)}`);
    assertErrorPage(bombPage, 413, /too large|exceeds/);
    assertErrorPage(await post({ SAMLRequest: b64('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>') }), 400, /accepts AuthnRequest/);
    assertErrorPage(await new LoginBrowser(server.client()).open('/samlsso'), 400, /no SAML message/);
  });

  test('RelayState of up to 80 bytes is returned; longer is refused', async () => {
    const sp = serviceProvider(server, app, idp);
    const ok = await startRedirect(new LoginBrowser(server.client()), sp, 'r'.repeat(80));
    assert.equal(ok.name, 'login.do');
    assertErrorPage(await startRedirect(new LoginBrowser(server.client()), sp, 'r'.repeat(81)), 400, /RelayState/);
  });

  test('wrong version, a stale IssueInstant or another Destination are answered at the trusted ACS', async () => {
    const cases: [string, string, RegExp][] = [
      ['version', authnRequest({ issuer: app.issuer, version: '1.1' }), /status:VersionMismatch"/],
      ['stale', authnRequest({ issuer: app.issuer, instant: new Date(Date.now() - 3_600_000).toISOString() }), /status:Requester"/],
      ['destination', authnRequest({ issuer: app.issuer, destination: 'https://other.example/samlsso' }), /status:Requester"/],
    ];
    for (const [name, xml, status] of cases) {
      const form = postedForm(await post({ SAMLRequest: b64(xml) }));
      assert.ok(form, name);
      assert.equal(form.action, app.acs, name);
      assert.match(responseXml(form), status, name);
    }
    const right = await post({ SAMLRequest: b64(authnRequest({ issuer: app.issuer, destination: `${server.url}/samlsso` })) });
    assert.equal(right.name, 'login.do', 'our own SSO URL as Destination is fine');
  });
});

describe('signed AuthnRequests', () => {
  let server: TestServer;
  let idp: IdpInfo;
  let keys: CertificatePair;
  let app: SamlApp;

  before(async () => {
    server = await startTestServer();
    idp = await idpMetadata(server);
    keys = await spKeys();
    app = await samlApp(server, { signedRequests: keys });
  });
  after(async () => server?.close());

  const signer = (options: Partial<Parameters<typeof serviceProvider>[3]> = {}): SAML =>
    serviceProvider(server, app, idp, { privateKey: keys.privateKeyPem, publicCert: keys.certificatePem, skipRequestCompression: true, ...options });

  async function postForm(fields: Record<string, string>): Promise<Page> {
    const browser = new LoginBrowser(server.client());
    return browser.follow(await browser.client.post('/samlsso', { form: fields, headers: { accept: 'text/html' } }), '/samlsso');
  }

  async function signedPostXml(sp: SAML): Promise<{ xml: string; relayState: string | undefined }> {
    const fields = formFields(await sp.getAuthorizeFormAsync('rs'));
    return { xml: Buffer.from(fields.SAMLRequest!, 'base64').toString('utf8'), relayState: fields.RelayState };
  }

  const refused = (page: Page, why = /signature|not signed|algorithm|whole message|exactly one/i) => {
    assert.equal(page.status, 400, page.html);
    assert.equal(postedForm(page), undefined);
    assert.match(errorMessage(page), why);
  };

  test('a correctly signed request is accepted on both bindings (deflated or not)', async () => {
    assert.equal((await startRedirect(new LoginBrowser(server.client()), signer(), 'rs')).name, 'login.do');
    assert.equal((await startRedirect(new LoginBrowser(server.client()), signer({ signatureAlgorithm: 'sha512' }))).name, 'login.do');
    assert.equal((await postForm(formFields(await signer().getAuthorizeFormAsync('rs')))).name, 'login.do');
    assert.equal((await postForm(formFields(await signer({ skipRequestCompression: false }).getAuthorizeFormAsync('rs')))).name, 'login.do', 'node-saml deflates POST messages too');
  });

  test('unsigned, wrong-key, SHA-1 and tampered Redirect requests are refused', async () => {
    refused(await startRedirect(new LoginBrowser(server.client()), serviceProvider(server, app, idp)), /not signed/);
    const other = await spKeys();
    refused(await startRedirect(new LoginBrowser(server.client()), signer({ privateKey: other.privateKeyPem })), /does not verify/);
    refused(await startRedirect(new LoginBrowser(server.client()), signer({ signatureAlgorithm: 'sha1' })), /algorithm/);
    const url = new URL(await signer().getAuthorizeUrlAsync('relay', undefined, {}));
    const tampered = url.search.replace('RelayState=relay', 'RelayState=relax');
    assert.notEqual(tampered, url.search);
    refused(await new LoginBrowser(server.client()).open(`/samlsso${tampered}`), /does not verify/);
    const dropped = url.search.replace(/&Signature=[^&]+/, '');
    refused(await new LoginBrowser(server.client()).open(`/samlsso${dropped}`), /not signed/);
    assert.equal((await new LoginBrowser(server.client()).open(`/samlsso${url.search}`)).name, 'login.do', 'the untouched URL is accepted');
  });

  test('unsigned, wrong-key, SHA-1 and tampered POST requests are refused', async () => {
    const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
    refused(await postForm(formFields(await serviceProvider(server, app, idp, { skipRequestCompression: true }).getAuthorizeFormAsync(''))), /not signed/);
    const other = await spKeys();
    refused(await postForm(formFields(await signer({ privateKey: other.privateKeyPem }).getAuthorizeFormAsync(''))), /does not verify/);
    refused(await postForm(formFields(await signer({ signatureAlgorithm: 'sha1', digestAlgorithm: 'sha1' }).getAuthorizeFormAsync(''))));
    refused(await postForm(formFields(await signer({ digestAlgorithm: 'sha1' }).getAuthorizeFormAsync(''))));
    const { xml } = await signedPostXml(signer());
    const tampered = xml.replace('ForceAuthn', 'ForceAuthx').replace(`AssertionConsumerServiceURL="${app.acs}"`, `AssertionConsumerServiceURL="${app.acs}2"`);
    assert.notEqual(tampered, xml);
    refused(await postForm({ SAMLRequest: b64(tampered) }));
    assert.equal((await postForm({ SAMLRequest: b64(xml) })).name, 'login.do', 'the untouched request is accepted');
  });

  test('signature-wrapped POST requests are refused', async () => {
    const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
    const xml = (await signedPostXml(signer())).xml.replace(/^<\?xml[^>]*\?>\s*/, '');
    const open = xml.indexOf('>') + 1; // end of the root start tag
    const rootStart = xml.slice(0, open);
    const inner = xml.slice(open, xml.lastIndexOf('</samlp:AuthnRequest>'));
    const signature = /<(\w+:)?Signature[\s\S]*<\/(\w+:)?Signature>/.exec(xml)![0];
    const evilStart = rootStart.replace(/ID="[^"]+"/, 'ID="_evil"').replace(`AssertionConsumerServiceURL="${app.acs}"`, `AssertionConsumerServiceURL="${app.acs}2"`);
    const rewrites: Record<string, string> = {
      'the signed request wrapped in an unsigned one': `${evilStart}${inner.replace(signature, '')}<samlp:Extensions>${xml}</samlp:Extensions></samlp:AuthnRequest>`,
      'a changed root keeping the signature, the original copied into Extensions': `${rootStart.replace(`AssertionConsumerServiceURL="${app.acs}"`, `AssertionConsumerServiceURL="${app.acs}2"`)}${inner}<samlp:Extensions>${xml}</samlp:Extensions></samlp:AuthnRequest>`,
      'the signature moved below the root': `${rootStart}${inner.replace(signature, '')}<samlp:Extensions>${signature}</samlp:Extensions></samlp:AuthnRequest>`,
      'a second signature': `${rootStart}${inner}${signature}</samlp:AuthnRequest>`,
    };
    for (const [name, rewritten] of Object.entries(rewrites)) {
      assert.notEqual(rewritten, xml, name);
      const page = await postForm({ SAMLRequest: b64(rewritten) });
      assert.equal(page.status, 400, `${name}: ${page.html}`);
      assert.equal(postedForm(page), undefined, name);
      assert.match(errorMessage(page), /signature|signed element/i, `${name}: ${errorMessage(page)}`);
    }
  });
});
