// My Account (/myaccount, /t/{tenant}/myaccount) is an application of every tenant like any other: it logs users
// in through the login engine with its own, editable authentication sequence, and its session is the SSO
// session, accepted only while the account is usable (SsoReuse: not disabled, locked or deleted). Its pages:
// My Profile (profile.ts) and Security (security.ts); who is signed in and the shared helpers are session.ts.
// Everything works without JavaScript; every form carries the session's CSRF token.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { isValidCsrf } from '../../http/csrf.ts';
import { clearSsoCookie, SSO_COOKIE } from '../../http/login-cookies.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import { registerLinkedAccounts } from './linked-accounts.ts';
import { registerProfile } from './profile.ts';
import { registerSecurity } from './security.ts';
import { MyAccountKit, type MyAccountDeps } from './session.ts';

export { createMyAccountFront, MY_ACCOUNT_PROTOCOL, type MyAccountDeps } from './session.ts';

export function registerMyAccount(app: FastifyInstance, deps: MyAccountDeps): void {
  const kit = new MyAccountKit(deps);
  registerProfile(app, kit);
  registerSecurity(app, kit);
  registerLinkedAccounts(app, kit);

  // Signing out ends only the session the form's token was issued for. Without a session of this tenant there
  // is nothing to end, and the cookie stays: it may belong to another tenant, and a cross-site form posted to
  // /t/{any}/myaccount/logout must not sign anyone out (WSO2-style cookies are SameSite=None).
  app.post('/myaccount/logout', async (request, reply) => {
    const session = await deps.sso.findByCookie(request.cookies[SSO_COOKIE], request.tenant.id, deps.clock.now());
    if (session) {
      const form = (request.body ?? {}) as Record<string, unknown>;
      if (!isValidCsrf(deps.keyring, 'myaccount', session.id, form.csrf)) throw new AppError('PCS-40300', { description: 'This sign-out did not come from your My Account page. Nothing was changed.' });
      await deps.sso.remove(session.id);
      clearSsoCookie(reply);
    }
    return reply.redirect(tenantQualifiedPath(request.tenant.domain, '/myaccount'), 303);
  });
}
