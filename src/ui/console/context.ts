// Who is using the console, and the helpers every console page shares. A console request belongs to an SSO
// session of the request's tenant in which the Console application takes part and whose user is the tenant's
// admin, still usable (not disabled, locked or deleted: SsoReuse re-reads the account on every request);
// every POST carries a CSRF token bound to that session (an HMAC of its id), checked before anything
// changes. Pages are rendered from src/ui/views/console/; changes answer with a redirect to a page that shows
// a one-line notice (POST-redirect-GET), and no secret ever goes into a URL.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../applications/application.ts';
import type { AuditEventName } from '../../audit/audit-log.ts';
import { BoundedCache } from '../../cache/bounded-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { SsoSession } from '../../flows/sso-session.ts';
import { csrfToken, isValidCsrf } from '../../http/csrf.ts';
import { browserOf, sendEngineResponse, SSO_COOKIE, type CookieLifetimes } from '../../http/login-cookies.ts';
import { CONSOLE_PROTOCOL, isConsolePath, type ConsoleLoginState } from '../../protocols/console/console.front.ts';
import type { Services } from '../../services.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { domainQualified, PRIMARY_DOMAIN } from '../../users/qualified-name.ts';
import { isTenantAdmin, type AdminRequest } from '../../users/user-admin.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { Views } from '../views.ts';
import { formOf, text, type Form } from './forms.ts';
import { NOTICES, type Notice } from './notices.ts';

export type ConsoleDeps = Services & { views: Views; lifetimes: CookieLifetimes };

export interface ConsoleContext {
  tenant: Tenant;
  admin: UserRecord;
  session: SsoSession;
  application: Application;
  csrf: string;
}

const NAV = [
  ['/console', 'Overview'],
  ['/console/users', 'Users'],
  ['/console/applications', 'Applications'],
  ['/console/totp', 'TOTP settings'],
  ['/console/registry', 'Registry'],
  ['/console/userstores', 'User stores'],
  ['/console/identity-providers', 'Identity providers'],
  ['/console/audit', 'Audit'],
] as const;

export class ConsoleKit {
  private readonly contexts = new WeakMap<FastifyRequest, ConsoleContext>();
  /** Whether an admin record (by id and last change) still has the password "admin": one hash check per change. */
  private readonly defaultPasswords: BoundedCache<string, boolean>;

  constructor(readonly deps: ConsoleDeps) {
    this.defaultPasswords = new BoundedCache({ max: 1000, ttlMs: 10 * 60_000, clock: deps.clock });
  }

  csrfFor(sessionId: string): string {
    return csrfToken(this.deps.keyring, 'console', sessionId);
  }

  /** The SSO session of the request's tenant, if any (whoever its user is, usable or not: for signing out). */
  async ssoSession(request: FastifyRequest): Promise<SsoSession | undefined> {
    return this.deps.sso.findByCookie(request.cookies[SSO_COOKIE], request.tenant.id, this.deps.clock.now());
  }

  /**
   * Lets the tenant's admin through (remembering the context for the handler) and returns undefined.
   * Otherwise a GET starts a login (the reply is returned: the request is answered) and a POST is refused.
   */
  async guard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const { tenant } = request;
    const application = await this.deps.applications.ensureConsole(tenant.id);
    const live = await this.deps.ssoReuse.forApplication(request.cookies[SSO_COOKIE], tenant, application.id);
    if (live && isTenantAdmin(tenant, live.user)) {
      const { session, user: admin } = live;
      const ctx = { tenant, admin, session, application, csrf: this.csrfFor(session.id) };
      if (request.method === 'POST') this.checkCsrf(session.id, formOf(request.body));
      await this.deps.sso.touch(session, this.deps.clock.now());
      this.contexts.set(request, ctx);
      return undefined;
    }
    if (request.method !== 'GET') throw new AppError('PCS-40300', { description: 'Your console session has ended. Sign in again and repeat the change.' });
    const returnTo = isConsolePath(request.url) ? request.url : '/console';
    const result = await this.deps.engine.start(
      {
        tenant,
        tenantQualified: request.tenantQualified,
        application,
        protocol: CONSOLE_PROTOCOL,
        protocolState: { tenantDomain: tenant.domain, returnTo } satisfies ConsoleLoginState,
      },
      browserOf(request),
    );
    return sendEngineResponse(reply, result, this.deps.lifetimes);
  }

  ctx(request: FastifyRequest): ConsoleContext {
    const ctx = this.contexts.get(request);
    if (!ctx) throw new Error('console route without its guard');
    return ctx;
  }

  /** Refuses (403) a form whose csrf field is not the token of this SSO session (csrf.ts: constant time). */
  checkCsrf(sessionId: string, form: Form): void {
    if (!isValidCsrf(this.deps.keyring, 'console', sessionId, text(form, 'csrf'))) {
      throw new AppError('PCS-40300', { description: 'This form did not come from your console session, or the session changed. Reload the page and try again.' });
    }
  }


  /** Whether the admin still has WSO2's first-start password "admin"; checked again only after the account changes. */
  async hasDefaultPassword(ctx: ConsoleContext): Promise<boolean> {
    const key = `${ctx.admin.id}:${ctx.admin.updatedAt}`;
    // The server's own probe, not a sign-in: it goes to the store directly and counts no failure.
    return this.defaultPasswords.get(key, async () => (await this.deps.users.authenticate(ctx.tenant, domainQualified(PRIMARY_DOMAIN, ctx.admin.username), 'admin')) !== undefined);
  }

  /** Who is changing what, for the user admin service (its audit events name the admin and the console). */
  adminRequest(request: FastifyRequest): AdminRequest {
    const ctx = this.ctx(request);
    return { tenant: ctx.tenant, actor: ctx.admin, sessionId: ctx.session.id, via: ctx.application.name, traceId: request.id, remoteAddress: request.ip };
  }

  /** Audits a console change that is not a user's (applications, settings): the admin is its actor. */
  async audit(request: FastifyRequest, event: AuditEventName, details: { application?: string; reason?: string } = {}): Promise<void> {
    const ctx = this.ctx(request);
    await this.deps.audit.record({ tenantId: ctx.tenant.id, event, outcome: 'success', actor: ctx.admin, application: details.application ?? ctx.application.name, reason: details.reason, traceId: request.id, remoteAddress: request.ip });
  }

  url(tenant: Tenant, path: string): string {
    return tenantQualifiedPath(tenant.domain, path);
  }

  /** POST-redirect-GET: to `path` (a console path) with a notice key the page turns into one line. */
  done(reply: FastifyReply, ctx: ConsoleContext, path: string, notice: Notice): FastifyReply {
    const sep = path.includes('?') ? '&' : '?';
    return reply.redirect(`${this.url(ctx.tenant, path)}${sep}done=${notice}`, 303);
  }

  async render(request: FastifyRequest, reply: FastifyReply, template: string, title: string, data: object, status = 200): Promise<FastifyReply> {
    const ctx = this.ctx(request);
    const path = request.url.split('?')[0]!;
    const u = (p: string) => this.url(ctx.tenant, p);
    const done = text(formOf(request.query), 'done');
    const html = this.deps.views.render(`console/${template}`, {
      ...data,
      title,
      u,
      csrf: ctx.csrf,
      tenantDomain: ctx.tenant.domain,
      adminName: ctx.admin.username,
      nav: NAV.map(([href, label]) => ({ href: u(href), label, current: href === '/console' ? path === href : path.startsWith(href) })),
      notice: Object.hasOwn(NOTICES, done) ? NOTICES[done as Notice] : '',
      defaultPassword: await this.hasDefaultPassword(ctx),
      assetBase: '',
    });
    return reply.code(status).type('text/html; charset=utf-8').send(html);
  }
}

/** The user-safe text of a refused change, for showing beside the form. */
export function problemOf(err: unknown): string {
  if (err instanceof AppError && err.status < 500) return err.description === err.message ? err.message : `${err.message} ${err.description}`;
  throw err;
}
