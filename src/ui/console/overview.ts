// The overview: the tenant, how many users and applications it has, and the admin's own password. While the
// admin still has the first-start password "admin" (WSO2's default) the page says so and asks for a change.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text } from './forms.ts';

type Errors = Partial<Record<'current' | 'password' | 'repeat', string>>;

export function registerOverview(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;

  const show = async (request: FastifyRequest, reply: FastifyReply, errors: Errors = {}, status = 200) => {
    const { tenant } = kit.ctx(request);
    await deps.applications.ensureSystemApps(tenant.id);
    const users = await deps.users.list(tenant, { offset: 0, limit: 0 });
    const apps = await deps.applications.list(tenant.id, 0, 0);
    return kit.render(request, reply, 'overview', 'Overview', { userCount: users.total, applicationCount: apps.total, errors }, status);
  };

  app.get('/console', async (request, reply) => show(request, reply));

  app.post('/console/password', async (request, reply) => {
    const ctx = kit.ctx(request);
    const form = formOf(request.body);
    const [current, password, repeat] = [text(form, 'current'), text(form, 'password'), text(form, 'repeat')];
    const name = domainQualified(ctx.admin.storeDomain, ctx.admin.username);
    if (!(await deps.users.authenticate(ctx.tenant, name, current))) return show(request, reply, { current: 'The current password is not correct.' }, 400);
    if (password !== repeat) return show(request, reply, { repeat: 'The two new passwords are not the same.' }, 400);
    if (password === current) return show(request, reply, { password: 'The new password must differ from the current one.' }, 400);
    try {
      await deps.users.setPassword(ctx.admin, password);
    } catch (err) {
      const field = err instanceof AppError && err.code === 'USR-40002' ? err.description : problemOf(err);
      return show(request, reply, { password: field }, 400);
    }
    await deps.audit.record({ tenantId: ctx.tenant.id, event: 'password.changed', outcome: 'success', user: ctx.admin, application: ctx.application.name, reason: 'own password, in the console', traceId: request.id, remoteAddress: request.ip });
    return kit.done(reply, ctx, '/console', 'password-changed');
  });
}
