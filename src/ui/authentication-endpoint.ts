// The login endpoints, at WSO2's paths: every step submission is a POST to /commonauth (WSO2's form fields),
// and the pages live under /authenticationendpoint/. Pages are rendered from the login's context, never
// from URL parameters, so nothing secret or forgeable travels in a URL.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { LoginEngine } from '../flows/engine.ts';
import { browserOf, sendEngineResponse, type CookieLifetimes } from '../http/login-cookies.ts';
import { tenantQualifiedPath } from '../tenants/tenant-path.ts';
import type { Clock } from '../time/clock.ts';
import { message, untilText } from './messages.ts';
import type { Views } from './views.ts';

export const LOGIN_PAGES = ['login.do', 'totp.do', 'totp_enroll.do', 'totp_error.do', 'error.do'] as const;

type Form = Record<string, string | undefined>;

function contextIdOf(form: Form): string {
  const id = form.sessionDataKey;
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new AppError('FLW-40401');
  return id;
}

/** Only single string values are form fields here; repeated or nested values are ignored. */
function fieldsOf(body: unknown): Form {
  const out: Form = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function registerAuthenticationEndpoint(app: FastifyInstance, engine: LoginEngine, views: Views, lifetimes: CookieLifetimes, clock: Clock): void {
  const submit = async (request: FastifyRequest, form: Form) => engine.submit(contextIdOf(form), form, browserOf(request));

  app.post('/commonauth', async (request, reply) => sendEngineResponse(reply, await submit(request, fieldsOf(request.body)), lifetimes));

  // WSO2's login page asked for an email code with GET /commonauth?sessionDataKey=..&sendToken=true.
  // An upstream OpenID Connect provider comes back here with code (or error) and state: "<sessionDataKey>.<random>".
  app.get('/commonauth', async (request, reply) => {
    const form = fieldsOf(request.query);
    if (form.state !== undefined && (form.code !== undefined || form.error !== undefined)) {
      return sendEngineResponse(reply, await submit(request, { ...form, sessionDataKey: form.state.split('.', 1)[0] }), lifetimes);
    }
    if (form.sendToken === undefined) throw new AppError('FLW-40001');
    return sendEngineResponse(reply, await submit(request, form), lifetimes);
  });

  for (const page of LOGIN_PAGES) {
    app.get(`/authenticationendpoint/${page}`, async (request, reply) => {
      const query = fieldsOf(request.query);
      const id = contextIdOf(query);
      const { page: model, url, applicationName } = await engine.describe(id, browserOf(request));
      // The context decides which page is current: an old or hand-edited URL goes to the right one.
      const wanted = url && !/^https?:/i.test(url) ? url.split('?')[0]!.split('/').pop() : undefined;
      if (wanted && wanted !== page && (LOGIN_PAGES as readonly string[]).includes(wanted)) {
        const target = new URL(request.url, 'https://x');
        target.pathname = target.pathname.replace(/[^/]+$/, wanted);
        return reply.redirect(tenantQualifiedPath(request.tenant.domain, `${target.pathname}${target.search}`), 303);
      }
      const html = views.render(model.template, {
        ...model.data,
        title: model.title,
        sessionDataKey: id,
        applicationName,
        commonauth: tenantQualifiedPath(request.tenant.domain, '/commonauth'),
        assetBase: '',
        msg: message,
        until: (t: number) => untilText(t, clock.now()),
      });
      return reply.type('text/html; charset=utf-8').send(html);
    });
  }
}
