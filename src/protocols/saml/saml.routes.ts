// HTTP routes of the SAML IdP, at WSO2's paths (each also under /t/{tenant}/): /samlsso for both bindings
// (AuthnRequest, LogoutRequest, LogoutResponse, and IdP-initiated ?spEntityID=), the metadata at
// /identity/metadata/saml2. The tenant admin's signing-key API is src/api/keys.routes.ts.
// /samlsso is a browser endpoint: whatever goes wrong before a trusted ACS is known is an error page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { Views } from '../../ui/views.ts';
import { NS } from '../../saml-core/constants.ts';
import { idpEndpoints } from './endpoints.ts';
import { readPost, readRedirect, type InboundMessage } from './inbound.ts';
import { handleLogoutRequest, handleLogoutResponse } from './logout.ts';
import { buildMetadata } from './metadata.ts';
import { handleAuthnRequest, handleIdpInitiated, type SamlContext } from './sso.ts';
import { invalidMessage } from '../../saml-core/xml.ts';

export interface SamlRouteDeps extends SamlContext {
  views: Views;
}

async function dispatch(ctx: SamlContext, request: FastifyRequest, reply: FastifyReply, message: InboundMessage) {
  const { root, kind } = message;
  if (root.namespaceURI !== NS.protocol) throw invalidMessage('The message is not a SAML 2.0 protocol message.');
  if (kind === 'SAMLRequest' && root.localName === 'AuthnRequest') return handleAuthnRequest(ctx, request, reply, message);
  if (kind === 'SAMLRequest' && root.localName === 'LogoutRequest') return handleLogoutRequest(ctx, request, reply, message);
  if (kind === 'SAMLResponse' && root.localName === 'LogoutResponse') return handleLogoutResponse(ctx, request, reply, message);
  throw invalidMessage('This endpoint accepts AuthnRequest, LogoutRequest and LogoutResponse messages.');
}

export async function registerSamlRoutes(app: FastifyInstance, deps: SamlRouteDeps): Promise<void> {
  /** Refusals become the error page (never a SAML message to an untrusted URL); bugs go to the 500 handler. */
  const page = (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await handler(request, reply);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      request.log.info({ errorCode: err.code }, 'SAML request refused');
      const html = deps.views.render('error', { title: err.message, message: err.description, description: '', traceId: request.id, assetBase: '' });
      return reply.code(err.status).type('text/html; charset=utf-8').send(html);
    }
  };

  app.get(
    '/samlsso',
    page(async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      if (query.spEntityID !== undefined) return handleIdpInitiated(deps, request, reply, query);
      const message = readRedirect(request.url);
      if (!message) throw invalidMessage('The request carries no SAML message.');
      return dispatch(deps, request, reply, message);
    }),
  );

  app.post(
    '/samlsso',
    page(async (request, reply) => {
      const message = readPost(request.body);
      if (!message) throw invalidMessage('The form carries no SAML message.');
      return dispatch(deps, request, reply, message);
    }),
  );

  app.get('/identity/metadata/saml2', async (request, reply) => {
    const xml = buildMetadata(idpEndpoints(deps.config, request), await deps.keys.keys(request.tenant));
    return reply.header('cache-control', 'public, max-age=300').type('application/samlmetadata+xml; charset=utf-8').send(xml);
  });
}
