// In-flow enrolment. The new secret lives only in the login's context, encrypted and bound to that login,
// until the user proves it with a correct code; only then is it written to the secretkey claim
// (WSO2 writes it before checking the code: product-is #26406).
import { CLAIMS } from '../../claims/local-claims.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import type { TotpParameters } from '../../config/index.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { base32Encode, buildOtpauthUri, decodeSecret, encodeSecret, generateSecret, renderQrPngDataUrl, type SecretEncoding } from '../../totp/index.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { StepContext } from '../authenticator.ts';

interface Pending {
  /** The secret text in its storage encoding, encrypted under the login's id. */
  pending?: string;
  pendingEncoding?: SecretEncoding;
  enrolling?: boolean;
}

function pendingBinding(ctx: StepContext): string {
  return `totp-pending:${ctx.contextId}:${ctx.user?.id ?? ''}`;
}

/** Creates the pending secret once per login (a page reload shows the same QR). */
export function ensurePending(ctx: StepContext, keyring: Keyring, params: TotpParameters): void {
  const state = ctx.state as Pending;
  if (state.pending) return;
  const text = encodeSecret(generateSecret(params.secretLength), params.encodingMethod);
  state.pending = keyring.encrypt(text, pendingBinding(ctx));
  state.pendingEncoding = params.encodingMethod;
}

export function pendingSecret(ctx: StepContext, keyring: Keyring): { text: string; encoding: SecretEncoding } | undefined {
  const state = ctx.state as Pending;
  if (!state.pending || !state.pendingEncoding) return undefined;
  return { text: keyring.decryptString(state.pending, pendingBinding(ctx)), encoding: state.pendingEncoding };
}

export function clearPending(ctx: StepContext): void {
  const state = ctx.state as Pending;
  delete state.pending;
  delete state.pendingEncoding;
  delete state.enrolling;
}

export function isEnrolling(ctx: StepContext): boolean {
  const state = ctx.state as Pending;
  return state.enrolling === true && state.pending !== undefined;
}

export function markEnrolling(ctx: StepContext): void {
  (ctx.state as Pending).enrolling = true;
}

/** Saves a proven secret as the user's active one (encrypted by the claim service). */
export async function saveSecret(claimValues: ClaimValueService, user: UserRecord, secret: { text: string; encoding: SecretEncoding }): Promise<void> {
  await claimValues.set(user, {
    [CLAIMS.secretKey]: secret.text,
    [CLAIMS.encoding]: secret.encoding,
    [CLAIMS.totpEnabled]: 'true',
    [CLAIMS.verifySecretKey]: null,
  });
}

/** What the enrolment page shows: the QR (rendered here, never from a URL parameter) and the key beside it. */
export async function enrolmentPageData(
  secret: { text: string; encoding: SecretEncoding },
  user: UserRecord,
  issuer: string,
  params: TotpParameters,
): Promise<Record<string, unknown>> {
  const key = decodeSecret(secret.text, secret.encoding);
  const account = params.HideUserStoreFromDisplayInQRUrl ? user.username : domainQualified(user.storeDomain, user.username);
  const uri = buildOtpauthUri({ issuer, account, key, algorithm: params.algorithm, digits: params.digits, period: params.timeStepSize });
  const base32 = base32Encode(key);
  return {
    qrDataUrl: await renderQrPngDataUrl(uri),
    secretGroups: base32.match(/.{1,4}/g) ?? [],
    issuer,
    account,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.timeStepSize,
    nonDefault: params.algorithm !== 'SHA1' || params.digits !== 6 || params.timeStepSize !== 30,
  };
}
