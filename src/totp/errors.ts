// The TOTP engine's one error type. It extends RangeError because every failure here is a value
// outside what the RFCs or WSO2 allow; `reason` lets the caller map it to a stable AppError code at
// the edge (this module has no I/O and does not know about HTTP). Messages never echo the input,
// because the input may be a secret or an otpauth URI that carries one.

/** What kind of input was rejected. */
export type TotpErrorReason =
  | 'params' // algorithm, digits, period, windowSize, counter or time out of range
  | 'secret' // key too short, or not bytes
  | 'base32' // not RFC 4648 Base32
  | 'base64' // not RFC 4648 Base64 (standard alphabet)
  | 'otpauth-uri' // not a usable otpauth://totp/ URI
  | 'wso2-payload'; // not a Base64-encoded otpauth URI

/** Thrown for input the TOTP engine cannot use. Safe to show: it never contains the input. */
export class TotpInputError extends RangeError {
  override readonly name = 'TotpInputError';
  readonly reason: TotpErrorReason;

  constructor(reason: TotpErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
