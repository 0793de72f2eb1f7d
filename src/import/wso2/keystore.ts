// The private keys of a WSO2 keystore, by certificate thumbprint (what an RSA cipher text names in `tp`): a
// PKCS#12 file with its password (wso2carbon.p12; a JKS store is converted first with keytool), or a PEM file
// with a private key and, ideally, its certificate.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { RsaKey } from './cipher.ts';

export class KeystoreError extends Error {}

function thumbprintOfDer(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}

/** Every key entry of a PKCS#12 keystore, each with the thumbprint of the certificate beside it. */
export function keysFromPkcs12(file: Buffer, password: string): RsaKey[] {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(file.toString('binary')), false, password);
  } catch {
    // forge's message may quote internals; say what the operator can act on.
    throw new KeystoreError('the keystore cannot be read: not a PKCS#12 file, or a wrong password (convert a JKS store with keytool first)');
  }
  const certs = new Map<string, string>();
  const keys: { id: string; pem: string }[] = [];
  const idOf = (bag: forge.pkcs12.Bag) => {
    const localKeyId = bag.attributes.localKeyId?.[0] as string | undefined;
    return localKeyId ?? (bag.attributes.friendlyName?.[0] as string | undefined) ?? '';
  };
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      if (bag.type === forge.pki.oids.certBag && bag.cert) {
        certs.set(idOf(bag), forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes());
      } else if ((bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) && bag.key) {
        keys.push({ id: idOf(bag), pem: forge.pki.privateKeyToPem(bag.key as forge.pki.rsa.PrivateKey) });
      }
    }
  }
  const out: RsaKey[] = [];
  for (const key of keys) {
    const der = certs.get(key.id) ?? (certs.size === 1 && keys.length === 1 ? [...certs.values()][0] : undefined);
    if (der === undefined) continue;
    out.push({ thumbprint: thumbprintOfDer(Buffer.from(der, 'binary')), privateKey: createPrivateKey(key.pem) });
  }
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
