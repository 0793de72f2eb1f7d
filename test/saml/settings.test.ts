// SAML settings through the applications API, in WSO2's shape: stored and returned as given (normalised),
// the issuer unique per tenant, and every malformed setting refused with a description naming it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';
import { spKeys } from './support.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const BASE = '/api/server/v1/applications';

function travelocity(issuer: string): Record<string, unknown> {
  return {
    issuer,
    assertionConsumerUrls: ['http://localhost:8080/travelocity.com/home.jsp'],
    defaultAssertionConsumerUrl: 'http://localhost:8080/travelocity.com/home.jsp',
    singleSignOnProfile: { bindings: ['HTTP_POST', 'HTTP_REDIRECT'], assertion: { nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' } },
    singleLogoutProfile: { enabled: true, logoutRequestUrl: 'http://localhost:8080/travelocity.com/logout', logoutResponseUrl: 'http://localhost:8080/travelocity.com/logout', logoutMethod: 'FRONTCHANNEL_HTTP_REDIRECT' },
    requestValidation: { enableSignatureValidation: false },
    responseSigning: { enabled: true },
    idpInitiatedSingleSignOn: { enabled: false },
    attributeProfile: { enabled: true },
  };
}

describe('SAML application settings', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  const create = (name: string, manual: Record<string, unknown>) =>
    server.client().post(BASE, { auth: ADMIN, json: { name, inboundProtocolConfiguration: { saml: { manualConfiguration: manual } } } });

  test('the travelocity settings are stored and returned as given', async () => {
    const res = await create('travelocity', travelocity('travelocity.com'));
    assert.equal(res.status, 201, res.text);
    const id = res.json<{ id: string }>().id;
    const got = await server.client().get(`${BASE}/${id}`, { auth: ADMIN });
    assert.deepEqual(got.json<{ inboundProtocolConfiguration: unknown }>().inboundProtocolConfiguration, { saml: { manualConfiguration: travelocity('travelocity.com') } });
    const conflict = await create('another', travelocity('travelocity.com'));
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json<{ code: string }>().code, 'APP-40901');
  });

  test('defaults fill what is left out; a PEM certificate is accepted when signature validation is on', async () => {
    const keys = await spKeys();
    const res = await create('minimal', {
      issuer: 'minimal.example',
      assertionConsumerUrls: ['https://sp.example/acs'],
      requestValidation: { enableSignatureValidation: true, certificate: keys.certificatePem },
    });
    assert.equal(res.status, 201, res.text);
    const saml = res.json<{ inboundProtocolConfiguration: { saml: { manualConfiguration: Record<string, unknown> } } }>().inboundProtocolConfiguration.saml.manualConfiguration;
    assert.equal(saml.defaultAssertionConsumerUrl, 'https://sp.example/acs');
    assert.deepEqual(saml.singleLogoutProfile, { enabled: false, logoutRequestUrl: '', logoutResponseUrl: '', logoutMethod: 'BACKCHANNEL' });
    assert.deepEqual(saml.responseSigning, { enabled: false });
    assert.deepEqual(saml.attributeProfile, { enabled: true });
    assert.match(String((saml.requestValidation as { certificate: string }).certificate), /^-----BEGIN CERTIFICATE-----/);
  });

  test('malformed settings are refused with a description naming the field', async () => {
    const base = travelocity('bad.example');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['no issuer', { ...base, issuer: undefined }, /issuer is required/],
      ['issuer too long', { ...base, issuer: 'x'.repeat(256) }, /issuer is required/],
      ['relative ACS', { ...base, assertionConsumerUrls: ['/acs'], defaultAssertionConsumerUrl: '/acs' }, /assertionConsumerUrls\[0\] must be an absolute/],
      ['ACS with a fragment', { ...base, assertionConsumerUrls: ['https://sp.example/acs#x'], defaultAssertionConsumerUrl: undefined }, /fragment/],
      ['javascript ACS', { ...base, assertionConsumerUrls: ['javascript:alert(1)'], defaultAssertionConsumerUrl: undefined }, /http or https/],
      ['default not listed', { ...base, defaultAssertionConsumerUrl: 'https://other.example/acs' }, /defaultAssertionConsumerUrl must be one of/],
      ['no certificate', { ...base, requestValidation: { enableSignatureValidation: true } }, /certificate is required/],
      ['bad certificate', { ...base, requestValidation: { enableSignatureValidation: true, certificate: 'MIIBAAAA' } }, /not a valid X\.509/],
      ['unknown NameID format', { ...base, singleSignOnProfile: { assertion: { nameIdFormat: 'urn:x' } } }, /nameIdFormat must be one of/],
      ['unknown logout method', { ...base, singleLogoutProfile: { enabled: true, logoutMethod: 'SOAP' } }, /logoutMethod must be one of/],
      ['unknown key', { ...base, enableAssertionEncryption: true }, /enableAssertionEncryption is not a supported setting/],
      ['wrong type', { ...base, responseSigning: { enabled: 'yes' } }, /responseSigning\.enabled must be true or false/],
    ];
    for (const [name, manual, description] of cases) {
      const res = await create(`bad-${name.replace(/\W+/g, '-')}`, manual);
      assert.equal(res.status, 400, `${name}: ${res.text}`);
      const body = res.json<{ code: string; description: string }>();
      assert.equal(body.code, 'APP-40001', name);
      assert.match(body.description, description, name);
    }
    const metadataUrl = await server.client().post(BASE, { auth: ADMIN, json: { name: 'meta', inboundProtocolConfiguration: { saml: { metadataURL: 'https://sp.example/md' } } } });
    assert.equal(metadataUrl.status, 400);
  });
});
