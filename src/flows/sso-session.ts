// SSO sessions: after a login, the commonAuthId cookie lets the browser into other applications of the
// tenant without repeating the steps it already passed. Only the cookie's SHA-256 is stored. The session
// remembers which authenticators were passed, so a TOTP step is skipped only when TOTP was passed.
import type { Kysely, Selectable } from 'kysely';
import { prepared, preparedInsert } from '../storage/prepared.ts';
import { deleteDueBatch } from '../storage/purge.ts';
import type { Database, SsoSessionsTable } from '../storage/schema.ts';
import { sha256 } from './context-store.ts';

export interface SsoParticipant {
  applicationId: string;
  protocol: string;
  /** Protocol data needed for logout (e.g. SAML NameID and SessionIndex, SLO URL). */
  data?: unknown;
}

export interface SsoState {
  user: { id: string; storeDomain: string; username: string };
  /** Authenticator name -> when it was last passed, with the amr values it proved. */
  passed: Record<string, { at: number; amr: string[] }>;
  participants: SsoParticipant[];
  authTime: number;
}

export interface SsoSession {
  id: string;
  tenantId: string;
  state: SsoState;
  version: number;
  expiresAt: number;
}

export interface SsoTimeouts {
  /** A session unused for this long ends. */
  idleMs: number;
  /** A session ends this long after the login, however active. */
  maxMs: number;
}

// Every login that ends, and every request a session cookie comes with (src/storage/prepared.ts).
const insertSession = preparedInsert('sso_sessions', ['id', 'tenant_id', 'user_id', 'state', 'version', 'created_at', 'last_seen_at', 'expires_at']);
const findSession = prepared<{ id: string }, Selectable<SsoSessionsTable>>((db, p) => db.selectFrom('sso_sessions').selectAll().where('id', '=', p('id')));

export class SsoSessionStore {
  constructor(
    private readonly db: Kysely<Database>,
    readonly timeouts: SsoTimeouts,
  ) {}

  /** Creates a session for a new cookie value; the raw value is never stored, only its hash. */
  async createWithCookie(cookie: string, tenantId: string, state: SsoState, now: number): Promise<SsoSession> {
    const id = sha256(cookie);
    const expiresAt = Math.min(now + this.timeouts.idleMs, state.authTime + this.timeouts.maxMs);
    await insertSession(this.db, { id, tenant_id: tenantId, user_id: state.user.id, state: JSON.stringify(state), version: 1, created_at: now, last_seen_at: now, expires_at: expiresAt });
    return { id, tenantId, state, version: 1, expiresAt };
  }

  /** The live session for a cookie in this tenant, or undefined. */
  async findByCookie(cookie: string | undefined, tenantId: string, now: number): Promise<SsoSession | undefined> {
    if (!cookie) return undefined;
    return this.findById(sha256(cookie), tenantId, now);
  }

  async findById(id: string, tenantId: string, now: number): Promise<SsoSession | undefined> {
    const row = (await findSession(this.db, { id })).rows[0];
    if (!row || row.tenant_id !== tenantId || Number(row.expires_at) <= now) return undefined;
    return { id: row.id, tenantId: row.tenant_id, state: JSON.parse(row.state) as SsoState, version: Number(row.version), expiresAt: Number(row.expires_at) };
  }

  /**
   * Slides the idle expiry of a session in use (console, My Account, the me/totp API), once half of it has passed,
   * so a busy session does not write its row on every request.
   */
  async touch(session: SsoSession, now: number): Promise<void> {
    if (session.expiresAt - now >= this.timeouts.idleMs / 2) return;
    const updated = await this.update(session, session.state, now);
    if (updated) Object.assign(session, updated);
  }

  /** Saves a changed state and slides the idle expiry; a concurrent change wins and this one is retried by the caller. */
  async update(session: SsoSession, state: SsoState, now: number): Promise<SsoSession | undefined> {
    const expiresAt = Math.min(now + this.timeouts.idleMs, state.authTime + this.timeouts.maxMs);
    const r = await this.db
      .updateTable('sso_sessions')
      .set({ state: JSON.stringify(state), version: session.version + 1, last_seen_at: now, expires_at: expiresAt })
      .where('id', '=', session.id)
      .where('version', '=', session.version)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    return { ...session, state, version: session.version + 1, expiresAt };
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('sso_sessions').where('id', '=', id).execute();
  }

  /** Deletes up to `limit` sessions past their idle or absolute expiry (the sweeper's task). */
  async purgeExpired(now: number, limit: number): Promise<number> {
    return deleteDueBatch(this.db, { table: 'sso_sessions', key: 'id', time: 'expires_at' }, now, limit);
  }

  /** Ends every session of a user (password reset, lock, admin action), except `keep` (the admin's own, acting one). */
  async removeForUser(userId: string, keep?: string): Promise<void> {
    let q = this.db.deleteFrom('sso_sessions').where('user_id', '=', userId);
    if (keep !== undefined) q = q.where('id', '!=', keep);
    await q.execute();
  }
}
