// Typed audit events (login step ok/failed, enrolled, locked, code sent by email, login completed, admin
// changes), stored per tenant. They say who was concerned, who acted (for admin changes: the admin, in its own
// column), which application and authenticator, the outcome and a reason code; they never hold a code, a
// secret or a password.
import type { Kysely } from 'kysely';
import { preparedInsert } from '../storage/prepared.ts';
import { deleteDueBatch } from '../storage/purge.ts';
import { timeOrderedId } from '../storage/time-ordered-id.ts';
import type { Database } from '../storage/schema.ts';
import { domainQualified } from '../users/qualified-name.ts';
import type { UserRecord } from '../users/user-store.ts';

export const AUDIT_EVENTS = [
  'login.step',
  'login.completed',
  'login.failed',
  'totp.enrolled',
  // TOTP outside the login (credentials/totp/totp-management.ts): My Account, me/totp, TOTPAdminService.
  'totp.enrolment_started',
  'totp.validated',
  'totp.secret_read',
  'totp.email_sent',
  'account.locked',
  'logout',
  // Refusals and admin changes (users/user-admin.ts): user is the one acted on, actor the admin who acted.
  'access.denied',
  'account.unlocked',
  'account.disabled',
  'account.enabled',
  'totp.reset',
  'totp.imported',
  'user.created',
  'user.updated',
  'user.deleted',
  'password.changed',
  'application.created',
  'application.updated',
  'application.deleted',
  'settings.updated',
  // The tenant registry (tenants/registry/): the path as the reason.
  'registry.updated',
  'registry.deleted',
  // Secondary user stores added at run time (users/store-definition-service.ts): the store domain as the reason.
  'userstore.added',
  'userstore.updated',
  'userstore.deleted',
  // Federated identity providers (identity-providers/): the provider's name as the reason.
  'idp.created',
  'idp.updated',
  'idp.deleted',
  'federation.linked',
  'federation.unlinked',
  'federation.provisioned',
] as const;

export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/**
 * Events told to observers (metrics) but not stored: a login started (anyone can start one without
 * credentials, as often as they can send requests, so storing each would let them grow the table and would
 * cost every login a write) and an email handed to the mail transport (a TOTP code email is also stored as
 * totp.email_sent, with its application).
 */
export const NOTICE_EVENTS = ['login.started', 'email.sent'] as const;

export type NoticeEventName = (typeof NOTICE_EVENTS)[number];

type UserRef = Pick<UserRecord, 'id' | 'storeDomain' | 'username'>;

export interface AuditInput {
  tenantId: string;
  event: AuditEventName;
  outcome: 'success' | 'failure';
  /** The user the event is about (who logged in, or whom an admin changed). */
  user?: UserRef | undefined;
  /** The admin who made the change, when it was not the user's own doing. */
  actor?: UserRef | undefined;
  application?: string | undefined;
  authenticator?: string | undefined;
  reason?: string | undefined;
  traceId?: string | undefined;
  remoteAddress?: string | undefined;
}

export interface AuditEvent extends Omit<AuditInput, 'user' | 'actor'> {
  id: string;
  at: number;
  userId?: string;
  username?: string;
  actorId?: string;
  /** The acting admin's domain-qualified name. */
  actor?: string;
}

/** An event as observers see it: a stored audit event or a notice. */
export interface ObservedEvent extends Omit<AuditInput, 'event'> {
  event: AuditEventName | NoticeEventName;
}

/** Told of each event once it is stored, and of each notice (metrics count them); it must not throw, and is awaited. */
export type AuditObserver = (event: ObservedEvent) => void | Promise<void>;

// Every login step records at least one event (src/storage/prepared.ts).
const insertEvent = preparedInsert('audit_events', ['id', 'tenant_id', 'at', 'event', 'outcome', 'user_id', 'username', 'actor_id', 'actor', 'application', 'authenticator', 'reason', 'trace_id', 'remote_address']);

export class AuditLog {
  private readonly observers: AuditObserver[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  /** Adds an observer: the one place metrics learn of logins, codes, lockouts and emails (docs/operations.md). */
  observe(observer: AuditObserver): void {
    this.observers.push(observer);
  }

  async record(input: AuditInput): Promise<void> {
    const at = this.now();
    await insertEvent(this.db, {
      id: timeOrderedId(at),
      tenant_id: input.tenantId,
      at,
      event: input.event,
      outcome: input.outcome,
      user_id: input.user?.id ?? null,
      username: input.user ? domainQualified(input.user.storeDomain, input.user.username) : null,
      actor_id: input.actor?.id ?? null,
      actor: input.actor ? domainQualified(input.actor.storeDomain, input.actor.username) : null,
      application: input.application ?? null,
      authenticator: input.authenticator ?? null,
      reason: input.reason?.slice(0, 255) ?? null,
      trace_id: input.traceId ?? null,
      remote_address: input.remoteAddress ?? null,
    });
    await this.tell(input);
  }

  /** Tells the observers of an event that is not stored (NOTICE_EVENTS says which and why). */
  async notify(input: Omit<ObservedEvent, 'event'> & { event: NoticeEventName }): Promise<void> {
    await this.tell(input);
  }

  private async tell(event: ObservedEvent): Promise<void> {
    for (const observer of this.observers) {
      try {
        await observer(event);
      } catch {
        // A lost count must not fail the login or admin change that was just recorded.
      }
    }
  }

  /** Deletes up to `limit` events recorded at or before `cutoff` (the sweeper's retention task). */
  async purgeBefore(cutoff: number, limit: number): Promise<number> {
    return deleteDueBatch(this.db, { table: 'audit_events', key: 'id', time: 'at' }, cutoff, limit);
  }

  async list(tenantId: string, query: { userId?: string; event?: string; offset: number; limit: number }): Promise<{ total: number; events: AuditEvent[] }> {
    let q = this.db.selectFrom('audit_events').where('tenant_id', '=', tenantId);
    if (query.userId) q = q.where('user_id', '=', query.userId);
    if (query.event) q = q.where('event', '=', query.event);
    const [{ total }] = (await q.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
    const rows = await q.selectAll().orderBy('at', 'desc').orderBy('id').limit(query.limit).offset(query.offset).execute();
    return {
      total: Number(total),
      events: rows.map((r) => ({
        id: r.id,
        at: Number(r.at),
        tenantId: r.tenant_id,
        event: r.event as AuditEventName,
        outcome: r.outcome as 'success' | 'failure',
        ...(r.user_id ? { userId: r.user_id } : {}),
        ...(r.username ? { username: r.username } : {}),
        ...(r.actor_id ? { actorId: r.actor_id } : {}),
        ...(r.actor ? { actor: r.actor } : {}),
        ...(r.application ? { application: r.application } : {}),
        ...(r.authenticator ? { authenticator: r.authenticator } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.trace_id ? { traceId: r.trace_id } : {}),
        ...(r.remote_address ? { remoteAddress: r.remote_address } : {}),
      })),
    };
  }
}
