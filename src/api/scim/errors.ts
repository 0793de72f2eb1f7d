// SCIM errors (RFC 7644 section 3.12): {"schemas": [Error], "status": "400", "scimType": "...", "detail": "..."}.
// Inside the server they are ordinary AppErrors; this edge maps codes to SCIM's status and scimType. The
// body also carries our stable `code` and `traceId` (extra members, which SCIM clients ignore), so a SCIM
// error can be matched and traced like every other API error.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import { toAppError } from '../../http/error-handler.ts';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export type ScimType = 'invalidFilter' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'mutability' | 'uniqueness' | 'tooMany';

const CODE_OF: Partial<Record<ScimType, ErrorCode>> = {
  invalidFilter: 'SCM-40001',
  invalidSyntax: 'SCM-40002',
  invalidPath: 'SCM-40003',
  noTarget: 'SCM-40004',
  invalidValue: 'SCM-40005',
  mutability: 'SCM-40006',
};

/** scimType for codes raised elsewhere in the server (section 3.12, table 9). */
const TYPE_OF: Partial<Record<ErrorCode, ScimType>> = {
  'SCM-40001': 'invalidFilter',
  'SCM-40002': 'invalidSyntax',
  'SCM-40003': 'invalidPath',
  'SCM-40004': 'noTarget',
  'SCM-40005': 'invalidValue',
  'SCM-40006': 'mutability',
  'PCS-40000': 'invalidSyntax',
  'PCS-40001': 'invalidValue',
  'PCS-40002': 'invalidSyntax',
  'PCS-40003': 'invalidSyntax',
  'USR-40001': 'invalidValue',
  'USR-40002': 'invalidValue',
  'USR-40003': 'invalidValue',
  'USR-40004': 'mutability',
  'USR-40005': 'invalidValue',
  'USR-40901': 'uniqueness',
  'CLM-40001': 'invalidValue',
  'CLM-40002': 'mutability',
  'CLM-40003': 'invalidValue',
  'CLM-40004': 'invalidValue',
};

/** An AppError carrying a SCIM scimType. */
export function scimError(type: Exclude<ScimType, 'uniqueness' | 'tooMany'>, detail: string): AppError {
  return new AppError(CODE_OF[type]!, { description: detail });
}

export interface ScimErrorBody {
  schemas: [string];
  status: string;
  scimType?: ScimType;
  detail: string;
  code: string;
  traceId: string;
}

export function scimErrorBody(error: AppError, traceId: string): ScimErrorBody {
  const scimType = TYPE_OF[error.code];
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(scimType ? { scimType } : {}),
    detail: error.description,
    code: error.code,
    traceId,
  };
}

export async function sendScimError(request: FastifyRequest, reply: FastifyReply, error: FastifyError | Error): Promise<FastifyReply> {
  const appError = toAppError(error);
  if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: appError.code }, 'request refused');
  // RFC 7235 section 4.1: a 401 names the scheme to use (section 2 of RFC 7644 allows HTTP Basic).
  if (appError.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Basic realm="Portcullis", charset="UTF-8"');
  return reply.code(appError.status).type(SCIM_CONTENT_TYPE).send(scimErrorBody(appError, request.id));
}
