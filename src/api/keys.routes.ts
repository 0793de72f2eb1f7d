// The tenant admin's signing-key API, one pair of routes per key purpose (src/keys/): GET lists the keys (never
// a private part), POST .../rotate makes a new active key and keeps the previous one published for the grace
// period: /api/server/v1/keys/saml and /api/server/v1/keys/oidc (each also under /t/{tenant}/).
import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import { DEFAULT_GRACE_MS, KEY_PURPOSES, type KeyInfo } from '../keys/signing-key.ts';
import type { Services } from '../services.ts';

function keyJson(k: KeyInfo) {
  const cert = new X509Certificate(k.certificatePem);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: k.id,
    status: k.status,
    published: k.published,
    certificate: k.certificatePem,
    subject: cert.subject,
    thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    createdAt: iso(k.createdAt),
    retiredAt: iso(k.retiredAt),
    publishUntil: iso(k.publishUntil),
  };
}

const date = { type: 'string', format: 'date-time' } as const;
const nullableDate = { type: 'string', format: 'date-time', nullable: true } as const;
const keyList = {
  type: 'object',
  properties: {
    keys: {
      type: 'array',
      description: 'Newest first. Published keys are those relying parties should accept: the active key and retired keys within their grace period.',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'Also the kid of the JWK.' },
          status: { type: 'string', enum: ['active', 'next', 'retired'] },
          published: { type: 'boolean' },
          certificate: { type: 'string', description: 'PEM, self-signed.' },
          subject: { type: 'string' },
          thumbprintSha256: { type: 'string' },
          notBefore: date,
          notAfter: date,
          createdAt: date,
          retiredAt: nullableDate,
          publishUntil: nullableDate,
        },
      },
    },
  },
} as const;
const rotateBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Optional.',
  properties: { gracePeriodDays: { type: 'integer', minimum: 0, maximum: 365, default: 14, description: 'How long the retired key stays published.' } },
} as const;

export async function registerKeyRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.addHook('onRequest', requireAdmin(services.passwords, API_SCOPES.keys));
  // Checked strictly before Fastify's Ajv, which would coerce "7" to 7 and drop unknown fields: what the schema
  // documents is what is accepted.
  app.addHook('preValidation', async (request) => {
    if (request.method !== 'POST') return;
    // No body at all is the default grace period (the schema's object, so Fastify's check passes).
    const body = (request.body ??= {});
    const days = (body as Record<string, unknown>).gracePeriodDays;
    if (typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'gracePeriodDays') || (days !== undefined && (!Number.isInteger(days) || (days as number) < 0 || (days as number) > 365))) {
      throw new AppError('PCS-40001', { description: 'The body may only carry gracePeriodDays, an integer from 0 to 365.' });
    }
  });

  for (const purpose of KEY_PURPOSES) {
    const path = `/api/server/v1/keys/${purpose}`;
    const list = async (tenant: Parameters<typeof services.keys.list>[0]) => ({ keys: (await services.keys.list(tenant, purpose)).map(keyJson) });
    app.get(path, { schema: { summary: `The tenant's ${purpose.toUpperCase()} signing keys`, response: { 200: keyList } } }, async (request) => list(request.tenant));
    app.post<{ Body: { gracePeriodDays?: number } | undefined }>(
      `${path}/rotate`,
      { schema: { summary: `Rotate the tenant's ${purpose.toUpperCase()} signing key`, body: rotateBody, response: { 201: keyList } } },
      async (request, reply) => {
        const days = request.body?.gracePeriodDays;
        await services.keys.rotate(request.tenant, purpose, days === undefined ? DEFAULT_GRACE_MS : days * 86_400_000);
        return reply.code(201).send(await list(request.tenant));
      },
    );
  }
}
