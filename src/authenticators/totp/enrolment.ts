// In-flow enrolment. The login asks the credentials layer for a pending secret (stored encrypted as the user's
// pending credential, with the tenant's current parameters, which it keeps); only a correct code promotes it
// to the active one (WSO2 writes it before checking the code: product-is #26406). The login's context only
// remembers that it issued one, so a page reload shows the same QR.
import type { TotpParameters } from '../../config/index.ts';
import type { TotpCredentials, TotpSecret } from '../../credentials/totp/index.ts';
import { base32Encode, buildOtpauthUri, renderQrPngDataUrl } from '../../totp/index.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { StepContext } from '../authenticator.ts';

interface Pending {
  /** This login made the user's pending secret. */
  pendingIssued?: boolean;
  enrolling?: boolean;
}

/** Creates the pending secret once per login (a page reload shows the same QR). */
export async function ensurePending(ctx: StepContext, credentials: TotpCredentials, user: UserRecord, params: TotpParameters): Promise<void> {
  const state = ctx.state as Pending;
  if (state.pendingIssued && (await credentials.status(user)).pending) return;
  await credentials.beginEnrolment(user, params);
  state.pendingIssued = true;
}

/** The pending secret this login issued; undefined when it issued none or it is gone (reset, enrolled elsewhere). */
export async function pendingSecret(ctx: StepContext, credentials: TotpCredentials, user: UserRecord, params: TotpParameters): Promise<TotpSecret | undefined> {
  if (!(ctx.state as Pending).pendingIssued) return undefined;
  return credentials.pending(user, params);
}

export function clearPending(ctx: StepContext): void {
  const state = ctx.state as Pending;
  delete state.pendingIssued;
  delete state.enrolling;
}

export function issuedPending(ctx: StepContext): boolean {
  return (ctx.state as Pending).pendingIssued === true;
}

export function isEnrolling(ctx: StepContext): boolean {
  const state = ctx.state as Pending;
  return state.enrolling === true && state.pendingIssued === true;
}

export function markEnrolling(ctx: StepContext): void {
  (ctx.state as Pending).enrolling = true;
}

/** What the enrolment page shows: the QR (rendered here, never from a URL parameter) and the key beside it. */
export async function enrolmentPageData(secret: TotpSecret, user: UserRecord, issuer: string, params: TotpParameters): Promise<Record<string, unknown>> {
  const account = params.HideUserStoreFromDisplayInQRUrl ? user.username : domainQualified(user.storeDomain, user.username);
  // The credential's own parameters: it keeps them even if the tenant's settings change later.
  const uri = buildOtpauthUri({ issuer, account, key: secret.key, algorithm: secret.algorithm, digits: secret.digits, period: secret.period });
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
