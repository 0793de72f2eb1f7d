// Builds the HTTPS application: framework plumbing (tenant resolution, errors, headers, body limits) and
// every route. Starting and stopping the process is main.ts's job.
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAdminApis } from './api/index.ts';
import { createConsoleFront } from './protocols/console/console.front.ts';
import { createMyAccountFront, registerMyAccount } from './protocols/myaccount/myaccount.front.ts';
import { registerJwksRoute } from './protocols/oidc/jwks.routes.ts';
import { apiTokenVerifier, createOidcProviders, registerOidcRoutes } from './protocols/oidc/oidc.routes.ts';
import { samlKeys } from './protocols/saml/keys.ts';
import { registerSamlRoutes } from './protocols/saml/saml.routes.ts';
import { registerAuthenticationEndpoint } from './ui/authentication-endpoint.ts';
import { registerConsole } from './ui/console/index.ts';
import { registerAssets } from './http/assets.ts';
import { AccessLogController } from './http/log-controller.ts';
import { installErrorHandlers } from './http/error-handler.ts';
import { lazySchemaCompilers } from './http/lazy-schemas.ts';
import { registerHealthRoutes } from './http/health.ts';
import { registerOverload } from './http/overload.ts';
import { installRequestMetrics } from './http/request-metrics.ts';
import { frameworkErrors, parseQuery, registerInputParsers } from './http/input-parsers.ts';
import { registerRateLimits } from './http/rate-limit.ts';
import { installRequestScope } from './http/request-scope.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { installTenantContext, rewriteTenantUrl } from './http/tenant-context.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { Services } from './services.ts';
import { Views } from './ui/views.ts';

export interface AppOptions {
  /** PEM key and certificate; without them the app serves plain HTTP (only for in-process tests). */
  tls?: { key: string; cert: string };
  themeDir?: string;
  /** The node's metrics ([metrics] enable): request latency and overload refusals are counted into it. */
  metrics?: Metrics;
}

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const schemas = lazySchemaCompilers();
  const app = Fastify({
    loggerInstance: services.log,
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
    bodyLimit: config.server.max_body_size,
    trustProxy: config.server.trust_proxy,
    rewriteUrl: rewriteTenantUrl,
    // A claim id is its URI in base64url (up to ~300 characters); Fastify's default bound is 100.
    routerOptions: { querystringParser: parseQuery, maxParamLength: 512 },
    frameworkErrors,
    genReqId: () => crypto.randomUUID(),
    logController: new AccessLogController(),
    return503OnClosing: true,
    forceCloseConnections: true,
    // Ajv's extra pass that tidies the generated code (`code.optimize`) was about a tenth of the start-up CPU
    // and changes no validation result (README, "Start-up and memory").
    ajv: { customOptions: { code: { optimize: false } } },
    // Each route's validator and serializer is compiled on its first use (http/lazy-schemas.ts).
    schemaController: { compilersFactory: schemas.compilersFactory },
  }) as unknown as FastifyInstance;
  const views = new Views({ themeDir: options.themeDir ?? (config.ui.theme_directory || undefined) });

  app.decorate('compileRouteSchemas', () => schemas.compileAll());
  installRequestScope(app);
  await registerInputParsers(app, { bodyLimit: config.server.max_body_size });
  installErrorHandlers(app, views);
  installTenantContext(app, services.tenants);
  installSecurityHeaders(app);
  // Before any route: it attaches to /commonauth as routes register, and admin-auth.ts asks it on every Basic door.
  await registerRateLimits(app, services);
  if (options.metrics) installRequestMetrics(app, options.metrics);
  await registerOverload(app, config.overload, options.metrics);
  registerHealthRoutes(app, () => services.storage.ping(), () => services.userStores.health(), () => app.overload.source());
  registerAssets(app);
  const lifetimes = { loginMs: config.session.login_timeout * 60_000, ssoMaxMs: config.session.max_lifetime * 60_000 };
  // The OIDC providers issue the access tokens the APIs accept (http/api-scopes.ts).
  const oidcProviders = createOidcProviders({ ...services, views, lifetimes });
  app.decorate('apiTokens', apiTokenVerifier(oidcProviders, config));
  await registerAdminApis(app, services);
  services.fronts.register(createMyAccountFront());
  services.fronts.register(createConsoleFront(services.audit));
  registerAuthenticationEndpoint(app, services.engine, views, lifetimes, services.clock);
  registerMyAccount(app, { ...services, views, lifetimes });
  await registerConsole(app, { ...services, views, lifetimes });
  // The SAML front and the applications' SAML settings are registered with the services (login-services.ts).
  await registerSamlRoutes(app, { ...services, keys: samlKeys(services.keys), views, lifetimes, now: () => services.clock.now() });
  registerJwksRoute(app, services.keys);
  await registerOidcRoutes(app, { ...services, views, lifetimes, providers: oidcProviders });
  return app;
}
