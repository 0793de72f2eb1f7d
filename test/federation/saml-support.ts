// Upstream SAML 2.0 federation tests: corp.test (our own SAML IdP side, over HTTPS on loopback) is the upstream
// IdP of home.test. home.test's SP is registered at corp.test as a SAML application that requires signed
// AuthnRequests (home.test's SAML signing certificate), and corp.test is registered at home.test through the
// identity-provider API (WSO2's SAMLSSOAuthenticator properties). Hostile Responses are built from corp's real
// auto-post form, or signed with a test key registered as the IdP certificate (xml-crypto, as an IdP would).
import { inflateRawSync } from 'node:zlib';
import { sequenceOf, type Application } from '../../src/applications/application.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { CertificatePair } from '../../src/crypto/certificates.ts';
import type { Clock } from '../../src/time/clock.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import type { LoginBrowser, Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { idpMetadata, postedForm, signMessage, UNSPECIFIED, type PostedForm } from '../saml/support.ts';
import { adminCall, BOSS, CORP, HOME, IDP_BASE, startFederationServer } from './support.ts';

export const SAML_AUTHENTICATOR_ID = Buffer.from('SAMLSSOAuthenticator').toString('base64url');

/** Real time plus an offset a test may move (TOTP codes from otpauth use real time, assertions expire on this). */
export class OffsetClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

/** The federation test server with a clock the expiry tests can move, and its warnings kept in `logs`. */
export function startSamlFederationServer(clock: Clock, logs: string[]): Promise<TestServer> {
  return startFederationServer({ clock, logs });
}

export const acsOf = (server: TestServer) => `${server.url}/t/${HOME}/commonauth`;

/** home.test's SP, registered at corp.test: signed AuthnRequests (home's SAML certificate), email and given name released. */
export async function registerHomeAtCorp(server: TestServer): Promise<{ spEntityId: string; app: Application }> {
  const spEntityId = `home-sp-${uniqueSuffix()}`;
  const home = await tenantOf(server, HOME);
  const homeCert = (await server.services.keys.keys(home, 'saml')).active.certificatePem;
  const app = await server.services.applicationService.create(await tenantOf(server, CORP), {
    name: spEntityId,
    authenticationSequence: sequenceOf([['basic']]),
    claimConfiguration: { requestedClaims: [CLAIMS.email, CLAIMS.givenName].map((uri) => ({ claim: { uri }, mandatory: false })) },
    inboundProtocolConfiguration: {
      saml: {
        manualConfiguration: {
          issuer: spEntityId,
          assertionConsumerUrls: [acsOf(server)],
          defaultAssertionConsumerUrl: acsOf(server),
          singleSignOnProfile: { bindings: ['HTTP_POST', 'HTTP_REDIRECT'], assertion: { nameIdFormat: UNSPECIFIED } },
          requestValidation: { enableSignatureValidation: true, certificate: homeCert },
          responseSigning: { enabled: true },
          attributeProfile: { enabled: true },
        },
      },
    },
  });
  return { spEntityId, app };
}

export interface SamlIdpOptions {
  name: string;
  idpEntityId: string;
  spEntityId: string;
  ssoUrl: string;
  certificates: string[];
  jit?: 'off' | 'on' | 'prompt';
  signRequests?: boolean;
  requireSignedAssertion?: boolean;
  requestMethod?: 'redirect' | 'post';
  extra?: { key: string; value: string }[];
}

/** WSO2's REST body for a SAMLSSOAuthenticator IdP; certificates are PEMs, sent as WSO2 does (Base64 of the PEM). */
export function samlIdpBody(o: SamlIdpOptions): Record<string, unknown> {
  return {
    name: o.name,
    description: 'upstream SAML',
    isEnabled: true,
    certificate: { certificates: o.certificates.map((pem) => Buffer.from(pem, 'utf8').toString('base64')) },
    claims: {
      userIdClaim: { uri: '' },
      mappings: [
        { idpClaim: CLAIMS.email, localClaim: { uri: CLAIMS.email } },
        { idpClaim: CLAIMS.givenName, localClaim: { uri: CLAIMS.givenName } },
      ],
    },
    federatedAuthenticators: {
      defaultAuthenticatorId: SAML_AUTHENTICATOR_ID,
      authenticators: [
        {
          authenticatorId: SAML_AUTHENTICATOR_ID,
          isEnabled: true,
          properties: [
            { key: 'IdPEntityId', value: o.idpEntityId },
            { key: 'SPEntityId', value: o.spEntityId },
            { key: 'SSOUrl', value: o.ssoUrl },
            { key: 'ISAuthnReqSigned', value: String(o.signRequests ?? true) },
            { key: 'isAssertionSigned', value: String(o.requireSignedAssertion ?? true) },
            { key: 'RequestMethod', value: o.requestMethod ?? 'redirect' },
            { key: 'NameIDType', value: UNSPECIFIED },
            ...(o.extra ?? []),
          ],
        },
      ],
    },
    provisioning: { jit: { isEnabled: (o.jit ?? 'off') !== 'off', scheme: o.jit === 'prompt' ? 'PROMPT_USERNAME_PASSWORD_CONSENT' : 'PROVISION_SILENTLY', userstore: 'PRIMARY' } },
  };
}

/** corp.test as an IdP of home.test (its metadata's entity ID and certificate); returns the provider's id. */
export async function corpAtHome(server: TestServer, name: string, spEntityId: string, options: Partial<SamlIdpOptions> = {}): Promise<string> {
  const corp = await idpMetadata(server, CORP);
  const pem = `-----BEGIN CERTIFICATE-----\n${corp.certificates[0]}\n-----END CERTIFICATE-----\n`;
  const body = samlIdpBody({ name, idpEntityId: corp.entityId, spEntityId, ssoUrl: `${server.url}/t/${CORP}/samlsso`, certificates: [pem], ...options });
  const res = await adminCall(server, 'POST', `/t/${HOME}${IDP_BASE}`, body, BOSS);
  if (res.status !== 201) throw new Error(res.text);
  return res.json<{ id: string }>().id;
}

/** The AuthnRequest home.test sends (from the redirect to the upstream, not followed): its ID and the RelayState. */
export function sentRequest(location: string): { id: string; relayState: string; xml: string; url: URL } {
  const url = new URL(location);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  return { id: /\sID="([^"]+)"/.exec(xml)![1]!, relayState: url.searchParams.get('RelayState')!, xml, url };
}

/** Signs in at corp.test on its login page and returns corp's auto-posting form (the Response for home.test). */
export async function corpResponse(browser: LoginBrowser, corpLogin: Page, username: string, password: string): Promise<PostedForm> {
  const answer = await browser.login(corpLogin, username, password);
  const form = postedForm(answer);
  if (!form) throw new Error(`no auto-post form from corp: ${answer.name} ${answer.html.slice(0, 400)}`);
  return form;
}

/** Posts a (possibly modified) Response to home.test's ACS and follows to the page it lands on. */
export async function postToAcs(browser: LoginBrowser, form: PostedForm, fields: Partial<Record<string, string>> = {}): Promise<Page> {
  const action = new URL(form.action);
  const data = { ...form.fields, ...fields } as Record<string, string>;
  return browser.follow(await browser.client.post(action.pathname, { form: data, headers: { accept: 'text/html' } }), action.pathname);
}

export const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
export const unb64 = (value: string) => Buffer.from(value, 'base64').toString('utf8');

export interface ForgedResponse {
  key: CertificatePair;
  issuer: string;
  audience: string;
  acs: string;
  inResponseTo: string;
  nameId: string;
  now: number;
  email?: string;
  signAssertion?: boolean;
  signResponse?: boolean;
  assertionId?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A Response as an upstream IdP would build and sign it (SAML core, profiles 4.1.4.2), with our test key. */
export function forgeResponse(o: ForgedResponse): string {
  const id = o.assertionId ?? `_a${uniqueSuffix()}${uniqueSuffix()}`;
  const until = iso(o.now + 5 * 60_000);
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(o.now)}">` +
    `<saml:Issuer>${o.issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${UNSPECIFIED}">${o.nameId}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${o.inResponseTo}" NotOnOrAfter="${until}" Recipient="${o.acs}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(o.now - 60_000)}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${o.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(o.now)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement><saml:Attribute Name="${CLAIMS.email}"><saml:AttributeValue>${o.email ?? 'forged@corp.example'}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
    `</saml:Assertion>`;
  const signedAssertion = o.signAssertion === false ? assertion : sign(assertion, 'Assertion', o.key);
  const response =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${uniqueSuffix()}${uniqueSuffix()}" Version="2.0" IssueInstant="${iso(o.now)}" Destination="${o.acs}" InResponseTo="${o.inResponseTo}">` +
    `<saml:Issuer>${o.issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `${signedAssertion.replace(/^<\?xml[^>]*>/, '')}</samlp:Response>`;
  return o.signResponse ? sign(response, 'Response', o.key) : response;
}

/** An enveloped RSA-SHA256 signature on the root `rootName`, after its Issuer (as an IdP would sign). */
export const sign = signMessage;
