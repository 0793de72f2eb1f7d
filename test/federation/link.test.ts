// Linking from My Account by signing in upstream (issue 12): a home.test user signed in to My Account presses
// "Link your account at X", signs in at the upstream tenant (corp.test, a real OpenID Connect provider on
// loopback), and comes back with that account linked to theirs. Who is signed in never changes and no user is
// provisioned (even with JIT on); an upstream account linked to someone else is refused (IDP-40902); the link
// belongs to the session that started it; an enrolled user needs a code proven in the last 15 minutes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import type { LoginBrowser} from '../support/login-browser.ts';
import { alertText, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { csrfOf, noticeText, signIn } from '../myaccount/support.ts';
import { CORP, HOME, homeIdp, pressLink, SECURITY, startFederationServer, upstreamCallback, upstreamClient } from './support.ts';

describe('linking an upstream account from My Account', () => {
  let server: TestServer;
  let client: { clientId: string; clientSecret: string };

  before(async () => {
    server = await startFederationServer();
    client = await upstreamClient(server);
  });
  after(async () => server?.close());

  const linksOf = async (userId: string) => (await server.services.associations.ofUser((await tenantOf(server, HOME)).id, userId));

  /** The whole link: press, sign in upstream (own browser), come back; returns the page the user lands on. */
  async function link(browser: LoginBrowser, idp: string, upstream: { username: string; password: string }): Promise<Page> {
    const started = await pressLink(browser, await browser.open(SECURITY), idp);
    assert.equal(started.status, 303, started.text.slice(0, 300));
    assert.ok(started.location?.includes(`/t/${CORP}/oauth2/authorize`), `sent upstream: ${started.location}`);
    const callback = await upstreamCallback(server, started.location!, upstream.username, upstream.password);
    return browser.follow(await browser.client.get(callback.pathname + callback.search), callback.pathname);
  }

  test('the upstream account is linked to the signed-in user; nobody else is signed in or provisioned (JIT on)', async () => {
    const idp = `Corp-${uniqueSuffix()}`;
    await homeIdp(server, idp, client, { jit: 'on' });
    const local = await createUser(server, { tenant: HOME });
    const upstream = await createUser(server, { tenant: CORP });
    const { browser } = await signIn(server, local.username, local.password, HOME);
    const security = await browser.open(SECURITY);
    assert.match(security.html, /No account at another identity provider is linked to yours/);

    const done = await link(browser, idp, upstream);
    assert.equal(done.name, 'security', `${done.url} ${alertText(done)}`);
    assert.equal(noticeText(done), 'Your account was linked: you can sign in with it.');
    assert.match(done.html, new RegExp(`<strong>${idp}</strong>: <code>${upstream.user.id}</code>`), 'the link is listed with the upstream subject');
    const links = await linksOf(local.user.id);
    assert.deepEqual(links.map((l) => l.idpUserId), [upstream.user.id]);
    const home = await tenantOf(server, HOME);
    assert.equal(await server.services.users.find(home, upstream.username), undefined, 'no user was provisioned');
    // Still signed in as the same user: My Account shows them.
    const profile = await browser.open(`/t/${HOME}/myaccount`);
    assert.match(profile.html, new RegExp(local.username));
    const events = (await server.services.audit.list(home.id, { event: 'federation.linked', offset: 0, limit: 10 })).events;
    assert.ok(events.some((e) => e.reason === idp && e.actorId === local.user.id), `audited with the user as actor: ${JSON.stringify(events)}`);

    // Unlink from the page.
    const association = /name="association" value="([^"]+)"/.exec(done.html)![1]!;
    const unlinked = await browser.follow(await browser.client.post(`${SECURITY}/unlink`, { form: { csrf: csrfOf(done), association } }), SECURITY);
    assert.equal(noticeText(unlinked), 'The account was unlinked.', alertText(unlinked));
    assert.deepEqual(await linksOf(local.user.id), []);
  });

  test('a provider with JIT "prompt" asks nothing while linking: the account is linked at once', async () => {
    const idp = `Prompt-${uniqueSuffix()}`;
    await homeIdp(server, idp, client, { jit: 'prompt' });
    const local = await createUser(server, { tenant: HOME });
    const upstream = await createUser(server, { tenant: CORP });
    const { browser } = await signIn(server, local.username, local.password, HOME);
    const done = await link(browser, idp, upstream);
    assert.equal(done.html.includes('name="jitUsername"'), false, 'no "pick a local user name" page');
    assert.equal(noticeText(done), 'Your account was linked: you can sign in with it.', `${done.url} ${alertText(done)}`);
    assert.deepEqual((await linksOf(local.user.id)).map((l) => l.idpUserId), [upstream.user.id]);
  });

  test('an upstream account linked to someone else is refused with a page that says so (IDP-40902)', async () => {
    const idp = `Taken-${uniqueSuffix()}`;
    const idpId = await homeIdp(server, idp, client);
    const home = await tenantOf(server, HOME);
    const [owner, local] = [await createUser(server, { tenant: HOME }), await createUser(server, { tenant: HOME })];
    const upstream = await createUser(server, { tenant: CORP });
    await server.services.associations.link(home.id, idpId, upstream.user.id, owner.user.id, Date.now());
    const { browser } = await signIn(server, local.username, local.password, HOME);
    const refused = await link(browser, idp, upstream);
    assert.equal(refused.status, 409);
    assert.match(alertText(refused), /already linked to another user.*IDP-40902/);
    assert.deepEqual(await linksOf(local.user.id), []);
    assert.equal((await linksOf(owner.user.id)).length, 1, "the owner's link stays");
  });

  test('the link belongs to the session that started it: another session coming back links nothing', async () => {
    const idp = `Bound-${uniqueSuffix()}`;
    await homeIdp(server, idp, client);
    const [alice, bob] = [await createUser(server, { tenant: HOME }), await createUser(server, { tenant: HOME })];
    const upstream = await createUser(server, { tenant: CORP });
    const { browser } = await signIn(server, alice.username, alice.password, HOME);
    const started = await pressLink(browser, await browser.open(SECURITY), idp);
    const callback = await upstreamCallback(server, started.location!, upstream.username, upstream.password);
    // Alice signs out; Bob signs in in the same browser, which then delivers the upstream answer.
    const page = await browser.open(SECURITY);
    await browser.client.post(`/t/${HOME}/myaccount/logout`, { form: { csrf: csrfOf(page) } });
    const bobPage = await browser.login(await browser.open(`/t/${HOME}/myaccount`), bob.username, bob.password);
    assert.equal(bobPage.name, 'myaccount');
    const back = await browser.follow(await browser.client.get(callback.pathname + callback.search), callback.pathname);
    assert.match(alertText(back), /came back to another session/);
    assert.deepEqual(await linksOf(alice.user.id), []);
    assert.deepEqual(await linksOf(bob.user.id), []);
  });

  test('the start is CSRF-protected, and an enrolled user needs a recently proven code', async () => {
    const idp = `StepUp-${uniqueSuffix()}`;
    await homeIdp(server, idp, client);
    const local = await createUser(server, { tenant: HOME });
    const upstream = await createUser(server, { tenant: CORP });
    const secret = new OTPAuth.Secret({ size: 20 });
    const req = { tenant: await tenantOf(server, HOME), actor: local.user, via: 'test', traceId: 't', remoteAddress: '127.0.0.1' };
    await server.services.userAdmin.importTotp(req, local.user, { secret: secret.base32, encoding: 'Base32', algorithm: 'SHA1', digits: 6, period: 30 });
    // My Account signs in with the password only: this session has proven no code.
    const { browser } = await signIn(server, local.username, local.password, HOME);
    const page = await browser.open(SECURITY);
    const idpId = /name="idp" value="([^"]+)"/.exec(page.html)![1]!;
    const forged = await browser.client.post(`${SECURITY}/link`, { form: { idp: idpId } });
    assert.equal(forged.status, 403, 'no CSRF token: refused');
    const refused = await browser.follow(await pressLink(browser, page, idp), SECURITY);
    assert.match(alertText(refused), /First confirm it is you/);
    // "Confirm it's you" with a current code, then the link goes through.
    const totp = new OTPAuth.TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
    const confirmed = await browser.submit(refused, { token: totp.generate({ timestamp: server.services.clock.now() }) }, ['action', 'verify']);
    assert.equal(alertText(confirmed), '');
    const done = await link(browser, idp, upstream);
    assert.equal(noticeText(done), 'Your account was linked: you can sign in with it.', alertText(done));
    assert.equal((await linksOf(local.user.id)).length, 1);
  });
});
