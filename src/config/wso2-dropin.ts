// Reads a WSO2 Identity Server deployment.toml as this server would mean it, before the schema sees it.
// Keys in WSO2's form that have a meaning here are rewritten into ours (jdbc: URLs, the single [user_store]
// table, [server] offset and proxy_context_path, $ref{} references, the stock base_path); keys that have none
// are removed with one warning each, naming the key; values that cannot work (an H2 database holding data)
// are problems that stop the start. Whatever is left is validated by the schema as before, so a typo in one of
// our own sections is still refused with a did-you-mean.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ConfigProblem } from './errors.ts';
import { checkEncryptionKey } from './key-format.ts';
import type { Fields, Section } from './schema-dsl.ts';
import { closest } from './suggest.ts';
import { lineOf, type KeyLines } from './toml-lines.ts';
import { isTable, tableName, where } from './validate.ts';
import { WSO2_KEYS_IN_OUR_SECTIONS, WSO2_NEAR_MISS_TABLES } from './wso2-catalog.ts';
import { translateIdentityDb } from './wso2-database.ts';

type Table = Record<string, unknown>;

export interface DropInResult {
  /** The file's values in this server's form. */
  readonly raw: Table;
  /** One per WSO2 key that has no effect here (or is read differently); never holds a value. */
  readonly warnings: readonly ConfigProblem[];
  readonly problems: readonly ConfigProblem[];
}

export interface DropInOptions {
  readonly lines?: KeyLines;
  /** Where relative keystore paths are looked up. */
  readonly cwd: string;
}

const NO_EFFECT = 'a WSO2 setting that has no effect in Portcullis; ignored';
const WSO2_DEFAULT_PORT = 9443;

class Reader {
  readonly warnings: ConfigProblem[] = [];
  readonly problems: ConfigProblem[] = [];
  constructor(private readonly options: DropInOptions) {}

  line(path: readonly string[]): number | undefined {
    return this.options.lines ? lineOf(this.options.lines, path) : undefined;
  }
  private add(list: ConfigProblem[], path: readonly string[], message: string, label = where(path)): void {
    const line = this.line(path);
    list.push({ key: path.join('.'), ...(line === undefined ? {} : { line }), message: `${label}: ${message}` });
  }
  warn(path: readonly string[], message: string, label?: string): void {
    this.add(this.warnings, path, message, label);
  }
  problem(path: readonly string[], message: string): void {
    this.add(this.problems, path, message);
  }

  /** One warning per key under `value` (one for a whole array of tables), then the caller drops it. */
  ignore(path: readonly string[], value: unknown, reason = ''): void {
    const why = reason === '' ? NO_EFFECT : `${NO_EFFECT} (${reason})`;
    if (isTable(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0) this.warn(path, why, tableName(path));
      for (const key of keys) this.ignore([...path, key], value[key], reason);
    } else if (Array.isArray(value) && value.length > 0 && value.every(isTable)) {
      this.warn(path, why, `[${tableName(path)}]`);
    } else this.warn(path, why);
  }
}

function child(table: unknown, ...keys: string[]): Table | undefined {
  let at = table;
  for (const key of keys) at = isTable(at) ? at[key] : undefined;
  return isTable(at) ? at : undefined;
}

/** `$ref{server.hostname}`: WSO2's reference to another key of the same file. */
function resolveRefs(root: Table): void {
  const lookup = (dotted: string): unknown => {
    const parts = dotted.split('.');
    const last = parts.pop() ?? '';
    return child(root, ...parts)?.[last];
  };
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let text = value;
      for (let depth = 0; depth < 5 && text.includes('$ref{'); depth++) {
        text = text.replace(/\$ref\{([^}]+)\}/g, (whole, name: string) => {
          const target = lookup(name);
          return typeof target === 'string' || typeof target === 'number' ? String(target) : whole;
        });
      }
      return text;
    }
    if (Array.isArray(value)) return value.map(visit);
    if (isTable(value)) for (const key of Object.keys(value)) value[key] = visit(value[key]);
    return value;
  };
  visit(root);
}

function readServer(root: Table, r: Reader): void {
  const server = child(root, 'server');
  if (!server) return;
  const host = typeof server.hostname === 'string' ? server.hostname : 'localhost';
  if (server.offset !== undefined) {
    const offset = typeof server.offset === 'string' ? Number(server.offset.trim()) : server.offset;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) r.problem(['server', 'offset'], 'expected an integer (WSO2 adds it to every port)');
    else if (server.port === undefined) server.port = WSO2_DEFAULT_PORT + offset;
    else r.warn(['server', 'offset'], 'ignored because port is set');
    delete server.offset;
  }
  const port = typeof server.port === 'number' ? server.port : WSO2_DEFAULT_PORT;
  if (typeof server.base_path === 'string' && server.base_path.includes('${')) {
    // WSO2's stock value, https://$ref{server.hostname}:${carbon.management.port}, is what an empty base_path means here.
    if (server.base_path === `https://${host}:\${carbon.management.port}`) delete server.base_path;
    else server.base_path = server.base_path.replaceAll('${carbon.management.port}', String(port));
    const left = typeof server.base_path === 'string' ? /\$\{[^}]*\}/.exec(server.base_path)?.[0] : undefined;
    if (left !== undefined) r.problem(['server', 'base_path'], `the WSO2 system property ${left} is not known here; write the URL out`);
  }
  if (server.proxy_context_path !== undefined) {
    const context = typeof server.proxy_context_path === 'string' ? server.proxy_context_path.replace(/^\/+|\/+$/g, '') : undefined;
    const properties = child(root, 'transport', 'https', 'properties');
    const proxyPort = properties?.proxyPort;
    if (context === undefined) r.problem(['server', 'proxy_context_path'], 'expected a path such as "is"');
    else if (server.base_path !== undefined) r.warn(['server', 'proxy_context_path'], 'ignored because base_path is set (write the context path into base_path)');
    else {
      // Behind a proxy WSO2 builds https://{hostname}[:proxyPort]/{context}; that is base_path here.
      const publicPort = proxyPort === undefined ? port : Number(proxyPort);
      const portPart = publicPort === 443 ? '' : `:${publicPort}`;
      server.base_path = `https://${host}${portPart}${context === '' ? '' : `/${context}`}`;
      if (properties && proxyPort !== undefined) {
        delete properties.proxyPort;
        if (Object.keys(properties).length === 0) delete child(root, 'transport', 'https')?.properties;
      }
    }
    delete server.proxy_context_path;
  }
}

const DATABASE_STORE = new Set(['database', 'database_unique_id', 'jdbc']);

/** WSO2's single [user_store] table is its primary store; here the primary store is always our database. */
function readPrimaryStore(root: Table, r: Reader): void {
  const store = root.user_store;
  if (!isTable(store)) return;
  delete root.user_store;
  const type = typeof store.type === 'string' ? store.type : 'database_unique_id';
  const isDatabase = DATABASE_STORE.has(type.toLowerCase());
  for (const key of Object.keys(store)) {
    const path = ['user_store', key];
    if (key === 'type' && isDatabase) continue; // understood: the primary store is this server's database
    if (key === 'type') {
      r.warn(path, `${JSON.stringify(type)} as the primary store: the primary user store is always Portcullis's own database; declare this directory as a secondary store instead ([[user_store]] with type = "ldap" or "active_directory", domain, connection_url, ...; docs/user-stores.md)`);
    } else r.ignore(path, store[key], isDatabase ? 'the primary user store is Portcullis\'s own database' : 'see [user_store] type');
  }
}

function readDatabase(root: Table, r: Reader): void {
  const db = child(root, 'database', 'identity_db');
  if (!db) return;
  const options = db.pool_options;
  if (isTable(options) && options.maxActive !== undefined) {
    if (db.pool_size === undefined) db.pool_size = typeof options.maxActive === 'string' ? Number(options.maxActive) : options.maxActive;
    else r.warn(['database', 'identity_db', 'pool_options', 'maxActive'], 'ignored because pool_size is set');
    delete options.maxActive;
    if (Object.keys(options).length === 0) delete db.pool_options;
  }
  const outcome = translateIdentityDb(db, (key) => r.line(['database', 'identity_db', key]));
  r.warnings.push(...outcome.warnings);
  r.problems.push(...outcome.problems);
}

/** WSO2 resolves a keystore's file_name against repository/resources/security/. */
export function findKeystore(fileName: string, cwd: string): string | undefined {
  const candidates = isAbsolute(fileName) ? [fileName] : [resolve(cwd, fileName), resolve(cwd, join('repository', 'resources', 'security', fileName))];
  return candidates.find((file) => existsSync(file));
}

function readKeystore(root: Table, r: Reader, cwd: string): void {
  const keystore = child(root, 'keystore');
  const primary = child(keystore, 'primary');
  if (!keystore || !primary) return;
  const file = typeof primary.file_name === 'string' ? primary.file_name : '';
  const type = typeof primary.type === 'string' ? primary.type : /\.jks$/i.test(file) ? 'JKS' : 'PKCS12';
  const unused = 'HTTPS uses [transport.https] or the generated self-signed certificate instead';
  if (type.toUpperCase() === 'JKS') {
    const at = primary.type === undefined ? 'file_name' : 'type';
    r.warn(['keystore', 'primary', at], `a JKS keystore cannot be read here; convert it to PKCS#12 (keytool -importkeystore -srckeystore ${file || 'wso2carbon.jks'} -srcstoretype JKS -destkeystore wso2carbon.p12 -deststoretype PKCS12) and set file_name to the .p12 file and type = "PKCS12"; until then ${unused}`);
    delete keystore.primary;
  } else if (file !== '') {
    const found = findKeystore(file, cwd);
    if (found === undefined) {
      r.warn(['keystore', 'primary', 'file_name'], `${JSON.stringify(file)} was not found in the working directory nor in repository/resources/security/; ${unused}`);
      delete keystore.primary;
    } else primary.file_name = found;
  }
  if (Object.keys(keystore).length === 0) delete root.keystore;
}

function readEncryption(root: Table, r: Reader): void {
  const encryption = child(root, 'encryption');
  const key = encryption?.key;
  // WSO2's key is 32 hex characters (`openssl rand -hex 16`, or the public default 03BAFEB2...), which WSO2 uses
  // as 32 bytes of text. Only that shape is passed over; any other wrong key is refused, so a mistyped key of
  // ours never silently leaves data unreadable.
  if (encryption && typeof key === 'string' && /^[0-9a-fA-F]{32}$/.test(key) && checkEncryptionKey(key) !== undefined) {
    r.warn(['encryption', 'key'], 'WSO2\'s encryption key (value not shown: secret) is not used to encrypt here: Portcullis needs 32 bytes written as 64 hex characters or base64, and generates a key under {data_dir}/keys/ when none is set. Keep WSO2\'s key for importing WSO2 data');
    delete encryption.key;
  }
}

function readEncodingMethod(root: Table, r: Reader): void {
  const parameters = child(root, 'authentication', 'authenticator', 'totp', 'parameters');
  const value = parameters?.encodingMethod;
  if (typeof value === 'string' && value !== 'Base32' && value !== 'Base64') {
    r.warn(['authentication', 'authenticator', 'totp', 'parameters', 'encodingMethod'], `${JSON.stringify(value)} is read as Base32, as WSO2 reads it (only exactly "Base64" means Base64)`);
  }
}

function names(section: Section<Fields>): string[] {
  return Object.entries(section.fields).flatMap(([name, node]) => (node.node === 'field' ? [name, ...node.aliases] : [name]));
}

/**
 * Drops what is WSO2's and not ours: listed WSO2 keys of our sections, and tables we do not have whose names
 * are not a near miss of ours. Everything else unknown stays for the schema to refuse.
 */
function dropForeign(table: Table, section: Section<Fields>, path: readonly string[], r: Reader): void {
  const ours = names(section);
  const wso2Keys = WSO2_KEYS_IN_OUR_SECTIONS[path.join('.')] ?? {};
  for (const key of Object.keys(table)) {
    const value = table[key];
    const node = section.fields[key];
    if (node?.node === 'section') {
      if (isTable(value)) dropForeign(value, node, [...path, key], r);
      continue;
    }
    if (ours.includes(key)) continue;
    const full = [...path, key];
    const tableLike = isTable(value) || (Array.isArray(value) && value.length > 0 && value.every(isTable));
    if (Object.hasOwn(wso2Keys, key)) r.ignore(full, value, wso2Keys[key]);
    else if (tableLike && (closest(key, ours) === undefined || WSO2_NEAR_MISS_TABLES.has(full.join('.')))) r.ignore(full, value);
    else continue;
    delete table[key];
  }
}

/** Reads `raw` (a parsed deployment.toml, not changed) in WSO2's forms; see the file comment. */
export function readWso2Forms(raw: Table, schema: Section<Fields>, options: DropInOptions): DropInResult {
  const root = structuredClone(raw);
  const r = new Reader(options);
  resolveRefs(root);
  readServer(root, r);
  readPrimaryStore(root, r);
  readDatabase(root, r);
  readKeystore(root, r, options.cwd);
  readEncryption(root, r);
  readEncodingMethod(root, r);
  dropForeign(root, schema, [], r);
  return { raw: root, warnings: r.warnings, problems: r.problems };
}
