// In-flow enrolment. The login asks the credentials layer for a pending secret (stored encrypted as the user's
// pending credential, with the tenant's current parameters, which it keeps); only a correct code promotes it
// to the active one (WSO2 writes it before checking the code: product-is #26406). The login's context only
// remembers that it offered one, so a page reload shows the same QR.
// A pending secret the user got elsewhere (My Account, me/totp INIT, TOTPAdminService initTOTP or generateSecret)
// is the one the login offers: it is not replaced, so the app that scanned it makes the code that enrols.
import type { TotpParameters } from '../../config/index.ts';
import { otpauthFor, type TotpCredentials, type TotpSecret } from '../../credentials/totp/index.ts';
import { base32Encode, renderQrPngDataUrl } from '../../totp/index.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { StepContext } from '../authenticator.ts';

interface Pending {
  /** This login offers the user's pending secret (made here, or earlier elsewhere). */
  pendingIssued?: boolean;
  /** This login made it: declining enrolment removes it (one made elsewhere stays). */
  pendingCreated?: boolean;
  enrolling?: boolean;
}

/** Offers a pending secret once per login: the user's existing one, else a new one (a reload shows the same QR). */
export async function ensurePending(ctx: StepContext, credentials: TotpCredentials, user: UserRecord, params: TotpParameters): Promise<void> {
  const state = ctx.state as Pending;
  if ((await credentials.status(user)).pending) {
    state.pendingIssued = true;
    return;
  }
  await credentials.beginEnrolment(user, params);
  state.pendingIssued = true;
  state.pendingCreated = true;
}

/** The pending secret this login offers; undefined when it offers none or it is gone (reset, enrolled elsewhere). */
export async function pendingSecret(ctx: StepContext, credentials: TotpCredentials, user: UserRecord, params: TotpParameters): Promise<TotpSecret | undefined> {
  if (!(ctx.state as Pending).pendingIssued) return undefined;
  return credentials.pending(user, params);
}

export function clearPending(ctx: StepContext): void {
  const state = ctx.state as Pending;
  delete state.pendingIssued;
  delete state.pendingCreated;
  delete state.enrolling;
}

export function issuedPending(ctx: StepContext): boolean {
  return (ctx.state as Pending).pendingIssued === true;
}

/** This login made the pending secret it offers (so declining enrolment removes it). */
export function createdPending(ctx: StepContext): boolean {
  return (ctx.state as Pending).pendingCreated === true;
}

export function isEnrolling(ctx: StepContext): boolean {
  const state = ctx.state as Pending;
  return state.enrolling === true && state.pendingIssued === true;
}

/** Goes straight to the code page for a pending secret handed out elsewhere (no QR shown in the login). */
export function enrolWithCode(ctx: StepContext): void {
  const state = ctx.state as Pending;
  state.pendingIssued = true;
  state.enrolling = true;
}

export function markEnrolling(ctx: StepContext): void {
  (ctx.state as Pending).enrolling = true;
}

/**
 * WSO2's `ske` (TOTPKeyGenerator: Base64 of the otpauth URI) for an enrolment page on another host, only when the
 * deployment allows the secret in a URL. URLSearchParams percent-encodes it, so `+` survives (WSO2 sends it raw
 * and servlets read it back as a space).
 */
export function skeParam(secret: TotpSecret, user: UserRecord, issuer: string, params: TotpParameters): Record<string, string> {
  return { ske: Buffer.from(otpauthFor(secret, user, issuer, params).uri, 'utf8').toString('base64') };
}

/** What the enrolment page shows: the QR (rendered here, never from a URL parameter) and the key beside it. */
export async function enrolmentPageData(secret: TotpSecret, user: UserRecord, issuer: string, params: TotpParameters): Promise<Record<string, unknown>> {
  const { uri, account } = otpauthFor(secret, user, issuer, params);
  const base32 = base32Encode(secret.key);
  return {
    qrDataUrl: await renderQrPngDataUrl(uri),
    secretGroups: base32.match(/.{1,4}/g) ?? [],
    issuer,
    account,
    algorithm: secret.algorithm,
    digits: secret.digits,
    period: secret.period,
    nonDefault: secret.algorithm !== 'SHA1' || secret.digits !== 6 || secret.period !== 30,
  };
}
