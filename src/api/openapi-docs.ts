// Built on the first request for /api/openapi.json or /api/docs (openapi.ts): a Fastify instance of its own,
// never listening, holds @fastify/swagger and @fastify/swagger-ui, and the documented routes of the server are
// added to it again (their method, URL, schema and config; handlers that never run) so the generator sees what
// it would have seen at start. The page and its static files are served from it with inject(); the server's
// own hooks (security headers, rate limits, logging) still apply, as the request is the server's.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply, type FastifyRequest, type FastifySchema, type RouteOptions } from 'fastify';
import { DEFAULT_CSP } from '../http/security-headers.ts';
import { DOCS_PATH, isDocumented } from './openapi.ts';

/** The documented URL prefixes, each with its tag; the first that matches names the route's group. */
const GROUPS: [prefix: string, tag: string][] = [
  ['/api/users/v1/me/totp', 'me/totp'],
  ['/api/server/v1/tenants', 'Tenants'],
  ['/api/server/v1/claim-dialects', 'Claims'],
  ['/api/server/v1/applications', 'Applications'],
  ['/api/server/v1/authenticators', 'Authenticators'],
  ['/api/server/v1/configs', 'Authenticators'],
  ['/api/server/v1/email', 'Email templates'],
  ['/api/server/v1/audit', 'Audit'],
  ['/api/server/v1/users', 'TOTP import'],
  ['/api/server/v1/keys', 'Signing keys'],
  ['/api/server/v1/userstores', 'User stores'],
  ['/api/users/', 'Self-service'],
  ['/api/server/', 'Admin'],
  ['/scim2/', 'SCIM 2.0'],
];

/**
 * The one inline style the reference page needs: the <style> inside Swagger UI's own SVG logo (its hash, for
 * @fastify/swagger-ui 6.1.3; a new version's test in Chromium reports a changed one). Everything else it loads is
 * its own static files, which the server's policy already allows ('self'); nothing else is relaxed.
 */
const SWAGGER_LOGO_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";
const DOCS_CSP = DEFAULT_CSP.replace("style-src 'self'", `style-src 'self' ${SWAGGER_LOGO_STYLE}`);

const adminSecurity: Record<string, string[]>[] = [{ basicAuth: [] }, { bearerToken: [] }];

/** Request headers that decide what a static file answer is (conditional and partial requests). */
const FORWARDED = ['accept', 'if-none-match', 'if-modified-since', 'range', 'if-range'] as const;
/** Response headers of the inner instance that belong to its own connection, not to the answer. */
const NOT_COPIED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length']);

export interface ApiDocs {
  document(): unknown;
  serve(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

export async function buildApiDocs(routes: readonly RouteOptions[], sharedSchemas: Record<string, unknown>): Promise<ApiDocs> {
  const docs = Fastify({ logger: false });
  // The routes added below only feed the generator: nothing is validated or serialized with their schemas here.
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of Object.values(sharedSchemas)) docs.addSchema(schema);
  await docs.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Portcullis REST APIs',
        version: 'v1',
        description:
          'Every path also works under /t/{tenant} (the tenant\'s own users and settings). Errors are {code, message, description, traceId}. ' +
          'Admin APIs take HTTP Basic (the tenant\'s admin) or an access token with the API\'s internal_* scope; the me/totp API takes the My Account session with its CSRF token, or an access token with internal_login.',
      },
      servers: [{ url: '/' }, { url: '/t/{tenant}', variables: { tenant: { default: 'carbon.super', description: 'The tenant domain.' } } }],
      components: {
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic', description: 'Over TLS; rate-limited, failures count toward locking the account.' },
          bearerToken: { type: 'http', scheme: 'bearer', description: "An access token from /oauth2/token of the same tenant, with WSO2's internal_* scope the API asks for (docs/oidc.md)." },
          myAccountSession: { type: 'apiKey', in: 'cookie', name: 'commonAuthId', description: 'The SSO session of a browser signed in to My Account.' },
          csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: "The My Account page's CSRF token; required with the session, on every method." },
        },
      },
    },
    // Admin routes without their own security are Basic; the page's own routes are hidden.
    transform: ({ schema, url }) => {
      const given: FastifySchema = schema ?? {};
      if (!isDocumented(url)) return { schema: { ...given, hide: true }, url };
      const tag = GROUPS.find(([prefix]) => url.startsWith(prefix))?.[1];
      return { schema: { ...given, tags: given.tags ?? (tag ? [tag] : []), security: given.security ?? adminSecurity }, url };
    },
  });
  for (const route of routes) {
    docs.route({ method: route.method, url: route.url, schema: route.schema, config: route.config, constraints: route.constraints, handler: async () => null });
  }
  await docs.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    // No calls to swagger.io's validator from the page.
    validatorUrl: false,
    uiConfig: { deepLinking: false, tryItOutEnabled: false },
    theme: { title: 'Portcullis REST APIs' },
  });
  await docs.ready();

  return {
    document: () => docs.swagger(),
    async serve(request, reply) {
      const headers: Record<string, string> = {};
      for (const name of FORWARDED) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      // GET also for HEAD: Fastify drops the body of the server's HEAD answer itself.
      const res = await docs.inject({ method: 'GET', url: request.url, headers });
      if (res.statusCode === 404) {
        reply.callNotFound();
        return reply;
      }
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined && !NOT_COPIED.has(name)) reply.header(name, value);
      }
      // The page gets the server's policy with the one style hash it needs (security-headers.ts keeps a set one).
      if (String(res.headers['content-type'] ?? '').startsWith('text/html')) reply.header('content-security-policy', DOCS_CSP);
      return reply.code(res.statusCode).send(res.rawPayload);
    },
  };
}
