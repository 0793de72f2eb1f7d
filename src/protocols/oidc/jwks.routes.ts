// The tenant's OIDC signing keys as a JWKS (RFC 7517) at WSO2's path /oauth2/jwks (also /t/{tenant}/oauth2/jwks):
// the active key and the keys still within their grace period, public parts only, from the key service.
import type { FastifyInstance } from 'fastify';
import type { KeyService } from '../../keys/key-service.ts';

/**
 * How long a relying party may keep the set: short, because a rotation makes a new key sign at once. A relying
 * party that meets an unknown kid refetches anyway (jose, openid-client do); this bounds the others.
 */
export const JWKS_MAX_AGE_SECONDS = 60;

export function registerJwksRoute(app: FastifyInstance, keys: KeyService): void {
  app.get('/oauth2/jwks', async (request, reply) =>
    reply
      .header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
      .type('application/jwk-set+json; charset=utf-8')
      .send(await keys.publicJwks(request.tenant)),
  );
}
