// Secret settings of a [[user_store]] in deployment.toml (LDAP's connection_password, a JDBC store's password and
// the password inside its url): as written, `$env{NAME}` read from the environment, or `enc:...` encrypted with
// the server's keyring. One helper for every store type, so the forms mean the same everywhere.

/** Decrypts a value the server's keyring encrypted (Keyring.decryptString); throws when it cannot. */
export type SecretDecrypter = (ciphertext: string, associatedData: string) => string;

/** What an encrypted store secret is bound to: it decrypts nowhere else. */
export const CONNECTION_PASSWORD_AD = 'user_store:connection_password';
const ENCRYPTED_PREFIX = 'enc:';

/** The `enc:` form of a store password, encrypted with the server's keyring (see docs/user-stores.md). */
export function encryptConnectionPassword(encrypt: (plaintext: string, associatedData: string) => string, password: string): string {
  return ENCRYPTED_PREFIX + encrypt(password, CONNECTION_PASSWORD_AD);
}

/** True when the value uses one of the indirect forms (`$env{NAME}` or `enc:...`) rather than being the secret itself. */
export function isIndirectSecret(value: string): boolean {
  return value.startsWith(ENCRYPTED_PREFIX) || /^\$env\{/.test(value);
}

/**
 * `$env{NAME}` reads the secret from the environment; `enc:...` is encrypted with the server's keyring
 * (AES-256-GCM, bound to this use); anything else is the secret as written. Errors name the key and the form,
 * never the value.
 */
export function secretOf(value: string, env: NodeJS.ProcessEnv = process.env, decrypt?: SecretDecrypter, key = 'connection_password'): string {
  if (value.startsWith(ENCRYPTED_PREFIX)) {
    if (!decrypt) throw new Error(`user store: ${key} is encrypted but no keyring is available`);
    try {
      return decrypt(value.slice(ENCRYPTED_PREFIX.length), CONNECTION_PASSWORD_AD);
    } catch {
      throw new Error(`user store: ${key} (enc:) cannot be decrypted with the server keyring (wrong key, or not made for a store password)`);
    }
  }
  const ref = /^\$env\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
  if (!ref) return value;
  const found = env[ref[1]!];
  if (found === undefined) throw new Error(`user store: environment variable ${ref[1]} (${key}) is not set`);
  return found;
}

/** A connection URL whose password part is `$env{NAME}` or `enc:...` (percent-encoded), with the secret put in. */
export function urlWithSecret(url: string, env: NodeJS.ProcessEnv = process.env, decrypt?: SecretDecrypter): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // the driver reports a malformed URL; this helper only expands a password it can find
  }
  if (parsed.password === '') return url;
  const written = decodeURIComponent(parsed.password);
  if (!isIndirectSecret(written)) return url;
  parsed.password = encodeURIComponent(secretOf(written, env, decrypt, 'url password'));
  return parsed.toString();
}
