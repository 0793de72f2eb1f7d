// OpenID Connect over HTTP, at WSO2's paths: everything under /oauth2 (authorize, token, userinfo, revoke,
// introspect; /oauth2/jwks is the key service's route) and /oidc/logout is handed to the tenant's provider, with
// discovery at /oauth2/token/.well-known/openid-configuration and /.well-known/openid-configuration (and the
// /t/{tenant}/ forms). /oauth2/interaction/{uid} is ours: it starts the application's login in the engine.
// The provider reads request bodies itself, so these routes leave the body unparsed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicationStore } from '../../applications/application-store.ts';
import type { Config } from '../../config/index.ts';
import { AppError } from '../../errors/app-error.ts';
import type { LoginEngine, Prompt } from '../../flows/engine.ts';
import type { FrontRegistry } from '../../flows/fronts.ts';
import type { ApiTokenVerifier } from '../../http/api-scopes.ts';
import { browserOf, sendEngineResponse, type CookieLifetimes } from '../../http/login-cookies.ts';
import { publicBaseUrl } from '../../http/public-url.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import type { TenantService } from '../../tenants/tenant-service.ts';
import type { Views } from '../../ui/views.ts';
import { samlKeys } from '../saml/keys.ts';
import type { SamlContext } from '../saml/sso.ts';
import { CONTINUE_PATH, continueLogout } from './logout.ts';
import { createOidcFront } from './oidc.front.ts';
import { issuerFor, OidcProviders, type OidcProvidersDeps } from './providers.ts';
import { OIDC_PROTOCOL } from './settings.ts';

export interface OidcRouteDeps extends Omit<OidcProvidersDeps, 'store' | 'pages' | 'ssoMaxMs'> {
  config: Config;
  engine: LoginEngine;
  fronts: FrontRegistry;
  applications: ApplicationStore;
  tenants: TenantService;
  oidcStore: OidcProvidersDeps['store'];
  views: Views;
  lifetimes: CookieLifetimes;
}

const DISCOVERY = '/.well-known/openid-configuration';
const PROMPTS: readonly Prompt[] = ['none', 'login', 'consent', 'select_account'];

/** The tenants' providers, with the pages they show themselves; app.ts also hands them to the APIs (apiTokenVerifier). */
export function createOidcProviders(deps: Omit<OidcRouteDeps, 'engine' | 'fronts' | 'tenants'>): OidcProviders {
  const page = (title: string, message: string) => deps.views.render('error', { title, message, description: '', traceId: '', assetBase: '' });
  return new OidcProviders({
    ...deps,
    store: deps.oidcStore,
    ssoMaxMs: deps.lifetimes.ssoMaxMs,
    pages: {
      error: (out) => page('Sign-in request refused', out.error_description ?? out.error),
      logout: (form) => deps.views.render('oidc_logout', { form }),
      loggedOut: () => page('Signed out', 'You are signed out of all applications in this browser.'),
    },
  });
}

/** Access tokens on our APIs: looked up in the request's tenant (a token of another tenant is not found there). */
export function apiTokenVerifier(providers: OidcProviders, config: Config): ApiTokenVerifier {
  return { verify: (request, value) => providers.apiToken(request.tenant, issuerFor(publicBaseUrl(config, request), request.tenant.domain), value) };
}

export async function registerOidcRoutes(app: FastifyInstance, deps: OidcRouteDeps & { providers: OidcProviders }): Promise<void> {
  const { providers } = deps;
  deps.fronts.register(createOidcFront(providers, (id) => deps.tenants.findById(id)));
  const samlContext: SamlContext = { ...deps, keys: samlKeys(deps.keys), now: () => deps.clock.now() };

  const issuerOf = (request: FastifyRequest) => issuerFor(publicBaseUrl(deps.config, request), request.tenant.domain);
  /** Hands the request to the tenant's provider as `path` under `mount` (e.g. /oauth2). */
  const forward = async (request: FastifyRequest, reply: FastifyReply, mount: string, path: string) => {
    const provider = await providers.get(request.tenant, issuerOf(request));
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    reply.hijack();
    await provider.handle(request.raw, reply.raw, tenantQualifiedPath(request.tenant.domain, mount), `${path}${query}`, new URL(publicBaseUrl(deps.config, request)).host);
  };
  const pathOf = (request: FastifyRequest, prefix: string) => request.url.split('?')[0]!.slice(prefix.length) || '/';

  await app.register(async (scope) => {
    // The provider parses bodies (form, JSON) from the stream: nothing here may consume it first.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    scope.get<{ Params: { uid: string } }>('/oauth2/interaction/:uid', async (request, reply) => {
      const issuer = issuerOf(request);
      const pending = await (await providers.get(request.tenant, issuer)).interaction(request.params.uid);
      if (!pending) throw new AppError('OIDC-40001');
      const application = await deps.applications.findByIdentifier(request.tenant.id, OIDC_PROTOCOL, pending.clientId);
      if (!application) throw new AppError('OIDC-40002');
      const p = pending.params;
      const words = (v: unknown) => (typeof v === 'string' ? v.split(' ').filter(Boolean) : []);
      const maxAge = typeof p.max_age === 'string' && /^\d{1,9}$/.test(p.max_age) ? Number(p.max_age) : undefined;
      const result = await deps.engine.start(
        {
          tenant: request.tenant,
          tenantQualified: request.tenantQualified,
          application,
          protocol: OIDC_PROTOCOL,
          protocolState: { tenantDomain: request.tenant.domain, issuer, uid: pending.uid },
          ...(maxAge === undefined ? {} : { maxAge }),
          acrValues: words(p.acr_values),
          ...(typeof p.login_hint === 'string' ? { loginHint: p.login_hint.slice(0, 256) } : {}),
          prompt: new Set(words(p.prompt).filter((w): w is Prompt => PROMPTS.includes(w as Prompt))),
        },
        browserOf(request),
      );
      return sendEngineResponse(reply, result, deps.lifetimes);
    });
    scope.get('/oauth2/token/.well-known/openid-configuration', (request, reply) => forward(request, reply, '/oauth2', DISCOVERY));
    scope.get('/.well-known/openid-configuration', (request, reply) => forward(request, reply, '/oauth2', DISCOVERY));
    scope.all('/oauth2/*', (request, reply) => forward(request, reply, '/oauth2', pathOf(request, '/oauth2')));
    // RP-initiated logout at WSO2's /oidc/logout: the provider's end_session routes under the /oidc mount; then
    // ours, where the SSO session ends and its SAML participants are told (logout.ts).
    scope.get(CONTINUE_PATH, (request, reply) => continueLogout(samlContext, request, reply));
    scope.all('/oidc/logout', (request, reply) => forward(request, reply, '/oidc', '/logout'));
    scope.all('/oidc/logout/*', (request, reply) => forward(request, reply, '/oidc', pathOf(request, '/oidc')));
  });
}
