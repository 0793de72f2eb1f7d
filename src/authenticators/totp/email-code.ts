// Codes sent by email ("Get a Verification Code"). Unlike WSO2, which mails the current TOTP itself, each
// code here is random, single-use and stored only as a keyed hash; sends are rate-limited per user.
import { randomInt, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Keyring } from '../../crypto/keyring.ts';
import { deleteDueBatch } from '../../storage/purge.ts';
import type { Database } from '../../storage/schema.ts';
import type { UserRecord } from '../../users/user-store.ts';

export interface EmailCodeLimits {
  /** Shortest time between two sends to one user. */
  minIntervalMs: number;
  /** At most this many sends per user in `windowMs`. */
  maxSends: number;
  windowMs: number;
}

export const DEFAULT_EMAIL_CODE_LIMITS: EmailCodeLimits = { minIntervalMs: 30_000, maxSends: 5, windowMs: 15 * 60_000 };

export type IssueResult = { issued: true; code: string } | { issued: false; retryAfterMs: number };

const KIND = 'totp-email';

export class EmailCodeStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly limits: EmailCodeLimits = DEFAULT_EMAIL_CODE_LIMITS,
  ) {}

  private hash(user: UserRecord, code: string): string {
    return this.keyring.mac('email-code', `${user.id}:${code}`);
  }

  /** A new code (replacing any earlier one), unless the user is over the send limits. */
  async issue(user: UserRecord, digits: number, ttlMs: number, now: number): Promise<IssueResult> {
    const { minIntervalMs, maxSends, windowMs } = this.limits;
    // Record the send first, then count: two concurrent requests cannot both slip under the limit.
    const sendId = randomUUID();
    await this.db.insertInto('notification_sends').values({ id: sendId, user_id: user.id, kind: KIND, sent_at: now }).execute();
    const recent = await this.db
      .selectFrom('notification_sends')
      .select(['id', 'sent_at'])
      .where('user_id', '=', user.id)
      .where('kind', '=', KIND)
      .where('sent_at', '>', now - windowMs)
      .orderBy('sent_at')
      .orderBy('id')
      .execute();
    const others = recent.filter((r) => r.id !== sendId);
    const last = others.at(-1);
    const tooSoon = last !== undefined && now - Number(last.sent_at) < minIntervalMs;
    if (tooSoon || recent.length > maxSends) {
      await this.db.deleteFrom('notification_sends').where('id', '=', sendId).execute();
      const byInterval = tooSoon ? Number(last.sent_at) + minIntervalMs - now : 0;
      const byCount = recent.length > maxSends ? Number(others[others.length - maxSends]?.sent_at ?? now) + windowMs - now : 0;
      return { issued: false, retryAfterMs: Math.max(byInterval, byCount, 1000) };
    }
    const code = String(randomInt(0, 10 ** digits)).padStart(digits, '0');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('email_codes').where('user_id', '=', user.id).execute();
      await trx.insertInto('email_codes').values({ user_id: user.id, tenant_id: user.tenantId, code_hash: this.hash(user, code), expires_at: now + ttlMs }).execute();
    });
    await this.db.deleteFrom('notification_sends').where('user_id', '=', user.id).where('sent_at', '<=', now - windowMs).execute();
    return { issued: true, code };
  }

  /**
   * Uses the code if it is the user's current, unexpired one and the account is usable: one DELETE, so it works
   * once, and conditional on the lock state in the same statement, so it cannot pass while the account is
   * locked or disabled (however the lock and this request interleave).
   */
  async consume(user: UserRecord, code: string, now: number): Promise<boolean> {
    const r = await this.db
      .deleteFrom('email_codes')
      .where('user_id', '=', user.id)
      .where('code_hash', '=', this.hash(user, code))
      .where('expires_at', '>', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('user_security')
              .select('user_security.user_id')
              .where('user_security.user_id', '=', user.id)
              .where((eb) => eb.or([eb('user_security.account_locked', '=', 1), eb('user_security.account_disabled', '=', 1)])),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** Deletes up to `limit` expired codes (the sweeper's task); an expired code is never accepted anyway. */
  async purgeExpired(now: number, limit: number): Promise<number> {
    return deleteDueBatch(this.db, { table: 'email_codes', key: 'user_id', time: 'expires_at' }, now, limit);
  }

  /** Deletes up to `limit` sends older than the rate-limit window (the sweeper's task): they no longer count. */
  async purgeSendLog(now: number, limit: number): Promise<number> {
    return deleteDueBatch(this.db, { table: 'notification_sends', key: 'id', time: 'sent_at', where: { kind: KIND } }, now - this.limits.windowMs, limit);
  }

  async hasPending(user: UserRecord, now: number): Promise<boolean> {
    const row = await this.db.selectFrom('email_codes').select('user_id').where('user_id', '=', user.id).where('expires_at', '>', now).executeTakeFirst();
    return row !== undefined;
  }
}
