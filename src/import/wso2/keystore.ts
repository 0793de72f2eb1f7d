// The private keys of a WSO2 keystore, by certificate thumbprint (what an RSA cipher text names in `tp`): a
// PKCS#12 file with its password (wso2carbon.p12; a JKS store is converted first with keytool), or a PEM file
// with a private key and, ideally, its certificate.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readPkcs12Entries } from '../../crypto/pkcs12.ts';
import type { RsaKey } from './cipher.ts';

export class KeystoreError extends Error {}

function thumbprintOfDer(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}

/** Every RSA key entry of a PKCS#12 keystore that has its certificate, named by that certificate's thumbprint. */
export function keysFromPkcs12(file: Buffer, password: string): RsaKey[] {
  let entries;
  try {
    entries = readPkcs12Entries(file, [password]);
  } catch {
    throw new KeystoreError('the keystore cannot be read: not a PKCS#12 file, or a wrong password (convert a JKS store with keytool first)');
  }
  const out = entries.flatMap((e) => (e.privateKeyPem && e.certificateDer ? [{ thumbprint: thumbprintOfDer(e.certificateDer), privateKey: createPrivateKey(e.privateKeyPem) }] : []));
  if (out.length === 0) throw new KeystoreError('the keystore holds no private key with its certificate');
  return out;
}

/**
 * A PEM private key, with the certificate(s) in the same text or a separate one. Without a certificate the
 * thumbprint is unknown: the key is then tried for every RSA value (thumbprint '').
 */
export function keysFromPem(keyPem: string, certPem?: string): RsaKey[] {
  let privateKey;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    throw new KeystoreError('the PEM file holds no readable private key (an encrypted key must be decrypted first)');
  }
  const certTexts = `${keyPem}\n${certPem ?? ''}`.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const pub = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
  for (const text of certTexts) {
    const cert = new X509Certificate(text);
    if (cert.publicKey.export({ format: 'pem', type: 'spki' }).toString() === pub) return [{ thumbprint: thumbprintOfDer(cert.raw), privateKey }];
  }
  return [{ thumbprint: '', privateKey }];
}
