// WSO2's me/totp API (identity-api-user), the user managing its own TOTP secret: /api/users/v1/me/totp and
// /t/{tenant}/api/users/v1/me/totp. WSO2's shapes, not its bugs: GET and VIEW create nothing (404 OTP-10003
// when there is no active secret), bad input is 400 (not 505), VALIDATE checks codes with the tenant's window,
// replay protection and lockout. Every act is services.totpManagement (which audits); who may call is
// self-caller.ts (the My Account session with its CSRF token; a bearer token with internal_login; HTTP Basic for
// VALIDATE only).
// A password alone never reveals or replaces a second factor: for an enrolled user, every operation but VALIDATE
// needs a session that proved a current code within the last minutes (403 OTP-10008 otherwise), and a VALIDATE
// with a correct code is that proof (flows/step-up.ts). Until the session has it, VALIDATE checks the current
// secret even when a new one is pending; once it has it, VALIDATE proves the pending one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { TotpCheck } from '../credentials/totp/totp-credentials.ts';
import { provenRecently, recordStepUp, STEP_UP_MS } from '../flows/step-up.ts';
import type { Services } from '../services.ts';
import { deleteTotpSchema, getSecretSchema, getTotpSchema, postTotpSchema, TOTP_ACTIONS, type TotpAction } from './me-totp.schemas.ts';
import { selfCallerOf, selfRequestOf, type SelfCaller } from './self-caller.ts';

export const ME_TOTP = '/api/users/v1/me/totp';
const VIA = 'REST me/totp';

interface UserRequest {
  action: TotpAction;
  verificationCode?: number | string;
}

export async function registerMeTotpRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const totp = services.totpManagement;
  const caller = (request: FastifyRequest, reply: FastifyReply, basic = false): Promise<SelfCaller> => selfCallerOf(request, reply, services, { basic });
  /** A session's recent code (step-up.ts), or a bearer token whose login proved one as recently. */
  const proven = (who: SelfCaller): boolean => {
    const now = services.clock.now();
    if (who.session) return provenRecently(who.session, now);
    return who.otpProvenAt !== undefined && now - who.otpProvenAt <= STEP_UP_MS;
  };
  /** The caller and, for an enrolled user, its session's recent proof of a current code. */
  const factorCaller = async (request: FastifyRequest, reply: FastifyReply): Promise<SelfCaller> => {
    const who = await caller(request, reply);
    const check = await totp.factorProven(selfRequestOf(request, who, VIA), who.user, { session: proven(who) });
    if (!check.ok) throw new AppError('OTP-10008');
    return who;
  };

  // Fastify's Ajv coerces types (null and false to 0, true to 1, [x] to x): a code nobody typed must not be
  // checked (and counted toward the lock), so a verificationCode that is neither a number nor a string is
  // noted before validation and refused once the caller is known.
  const uncoerced = new WeakSet<FastifyRequest>();
  app.addHook('preValidation', async (request) => {
    const code = (request.body as { verificationCode?: unknown } | undefined)?.verificationCode;
    if (code !== undefined && typeof code !== 'number' && typeof code !== 'string') uncoerced.add(request);
  });

  app.get(ME_TOTP, { schema: getTotpSchema }, async (request, reply) => {
    const { user } = await factorCaller(request, reply);
    const qr = await totp.activeQr(request.tenant, user);
    if (!qr) throw new AppError('OTP-10003');
    return { qrCodeUrl: qr.qrCodeUrl };
  });

  // Validation errors wait until the caller is known (attachValidation): an unauthenticated request learns
  // nothing about the body, and whether Basic may call depends on the action.
  app.post<{ Body: UserRequest }>(ME_TOTP, { schema: postTotpSchema, attachValidation: true }, async (request, reply) => {
    const body = request.body as Partial<UserRequest> | undefined;
    const who = await caller(request, reply, body?.action === 'VALIDATE');
    if (request.validationError) throw inputError(request.validationError);
    if (uncoerced.has(request)) throw new AppError('PCS-40001', { description: 'verificationCode must be an integer or a string of digits.' });
    const req = selfRequestOf(request, who, VIA);
    const user = who.user;
    if (request.body.action !== 'VALIDATE' && !(await totp.factorProven(req, user, { session: proven(who) })).ok) throw new AppError('OTP-10008');
    switch (request.body.action) {
      case 'INIT':
        return { qrCodeUrl: (await totp.begin(req, user)).qrCodeUrl };
      case 'REFRESH':
        return { qrCodeUrl: (await totp.refresh(req, user)).qrCodeUrl };
      case 'VIEW': {
        const qr = await totp.activeQr(request.tenant, user);
        if (!qr) throw new AppError('OTP-10003');
        return { qrCodeUrl: qr.qrCodeUrl };
      }
      case 'VALIDATE': {
        const code = request.body.verificationCode;
        if (code === undefined || code === '') throw new AppError('OTP-10004');
        // The pending secret if there is one (it becomes the active one), else the active one (nothing stored).
        // An enrolled user's pending secret is proven only by a session that proved the current one first.
        const mayConfirm = (await totp.factorProven(req, user, { session: proven(who) })).ok;
        let result: TotpCheck = mayConfirm ? await totp.confirm(req, user, code) : { ok: false, reason: 'none' };
        if (!result.ok && result.reason === 'none') result = await totp.verify(req, user, code);
        if (!result.ok && result.reason === 'unusable') throw new AppError('OTP-10007');
        if (result.ok && who.session) await recordStepUp(services.sso, who.session, services.clock.now());
        return { isValid: result.ok };
      }
    }
  });

  app.delete(ME_TOTP, { schema: deleteTotpSchema }, async (request, reply) => {
    const who = await factorCaller(request, reply);
    await totp.reset(selfRequestOf(request, who, VIA), who.user);
    return reply.code(200).send();
  });

  app.get(`${ME_TOTP}/secret`, { schema: getSecretSchema }, async (request, reply) => {
    const who = await factorCaller(request, reply);
    return { secret: await totp.secretText(selfRequestOf(request, who, VIA), who.user) };
  });
}

/** A body the schema refuses: a missing or unknown action is WSO2's OTP-10002, anything else PCS-40001. */
function inputError(error: Error & { validation?: { instancePath: string; params: Record<string, unknown>; message?: string }[] }): AppError {
  const first = error.validation?.[0];
  const path = first?.instancePath ?? '';
  if (path.startsWith('/verificationCode')) return new AppError('PCS-40001', { description: `verificationCode ${first?.message ?? 'is invalid'}.` });
  return new AppError('OTP-10002', { description: `The action must be one of ${TOTP_ACTIONS.join(', ')}.` });
}
