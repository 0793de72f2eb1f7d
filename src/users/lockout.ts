// Account locking after failed attempts ([identity_mgt.account_locking], WSO2's keys). Password failures and
// TOTP failures count on separate counters, so bad passwords alone cannot burn the second factor's budget
// and vice versa; either reaching allowed_failed_attempts locks the account for
// auto_unlock_after * ratio^(earlier lockouts) minutes (0 minutes: until an admin unlocks it).
import type { FailureCounter, FailureResult, SecurityState, SecurityStateStore } from './security-state.ts';
import type { UserRecord } from './user-store.ts';

export interface LockPolicy {
  enabled: boolean;
  allowedFailedAttempts: number;
  autoUnlockAfterMinutes: number;
  incrementRatio: number;
}

export interface LockStatus {
  locked: boolean;
  reason: string | null;
  unlockTime: number | null;
}

export interface AccountState {
  usable: boolean;
  disabled: boolean;
  lock: LockStatus;
  /** Failed password attempts as read (a success need not reset a counter that was 0). */
  failedLogins: number;
}

export const LOCK_REASONS = {
  login: 'MAX_ATTEMPTS_EXCEEDED',
  totp: 'MAX_TOTP_ATTEMPTS_EXCEEDED',
} as const;

export class LockoutService {
  constructor(
    private readonly security: SecurityStateStore,
    readonly policy: LockPolicy,
    /** Called once when an account becomes locked (e.g. to end its SSO sessions), with the counter that locked it. */
    private readonly onLocked: (user: UserRecord, counter: FailureCounter) => Promise<void> = async () => {},
  ) {}

  /** Lock status now; a lock whose time has passed is lifted on the way. */
  async status(user: UserRecord, now: number): Promise<LockStatus> {
    return this.lockOf(user, await this.security.get(user), now);
  }

  /**
   * Whether the account may be used now: neither disabled nor locked (a lock whose time has passed is lifted).
   * One read of the user's security row; every path that lets a user in (password, second factor, SSO reuse,
   * an API session) asks this.
   */
  async accountState(user: UserRecord, now: number): Promise<AccountState> {
    const s = await this.security.get(user);
    const lock = await this.lockOf(user, s, now);
    // Disabled here (an admin) or in the user's own store (AD's userAccountControl).
    const disabled = s.accountDisabled || user.disabled === true;
    return { usable: !disabled && !lock.locked, disabled, lock, failedLogins: s.failedLoginAttempts };
  }

  private async lockOf(user: UserRecord, s: SecurityState, now: number): Promise<LockStatus> {
    if (!s.accountLocked) return { locked: false, reason: null, unlockTime: null };
    if (s.unlockTime !== null && s.unlockTime <= now && (await this.security.unlockIfExpired(user, now))) {
      return { locked: false, reason: null, unlockTime: null };
    }
    return { locked: true, reason: s.lockedReason, unlockTime: s.unlockTime };
  }

  /** Counts a failure when locking is enabled; returns the counter and whether the account is now locked. */
  async recordFailure(user: UserRecord, counter: FailureCounter, now: number, countEnabled = true): Promise<FailureResult & { remaining: number }> {
    const p = this.policy;
    if (!p.enabled || !countEnabled) return { count: 0, locked: false, lockedNow: false, unlockTime: null, remaining: Number.POSITIVE_INFINITY };
    const result = await this.security.registerFailure(
      user,
      counter,
      {
        maxAttempts: p.allowedFailedAttempts,
        reason: LOCK_REASONS[counter],
        durationMs: (previous) => (p.autoUnlockAfterMinutes === 0 ? null : Math.round(p.autoUnlockAfterMinutes * 60_000 * p.incrementRatio ** previous)),
      },
      now,
    );
    if (result.lockedNow) await this.onLocked(user, counter);
    return { ...result, remaining: result.locked ? 0 : Math.max(0, p.allowedFailedAttempts - result.count) };
  }

  async recordSuccess(user: UserRecord, counter: FailureCounter): Promise<void> {
    await this.security.resetFailures(user, counter);
  }
}
