// Moving users over from another server (issue 9, item 4): an admin imports the TOTP secret a user's
// authenticator app already holds, one user as JSON or many as CSV (`username,secret[,algorithm,digits,period]`).
// Tenant admins only (HTTP Basic), within their own tenant; every import is UserAdminService.importTotp, which
// ends the user's sessions and audits the admin. A refused secret is described by its field, never quoted.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { adminRequestOf, requireAdmin } from '../http/admin-auth.ts';
import type { Services } from '../services.ts';
import { MAX_SECRET_LENGTH, type TotpImport } from '../users/totp-import.ts';

const BASE = '/api/server/v1/users';

interface ImportBody {
  secret: string;
  encoding?: TotpImport['encoding'];
  algorithm?: TotpImport['algorithm'];
  digits?: TotpImport['digits'];
  period?: number;
}

// The period's bound is the credentials layer's (credentials/totp): apps show a code for at most 5 minutes.
const body = {
  type: 'object',
  required: ['secret'],
  properties: {
    secret: { type: 'string', minLength: 1, maxLength: MAX_SECRET_LENGTH },
    encoding: { type: 'string', enum: ['Base32', 'Base64'] },
    algorithm: { type: 'string', enum: ['SHA1', 'SHA256', 'SHA512'] },
    digits: { type: 'integer', enum: [6, 8] },
    period: { type: 'integer', minimum: 1, maximum: 300 },
  },
} as const;
const params = { type: 'object', properties: { userId: { type: 'string', maxLength: 128 } } } as const;

export async function registerTotpImportRoutes(app: FastifyInstance, services: Services): Promise<void> {
  // Only the tenant's admin gets past this; it runs before the body is read.
  app.addHook('onRequest', requireAdmin(services.passwords, (() => API_SCOPES.users.update)));
  // The bulk form's body, as text, within the server's body limit (this scope only).
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: services.config.server.max_body_size }, (_request, text, done) => done(null, text));

  const adminRequest = (request: FastifyRequest) => adminRequestOf(request, 'REST');

  app.post<{ Params: { userId: string }; Body: ImportBody }>(`${BASE}/:userId/totp/import`, { schema: { params, body } }, async (request, reply) => {
    const req = adminRequest(request);
    const user = await services.userAdmin.require(req, request.params.userId);
    const b = request.body;
    await services.userAdmin.importTotp(req, user, { secret: b.secret, encoding: b.encoding ?? 'Base32', algorithm: b.algorithm ?? 'SHA1', digits: b.digits ?? 6, period: b.period ?? 30 });
    return reply.code(204).send();
  });

  app.post<{ Body: unknown }>(`${BASE}/totp/import`, async (request) => {
    if (typeof request.body !== 'string') throw new AppError('PCS-41500', { description: 'Send the lines as text/csv: username,secret[,algorithm,digits,period].' });
    return services.userAdmin.importTotpCsv(adminRequest(request), request.body);
  });
}
