// The one policy for checking a password, used by every door that takes one: the login step, HTTP Basic on the
// admin APIs, and later the SOAP service and the token endpoint. (password-policy.ts is the other rule: what a
// new password must look like.)
//
// Order matters. The account state is read before the password is compared: a locked or disabled account is
// refused without the comparison, so guessing gains nothing while the lock holds and a right guess is not
// confirmed by a different answer. Every refusal that skips the comparison (no such user, locked, disabled)
// still spends one hash verification on a fixed dummy hash, so response time does not tell the cases apart.
// Wrong passwords count toward the lock (the 'login' counter); a right one resets that counter.
import { AppError } from '../errors/app-error.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import type { Clock } from '../time/clock.ts';
import { LOCK_REASONS, type AccountState, type LockoutService, type LockStatus } from './lockout.ts';
import { dummyHashFor, type PasswordHasher } from './password-hash.ts';
import { parseQualifiedName } from './qualified-name.ts';
import type { UserService } from './user-service.ts';
import type { PasswordCandidate, UserRecord } from './user-store.ts';

export type PasswordCheckResult =
  /** `account`: the account state read before the comparison (usable then), for a next step of the same request. */
  | { ok: true; user: UserRecord; account: AccountState }
  /** No such user, a name in another tenant, an empty password, or a wrong password on a usable account. */
  | { ok: false; refusal: 'invalid' }
  /** The account is locked (perhaps by this very failure); `lock` says until when. */
  | { ok: false; refusal: 'locked'; user: UserRecord; lock: LockStatus }
  | { ok: false; refusal: 'disabled'; user: UserRecord }
  /** The name's store is down (USR-50301) or a bare name is in two stores (USR-40902): said plainly, no hashing. */
  | { ok: false; refusal: 'store'; error: AppError };

export interface PasswordCheckDeps {
  users: UserService;
  lockout: LockoutService;
  hasher: PasswordHasher;
  clock: Clock;
}

export class PasswordCheck {
  constructor(private readonly deps: PasswordCheckDeps) {}

  now(): number {
    return this.deps.clock.now();
  }

  /**
   * Checks `name` (as typed: `bob`, `DOMAIN/bob`, `bob@tenant`) and `password` in `tenant`. Callers show every
   * refusal the same way, except where a tenant chose to say that an account is locked.
   */
  async check(tenant: Tenant, name: string, password: string, now = this.now()): Promise<PasswordCheckResult> {
    try {
      return await this.checkIn(tenant, name, password, now);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'USR-50301' || err.code === 'USR-40902')) return { ok: false, refusal: 'store', error: err };
      throw err;
    }
  }

  private async checkIn(tenant: Tenant, name: string, password: string, now: number): Promise<PasswordCheckResult> {
    const found = await this.find(tenant, name);
    if (!found || password.length === 0) return this.refuse({ ok: false, refusal: 'invalid' }, password);
    const user = found.user;
    const state = await this.deps.lockout.accountState(user, now);
    if (state.disabled) return this.refuse({ ok: false, refusal: 'disabled', user }, password);
    if (state.lock.locked) return this.refuse({ ok: false, refusal: 'locked', user, lock: state.lock }, password);
    const verified = await found.verify(password);
    if (!verified) {
      const counted = await this.deps.lockout.recordFailure(user, 'login', now);
      if (counted.locked) return { ok: false, refusal: 'locked', user, lock: { locked: true, reason: LOCK_REASONS.login, unlockTime: counted.unlockTime } };
      return { ok: false, refusal: 'invalid' };
    }
    // A counter read as 0 needs no reset: skipping the write is the same as the reset happening at that read,
    // with any failure counted since ordered after it.
    if (state.failedLogins > 0) await this.deps.lockout.recordSuccess(user, 'login');
    return { ok: true, user: verified, account: state };
  }

  /**
   * The named user in this tenant, with its password check (one read of the user); a name in another tenant
   * or an unknown user store names nobody.
   */
  private async find(tenant: Tenant, name: string): Promise<PasswordCandidate | undefined> {
    const q = parseQualifiedName(name);
    if (q.tenantDomain !== undefined && q.tenantDomain !== tenant.domain) return undefined;
    if (q.storeDomain !== undefined && !(await this.deps.users.storesOf(tenant)).some((s) => s.domain === q.storeDomain)) return undefined;
    return this.deps.users.findForPassword(tenant, name);
  }

  /** A refusal decided without the user's hash: spend the same work on the dummy hash first. */
  private async refuse<R extends PasswordCheckResult>(result: R, password: string): Promise<R> {
    await this.deps.hasher.verify(await dummyHashFor(this.deps.hasher), password);
    return result;
  }
}
