// The authenticators this server has (WSO2: /api/server/v1/authenticators), and each tenant's TOTP
// parameters (WSO2 keeps them in the tenant registry; here /api/server/v1/configs/authenticators/totp).
// GET shows the parameters in force; PUT sets the tenant's overrides of the file's values, validated like the
// file; DELETE returns to the file's values.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import type { Services } from '../services.ts';

const TOTP_CONFIG = '/api/server/v1/configs/authenticators/totp';
const propertiesBody = {
  type: 'object',
  required: ['properties'],
  properties: {
    properties: {
      type: 'array',
      maxItems: 100,
      items: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string', maxLength: 128 }, value: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } } },
    },
  },
} as const;

export async function registerAuthenticatorRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.addHook('preHandler', requireAdmin(services.passwords, API_SCOPES.configs));

  app.get('/api/server/v1/authenticators', async () =>
    services.authenticators.all.map((a) => ({
      id: Buffer.from(a.name).toString('base64url'),
      name: a.name,
      displayName: a.displayName,
      isEnabled: a.enabled(),
      type: 'LOCAL',
      amr: a.amr,
      identifiesUser: a.identifiesUser,
    })),
  );

  const view = async (tenant: Parameters<Services['totpSettings']['forTenant']>[0]) => {
    const params = await services.totpSettings.forTenant(tenant);
    const overrides = await services.totpSettings.overrides(tenant);
    return {
      id: 'totp',
      name: 'totp',
      displayName: 'TOTP',
      isEnabled: services.totpSettings.enabled(),
      properties: Object.entries(params).map(([key, value]) => ({ key, value: String(value), overridden: key in overrides })),
    };
  };

  app.get(TOTP_CONFIG, async (request) => view(request.tenant));

  app.put<{ Body: { properties: { key: string; value: string | number | boolean }[] } }>(TOTP_CONFIG, { schema: { body: propertiesBody } }, async (request) => {
    const values: Record<string, unknown> = {};
    for (const { key, value } of request.body.properties) {
      if (key in values) throw new AppError('PCS-40001', { description: `${key} is given twice.` });
      values[key] = value;
    }
    await services.totpSettings.setOverrides(request.tenant, values);
    return view(request.tenant);
  });

  app.delete(TOTP_CONFIG, async (request, reply) => {
    await services.totpSettings.clearOverrides(request.tenant);
    return reply.code(204).send();
  });
}
