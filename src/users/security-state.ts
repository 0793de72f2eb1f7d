// Lock state and counters per user, kept in typed columns so that each change is one atomic UPDATE
// (two nodes or a hundred concurrent requests cannot lose an increment). Read through the claim service as
// WSO2's identity claims (accountLocked, failedTotpAttempts, ...).
import type { Kysely, Selectable, Updateable } from 'kysely';
import { isUniqueViolation } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { UserRecord } from './user-store.ts';

export interface SecurityState {
  failedLoginAttempts: number;
  failedTotpAttempts: number;
  lockoutCount: number;
  accountLocked: boolean;
  lockedReason: string | null;
  unlockTime: number | null;
  lastTotpStep: number | null;
}

export type SecurityPatch = Partial<SecurityState>;

export const INITIAL_SECURITY_STATE: SecurityState = {
  failedLoginAttempts: 0,
  failedTotpAttempts: 0,
  lockoutCount: 0,
  accountLocked: false,
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
  if (patch.lockedReason !== undefined) out.locked_reason = patch.lockedReason;
  if (patch.unlockTime !== undefined) out.unlock_time = patch.unlockTime;
  if (patch.lastTotpStep !== undefined) out.last_totp_step = patch.lastTotpStep;
  return out;
}

export class SecurityStateStore {
  constructor(readonly db: Kysely<Database>) {}

  async get(user: UserRecord): Promise<SecurityState> {
    const row = await this.db.selectFrom('user_security').selectAll().where('user_id', '=', user.id).executeTakeFirst();
    return row ? toState(row) : { ...INITIAL_SECURITY_STATE };
  }

  /** Makes sure the row exists, so later changes can be single conditional UPDATEs. */
  async ensureRow(user: UserRecord): Promise<void> {
    const exists = await this.db.selectFrom('user_security').select('user_id').where('user_id', '=', user.id).executeTakeFirst();
    if (exists) return;
    try {
      await this.db.insertInto('user_security').values({ user_id: user.id, tenant_id: user.tenantId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // another request created it first
    }
  }

  async update(user: UserRecord, patch: SecurityPatch): Promise<void> {
    const columns = toColumns(patch);
    if (Object.keys(columns).length === 0) return;
    await this.ensureRow(user);
    await this.db.updateTable('user_security').set(columns).where('user_id', '=', user.id).execute();
  }
}
