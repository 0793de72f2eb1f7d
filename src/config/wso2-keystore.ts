// Reads the key and certificate out of a PKCS#12 keystore (WSO2's [keystore.primary]) as PEM, for HTTPS and the
// super tenant's SAML key. Only RSA keys (WSO2's stock keystores hold RSA 2048); messages never contain a password.
import { readFileSync } from 'node:fs';
import { readPkcs12Entries } from '../crypto/pkcs12.ts';

export interface KeystoreEntry {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The alias (friendly name) the entry was found under, if it has one. */
  readonly alias: string | undefined;
}

/** The entry named `alias` (any case, as keytool lowercases aliases), or the first key entry when alias is empty. */
export function readPkcs12(file: string, options: { password: string; alias?: string; keyPassword?: string }): KeystoreEntry {
  const keys = readPkcs12Entries(readFileSync(file), [options.password, ...(options.keyPassword ? [options.keyPassword] : [])]);
  const alias = options.alias?.toLowerCase() ?? '';
  const key = alias === '' ? keys[0] : keys.find((k) => k.alias?.toLowerCase() === alias);
  if (key === undefined) {
    const known = keys.map((k) => k.alias).filter((n) => n !== undefined);
    throw new Error(alias === '' ? 'it holds no private key' : `it has no key entry with alias "${options.alias}"${known.length > 0 ? ` (entries: ${known.join(', ')})` : ''}`);
  }
  if (key.privateKeyPem === undefined) throw new Error('its key is not an RSA key; only RSA keys are read');
  if (key.certificatePem === undefined) throw new Error('it holds no certificate for the key');
  return { certificatePem: key.certificatePem, privateKeyPem: key.privateKeyPem, alias: key.alias };
}
