// The tenant's TOTP settings form, the audit page, and CSRF: a POST without the session's token, or with a
// wrong one, is refused (403) before anything changes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tenantOf } from '../support/fixtures.ts';
import type { Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { adminConsole, ConsoleBrowser, csrfOf, noticeOf, problemOf } from './console-browser.ts';

describe('console: TOTP settings, audit, CSRF', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;

  before(async () => ({ server, admin } = await adminConsole()));
  after(async () => server?.close());

  const valueOf = (page: Page, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.html)?.[1];
  const selected = (page: Page, name: string) => new RegExp(`<select id="p-${name}" name="${name}"[^>]*>[\\s\\S]*?<option value="([^"]*)" selected>`).exec(page.html)?.[1];

  test('the form shows every parameter in force; saving windowSize=5 makes it the tenant\'s own', async () => {
    const page = await admin.open('/console/totp');
    assert.equal(valueOf(page, 'windowSize'), '3');
    assert.equal(selected(page, 'encodingMethod'), 'Base32');
    assert.equal(selected(page, 'authenticationMandatory'), 'true');
    assert.equal(selected(page, 'digits'), '6');
    for (const name of ['timeStepSize', 'Issuer', 'secretLength', 'TOTPAuthenticationEndpointURL']) assert.match(page.html, new RegExp(`name="${name}"`));
    const saved = await admin.post(page, '/console/totp', { windowSize: '5' });
    assert.equal(noticeOf(saved), 'The TOTP settings were saved.');
    assert.equal(valueOf(saved, 'windowSize'), '5');
    assert.match(saved.html, /<label for="p-windowSize">windowSize <span class="tag">tenant<\/span><\/label>/);
    const tenant = await tenantOf(server);
    assert.deepEqual(await server.services.totpSettings.overrides(tenant), { windowSize: 5 }, 'only the changed value is stored');
    assert.equal((await server.services.totpSettings.forTenant(tenant)).windowSize, 5);
  });

  test('bad values are refused with the error beside each field, and nothing is stored', async () => {
    const page = await admin.open('/console/totp');
    const bad = await admin.post(page, '/console/totp', { windowSize: '99', timeStepSize: 'soon' });
    assert.equal(bad.status, 400);
    assert.match(problemOf(bad), /Some values are not valid/);
    assert.match(bad.html, /<div class="param invalid">\s*<label for="p-windowSize">[\s\S]*?<p class="field-error">expected an integer[^<]*99[^<]*<\/p>/);
    assert.match(bad.html, /<label for="p-timeStepSize">[\s\S]*?<p class="field-error">expected an integer[^<]*soon/);
    assert.equal(valueOf(bad, 'windowSize'), '99', 'the form keeps what was typed');
    const tenant = await tenantOf(server);
    assert.equal((await server.services.totpSettings.forTenant(tenant)).windowSize, 5, 'the earlier value stays');
  });

  test('reset returns to the values of deployment.toml', async () => {
    const page = await admin.open('/console/totp');
    const reset = await admin.post(page, '/console/totp/reset');
    assert.match(noticeOf(reset), /values from deployment\.toml apply/);
    assert.equal(valueOf(reset, 'windowSize'), '3');
    assert.deepEqual(await server.services.totpSettings.overrides(await tenantOf(server)), {});
  });

  test('audit: the latest events, filtered by event, paged', async () => {
    const all = await admin.open('/console/audit');
    assert.match(all.html, /<td>login\.completed<\/td><td>success<\/td><td>admin<\/td><td>—<\/td><td>Console<\/td>/, 'a login: the user, nobody acting for them');
    assert.match(all.html, /<td>settings\.updated<\/td>/);
    const only = await admin.open('/console/audit?event=settings.updated');
    assert.doesNotMatch(only.html, /<td>login\.completed<\/td>/);
    assert.match(only.html, /<option value="settings\.updated" selected>/);
    assert.match(only.html, /<td>settings\.updated<\/td><td>success<\/td><td>—<\/td><td>admin<\/td><td>Console<\/td>/, 'a change: the admin in the By column');
    const tenant = await tenantOf(server);
    for (let i = 0; i < 60; i++) await server.services.audit.record({ tenantId: tenant.id, event: 'logout', outcome: 'success', reason: `r${i}` });
    const first = await admin.open('/console/audit?event=logout');
    assert.match(first.html, /Page 1 of 2 \(60 in all\)/);
    const second = await admin.open('/console/audit?event=logout&page=2');
    assert.equal([...second.html.matchAll(/<td>logout<\/td>/g)].length, 10);
    const unknown = await admin.open('/console/audit?event=%3Cscript%3E');
    assert.equal(unknown.status, 200);
    assert.doesNotMatch(unknown.html, /<script>/);
  });

  test('CSRF: a POST without the token or with a wrong one is refused and changes nothing', async () => {
    const page = await admin.open('/console/totp');
    const token = csrfOf(page);
    const tenant = await tenantOf(server);
    for (const body of [new URLSearchParams({ windowSize: '7' }), new URLSearchParams({ csrf: `${token.slice(0, -2)}xx`, windowSize: '7' }), new URLSearchParams({ csrf: '', windowSize: '7' })]) {
      const refused = await admin.postRaw('/console/totp', body.toString());
      assert.equal(refused.status, 403);
      assert.match(refused.html, /Access denied/);
    }
    assert.equal((await server.services.totpSettings.forTenant(tenant)).windowSize, 3);

    const name = 'forged-user';
    const forged = await admin.postRaw('/console/users', new URLSearchParams({ username: name, password: 'a long forged password' }).toString());
    assert.equal(forged.status, 403);
    assert.equal(await server.services.users.find(tenant, name), undefined);

    // Another session's token does not fit this session.
    const other = new ConsoleBrowser(server);
    const otherToken = csrfOf(await other.signIn('admin', 'admin'));
    assert.notEqual(otherToken, token);
    const crossed = await admin.postRaw('/console/users', new URLSearchParams({ csrf: otherToken, username: name, password: 'a long forged password' }).toString());
    assert.equal(crossed.status, 403);
    assert.equal(await server.services.users.find(tenant, name), undefined);

    // Without a session at all, a POST is refused rather than starting a login.
    const stranger = new ConsoleBrowser(server);
    const anonymous = await stranger.postRaw('/console/users', new URLSearchParams({ csrf: token, username: name, password: 'a long forged password' }).toString());
    assert.equal(anonymous.status, 403);
    assert.equal(await server.services.users.find(tenant, name), undefined);
    const logout = await stranger.postRaw('/console/logout', new URLSearchParams({ csrf: token }).toString());
    assert.equal(logout.name, 'login.do', 'signing out without a session just leads to the login');
    const wrongLogout = await admin.postRaw('/console/logout', 'csrf=nope');
    assert.equal(wrongLogout.status, 403);
    assert.equal((await admin.open('/console')).url, '/console', 'the session survived the forged sign-out');
  });
});
