// An upstream SAML 2.0 IdP through WSO2's /api/server/v1/identity-providers: the SAMLSSOAuthenticator
// (authenticatorId = base64url of the name) with WSO2's property keys, the IdP's certificates in WSO2's
// certificate.certificates (Base64 of each PEM), our ACS shown as WSO2's callbackUrl (/commonauth, tenant-
// qualified), each certificate's subject and expiry, and this tenant's SP metadata for the provider; bad
// settings are a 400 IDP-40001 naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { createSelfSigned, type CertificatePair } from '../../src/crypto/certificates.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { adminCall, IDP_BASE } from './support.ts';
import { SAML_AUTHENTICATOR_ID, samlIdpBody, type SamlIdpOptions } from './saml-support.ts';

interface Detail {
  id: string;
  type: string;
  certificate: { certificates: string[] };
  certificateInfo: { subject: string; validTo: string }[];
  federatedAuthenticators: { defaultAuthenticatorId: string; authenticators: { authenticatorId: string; name: string; properties: { key: string; value: string }[] }[] };
}

const propsOf = (d: Detail) => Object.fromEntries(d.federatedAuthenticators.authenticators[0]!.properties.map((p) => [p.key, p.value]));

describe('identity providers API: SAML 2.0', () => {
  let server: TestServer;
  let certA: CertificatePair;
  let certB: CertificatePair;
  const base = (patch: Partial<SamlIdpOptions> = {}): SamlIdpOptions => ({
    name: 'Corp SAML',
    idpEntityId: 'https://idp.corp.example/entity',
    spEntityId: 'https://home.example/sp',
    ssoUrl: 'https://idp.corp.example/sso',
    certificates: [certA.certificatePem],
    jit: 'on',
    ...patch,
  });

  before(async () => {
    server = await startTestServer();
    await provisionTenant(server, 'alpha.com');
    [certA, certB] = await Promise.all([createSelfSigned({ commonName: 'corp signing 1' }), createSelfSigned({ commonName: 'corp signing 2' })]);
  });
  after(async () => server?.close());

  test("create, read and change a SAMLSSOAuthenticator with WSO2's keys; the ACS is the callbackUrl", async () => {
    const created = await adminCall(server, 'POST', IDP_BASE, samlIdpBody(base()));
    assert.equal(created.status, 201, created.text);
    const idp = created.json<Detail>();
    assert.equal(idp.type, 'saml');
    assert.equal(idp.federatedAuthenticators.defaultAuthenticatorId, SAML_AUTHENTICATOR_ID);
    assert.equal(idp.federatedAuthenticators.authenticators[0]!.name, 'SAMLSSOAuthenticator');
    const got = (await adminCall(server, 'GET', `${IDP_BASE}/${idp.id}`)).json<Detail>();
    assert.deepEqual(propsOf(got), {
      IdPEntityId: 'https://idp.corp.example/entity',
      SPEntityId: 'https://home.example/sp',
      SSOUrl: 'https://idp.corp.example/sso',
      ISAuthnReqSigned: 'true',
      isAssertionSigned: 'true',
      IsAuthnRespSigned: 'false',
      RequestMethod: 'redirect',
      NameIDType: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      callbackUrl: `${server.url}/commonauth`,
    });
    assert.equal(got.certificate.certificates.length, 1);
    assert.equal(Buffer.from(got.certificate.certificates[0]!, 'base64').toString('utf8').trim(), certA.certificatePem.trim(), "WSO2's Base64 of the PEM");
    assert.match(got.certificateInfo[0]!.subject, /CN=corp signing 1/);
    assert.ok(Date.parse(got.certificateInfo[0]!.validTo) > Date.now());

    // A rollover: two certificates; unsigned requests; the Assertion need not be signed (a signed Response will do).
    const put = await adminCall(server, 'PUT', `${IDP_BASE}/${idp.id}`, samlIdpBody(base({ certificates: [certA.certificatePem, certB.certificatePem], signRequests: false, requireSignedAssertion: false })));
    assert.equal(put.status, 200, put.text);
    const changed = put.json<Detail>();
    assert.equal(changed.certificate.certificates.length, 2);
    assert.equal(propsOf(changed).ISAuthnReqSigned, 'false');
    assert.equal(propsOf(changed).isAssertionSigned, 'false');
    const stored = await server.services.identityProviders.get({ id: (await server.services.tenants.findByDomain('carbon.super'))!.id, domain: 'carbon.super' }, idp.id);
    assert.equal(stored.settings.saml!.certificates[1]!.trim(), certB.certificatePem.trim());

    const tenant = await adminCall(server, 'POST', `/t/alpha.com${IDP_BASE}`, samlIdpBody(base()), ['boss', 'a long password']);
    assert.equal(tenant.status, 201, tenant.text);
    assert.equal(propsOf(tenant.json<Detail>()).callbackUrl, `${server.url}/t/alpha.com/commonauth`, "a tenant's ACS");

    // This tenant's SP metadata for the provider: what the upstream's admin registers.
    const md = await adminCall(server, 'GET', `${IDP_BASE}/${idp.id}/saml-metadata`);
    assert.equal(md.status, 200, md.text);
    assert.match(String(md.headers['content-type']), /samlmetadata\+xml/);
    const doc = new DOMParser().parseFromString(md.text, 'text/xml');
    const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
    assert.equal(doc.documentElement!.getAttribute('entityID'), 'https://home.example/sp');
    const sp = doc.getElementsByTagNameNS(MD, 'SPSSODescriptor')[0]!;
    assert.equal(sp.getAttribute('AuthnRequestsSigned'), 'false');
    const acs = doc.getElementsByTagNameNS(MD, 'AssertionConsumerService')[0]!;
    assert.equal(acs.getAttribute('Location'), `${server.url}/commonauth`);
    assert.equal(acs.getAttribute('Binding'), 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    const superKeys = await server.services.keys.keys((await server.services.tenants.findByDomain('carbon.super'))!, 'saml');
    const cert = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate')[0]!.textContent;
    assert.equal(cert, superKeys.active.certificateBase64, "the tenant's SAML signing certificate");

    assert.equal((await adminCall(server, 'DELETE', `${IDP_BASE}/${idp.id}`)).status, 204);
    assert.equal((await adminCall(server, 'GET', `${IDP_BASE}/${idp.id}/saml-metadata`)).status, 404);
  });

  test('bad settings are refused naming the field', async () => {
    const bad = async (body: Record<string, unknown>, field: RegExp) => {
      const res = await adminCall(server, 'POST', IDP_BASE, body);
      assert.equal(res.status, 400, res.text);
      const err = res.json<{ code: string; description: string }>();
      assert.equal(err.code, 'IDP-40001');
      assert.match(err.description, field);
    };
    await bad(samlIdpBody(base({ ssoUrl: 'http://idp.corp.example/sso' })), /SSOUrl/);
    await bad(samlIdpBody(base({ ssoUrl: 'not a url' })), /SSOUrl/);
    await bad(samlIdpBody(base({ idpEntityId: '' })), /IdPEntityId/);
    await bad(samlIdpBody(base({ spEntityId: 'has space' })), /SPEntityId/);
    await bad(samlIdpBody(base({ idpEntityId: 'x'.repeat(1025) })), /IdPEntityId/);
    await bad(samlIdpBody(base({ certificates: [] })), /certificate/);
    await bad(samlIdpBody(base({ certificates: ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----'] })), /certificate/);
    await bad(samlIdpBody(base({ extra: [{ key: 'IsAssertionEncrypted', value: 'true' }] })), /IsAssertionEncrypted/);
    const withMethod = (value: string) => {
      const body = samlIdpBody(base()) as { federatedAuthenticators: { authenticators: { properties: { key: string; value: string }[] }[] } };
      body.federatedAuthenticators.authenticators[0]!.properties = body.federatedAuthenticators.authenticators[0]!.properties.map((p) => (p.key === 'RequestMethod' ? { key: p.key, value } : p));
      return body as Record<string, unknown>;
    };
    await bad(withMethod('carrier-pigeon'), /RequestMethod/);
    await bad({ ...samlIdpBody(base()), federatedAuthenticators: { authenticators: [{ authenticatorId: 'bm9wZQ' }] } }, /SAMLSSOAuthenticator/);
  });
});
