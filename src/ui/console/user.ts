// One user: claims (never the hidden ones: TOTP secrets), lock status with Unlock, TOTP enrolment with WSO2's
// "Reset TOTP", and deletion. Unlocking writes accountLocked=false through the claim service, as SCIM does, so
// the failure counters are cleared with it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEventName } from '../../audit/audit-log.ts';
import { resetTotp } from '../../authenticators/totp/enrolment.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import { isTenantAdmin } from '../../http/admin-auth.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { problemOf, type ConsoleContext, type ConsoleKit } from './context.ts';
import { formOf, text } from './forms.ts';

type UserRequest = FastifyRequest<{ Params: { id: string } }>;

export function registerUser(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;

  const userOf = async (request: UserRequest): Promise<UserRecord> => {
    const user = await deps.users.findById(kit.ctx(request).tenant, request.params.id.slice(0, 128));
    if (!user) throw new AppError('USR-40401');
    return user;
  };
  const audit = (request: FastifyRequest, ctx: ConsoleContext, event: AuditEventName, user: UserRecord) =>
    deps.audit.record({ tenantId: ctx.tenant.id, event, outcome: 'success', user, application: ctx.application.name, reason: `by ${ctx.admin.username}`, traceId: request.id, remoteAddress: request.ip });
  const path = (user: UserRecord) => `/console/users/${encodeURIComponent(user.id)}`;

  const show = async (request: UserRequest, reply: FastifyReply, problem = '', status = 200) => {
    const { tenant } = kit.ctx(request);
    const user = await userOf(request);
    const defined = (await deps.claims.list(tenant.id)).filter((c) => !c.hidden);
    const values = await deps.claimValues.readReleasable(user, defined.map((c) => c.uri), 'admin');
    const now = Date.now();
    const lock = await deps.lockout.status(user, now);
    const counters = await deps.security.get(user);
    return kit.render(
      request,
      reply,
      'user',
      domainQualified(user.storeDomain, user.username),
      {
        user: { id: user.id, name: domainQualified(user.storeDomain, user.username), path: path(user) },
        claims: defined.filter((c) => values[c.uri] !== undefined).map((c) => ({ name: c.displayName, uri: c.uri, value: values[c.uri] })),
        lock: {
          ...lock,
          unlockAt: lock.unlockTime === null ? '' : new Date(lock.unlockTime).toISOString(),
          failedLogins: counters.failedLoginAttempts,
          failedTotp: counters.failedTotpAttempts,
          lockouts: counters.lockoutCount,
        },
        totpEnrolled: values[CLAIMS.totpEnabled] === 'true',
        isAdmin: isTenantAdmin(tenant, user),
        problem,
      },
      status,
    );
  };

  app.get<{ Params: { id: string } }>('/console/users/:id', async (request, reply) => show(request, reply));

  app.post<{ Params: { id: string } }>('/console/users/:id/unlock', async (request, reply) => {
    const ctx = kit.ctx(request);
    const user = await userOf(request);
    await deps.claimValues.set(user, { [CLAIMS.accountLocked]: 'false' });
    await audit(request, ctx, 'account.unlocked', user);
    return kit.done(reply, ctx, path(user), 'unlocked');
  });

  app.post<{ Params: { id: string } }>('/console/users/:id/reset-totp', async (request, reply) => {
    const ctx = kit.ctx(request);
    const user = await userOf(request);
    await resetTotp(deps.claimValues, deps.security, user);
    await audit(request, ctx, 'totp.reset', user);
    return kit.done(reply, ctx, path(user), 'totp-reset');
  });

  app.post<{ Params: { id: string } }>('/console/users/:id/delete', async (request, reply) => {
    const ctx = kit.ctx(request);
    const user = await userOf(request);
    // Deleting the tenant's admin would leave nobody to manage the tenant (the SCIM API refuses it too).
    if (isTenantAdmin(ctx.tenant, user)) return show(request, reply, "The tenant's admin cannot be deleted.", 400);
    if (text(formOf(request.body), 'confirm') !== 'yes') return show(request, reply, 'Tick the box to confirm the deletion.', 400);
    try {
      await deps.users.delete(user);
    } catch (err) {
      return show(request, reply, problemOf(err), 400);
    }
    await deps.sso.removeForUser(user.id);
    await audit(request, ctx, 'user.deleted', user);
    return kit.done(reply, ctx, '/console/users', 'user-deleted');
  });
}
