// SAML test helpers: applications registered through the applications service, an independent SP
// (@node-saml/node-saml) configured only from our published metadata, and readers for the pages the IdP
// answers with (the auto-posting form, the error page).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOMParser } from '@xmldom/xmldom';
import { SAML, ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/node-saml';
import { SignedXml } from 'xml-crypto';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { createSelfSigned, type CertificatePair } from '../../src/crypto/certificates.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import type { LoginBrowser, Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';

export const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
export const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const CLAIM_EMAIL = 'http://wso2.org/claims/emailaddress';
export const CLAIM_GIVEN = 'http://wso2.org/claims/givenname';

export interface SamlAppOptions {
  steps?: string[][];
  tenant?: string;
  manual?: Record<string, unknown>;
  claims?: string[];
  signedRequests?: CertificatePair;
}

export interface SamlApp {
  app: Application;
  issuer: string;
  acs: string;
  slo: string;
}

/** Registers a SAML application (settings in WSO2's shape) with the given steps. */
export async function samlApp(server: TestServer, options: SamlAppOptions = {}): Promise<SamlApp> {
  const tenant = await tenantOf(server, options.tenant);
  const issuer = `sp-${uniqueSuffix()}.example`;
  const acs = `http://localhost:8080/${issuer}/acs`;
  const slo = `http://localhost:8080/${issuer}/slo`;
  const steps = options.steps ?? [['BasicAuthenticator']];
  const app = await server.services.applicationService.create(tenant, {
    name: issuer,
    claimConfiguration: { requestedClaims: (options.claims ?? [CLAIM_EMAIL, CLAIM_GIVEN]).map((uri) => ({ claim: { uri }, mandatory: false })) },
    authenticationSequence: sequenceOf(steps),
    inboundProtocolConfiguration: {
      saml: {
        manualConfiguration: {
          issuer,
          assertionConsumerUrls: [acs, `${acs}2`],
          defaultAssertionConsumerUrl: acs,
          singleSignOnProfile: { bindings: ['HTTP_POST', 'HTTP_REDIRECT'], assertion: { nameIdFormat: UNSPECIFIED } },
          singleLogoutProfile: { enabled: true, logoutRequestUrl: slo, logoutResponseUrl: slo, logoutMethod: 'FRONTCHANNEL_HTTP_REDIRECT' },
          requestValidation: options.signedRequests
            ? { enableSignatureValidation: true, certificate: options.signedRequests.certificatePem }
            : { enableSignatureValidation: false },
          responseSigning: { enabled: true },
          idpInitiatedSingleSignOn: { enabled: false },
          attributeProfile: { enabled: true },
          ...options.manual,
        },
      },
    },
  });
  return { app, issuer, acs, slo };
}

export function spKeys(): Promise<CertificatePair> {
  return createSelfSigned({ commonName: 'test SP' });
}

export interface IdpInfo {
  entityId: string;
  certificates: string[];
  xml: string;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export async function idpMetadata(server: TestServer, tenant?: string): Promise<IdpInfo> {
  const res = await server.client().get(`${tenant ? `/t/${tenant}` : ''}/identity/metadata/saml2`);
  if (res.status !== 200) throw new Error(`metadata: HTTP ${res.status}`);
  const doc = new DOMParser().parseFromString(res.text, 'text/xml');
  const root = doc.documentElement!;
  if (root.namespaceURI !== MD || root.localName !== 'EntityDescriptor') throw new Error('no EntityDescriptor');
  const certificates = Array.from(root.getElementsByTagNameNS(DS, 'X509Certificate'))
    .filter((c) => (c.parentNode?.parentNode?.parentNode as Element | null)?.localName === 'KeyDescriptor')
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''));
  return { entityId: root.getAttribute('entityID')!, certificates, xml: res.text };
}

/** An independent SP for `app`, trusting the certificates our metadata publishes. */
export function serviceProvider(server: TestServer, app: SamlApp, idp: IdpInfo, options: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    callbackUrl: app.acs,
    entryPoint: `${server.url}/samlsso`,
    logoutUrl: `${server.url}/samlsso`,
    issuer: app.issuer,
    audience: app.issuer,
    idpIssuer: idp.entityId,
    idpCert: idp.certificates,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    identifierFormat: UNSPECIFIED,
    validateInResponseTo: ValidateInResponseTo.always,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    ...options,
  });
}

/** Starts a login with a Redirect-binding AuthnRequest. */
export async function startRedirect(browser: LoginBrowser, sp: SAML, relayState = ''): Promise<Page> {
  const url = new URL(await sp.getAuthorizeUrlAsync(relayState, undefined, {}));
  return browser.open(url.pathname + url.search);
}

/** Starts a login with a POST-binding AuthnRequest, posting the SP's own form. */
export async function startPost(browser: LoginBrowser, sp: SAML, relayState = ''): Promise<Page> {
  const form = formFields(await sp.getAuthorizeFormAsync(relayState));
  return browser.follow(await browser.client.post('/samlsso', { form, headers: { accept: 'text/html' } }), '/samlsso');
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) out[m[1]!] = unescape(m[2]!);
  return out;
}

export interface PostedForm {
  action: string;
  fields: Record<string, string>;
}

/** The auto-posting form of a page (our SAML answers), or undefined when the page has none. */
export function postedForm(page: Page): PostedForm | undefined {
  const m = /<form method="post" action="([^"]*)" id="saml-post">/.exec(page.html);
  if (!m) return undefined;
  return { action: unescape(m[1]!), fields: formFields(page.html) };
}

export function responseXml(form: PostedForm): string {
  return Buffer.from(form.fields.SAMLResponse ?? form.fields.SAMLRequest ?? '', 'base64').toString('utf8');
}

/** The text of the error page's message. */
export function errorMessage(page: Page): string {
  return /<p class="message" role="alert">([\s\S]*?)<\/p>/.exec(page.html)?.[1] ?? '';
}

/** Signs a POST-binding message's root as an SP would (enveloped RSA-SHA256, after the Issuer), with xml-crypto. */
export function signMessage(xml: string, rootName: string, keys: CertificatePair): string {
  const sig = new SignedXml({
    privateKey: keys.privateKeyPem,
    publicCert: keys.certificatePem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: `/*[local-name(.)='${rootName}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `/*[local-name(.)='${rootName}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

/** A SAML login at `sp` in `browser` (with a password when the browser has no SSO session yet), checked by the SP library. */
export async function samlLogin(browser: LoginBrowser, sp: SAML, credentials?: { username: string; password: string }): Promise<Profile> {
  let page = await startRedirect(browser, sp);
  if (credentials) page = await browser.login(page, credentials.username, credentials.password);
  const form = postedForm(page);
  assert.ok(form, `a SAML Response (got ${page.name})`);
  const { profile } = await sp.validatePostResponseAsync(form.fields);
  assert.ok(profile);
  return profile;
}

/** A back-channel SLO participant on loopback: it records each SAMLRequest posted to it and answers 200. */
export async function backChannelListener(): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(new URLSearchParams(body).get('SAMLRequest') ?? '');
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slo`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
