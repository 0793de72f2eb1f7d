// Where the login pages are: tenant-qualified for tenants, absolute URLs for an external login UI (which
// gets WSO2's query parameters but never a secret); and [authentication.authenticator.totp] enable = false.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { provisionTenant } from '../support/tenants.ts';
import { createUser, setMyAccountSteps, setTotpParams } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('login page URLs', () => {
  let server: TestServer;
  after(async () => server?.close());

  test('a tenant logs in under /t/{tenant}/ all the way', async () => {
    server = await startTestServer();
    await provisionTenant(server, 'pages.example');
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']], 'pages.example');
    const { username, password } = await createUser(server, { tenant: 'pages.example' });
    const browser = new LoginBrowser(server.client());
    const login = await browser.open('/t/pages.example/myaccount');
    assert.match(login.url, /^\/t\/pages\.example\/authenticationendpoint\/login\.do\?/);
    assert.match(login.html, /action="\/t\/pages\.example\/commonauth"/);
    const enrol = await browser.login(login, username, password);
    assert.match(enrol.url, /^\/t\/pages\.example\/authenticationendpoint\/totp_enroll\.do\?.*t=pages\.example/);
    // The same user name in the super tenant does not exist.
    const superLogin = new LoginBrowser(server.client());
    assert.equal((await superLogin.login(await superLogin.open('/myaccount'), username, password)).name, 'login.do');
  });

  test('an absolute TOTPAuthenticationEndpointURL sends the browser to the external page with WSO2 parameters, no secret', async () => {
    await setTotpParams(server, {
      TOTPAuthenticationEndpointEnableTOTPPage: 'https://login.example.net/totp/enroll',
      totp_authentication_endpointURL: 'https://login.example.net/totp/code',
    });
    try {
      const { username, password } = await createUser(server);
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
      const browser = new LoginBrowser(server.client());
      const external = await browser.login(await browser.open('/myaccount'), username, password);
      assert.equal(external.name, 'external');
      const url = new URL(external.url);
      assert.equal(url.origin + url.pathname, 'https://login.example.net/totp/enroll');
      assert.deepEqual([...url.searchParams.keys()].sort(), ['authenticators', 'sessionDataKey', 'sp', 't', 'type', 'username']);
      assert.equal(url.searchParams.get('type'), 'totp');
      assert.equal(url.searchParams.get('username'), `${username}@carbon.super`);
    } finally {
      await server.services.totpSettings.clearOverrides(await server.services.tenants.requireActive('carbon.super'));
    }
  });

  test('with [authentication.authenticator.totp] enable = false, TOTP steps drop out and cannot be configured', async () => {
    await server.close();
    const dataDir = mkdtempSync(join(tmpdir(), 'pcs-totp-off-'));
    try {
      server = await startTestServer({ dataDir });
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
      const { username, password } = await createUser(server);
      await server.close();
      server = await startTestServer({ dataDir, toml: '[authentication.authenticator.totp]\nenable = false' });
      const browser = new LoginBrowser(server.client());
      assert.equal((await browser.login(await browser.open('/myaccount'), username, password)).name, 'myaccount');
      const r = await server.client().post('/api/server/v1/applications', {
        auth: ['admin', 'admin'],
        json: { name: 'needs-totp', authenticationSequence: { type: 'USER_DEFINED', steps: [{ id: 1, options: [{ idp: 'LOCAL', authenticator: 'basic' }] }, { id: 2, options: [{ idp: 'LOCAL', authenticator: 'totp' }] }], subjectStepId: 1, attributeStepId: 1 } },
      });
      assert.equal(r.status, 400);
      assert.match(r.json<{ description: string }>().description, /"totp" is disabled/);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
