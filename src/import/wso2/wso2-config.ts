// The key material a WSO2 deployment.toml names, for `--wso2-config`: [encryption] key / old_key / totpKey, and the
// keystore that encrypts internally ([keystore.internal], by default [keystore.primary]), which WSO2 keeps in
// repository/resources/security/ beside repository/conf/. Only PKCS#12 files are readable here (a JKS store is
// converted first). Values protected by the secure vault ($secret{alias}) are refused: resolve them first.
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'smol-toml';

export interface Wso2ConfigKeys {
  key?: string;
  oldKey?: string;
  totpKey?: string;
  keystore?: { path: string; password: string };
}

export class Wso2ConfigError extends Error {}

type Table = Record<string, unknown>;

function table(value: unknown): Table {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {};
}

function str(t: Table, key: string, where: string): string | undefined {
  const value = t[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Wso2ConfigError(`${where} ${key} must be a string`);
  if (value.includes('$secret{')) throw new Wso2ConfigError(`${where} ${key} is a secure vault reference ($secret{...}); give its value with the matching option or environment variable`);
  return value;
}

/** Reads the keys from the text of `path` (used to find the keystore relative to the file). */
export function wso2ConfigKeys(text: string, path: string): Wso2ConfigKeys {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch {
    throw new Wso2ConfigError('the WSO2 deployment.toml cannot be parsed as TOML');
  }
  const encryption = table(doc.encryption);
  const out: Wso2ConfigKeys = {};
  const key = str(encryption, 'key', '[encryption]');
  const oldKey = str(encryption, 'old_key', '[encryption]');
  const totpKey = str(encryption, 'totpKey', '[encryption]');
  if (key) out.key = key;
  if (oldKey) out.oldKey = oldKey;
  if (totpKey) out.totpKey = totpKey;
  const keystores = table(doc.keystore);
  const internal = table(keystores.internal);
  const [store, where] = internal.file_name !== undefined ? [internal, '[keystore.internal]'] : [table(keystores.primary), '[keystore.primary]'];
  const file = str(store, 'file_name', where);
  if (file && /\.(p12|pfx)$/i.test(file)) {
    out.keystore = {
      path: isAbsolute(file) ? file : join(dirname(path), '..', 'resources', 'security', file),
      password: str(store, 'password', where) ?? 'wso2carbon',
    };
  }
  return out;
}
