// Linked accounts on My Account's Security page: the upstream accounts linked to the user (unlink), and "Link
// your account at X" for each enabled identity provider, which signs the user in upstream and links that account
// (issue 12). The upstream sign-in is a login of the engine with one step, the provider's own authenticator
// (flows/link.ts), so its checks are a normal login's; it ends here, in `linked`, never in a sign-in:
//   - bound to the My Account session that started it: the POST carries that session's CSRF token, and the
//     account is linked only if the browser that comes back still has that same session and user;
//   - it never changes who is signed in, never creates or provisions a user (no JIT while linking);
//   - an upstream account linked to someone else is refused (IDP-40902), said on the page;
//   - like a change to the authenticator app, an enrolled user needs a code proven in the last 15 minutes
//     (the TOTP step-up rule, TotpManagement.factorProven), checked when the link starts and again when it ends.
// Links are made and removed through IdpService (audited federation.linked / federation.unlinked, the user as actor).
import type { FastifyInstance } from 'fastify';
import { isAppError } from '../../errors/app-error.ts';
import { AUTHENTICATOR_OF_TYPE, type FederatedIdentity } from '../../identity-providers/identity-provider.ts';
import type { LinkBrowser, LinkFront } from '../../flows/link.ts';
import { provenRecently } from '../../flows/step-up.ts';
import { browserOf, sendEngineResponse } from '../../http/login-cookies.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import type { AdminRequest } from '../../users/user-admin.ts';
import { formOf, type MyAccountContext, type MyAccountDeps, type MyAccountKit } from './session.ts';

export const MY_ACCOUNT_LINK_PROTOCOL = 'myaccount-link';

const PAGE = '/myaccount/security';

export interface MyAccountLinkState {
  tenantId: string;
  tenantDomain: string;
  /** The SSO session (hashed id) and user that asked for the link: only they may receive it. */
  sessionId: string;
  userId: string;
  idpId: string;
}

declare module '../../flows/fronts.ts' {
  interface ProtocolStates {
    'myaccount-link': MyAccountLinkState;
  }
}

export const LINK_NOTICES: Record<string, string> = {
  linked: 'Your account was linked: you can sign in with it.',
  unlinked: 'The account was unlinked.',
};

export const LINK_FAILURES: Record<string, string> = {
  taken: 'That account is already linked to another user, so it was not linked to yours (IDP-40902).',
  already: 'That account is already linked to yours.',
  session: 'The link was not made: the sign-in came back to another session than the one that started it. Start again from this page.',
  stepup: 'First confirm it is you with a current code from your authenticator app.',
  unavailable: 'That identity provider is not available.',
};

function securityPage(tenantDomain: string, query: string) {
  return { kind: 'redirect' as const, location: `${tenantQualifiedPath(tenantDomain, PAGE)}?${query}` };
}

export function createMyAccountLinkFront(deps: MyAccountDeps): LinkFront<typeof MY_ACCOUNT_LINK_PROTOCOL> {
  return {
    protocol: MY_ACCOUNT_LINK_PROTOCOL,
    async complete() {
      throw new Error('a linking login never completes as a sign-in (flows/link.ts)');
    },
    async fail() {
      // The engine's error page says what went wrong upstream (refused, invalid answer, ...).
      return undefined;
    },
    async linked(identity: FederatedIdentity, st: MyAccountLinkState, browser: LinkBrowser) {
      const tenant = await deps.tenants.findById(st.tenantId);
      if (!tenant) return securityPage(st.tenantDomain, 'failed=session');
      const application = await deps.applications.ensureMyAccount(tenant.id);
      const live = await deps.ssoReuse.forApplication(browser.ssoCookie, tenant, application.id);
      if (!live || live.session.id !== st.sessionId || live.user.id !== st.userId || identity.idpId !== st.idpId) return securityPage(tenant.domain, 'failed=session');
      const req: AdminRequest = { tenant, actor: live.user, sessionId: live.session.id, via: application.name, traceId: browser.traceId, remoteAddress: browser.remoteAddress };
      const proof = await deps.totpManagement.factorProven(req, live.user, { session: provenRecently(live.session, deps.clock.now()) });
      if (!proof.ok) return securityPage(tenant.domain, 'failed=stepup');
      const mine = await deps.identityProviders.associationsOf(tenant, live.user);
      if (mine.some((a) => a.idpId === identity.idpId && a.idpUserId === identity.subject)) return securityPage(tenant.domain, 'failed=already');
      try {
        await deps.identityProviders.link(req, live.user, identity.idpId, identity.subject);
      } catch (err) {
        if (isAppError(err) && err.code === 'IDP-40902') return securityPage(tenant.domain, 'failed=taken');
        throw err;
      }
      return securityPage(tenant.domain, 'done=linked');
    },
  };
}

/** The Security page's section: the user's links and the providers to link an account at. */
export async function linkedAccountsView(kit: MyAccountKit, ctx: MyAccountContext) {
  const links = await kit.deps.identityProviders.associationsOf(ctx.tenant, ctx.user);
  const providers = (await kit.deps.identityProviders.list(ctx.tenant)).filter((p) => p.enabled && kit.deps.authenticators.find(AUTHENTICATOR_OF_TYPE[p.type]));
  return {
    links: links.map((a) => ({ id: a.id, idpName: a.idpName, federatedUserId: a.idpUserId })),
    providers: providers.map((p) => ({ id: p.id, name: p.name })),
    linkAction: kit.url(ctx, `${PAGE}/link`),
    unlinkAction: kit.url(ctx, `${PAGE}/unlink`),
  };
}

export function registerLinkedAccounts(app: FastifyInstance, kit: MyAccountKit): void {
  const { deps } = kit;
  deps.fronts.register(createMyAccountLinkFront(deps));

  app.post(`${PAGE}/link`, async (request, reply) => {
    const ctx = await kit.signedIn(request, reply, PAGE);
    if (!ctx) return reply;
    const req = kit.request(request, ctx);
    if (!(await deps.totpManagement.factorProven(req, ctx.user, { session: kit.codeProven(ctx) })).ok) return reply.redirect(`${kit.url(ctx, PAGE)}?failed=stepup`, 303);
    const id = formOf(request.body).idp ?? '';
    const idp = (await deps.identityProviders.list(ctx.tenant)).find((p) => p.id === id && p.enabled);
    const authenticator = idp && AUTHENTICATOR_OF_TYPE[idp.type];
    if (!idp || !authenticator || !deps.authenticators.find(authenticator)) return reply.redirect(`${kit.url(ctx, PAGE)}?failed=unavailable`, 303);
    const protocolState: MyAccountLinkState = { tenantId: ctx.tenant.id, tenantDomain: ctx.tenant.domain, sessionId: ctx.session.id, userId: ctx.user.id, idpId: idp.id };
    const result = await deps.engine.start(
      { tenant: ctx.tenant, tenantQualified: request.tenantQualified, application: ctx.application, protocol: MY_ACCOUNT_LINK_PROTOCOL, protocolState, link: `${authenticator}:${idp.name}` },
      browserOf(request),
    );
    return sendEngineResponse(reply, result, deps.lifetimes);
  });

  // Unlinking takes a way to sign in away, it adds none: the session is enough, as for DELETE me/federated-associations.
  app.post(`${PAGE}/unlink`, async (request, reply) => {
    const ctx = await kit.signedIn(request, reply, PAGE);
    if (!ctx) return reply;
    await deps.identityProviders.unlink(kit.request(request, ctx), ctx.user, formOf(request.body).association ?? '');
    return kit.done(reply, ctx, PAGE, 'unlinked');
  });
}
