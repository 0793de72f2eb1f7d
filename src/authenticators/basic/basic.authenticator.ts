// Username and password (WSO2's BasicAuthenticator). It identifies the user. Wrong passwords count on the
// password counter (not the TOTP one) and can lock the account; whether a user exists is never revealed:
// unknown user, wrong password and disabled account read the same. Only a user who gave the right password
// learns that the account is locked.
import { CLAIMS } from '../../claims/local-claims.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import type { LockoutService } from '../../users/lockout.ts';
import { parseQualifiedName } from '../../users/qualified-name.ts';
import type { UserService } from '../../users/user-service.ts';
import type { Authenticator, FormFields, StepContext, StepOutcome } from '../authenticator.ts';

export interface BasicDeps {
  users: UserService;
  claimValues: ClaimValueService;
  lockout: LockoutService;
}

const LOGIN_FAILED = { reason: 'login.fail.message' };

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
      const named = parseQualifiedName(username).tenantDomain;
      if (named !== undefined && named !== ctx.tenant.domain) return { kind: 'retry', view: 'login', failure: LOGIN_FAILED };
      const user = await deps.users.authenticate(ctx.tenant, username, password);
      if (!user) {
        const existing = await deps.users.find(ctx.tenant, username);
        if (existing && !(await deps.lockout.status(existing, ctx.now)).locked) await deps.lockout.recordFailure(existing, 'login', ctx.now);
        return { kind: 'retry', view: 'login', failure: LOGIN_FAILED };
      }
      if ((await deps.claimValues.getOne(user, CLAIMS.accountDisabled)) === 'true') return { kind: 'retry', view: 'login', failure: LOGIN_FAILED };
      const lock = await deps.lockout.status(user, ctx.now);
      if (lock.locked) {
        return {
          kind: 'retry',
          view: 'login',
          failure: { reason: 'account.locked', details: { lockedReason: lock.reason ?? undefined, ...(lock.unlockTime ? { unlockTime: lock.unlockTime } : {}) }, params: { errorCode: '17003' } },
        };
      }
      await deps.lockout.recordSuccess(user, 'login');
      delete ctx.state.username;
      return { kind: 'success', user, amr: ['pwd'] };
    },

    async describe(ctx: StepContext, _view, failure) {
      return {
        template: 'login',
        title: 'Sign in',
        data: { username: typeof ctx.state.username === 'string' ? ctx.state.username : '', failure, hasAlternatives: ctx.hasAlternatives },
      };
    },

    async pageUrl(): Promise<string> {
      return 'authenticationendpoint/login.do';
    },
  };
}
