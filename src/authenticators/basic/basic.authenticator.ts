// Username and password (WSO2's BasicAuthenticator). It identifies the user through the one password policy
// (users/password-check.ts): a locked or disabled account is refused before the password is compared, wrong
// passwords count on the password counter (not the TOTP one) and can lock the account. The page says the same
// for an unknown user, a wrong password, a disabled and a locked account, so it reveals neither which names
// exist nor whether a guess was right. One exception, the tenant's choice: with the TOTP parameter
// showAuthFailureReason on, a locked account says it is locked and until when (WSO2's errorCode 17003 on the
// page URL), whatever password was typed.
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { PasswordCheck } from '../../users/password-check.ts';
import type { TotpParameters } from '../../config/index.ts';
import type { Authenticator, Failure, FormFields, StepContext, StepOutcome } from '../authenticator.ts';
import { lockFailure } from '../totp/totp-failures.ts';

export interface BasicDeps {
  passwords: PasswordCheck;
  /** The tenant's TOTP parameters: showAuthFailureReason decides whether a lock may be named. */
  failureSettings: { forTenant(tenant: Tenant): Promise<TotpParameters> };
  /** [authentication.endpoints] login_url: our login.do, or a login page on another host. */
  loginUrl?: string;
}

const LOGIN_FAILED: Failure = { reason: 'login.fail.message' };

export function createBasicAuthenticator(deps: BasicDeps): Authenticator {
  return {
    name: 'BasicAuthenticator',
    aliases: ['basic'],
    displayName: 'Username & Password',
    amr: ['pwd'],
    identifiesUser: true,
    pageType: 'BasicAuthenticator',
    enabled: () => true,

    async begin(): Promise<StepOutcome> {
      return { kind: 'show', view: 'login' };
    },

    canHandle(form: FormFields): boolean {
      return form.username !== undefined || form.password !== undefined;
    },

    async submit(ctx: StepContext, form: FormFields): Promise<StepOutcome> {
      const username = (form.username ?? '').trim();
      const password = form.password ?? '';
      ctx.state.username = username.slice(0, 255);
      if (!username || !password) return { kind: 'retry', view: 'login', failure: LOGIN_FAILED };
      const result = await deps.passwords.check(ctx.tenant, username, password, ctx.now);
      if (!result.ok) {
        // A store that is down, or a bare name in two stores, is said plainly: it reveals no password.
        if (result.refusal === 'store') return { kind: 'retry', view: 'login', failure: { reason: result.error.code === 'USR-40902' ? 'login.fail.ambiguous' : 'login.fail.store' } };
        if (result.refusal === 'locked') {
          const params = await deps.failureSettings.forTenant(ctx.tenant);
          if (params.showAuthFailureReason) return { kind: 'retry', view: 'login', failure: lockFailure(result.lock, params, ctx.now) };
        }
        return { kind: 'retry', view: 'login', failure: LOGIN_FAILED };
      }
      delete ctx.state.username;
      return { kind: 'success', user: result.user, amr: ['pwd'], account: result.account };
    },

    async describe(ctx: StepContext, _view, failure) {
      return {
        template: 'login',
        title: 'Sign in',
        data: { username: typeof ctx.state.username === 'string' ? ctx.state.username : '', failure, hasAlternatives: ctx.hasAlternatives },
      };
    },

    async pageUrl(): Promise<string> {
      return deps.loginUrl ?? 'authenticationendpoint/login.do';
    },
  };
}
