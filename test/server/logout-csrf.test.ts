// Signing out is a state change like any other: it needs the CSRF token of the session it ends. A cross-site
// form posted to another tenant's logout (where the browser's session is not found) used to clear the
// commonAuthId cookie anyway; now it changes nothing. Tokens are compared in constant time in one place
// (src/http/csrf.ts), for My Account and the console alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConsoleBrowser } from '../console/console-browser.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const csrfOf = (page: Page) => /name="csrf" value="([^"]+)"/.exec(page.html)?.[1];
const clearsSso = (headers: Record<string, string | string[] | undefined>) => [headers['set-cookie'] ?? []].flat().some((c) => c.startsWith('commonAuthId='));

describe('logout needs the CSRF token of the session it ends', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await provisionTenant(server, 'other.example');
  });
  after(async () => server?.close());

  async function signedInMyAccount(): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const page = await browser.login(await browser.open('/myaccount'), 'admin', 'admin');
    assert.equal(page.name, 'myaccount', page.html);
    return { browser, page };
  }

  test('a cross-tenant logout without a token (My Account and console) leaves the session and its cookie alone', async () => {
    const { browser } = await signedInMyAccount();
    const cookie = browser.client.cookies.get('commonAuthId');
    for (const path of ['/t/other.example/myaccount/logout', '/t/other.example/console/logout']) {
      const r = await browser.client.post(path, { form: {}, headers: { accept: 'text/html' } });
      assert.equal(r.status, 303, path);
      assert.equal(clearsSso(r.headers), false, `${path} does not touch commonAuthId`);
      assert.equal(browser.client.cookies.get('commonAuthId'), cookie);
    }
    assert.equal((await browser.open('/myaccount')).name, 'myaccount', 'still signed in');
  });

  test('a wrong token, a missing one, or the console’s token is refused and changes nothing', async () => {
    const { browser, page } = await signedInMyAccount();
    const consoleToken = csrfOf(await new ConsoleBrowser(server).signIn('admin', 'admin'));
    const right = csrfOf(page)!;
    const forged: Record<string, string>[] = [{}, { csrf: 'nope' }, { csrf: `${right.slice(0, -1)}${right.endsWith('A') ? 'B' : 'A'}` }, { csrf: consoleToken! }];
    for (const form of forged) {
      const r = await browser.client.post('/myaccount/logout', { form, headers: { accept: 'text/html' } });
      assert.equal(r.status, 403, JSON.stringify(form));
      assert.equal(clearsSso(r.headers), false);
    }
    const twice = await browser.client.post('/myaccount/logout', { body: `csrf=${right}&csrf=${right}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(twice.status, 403, 'a repeated field is not a token');
    assert.equal((await browser.open('/myaccount')).name, 'myaccount', 'still signed in');
  });

  test('the right token signs out: the session ends and the cookie is cleared', async () => {
    const { browser, page } = await signedInMyAccount();
    const cookie = browser.client.cookies.get('commonAuthId')!;
    const tenant = (await server.services.tenants.findByDomain('carbon.super'))!;
    const r = await browser.client.post('/myaccount/logout', { form: { csrf: csrfOf(page)! } });
    assert.equal(r.status, 303);
    assert.equal(clearsSso(r.headers), true);
    assert.equal(await server.services.sso.findByCookie(cookie, tenant.id, server.services.clock.now()), undefined);
    assert.equal((await browser.open('/myaccount')).name, 'login.do');
  });

  test('the console’s sign-out: refused with a wrong token, works with the right one', async () => {
    const browser = new ConsoleBrowser(server);
    const overview = await browser.signIn('admin', 'admin');
    const wrong = await browser.client.post('/console/logout', { form: { csrf: 'nope' }, headers: { accept: 'text/html' } });
    assert.equal(wrong.status, 403);
    assert.equal(clearsSso(wrong.headers), false);
    assert.equal((await browser.open('/console')).url, '/console', 'still signed in');
    const right = await browser.client.post('/console/logout', { form: { csrf: csrfOf(overview)! } });
    assert.equal(right.status, 303);
    assert.equal(clearsSso(right.headers), true);
    assert.equal((await browser.open('/console')).name, 'login.do');
  });
});
