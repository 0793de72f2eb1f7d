// The login endpoints, at WSO2's paths: every step submission is a POST to /commonauth (WSO2's form fields),
// and the pages live under /authenticationendpoint/. Pages are rendered from the login's context, never
// from URL parameters, so nothing secret or forgeable travels in a URL.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loginPageAt, servedLoginPages } from '../config/index.ts';
import { AppError } from '../errors/app-error.ts';
import type { EngineResponse, LoginEngine } from '../flows/engine.ts';
import { browserOf, nonceAcrossSites, otherOriginOf, sendEngineResponse, type CookieLifetimes } from '../http/login-cookies.ts';
import { postCsp } from '../protocols/saml/post-binding.ts';
import { tenantQualifiedPath } from '../tenants/tenant-path.ts';
import type { Clock } from '../time/clock.ts';
import { message, untilText } from './messages.ts';
import type { Views } from './views.ts';

// The pages and their old WSO2 paths (5.x `totpauthenticationendpoint/*.jsp`) come from one list in config,
// which also refuses a configured page URL that is none of them.
export { LOGIN_PAGES } from '../config/index.ts';

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

/**
 * CORS for the login's own page on another origin: its script's request (with credentials) may read our answer
 * only when the browser says it comes from the origin this login's current page is on, which the engine's
 * redirect names. No other origin is ever allowed, and without an Origin header nothing changes.
 */
function allowPageOrigin(request: FastifyRequest, reply: FastifyReply, response: EngineResponse['response']): void {
  reply.header('vary', 'Origin');
  const origin = request.headers.origin;
  const page = response.kind === 'redirect' ? otherOriginOf(request, response.location) : undefined;
  if (!origin || !page || page.origin !== origin) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
}

export function registerAuthenticationEndpoint(app: FastifyInstance, engine: LoginEngine, views: Views, lifetimes: CookieLifetimes, clock: Clock): void {
  const submit = async (request: FastifyRequest, form: Form) => engine.submit(contextIdOf(form), form, browserOf(request));

  // An upstream SAML IdP posts its Response here (our ACS, as WSO2's) with the RelayState we sent: "<sessionDataKey>.<random>".
  app.post('/commonauth', async (request, reply) => {
    const form = fieldsOf(request.body);
    if (form.sessionDataKey === undefined && form.SAMLResponse !== undefined && form.RelayState !== undefined) form.sessionDataKey = form.RelayState.split('.', 1)[0];
    return sendEngineResponse(reply, await submit(request, form), lifetimes);
  });

  // WSO2's page script asks for an email code with GET /commonauth?&sessionDataKey=..&sendToken=true and reports
  // success only for an empty body. WSO2 answers a sent code with 200 and 0 bytes (the step stays INCOMPLETE and
  // nothing is written); anything else (refused, rate-limited, locked) redirects to the page with the failure,
  // as a POST does, so the script says "Error" and the login stays on its step.
  // An upstream OpenID Connect provider comes back here with code (or error) and state: "<sessionDataKey>.<random>".
  app.get('/commonauth', async (request, reply) => {
    const form = fieldsOf(request.query);
    if (form.state !== undefined && (form.code !== undefined || form.error !== undefined)) {
      return sendEngineResponse(reply, await submit(request, { ...form, sessionDataKey: form.state.split('.', 1)[0] }), lifetimes);
    }
    if (form.sendToken === undefined) throw new AppError('FLW-40001');
    const result = await submit(request, form);
    allowPageOrigin(request, reply, result.response);
    if (result.submitted === 'show') return reply.code(200).send();
    return sendEngineResponse(reply, result, lifetimes);
  });

  for (const { path, page } of servedLoginPages()) {
    app.get(`/${path}`, async (request, reply) => {
      const query = fieldsOf(request.query);
      const id = contextIdOf(query);
      const { page: model, url, applicationName } = await engine.describe(id, browserOf(request));
      // The context decides which page is current: an old or hand-edited URL goes to the right one.
      const wanted = url && !/^https?:/i.test(url) ? url.split('?')[0]!.replace(/^\/+/, '') : undefined;
      if (wanted && loginPageAt(wanted) !== undefined && loginPageAt(wanted) !== page) {
        const { search } = new URL(request.url, 'https://x');
        return reply.redirect(tenantQualifiedPath(request.tenant.domain, `/${wanted}${search}`), 303);
      }
      // A page that posts to an upstream IdP (saml_post): its policy allows that origin, and the answer comes back cross-site.
      if (typeof model.data.postTo === 'string') {
        reply.header('content-security-policy', postCsp(model.data.postTo));
        nonceAcrossSites(request, reply, id, lifetimes);
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
