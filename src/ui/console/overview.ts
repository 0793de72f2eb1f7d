// The overview: the tenant, how many users and applications it has, and the admin's own password. While the
// admin still has the first-start password "admin" (WSO2's default) the page says so and asks for a change.
// A change signs the admin out of every other browser (users/user-admin.ts), keeping this console session.
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
    // The one password policy: a wrong current password counts toward the lock like any other.
    if (!(await deps.passwords.check(ctx.tenant, name, current)).ok) return show(request, reply, { current: 'The current password is not correct.' }, 400);
    if (password !== repeat) return show(request, reply, { repeat: 'The two new passwords are not the same.' }, 400);
    if (password === current) return show(request, reply, { password: 'The new password must differ from the current one.' }, 400);
    try {
      // The admin's other sessions end; this one, which just proved the current password, stays.
      await deps.userAdmin.setPassword(kit.adminRequest(request), ctx.admin, password);
    } catch (err) {
      const field = err instanceof AppError && err.code === 'USR-40002' ? err.description : problemOf(err);
      return show(request, reply, { password: field }, 400);
    }
    return kit.done(reply, ctx, '/console', 'password-changed');
  });
}
