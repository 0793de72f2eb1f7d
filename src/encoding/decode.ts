// The one home for decoding input from outside (paths, query strings, forms, cookies, headers, JSON bodies,
// SAML parameters). The platform decoders either throw errors nothing expects (decodeURIComponent's URIError,
// JSON.parse's SyntaxError, which became a dead process or a 500) or quietly accept garbage (Buffer.from(...,
// 'base64') skips characters outside the alphabet and stops at a stray '=', TextDecoder replaces bad UTF-8
// with U+FFFD). These are strict, and a failure is always an AppError 4xx: PCS-40002 unless the caller names
// its own code (SAML-40001 for a SAML message, CLM-40401 for a claim id).
// Decoded text never carries U+0000: no field we accept has one, XML 1.0 cannot hold it and PostgreSQL's text
// type refuses it (the refusal would be a 500 deep inside a query).
import { AppError } from '../errors/app-error.ts';
import type { ErrorCode } from '../errors/codes.ts';

export interface DecodeOptions {
  /** The error to throw (default PCS-40002; JSON bodies default to PCS-40003). */
  code?: ErrorCode;
  /** What the text is, for the error's description ("The SAML message", "The cookie"). */
  what?: string;
}

function refuse(options: DecodeOptions, fallback: ErrorCode, problem: string): AppError {
  return new AppError(options.code ?? fallback, { description: `${options.what ?? 'The request'} ${problem}` });
}

/** Percent-decoding (RFC 3986 section 2.1) into UTF-8 text; `+` is a space in form encoding (WHATWG URL 5.1). */
export function decodePercent(text: string, options: DecodeOptions & { plusAsSpace?: boolean } = {}): string {
  const decoded = tryDecodePercent(text, options.plusAsSpace);
  if (decoded === undefined) throw refuse(options, 'PCS-40002', 'has a malformed percent-encoding or UTF-8 sequence.');
  return decoded;
}

/** decodePercent for the places that must not throw (Fastify's rewriteUrl and query parser): undefined when bad. */
export function tryDecodePercent(text: string, plusAsSpace = false): string | undefined {
  const input = plusAsSpace ? text.replace(/\+/g, ' ') : text;
  let out: string;
  try {
    // decodeURIComponent refuses bad escapes, overlong forms (%C0%AF) and encoded surrogates (RFC 3629 section 3).
    out = input.includes('%') ? decodeURIComponent(input) : input;
  } catch {
    return undefined;
  }
  return out.includes('\0') ? undefined : out;
}

const STD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/**
 * Base64 (RFC 4648 section 4) or base64url (section 5), strictly: only the alphabet, padding only at the end
 * and only to a multiple of four, no impossible length, and no stray bits in the last character (section 3.5),
 * so every accepted text names exactly one byte string. Whitespace is skipped only when asked (SAML, MIME).
 */
export function decodeBase64(text: string, options: DecodeOptions & { url?: boolean; ignoreWhitespace?: boolean } = {}): Buffer {
  const compact = options.ignoreWhitespace ? text.replace(/[ \t\r\n]+/g, '') : text;
  const data = compact.replace(/={1,2}$/, '');
  const padded = data.length !== compact.length;
  const alphabet = options.url ? URL_SAFE : STD;
  if (!alphabet.test(data) || data.length % 4 === 1 || (padded && compact.length % 4 !== 0)) {
    throw refuse(options, 'PCS-40002', `is not ${options.url ? 'base64url' : 'Base64'}-encoded.`);
  }
  const bytes = Buffer.from(data, options.url ? 'base64url' : 'base64');
  if (bytes.toString(options.url ? 'base64url' : 'base64').replace(/=+$/, '') !== data) {
    throw refuse(options, 'PCS-40002', `is not canonical ${options.url ? 'base64url' : 'Base64'}.`);
  }
  return bytes;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 (RFC 3629) into text; invalid sequences and U+0000 are refused rather than replaced. */
export function decodeUtf8(bytes: Uint8Array, options: DecodeOptions = {}): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw refuse(options, 'PCS-40002', 'is not valid UTF-8.');
  }
  if (text.includes('\0')) throw refuse(options, 'PCS-40002', 'contains a NUL character.');
  return text;
}

/** Deeper than any message we accept; recursive code downstream (validation, logging) stays far from the stack limit. */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON (RFC 8259) from text or UTF-8 bytes. Refused: malformed JSON, nesting deeper than `maxDepth`, a
 * `__proto__` key or `constructor.prototype` (prototype pollution when a handler merges the object), and NUL.
 */
export function parseJson(input: string | Uint8Array, options: DecodeOptions & { maxDepth?: number } = {}): unknown {
  const text = typeof input === 'string' ? input : decodeUtf8(input, { code: options.code ?? 'PCS-40003', what: options.what ?? 'The JSON body' });
  const bad = (problem: string) => refuse({ what: 'The JSON body', ...options }, 'PCS-40003', problem);
  if (jsonDepth(text) > (options.maxDepth ?? MAX_JSON_DEPTH)) throw bad('is nested too deeply.');
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__') throw bad('has a forbidden key: __proto__.');
      if (key === 'constructor' && value !== null && typeof value === 'object' && Object.hasOwn(value, 'prototype')) throw bad('has a forbidden key: constructor.prototype.');
      if (typeof value === 'string' && value.includes('\0')) throw bad('contains a NUL character.');
      return value;
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw bad('is not valid JSON.');
  }
}

/** The deepest nesting of arrays and objects, counted outside strings (JSON.parse itself would not overflow). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

export type FormFields = Record<string, string | string[]>;

/**
 * application/x-www-form-urlencoded (WHATWG URL section 5.1), for query strings and form bodies: a repeated
 * name becomes a list, as Fastify's own parser does. The object has no prototype, and `__proto__` is refused,
 * so a field name can never reach Object.prototype through code that copies fields.
 */
export function parseFormEncoded(text: string, options: DecodeOptions = {}): FormFields {
  const out = Object.create(null) as FormFields;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodePercent(eq < 0 ? pair : pair.slice(0, eq), { what: 'A parameter name', ...options, plusAsSpace: true });
    const value = eq < 0 ? '' : decodePercent(pair.slice(eq + 1), { what: 'A parameter value', ...options, plusAsSpace: true });
    if (name === '__proto__') throw refuse(options, 'PCS-40002', 'names a forbidden parameter: __proto__.');
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}
