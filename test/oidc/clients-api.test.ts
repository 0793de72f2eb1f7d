// OIDC clients through WSO2's application API: the generated secret is in the creation answer only, reads show
// neither it nor its hash, a PATCH keeps it, and bad settings are refused with the field named.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashSecret } from '../../src/protocols/oidc/settings.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { uniqueSuffix } from '../support/fixtures.ts';

const BASE = '/api/server/v1/applications';
type Oidc = { clientId: string; clientSecret?: string; clientSecretHash?: string; callbackURLs: string[] };

describe('OIDC clients in the application API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());
  const admin: [string, string] = ['admin', 'admin'];

  test('the secret is shown once, stored hashed, and kept by a PATCH', async () => {
    const api = server.client();
    const created = await api.post(BASE, { auth: admin, json: { name: `api-${uniqueSuffix()}`, inboundProtocolConfiguration: { oidc: { callbackURLs: ['https://rp.example/cb'] } } } });
    assert.equal(created.status, 201);
    const oidc = created.json<{ id: string; inboundProtocolConfiguration: { oidc: Oidc } }>();
    const secret = oidc.inboundProtocolConfiguration.oidc.clientSecret!;
    assert.ok(secret.length >= 40);
    assert.equal(oidc.inboundProtocolConfiguration.oidc.clientSecretHash, undefined);
    const read = (await api.get(`${BASE}/${oidc.id}`, { auth: admin })).json<{ inboundProtocolConfiguration: { oidc: Oidc } }>();
    assert.deepEqual([read.inboundProtocolConfiguration.oidc.clientSecret, read.inboundProtocolConfiguration.oidc.clientSecretHash], [undefined, undefined]);
    const patched = await api.request(`${BASE}/${oidc.id}`, { method: 'PATCH', auth: admin, json: { inboundProtocolConfiguration: { oidc: { callbackURLs: ['https://rp.example/other'] } } } });
    assert.equal(patched.status, 200);
    assert.equal(patched.json<{ inboundProtocolConfiguration: { oidc: Oidc } }>().inboundProtocolConfiguration.oidc.clientSecret, undefined, 'no new secret');
    const stored = await server.services.applications.get((await server.services.tenants.requireActive('carbon.super')).id, oidc.id);
    assert.equal((stored!.inboundProtocols.oidc as Oidc).clientSecretHash, hashSecret(secret), 'the same secret still works');
  });

  test('bad settings are refused with the field named', async () => {
    const api = server.client();
    for (const [oidc, field] of [
      [{ callbackURLs: ['regexp=(https://a|https://b)'] }, 'callbackURLs[0]'],
      [{ callbackURLs: ['https://rp.example/cb'], redirectUris: [] }, 'redirectUris'],
      [{ callbackURLs: ['https://rp.example/cb'], grantTypes: ['implicit'] }, 'grantTypes'],
      [{ callbackURLs: ['https://rp.example/cb'], publicClient: true, grantTypes: ['client_credentials'] }, 'client_credentials'],
      [{ callbackURLs: ['https://rp.example/cb'], refreshToken: { renewRefreshToken: false } }, 'renewRefreshToken'],
    ] as const) {
      const res = await api.post(BASE, { auth: admin, json: { name: `bad-${uniqueSuffix()}`, inboundProtocolConfiguration: { oidc } } });
      assert.equal(res.status, 400, JSON.stringify(oidc));
      const body = res.json<{ code: string; description: string }>();
      assert.equal(body.code, 'APP-40001');
      assert.match(body.description, new RegExp(field.replace(/[[\]()]/g, '\\$&')));
    }
  });
});
