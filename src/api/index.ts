// The admin and self-service APIs, registered inside the tenant-aware scope (each route serves /path and
// /t/{tenant}/path).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { registerApplicationRoutes } from './applications.routes.ts';
import { registerAuditRoutes } from './audit.routes.ts';
import { registerAuthenticatorRoutes } from './authenticators.routes.ts';
import { registerClaimRoutes } from './claims.routes.ts';
import { registerEmailTemplateApi } from './email-templates.ts';
import { registerIdentityProviderRoutes } from './identity-providers.routes.ts';
import { registerMeFederatedAssociationRoutes } from './me-federated-associations.routes.ts';
import { registerKeyRoutes } from './keys.routes.ts';
import { registerMeTotpRoutes } from './me-totp.routes.ts';
import { registerOpenApi } from './openapi.ts';
import { registerRegistryRoutes } from './registry.routes.ts';
import { registerScim } from './scim/index.ts';
import { registerTotpAdminService } from './soap/totp-admin.routes.ts';
import { registerTenantRoutes } from './tenants.routes.ts';
import { registerTotpImportRoutes } from './totp-import.routes.ts';
import { registerTotpSecretStorageRoutes } from './totp-secret-storage.routes.ts';
import { registerUserStoreRoutes } from './userstores.routes.ts';

export async function registerAdminApis(app: FastifyInstance, services: Services): Promise<void> {
  // First: it documents the routes registered after it.
  await registerOpenApi(app);
  await app.register(async (scope) => registerTenantRoutes(scope, services));
  await app.register(async (scope) => registerClaimRoutes(scope, services));
  await registerScim(app, services);
  await app.register(async (scope) => registerEmailTemplateApi(scope, services));
  await app.register(async (scope) => registerApplicationRoutes(scope, services));
  await app.register(async (scope) => registerAuthenticatorRoutes(scope, services));
  await app.register(async (scope) => registerTotpSecretStorageRoutes(scope, services));
  await app.register(async (scope) => registerAuditRoutes(scope, services));
  await app.register(async (scope) => registerTotpImportRoutes(scope, services));
  await app.register(async (scope) => registerMeTotpRoutes(scope, services));
  await app.register(async (scope) => registerTotpAdminService(scope, services));
  await app.register(async (scope) => registerRegistryRoutes(scope, services));
  await app.register(async (scope) => registerKeyRoutes(scope, services));
  await app.register(async (scope) => registerUserStoreRoutes(scope, services));
  await app.register(async (scope) => registerIdentityProviderRoutes(scope, services));
  await app.register(async (scope) => registerMeFederatedAssociationRoutes(scope, services));
}
