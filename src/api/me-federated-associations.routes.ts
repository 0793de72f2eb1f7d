// A user's own linked accounts (WSO2's /api/users/v1/me/federated-associations), for the My Account session
// (SSO cookie plus X-CSRF-Token, self-caller.ts); HTTP Basic is refused, as for the other self-service routes
// that change an account:
//   GET    /api/users/v1/me/federated-associations         [{id, idp: {id, name}, federatedUserId}]
//   DELETE /api/users/v1/me/federated-associations/{id}    204; audited as federation.unlinked
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { selfCallerOf, selfRequestOf } from './self-caller.ts';

const BASE = '/api/users/v1/me/federated-associations';
const VIA = 'My Account';
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

export async function registerMeFederatedAssociationRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get(BASE, async (request, reply) => {
    const caller = await selfCallerOf(request, reply, services, { basic: false });
    const links = await services.identityProviders.associationsOf(request.tenant, caller.user);
    return links.map((a) => ({ id: a.id, idp: { id: a.idpId, name: a.idpName }, federatedUserId: a.idpUserId }));
  });

  app.delete<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request, reply) => {
    const caller = await selfCallerOf(request, reply, services, { basic: false });
    await services.identityProviders.unlink(selfRequestOf(request, caller, VIA), caller.user, request.params.id);
    return reply.code(204).send();
  });
}
