// TOTPAdminService on hostile or odd input, and the semantics where we differ from WSO2 on purpose:
// - bad XML (DOCTYPE and entities, not XML, too large, wrong envelope) is a Client fault with a 4xx, the server
//   stays up, and no fault echoes a code or a secret;
// - refreshSecretKey leaves the old secret working until enableTOTP proves the new one;
// - verificationCode is an xs:int: leading zeros may be dropped, as WSO2's integer drops them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { ManualClock } from '../../src/time/clock.ts';
import { decodeWso2QrPayload } from '../../src/totp/index.ts';
import { createUser } from '../support/fixtures.ts';
import type { Response } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NS = 'http://services.totp.authenticator.application.identity.carbon.wso2.org';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const ADMIN: [string, string] = ['admin', 'admin'];

const envelope = (body: string, ns = SOAP11, header = '') => `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${ns}" xmlns:t="${NS}">${header}<s:Body>${body}</s:Body></s:Envelope>`;
const op = (name: string, params: Record<string, string>) => `<t:${name}>${Object.entries(params).map(([k, v]) => `<t:${k}>${v}</t:${k}>`).join('')}</t:${name}>`;

describe('TOTPAdminService: hostile input and refresh semantics', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 1));

  before(async () => {
    server = await startTestServer({ clock });
  });
  after(async () => server?.close());

  const soap = (body: string | Buffer, version: '1.1' | '1.2' = '1.1', headers: Record<string, string> = {}) =>
    server.client().post('/services/TOTPAdminService', { body, auth: ADMIN, headers: { 'content-type': version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8', ...headers } });
  const form = (operation: string, fields: Record<string, string>) => server.client().post(`/services/TOTPAdminService/${operation}`, { form: fields, auth: ADMIN });
  const returned = (res: Response) => {
    assert.equal(res.status, 200, res.text);
    return /<ns:return>([^<]*)<\/ns:return>/.exec(res.text)![1]!;
  };

  /** A SOAP fault of the request's version with a 4xx; returns its text. */
  function clientFault(res: Response, version: '1.1' | '1.2', code = version === '1.1' ? 'Client' : 'Sender'): string {
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.text}`);
    assert.equal(String(res.headers['content-type']).split(';')[0], version === '1.1' ? 'text/xml' : 'application/soap+xml');
    if (version === '1.1') {
      assert.match(res.text, new RegExp(`<soapenv:Envelope xmlns:soapenv="${SOAP11}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:${code}</faultcode><faultstring>([^<]+)</faultstring>`));
      return /<faultstring>([^<]*)</.exec(res.text)![1]!;
    }
    assert.match(res.text, new RegExp(`<soapenv:Envelope xmlns:soapenv="${SOAP12}"><soapenv:Body><soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:${code}</soapenv:Value></soapenv:Code><soapenv:Reason><soapenv:Text xml:lang="en">([^<]+)</soapenv:Text>`));
    return /<soapenv:Text[^>]*>([^<]*)</.exec(res.text)![1]!;
  }

  for (const version of ['1.1', '1.2'] as const) {
    const ns = version === '1.1' ? SOAP11 : SOAP12;
    test(`SOAP ${version}: bad XML and bad envelopes are Client faults with a 4xx; the server stays up`, async () => {
      const laughs = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${envelope(op('initTOTP', { username: '&b;' }), ns)}`;
      const external = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${envelope(op('initTOTP', { username: '&x;' }), ns)}`;
      const cases: [string | Buffer, RegExp][] = [
        [laughs, /document type declaration/],
        [external, /document type declaration/],
        ['not xml at all', /not well-formed/],
        ['<s:Envelope xmlns:s="' + ns + '"><s:Body>', /not well-formed/],
        [envelope(op('initTOTP', { username: 'admin' }), ns) + '<x/>', /exactly one root|not well-formed/],
        ['<?xml version="1.0"?><?evil x?>' + envelope(op('initTOTP', { username: 'admin' }), ns), /Processing instructions/],
        [Buffer.concat([Buffer.from(envelope('<t:initTOTP><t:username>')), Buffer.from([0xc3, 0x28]), Buffer.from('</t:username></t:initTOTP>')]), /UTF-8/],
        [`<x:Body xmlns:x="${ns}"/>`, /root element of a SOAP message/],
        [envelope(op('initTOTP', { username: 'admin' }) + op('resetTOTP', { username: 'admin' }), ns), /exactly one operation/],
        [envelope('', ns), /exactly one operation/],
        [envelope(`<o:initTOTP xmlns:o="urn:other"><o:username>admin</o:username></o:initTOTP>`, ns), /namespace/],
        [envelope(op('dropTables', { username: 'admin' }), ns), /not one of TOTPAdminService's/],
        [envelope(op('initTOTP', { user: 'admin' }), ns), /initTOTP takes username/],
        [envelope(`<t:initTOTP><t:username>a</t:username><t:username>b</t:username></t:initTOTP>`, ns), /more than once/],
        [envelope(`<t:initTOTP><t:username><t:x>admin</t:x></t:username></t:initTOTP>`, ns), /text only/],
        [envelope(`<t:initTOTP><t:username xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></t:initTOTP>`, ns), /username parameter is required/],
        [envelope(op('validateTOTP', { username: 'admin', verificationCode: '12ab56' }), ns), /xs:int/],
        [envelope(op('validateTOTP', { username: 'admin', verificationCode: '99999999999' }), ns), /xs:int/],
        [envelope(op('validateTOTP', { username: 'admin' }), ns), /Verification code|verification code/],
      ];
      for (const [body, text] of cases) {
        const res = await soap(body, version);
        assert.match(clientFault(res, version), text, String(body).slice(0, 120));
        assert.doesNotMatch(res.text, /<ns:return>|root:|aaaaaaaaaa/);
      }
      const huge = envelope(op('initTOTP', { username: 'a'.repeat(70 * 1024) }), ns);
      assert.equal((await soap(huge, version)).status, 413);
      const other = version === '1.1' ? SOAP12 : SOAP11;
      assert.match(clientFault(await soap(envelope(op('initTOTP', { username: 'admin' }), other), version), version, 'VersionMismatch'), /SOAP 1.1 is sent as text\/xml/);
      clientFault(await soap(`<x:Envelope xmlns:x="urn:other"><x:Body/></x:Envelope>`, version), version, 'VersionMismatch');
      const mandatory = `<s:Header><w:Security xmlns:w="urn:x" s:mustUnderstand="${version === '1.1' ? '1' : 'true'}"/></s:Header>`;
      clientFault(await soap(envelope(op('initTOTP', { username: 'admin' }), ns, mandatory), version), version, 'MustUnderstand');
      const action: Record<string, string> = version === '1.1' ? { soapaction: '"urn:resetTOTP"' } : { 'content-type': 'application/soap+xml; charset=utf-8; action="urn:resetTOTP"' };
      assert.match(clientFault(await soap(envelope(op('initTOTP', { username: 'admin' }), ns), version, action), version), /SOAP action/);
      assert.equal((await server.client().get('/health')).status, 200);
    });
  }

  test('content types: a form to the SOAP endpoint and XML to the form endpoint are 415 faults; comments and WSO2 context are tolerated', async () => {
    const formToSoap = await server.client().post('/services/TOTPAdminService', { form: { username: 'admin' }, auth: ADMIN });
    assert.equal(formToSoap.status, 415);
    assert.match(formToSoap.text, /<faultcode>soapenv:Client<\/faultcode>/);
    const xmlToForm = await server.client().post('/services/TOTPAdminService/initTOTP', { body: '<x/>', auth: ADMIN, headers: { 'content-type': 'text/xml' } });
    assert.equal(xmlToForm.status, 415);
    assert.match(xmlToForm.text, /^<soapenv:Fault xmlns:soapenv="http:\/\/www.w3.org\/2003\/05\/soap-envelope">/);
    const { username } = await createUser(server, { prefix: 'ctx' });
    const body = envelope(`<!-- made by a client --><t:initTOTP><t:username>${username}</t:username><t:context xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></t:initTOTP>`);
    const ok = await soap(body, '1.1', { soapaction: 'urn:initTOTP' });
    assert.match(decodeWso2QrPayload(returned(ok)), /^otpauth:\/\/totp\//);
    for (const endpoint of ['TOTPAdminService.TOTPAdminServiceHttpsSoap11Endpoint', 'TOTPAdminService.TOTPAdminServiceHttpsSoap12Endpoint']) {
      const res = await server.client().post(`/services/${endpoint}`, { body, auth: ADMIN, headers: { 'content-type': 'text/xml' } });
      assert.equal(res.status, 200, endpoint);
    }
  });

  test('refreshSecretKey: the old code keeps working until enableTOTP proves the new one; then only the new one works', async () => {
    const { username, user } = await createUser(server, { prefix: 'refresh' });
    const appOf = (res: Response) => OTPAuth.URI.parse(decodeWso2QrPayload(returned(res))) as OTPAuth.TOTP;
    const code = (app: OTPAuth.TOTP) => app.generate({ timestamp: clock.now() });
    const step = () => clock.advance(30_000);
    const validate = async (app: OTPAuth.TOTP) => returned(await form('validateTOTP', { username, verificationCode: code(app) }));

    const old = appOf(await form('generateSecret', { username }));
    assert.equal(returned(await form('enableTOTP', { username, verificationCode: code(old) })), 'true');
    step();
    const fresh = appOf(await form('refreshSecretKey', { username }));
    assert.notEqual(fresh.secret.base32, old.secret.base32);
    assert.equal(returned(await form('retrieveSecretKey', { username })), old.secret.base32, 'the active secret is still the old one');
    assert.equal(await validate(fresh), 'false', 'the new secret is not active before it is proven');
    step();
    assert.equal(await validate(old), 'true', 'the old code still works after the refresh');
    step();
    assert.equal(returned(await form('enableTOTP', { username, verificationCode: code(fresh) })), 'true');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false });
    step();
    assert.equal(await validate(old), 'false', 'the old secret is gone once the new one is proven');
    step();
    assert.equal(await validate(fresh), 'true');
    assert.equal(returned(await form('retrieveSecretKey', { username })), fresh.secret.base32);
  });

  test('verificationCode is an xs:int: a code with leading zeros is accepted without them; a wrong code never appears in the answer', async () => {
    const { username } = await createUser(server, { prefix: 'zeros' });
    const app = OTPAuth.URI.parse(decodeWso2QrPayload(returned(await form('initTOTP', { username })))) as OTPAuth.TOTP;
    // Move to a time step whose code starts with 0 (about one step in ten).
    let steps = 0;
    while (!app.generate({ timestamp: clock.now() }).startsWith('0') && steps++ < 500) clock.advance(30_000);
    const code = app.generate({ timestamp: clock.now() });
    assert.ok(code.startsWith('0'));
    assert.equal(returned(await form('enableTOTP', { username, verificationCode: String(Number(code)) })), 'true');
    clock.advance(30_000);
    const wrong = String((Number(app.generate({ timestamp: clock.now() })) + 1) % 1_000_000).padStart(6, '0');
    const res = await form('validateTOTP', { username, verificationCode: wrong });
    assert.equal(returned(res), 'false');
    const bad = await form('validateTOTP', { username, verificationCode: '12x456' });
    assert.equal(bad.status, 400);
    assert.doesNotMatch(bad.text, /12x456/);
  });
});
