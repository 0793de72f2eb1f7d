// A deployment's own page templates ([ui] theme_directory), and the issuer authenticator apps show
// (Issuer, UseCommonIssuer; else the tenant's own issuer; else the tenant domain).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_VIEWS_DIR } from '../../src/ui/views.ts';
import { createUser, setMyAccountSteps, setTotpParams } from '../support/fixtures.ts';
import { LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

describe('theme and issuer', () => {
  let server: TestServer | undefined;
  const theme = mkdtempSync(join(tmpdir(), 'pcs-theme-'));
  after(async () => {
    await server?.close();
    rmSync(theme, { recursive: true, force: true });
  });

  async function enrolmentIssuer(s: TestServer, tenant = 'carbon.super'): Promise<string> {
    const { username, password } = await createUser(s, { tenant });
    const b = new LoginBrowser(s.client());
    const start = tenant === 'carbon.super' ? '/myaccount' : `/t/${tenant}/myaccount`;
    const enrol = await b.login(await b.open(start), username, password);
    assert.equal(enrol.name, 'totp_enroll.do');
    return totpFromQr(enrol).issuer;
  }

  test('a theme folder replaces a page; the others stay the shipped ones; a missing folder stops the start', async () => {
    const shipped = readFileSync(join(DEFAULT_VIEWS_DIR, 'login.eta'), 'utf8');
    writeFileSync(join(theme, 'login.eta'), shipped.replace('<h1>Sign in</h1>', '<h1>Sign in to ACME</h1><p class="brand">ACME Corp</p>'));
    server = await startTestServer({ toml: `[ui]\ntheme_directory = "${theme}"` });
    const b = new LoginBrowser(server.client());
    const login = await b.open('/myaccount');
    assert.match(login.html, /Sign in to ACME/);
    const r = await server.client().get('/nowhere', { headers: { accept: 'text/html' } });
    assert.match(r.text, /<h1>Not found\.<\/h1>/, 'other pages are unchanged');
    await server.close();
    server = undefined;
    await assert.rejects(startTestServer({ toml: `[ui]\ntheme_directory = "${join(theme, 'missing')}"` }), /theme_directory .* does not exist/);
  });

  test('issuer: tenant domain by default, the tenant own Issuer, the common Issuer for all with UseCommonIssuer', async () => {
    await server?.close();
    server = await startTestServer();
    await provisionTenant(server, 'issuer.example');
    await setMyAccountSteps(server, [['basic'], ['totp']]);
    await setMyAccountSteps(server, [['basic'], ['totp']], 'issuer.example');
    assert.equal(await enrolmentIssuer(server), 'carbon.super');
    assert.equal(await enrolmentIssuer(server, 'issuer.example'), 'issuer.example');
    await setTotpParams(server, { Issuer: 'Example Bank: Retail' }, 'issuer.example');
    assert.equal(await enrolmentIssuer(server, 'issuer.example'), 'Example Bank: Retail', 'a tenant issuer with spaces and a colon survives the QR');
    await server.close();
    server = await startTestServer({ toml: '[authentication.authenticator.totp.parameters]\nIssuer = "Portcullis Corp"\nUseCommonIssuer = true' });
    await provisionTenant(server, 'common.example');
    await setMyAccountSteps(server, [['basic'], ['totp']], 'common.example');
    await setTotpParams(server, { Issuer: 'Ignored Ltd' }, 'common.example');
    assert.equal(await enrolmentIssuer(server, 'common.example'), 'Portcullis Corp');
  });
});
