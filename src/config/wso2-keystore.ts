// Reads the key and certificate out of a PKCS#12 keystore (WSO2's [keystore.primary]) as PEM, for HTTPS.
// node-forge rather than node:crypto because Node has no PKCS#12 parser. Only RSA keys (WSO2's stock keystores
// hold RSA 2048); messages never contain a password.
import { readFileSync } from 'node:fs';
import type forgeModule from 'node-forge';
import { lazyRequire } from '../cache/lazy-module.ts';

// Loaded when a keystore is first read, not at every start (most nodes have none).
const loadForge = lazyRequire<typeof forgeModule>('node-forge');

export interface KeystoreEntry {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The alias (friendly name) the entry was found under, if it has one. */
  readonly alias: string | undefined;
}

type Bag = forgeModule.pkcs12.Bag;

function open(der: string, passwords: readonly string[]): forgeModule.pkcs12.Pkcs12Pfx {
  const forge = loadForge();
  let last: unknown;
  for (const password of passwords) {
    try {
      return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), false, password);
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`cannot open it: wrong password, or not a PKCS#12 file (${last instanceof Error ? last.message.split('\n')[0] : 'unreadable'})`);
}

function bags(p12: forgeModule.pkcs12.Pkcs12Pfx, type: string): Bag[] {
  return p12.getBags({ bagType: type })[type] ?? [];
}

const nameOf = (bag: Bag): string | undefined => (bag.attributes.friendlyName as string[] | undefined)?.[0];

/** The entry named `alias` (any case, as keytool lowercases aliases), or the first key entry when alias is empty. */
export function readPkcs12(file: string, options: { password: string; alias?: string; keyPassword?: string }): KeystoreEntry {
  const forge = loadForge();
  const der = readFileSync(file).toString('binary');
  const passwords = [options.password, ...(options.keyPassword ? [options.keyPassword] : [])];
  const p12 = open(der, passwords);
  const keys = [...bags(p12, forge.pki.oids.pkcs8ShroudedKeyBag!), ...bags(p12, forge.pki.oids.keyBag!)];
  const alias = options.alias?.toLowerCase() ?? '';
  const key = alias === '' ? keys[0] : keys.find((bag) => nameOf(bag)?.toLowerCase() === alias);
  if (key === undefined) {
    const known = keys.map(nameOf).filter((n) => n !== undefined);
    throw new Error(alias === '' ? 'it holds no private key' : `it has no key entry with alias "${options.alias}"${known.length > 0 ? ` (entries: ${known.join(', ')})` : ''}`);
  }
  if (!key.key || !('n' in key.key)) throw new Error('its key is not an RSA key; only RSA keys are read');
  const rsa = key.key as forgeModule.pki.rsa.PrivateKey;
  // The certificate whose public key is this key's (a keystore may also hold trusted certificates of others).
  const leaf = bags(p12, forge.pki.oids.certBag!).find((bag) => {
    const publicKey = bag.cert?.publicKey as forgeModule.pki.rsa.PublicKey | undefined;
    return publicKey?.n !== undefined && publicKey.n.equals(rsa.n);
  });
  if (leaf?.cert === undefined) throw new Error('it holds no certificate for the key');
  const chain = forge.pki.certificateToPem(leaf.cert);
  return { certificatePem: chain, privateKeyPem: forge.pki.privateKeyToPem(rsa), alias: nameOf(key) };
}
