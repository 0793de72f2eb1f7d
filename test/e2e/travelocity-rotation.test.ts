// Key rotation seen from the sample: it read the IdP's metadata at start; after the IdP rolls its signing
// key (the old one unpublished at once), the next Response fails with the cached certificates, the sample
// re-reads the metadata, finds the new key and accepts the login. A server of its own, so that no other
// test's refresh counts against the sample's limit of one metadata refresh per 30 seconds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTravelocity, type RunningTravelocity } from '../../samples/travelocity/index.ts';
import { sampleApplication } from '../../src/sample-app.ts';
import { TestClient } from '../support/http-client.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createScimUser, loginThrough, startSampleLogin } from './sample-support.ts';

const ISSUER = 'rotation.example';
const ACS = '/travelocity.com/home.jsp';

describe('the sample follows a rotation of the IdP signing key', () => {
  let server: TestServer;
  let sample: RunningTravelocity;
  before(async () => {
    server = await startTestServer();
    sample = await startTravelocity({ port: 0, hostname: 'localhost', idpMetadataUrl: `${server.url}/identity/metadata/saml2`, idpTlsCa: server.certificate, issuer: ISSUER });
    const tenant = await server.services.tenants.requireActive('carbon.super');
    await server.services.applicationService.create(tenant, sampleApplication(sample.url, ISSUER));
  });
  after(async () => {
    await sample?.close();
    await server?.close();
  });

  test('a Response signed with a key published after the sample started is accepted', async () => {
    const admin = server.client();
    const before = await admin.get('/api/server/v1/keys/saml', { auth: ['admin', 'admin'] });
    assert.equal(before.status, 200, before.text);
    const rotated = await admin.post('/api/server/v1/keys/saml/rotate', { auth: ['admin', 'admin'], json: { gracePeriodDays: 0 } });
    assert.equal(rotated.status, 201, rotated.text);
    const metadata = (await admin.get('/identity/metadata/saml2')).text;
    const [oldCert] = before.json<{ keys: { certificate: string }[] }>().keys.map((k) => k.certificate.replace(/-----[^-]+-----|\s/g, ''));
    assert.ok(oldCert && !metadata.includes(oldCert), 'the old key is no longer published');

    const user = await createScimUser(server, 'rotor', { givenName: 'Rita', familyName: 'Rotor' });
    const browser = new LoginBrowser(server.client());
    const client = new TestClient(sample.url);
    const { post } = await loginThrough(await startSampleLogin(server.url, client, browser), browser, user);
    const accepted = await client.post(ACS, { form: post.fields });
    assert.equal(accepted.status, 303, accepted.text);
    assert.match((await client.get(ACS)).text, new RegExp(`You are logged in as <strong>${user.username}</strong>`));
  });
});
