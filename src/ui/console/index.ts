// The management console at /console (and /t/{tenant}/console): server-rendered pages for the tenant's admin.
// Signing out and the 403 page are open to any SSO session; everything else passes the guard (context.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearSsoCookie } from '../../http/login-cookies.ts';
import { CONSOLE_HOME } from '../../protocols/console/console.front.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import { registerApplication } from './application.ts';
import { registerApplications } from './applications.ts';
import { registerAudit } from './audit.ts';
import { ConsoleKit, type ConsoleDeps } from './context.ts';
import { formOf } from './forms.ts';
import { registerIdentityProviders } from './identity-providers.ts';
import { registerOverview } from './overview.ts';
import { registerRegistryPages } from './registry.ts';
import { registerTotpSecretStorage } from './totp-secret-storage.ts';
import { registerTotpSettings } from './totp-settings.ts';
import { registerUser } from './user.ts';
import { registerUsers } from './users.ts';
import { registerUserStorePages } from './userstores.ts';

export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const kit = new ConsoleKit(deps);

  // Any user who reached the console but is not the tenant's admin lands here (see console.front.ts).
  app.get('/console/forbidden', async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await kit.ssoSession(request);
    const html = deps.views.render('console/forbidden', {
      title: 'Access denied',
      tenantDomain: request.tenant.domain,
      signedInAs: session ? domainQualified(session.state.user.storeDomain, session.state.user.username) : '',
      csrf: session ? kit.csrfFor(session.id) : '',
      logoutAction: kit.url(request.tenant, '/console/logout'),
      retry: kit.url(request.tenant, CONSOLE_HOME),
      assetBase: '',
    });
    return reply.code(403).type('text/html; charset=utf-8').send(html);
  });

  // Signing out ends the SSO session (every application of the tenant in this browser), and only with the
  // token of that session. Without a session of this tenant there is nothing to end and the cookie stays (it
  // may be another tenant's): a cross-site form cannot sign anyone out.
  app.post('/console/logout', async (request, reply) => {
    const session = await kit.ssoSession(request);
    if (session) {
      kit.checkCsrf(session.id, formOf(request.body));
      await deps.sso.remove(session.id);
      clearSsoCookie(reply);
    }
    return reply.redirect(kit.url(request.tenant, CONSOLE_HOME), 303);
  });

  await app.register(async (scope) => {
    // A request the guard answered (a login started) goes no further: Fastify skips the handler of a sent reply.
    scope.addHook('preHandler', async (request, reply) => kit.guard(request, reply));
    registerOverview(scope, kit);
    registerUsers(scope, kit);
    registerUser(scope, kit);
    registerApplications(scope, kit);
    registerApplication(scope, kit);
    registerTotpSettings(scope, kit);
    registerTotpSecretStorage(scope, kit);
    registerAudit(scope, kit);
    await registerRegistryPages(scope, kit);
    registerUserStorePages(scope, kit);
    registerIdentityProviders(scope, kit);
  });
}
