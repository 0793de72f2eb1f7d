// Reusing an SSO session re-reads the account: a session is accepted (by the login engine, the console, My
// Account) only while its user still exists and is neither disabled nor locked. Ending sessions when an admin
// changes an account is the first line; this check is the second, for every change that did not (a lock whose
// sessions another node was still serving, a change made straight in the database, a future path that forgets).
// A session that fails it is removed, so the browser is signed out and the next visit starts a new login.
import type { Tenant } from '../tenants/tenant-service.ts';
import type { LockoutService } from '../users/lockout.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { UserService } from '../users/user-service.ts';
import type { FlowState } from './flow-state.ts';
import type { SsoSession, SsoSessionStore } from './sso-session.ts';

export interface LiveSession {
  session: SsoSession;
  /** The session's user as stored now. */
  user: UserRecord;
}

export interface SsoReuseDeps {
  sso: SsoSessionStore;
  users: UserService;
  lockout: LockoutService;
  now: () => number;
}

export class SsoReuse {
  constructor(private readonly deps: SsoReuseDeps) {}

  /** The browser's session (its commonAuthId) in this tenant, if it may still be used. */
  async byCookie(cookie: string | undefined, tenant: Tenant): Promise<LiveSession | undefined> {
    return this.check(await this.deps.sso.findByCookie(cookie, tenant.id, this.deps.now()), tenant);
  }

  /**
   * The browser's session if it may still be used and has signed in to the application (My Account, the console):
   * a session of the tenant that never passed that application's own login does not open its pages or APIs.
   */
  async forApplication(cookie: string | undefined, tenant: Tenant, applicationId: string): Promise<LiveSession | undefined> {
    const live = await this.byCookie(cookie, tenant);
    return live?.session.state.participants.some((p) => p.applicationId === applicationId) ? live : undefined;
  }

  /** A session a login in progress refers to, if it may still be used. */
  async byId(id: string, tenant: Tenant): Promise<LiveSession | undefined> {
    return this.check(await this.deps.sso.findById(id, tenant.id, this.deps.now()), tenant);
  }

  private async check(session: SsoSession | undefined, tenant: Tenant): Promise<LiveSession | undefined> {
    if (!session) return undefined;
    const user = await this.deps.users.findById(tenant, session.state.user.id);
    if (user && (await this.deps.lockout.accountState(user, this.deps.now())).usable) return { session, user };
    await this.deps.sso.remove(session.id);
    return undefined;
  }
}

/**
 * A login in progress whose SSO session has ended (signed out, or the account changed) keeps nothing that
 * session gave it: with steps the session satisfied, the login fails and must start again; otherwise it just
 * stops referring to the session (a new one is made when it finishes). Returns whether the login failed.
 */
export function forgetEndedSso(state: FlowState): boolean {
  delete state.ssoSessionId;
  if (state.failed || !state.completed.some((c) => c.fromSso)) return false;
  state.failed = true;
  state.failure = { reason: 'login.session_ended' };
  delete state.view;
  return true;
}
