// My Account (/myaccount) is an application of every tenant like any other: it logs users in through the
// login engine with its own, editable authentication sequence, and its session is the SSO session, accepted
// only while the account is usable (SsoReuse: not disabled, locked or deleted).
import type { FastifyInstance } from 'fastify';
import type { Application } from '../../applications/application.ts';
import type { ApplicationStore } from '../../applications/application-store.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { AppError } from '../../errors/app-error.ts';
import type { LoginEngine } from '../../flows/engine.ts';
import type { FrontResponse, LoginFront, LoginResult } from '../../flows/fronts.ts';
import type { SsoReuse } from '../../flows/sso-reuse.ts';
import type { SsoSessionStore } from '../../flows/sso-session.ts';
import { csrfToken, isValidCsrf } from '../../http/csrf.ts';
import { browserOf, clearSsoCookie, sendEngineResponse, SSO_COOKIE, type CookieLifetimes } from '../../http/login-cookies.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import type { Clock } from '../../time/clock.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import type { Views } from '../../ui/views.ts';

export const MY_ACCOUNT_PROTOCOL = 'myaccount';

interface MyAccountState {
  tenantDomain: string;
}

export function createMyAccountFront(): LoginFront {
  return {
    protocol: MY_ACCOUNT_PROTOCOL,
    async complete(_result: LoginResult, state: unknown) {
      const { tenantDomain } = state as MyAccountState;
      return { response: { kind: 'redirect', location: tenantQualifiedPath(tenantDomain, '/myaccount') } };
    },
    async fail(): Promise<FrontResponse | undefined> {
      return undefined;
    },
  };
}

export interface MyAccountDeps {
  engine: LoginEngine;
  applications: ApplicationStore;
  sso: SsoSessionStore;
  ssoReuse: SsoReuse;
  claimValues: ClaimValueService;
  keyring: Keyring;
  clock: Clock;
  views: Views;
  lifetimes: CookieLifetimes;
}

export function registerMyAccount(app: FastifyInstance, deps: MyAccountDeps): void {
  const csrf = (ssoId: string) => csrfToken(deps.keyring, 'myaccount', ssoId);

  app.get('/myaccount', async (request, reply) => {
    const tenant = request.tenant;
    const myAccount: Application = await deps.applications.ensureMyAccount(tenant.id);
    const live = await deps.ssoReuse.byCookie(request.cookies[SSO_COOKIE], tenant);
    if (!live || !live.session.state.participants.some((p) => p.applicationId === myAccount.id)) {
      const result = await deps.engine.start(
        { tenant, tenantQualified: request.tenantQualified, application: myAccount, protocol: MY_ACCOUNT_PROTOCOL, protocolState: { tenantDomain: tenant.domain } satisfies MyAccountState },
        browserOf(request),
      );
      return sendEngineResponse(reply, result, deps.lifetimes);
    }
    const { session, user } = live;
    const claims = await deps.claimValues.readReleasable(user, [CLAIMS.givenName, CLAIMS.lastName, CLAIMS.email, CLAIMS.totpEnabled], 'self');
    const html = deps.views.render('myaccount', {
      title: 'My Account',
      username: domainQualified(user.storeDomain, user.username),
      tenantDomain: tenant.domain,
      givenName: claims[CLAIMS.givenName] ?? '',
      lastName: claims[CLAIMS.lastName] ?? '',
      email: claims[CLAIMS.email] ?? '',
      totpEnabled: claims[CLAIMS.totpEnabled] === 'true',
      methods: Object.keys(session.state.passed),
      logoutAction: tenantQualifiedPath(tenant.domain, '/myaccount/logout'),
      csrf: csrf(session.id),
      assetBase: '',
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });

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
