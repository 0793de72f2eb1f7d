// Self-signed X.509 certificates: the HTTPS pair made on first start, and (later) SAML signing keys.
// Built with @peculiar/x509 on Node's WebCrypto, so no openssl binary is needed.
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let loaded: Promise<typeof X509> | undefined;

// Loaded when a certificate is first made (the first start, a new signing key), not on every start: with the
// Reflect polyfill it needs, it is one of the larger modules.
function loadX509(): Promise<typeof X509> {
  loaded ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill
    const x509 = await import('@peculiar/x509');
    // ReturnType of get() is the library's Crypto type whether or not the DOM lib is loaded (@xmldom/xmldom's
    // types pull it in); Parameters<set> would pick the (key, value) overload.
    x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);
    return x509;
  })();
  return loaded;
}

export interface CertificatePair {
  certificatePem: string;
  privateKeyPem: string;
}

export interface SelfSignedOptions {
  commonName: string;
  /** DNS names and IP addresses for subjectAltName (browsers ignore CN). */
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  days?: number;
  now?: Date;
}

const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function createSelfSigned(options: SelfSignedOptions): Promise<CertificatePair> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(RSA_SHA256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = options.now ?? new Date();
  const notAfter = new Date(now.getTime() + (options.days ?? 825) * 86_400_000);
  const names = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${options.commonName.replace(/[,=+<>#;\\"]/g, '')}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    keys,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificatePem: cert.toString('pem') + '\n', privateKeyPem: toPem(pkcs8, 'PRIVATE KEY') };
}
