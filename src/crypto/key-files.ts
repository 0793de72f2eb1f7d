// Where encryption keys come from: the config file or PORTCULLIS_ENCRYPTION_KEY (the key that encrypts),
// `previous_keys` in config, and key files under {data_dir}/keys/ (newest file encrypts when nothing is
// configured). With no key at all, one is generated on first start, and the operator is warned to back it up.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEncryptionKey as parseKey } from '../config/key-format.ts';
import { Keyring } from './keyring.ts';

export interface KeySources {
  configuredKey: string;
  previousKeys: readonly string[];
  keysDir: string;
  warn: (message: string) => void;
}

function readKeyFiles(dir: string): Buffer[] {
  if (!existsSync(dir)) return [];
  // File names start with a UTC timestamp, so the newest sorts last.
  const files = readdirSync(dir).filter((f) => f.endsWith('.key')).sort().reverse();
  return files.map((f) => {
    const key = parseKey(readFileSync(join(dir, f), 'utf8'));
    if (!key) throw new Error(`key file ${join(dir, f)} does not hold a 32-byte key (64 hex characters)`);
    return key;
  });
}

/** Writes a new random key file; it becomes the encrypting key unless a key is configured. */
export function writeNewKeyFile(dir: string, now = new Date()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const path = join(dir, `${stamp}-${randomBytes(2).toString('hex')}.key`);
  writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return path;
}

export function loadKeyring(sources: KeySources): Keyring {
  const keys: Buffer[] = [];
  if (sources.configuredKey) {
    const key = parseKey(sources.configuredKey);
    if (!key) throw new Error('[encryption] key must be 32 bytes as 64 hex characters or base64');
    keys.push(key);
  }
  let files = readKeyFiles(sources.keysDir);
  if (keys.length === 0 && files.length === 0) {
    const path = writeNewKeyFile(sources.keysDir);
    sources.warn(
      `no encryption key configured: generated ${path}. Back it up; without it stored TOTP secrets cannot be read. ` +
        'Set [encryption] key or PORTCULLIS_ENCRYPTION_KEY in production.',
    );
    files = readKeyFiles(sources.keysDir);
  }
  keys.push(...files);
  for (const text of sources.previousKeys) {
    const key = parseKey(text);
    if (!key) throw new Error('[encryption] previous_keys entries must be 32 bytes as 64 hex characters or base64');
    keys.push(key);
  }
  return new Keyring(keys);
}
