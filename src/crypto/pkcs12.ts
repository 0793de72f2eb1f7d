// The key entries of a PKCS#12 keystore (WSO2's wso2carbon.p12; a JKS store is converted first with keytool),
// each with the certificate whose public key is its own: one reader for HTTPS and the SAML key at start-up
// (config/wso2-keystore.ts) and for decrypting a WSO2 database's secrets (import/wso2/keystore.ts).
// node-forge rather than node:crypto because Node has no PKCS#12 parser; forge reads RSA keys only (WSO2's stock
// keystores hold RSA 2048), so a key entry it cannot decode is listed without a key. Messages never contain a password.
// node-forge is loaded by the first read: most nodes never open a keystore (docs/operations.md, what loads when).
import type forgeModule from 'node-forge';
import { lazyRequire } from '../cache/lazy-module.ts';

const loadForge = lazyRequire<typeof forgeModule>('node-forge');

export interface Pkcs12KeyEntry {
  /** The alias (friendly name) the entry was stored under, if it has one. */
  readonly alias: string | undefined;
  /** PEM of the RSA private key; undefined when the key is of another kind. */
  readonly privateKeyPem: string | undefined;
  /** The certificate for this key (matched by public key, as a keystore may also hold others' certificates). */
  readonly certificatePem: string | undefined;
  readonly certificateDer: Buffer | undefined;
}

export class Pkcs12Error extends Error {}

type Bag = forgeModule.pkcs12.Bag;

function open(der: string, passwords: readonly string[]): forgeModule.pkcs12.Pkcs12Pfx {
  const forge = loadForge();
  for (const password of passwords) {
    try {
      return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), false, password);
    } catch {
      // forge's message may quote internals; the caller says what the operator can act on.
    }
  }
  throw new Pkcs12Error('cannot open it: wrong password, or not a PKCS#12 file');
}

function bags(p12: forgeModule.pkcs12.Pkcs12Pfx, type: string): Bag[] {
  return p12.getBags({ bagType: type })[type] ?? [];
}

const aliasOf = (bag: Bag): string | undefined => (bag.attributes.friendlyName as string[] | undefined)?.[0];

/** Every key entry, tried with each password in turn (a store password and a separate key password). */
export function readPkcs12Entries(file: Buffer, passwords: readonly string[]): Pkcs12KeyEntry[] {
  const forge = loadForge();
  const p12 = open(file.toString('binary'), passwords);
  const certs = bags(p12, forge.pki.oids.certBag!).flatMap((b) => (b.cert ? [b.cert] : []));
  const keyBags = [...bags(p12, forge.pki.oids.pkcs8ShroudedKeyBag!), ...bags(p12, forge.pki.oids.keyBag!)];
  return keyBags.map((bag) => {
    const rsa = bag.key && 'n' in bag.key ? (bag.key as forgeModule.pki.rsa.PrivateKey) : undefined;
    const cert = rsa ? certs.find((c) => (c.publicKey as forgeModule.pki.rsa.PublicKey | undefined)?.n?.equals(rsa.n)) : undefined;
    const der = cert ? Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary') : undefined;
    return {
      alias: aliasOf(bag),
      privateKeyPem: rsa ? forge.pki.privateKeyToPem(rsa) : undefined,
      certificatePem: cert ? forge.pki.certificateToPem(cert) : undefined,
      certificateDer: der,
    };
  });
}
