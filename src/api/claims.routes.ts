// Local claims of the caller's tenant, shaped like WSO2's /api/server/v1/claim-dialects/local/claims, plus
// our `hidden` flag. Claim metadata is listed, claim values never are: hidden claims (the TOTP secrets)
// have no value output anywhere.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { claimId, type LocalClaim, type LocalClaimInput } from '../claims/claim-metadata.ts';
import { DEFAULT_LOCAL_CLAIMS, isIdentityClaim, LOCAL_DIALECT } from '../claims/local-claims.ts';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import { decodeBase64, decodeUtf8 } from '../encoding/decode.ts';
import type { Services } from '../services.ts';
import { tenantResourceUrl } from '../http/public-url.ts';

const DIALECTS = '/api/server/v1/claim-dialects';
const CLAIMS_PATH = `${DIALECTS}/local/claims`;

interface ClaimBody {
  claimURI: string;
  displayName: string;
  description?: string;
  displayOrder?: number;
  readOnly?: boolean;
  required?: boolean;
  supportedByDefault?: boolean;
  hidden?: boolean;
  regEx?: string;
  attributeMapping: { mappedAttribute: string; userstore: string }[];
  properties?: { key: string; value: string }[];
}
type IdParams = { Params: { id: string } };

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const flag = { type: 'boolean' } as const;
const claimBody = {
  type: 'object',
  required: ['claimURI', 'displayName', 'attributeMapping'],
  properties: {
    claimURI: text(255),
    displayName: text(255),
    description: { type: 'string', maxLength: 1024 },
    displayOrder: { type: 'integer', minimum: 0, maximum: 1000000 },
    readOnly: flag,
    required: flag,
    supportedByDefault: flag,
    hidden: flag,
    regEx: { type: 'string', maxLength: 1024 },
    attributeMapping: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: { type: 'object', required: ['mappedAttribute', 'userstore'], properties: { mappedAttribute: text(128), userstore: text(64) } },
    },
    properties: { type: 'array', items: { type: 'object' } },
  },
} as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 512 } } } as const;
const listQuery = { type: 'object', properties: { 'exclude-identity-claims': { type: 'boolean' } } } as const;

function toJson(c: LocalClaim) {
  return {
    id: claimId(c.uri),
    claimURI: c.uri,
    dialectURI: LOCAL_DIALECT,
    description: c.description,
    displayOrder: c.displayOrder,
    displayName: c.displayName,
    readOnly: c.readOnly,
    ...(c.regex ? { regEx: c.regex } : {}),
    required: c.required,
    supportedByDefault: c.supportedByDefault,
    hidden: c.hidden,
    attributeMapping: c.attributeMappings.map((m) => ({ mappedAttribute: m.mappedAttribute, userstore: m.userstore })),
    properties: [],
  };
}

function toInput(body: ClaimBody): LocalClaimInput {
  if (body.properties && body.properties.length > 0) {
    // Refused rather than dropped, so nothing the caller sent is silently lost.
    throw new AppError('CLM-40001', { description: 'Claim properties are not supported; send an empty properties list.' });
  }
  return {
    uri: body.claimURI,
    displayName: body.displayName,
    description: body.description ?? '',
    displayOrder: body.displayOrder,
    readOnly: body.readOnly,
    required: body.required,
    supportedByDefault: body.supportedByDefault,
    hidden: body.hidden,
    regex: body.regEx ?? null,
    attributeMappings: body.attributeMapping.map((m) => ({ userstore: m.userstore, mappedAttribute: m.mappedAttribute })),
  };
}

/** The server relies on the default claims' hidden and read-only flags (a TOTP secret must stay hidden). */
function checkFixedFlags(input: LocalClaimInput): void {
  const def = DEFAULT_LOCAL_CLAIMS.find((c) => c.uri === input.uri);
  if (!def) return;
  if ((input.hidden ?? false) !== (def.hidden ?? false) || (input.readOnly ?? false) !== (def.readOnly ?? false)) {
    throw new AppError('CLM-40002', { description: `The hidden and readOnly flags of ${def.uri} are fixed: hidden=${def.hidden ?? false}, readOnly=${def.readOnly ?? false}.` });
  }
}

export function registerClaimRoutes(app: FastifyInstance, services: Services): void {
  const { claims } = services;
  app.addHook('onRequest', requireAdmin(services.passwords, API_SCOPES.claims));
  // A claim id is the URI in base64url (claimId); one that does not decode strictly names no claim.
  const notFound = { code: 'CLM-40401', what: 'The claim id' } as const;
  const uriOf = (request: FastifyRequest<IdParams>) => decodeUtf8(decodeBase64(request.params.id, { url: true, ...notFound }), notFound);
  const dialect = (request: FastifyRequest) => ({ id: 'local', dialectURI: LOCAL_DIALECT, link: { href: tenantResourceUrl(services.config, request, `${DIALECTS}/local`), rel: 'dialect' } });

  app.get(DIALECTS, async (request) => [dialect(request)]);
  app.get(`${DIALECTS}/local`, async (request) => dialect(request));

  app.get<{ Querystring: { 'exclude-identity-claims'?: boolean } }>(CLAIMS_PATH, { schema: { querystring: listQuery } }, async (request) => {
    const all = await claims.list(request.tenant.id);
    const excludeIdentity = request.query['exclude-identity-claims'] === true;
    return all.filter((c) => !excludeIdentity || !isIdentityClaim(c.uri)).map(toJson);
  });

  app.get<IdParams>(`${CLAIMS_PATH}/:id`, { schema: { params: idParams } }, async (request) => {
    const claim = await claims.get(request.tenant.id, uriOf(request));
    if (!claim) throw new AppError('CLM-40401');
    return toJson(claim);
  });

  app.post<{ Body: ClaimBody }>(CLAIMS_PATH, { schema: { body: claimBody } }, async (request, reply) => {
    const claim = await claims.add(request.tenant.id, toInput(request.body));
    reply.header('location', tenantResourceUrl(services.config, request, `${CLAIMS_PATH}/${claimId(claim.uri)}`));
    return reply.code(201).send(toJson(claim));
  });

  app.put<IdParams & { Body: ClaimBody }>(`${CLAIMS_PATH}/:id`, { schema: { params: idParams, body: claimBody } }, async (request) => {
    const uri = uriOf(request);
    if (!(await claims.get(request.tenant.id, uri))) throw new AppError('CLM-40401');
    const input = toInput(request.body);
    checkFixedFlags(input);
    return toJson(await claims.update(request.tenant.id, uri, input));
  });

  app.delete<IdParams>(`${CLAIMS_PATH}/:id`, { schema: { params: idParams } }, async (request, reply) => {
    await claims.remove(request.tenant.id, uriOf(request));
    return reply.code(204).send();
  });
}
