// TOTPAdminService's operations, with WSO2's names, parameters and return types, each one call of the TOTP door
// (credentials/totp TotpManagement), which applies the credentials layer's rules and writes the audit events.
// Where WSO2 differs (section 9 of the behaviour notes), we keep its shapes and not its bugs:
// - initTOTP, generateSecret and refreshSecretKey hand out a pending secret; it becomes active only when a code
//   proves it (enableTOTP, or the login's TOTP step). refreshSecretKey therefore leaves the old secret working
//   until then (WSO2 replaces it at once, product-is #15197).
// - validateTOTP checks the active secret and creates nothing (WSO2 creates one through retrieveSecretKey);
//   without one it is false. Codes count toward lockout and are accepted once, as at login.
import { AppError } from '../../errors/app-error.ts';
import type { TotpCheck, TotpManagement, TotpRequest } from '../../credentials/totp/index.ts';
import type { UserRecord } from '../../users/user-store.ts';

export type ParamName = 'username' | 'verificationCode';

export interface OperationInput {
  totp: TotpManagement;
  req: TotpRequest;
  user: UserRecord;
  /** The verificationCode (an xs:int), for the operations that take one. */
  code: number;
}

export interface Operation {
  params: readonly ParamName[];
  returns: 'string' | 'boolean';
  run(input: OperationInput): Promise<string | boolean>;
}

/** A code check as WSO2's boolean; a locked account and (for enableTOTP) a missing pending secret are faults. */
function outcome(check: TotpCheck, needsPending: boolean): boolean {
  if (check.ok) return true;
  if (check.reason === 'unusable') throw new AppError('OTP-10007');
  if (check.reason === 'none' && needsPending) throw new AppError('OTP-10006', { description: 'Secret key is not generated yet.' });
  return false;
}

export const OPERATIONS: Readonly<Record<string, Operation>> = Object.freeze({
  initTOTP: {
    params: ['username'],
    returns: 'string',
    // The active secret's QR when enrolled, else the pending one (the login enrols with it after a correct code).
    run: async ({ totp, req, user }) => ((await totp.activeQr(req.tenant, user)) ?? (await totp.begin(req, user))).qrCodeUrl,
  },
  generateSecret: {
    params: ['username'],
    returns: 'string',
    run: async ({ totp, req, user }) => (await totp.begin(req, user)).qrCodeUrl,
  },
  enableTOTP: {
    params: ['username', 'verificationCode'],
    returns: 'boolean',
    run: async ({ totp, req, user, code }) => outcome(await totp.confirm(req, user, code), true),
  },
  resetTOTP: {
    params: ['username'],
    returns: 'boolean',
    run: async ({ totp, req, user }) => {
      await totp.reset(req, user);
      return true;
    },
  },
  refreshSecretKey: {
    params: ['username'],
    returns: 'string',
    run: async ({ totp, req, user }) => (await totp.refresh(req, user)).qrCodeUrl,
  },
  retrieveSecretKey: {
    params: ['username'],
    returns: 'string',
    run: ({ totp, req, user }) => totp.secretText(req, user),
  },
  validateTOTP: {
    params: ['username', 'verificationCode'],
    returns: 'boolean',
    run: async ({ totp, req, user, code }) => outcome(await totp.verify(req, user, code), false),
  },
});

export const OPERATION_NAMES = Object.keys(OPERATIONS);

export function operationOf(name: string): Operation {
  if (!Object.hasOwn(OPERATIONS, name)) throw new AppError('PCS-40001', { description: `The operation is not one of TOTPAdminService's: ${OPERATION_NAMES.join(', ')}.` });
  return OPERATIONS[name]!;
}

/**
 * WSO2 declares verificationCode an xs:int: digits (a leading + and zeros allowed), which TotpManagement reads as
 * an integer code (leading zeros restored to the credential's digits). The value is never echoed back.
 */
export function parseCode(text: string | undefined): number {
  if (text === undefined || text.trim() === '') throw new AppError('OTP-10004');
  const digits = /^\+?(\d{1,10})$/.exec(text.trim())?.[1];
  const value = digits === undefined ? Number.NaN : Number(digits);
  if (!(value <= 2_147_483_647)) throw new AppError('PCS-40001', { description: 'verificationCode must be an integer (xs:int).' });
  return value;
}
