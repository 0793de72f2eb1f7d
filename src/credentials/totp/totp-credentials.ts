// A user's TOTP credential and every operation on it, for each front that needs one: the login step today,
// My Account, the me/totp REST API and TOTPAdminService later. The rules live here once:
//   - a secret becomes active only after a correct code for it (WSO2 saves it before: product-is #26406);
//   - refresh writes a new pending secret and the active one keeps working until the new one is proven;
//   - a credential is checked with the parameters it was enrolled with (stored beside it), never the tenant's
//     current ones; a credential without stored parameters (moved from WSO2-style claims) uses the tenant's;
//   - a code is accepted by one conditional UPDATE that also requires the account to be neither locked nor
//     disabled, and with PreventTOTPCodeReuse only for a step newer than every accepted one (RFC 6238 section
//     5.2); wrong and reused codes count toward locking the account on the TOTP counter.
import type { TotpParameters } from '../../config/index.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Clock } from '../../time/clock.ts';
import {
  createTotpVerifier,
  decodeSecret,
  encodeSecret,
  generateSecret,
  TotpInputError,
  type SecretEncoding,
  type TotpAlgorithm,
  type TotpDigits,
} from '../../totp/index.ts';
import type { LockoutService } from '../../users/lockout.ts';
import type { SecurityStateStore } from '../../users/security-state.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { writeTotpEnabled, type StoredTotpCredential, type TotpCredentialStore } from './credential-store.ts';

/** A secret with the parameters an authenticator app needs for it (what an otpauth URI carries). */
export interface TotpSecret {
  key: Buffer;
  /** The secret as text in `encoding` (what WSO2's APIs return). */
  text: string;
  encoding: SecretEncoding;
  algorithm: TotpAlgorithm;
  digits: TotpDigits;
  period: number;
  /** False for a credential moved from the claims: its parameters follow the tenant's settings. */
  explicit: boolean;
}

export interface TotpStatus {
  enrolled: boolean;
  pending: boolean;
}

export type TotpCheck =
  | { ok: true }
  | {
      ok: false;
      /** none: nothing to check against; invalid: wrong code; reused: a step already accepted; unusable: locked or disabled. */
      reason: 'none' | 'invalid' | 'reused' | 'unusable';
      /** This failure locked the account (the caller reports it; the account's SSO sessions are already ended). */
      lockedNow?: boolean;
      unlockTime?: number | null;
      /** Failures left before the account locks (Infinity when locking is off). */
      remaining?: number;
    };

export interface ImportedSecret {
  secret: string;
  encoding: SecretEncoding;
  algorithm: TotpAlgorithm;
  digits: TotpDigits;
  period: number;
}

export interface TotpCredentialDeps {
  store: TotpCredentialStore;
  security: SecurityStateStore;
  lockout: LockoutService;
  clock: Clock;
}

export interface VerifyOptions {
  /** Another proof to try when the TOTP code does not match (the login step's email code); true accepts. */
  alternative?: () => Promise<boolean>;
}

export class TotpCredentials {
  readonly kind = 'totp';

  constructor(private readonly deps: TotpCredentialDeps) {}

  async status(user: UserRecord): Promise<TotpStatus> {
    const s = await this.deps.store.statuses(user);
    return { enrolled: s.has('active'), pending: s.has('pending') };
  }

  /** The active secret with the parameters it is checked with; undefined when not enrolled. */
  async active(user: UserRecord, tenant: TotpParameters): Promise<TotpSecret | undefined> {
    const c = await this.deps.store.get(user, 'active');
    return c && toSecret(c, tenant);
  }

  /** The pending secret (enrolment or refresh not yet proven); undefined when there is none. */
  async pending(user: UserRecord, tenant: TotpParameters): Promise<TotpSecret | undefined> {
    const c = await this.deps.store.get(user, 'pending');
    return c && toSecret(c, tenant);
  }

  /**
   * A new pending secret made with the tenant's current settings, which it keeps from now on. Any earlier
   * pending secret is replaced; the active one (if any) is untouched and keeps working.
   */
  async beginEnrolment(user: UserRecord, tenant: TotpParameters): Promise<TotpSecret> {
    const encoding = tenant.encodingMethod;
    const fresh = {
      secret: encodeSecret(generateSecret(tenant.secretLength), encoding),
      encoding,
      algorithm: tenant.algorithm,
      digits: tenant.digits,
      period: tenant.timeStepSize,
      createdAt: this.deps.clock.now(),
    };
    await this.deps.store.putPending(user, fresh);
    return toSecret(fresh, tenant);
  }

  /** WSO2's refreshSecretKey: a new pending secret; the active one keeps working until the new one is proven. */
  refresh(user: UserRecord, tenant: TotpParameters): Promise<TotpSecret> {
    return this.beginEnrolment(user, tenant);
  }

  /** Drops an unproven pending secret (the user declined enrolment). */
  async cancelEnrolment(user: UserRecord): Promise<void> {
    await this.deps.store.removePending(user);
  }

  /**
   * Proves the pending secret with `code` and makes it the active one (replacing any older active secret).
   * A wrong code keeps it pending and counts toward locking the account, as a wrong login code does.
   */
  async confirmEnrolment(user: UserRecord, code: string | number, now: number, tenant: TotpParameters): Promise<TotpCheck> {
    const pending = await this.deps.store.get(user, 'pending');
    if (!pending) return { ok: false, reason: 'none' };
    const result = await this.check(user, pending, code, now, tenant, {});
    if (!result.ok) return result;
    const promoted = await this.deps.store.promote(user, pending, (trx) => writeTotpEnabled(trx, user, true));
    // A refresh or reset replaced the pending secret between the check and here: this code proved nothing current.
    return promoted ? result : { ok: false, reason: 'none' };
  }

  /** Checks a code against the active secret: window, replay and lock rules (the login step's check). */
  async verify(user: UserRecord, code: string | number, now: number, tenant: TotpParameters, options: VerifyOptions = {}): Promise<TotpCheck> {
    const active = await this.deps.store.get(user, 'active');
    if (!active) return { ok: false, reason: 'none' };
    return this.check(user, active, code, now, tenant, options);
  }

  /**
   * WSO2's resetTOTP: both secrets go and totpEnabled reads false, so the next TOTP step enrols again; the used
   * time step and the failed-code counter start over for the new secret. A lock stays (unlocking is its own action).
   */
  async reset(user: UserRecord): Promise<void> {
    await this.deps.store.removeAll(user, (trx) => writeTotpEnabled(trx, user, false));
    await this.deps.security.update(user, { lastTotpStep: null, failedTotpAttempts: 0 });
  }

  /**
   * Imports a secret from another server as the active credential, with its own parameters, so users keep their
   * authenticator apps. A bad secret or parameter is a 400 (PCS-40001).
   */
  async importSecret(user: UserRecord, input: ImportedSecret): Promise<void> {
    let text: string;
    try {
      if (!['SHA1', 'SHA256', 'SHA512'].includes(input.algorithm)) throw new TotpInputError('params', 'algorithm must be SHA1, SHA256 or SHA512.');
      if (input.digits !== 6 && input.digits !== 8) throw new TotpInputError('params', 'digits must be 6 or 8.');
      if (!Number.isSafeInteger(input.period) || input.period < 1 || input.period > 300) throw new TotpInputError('params', 'period must be 1 to 300 seconds.');
      // Stored in its canonical text form, so a lenient input (lower case, spaces, padding) reads back exactly.
      text = encodeSecret(decodeSecret(input.secret, input.encoding), input.encoding);
    } catch (cause) {
      // The description names the field; the messages never quote the secret's text (totp/base32.ts, base64.ts).
      if (cause instanceof TotpInputError) throw new AppError('PCS-40001', { description: cause.reason === 'params' ? cause.message : `secret: ${cause.message}`, cause });
      throw cause;
    }
    const credential = { secret: text, encoding: input.encoding, algorithm: input.algorithm, digits: input.digits, period: input.period, createdAt: this.deps.clock.now() };
    await this.deps.store.replaceActive(user, credential, (trx) => writeTotpEnabled(trx, user, true));
    // Steps used with an older secret say nothing about this one.
    await this.deps.security.update(user, { lastTotpStep: null, failedTotpAttempts: 0 });
  }

  private async check(user: UserRecord, c: StoredTotpCredential, code: string | number, now: number, tenant: TotpParameters, options: VerifyOptions): Promise<TotpCheck> {
    const { lockout, security } = this.deps;
    const secret = toSecret(c, tenant);
    // A malformed integer is refused (400) before anything is counted.
    const text = codeText(code, secret.digits);
    const result = createTotpVerifier(secret.key, { algorithm: secret.algorithm, digits: secret.digits, period: secret.period, windowSize: tenant.windowSize }).verify(text, now);
    let reason: 'invalid' | 'reused' = 'invalid';
    if (result.valid) {
      // One conditional update decides: the account is usable and (RFC 6238 section 5.2) the step is new. It
      // also restarts the failed-code counter, so an accepted step needs no second write.
      if (await security.acceptTotpStep(user, result.step, { preventReuse: tenant.PreventTOTPCodeReuse })) return { ok: true };
      // Refused: the account locked (or was disabled) meanwhile, which is not a wrong code; or reuse.
      if (!(await lockout.accountState(user, now)).usable) return { ok: false, reason: 'unusable' };
      reason = 'reused';
    } else if (options.alternative && (await options.alternative())) {
      await lockout.recordSuccess(user, 'totp');
      return { ok: true };
    }
    const counted = await lockout.recordFailure(user, 'totp', now, tenant.EnableAccountLockingForFailedAttempts);
    return { ok: false, reason, lockedNow: counted.lockedNow, unlockTime: counted.unlockTime, remaining: counted.remaining };
  }
}

/** The credential's own parameters; those it lacks (moved from the claims) are the tenant's current ones. */
function toSecret(c: Pick<StoredTotpCredential, 'secret' | 'encoding' | 'algorithm' | 'digits' | 'period'>, tenant: TotpParameters): TotpSecret {
  const encoding = c.encoding ?? tenant.encodingMethod;
  return {
    key: decodeSecret(c.secret, encoding),
    text: c.secret,
    encoding,
    algorithm: c.algorithm ?? tenant.algorithm,
    digits: c.digits ?? tenant.digits,
    period: c.period ?? tenant.timeStepSize,
    explicit: c.algorithm !== null && c.digits !== null && c.period !== null,
  };
}

/**
 * A code as the credentials layer compares it: exact digit strings. WSO2's APIs take the code as an integer,
 * which cannot carry leading zeros, so an integer is read as the code with its zeros restored (12345 is 012345 for
 * a 6-digit credential); a string must already be the exact code. Anything else is a 400.
 */
export function codeText(code: string | number, digits: number): string {
  if (typeof code === 'string') return code;
  if (!Number.isSafeInteger(code) || code < 0 || code >= 10 ** digits) throw new AppError('PCS-40001', { description: `verificationCode must be a ${digits}-digit code.` });
  return String(code).padStart(digits, '0');
}
