// My Account of a tenant (/t/{tenant}/myaccount): a tenant's user signs in, edits the profile and enables TOTP
// there, every form posting to tenant-qualified URLs; a session of tenant A shows nothing of tenant B (or of
// the super tenant) and changes nothing there.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { claimOf, createUser } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { csrfOf, enableTotp, noticeText, signIn } from './support.ts';

describe('My Account in tenants', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    await provisionTenant(server, 'alpha.com');
    await provisionTenant(server, 'beta.com');
  });
  after(async () => server?.close());

  test('a tenant user uses /t/{tenant}/myaccount: profile and TOTP, on tenant-qualified forms, audited in the tenant', async () => {
    const { user, username, password } = await createUser(server, { tenant: 'alpha.com', givenName: 'Al' });
    const { browser, page } = await signIn(server, username, password, 'alpha.com');
    assert.match(page.html, /\(alpha\.com\)/);
    const actions = [...page.html.matchAll(/<form[^>]*action="([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(actions.length >= 2 && actions.every((a) => a.startsWith('/t/alpha.com/myaccount/')), actions.join(' '));
    const saved = await browser.submit(page, { [CLAIMS.givenName]: 'Alan' }, ['action', 'save-profile']);
    assert.match(noticeText(saved), /saved/);
    assert.equal(saved.url, '/t/alpha.com/myaccount?done=saved');
    assert.equal(await claimOf(server, user, CLAIMS.givenName), 'Alan');
    const { page: security } = await enableTotp(browser, clock, 'alpha.com');
    assert.ok(security.url.startsWith('/t/alpha.com/myaccount/security'));
    assert.equal((await server.services.totpManagement.status(user)).enrolled, true);
    const alpha = await server.services.tenants.requireActive('alpha.com');
    const { events } = await server.services.audit.list(alpha.id, { userId: user.id, offset: 0, limit: 20 });
    const names = new Set(events.map((e) => e.event));
    for (const name of ['user.updated', 'totp.enrolment_started', 'totp.enrolled'] as const) assert.ok(names.has(name), `${name} recorded in the tenant`);
    const beta = await server.services.tenants.requireActive('beta.com');
    assert.equal((await server.services.audit.list(beta.id, { userId: user.id, offset: 0, limit: 20 })).total, 0, 'nothing in another tenant');
  });

  test("a session of tenant A shows nothing of tenant B or the super tenant, and its forms change nothing there", async () => {
    const a = await createUser(server, { tenant: 'alpha.com', givenName: 'Alice' });
    const { browser, page } = await signIn(server, a.username, a.password, 'alpha.com');
    for (const path of ['/t/beta.com/myaccount', '/t/beta.com/myaccount/security', '/myaccount', '/myaccount/security']) {
      const res = await browser.client.get(path);
      assert.equal(res.status, 303, path);
      assert.match(res.location ?? '', /login\.do/, `${path} starts a login of its own tenant`);
      assert.doesNotMatch(res.text, /Alice|alpha/);
    }
    for (const path of ['/t/beta.com/myaccount/profile', '/t/beta.com/myaccount/security/enable', '/myaccount/security/enable']) {
      const res = await browser.client.post(path, { form: { csrf: csrfOf(page), [CLAIMS.givenName]: 'Mallory' } });
      assert.equal(res.status, 403, path);
    }
    assert.equal(await claimOf(server, a.user, CLAIMS.givenName), 'Alice');
    assert.deepEqual(await server.services.totpManagement.status(a.user), { enrolled: false, pending: false });
    // A user of another tenant cannot sign in to this tenant's My Account with the same name and password.
    const b = await createUser(server, { tenant: 'beta.com' });
    const other = await signIn(server, b.username, b.password, 'beta.com');
    assert.doesNotMatch(other.page.html, /Alice/);
  });
});
