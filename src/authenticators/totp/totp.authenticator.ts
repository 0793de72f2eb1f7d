// The TOTP authenticator (WSO2's "totp"), the second step after a step that identified the user.
// Decision on entry (seed guide, "To enable scanning QR code during authentication flow"):
//   enrolled -> code page; not enrolled and enrolUserInAuthenticationFlow -> enrolment page (QR);
//   not enrolled, no in-flow enrolment, authenticationMandatory -> error page; not mandatory -> step skipped.
// A code is accepted once (PreventTOTPCodeReuse), wrong codes count toward locking the account, and a locked
// account ends the login.
import { CLAIMS } from '../../claims/local-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import { createTotpVerifier, decodeSecret, isWellFormedCode, type SecretEncoding } from '../../totp/index.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { Authenticator, Failure, FormFields, StepContext, StepOutcome } from '../authenticator.ts';
import { clearPending, enrolmentPageData, ensurePending, isEnrolling, markEnrolling, pendingSecret, saveSecret } from './enrolment.ts';
import { engineParams } from './totp-settings.ts';
import type { TotpDeps } from './totp-deps.ts';
import { lockFailure, sendEmailCode, unusableOutcome } from './totp-failures.ts';

export function createTotpAuthenticator(deps: TotpDeps): Authenticator {
  const { settings, claimValues, lockout, keyring } = deps;

  function userOf(ctx: StepContext): UserRecord {
    if (!ctx.user) throw new AppError('FLW-40002', { description: 'TOTP needs a user identified by an earlier step.' });
    return ctx.user;
  }

  async function storedSecret(user: UserRecord, fallback: SecretEncoding): Promise<{ text: string; encoding: SecretEncoding } | undefined> {
    const values = await deps.secrets.read(user, [CLAIMS.secretKey, CLAIMS.encoding]);
    const text = values[CLAIMS.secretKey];
    if (!text) return undefined;
    // Decode with the encoding the secret was stored in, so changing encodingMethod later does not break users.
    const encoding = values[CLAIMS.encoding] === 'Base64' || values[CLAIMS.encoding] === 'Base32' ? (values[CLAIMS.encoding] as SecretEncoding) : fallback;
    return { text, encoding };
  }

  async function decide(ctx: StepContext): Promise<StepOutcome> {
    const user = userOf(ctx);
    const refused = await unusableOutcome(deps, ctx, user);
    if (refused) return refused;
    const params = await settings.forTenant(ctx.tenant);
    if (await storedSecret(user, params.encodingMethod)) {
      clearPending(ctx);
      return { kind: 'show', view: 'totp' };
    }
    if (isEnrolling(ctx)) return { kind: 'show', view: 'totp' };
    if (params.enrolUserInAuthenticationFlow) {
      ensurePending(ctx, keyring, params);
      return { kind: 'show', view: 'enroll' };
    }
    if (params.authenticationMandatory) return { kind: 'fail', view: 'error', failure: { reason: 'totp.not.enrolled' } };
    return { kind: 'skip' };
  }

  async function verify(ctx: StepContext, token: string): Promise<StepOutcome> {
    const user = userOf(ctx);
    const params = await settings.forTenant(ctx.tenant);
    // A cheap early answer for a login that is already over; the decisive check is in the statement that
    // accepts the code (acceptTotpStep, emailCodes.consume), so a lock that lands after this read still wins.
    const refused = await unusableOutcome(deps, ctx, user);
    if (refused) return refused;
    const stored = await storedSecret(user, params.encodingMethod);
    const secret = stored ?? (isEnrolling(ctx) ? pendingSecret(ctx, keyring) : undefined);
    if (!secret) return decide(ctx);
    const result = createTotpVerifier(decodeSecret(secret.text, secret.encoding), engineParams(params)).verify(token, ctx.now);
    let ok = false;
    let reason = 'totp.invalid';
    if (result.valid) {
      // One conditional update decides: the account is usable and (RFC 6238 section 5.2) the step is new.
      ok = await deps.security.acceptTotpStep(user, result.step, { preventReuse: params.PreventTOTPCodeReuse });
      if (!ok) {
        // Refused: either the account locked meanwhile (end the login as locked, not as a reused code) or reuse.
        const nowRefused = await unusableOutcome(deps, ctx, user);
        if (nowRefused) return nowRefused;
        reason = 'totp.reused';
      }
    } else if (stored && isWellFormedCode(token, params.digits)) {
      ok = await deps.emailCodes.consume(user, token, ctx.now);
    }
    if (!ok) {
      const counted = await lockout.recordFailure(user, 'totp', ctx.now, params.EnableAccountLockingForFailedAttempts);
      if (counted.lockedNow) {
        await deps.audit.record({ tenantId: ctx.tenant.id, event: 'account.locked', outcome: 'success', user, application: ctx.application.name, authenticator: 'totp', reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', traceId: ctx.traceId });
        return { kind: 'fail', view: 'error', failure: lockFailure({ reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', unlockTime: counted.unlockTime }, params, ctx.now) };
      }
      // Locked by a concurrent request (this counter or the password one), or disabled: the login is over.
      const nowRefused = await unusableOutcome(deps, ctx, user);
      if (nowRefused) return nowRefused;
      const failure: Failure = { reason };
      if (params.showAuthFailureReason && Number.isFinite(counted.remaining)) {
        failure.details = { remainingAttempts: counted.remaining };
        failure.params = { errorCode: '17002', remainingAttempts: String(counted.remaining) };
      }
      return { kind: 'retry', view: 'totp', failure };
    }
    await lockout.recordSuccess(user, 'totp');
    if (!stored) {
      await saveSecret(claimValues, user, secret);
      await deps.audit.record({ tenantId: ctx.tenant.id, event: 'totp.enrolled', outcome: 'success', user, application: ctx.application.name, authenticator: 'totp', traceId: ctx.traceId });
    }
    clearPending(ctx);
    delete ctx.state.emailSentTo;
    return { kind: 'success', user, amr: ['otp'] };
  }

  return {
    name: 'totp',
    aliases: ['TOTPAuthenticator'],
    displayName: 'TOTP',
    amr: ['otp'],
    identifiesUser: false,
    pageType: 'totp',
    enabled: () => settings.enabled(),
    begin: decide,

    canHandle(form: FormFields): boolean {
      return form.token !== undefined || form.sendToken !== undefined || form.ENABLE_TOTP !== undefined;
    },

    async submit(ctx: StepContext, form: FormFields): Promise<StepOutcome> {
      if (form.sendToken !== undefined) return sendEmailCode(deps, ctx, userOf(ctx), (u, enc) => storedSecret(u, enc));
      if (form.ENABLE_TOTP === 'true') {
        if (!pendingSecret(ctx, keyring)) return decide(ctx);
        markEnrolling(ctx);
        return { kind: 'show', view: 'totp' };
      }
      if (form.ENABLE_TOTP === 'false') {
        clearPending(ctx);
        const params = await settings.forTenant(ctx.tenant);
        if (await storedSecret(userOf(ctx), params.encodingMethod)) return decide(ctx);
        return params.authenticationMandatory ? { kind: 'fail', view: 'error', failure: { reason: 'totp.not.enrolled' } } : { kind: 'skip' };
      }
      return verify(ctx, form.token ?? '');
    },

    async describe(ctx: StepContext, view: string, failure: Failure | undefined) {
      const user = userOf(ctx);
      const params = await settings.forTenant(ctx.tenant);
      if (view === 'enroll') {
        const secret = pendingSecret(ctx, keyring);
        if (!secret) throw new AppError('FLW-40401');
        const data = await enrolmentPageData(secret, user, await settings.issuerFor(ctx.tenant), params);
        return { template: 'totp_enroll', title: 'Enable TOTP', data: { ...data, failure, hasAlternatives: ctx.hasAlternatives } };
      }
      if (view === 'error') return { template: 'totp_error', title: 'Authentication failed', data: { failure, applicationName: ctx.application.name } };
      const enrolled = (await storedSecret(user, params.encodingMethod)) !== undefined;
      return {
        template: 'totp',
        title: 'Authenticating with TOTP',
        data: {
          failure,
          digits: params.digits,
          enrolling: !enrolled && isEnrolling(ctx),
          emailAllowed: enrolled && params.AllowSendingVerificationCodeByEmail,
          emailSentTo: typeof ctx.state.emailSentTo === 'string' ? ctx.state.emailSentTo : undefined,
          hasAlternatives: ctx.hasAlternatives,
        },
      };
    },

    async pageUrl(ctx: StepContext, view: string): Promise<string> {
      const p = await settings.forTenant(ctx.tenant);
      if (view === 'enroll') return p.TOTPAuthenticationEndpointEnableTOTPPage;
      if (view === 'error') return p.TOTPAuthenticationEndpointErrorPage;
      return p.TOTPAuthenticationEndpointURL;
    },
  };
}
