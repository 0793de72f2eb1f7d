// The JSON schemas of the me/totp API: WSO2's DTOs (UserRequest, TOTPResponse, TOTPSecretResponse, Error).
// Fastify validates requests and serializes responses with them, and the OpenAPI document is generated from
// them, so what the document says is what the routes do. A response schema also drops any field it does not
// list: nothing but these fields can leave these routes.

export const TOTP_ACTIONS = ['INIT', 'REFRESH', 'VALIDATE', 'VIEW'] as const;
export type TotpAction = (typeof TOTP_ACTIONS)[number];

const TAG = ['me/totp'];

export const errorSchema = {
  type: 'object',
  description: 'An error: a stable code, a message, a description safe to show, and the trace id of the request.',
  required: ['code', 'message', 'description', 'traceId'],
  properties: {
    code: { type: 'string', examples: ['OTP-10003'] },
    message: { type: 'string' },
    description: { type: 'string' },
    traceId: { type: 'string' },
  },
} as const;

const qrResponse = {
  type: 'object',
  description: 'The secret as an authenticator app takes it.',
  required: ['qrCodeUrl'],
  properties: { qrCodeUrl: { type: 'string', description: 'The otpauth:// URI of the secret, its UTF-8 bytes in Base64 (WSO2\'s qrCodeUrl). It holds the secret.' } },
} as const;

/** WSO2's TOTPResponse: `qrCodeUrl` for INIT, REFRESH and VIEW, `isValid` for VALIDATE. */
const totpResponse = {
  type: 'object',
  description: 'INIT, REFRESH and VIEW answer {qrCodeUrl}; VALIDATE answers {isValid}.',
  properties: {
    qrCodeUrl: qrResponse.properties.qrCodeUrl,
    isValid: { type: 'boolean', description: 'Whether the code was right (VALIDATE).' },
  },
} as const;

/** WSO2's UserRequest. Fastify's Ajv coerces types; the route refuses what a strict reading refuses (me-totp.routes.ts). */
export const userRequest = {
  type: 'object',
  required: ['action'],
  properties: {
    action: {
      type: 'string',
      enum: TOTP_ACTIONS,
      description:
        'INIT: the pending secret (a new one if there is none). REFRESH: always a new pending secret; the active one keeps working until the new one is proven. ' +
        'VALIDATE: checks verificationCode against the pending secret and makes it the active one, or against the active one when nothing is pending. VIEW: the active secret.',
    },
    verificationCode: {
      description: 'The code the app shows (VALIDATE). An integer (leading zeros are restored) or the exact digit string.',
      anyOf: [
        { type: 'integer', minimum: 0, maximum: 99_999_999 },
        { type: 'string', pattern: '^[0-9]{6,8}$' },
      ],
    },
  },
} as const;

const errors = {
  400: { ...errorSchema, description: 'Invalid input: OTP-10002 (unknown action), OTP-10004 (no verificationCode), PCS-40001.' },
  401: { ...errorSchema, description: 'OTP-10001: no valid My Account session or credentials.' },
  403: { ...errorSchema, description: 'OTP-10005: refused for HTTP Basic; PCS-40300: no valid X-CSRF-Token for the session.' },
  429: { ...errorSchema, description: 'PCS-42900: too many attempts (HTTP Basic); see Retry-After.' },
} as const;

const security: Record<string, string[]>[] = [{ myAccountSession: [], csrfToken: [] }, { bearerToken: [] }];

export const getTotpSchema = {
  tags: TAG,
  summary: 'The QR code URL of the active secret',
  description: 'Creates nothing: 404 OTP-10003 when the user has no active secret. Refused for HTTP Basic.',
  security,
  response: { 200: qrResponse, ...errors, 404: { ...errorSchema, description: "OTP-10003: the user has no active secret." } },
} as const;

export const postTotpSchema = {
  tags: TAG,
  summary: 'INIT, REFRESH, VIEW or VALIDATE the user\'s TOTP secret',
  description:
    'HTTP Basic is accepted for VALIDATE only (403 OTP-10005 otherwise). VALIDATE checks codes with the tenant\'s time step and window, refuses a code already used, ' +
    'and a wrong code counts toward locking the account, as at login.',
  security: [...security, { basicAuth: [] }],
  body: userRequest,
  response: {
    200: totpResponse,
    ...errors,
    404: { ...errorSchema, description: 'OTP-10003: VIEW, and the user has no active secret.' },
    423: { ...errorSchema, description: 'OTP-10007: the account became locked or disabled before the code was checked.' },
  },
} as const;

export const deleteTotpSchema = {
  tags: TAG,
  summary: 'Remove the user\'s TOTP secrets',
  description: 'Both the active and the pending secret go; the user\'s other sessions end. Answers 200 with an empty body, as WSO2 does.',
  security,
  response: { 200: { description: 'Removed (empty body).', type: 'null' }, ...errors },
} as const;

export const getSecretSchema = {
  tags: TAG,
  summary: 'The secret as text',
  description: 'The active secret, else the pending one, else a new pending one (which becomes active only when VALIDATE proves it).',
  security,
  response: {
    200: { type: 'object', required: ['secret'], properties: { secret: { type: 'string', description: 'The secret in its encoding (Base32 by default).' } } },
    ...errors,
  },
} as const;
