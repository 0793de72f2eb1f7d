// The audit events behind the metrics that were missing: a login started (by application and first-step
// authenticator), a lockout by wrong passwords, and every email sent whatever its type. A login started and an
// email sent are notices: counted by the observers, never stored (anyone can start a login), while the
// password lockout is stored like the TOTP one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MY_ACCOUNT_APP } from '../../src/applications/application.ts';
import type { ObservedEvent } from '../../src/audit/audit-log.ts';
import { createUser, setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { scrape, total } from './scrape.ts';

const token = randomBytes(32).toString('hex');
const tenant = 'carbon.super';

describe('audit events for logins started, password lockouts and emails', () => {
  let server: TestServer;
  const observed: ObservedEvent[] = [];

  before(async () => {
    server = await startTestServer({ toml: `[metrics]\nenable = true\nport = 0\ntoken = "${token}"\n` });
    server.services.audit.observe((e) => void observed.push(e));
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  const moved = async (before: Awaited<ReturnType<typeof scrape>>, name: string, labels: Record<string, string>) =>
    total(await scrape(server.metricsUrl!, token), name, labels) - total(before, name, labels);
  const stored = async (event: string) => (await server.services.audit.list((await tenantOf(server)).id, { event, offset: 0, limit: 100 })).events;

  test('a login started counts by application and the first step authenticator, and is not stored', async () => {
    const before = await scrape(server.metricsUrl!, token);
    const page = await new LoginBrowser(server.client()).open('/myaccount');
    assert.equal(page.name, 'login.do');
    await new LoginBrowser(server.client()).open('/myaccount');
    assert.equal(await moved(before, 'portcullis_login_flows_started_total', { tenant, application: MY_ACCOUNT_APP, authenticator: 'BasicAuthenticator' }), 2);
    const started = observed.filter((e) => e.event === 'login.started');
    assert.ok(started.length >= 2);
    assert.equal(started.at(-1)!.application, MY_ACCOUNT_APP);
    assert.equal(started.at(-1)!.user, undefined, 'nobody is known when a login starts');
    assert.equal((await stored('login.started')).length, 0);
  });

  test('wrong passwords that lock an account record account.locked once, and count as a lockout', async () => {
    const { user, username } = await createUser(server, { prefix: 'pwlock' });
    const before = await scrape(server.metricsUrl!, token);
    const browser = new LoginBrowser(server.client());
    let page = await browser.open('/myaccount');
    // allowed_failed_attempts is 5 by default: the fifth wrong password locks.
    for (let i = 0; i < 5; i++) page = await browser.login(page, username, `wrong password ${i}`);
    const locked = (await stored('account.locked')).filter((e) => e.userId === user.id);
    assert.equal(locked.length, 1);
    assert.equal(locked[0]!.reason, 'MAX_ATTEMPTS_EXCEEDED');
    assert.equal(locked[0]!.authenticator, 'BasicAuthenticator');
    assert.equal(await moved(before, 'portcullis_account_lockouts_total', { tenant, reason: 'MAX_ATTEMPTS_EXCEEDED' }), 1);
    // A further wrong password on the locked account is refused before the comparison: no second event.
    await browser.login(page, username, 'wrong again');
    assert.equal((await stored('account.locked')).filter((e) => e.userId === user.id).length, 1);
  });

  test('wrong passwords on an HTTP Basic door lock too, and are recorded the same way', async () => {
    const { user, username } = await createUser(server, { prefix: 'basiclock' });
    for (let i = 0; i < 5; i++) {
      const res = await server.client().get('/scim2/Users', { auth: [username, `wrong ${i}`] });
      assert.equal(res.status, 401);
    }
    const locked = (await stored('account.locked')).filter((e) => e.userId === user.id);
    assert.deepEqual(locked.map((e) => e.reason), ['MAX_ATTEMPTS_EXCEEDED']);
  });

  test('an email sent outside a login counts, by template type, from the one door that sends mail', async () => {
    const { user } = await createUser(server, { prefix: 'mail', email: 'mail@example.com' });
    const before = await scrape(server.metricsUrl!, token);
    await server.services.notifications.sendEmail({ tenant: await tenantOf(server), user, type: 'TOTP', values: { token: '123456' } });
    assert.equal(await moved(before, 'portcullis_emails_sent_total', { tenant, type: 'totp_code' }), 1);
    const sent = observed.filter((e) => e.event === 'email.sent');
    assert.equal(sent.at(-1)!.reason, 'TOTP');
    assert.equal(sent.at(-1)!.user?.id, user.id);
    assert.equal((await stored('email.sent')).length, 0);
    assert.equal((await stored('totp.email_sent')).length, 0, 'not a login: no TOTP email event');
  });
});
