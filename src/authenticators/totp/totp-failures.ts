// Failures the TOTP step shows, and the "Get a Verification Code" email.
import { CLAIMS } from '../../claims/local-claims.ts';
import type { TotpParameters } from '../../config/index.ts';
import type { LockStatus } from '../../users/lockout.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { Failure, StepContext, StepOutcome } from '../authenticator.ts';
import type { TotpDeps } from './totp-deps.ts';

/**
 * The locked-account failure, with WSO2's USER_IS_LOCKED error code (17003) for external pages: the page says
 * the account is locked; reason and time only with showAuthFailureReason.
 */
export function lockFailure(lock: Pick<LockStatus, 'reason' | 'unlockTime'>, params: TotpParameters, now: number): Failure {
  const failure: Failure = { reason: 'account.locked', params: { errorCode: '17003', authFailureMsg: params.accountLockAuthFailureMessage } };
  if (params.showAuthFailureReason) {
    failure.details = { ...(lock.reason ? { lockedReason: lock.reason } : {}), ...(lock.unlockTime ? { unlockTime: lock.unlockTime } : {}) };
    if (lock.reason) failure.params!.lockedReason = lock.reason;
    if (lock.unlockTime) failure.params!.unlockTime = String(Math.max(1, Math.round((lock.unlockTime - now) / 60_000)));
  }
  return failure;
}

/**
 * The end of the login when the account is not usable (locked or disabled); undefined when it is. The state the
 * password step read in this same request is used when it is this user's (one read fewer per password POST).
 */
export async function unusableOutcome(deps: TotpDeps, ctx: StepContext, user: UserRecord): Promise<StepOutcome | undefined> {
  const state = (ctx.account && ctx.user?.id === user.id ? ctx.account : undefined) ?? (await deps.lockout.accountState(user, ctx.now));
  if (state.usable) return undefined;
  if (state.disabled) return { kind: 'fail', view: 'error', failure: { reason: 'login.failed' } };
  return { kind: 'fail', view: 'error', failure: lockFailure(state.lock, await deps.settings.forTenant(ctx.tenant), ctx.now) };
}

/** a•••@example.com: enough for the user to recognise the address, not enough to harvest it. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${address[0]}•••${address.slice(at)}`;
}

export async function sendEmailCode(
  deps: TotpDeps,
  ctx: StepContext,
  user: UserRecord,
  enrolled: (user: UserRecord) => Promise<boolean>,
): Promise<StepOutcome> {
  const params = await deps.settings.forTenant(ctx.tenant);
  const retry = (reason: string): StepOutcome => ({ kind: 'retry', view: 'totp', failure: { reason } });
  if (!params.AllowSendingVerificationCodeByEmail) return retry('totp.email.disabled');
  const refused = await unusableOutcome(deps, ctx, user);
  if (refused) return refused;
  // Mid-enrolment the user has not proven the new secret yet; an email code must not stand in for that.
  if (!(await enrolled(user))) return retry('totp.email.not_enrolled');
  const address = await deps.claimValues.getOne(user, CLAIMS.email);
  if (!address) return retry('totp.email.no_address');
  // The code lives as long as the TOTP window spans (timeStepSize x windowSize).
  const ttlMs = params.timeStepSize * params.windowSize * 1000;
  const issued = await deps.emailCodes.issue(user, params.digits, ttlMs, ctx.now);
  if (!issued.issued) return retry('totp.email.rate_limited');
  await deps.sendEmail(ctx.tenant, user, { token: issued.code, 'expiry-minutes': String(Math.max(1, Math.round(ttlMs / 60_000))) });
  await deps.audit.record({ tenantId: ctx.tenant.id, event: 'totp.email_sent', outcome: 'success', user, application: ctx.application.name, authenticator: 'totp', traceId: ctx.traceId });
  ctx.state.emailSentTo = maskEmail(address);
  return { kind: 'show', view: 'totp', notice: 'totp.email.sent' };
}
