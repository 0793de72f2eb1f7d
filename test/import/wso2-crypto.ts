// What a WSO2 IS server writes, produced from the documented algorithms with node:crypto (and node-forge only to
// package a PKCS#12 keystore, which node:crypto cannot write), so the importer is tested against WSO2's formats
// rather than against itself. Sources: shared/reference/wso2-dropin/crypto-formats.md sections 2 to 5.
import { constants, createCipheriv, createHash, generateKeyPairSync, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** WSO2's stock [encryption] key (IS 5.11+ default.json): its 32 ASCII characters are the AES-256 key. */
export const STOCK_KEY = '03BAFEB27A8E871CAD83C5CD4E771DAB';

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

/** A time-based (v1) UUID's 16 bytes, as SymmetricKeyInternalCryptoProvider puts at the start of its IV. */
function uuidV1Bytes(): Buffer {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x10;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes;
}

/**
 * CryptoUtil.encryptAndBase64Encode with the symmetric provider: AES/GCM/NoPadding, 128-bit tag, no AAD; the IV
 * is GCM_IV_LENGTH bytes (16 in IS 5.11, 128 from 6.0) starting with a v1 UUID; two JSON layers (Gson, no HTML
 * escaping); the key is the text's bytes unless it is 64/48 hex characters (IS 7.1+).
 */
export function wso2AesGcm(plain: string, keyText: string, options: { ivLength?: 16 | 128; keyId?: boolean } = {}): string {
  const key = /^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{48})$/.test(keyText) ? Buffer.from(keyText, 'hex') : Buffer.from(keyText, 'utf8');
  const iv = Buffer.concat([uuidV1Bytes(), Buffer.alloc((options.ivLength ?? 128) - 16)]);
  const cipher = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, iv, { authTagLength: 16 });
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const inner = { cipher: b64(sealed), initializationVector: b64(iv), ...(options.keyId ? { keyId: b64(createHash('sha256').update(key).digest()) } : {}) };
  return b64(JSON.stringify({ c: b64(JSON.stringify(inner)), t: 'AES/GCM/NoPadding', iv: b64(iv) }));
}

/** The asymmetric provider: RSA/ECB/OAEPwithSHA1andMGF1Padding, `tp` the certificate's SHA-1, Gson's HTML-safe "=". */
export function wso2RsaOaep(plain: string, keystore: TestKeystore): string {
  const c = publicEncrypt({ key: keystore.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plain, 'utf8'));
  const json = JSON.stringify({ c: b64(c), t: 'RSA/ECB/OAEPwithSHA1andMGF1Padding', tp: keystore.thumbprint, tpd: 'SHA-1' });
  return b64(json.replace(/=/g, '\\u003d'));
}

/** Old kernels: base64 of a raw cipher text with the JCE default "RSA" (PKCS#1 v1.5), no JSON. */
export function wso2RsaLegacy(plain: string, keystore: TestKeystore): string {
  return b64(publicEncrypt({ key: keystore.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(plain, 'utf8')));
}

export interface TestKeystore {
  /** The PKCS#12 file (wso2carbon.p12 from IS 7.1). */
  p12: Buffer;
  password: string;
  publicKey: KeyObject;
  privateKeyPem: string;
  certificatePem: string;
  /** SHA-1 of the certificate DER, upper-case hex. */
  thumbprint: string;
}

/** A 2048-bit RSA key under a self-signed certificate, alias wso2carbon, in a password-protected PKCS#12 file. */
export function makeKeystore(password = 'wso2carbon'): TestKeystore {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.UTC(2020, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2040, 0, 1));
  const subject = [{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'WSO2' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem);
  cert.sign(forgeKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(forgeKey, [cert], password, { friendlyName: 'wso2carbon', algorithm: '3des' });
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return {
    p12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'),
    password,
    publicKey,
    privateKeyPem,
    certificatePem: forge.pki.certificateToPem(cert),
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
  };
}

/** UM_SALT_VALUE: 16 random bytes, base64 (24 characters). */
export function wso2Salt(): string {
  return randomBytes(16).toString('base64');
}

/** UM_USER_PASSWORD with PasswordDigest SHA-256: base64(SHA-256(UTF-8(password + saltText))). */
export function wso2Sha256(password: string, salt: string): string {
  return createHash('sha256').update(password + salt, 'utf8').digest('base64');
}
