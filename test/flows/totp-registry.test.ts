// Issue 10's done-when line: a tenant whose registry file /_system/governance/totp/application-authentication.xml
// sets timeStepSize=60, windowSize=1 and an Issuer gets them at its next login, without a restart: the enrolment
// QR says period=60 and the issuer, and a code one step old is refused, while the super tenant keeps the file's
// settings (period 30, windowSize 3: the same one-step-old code is accepted there). Deleting the file returns the
// tenant to deployment.toml's values. Time is a ManualClock, so no test waits for a step boundary.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as OTPAuth from 'otpauth';
import { ManualClock } from '../../src/time/clock.ts';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const TENANT_ADMIN: [string, string] = ['boss', 'a long password'];
const XML_PATH = '/api/server/v1/registry/resources/_system/governance/totp/application-authentication.xml';
const XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- uploaded as WSO2's docs say -->
<AuthenticatorConfig name="totp" enabled="true">
  <Parameter name="timeStepSize">60</Parameter>
  <Parameter name="windowSize">1</Parameter>
  <Parameter name="Issuer">Alpha Corp</Parameter>
</AuthenticatorConfig>`;

describe('TOTP parameters from the tenant registry', () => {
  let server: TestServer;
  // On a minute boundary plus 10 s: a code of the current step stays current while the test runs.
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 10));

  before(async () => {
    server = await startTestServer({ clock });
    await provisionTenant(server, 'alpha.com');
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']], 'alpha.com');
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  const code = (totp: OTPAuth.TOTP, steps = 0) => totp.generate({ timestamp: clock.now() + steps * totp.period * 1000 });

  /** Enrols a new user of `tenant` through its My Account login; returns the app read from the QR. */
  async function enrol(tenant?: string) {
    const { username, password } = await createUser(server, tenant ? { tenant } : {});
    const base = tenant ? `/t/${tenant}/myaccount` : '/myaccount';
    const browser = new LoginBrowser(server.client());
    const page = await browser.login(await browser.open(base), username, password);
    assert.equal(page.name, 'totp_enroll.do', page.html.slice(0, 300));
    const totp = totpFromQr(page);
    const done = await browser.submit(await browser.submit(page, {}, ['ENABLE_TOTP', 'true']), { token: code(totp) });
    assert.equal(done.name, 'myaccount');
    return { username, password, totp, base };
  }

  /** Signs in with password and the given code; the page it ends on ('myaccount' or 'totp.do' when refused). */
  async function signIn(user: { username: string; password: string; base: string }, token: () => string) {
    const browser = new LoginBrowser(server.client());
    const codePage = await browser.login(await browser.open(user.base), user.username, user.password);
    assert.equal(codePage.name, 'totp.do');
    return (await browser.submit(codePage, { token: token() })).name;
  }

  test('the uploaded file applies at the next login: period=60, its issuer, windowSize=1; the super tenant keeps the file', async () => {
    const put = await server.client().request(`/t/alpha.com${XML_PATH}`, { method: 'PUT', auth: TENANT_ADMIN, body: XML, headers: { 'content-type': 'application/xml' } });
    assert.equal(put.status, 201, put.text);

    const alice = await enrol('alpha.com');
    assert.equal(alice.totp.period, 60, 'the QR says period=60');
    assert.equal(alice.totp.issuer, 'Alpha Corp', 'and the issuer of the file');
    clock.advance(120_000);
    assert.equal(await signIn(alice, () => code(alice.totp, -1)), 'totp.do', 'a code one step old is refused (windowSize=1)');
    assert.equal(await signIn(alice, () => code(alice.totp)), 'myaccount', 'the current code logs in');

    const sam = await enrol();
    assert.equal(sam.totp.period, 30, 'carbon.super keeps the file period');
    assert.notEqual(sam.totp.issuer, 'Alpha Corp');
    clock.advance(60_000);
    assert.equal(await signIn(sam, () => code(sam.totp, -1)), 'myaccount', 'carbon.super keeps windowSize 3: one step old is accepted');
  });

  test('DELETE returns the tenant to the values of deployment.toml at the next enrolment', async () => {
    const del = await server.client().request(`/t/alpha.com${XML_PATH}`, { method: 'DELETE', auth: TENANT_ADMIN });
    assert.equal(del.status, 204);
    const bob = await enrol('alpha.com');
    assert.equal(bob.totp.period, 30);
    assert.notEqual(bob.totp.issuer, 'Alpha Corp');
    clock.advance(60_000);
    assert.equal(await signIn(bob, () => code(bob.totp, -1)), 'myaccount', 'windowSize 3 again');
  });
});
