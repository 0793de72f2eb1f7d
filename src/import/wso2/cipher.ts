// Decrypting what WSO2 IS stored with CryptoUtil.encryptAndBase64Encode (crypto-formats.md sections 2 to 4): a
// "self-contained cipher text" (base64 of Gson JSON {c, t, tp, tpd, iv}) in every release since 5.11, or, from
// older kernels, base64 of a raw RSA cipher text. The value says which scheme it uses; the operator supplies the
// key material: the symmetric key text ([encryption] key, totpKey) and/or the keystore's private keys.
import { constants, createDecipheriv, createHash, privateDecrypt, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface RsaKey {
  /** SHA-1 of the certificate's DER, upper-case hex: the `tp` WSO2 writes beside an RSA cipher text; '' when unknown. */
  thumbprint: string;
  privateKey: KeyObject;
}

export interface Wso2Keys {
  /** AES keys to try, in order (e.g. totpKey, then key, then old_key), as bytes. */
  aes: Buffer[];
  rsa: RsaKey[];
}

/** Why a value could not be read; the message never quotes the value. */
export class Wso2CipherError extends Error {}

interface Outer {
  c?: unknown;
  t?: unknown;
  tp?: unknown;
  iv?: unknown;
}

/**
 * The AES key bytes WSO2 derives from `[encryption] key`: crypto 1.1.16 (IS 7.1+) hex-decodes a 64- or
 * 48-character hex value; every release otherwise uses the text's bytes (SymmetricKeyInternalCryptoProvider).
 * So the stock 32-character key is a 32-byte AES-256 key of its ASCII codes, not 16 hex-decoded bytes.
 */
export function aesKeyFromText(text: string): Buffer {
  const key = /^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{48})$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'utf8');
  if (![16, 24, 32].includes(key.length)) throw new Wso2CipherError('an AES key must be 16, 24 or 32 bytes (or 48/64 hex characters)');
  return key;
}

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !STRICT_BASE64.test(text)) throw new Wso2CipherError(`${what} is not base64`);
  return Buffer.from(text, 'base64');
}

function parseJson(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The plain text of a stored value, or Wso2CipherError saying which part failed. */
export function decryptWso2(stored: string, keys: Wso2Keys): Buffer {
  const bytes = base64(stored.trim(), 'the stored value');
  const outer = parseJson(bytes) as Outer | undefined;
  // Not the self-contained JSON: a raw RSA cipher text of an old kernel (JCE "RSA" = PKCS#1 v1.5).
  if (!outer || typeof outer.c !== 'string') return decryptRsaLegacy(bytes, keys.rsa);
  const transformation = typeof outer.t === 'string' ? outer.t : 'RSA';
  const payload = base64(outer.c, 'the cipher payload (c)');
  const t = transformation.toUpperCase();
  if (t === 'AES/GCM/NOPADDING') return decryptGcm(payload, keys.aes);
  if (t === 'AES' || t === 'AES/ECB/PKCS5PADDING') return decryptAesEcb(payload, keys.aes);
  if (t.startsWith('RSA')) return decryptRsa(payload, t, typeof outer.tp === 'string' ? outer.tp : undefined, keys.rsa);
  throw new Wso2CipherError(`the transformation ${transformation.slice(0, 64)} is not supported`);
}

/** AES-GCM: the payload is the inner JSON {cipher, initializationVector[, keyId]}; the IV is any length (16 or 128 bytes). */
function decryptGcm(payload: Buffer, aesKeys: Buffer[]): Buffer {
  const inner = parseJson(payload);
  if (!inner) throw new Wso2CipherError('the AES-GCM payload is not the expected JSON');
  const sealed = base64(inner.cipher, 'the AES-GCM cipher');
  const iv = base64(inner.initializationVector, 'the AES-GCM IV');
  if (iv.length === 0) throw new Wso2CipherError('the AES-GCM IV is empty');
  // WSO2 stores an empty plain text as an empty payload, without a tag.
  if (sealed.length === 0) return Buffer.alloc(0);
  if (sealed.length < 16) throw new Wso2CipherError('the AES-GCM cipher is shorter than its tag');
  // With enable_key_id the value names its key (base64 of SHA-256 of the key bytes): try that one first.
  const keyId = typeof inner.keyId === 'string' ? inner.keyId : undefined;
  const ordered = keyId ? [...aesKeys].sort((a, b) => Number(keyIdOf(b) === keyId) - Number(keyIdOf(a) === keyId)) : aesKeys;
  for (const key of ordered) {
    try {
      const decipher = createDecipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, iv, { authTagLength: 16 });
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
    } catch {
      // The wrong key (the tag does not match): try the next.
    }
  }
  throw new Wso2CipherError(aesKeys.length === 0 ? 'the value is AES-encrypted and no symmetric key was given' : 'no given symmetric key decrypts the value');
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64');
}

function decryptAesEcb(payload: Buffer, aesKeys: Buffer[]): Buffer {
  for (const key of aesKeys) {
    try {
      const decipher = createDecipheriv(`aes-${key.length * 8}-ecb` as 'aes-256-ecb', key, null);
      return Buffer.concat([decipher.update(payload), decipher.final()]);
    } catch {
      // Bad padding: the wrong key.
    }
  }
  throw new Wso2CipherError(aesKeys.length === 0 ? 'the value is AES-encrypted and no symmetric key was given' : 'no given symmetric key decrypts the value');
}

function decryptRsa(payload: Buffer, transformation: string, thumbprint: string | undefined, rsa: RsaKey[]): Buffer {
  // A PEM key given without its certificate has no thumbprint: it is tried for every value.
  const named = thumbprint ? rsa.filter((k) => k.thumbprint === thumbprint.toUpperCase() || k.thumbprint === '') : rsa;
  if (thumbprint && named.length === 0) throw new Wso2CipherError('the value was encrypted for a certificate whose private key was not given (thumbprint does not match)');
  if (rsa.length === 0) throw new Wso2CipherError('the value is RSA-encrypted and no keystore or private key was given');
  // "RSA" alone is the JCE default, PKCS#1 v1.5; the OAEP names give their hash (SHA-1 and MGF1-SHA-1 by default).
  if (transformation === 'RSA' || transformation.includes('PKCS1PADDING')) return decryptRsaLegacy(payload, named);
  const hash = /OAEPWITHSHA-?(256|384|512)/.exec(transformation)?.[1];
  for (const key of named) {
    try {
      return privateDecrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash ? `sha${hash}` : 'sha1' }, payload);
    } catch {
      // Not this key.
    }
  }
  throw new Wso2CipherError('no given private key decrypts the value');
}

/**
 * PKCS#1 v1.5 decryption. Node 20.11+ refuses it in privateDecrypt (CVE-2023-46809, a timing oracle for servers
 * that answer online); this is an offline batch over stored values, so node-forge's implementation is used.
 */
function decryptRsaLegacy(payload: Buffer, rsa: RsaKey[]): Buffer {
  if (rsa.length === 0) throw new Wso2CipherError('the value is not self-contained JSON, so it is a raw RSA cipher text, and no keystore or private key was given');
  for (const key of rsa) {
    try {
      const pem = key.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
      const forgeKey = forge.pki.privateKeyFromPem(pem);
      if (payload.length !== Math.ceil(forgeKey.n.bitLength() / 8)) continue;
      return Buffer.from(forgeKey.decrypt(payload.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
    } catch {
      // Not this key.
    }
  }
  throw new Wso2CipherError('no given private key decrypts the value');
}
