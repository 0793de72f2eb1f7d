// The TOTP authenticator (WSO2's "totp"), the second step after a step that identified the user.
// Decision on entry (seed guide, "To enable scanning QR code during authentication flow"):
//   enrolled -> code page; not enrolled and enrolUserInAuthenticationFlow -> enrolment page (QR);
//   not enrolled, no in-flow enrolment, authenticationMandatory -> error page; not mandatory -> step skipped.
// A code is accepted once (PreventTOTPCodeReuse), wrong codes count toward locking the account, and a locked
// account ends the login.
import type { TotpCheck } from '../../credentials/totp/index.ts';
import { AppError } from '../../errors/app-error.ts';
import { isWellFormedCode } from '../../totp/index.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { Authenticator, Failure, FormFields, StepContext, StepOutcome } from '../authenticator.ts';
import { clearPending, createdPending, enrolmentPageData, enrolWithCode, ensurePending, isEnrolling, issuedPending, markEnrolling, pendingSecret, skeParam } from './enrolment.ts';
import type { TotpDeps } from './totp-deps.ts';
import { lockFailure, sendEmailCode, unusableOutcome } from './totp-failures.ts';
import { firstLoginBegin, firstLoginPage, firstLoginSubmit } from './federated-enrolment.ts';
import { resolveFederatedUser, type Resolution } from './federated-user.ts';

// The rules (window, replay, lock, per-credential parameters) live in the credentials layer
// (credentials/totp/); this step maps its answers to pages.
export function createTotpAuthenticator(deps: TotpDeps): Authenticator {
  const { settings, credentials } = deps;

  function userOf(ctx: StepContext): UserRecord {
    if (!ctx.user) throw new AppError('FLW-40002', { description: 'TOTP needs a user identified by an earlier step.' });
    return ctx.user;
  }

  const enrolled = async (user: UserRecord): Promise<boolean> => (await credentials.status(user)).enrolled;

  /** A skipped step still hands over the local user it found for a federated account. */
  const withFoundUser = (ctx: StepContext, outcome: StepOutcome): StepOutcome => (outcome.kind === 'skip' && ctx.user ? { kind: 'skip', user: ctx.user } : outcome);

  /** After a federated step, the local user the `usecase` names (or a first login, or a refusal). */
  const withUser = async (ctx: StepContext): Promise<Resolution> =>
    ctx.user || !ctx.federated ? { ctx } : resolveFederatedUser(deps.federatedUsers, ctx, await settings.forTenant(ctx.tenant));

  async function decide(ctx: StepContext): Promise<StepOutcome> {
    const user = userOf(ctx);
    const refused = await unusableOutcome(deps, ctx, user);
    if (refused) return refused;
    const params = await settings.forTenant(ctx.tenant);
    if (await enrolled(user)) {
      clearPending(ctx);
      return { kind: 'show', view: 'totp' };
    }
    if (isEnrolling(ctx)) return { kind: 'show', view: 'totp' };
    if (params.enrolUserInAuthenticationFlow) {
      await ensurePending(ctx, credentials, user, params);
      return { kind: 'show', view: 'enroll' };
    }
    if (params.authenticationMandatory) {
      // Without enrolment in the login, a secret handed out elsewhere (TOTPAdminService initTOTP, My Account)
      // still enrols: its first correct code at this step proves it.
      if ((await credentials.status(user)).pending) {
        enrolWithCode(ctx);
        return { kind: 'show', view: 'totp' };
      }
      return { kind: 'fail', view: 'error', failure: { reason: 'totp.not.enrolled' } };
    }
    return { kind: 'skip' };
  }

  async function verify(ctx: StepContext, token: string): Promise<StepOutcome> {
    const user = userOf(ctx);
    const params = await settings.forTenant(ctx.tenant);
    // A cheap early answer for a login that is already over; the decisive check is in the statement that
    // accepts the code (acceptTotpStep in the credentials layer, emailCodes.consume), so a later lock still wins.
    const refused = await unusableOutcome(deps, ctx, user);
    if (refused) return refused;
    // The active credential first (one read, no separate "enrolled?" query): 'none' means not enrolled. The
    // email code stands in for a TOTP code only for an enrolled user (verify tries it only beside an active
    // credential); it has the tenant's digits.
    const alternative = isWellFormedCode(token, params.digits) ? () => deps.emailCodes.consume(user, token, ctx.now) : undefined;
    let result: TotpCheck = await credentials.verify(user, token, ctx.now, params, { alternative });
    let enrolling = false;
    if (!result.ok && result.reason === 'none') {
      if (!isEnrolling(ctx)) return decide(ctx);
      enrolling = true;
      result = await credentials.confirmEnrolment(user, token, ctx.now, params);
    }
    if (!result.ok) {
      if (result.reason === 'none') return decide(ctx);
      if (result.lockedNow) {
        await deps.audit.record({ tenantId: ctx.tenant.id, event: 'account.locked', outcome: 'success', user, application: ctx.application.name, authenticator: 'totp', reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', traceId: ctx.traceId });
        return { kind: 'fail', view: 'error', failure: lockFailure({ reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', unlockTime: result.unlockTime ?? null }, params, ctx.now) };
      }
      // Locked by a concurrent request (this counter or the password one), or disabled: the login is over.
      const nowRefused = await unusableOutcome(deps, ctx, user);
      if (nowRefused) return nowRefused;
      const failure: Failure = { reason: result.reason === 'reused' ? 'totp.reused' : 'totp.invalid' };
      if (params.showAuthFailureReason && result.remaining !== undefined && Number.isFinite(result.remaining)) {
        failure.details = { remainingAttempts: result.remaining };
        failure.params = { errorCode: '17002', remainingAttempts: String(result.remaining) };
      }
      return { kind: 'retry', view: 'totp', failure };
    }
    if (enrolling) {
      await deps.audit.record({ tenantId: ctx.tenant.id, event: 'totp.enrolled', outcome: 'success', user, application: ctx.application.name, authenticator: 'totp', traceId: ctx.traceId });
    }
    clearPending(ctx);
    delete ctx.state.emailSentTo;
    return { kind: 'success', user, amr: ['otp'] };
  }

  async function submitLocal(ctx: StepContext, form: FormFields): Promise<StepOutcome> {
    if (form.sendToken !== undefined) return sendEmailCode(deps, ctx, userOf(ctx), enrolled);
    if (form.ENABLE_TOTP === 'true') {
      if (!issuedPending(ctx) || !(await credentials.status(userOf(ctx))).pending) return decide(ctx);
      markEnrolling(ctx);
      return { kind: 'show', view: 'totp' };
    }
    if (form.ENABLE_TOTP === 'false') {
      const user = userOf(ctx);
      const params = await settings.forTenant(ctx.tenant);
      if (await enrolled(user)) {
        clearPending(ctx);
        return decide(ctx);
      }
      // The user declined: the secret this login made goes (one made elsewhere, or a pending refresh, stays).
      if (createdPending(ctx)) await credentials.cancelEnrolment(user);
      clearPending(ctx);
      return params.authenticationMandatory ? { kind: 'fail', view: 'error', failure: { reason: 'totp.not.enrolled' } } : { kind: 'skip' };
    }
    return verify(ctx, form.token ?? '');
  }

  return {
    name: 'totp',
    aliases: ['TOTPAuthenticator'],
    displayName: 'TOTP',
    amr: ['otp'],
    identifiesUser: false,
    pageType: 'totp',
    enabled: () => settings.enabled(),
    async begin(ctx0: StepContext): Promise<StepOutcome> {
      const r = await withUser(ctx0);
      if ('outcome' in r) return r.outcome;
      if ('firstLogin' in r) return firstLoginBegin(deps, ctx0, await settings.forTenant(ctx0.tenant));
      return withFoundUser(r.ctx, await decide(r.ctx));
    },

    canHandle(form: FormFields): boolean {
      return form.token !== undefined || form.sendToken !== undefined || form.ENABLE_TOTP !== undefined;
    },

    async submit(ctx0: StepContext, form: FormFields): Promise<StepOutcome> {
      const r = await withUser(ctx0);
      if ('outcome' in r) return r.outcome;
      if ('firstLogin' in r) return firstLoginSubmit(deps, ctx0, form, await settings.forTenant(ctx0.tenant), r.firstLogin, deps.federatedUsers!);
      return withFoundUser(r.ctx, await submitLocal(r.ctx, form));
    },

    async describe(ctx0: StepContext, view: string, failure: Failure | undefined) {
      if (view === 'error') return { template: 'totp_error', title: 'Authentication failed', data: { failure, applicationName: ctx0.application.name } };
      const r = await withUser(ctx0);
      if ('outcome' in r) return { template: 'totp_error', title: 'Authentication failed', data: { failure, applicationName: ctx0.application.name } };
      if ('firstLogin' in r) return firstLoginPage(deps, ctx0, view, failure, r.firstLogin.identity);
      const ctx = r.ctx;
      const user = userOf(ctx);
      const params = await settings.forTenant(ctx.tenant);
      if (view === 'enroll') {
        const secret = await pendingSecret(ctx, credentials, user, params);
        if (!secret) throw new AppError('FLW-40401');
        const data = await enrolmentPageData(secret, user, await settings.issuerFor(ctx.tenant), params);
        return { template: 'totp_enroll', title: 'Enable TOTP', data: { ...data, failure, hasAlternatives: ctx.hasAlternatives } };
      }
      if (view === 'error') return { template: 'totp_error', title: 'Authentication failed', data: { failure, applicationName: ctx.application.name } };
      const active = await credentials.active(user, params);
      const isEnrolled = active !== undefined;
      const secret = active ?? (isEnrolling(ctx) ? await pendingSecret(ctx, credentials, user, params) : undefined);
      const emailAllowed = isEnrolled && params.AllowSendingVerificationCodeByEmail;
      return {
        template: 'totp',
        title: 'Authenticating with TOTP',
        data: {
          failure,
          // The credential's own digits; an email code has the tenant's, so the field takes the longer.
          digits: Math.max(secret?.digits ?? params.digits, emailAllowed ? params.digits : 0),
          enrolling: !isEnrolled && isEnrolling(ctx),
          emailAllowed,
          emailSentTo: typeof ctx.state.emailSentTo === 'string' ? ctx.state.emailSentTo : undefined,
          hasAlternatives: ctx.hasAlternatives,
        },
      };
    },

    async externalPageParams(ctx: StepContext, view: string): Promise<Record<string, string>> {
      if (view !== 'enroll' || !settings.secretInEnrolmentUrl()) return {};
      const user = userOf(ctx);
      const params = await settings.forTenant(ctx.tenant);
      const secret = await pendingSecret(ctx, credentials, user, params);
      return secret ? skeParam(secret, user, await settings.issuerFor(ctx.tenant), params) : {};
    },
    async pageUrl(ctx: StepContext, view: string): Promise<string> {
      const p = await settings.forTenant(ctx.tenant);
      if (view === 'enroll') return p.TOTPAuthenticationEndpointEnableTOTPPage;
      if (view === 'error') return p.TOTPAuthenticationEndpointErrorPage;
      return p.TOTPAuthenticationEndpointURL;
    },
  };
}
