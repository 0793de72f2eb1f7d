import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditMetrics } from './audit-metrics.ts';
import { Metrics } from './metrics.ts';

const user = { id: 'u-1', storeDomain: 'PRIMARY', username: 'alice@example.com' };

async function values(metrics: Metrics, name: string) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
}

test('tenants past the cap count as "other", and so do their applications', async () => {
  const metrics = new Metrics({ maxTenants: 1, maxApplications: 10, poolStats: () => undefined });
  const observe = auditMetrics(metrics, async (id) => `${id}.example`);
  await observe({ tenantId: 'a', event: 'login.completed', outcome: 'success', user, application: 'App' });
  await observe({ tenantId: 'b', event: 'login.completed', outcome: 'success', user, application: 'Other app' });
  const completed = await values(metrics, 'portcullis_logins_completed_total');
  assert.deepEqual(
    completed.map((v) => v.labels),
    [
      { tenant: 'a.example', application: 'App' },
      { tenant: 'other', application: 'other' },
    ],
  );
});

test('applications past the cap count as "other"; no label holds the user', async () => {
  const metrics = new Metrics({ maxTenants: 10, maxApplications: 1, poolStats: () => undefined });
  const observe = auditMetrics(metrics, async () => 'carbon.super');
  await observe({ tenantId: 't', event: 'login.step', outcome: 'failure', user, application: 'First', authenticator: 'totp', reason: 'totp.invalid', traceId: 'trace-1' });
  await observe({ tenantId: 't', event: 'login.step', outcome: 'failure', user, application: 'Second', authenticator: 'totp', reason: 'totp.reused' });
  await observe({ tenantId: 't', event: 'account.locked', outcome: 'success', user, application: 'Second', authenticator: 'totp', reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED' });
  const codes = await values(metrics, 'portcullis_totp_codes_total');
  assert.deepEqual(
    codes.map((v) => [v.labels.application, v.labels.result, v.value]),
    [
      ['First', 'refused', 1],
      ['other', 'replayed', 1],
    ],
  );
  assert.equal((await values(metrics, 'portcullis_account_lockouts_total'))[0]?.labels.reason, 'MAX_TOTP_ATTEMPTS_EXCEEDED');
  const text = await metrics.scrape();
  assert.doesNotMatch(text, /alice|u-1|trace-1/);
});

test('a skipped TOTP step is not a code; events that are not counted leave no series', async () => {
  const metrics = new Metrics({ maxTenants: 10, maxApplications: 10, poolStats: () => undefined });
  const observe = auditMetrics(metrics, async () => 'carbon.super');
  await observe({ tenantId: 't', event: 'login.step', outcome: 'success', user, application: 'App', authenticator: 'totp', reason: 'skipped' });
  await observe({ tenantId: 't', event: 'registry.updated', outcome: 'success', actor: user, application: 'console', reason: '/_system/config/free text' });
  assert.deepEqual((await values(metrics, 'portcullis_totp_codes_total')).length, 0);
  assert.equal((await values(metrics, 'portcullis_login_steps_total'))[0]?.labels.outcome, 'skipped');
  assert.doesNotMatch(await metrics.scrape(), /free text/);
});

test('a login started counts by application and first-step authenticator; emails by template type', async () => {
  const metrics = new Metrics({ maxTenants: 10, maxApplications: 10, poolStats: () => undefined });
  const observe = auditMetrics(metrics, async () => 'carbon.super');
  await observe({ tenantId: 't', event: 'login.started', outcome: 'success', application: 'App', authenticator: 'BasicAuthenticator|totp' });
  await observe({ tenantId: 't', event: 'email.sent', outcome: 'success', user, reason: 'TOTP' });
  await observe({ tenantId: 't', event: 'email.sent', outcome: 'success', user, reason: 'AccountLocked' });
  // The TOTP email seen from the login is the same email: not counted twice.
  await observe({ tenantId: 't', event: 'totp.email_sent', outcome: 'success', user, application: 'App', authenticator: 'totp' });
  assert.deepEqual(
    (await values(metrics, 'portcullis_login_flows_started_total')).map((v) => [v.labels, v.value]),
    [[{ tenant: 'carbon.super', application: 'App', authenticator: 'BasicAuthenticator|totp' }, 1]],
  );
  assert.deepEqual(
    (await values(metrics, 'portcullis_emails_sent_total')).map((v) => [v.labels.type, v.value]),
    [
      ['totp_code', 1],
      ['accountlocked', 1],
    ],
  );
});
