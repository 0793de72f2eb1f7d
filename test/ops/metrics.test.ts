// The Prometheus endpoint after real logins: a completed login, a replayed code, a wrong code and a lockout
// move their counters (derived from the audit log); latency is labelled by route pattern; no label carries a
// user name, a sessionDataKey or a raw URL; the endpoint wants its bearer token; metrics are off by default.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MY_ACCOUNT_APP } from '../../src/applications/application.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, sessionDataKey, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { scrape, total, type Sample } from './scrape.ts';

const token = randomBytes(32).toString('hex');
const wrongCode = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

describe('metrics', () => {
  let server: TestServer;
  const secrets: string[] = [];

  before(async () => {
    server = await startTestServer({ toml: `[metrics]\nenable = true\nport = 0\ntoken = "${token}"\n` });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  async function atCodePage(username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const page = await browser.login(await browser.open('/myaccount'), username, password);
    assert.equal(page.name, 'totp.do');
    secrets.push(sessionDataKey(page));
    return { browser, page };
  }

  test('the endpoint is on its own loopback port and wants the bearer token', async () => {
    assert.ok(server.metricsUrl, 'metrics enabled');
    assert.match(server.metricsUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${server.metricsUrl}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
    const samples = await scrape(server.metricsUrl, token);
    assert.ok(total(samples, 'process_resident_memory_bytes') > 0, 'process defaults');
    assert.ok(samples.some((s) => s.name.startsWith('nodejs_eventloop_lag')), 'event-loop lag');
    assert.equal(total(samples, 'portcullis_db_pool_connections'), 0, 'SQLite has no pool series');
    assert.ok(!samples.some((s) => s.name === 'portcullis_db_pool_connections'));
  });

  test('a login, a replayed code, a wrong code and a lockout move their counters', async () => {
    const tenant = 'carbon.super';
    const application = MY_ACCOUNT_APP;
    const before = await scrape(server.metricsUrl!, token);
    const alice = await enrolledUser(server);
    secrets.push(alice.username);
    // A completed login with a fresh code.
    await awayFromStepEdge(alice.totp.period);
    const code = codeAt(alice.totp);
    const first = await atCodePage(alice.username, alice.password);
    assert.equal((await first.browser.submit(first.page, { token: code })).name, 'myaccount');
    // The same code again in another login: replayed.
    const second = await atCodePage(alice.username, alice.password);
    assert.equal((await second.browser.submit(second.page, { token: code })).name, 'totp.do');
    // A wrong code.
    assert.equal((await second.browser.submit(second.page, { token: wrongCode(code) })).name, 'totp.do');
    // Bob: five wrong codes lock the account.
    const bob = await enrolledUser(server);
    secrets.push(bob.username);
    const locking = await atCodePage(bob.username, bob.password);
    let page = locking.page;
    for (let i = 0; i < 5; i++) page = await locking.browser.submit(page, { token: wrongCode(codeAt(bob.totp)) });
    assert.equal(page.name, 'totp_error.do');
    // A URL that matches no route, with a user name in it.
    assert.equal((await server.client().get(`/no/such/${alice.username}?sessionDataKey=${first.page.url}`)).status, 404);

    const after = await scrape(server.metricsUrl!, token);
    const moved = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    assert.equal(moved('portcullis_logins_completed_total', { tenant, application }), 3, 'two enrolments and one login');
    assert.equal(moved('portcullis_totp_codes_total', { tenant, application, result: 'accepted' }), 3);
    assert.equal(moved('portcullis_totp_codes_total', { tenant, application, result: 'replayed' }), 1);
    // Alice's wrong code and Bob's first four; the fifth locks the account and counts as the lockout.
    assert.equal(moved('portcullis_totp_codes_total', { tenant, application, result: 'refused' }), 5);
    assert.equal(moved('portcullis_account_lockouts_total', { tenant, reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED' }), 1);
    assert.equal(moved('portcullis_login_failures_total', { tenant, application, authenticator: 'totp', reason: 'totp.reused' }), 1);
    assert.equal(moved('portcullis_login_failures_total', { tenant, application, authenticator: 'totp', reason: 'totp.invalid' }), 5);
    assert.equal(moved('portcullis_login_failures_total', { tenant, application, authenticator: 'totp', reason: 'account.locked' }), 1);
    assert.equal(moved('portcullis_login_steps_total', { tenant, application, authenticator: 'BasicAuthenticator', outcome: 'success' }), 5);
    assert.ok(moved('portcullis_logins_started_total', { front: 'myaccount' }) >= 5, 'a login starts at /myaccount without a session');
    assert.ok(moved('portcullis_http_request_duration_seconds_count', { method: 'POST', route: '/commonauth' }) > 0, 'latency by route pattern');
    assert.ok(moved('portcullis_http_request_duration_seconds_count', { route: 'unmatched', status: '404' }) >= 1, 'an unknown URL is one label value');
    assertNoSecretsInLabels(after, secrets);
  });

  function assertNoSecretsInLabels(samples: Sample[], forbidden: string[]) {
    for (const s of samples) {
      for (const [name, value] of Object.entries(s.labels)) {
        for (const f of forbidden) assert.ok(!value.includes(f), `label ${s.name}{${name}} must not hold ${f}`);
        if (name === 'route') assert.ok(value === 'unmatched' || (value.startsWith('/') && !value.includes('?')), `route label is a pattern: ${value}`);
      }
    }
  }
});

describe('metrics off by default', () => {
  test('no metrics endpoint without [metrics] enable', async () => {
    const server = await startTestServer();
    try {
      assert.equal(server.metricsUrl, undefined);
    } finally {
      await server.close();
    }
  });
});
