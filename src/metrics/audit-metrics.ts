// Turns audit events into counters: the audit log is the one door every login step, TOTP check, lockout and
// email passes through (audit/audit-log.ts), so metrics cannot drift from what is audited. Only code-defined
// values (authenticator names, reason codes, outcomes) and bounded tenant and application names become
// labels; the user, the actor, the trace id and free-text reasons never do.
import type { ObservedEvent } from '../audit/audit-log.ts';
import { LabelLimiter, OTHER } from './label-limiter.ts';
import type { Metrics } from './metrics.ts';

/** The tenant's domain for its id (cached by the tenant service), undefined if it is gone. */
export type TenantDomainOf = (tenantId: string) => Promise<string | undefined>;

// Reason codes come from the code (login.fail.message, totp.invalid, ...); capped anyway, since a future
// event might carry free text in `reason`.
const MAX_REASONS = 64;

// Which TOTP check result a login step or My Account validation means; other failures (locked, email
// refused) are not a judgement on a code.
const TOTP_RESULT: Record<string, string> = { 'totp.invalid': 'refused', invalid: 'refused', 'totp.reused': 'replayed', reused: 'replayed' };

// The email's template type (a code-defined name) as the `type` label; TOTP keeps the name it had before
// other emails were counted.
const EMAIL_TYPE: Record<string, string> = { TOTP: 'totp_code' };
const emailType = (template: string | undefined) => EMAIL_TYPE[template ?? ''] ?? (template ?? 'unknown').toLowerCase();

export function auditMetrics(metrics: Metrics, tenantDomainOf: TenantDomainOf): (event: ObservedEvent) => Promise<void> {
  const reasons = new LabelLimiter(MAX_REASONS);
  return async (event) => {
    const tenant = metrics.tenants.label((await tenantDomainOf(event.tenantId)) ?? 'unknown');
    const application = tenant === OTHER ? OTHER : metrics.applications.label(`${tenant}/${event.application ?? 'none'}`).replace(/^[^/]*\//, '');
    const authenticator = event.authenticator ?? 'none';
    const reason = reasons.label(event.reason ?? 'none');
    switch (event.event) {
      case 'login.started':
        metrics.loginFlowsStarted.inc({ tenant, application, authenticator });
        return;
      case 'login.step': {
        const skipped = event.outcome === 'success' && event.reason === 'skipped';
        metrics.loginSteps.inc({ tenant, application, authenticator, outcome: skipped ? 'skipped' : event.outcome });
        if (event.outcome === 'failure') metrics.loginFailures.inc({ tenant, application, authenticator, reason });
        if (authenticator === 'totp' && !skipped) countCode(metrics, event, tenant, application);
        return;
      }
      case 'totp.validated':
        return countCode(metrics, event, tenant, application);
      case 'login.completed':
        metrics.loginsCompleted.inc({ tenant, application });
        return;
      case 'login.failed':
        metrics.loginFailures.inc({ tenant, application, authenticator, reason });
        return;
      case 'account.locked':
        metrics.lockouts.inc({ tenant, reason });
        return;
      // Every email, whatever its type, from the one door that sends them (notifications/); the TOTP
      // authenticator's totp.email_sent is the same email seen from the login, so it is not counted again.
      case 'email.sent':
        metrics.emailsSent.inc({ tenant, type: emailType(event.reason) });
        return;
      default:
        return;
    }
  };
}

function countCode(metrics: Metrics, event: ObservedEvent, tenant: string, application: string): void {
  const result = event.outcome === 'success' ? 'accepted' : TOTP_RESULT[event.reason ?? ''];
  if (result) metrics.totpCodes.inc({ tenant, application, result });
}
