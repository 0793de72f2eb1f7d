// SCIM 2.0 under /scim2 (and /t/{tenant}/scim2), in its own Fastify scope so that every error inside it,
// including body-size and parse errors, comes out in SCIM's error shape (RFC 7644 section 3.12).
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { Services } from '../../services.ts';
import { registerDiscoveryRoutes } from './discovery.routes.ts';
import { sendScimError } from './errors.ts';
import { registerUserRoutes } from './users.routes.ts';

export async function registerScim(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(
    async (scim) => {
      scim.setErrorHandler(async (error: FastifyError, request, reply) => sendScimError(request, reply, error));
      scim.setNotFoundHandler(async (request, reply) => sendScimError(request, reply, new AppError('PCS-40400')));
      registerDiscoveryRoutes(scim, services);
      // Users in a nested scope: its admin-only hook must not cover the discovery documents.
      await scim.register(async (users) => registerUserRoutes(users, services));
    },
    { prefix: '/scim2' },
  );
}
