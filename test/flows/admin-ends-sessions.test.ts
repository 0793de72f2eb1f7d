// Every admin change that takes something away (SCIM active:false, lock, password, delete; the console's lock,
// disable, password, TOTP reset, delete) ends the user's SSO sessions: afterwards the browser's old commonAuthId
// logs in nowhere (a SAML application reusing SSO, My Account, the console); each change's audit event names the
// admin. And reusing a session re-reads the account, so a change that ended nothing (made straight in the
// database) still locks the session out; a login in progress built on an ended session cannot finish.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { SSO_COOKIE } from '../../src/http/login-cookies.ts';
import type { UserRecord } from '../../src/users/user-store.ts';
import { ConsoleBrowser } from '../console/console-browser.ts';
import { idpMetadata, postedForm, responseXml, samlApp, serviceProvider, startRedirect } from '../saml/support.ts';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

type SAML = ReturnType<typeof serviceProvider>;
const ADMIN: [string, string] = ['admin', 'admin'];
const ADMIN_PAIR = { username: 'admin', password: 'admin' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SIGNED_IN = 'signed in';
const OUT = 'login.do';

/** A tenant with a SAML application: where the fronts are. */
interface Place {
  domain: string;
  prefix: string;
  sp: SAML;
  /** The tenant's admin, when the console is one of the fronts to try. */
  admin?: { username: string; password: string };
}

describe('admin changes end SSO sessions; SSO reuse re-reads the account', () => {
  let server: TestServer;
  let home: Place;
  let adminConsole: ConsoleBrowser;

  before(async () => {
    server = await startTestServer();
    const app = await samlApp(server);
    home = { domain: 'carbon.super', prefix: '', sp: serviceProvider(server, app, await idpMetadata(server)) };
    adminConsole = new ConsoleBrowser(server);
    await adminConsole.signIn(...ADMIN);
  });
  after(async () => server?.close());

  /** A fresh tenant whose admin can use the console, with its own SAML application. */
  async function newTenant(): Promise<Place & { admin: { username: string; password: string } }> {
    const domain = `t${uniqueSuffix()}.example`;
    const admin = { username: 'boss', password: 'the boss has a long password' };
    await provisionTenant(server, domain, admin);
    const app = await samlApp(server, { tenant: domain });
    const sp = serviceProvider(server, app, await idpMetadata(server, domain), { entryPoint: `${server.url}/t/${domain}/samlsso` });
    return { domain, prefix: `/t/${domain}`, sp, admin };
  }

  /** Where the browser's SSO session gets it: SIGNED_IN, or the page it is sent to instead. */
  async function fronts(browser: LoginBrowser, place: Place): Promise<Record<string, string>> {
    const saml = await startRedirect(browser, place.sp);
    const form = postedForm(saml);
    const out: Record<string, string> = {
      saml: form && /StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/.test(responseXml(form)) ? SIGNED_IN : saml.name,
    };
    const my = await browser.open(`${place.prefix}/myaccount`);
    out.myaccount = my.name === 'myaccount' ? SIGNED_IN : my.name;
    if (place.admin) {
      const page = await browser.open(`${place.prefix}/console`);
      out.console = page.name === 'console' ? SIGNED_IN : page.name;
    }
    return out;
  }

  const everywhere = (place: Place, value: string) => Object.fromEntries(['saml', 'myaccount', ...(place.admin ? ['console'] : [])].map((f) => [f, value]));

  /** A browser signed in (one SSO session) and seen to be accepted by every front of the place. */
  async function signedIn(place: Place, username: string, password: string): Promise<{ browser: LoginBrowser; cookie: string }> {
    const browser = new LoginBrowser(server.client());
    const page = await browser.login(await browser.open(`${place.prefix}/myaccount`), username, password);
    assert.equal(page.name, 'myaccount');
    assert.deepEqual(await fronts(browser, place), everywhere(place, SIGNED_IN), 'before the change');
    return { browser, cookie: browser.client.cookies.get(SSO_COOKIE)! };
  }

  async function sessionExists(place: Place, cookie: string): Promise<boolean> {
    const tenant = await tenantOf(server, place.domain);
    return (await server.services.sso.findByCookie(cookie, tenant.id, server.services.clock.now())) !== undefined;
  }

  /**
   * After: the old cookie (still in the jar) logs in nowhere, and its session is gone from the store. With
   * `endedByChange` the session must be gone before any front saw the cookie (the change ended it, not the
   * re-check on reuse); without, it must still be there (only the re-check can refuse it).
   */
  async function assertSignedOut(place: Place, signed: { browser: LoginBrowser; cookie: string }, label: string, endedByChange = true): Promise<void> {
    assert.equal(await sessionExists(place, signed.cookie), !endedByChange, `${label}: ${endedByChange ? 'the change ended the session' : 'nothing ended the session yet'}`);
    assert.equal(signed.browser.client.cookies.get(SSO_COOKIE), signed.cookie, 'the browser still sends the old commonAuthId');
    assert.deepEqual(await fronts(signed.browser, place), everywhere(place, OUT), label);
    assert.equal(await sessionExists(place, signed.cookie), false, `${label}: the session is gone`);
  }

  async function lastEvent(user: UserRecord, event: string) {
    return (await server.services.audit.list(user.tenantId, { userId: user.id, event, offset: 0, limit: 1 })).events[0];
  }

  const scim = (place: Place, user: UserRecord, method: string, json?: unknown, auth: [string, string] = ADMIN) =>
    server.client().request(`${place.prefix}/scim2/Users/${user.id}`, { method, ...(json === undefined ? {} : { json }), auth });
  const scimPatch = (user: UserRecord, ...Operations: unknown[]) => scim(home, user, 'PATCH', { schemas: [PATCH_OP], Operations });
  const consolePost = async (user: UserRecord, action: string, fields: Record<string, string> = {}) => {
    const done = await adminConsole.post(await adminConsole.open(`/console/users/${user.id}`), action, fields);
    assert.ok(done.status === 200 && /done=/.test(done.url), `${action}: ${done.status} ${done.url}`);
  };

  // [what, the change, the audit event it writes]
  const changes: [string, (user: UserRecord) => Promise<unknown>, string][] = [
    ['SCIM PATCH active:false', (u) => scimPatch(u, { op: 'replace', value: { active: false } }), 'account.disabled'],
    ['SCIM PUT active:false', (u) => scim(home, u, 'PUT', { userName: u.username, active: false }), 'account.disabled'],
    ['SCIM PATCH accountLocked:true', (u) => scimPatch(u, { op: 'replace', path: 'urn:scim:wso2:schema:accountLocked', value: true }), 'account.locked'],
    ['SCIM PATCH password', (u) => scimPatch(u, { op: 'replace', path: 'password', value: 'a brand new password' }), 'password.changed'],
    ['SCIM DELETE', (u) => scim(home, u, 'DELETE'), 'user.deleted'],
    ['console lock', (u) => consolePost(u, '/lock'), 'account.locked'],
    ['console disable', (u) => consolePost(u, '/disable'), 'account.disabled'],
    ['console set password', (u) => consolePost(u, '/password', { password: 'a brand new password', repeat: 'a brand new password' }), 'password.changed'],
    ['console TOTP reset', async (u) => (await server.services.claimValues.set(u, { [CLAIMS.totpEnabled]: 'true' }), consolePost(u, '/reset-totp')), 'totp.reset'],
    ['console delete', (u) => consolePost(u, '/delete', { confirm: 'yes' }), 'user.deleted'],
  ];

  for (const [what, change, event] of changes) {
    test(`${what}: the old commonAuthId logs in nowhere (SAML SSO, My Account), and the event names the admin`, async () => {
      const { user, username, password } = await createUser(server);
      const signed = await signedIn(home, username, password);
      const other = await signedIn(home, username, password);
      const r = await change(user);
      if (r && typeof r === 'object' && 'status' in r) assert.ok((r.status as number) < 300, `${what}: HTTP ${String(r.status)}`);
      await assertSignedOut(home, signed, what);
      await assertSignedOut(home, other, `${what}, a second browser`);
      const e = await lastEvent(user, event);
      assert.equal(e?.actor, 'admin', `${what}: the actor is the admin`);
      assert.equal(e?.username, username);
      assert.equal(e?.application, what.startsWith('SCIM') ? 'SCIM' : 'Console');
    });
  }

  test("the tenant's admin: an own password change in the console ends the other browsers' sessions (console too), not this one", async () => {
    const place = await newTenant();
    const victim = await signedIn(place, place.admin.username, place.admin.password);
    const acting = new ConsoleBrowser(server);
    const overview = await acting.signIn(place.admin.username, place.admin.password, `${place.prefix}/console`);
    const done = await acting.post(overview, '/console/password', { current: place.admin.password, password: 'another long password', repeat: 'another long password' });
    assert.match(done.url, /done=password-changed/);
    await assertSignedOut(place, victim, 'own password change');
    assert.equal((await acting.open(`${place.prefix}/console`)).name, 'console', 'the session the change was made from stays');
    const user = (await server.services.users.find(await tenantOf(server, place.domain), 'boss'))!;
    assert.equal((await lastEvent(user, 'password.changed'))?.actor, 'boss');
  });

  test("the tenant's admin: a password set through SCIM, or a TOTP reset in the console, ends the console session too", async () => {
    const place = await newTenant();
    const tenant = await tenantOf(server, place.domain);
    const boss = (await server.services.users.find(tenant, 'boss'))!;
    const victim = await signedIn(place, place.admin.username, place.admin.password);
    const r = await scim(place, boss, 'PATCH', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'a third long password' }] }, ['boss', place.admin.password]);
    assert.equal(r.status, 200, r.text);
    await assertSignedOut(place, victim, 'SCIM password');

    const again = await signedIn(place, 'boss', 'a third long password');
    const acting = new ConsoleBrowser(server);
    await acting.signIn('boss', 'a third long password', `${place.prefix}/console`);
    await server.services.claimValues.set(boss, { [CLAIMS.totpEnabled]: 'true' });
    const reset = await acting.post(await acting.open(`${place.prefix}/console/users/${boss.id}`), '/reset-totp');
    assert.match(reset.url, /done=totp-reset/);
    await assertSignedOut(place, again, 'own TOTP reset');
    assert.equal((await lastEvent(boss, 'totp.reset'))?.actor, 'boss');
  });

  test("the tenant's admin cannot be disabled, locked or deleted through SCIM or the console; nothing ends", async () => {
    const tenant = await tenantOf(server);
    const admin = (await server.services.users.find(tenant, 'admin'))!;
    const withConsole = { ...home, admin: ADMIN_PAIR };
    const mine = await signedIn(withConsole, 'admin', 'admin');
    for (const r of [
      await scimPatch(admin, { op: 'replace', value: { active: false } }),
      await scimPatch(admin, { op: 'replace', path: 'urn:scim:wso2:schema:accountLocked', value: true }),
      await scim(home, admin, 'DELETE'),
    ]) {
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json<{ code: string }>().code, 'USR-40301');
    }
    const forced = await adminConsole.postRaw(`/console/users/${admin.id}/lock`, new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec((await adminConsole.open('/console')).html)![1]! }).toString());
    assert.equal(forced.status, 400);
    assert.match(forced.html, /cannot be deleted, disabled or locked/);
    assert.deepEqual(await fronts(mine.browser, withConsole), everywhere(withConsole, SIGNED_IN), 'the admin is still signed in everywhere');
    assert.equal((await server.services.lockout.accountState(admin, server.services.clock.now())).usable, true);
  });

  // Changes made around the admin service (straight in the store): nothing ended the session, reuse refuses it.
  const direct: [string, (user: UserRecord) => Promise<void>][] = [
    ['disabled', (u) => server.services.security.update(u, { accountDisabled: true })],
    ['locked until later', (u) => server.services.security.update(u, { accountLocked: true, lockedReason: 'AdminInitiated', unlockTime: server.services.clock.now() + 3_600_000 })],
    ['deleted', (u) => server.services.users.delete(u)],
  ];
  for (const [what, change] of direct) {
    test(`reuse re-reads the account: ${what} without ending sessions, the console, My Account and SAML refuse the session`, async () => {
      const place = await newTenant();
      const signed = await signedIn(place, place.admin.username, place.admin.password);
      await change((await server.services.users.find(await tenantOf(server, place.domain), 'boss'))!);
      await assertSignedOut(place, signed, what, false);
    });
  }

  test('a login in progress on an SSO session that ends cannot finish: it fails, and the next one asks for the password', async () => {
    const app = await samlApp(server, { steps: [['BasicAuthenticator'], ['totp']] });
    const sp = serviceProvider(server, app, await idpMetadata(server));
    const { user, username, password } = await createUser(server);
    const { browser } = await signedIn(home, username, password);
    const enrol = await startRedirect(browser, sp);
    assert.equal(enrol.name, 'totp_enroll.do', 'the password step came from the SSO session');
    assert.equal((await scimPatch(user, { op: 'replace', value: { active: false } })).status, 200);
    const after = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    assert.equal(after.name, 'error.do');
    assert.match(after.html, /Your session ended while you were signing in/);
    assert.equal((await startRedirect(browser, sp)).name, 'login.do');
  });

  test('a lock by failed password attempts still ends the sessions of every browser', async () => {
    const { user, username, password } = await createUser(server);
    const signed = await signedIn(home, username, password);
    const attacker = new LoginBrowser(server.client());
    let page = await attacker.open('/myaccount');
    for (let i = 0; i < 5; i++) page = await attacker.login(page, username, 'not the password');
    assert.equal((await server.services.lockout.status(user, server.services.clock.now())).locked, true);
    await assertSignedOut(home, signed, 'locked by failed attempts');
  });

  test("the console's audit page shows who made each change", async () => {
    const { user, username } = await createUser(server);
    await consolePost(user, '/lock');
    const page = await adminConsole.open('/console/audit?event=account.locked');
    assert.match(page.html, new RegExp(`<td>account\\.locked</td><td>success</td><td>${username}</td><td>admin</td><td>Console</td>`));
  });
});
