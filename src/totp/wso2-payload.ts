// WSO2's `qrCodeUrl`: the otpauth URI's UTF-8 bytes in standard Base64 (SOAP `initTOTP`, REST
// `me/totp`, the `ske` parameter). Clients `atob()` it and draw the QR code themselves. Old WSO2
// builds (Commons Codec 1.4) chunked it at 76 characters with CRLF, which SOAP responses show as
// `&#xd;` plus a newline, so decoding drops those entities and whitespace.
import { base64Decode, base64Encode } from './base64.ts';
import { TotpInputError } from './errors.ts';

// XML character references for CR and LF, in hex or decimal, as an XML writer may escape them.
const CRLF_ENTITY = /&#(?:x0*d|x0*a|0*13|0*10);/gi;

/** Encodes an otpauth URI the way WSO2 returns it (unchunked, as current WSO2 versions do). */
export function encodeWso2QrPayload(uri: string): string {
  return base64Encode(Buffer.from(uri, 'utf8'));
}

/**
 * Decodes a WSO2 `qrCodeUrl` back to the otpauth URI, tolerating CRLF chunking, `&#xd;` entities and
 * whitespace.
 * @throws {TotpInputError} reason `wso2-payload` if it is not Base64 of a UTF-8 otpauth:// URI.
 */
export function decodeWso2QrPayload(payload: string): string {
  if (typeof payload !== 'string') throw new TotpInputError('wso2-payload', 'A WSO2 QR payload must be a string.');
  const bytes = base64Decode(payload.replace(CRLF_ENTITY, ''), 'wso2-payload');
  let uri: string;
  try {
    uri = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new TotpInputError('wso2-payload', 'A WSO2 QR payload must decode to UTF-8 text.', { cause });
  }
  if (!/^otpauth:\/\//i.test(uri)) {
    throw new TotpInputError('wso2-payload', 'A WSO2 QR payload must decode to an otpauth:// URI.');
  }
  return uri;
}
