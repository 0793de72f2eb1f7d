// Lock state and counters per user, kept in typed columns so that each change is one atomic UPDATE
// (two nodes or a hundred concurrent requests cannot lose an increment). Read through the claim service as
// WSO2's identity claims (accountLocked, failedTotpAttempts, ...).
import type { Kysely, Selectable, Updateable } from 'kysely';
import { isUniqueViolation } from '../storage/database.ts';
import { prepared } from '../storage/prepared.ts';
import type { Database } from '../storage/schema.ts';
import type { UserRecord } from './user-store.ts';

export interface SecurityState {
  failedLoginAttempts: number;
  failedTotpAttempts: number;
  lockoutCount: number;
  accountLocked: boolean;
  accountDisabled: boolean;
  lockedReason: string | null;
  unlockTime: number | null;
  lastTotpStep: number | null;
}

export type SecurityPatch = Partial<SecurityState>;

export type FailureCounter = 'login' | 'totp';

const COUNTER_COLUMNS = { login: 'failed_login_attempts', totp: 'failed_totp_attempts' } as const;

export interface LockRule {
  /** Failures that lock the account; 0 never locks. */
  maxAttempts: number;
  /** How long the next lock lasts given how many locks came before; null: until an admin unlocks. */
  durationMs: (previousLockouts: number) => number | null;
  reason: string;
}

export interface FailureResult {
  /** The counter after this failure (before any reset by locking). */
  count: number;
  locked: boolean;
  /** True when this very failure locked the account. */
  lockedNow: boolean;
  unlockTime: number | null;
}

export const INITIAL_SECURITY_STATE: SecurityState = {
  failedLoginAttempts: 0,
  failedTotpAttempts: 0,
  lockoutCount: 0,
  accountLocked: false,
  accountDisabled: false,
  lockedReason: null,
  unlockTime: null,
  lastTotpStep: null,
};

type Row = Selectable<Database['user_security']>;
type Changes = Updateable<Database['user_security']>;

function toState(row: Row): SecurityState {
  return {
    failedLoginAttempts: Number(row.failed_login_attempts),
    failedTotpAttempts: Number(row.failed_totp_attempts),
    lockoutCount: Number(row.lockout_count),
    accountLocked: Number(row.account_locked) === 1,
    accountDisabled: Number(row.account_disabled) === 1,
    lockedReason: row.locked_reason,
    unlockTime: row.unlock_time === null ? null : Number(row.unlock_time),
    lastTotpStep: row.last_totp_step === null ? null : Number(row.last_totp_step),
  };
}

function toColumns(patch: SecurityPatch): Changes {
  const out: Changes = {};
  if (patch.failedLoginAttempts !== undefined) out.failed_login_attempts = patch.failedLoginAttempts;
  if (patch.failedTotpAttempts !== undefined) out.failed_totp_attempts = patch.failedTotpAttempts;
  if (patch.lockoutCount !== undefined) out.lockout_count = patch.lockoutCount;
  if (patch.accountLocked !== undefined) out.account_locked = patch.accountLocked ? 1 : 0;
  if (patch.accountDisabled !== undefined) out.account_disabled = patch.accountDisabled ? 1 : 0;
  if (patch.lockedReason !== undefined) out.locked_reason = patch.lockedReason;
  if (patch.unlockTime !== undefined) out.unlock_time = patch.unlockTime;
  if (patch.lastTotpStep !== undefined) out.last_totp_step = patch.lastTotpStep;
  return out;
}

// The TOTP step's acceptance, run by every code submitted (src/storage/prepared.ts): with and without reuse
// prevention, each one statement of a fixed shape.
const acceptStep = (preventReuse: boolean) =>
  prepared<{ userId: string; step: number }, never>((db, p) =>
    db
      .updateTable('user_security')
      .set((eb) => ({
        last_totp_step: eb.case().when(eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', p('step'))])).then(eb.val(p('step'))).else(eb.ref('last_totp_step')).end(),
        failed_totp_attempts: 0,
      }))
      .where('user_id', '=', p('userId'))
      .where('account_locked', '=', 0)
      .where('account_disabled', '=', 0)
      .$if(preventReuse, (q) => q.where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', p('step'))]))),
  );
const acceptNewerStep = acceptStep(true);
const acceptAnyStep = acceptStep(false);
const findState = prepared<{ userId: string }, Selectable<Database['user_security']>>((db, p) => db.selectFrom('user_security').selectAll().where('user_id', '=', p('userId')));

export class SecurityStateStore {
  constructor(readonly db: Kysely<Database>) {}

  async get(user: UserRecord): Promise<SecurityState> {
    const row = (await findState(this.db, { userId: user.id })).rows[0];
    return row ? toState(row) : { ...INITIAL_SECURITY_STATE };
  }

  /** The states of several users in one statement (lists), by user id. */
  async getMany(users: readonly UserRecord[]): Promise<Map<string, SecurityState>> {
    const out = new Map<string, SecurityState>(users.map((u) => [u.id, { ...INITIAL_SECURITY_STATE }]));
    if (users.length === 0) return out;
    const rows = await this.db.selectFrom('user_security').selectAll().where('user_id', 'in', users.map((u) => u.id)).execute();
    for (const row of rows) out.set(row.user_id, toState(row));
    return out;
  }

  /** Makes sure the row exists, so later changes can be single conditional UPDATEs. */
  async ensureRow(user: UserRecord): Promise<void> {
    if (await this.hasRow(user)) return;
    await this.insertRow(user);
  }

  /** Makes the user's row unless another request made it first. */
  private async insertRow(user: UserRecord): Promise<void> {
    try {
      await this.db.insertInto('user_security').values({ user_id: user.id, tenant_id: user.tenantId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // another request created it first
    }
  }

  /**
   * Counts one failure on `counter` in one transaction, and locks the account when the count reaches
   * `maxAttempts` (the counter then restarts at 0, as in WSO2). Concurrent failures are all counted: the
   * increment is an UPDATE of the stored value, never a read-modify-write in the application.
   */
  async registerFailure(user: UserRecord, counter: FailureCounter, lock: LockRule, now: number): Promise<FailureResult> {
    await this.ensureRow(user);
    const column = COUNTER_COLUMNS[counter];
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('user_security')
        .set((eb) => ({ [column]: eb(eb.ref(column), '+', 1) }))
        .where('user_id', '=', user.id)
        .execute();
      const row = await trx.selectFrom('user_security').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
      const state = toState(row);
      const count = counter === 'login' ? state.failedLoginAttempts : state.failedTotpAttempts;
      if (state.accountLocked || lock.maxAttempts <= 0 || count < lock.maxAttempts) {
        return { count, locked: state.accountLocked, unlockTime: state.unlockTime, lockedNow: false };
      }
      const duration = lock.durationMs(state.lockoutCount);
      const unlockTime = duration === null ? null : now + duration;
      const r = await trx
        .updateTable('user_security')
        .set((eb) => ({
          account_locked: 1,
          locked_reason: lock.reason,
          unlock_time: unlockTime,
          lockout_count: eb(eb.ref('lockout_count'), '+', 1),
          [column]: 0,
        }))
        .where('user_id', '=', user.id)
        .where('account_locked', '=', 0)
        .executeTakeFirst();
      return { count, locked: true, unlockTime, lockedNow: Number(r.numUpdatedRows) === 1 };
    });
  }

  /** Resets one failure counter after a success. */
  async resetFailures(user: UserRecord, counter: FailureCounter): Promise<void> {
    const column = COUNTER_COLUMNS[counter];
    await this.db.updateTable('user_security').set({ [column]: 0 }).where('user_id', '=', user.id).where(column, '>', 0).execute();
  }

  /** Unlocks an account whose lock has run out; true when this call unlocked it. */
  async unlockIfExpired(user: UserRecord, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('user_security')
      .set({ account_locked: 0, locked_reason: null, unlock_time: null, failed_login_attempts: 0, failed_totp_attempts: 0 })
      .where('user_id', '=', user.id)
      .where('account_locked', '=', 1)
      .where('unlock_time', 'is not', null)
      .where('unlock_time', '<=', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Accepts a TOTP time step in one conditional UPDATE that also requires the account to be usable (neither
   * locked nor disabled), so a correct code still in flight when a burst of wrong ones locks the account is
   * refused: the lock and the acceptance cannot interleave. With `preventReuse` (RFC 6238 section 5.2) only a
   * step newer than every accepted one passes, so two nodes or two tabs cannot both accept a code. The same
   * statement restarts the failed-code counter (the success that recordSuccess('totp') would otherwise write
   * in a second statement). False when refused; `get` then tells a lock from a reused code.
   */
  async acceptTotpStep(user: UserRecord, step: number, options: { preventReuse: boolean } = { preventReuse: true }): Promise<boolean> {
    // The row nearly always exists (made with the user's first failure, step or lock): try the UPDATE first and
    // make the row only when it matched nothing, then try once more. One statement on the common path, not two.
    if (await this.tryAcceptTotpStep(user, step, options)) return true;
    if (await this.hasRow(user)) return false;
    await this.insertRow(user);
    return this.tryAcceptTotpStep(user, step, options);
  }

  private async tryAcceptTotpStep(user: UserRecord, step: number, options: { preventReuse: boolean }): Promise<boolean> {
    const accept = options.preventReuse ? acceptNewerStep : acceptAnyStep;
    const r = await accept(this.db, { userId: user.id, step });
    return Number(r.numAffectedRows) === 1;
  }

  private async hasRow(user: UserRecord): Promise<boolean> {
    return (await this.db.selectFrom('user_security').select('user_id').where('user_id', '=', user.id).executeTakeFirst()) !== undefined;
  }

  async update(user: UserRecord, patch: SecurityPatch): Promise<void> {
    const columns = toColumns(patch);
    if (Object.keys(columns).length === 0) return;
    await this.ensureRow(user);
    await this.db.updateTable('user_security').set(columns).where('user_id', '=', user.id).execute();
  }
}
