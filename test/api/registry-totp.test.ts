// Issue 10, item 2: /_system/governance/totp/application-authentication.xml is a view of the tenant's TOTP
// overrides, the same setting as /api/server/v1/configs/authenticators/totp: a write through either shows in the
// other; a bad upload (malformed, DOCTYPE, unknown parameter, bad value) is refused with the problem named and
// changes nothing; both WSO2 layouts are read; the collection lists the file only while overrides exist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tenantOf } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const BOSS: [string, string] = ['boss', 'a long password'];
const T = '/t/beta.org';
const XML_PATH = `${T}/api/server/v1/registry/resources/_system/governance/totp/application-authentication.xml`;
const JSON_PATH = `${T}/api/server/v1/configs/authenticators/totp`;

const doc = (params: Record<string, string>) =>
  `<AuthenticatorConfig name="totp" enabled="true">${Object.entries(params)
    .map(([k, v]) => `<Parameter name="${k}">${v}</Parameter>`)
    .join('')}</AuthenticatorConfig>`;

describe('registry: the TOTP configuration file', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await provisionTenant(server, 'beta.org');
  });
  after(async () => server?.close());

  const putXml = (body: string | Buffer, auth = BOSS, path = XML_PATH) => server.client().request(path, { method: 'PUT', auth, body, headers: { 'content-type': 'application/xml' } });
  const getXml = () => server.client().request(XML_PATH, { auth: BOSS });
  const jsonOverrides = async () => {
    const res = await server.client().request(JSON_PATH, { auth: BOSS });
    return Object.fromEntries(res.json<{ properties: { key: string; value: string; overridden: boolean }[] }>().properties.filter((p) => p.overridden).map((p) => [p.key, p.value]));
  };

  test('absent until the tenant has overrides; the collection lists it only then', async () => {
    assert.equal((await getXml()).status, 404);
    assert.equal((await server.client().request(`${T}/api/server/v1/registry/resources/_system/governance/totp`, { auth: BOSS })).status, 404);
  });

  test('XML written shows in the JSON API, and JSON written shows in the XML', async () => {
    const put = await putXml(doc({ timeStepSize: '60', windowSize: '1', Issuer: 'Beta & Co' }));
    assert.equal(put.status, 201, put.text);
    assert.deepEqual(await jsonOverrides(), { timeStepSize: '60', windowSize: '1', Issuer: 'Beta & Co' });
    const listing = await server.client().request(`${T}/api/server/v1/registry/resources/_system/governance/totp`, { auth: BOSS });
    assert.equal(listing.status, 200);
    assert.deepEqual(listing.json<{ children: { path: string }[] }>().children.map((c) => c.path), ['/_system/governance/totp/application-authentication.xml']);
    const governance = await server.client().request(`${T}/api/server/v1/registry/resources/_system/governance`, { auth: BOSS });
    assert.deepEqual(governance.json<{ children: { path: string; kind: string }[] }>().children.map((c) => [c.path, c.kind]), [['/_system/governance/totp', 'collection']]);

    const json = await server.client().request(JSON_PATH, { method: 'PUT', auth: BOSS, json: { properties: [{ key: 'timeStepSize', value: '45' }, { key: 'digits', value: '8' }] } });
    assert.equal(json.status, 200, json.text);
    const xml = await getXml();
    assert.equal(xml.status, 200);
    assert.match(String(xml.headers['content-type']), /^application\/xml/);
    assert.match(xml.text, /<AuthenticatorConfig name="totp" enabled="true">/);
    assert.match(xml.text, /<Parameter name="timeStepSize">45<\/Parameter>/);
    assert.match(xml.text, /<Parameter name="digits">8<\/Parameter>/);
    assert.doesNotMatch(xml.text, /windowSize|Issuer/, 'the JSON PUT replaced the overrides: one setting');
    // What GET renders is accepted back as it is.
    assert.equal((await putXml(xml.text)).status, 200);
    assert.deepEqual(await jsonOverrides(), { timeStepSize: '45', digits: '8' });
  });

  test("WSO2's whole application-authentication.xml is read too: the AuthenticatorConfig named totp", async () => {
    const whole = `<?xml version="1.0" encoding="ISO-8859-1"?>
<ApplicationAuthentication xmlns="http://wso2.org/projects/carbon/application-authentication.xml">
  <AuthenticatorConfigs>
    <AuthenticatorConfig name="BasicAuthenticator" enabled="true"><Parameter name="showAuthFailureReason">true</Parameter></AuthenticatorConfig>
    <!-- the one that counts -->
    <AuthenticatorConfig name="totp" enabled="true">
      <Parameter name="encodingMethod">Base32</Parameter>
      <Parameter name="timeStepSize">90</Parameter>
    </AuthenticatorConfig>
  </AuthenticatorConfigs>
</ApplicationAuthentication>`;
    const put = await putXml(whole);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await jsonOverrides(), { encodingMethod: 'Base32', timeStepSize: '90' });
  });

  test('a bad upload is refused with the problem or parameter named, and changes nothing', async () => {
    const before = (await getXml()).text;
    const cases: [string | Buffer, RegExp][] = [
      ['<AuthenticatorConfig name="totp"><Parameter name="timeStepSize">60</Parameter>', /not well-formed/],
      ['<!DOCTYPE x [<!ENTITY e "60">]><AuthenticatorConfig name="totp"><Parameter name="timeStepSize">&e;</Parameter></AuthenticatorConfig>', /document type declaration/],
      [doc({ timeStepSize: '60', bogusParameter: '1' }), /bogusParameter/],
      [doc({ timeStepSize: 'sixty' }), /timeStepSize/],
      [doc({ windowSize: '0' }), /windowSize/],
      ['<AuthenticatorConfig name="sms-otp"><Parameter name="timeStepSize">60</Parameter></AuthenticatorConfig>', /name="totp"/],
      ['<Other/>', /root element/],
      ['<AuthenticatorConfig name="totp"><Parameter name="a">1</Parameter><Parameter name="a">2</Parameter></AuthenticatorConfig>', /a is given twice/],
      [Buffer.from([0x3c, 0x61, 0xff, 0x3e]), /UTF-8/],
    ];
    for (const [body, why] of cases) {
      const res = await putXml(body);
      assert.equal(res.status, 400, `${String(body)}: ${res.text}`);
      assert.match(res.json<{ description: string }>().description, why);
    }
    assert.equal((await getXml()).text, before, 'nothing changed');
  });

  test('DELETE clears the overrides (the JSON API then shows none); properties of the view are refused', async () => {
    const props = await server.client().request(`${T}/api/server/v1/registry/properties/_system/governance/totp/application-authentication.xml`, { method: 'PUT', auth: BOSS, json: { properties: { a: 'b' } } });
    assert.equal(props.status, 409);
    const tenant = await tenantOf(server, 'beta.org');
    assert.equal((await server.client().request(`${T}/api/server/v1/registry/resources/_system/governance/totp`, { method: 'DELETE', auth: BOSS })).status, 409, 'the collection holds the file');
    assert.equal((await server.client().request(XML_PATH, { method: 'DELETE', auth: BOSS })).status, 204);
    assert.deepEqual(await jsonOverrides(), {});
    assert.equal((await getXml()).status, 404);
    assert.equal((await server.client().request(XML_PATH, { method: 'DELETE', auth: BOSS })).status, 404);
    const { events } = await server.services.audit.list(tenant.id, { offset: 0, limit: 50 });
    const xml = events.filter((e) => e.reason === '/_system/governance/totp/application-authentication.xml').map((e) => e.event);
    assert.ok(xml.includes('registry.updated') && xml.includes('registry.deleted'), xml.join());
  });

  test('carbon.super: accepted as the super tenant\'s overrides, as the console and the JSON API allow', async () => {
    const put = await putXml(doc({ digits: '8' }), ADMIN, '/api/server/v1/registry/resources/_system/governance/totp/application-authentication.xml');
    assert.equal(put.status, 201, put.text);
    const superTenant = await tenantOf(server);
    assert.equal((await server.services.totpSettings.forTenant(superTenant)).digits, 8);
    assert.equal((await server.services.totpSettings.forTenant(await tenantOf(server, 'beta.org'))).digits, 6, 'not another tenant');
    await server.services.totpSettings.clearOverrides(superTenant);
  });
});
