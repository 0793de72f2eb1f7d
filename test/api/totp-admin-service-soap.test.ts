// Issue 9, item 3: an independent SOAP client (the `soap` package) reads our WSDL from the running server and
// calls every TOTPAdminService operation over SOAP 1.1 and over SOAP 1.2; a fault comes back as the client's
// fault error. Codes are computed with otpauth from the QR payloads the service returns; time moves on a
// ManualClock (a code is accepted once per time step).
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import * as soap from 'soap';
import { ManualClock } from '../../src/time/clock.ts';
import { decodeWso2QrPayload } from '../../src/totp/index.ts';
import { createUser } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NS = 'http://services.totp.authenticator.application.identity.carbon.wso2.org';

type Call = (args: Record<string, unknown>, options: object) => Promise<[Record<string, unknown>, string]>;

describe('TOTPAdminService through the soap package', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 1));
  // The server's certificate is self-signed (made at first start). The client trusts exactly that certificate
  // through an https.Agent (for the WSDL and for every call), so verification stays on: no rejectUnauthorized.
  let httpsAgent: Agent;

  before(async () => {
    server = await startTestServer({ clock });
    httpsAgent = new Agent({ ca: server.certificate });
  });
  after(async () => {
    httpsAgent?.destroy();
    await server?.close();
  });

  async function client(version: '1.1' | '1.2', auth: [string, string] = ['admin', 'admin']): Promise<soap.Client> {
    const c = await soap.createClientAsync(`${server.url}/services/TOTPAdminService?wsdl`, { wsdl_options: { httpsAgent }, forceSoap12Headers: version === '1.2' });
    c.setSecurity(new soap.BasicAuthSecurity(auth[0], auth[1]));
    return c;
  }

  /** Calls an operation and returns its `return` value as the client parsed it with the WSDL's types. */
  async function call(c: soap.Client, op: string, args: Record<string, unknown>): Promise<unknown> {
    const fn = (c as unknown as Record<string, Call>)[`${op}Async`]!;
    const [result] = await fn.call(c, args, { httpsAgent });
    return result?.return;
  }

  const totpOf = (payload: unknown) => OTPAuth.URI.parse(decodeWso2QrPayload(String(payload))) as OTPAuth.TOTP;
  const codeNow = (totp: OTPAuth.TOTP) => totp.generate({ timestamp: clock.now() });
  /** The next time step: a code is accepted once per step and user. */
  const nextStep = () => clock.advance(30_000);

  test('the WSDL describes every operation in WSO2 namespace, with both bindings at this server', async () => {
    const c = await client('1.1');
    const description = c.describe() as Record<string, Record<string, Record<string, unknown>>>;
    const ports = description.TOTPAdminService!;
    assert.deepEqual(Object.keys(ports).sort(), ['TOTPAdminServiceHttpsSoap11Endpoint', 'TOTPAdminServiceHttpsSoap12Endpoint']);
    const ops = ['enableTOTP', 'generateSecret', 'initTOTP', 'refreshSecretKey', 'resetTOTP', 'retrieveSecretKey', 'validateTOTP'];
    assert.deepEqual(Object.keys(ports.TOTPAdminServiceHttpsSoap11Endpoint!).sort(), ops);
    const wsdl = await server.client().get('/services/TOTPAdminService?wsdl');
    assert.match(wsdl.text, new RegExp(`targetNamespace="${NS}"`));
    assert.match(wsdl.text, new RegExp(`location="${server.url}/services/TOTPAdminService.TOTPAdminServiceHttpsSoap11Endpoint"`));
  });

  for (const version of ['1.1', '1.2'] as const) {
    test(`SOAP ${version}: every operation, from enrolment to reset`, async () => {
      const c = await client(version);
      const seen: string[] = [];
      c.on('request', (xml: string) => seen.push(xml));
      const { username, user } = await createUser(server, { prefix: `soap${version.replace('.', '')}` });
      const qualified = `${username}@carbon.super`;

      assert.equal(await call(c, 'validateTOTP', { username: qualified, verificationCode: 123456 }), false, 'not enrolled: false, and nothing created');
      assert.equal((await server.services.totpManagement.status(user)).enrolled, false);

      const init = totpOf(await call(c, 'initTOTP', { username: qualified }));
      assert.equal(totpOf(await call(c, 'generateSecret', { username: qualified })).secret.base32, init.secret.base32, 'generateSecret reuses the pending secret');
      assert.equal(await call(c, 'retrieveSecretKey', { username: qualified }), init.secret.base32);
      const wrongCode = (Number(codeNow(init)) + 1) % 1_000_000;
      assert.equal(await call(c, 'enableTOTP', { username: qualified, verificationCode: wrongCode }), false, 'a wrong code is false');
      nextStep();
      assert.equal(await call(c, 'enableTOTP', { username: qualified, verificationCode: Number(codeNow(init)) }), true);
      assert.equal((await server.services.totpManagement.status(user)).enrolled, true);
      assert.equal(totpOf(await call(c, 'initTOTP', { username: qualified })).secret.base32, init.secret.base32, 'initTOTP now shows the active secret');

      nextStep();
      assert.equal(await call(c, 'validateTOTP', { username: qualified, verificationCode: Number(codeNow(init)) }), true);
      assert.equal(await call(c, 'validateTOTP', { username: qualified, verificationCode: Number(codeNow(init)) }), false, 'a code is accepted once');

      const refreshed = totpOf(await call(c, 'refreshSecretKey', { username: qualified }));
      assert.notEqual(refreshed.secret.base32, init.secret.base32);
      assert.equal(await call(c, 'resetTOTP', { username: qualified }), true);
      const status = await server.services.totpManagement.status(user);
      assert.deepEqual(status, { enrolled: false, pending: false });

      const envelopeNs = version === '1.1' ? 'http://schemas.xmlsoap.org/soap/envelope/' : 'http://www.w3.org/2003/05/soap-envelope';
      assert.ok(seen.length >= 10 && seen.every((xml) => xml.includes(envelopeNs)), `the client spoke SOAP ${version}`);
    });

    test(`SOAP ${version}: faults come back as faults (no pending secret, not authorized, bad password)`, async () => {
      const c = await client(version);
      const { username, password } = await createUser(server, { prefix: 'fault' });
      const fault = async (promise: Promise<unknown>): Promise<string> => {
        const err = await promise.then(
          () => assert.fail('expected a fault'),
          (e: unknown) => e as { root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } }; message: string },
        );
        const f = err.root?.Envelope?.Body?.Fault;
        assert.ok(f, `a SOAP fault, got: ${err.message}`);
        return JSON.stringify(f);
      };
      const noPending = await fault(call(c, 'enableTOTP', { username, verificationCode: 123456 }));
      assert.match(noPending, /Secret key is not generated yet\./);
      assert.match(noPending, version === '1.1' ? /soapenv:Client/ : /soapenv:Sender/);

      const self = await client(version, [username, password]);
      assert.match(await fault(call(self, 'initTOTP', { username })), /User is not authorized perform the operation/);
      const wrong = await client(version, ['admin', 'not the password']);
      assert.match(await fault(call(wrong, 'initTOTP', { username })), /Send valid credentials/);
    });
  }
});
