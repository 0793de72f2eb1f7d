// IdP metadata and signing keys: the metadata parses, is signed, and lists the current signing certificate
// (per tenant); the tenant admin lists and rotates keys, responses after a rotation validate with the new
// certificate only, and the metadata lists both during the grace period.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ValidateInResponseTo } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { idpMetadata, postedForm, samlApp, serviceProvider, startRedirect, type IdpInfo, type SamlApp } from './support.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

interface KeyJson {
  id: string;
  status: string;
  published: boolean;
  certificate: string;
}

const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');

describe('IdP metadata and signing keys', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  async function keys(): Promise<KeyJson[]> {
    const res = await server.client().get('/api/server/v1/keys/saml', { auth: ADMIN });
    assert.equal(res.status, 200, res.text);
    return res.json<{ keys: KeyJson[] }>().keys;
  }

  async function signedBy(app: SamlApp, idp: IdpInfo, certificates: string[]): Promise<unknown> {
    const sp = serviceProvider(server, app, idp);
    const user = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const form = postedForm(await browser.login(await startRedirect(browser, sp), user.username, user.password))!;
    // Another SP instance (it did not send the request), trusting only `certificates`.
    const strict = serviceProvider(server, app, { ...idp, certificates }, { validateInResponseTo: ValidateInResponseTo.never });
    return strict.validatePostResponseAsync(form.fields).then((r) => r.profile?.nameID);
  }

  test('the metadata parses, is signed, and lists the endpoints and the active signing certificate', async () => {
    const idp = await idpMetadata(server);
    assert.equal(idp.entityId, `${server.url}/samlsso`);
    const doc = new DOMParser().parseFromString(idp.xml, 'text/xml');
    const descriptor = doc.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0]!;
    assert.equal(descriptor.getAttribute('protocolSupportEnumeration'), 'urn:oasis:names:tc:SAML:2.0:protocol');
    const services = (name: string) => Array.from(descriptor.getElementsByTagNameNS(MD, name)).map((e) => `${e.getAttribute('Binding')} ${e.getAttribute('Location')}`);
    assert.deepEqual(services('SingleSignOnService').sort(), [`${POST} ${server.url}/samlsso`, `${REDIRECT} ${server.url}/samlsso`]);
    assert.deepEqual(services('SingleLogoutService').sort(), [`${POST} ${server.url}/samlsso`, `${REDIRECT} ${server.url}/samlsso`]);
    const formats = Array.from(descriptor.getElementsByTagNameNS(MD, 'NameIDFormat')).map((e) => e.textContent);
    assert.ok(formats.includes('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'));
    const [active] = await keys();
    assert.equal(active!.status, 'active');
    assert.deepEqual(idp.certificates, [der(active!.certificate)]);
    // The document's own signature verifies with the published certificate.
    const verifier = new SignedXml({ publicCert: active!.certificate, getCertFromKeyInfo: () => null });
    const signature = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!;
    verifier.loadSignature(signature);
    assert.equal(verifier.checkSignature(idp.xml), true);
  });

  test('each tenant has its own entity id and key', async () => {
    await provisionTenant(server, 'keys.example');
    const tenant = await idpMetadata(server, 'keys.example');
    const root = await idpMetadata(server);
    assert.equal(tenant.entityId, `${server.url}/t/keys.example/samlsso`);
    assert.notDeepEqual(tenant.certificates, root.certificates);
    const app = await samlApp(server, { tenant: 'keys.example' });
    const sp = serviceProvider(server, app, tenant, { entryPoint: `${server.url}/t/keys.example/samlsso` });
    const user = await createUser(server, { tenant: 'keys.example' });
    const browser = new LoginBrowser(server.client());
    const form = postedForm(await browser.login(await startRedirect(browser, sp), user.username, user.password))!;
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.issuer, tenant.entityId);
  });

  test('the keys API is for the tenant admin and never shows a private key', async () => {
    assert.equal((await server.client().get('/api/server/v1/keys/saml')).status, 401);
    const user = await createUser(server);
    assert.equal((await server.client().get('/api/server/v1/keys/saml', { auth: [user.username, user.password] })).status, 403);
    const res = await server.client().get('/api/server/v1/keys/saml', { auth: ADMIN });
    assert.doesNotMatch(res.text, /PRIVATE KEY|privateKey|private_key/);
    const bad = await server.client().post('/api/server/v1/keys/saml/rotate', { auth: ADMIN, json: { gracePeriodDays: -1 } });
    assert.equal(bad.status, 400);
  });

  test('after a rotation responses validate with the new certificate only, and the metadata lists both', async () => {
    const app = await samlApp(server);
    const before = await idpMetadata(server);
    const old = before.certificates[0]!;
    assert.equal(typeof (await signedBy(app, before, [old])), 'string', 'signed with the first key');
    const rotated = await server.client().post('/api/server/v1/keys/saml/rotate', { auth: ADMIN });
    assert.equal(rotated.status, 201, rotated.text);
    const list = rotated.json<{ keys: KeyJson[] }>().keys;
    assert.deepEqual(list.map((k) => [k.status, k.published]), [['active', true], ['retired', true]]);
    const after = await idpMetadata(server);
    const fresh = der(list[0]!.certificate);
    assert.deepEqual(after.certificates, [fresh, old], 'new first, the previous one still published');
    assert.equal(typeof (await signedBy(app, after, [fresh])), 'string', 'validates with the new certificate alone');
    await assert.rejects(signedBy(app, after, [old]), /signature/i, 'no longer signed with the old key');
    // A rotation without grace stops publishing the key it retires at once.
    const again = await server.client().post('/api/server/v1/keys/saml/rotate', { auth: ADMIN, json: { gracePeriodDays: 0 } });
    assert.equal(again.status, 201);
    const third = await idpMetadata(server);
    assert.equal(third.certificates.length, 2);
    assert.ok(!third.certificates.includes(fresh), 'retired without grace: no longer published');
    assert.ok(third.certificates.includes(old), 'the first key is still within its grace period');
  });
});
