// Who is using My Account, and the helpers its pages share. A My Account request belongs to an SSO session of
// the request's tenant in which the My Account application takes part, whose user is still usable (SsoReuse
// re-reads the account on every request). Without one, a GET starts a login through the engine (My Account's
// own, editable sequence) and comes back to the page asked for; a POST is refused. Every POST carries the
// session's CSRF token (csrf.ts, purpose 'myaccount'), checked before anything is read from the form.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../applications/application.ts';
import { AppError } from '../../errors/app-error.ts';
import type { LoginFront, LoginResult } from '../../flows/fronts.ts';
import type { SsoSession } from '../../flows/sso-session.ts';
import { provenRecently } from '../../flows/step-up.ts';
import { csrfToken, isValidCsrf } from '../../http/csrf.ts';
import { browserOf, sendEngineResponse, SSO_COOKIE, type CookieLifetimes } from '../../http/login-cookies.ts';
import type { Services } from '../../services.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { AdminRequest } from '../../users/user-admin.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { Views } from '../../ui/views.ts';

export const MY_ACCOUNT_PROTOCOL = 'myaccount';

/** How recent the session's last sign-in must be to stand in for the password or a code (email change, disable). */
export const FRESH_SIGN_IN_MS = 5 * 60_000;

/** The pages a login started by My Account may return to (never a URL taken from the request as is). */
export const MY_ACCOUNT_PAGES = ['/myaccount', '/myaccount/security'] as const;
export type MyAccountPage = (typeof MY_ACCOUNT_PAGES)[number];

export interface MyAccountState {
  tenantDomain: string;
  returnTo?: MyAccountPage;
}

declare module '../../flows/fronts.ts' {
  interface ProtocolStates {
    myaccount: MyAccountState;
  }
}

export function createMyAccountFront(): LoginFront<typeof MY_ACCOUNT_PROTOCOL> {
  return {
    protocol: MY_ACCOUNT_PROTOCOL,
    async complete(_result: LoginResult, { tenantDomain, returnTo }) {
      const page = MY_ACCOUNT_PAGES.find((p) => p === returnTo) ?? '/myaccount';
      return { response: { kind: 'redirect', location: tenantQualifiedPath(tenantDomain, page) } };
    },
    async fail() {
      return undefined;
    },
  };
}

export type MyAccountDeps = Services & { views: Views; lifetimes: CookieLifetimes };

export interface MyAccountContext {
  tenant: Tenant;
  user: UserRecord;
  session: SsoSession;
  application: Application;
  csrf: string;
}

/** A form post's fields: strings only (a JSON body or repeated fields give nothing to trust). */
export type Form = Record<string, string>;

export function formOf(body: unknown): Form {
  const out: Form = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

export class MyAccountKit {
  constructor(readonly deps: MyAccountDeps) {}

  csrfFor(sessionId: string): string {
    return csrfToken(this.deps.keyring, 'myaccount', sessionId);
  }

  /**
   * The signed-in user's context, or undefined after answering the request: a GET starts the login (and comes
   * back to `page`), a POST without a session is refused. A POST's CSRF token is checked here, before any use.
   */
  async signedIn(request: FastifyRequest, reply: FastifyReply, page: MyAccountPage): Promise<MyAccountContext | undefined> {
    const { tenant } = request;
    const application = await this.deps.applications.ensureMyAccount(tenant.id);
    const live = await this.deps.ssoReuse.forApplication(request.cookies[SSO_COOKIE], tenant, application.id);
    if (live) {
      const ctx = { tenant, user: live.user, session: live.session, application, csrf: this.csrfFor(live.session.id) };
      if (request.method === 'POST') this.checkCsrf(ctx, formOf(request.body));
      await this.deps.sso.touch(live.session, this.deps.clock.now());
      return ctx;
    }
    if (request.method !== 'GET') throw new AppError('PCS-40300', { description: 'Your My Account session has ended. Sign in again and repeat the change.' });
    const result = await this.deps.engine.start(
      { tenant, tenantQualified: request.tenantQualified, application, protocol: MY_ACCOUNT_PROTOCOL, protocolState: { tenantDomain: tenant.domain, returnTo: page } satisfies MyAccountState },
      browserOf(request),
    );
    await sendEngineResponse(reply, result, this.deps.lifetimes);
    return undefined;
  }


  /** Refuses (403) a form whose csrf field is not the token of this SSO session; nothing has changed yet. */
  checkCsrf(ctx: MyAccountContext, form: Form): void {
    if (!isValidCsrf(this.deps.keyring, 'myaccount', ctx.session.id, form.csrf)) {
      throw new AppError('PCS-40300', { description: 'This form did not come from your My Account page, or your session changed. Reload the page and try again. Nothing was changed.' });
    }
  }

  /** The user acting on itself, from this session (kept when a TOTP reset ends the user's other sessions). */
  request(request: FastifyRequest, ctx: MyAccountContext): AdminRequest {
    return { tenant: ctx.tenant, actor: ctx.user, sessionId: ctx.session.id, via: ctx.application.name, traceId: request.id, remoteAddress: request.ip };
  }

  /**
   * Whether the session's last sign-in (the SSO state's authTime: the last time a step was passed for real,
   * not taken from the session) is recent enough to stand in for re-entering the password or a code.
   */
  freshSignIn(ctx: MyAccountContext): boolean {
    return this.deps.clock.now() - ctx.session.state.authTime <= FRESH_SIGN_IN_MS;
  }

  /** Whether this session proved a current code recently (flows/step-up.ts): it may see and change the factor. */
  codeProven(ctx: MyAccountContext): boolean {
    return provenRecently(ctx.session, this.deps.clock.now());
  }

  url(ctx: MyAccountContext, path: string): string {
    return tenantQualifiedPath(ctx.tenant.domain, path);
  }

  /** POST-redirect-GET: back to a page with a notice key the page turns into one line (never data in the URL). */
  done(reply: FastifyReply, ctx: MyAccountContext, page: MyAccountPage, notice: string): FastifyReply {
    return reply.redirect(`${this.url(ctx, page)}?done=${encodeURIComponent(notice)}`, 303);
  }

  /** Renders a page; no-store always, as pages may show a secret or personal data. */
  render(reply: FastifyReply, ctx: MyAccountContext, template: string, data: Record<string, unknown>, status = 200): FastifyReply {
    const html = this.deps.views.render(template, {
      ...data,
      tenantDomain: ctx.tenant.domain,
      csrf: ctx.csrf,
      nav: [
        { href: this.url(ctx, '/myaccount'), label: 'My Profile', current: template === 'myaccount' },
        { href: this.url(ctx, '/myaccount/security'), label: 'Security', current: template === 'myaccount_security' },
      ],
      logoutAction: this.url(ctx, '/myaccount/logout'),
      assetBase: '',
    });
    return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  }
}
