// Where the tenant keeps its users' active TOTP secrets (credentials/totp/secret-storage.ts), a page of its own
// under the TOTP settings: the location in force, and for each user store where a new secret goes (and in which
// attribute). Switching to user stores is refused, with the store named, while one of them is read-only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SecretLocation } from '../../credentials/totp/index.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text } from './forms.ts';

const PAGE = '/console/totp/secrets';

export function registerTotpSecretStorage(app: FastifyInstance, kit: ConsoleKit): void {
  const storage = kit.deps.totpSecretStorage;

  const show = async (request: FastifyRequest, reply: FastifyReply, problem = '', status = 200) => {
    const view = await storage.view(kit.ctx(request).tenant);
    return kit.render(request, reply, 'totp_secrets', 'Where TOTP secrets are kept', { ...view, problem }, status);
  };

  app.get(PAGE, async (request, reply) => show(request, reply));

  app.post(PAGE, async (request, reply) => {
    const ctx = kit.ctx(request);
    const form = formOf(request.body);
    const location = text(form, 'location');
    try {
      if (location === 'file') await storage.clear(ctx.tenant);
      // Anything but the two locations is refused by the service (PCS-40001), shown like any other problem.
      else await storage.set(ctx.tenant, location as SecretLocation);
    } catch (err) {
      return show(request, reply, problemOf(err), 400);
    }
    await kit.audit(request, 'settings.updated', { reason: `TOTP secret storage: ${location === 'file' ? 'file default' : location}` });
    return kit.done(reply, ctx, PAGE, 'secrets-saved');
  });
}
