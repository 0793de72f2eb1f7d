// otpauth:// URIs in the Google Authenticator Key URI format
// (https://github.com/google/google-authenticator/wiki/Key-Uri-Format):
//   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&period=30[&algorithm=..][&digits=..]
//
// Unlike WSO2 (section 5.1 of our WSO2 notes), the issuer is percent-encoded in both places and both
// label parts use encodeURIComponent, so a `:` inside a name becomes `%3A` and the one literal `:`
// is the separator. `secret` is always Base32 of the key bytes, whatever the storage encoding, because
// that is the only encoding authenticator apps read.
import { base32Encode } from './base32.ts';
import { TotpInputError } from './errors.ts';
import { DEFAULT_TOTP_PARAMS, resolveTotpParams, type TotpAlgorithm, type TotpDigits } from './params.ts';
import { checkKey, decodeSecret } from './secret.ts';

/** What an otpauth URI carries. */
export interface OtpauthUriParts {
  /** Service name shown in the app, e.g. the tenant's display name. */
  readonly issuer: string;
  /** Account name shown in the app, e.g. `alice` or `JDBC/alice`. */
  readonly account: string;
  /** Key bytes. */
  readonly key: Uint8Array;
  readonly algorithm: TotpAlgorithm;
  readonly digits: TotpDigits;
  /** Time step in seconds. */
  readonly period: number;
}

/** Input to {@link buildOtpauthUri}; algorithm, digits and period default to SHA1, 6, 30. */
export type OtpauthUriInput = Pick<OtpauthUriParts, 'issuer' | 'account' | 'key'> &
  Partial<Pick<OtpauthUriParts, 'algorithm' | 'digits' | 'period'>>;

/** The result of {@link parseOtpauthUri}; `issuer` is `''` when the URI names none. */
export interface ParsedOtpauthUri extends OtpauthUriParts {
  readonly key: Buffer;
}

/**
 * Builds the URI an authenticator app scans. `period` is always present (WSO2 emits it, and apps
 * that assume 30 s would drift otherwise); `algorithm` and `digits` only when not SHA1 and 6, because
 * some apps refuse URIs that carry them.
 * @throws {TotpInputError} for an empty issuer or account, a bad key or parameters.
 */
export function buildOtpauthUri(input: OtpauthUriInput): string {
  const { issuer, account, key } = input;
  const p = resolveTotpParams({ algorithm: input.algorithm, digits: input.digits, period: input.period });
  checkKey(key);
  if (typeof issuer !== 'string' || issuer === '' || typeof account !== 'string' || account === '') {
    throw new TotpInputError('otpauth-uri', 'An otpauth URI needs a non-empty issuer and account name.');
  }
  const iss = encode(issuer);
  let uri = `otpauth://totp/${iss}:${encode(account)}?secret=${base32Encode(key)}&issuer=${iss}&period=${p.period}`;
  if (p.algorithm !== DEFAULT_TOTP_PARAMS.algorithm) uri += `&algorithm=${p.algorithm}`;
  if (p.digits !== DEFAULT_TOTP_PARAMS.digits) uri += `&digits=${p.digits}`;
  return uri;
}

function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch (cause) {
    // Lone UTF-16 surrogates cannot be written as UTF-8.
    throw new TotpInputError('otpauth-uri', 'Issuer and account names must be valid Unicode text.', { cause });
  }
}

const URI = /^otpauth:\/\/([^/?#]*)\/([^?#]*)(?:\?([^#]*))?(?:#.*)?$/is;
const KNOWN = new Set(['secret', 'issuer', 'algorithm', 'digits', 'period']);

/**
 * Reads an otpauth://totp/ URI (ours, WSO2's, or another server's). The label separator is the
 * first literal `:`, else the first `%3A`; spaces after it are dropped, as the Key URI format allows.
 * The `issuer` parameter wins over the label prefix. Unknown parameters (e.g. `image`) are ignored.
 * @throws {TotpInputError} reason `otpauth-uri` for another scheme or type, a missing or bad secret
 * (under 10 bytes, or not Base32), or a bad algorithm, digits or period.
 */
export function parseOtpauthUri(uri: string): ParsedOtpauthUri {
  const m = typeof uri === 'string' ? URI.exec(uri.trim()) : null;
  if (m === null) throw fail('it does not start with otpauth://TYPE/LABEL.');
  const type = m[1]!.toLowerCase();
  if (type === 'hotp') throw fail('counter-based (hotp) URIs are not supported; only totp.');
  if (type !== 'totp') throw fail('its type is not totp.');

  const q = parseQuery(m[3] ?? '');
  const { prefix, account } = splitLabel(m[2]!);
  if (account === '') throw fail('the account name is missing.');
  if (q.secret === undefined || q.secret === '') throw fail('the secret parameter is missing.');
  let key: Buffer;
  try {
    key = decodeSecret(q.secret, 'Base32');
  } catch (cause) {
    throw fail('the secret parameter is not a Base32 key of at least 10 bytes.', cause);
  }
  const algorithm = (q.algorithm ?? 'SHA1').toUpperCase();
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256' && algorithm !== 'SHA512') {
    throw fail('algorithm must be SHA1, SHA256 or SHA512.');
  }
  const digits = q.digits ?? '6';
  if (digits !== '6' && digits !== '8') throw fail('digits must be 6 or 8.');
  const period = q.period ?? '30';
  if (!/^[1-9][0-9]{0,8}$/.test(period)) throw fail('period must be a whole number of seconds.');
  const issuer = q.issuer !== undefined && q.issuer !== '' ? q.issuer : (prefix ?? '');
  return { issuer, account, key, algorithm, digits: digits === '8' ? 8 : 6, period: Number(period) };
}

function splitLabel(raw: string): { prefix: string | undefined; account: string } {
  let at = raw.indexOf(':');
  let sepLength = 1;
  if (at < 0) {
    at = raw.search(/%3A/i);
    sepLength = 3;
  }
  if (at < 0) return { prefix: undefined, account: decode(raw) };
  return { prefix: decode(raw.slice(0, at)), account: decode(raw.slice(at + sepLength)).replace(/^ +/, '') };
}

function parseQuery(query: string): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    if (!KNOWN.has(name)) continue;
    // Two different secrets or issuers in one URI is ambiguous; refuse rather than guess.
    if (out[name] !== undefined) throw fail(`the ${name} parameter appears twice.`);
    out[name] = eq < 0 ? '' : decode(pair.slice(eq + 1));
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw fail('it contains a malformed %-escape.', cause);
  }
}

function fail(why: string, cause?: unknown): TotpInputError {
  return new TotpInputError('otpauth-uri', `Not a usable otpauth URI: ${why}`, cause === undefined ? undefined : { cause });
}
