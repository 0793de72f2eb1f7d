// `npm run import:wso2 -- --db postgres://... --keystore wso2carbon.p12 ...`: the command around importFromWso2.
// Opens Portcullis's own database from the same deployment.toml the server reads, and the WSO2 database(s)
// read-only. Values that are secrets (database URLs with passwords, the keystore password, the AES keys) can be
// given by environment variable instead of on the command line, where other users of the machine could see them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../config/index.ts';
import { createLogger } from '../../http/logger.ts';
import { createServices } from '../../services.ts';
import { openStorage } from '../../storage/database.ts';
import { aesKeyFromText, type RsaKey } from './cipher.ts';
import { importFromWso2, Wso2SourceError } from './importer.ts';
import { DEFAULT_PASSWORD_SCHEME, type PasswordScheme } from './import-users.ts';
import { keysFromPem, keysFromPkcs12 } from './keystore.ts';
import { openSource, type SourceDb } from './source.ts';
import { Wso2ConfigError, wso2ConfigKeys, type Wso2ConfigKeys } from './wso2-config.ts';

/** The key every stock IS 5.11+ deployment encrypts with when deployment.toml sets no [encryption] key (default.json). */
export const WSO2_DEFAULT_ENCRYPTION_KEY = '03BAFEB27A8E871CAD83C5CD4E771DAB';

export const USAGE = `Usage: npm run import:wso2 -- --db <url> [options]

Reads a WSO2 Identity Server database and imports its tenants, JDBC-store users (with their password hashes),
their claims and TOTP secrets, service providers and the tenants' TOTP settings into this server's database
(the one config/deployment.toml names). Running it again imports only what is new.

  --db <url>                 WSO2's shared database: postgres://... or mysql://... (env WSO2_DB_URL)
  --identity-db <url>        WSO2's identity database when separate (env WSO2_IDENTITY_DB_URL)
  --wso2-config <file>       WSO2's deployment.toml: its [encryption] keys and its PKCS#12 keystore are used
                             unless the options below give them
  --keystore <file>          the keystore (PKCS#12, e.g. wso2carbon.p12) for RSA-encrypted values
  --keystore-password <pw>   its password (env WSO2_KEYSTORE_PASSWORD; default wso2carbon)
  --private-key <file>       or a PEM private key (with its certificate, or give --certificate)
  --certificate <file>       the PEM certificate of --private-key
  --encryption-key <text>    [encryption] key (env WSO2_ENCRYPTION_KEY); WSO2's stock key is always tried last
  --old-encryption-key <t>   [encryption] old_key (env WSO2_OLD_ENCRYPTION_KEY)
  --totp-key <text>          [encryption] totpKey, IS 7.0+ (env WSO2_TOTP_KEY)
  --password-digest <name>   the JDBC store's PasswordDigest: SHA-256 (default), SHA-1, SHA-512, MD5, PLAIN_TEXT, PBKDF2
  --pbkdf2-prf <name>        pbkdf2.prf (default PBKDF2WithHmacSHA256)
  --pbkdf2-iterations <n>    pbkdf2.iteration.count (default 10000)
  --pbkdf2-key-length <bits> pbkdf2.dkLength (default 256)
  --tenant <domain>          only this tenant (repeatable)
  --source-name <name>       what the import remembers this server as (default: host, port and database of --db)
  --config <file>            Portcullis's deployment.toml (default config/deployment.toml or PORTCULLIS_CONFIG)
  --json                     print the report as JSON
`;

export interface CliIo {
  out(text: string): void;
  env: NodeJS.ProcessEnv;
}

function options(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    options: {
      db: { type: 'string' },
      'identity-db': { type: 'string' },
      'wso2-config': { type: 'string' },
      keystore: { type: 'string' },
      'keystore-password': { type: 'string' },
      'private-key': { type: 'string' },
      certificate: { type: 'string' },
      'encryption-key': { type: 'string' },
      'old-encryption-key': { type: 'string' },
      'totp-key': { type: 'string' },
      'password-digest': { type: 'string' },
      'pbkdf2-prf': { type: 'string' },
      'pbkdf2-iterations': { type: 'string' },
      'pbkdf2-key-length': { type: 'string' },
      tenant: { type: 'string', multiple: true },
      'source-name': { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  }).values;
}

type Values = ReturnType<typeof options>;

/** Thrown for a usage problem: the message is shown with the usage text. */
export class UsageError extends Error {}

function positiveInt(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a positive whole number.`);
  return n;
}

function passwordScheme(v: Values): PasswordScheme {
  const bits = positiveInt(v['pbkdf2-key-length'], DEFAULT_PASSWORD_SCHEME.pbkdf2.keyBytes * 8, '--pbkdf2-key-length');
  if (bits % 8 !== 0) throw new UsageError('--pbkdf2-key-length is in bits and must be a multiple of 8.');
  return {
    digest: v['password-digest'] ?? DEFAULT_PASSWORD_SCHEME.digest,
    pbkdf2: {
      prf: v['pbkdf2-prf'] ?? DEFAULT_PASSWORD_SCHEME.pbkdf2.prf,
      iterations: positiveInt(v['pbkdf2-iterations'], DEFAULT_PASSWORD_SCHEME.pbkdf2.iterations, '--pbkdf2-iterations'),
      keyBytes: bits / 8,
    },
  };
}

function rsaKeys(v: Values, env: NodeJS.ProcessEnv, wso2: Wso2ConfigKeys): RsaKey[] {
  const keys: RsaKey[] = [];
  const keystore = v.keystore ?? wso2.keystore?.path;
  if (keystore) keys.push(...keysFromPkcs12(readFileSync(keystore), v['keystore-password'] ?? env.WSO2_KEYSTORE_PASSWORD ?? wso2.keystore?.password ?? 'wso2carbon'));
  if (v['private-key']) keys.push(...keysFromPem(readFileSync(v['private-key'], 'utf8'), v.certificate ? readFileSync(v.certificate, 'utf8') : undefined));
  return keys;
}

function aesKeys(texts: (string | undefined)[], what: string): Buffer[] {
  return texts.filter((t): t is string => t !== undefined && t !== '').map((t) => {
    try {
      return aesKeyFromText(t);
    } catch (err) {
      throw new UsageError(`${what}: ${(err as Error).message}.`);
    }
  });
}

/** host:port/database of a URL, without user or password, as the default name of the source. */
export function sourceNameOf(url: string): string {
  try {
    const u = new URL(url);
    return `wso2:${u.hostname}:${u.port}${u.pathname}`;
  } catch {
    throw new UsageError('--db is not a URL (postgres://user:password@host:5432/database or mysql://...).');
  }
}

async function openStorageFor(config: Config) {
  const db = config.database.identity_db;
  return openStorage({ type: db.type, path: db.path || join(config.server.data_dir, 'portcullis.db'), url: db.url, username: db.username, password: db.password, poolSize: db.pool_size });
}

/** Runs the command; returns the process exit code (0 done, 2 usage or key material problem). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let v: Values;
  try {
    v = options(argv);
  } catch (err) {
    io.out(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    io.out(USAGE);
    return 0;
  }
  const dbUrl = v.db ?? io.env.WSO2_DB_URL;
  if (!dbUrl) {
    io.out(`--db (or WSO2_DB_URL) is required.\n\n${USAGE}`);
    return 2;
  }
  let scheme: PasswordScheme;
  let keys;
  let sourceName: string;
  let totpKeys: Buffer[];
  try {
    scheme = passwordScheme(v);
    sourceName = v['source-name'] ?? sourceNameOf(dbUrl);
    const wso2 = v['wso2-config'] ? wso2ConfigKeys(readFileSync(v['wso2-config'], 'utf8'), v['wso2-config']) : {};
    keys = {
      aes: [
        ...aesKeys([v['encryption-key'] ?? io.env.WSO2_ENCRYPTION_KEY ?? wso2.key], '--encryption-key'),
        ...aesKeys([v['old-encryption-key'] ?? io.env.WSO2_OLD_ENCRYPTION_KEY ?? wso2.oldKey], '--old-encryption-key'),
        aesKeyFromText(WSO2_DEFAULT_ENCRYPTION_KEY),
      ],
      rsa: rsaKeys(v, io.env, wso2),
    };
    totpKeys = aesKeys([v['totp-key'] ?? io.env.WSO2_TOTP_KEY ?? wso2.totpKey], '--totp-key');
  } catch (err) {
    if (err instanceof Wso2ConfigError) io.out(`--wso2-config: ${err.message}.\n`);
    else io.out(`${(err as Error).message}\n`);
    return 2;
  }
  const config = loadConfig(v.config ? { path: v.config } : {});
  // Secrets are re-encrypted with the server's keyring. Without a configured key or a key file the services would
  // generate a new one here, and the server (another data directory, or a key it generates itself) could not read them.
  const keysDir = join(config.server.data_dir, 'keys');
  if (!config.encryption.key && !(existsSync(keysDir) && readdirSync(keysDir).some((f) => f.endsWith('.key')))) {
    io.out(`This server has no encryption key yet (no [encryption] key, nothing in ${keysDir}). Start it once with this configuration, or set [encryption] key, then import.\n`);
    return 2;
  }
  const storage = await openStorageFor(config);
  const sources: SourceDb[] = [];
  try {
    const shared = await openSource(dbUrl);
    sources.push(shared);
    const identityUrl = v['identity-db'] ?? io.env.WSO2_IDENTITY_DB_URL;
    const identity = identityUrl ? await openSource(identityUrl) : shared;
    if (identity !== shared) sources.push(identity);
    const services = createServices(config, storage, createLogger('error', process.stderr));
    try {
      let report;
      try {
        report = await importFromWso2(services, { source: shared, identity, sourceName, keys, totpKeys, password: scheme, ...(v.tenant ? { tenants: v.tenant } : {}) });
      } catch (err) {
        if (!(err instanceof Wso2SourceError)) throw err;
        io.out(`${err.message}\n`);
        return 2;
      }
      io.out(v.json ? `${JSON.stringify(report, null, 2)}\n` : `${report.format()}\n`);
    } finally {
      await services.userStores.close();
    }
    return 0;
  } finally {
    for (const s of sources) await s.close();
    await storage.close();
  }
}
