// What a secondary SQL ("JDBC") user store needs, as read from a [[user_store]] table of deployment.toml.
import { secretOf, urlWithSecret, type SecretDecrypter } from '../store-secrets.ts';

export type JdbcEngine = 'postgres' | 'mysql';

/** An existing users table, mapped column by column. */
export interface MappedTable {
  table: string;
  idColumn: string;
  usernameColumn: string;
  passwordColumn: string;
  /** WSO2's UM_SALT_VALUE: the salt text of salted SHA-256 hashes. */
  saltColumn?: string;
  /** Attribute name -> column, e.g. { mail: 'email', givenName: 'first_name' }. */
  attributeColumns: Record<string, string>;
}

export interface JdbcStoreSettings {
  /** Upper-case store domain, e.g. JDBC. */
  domain: string;
  /** Tenant domain the store belongs to (carbon.super unless said). */
  tenant: string;
  url: string;
  username?: string;
  password?: string;
  readOnly: boolean;
  poolSize: number;
  /** Milliseconds to open a connection before the store counts as down. */
  connectTimeoutMs: number;
  /** Milliseconds one operation may take before it is abandoned with USR-50301. */
  queryTimeoutMs: number;
  /** Undefined: Portcullis creates and owns its tables (pcs_store_users, pcs_store_user_attributes). */
  mapped?: MappedTable;
}

export function engineOf(url: string): JdbcEngine | undefined {
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  if (scheme === 'postgres:' || scheme === 'postgresql:') return 'postgres';
  if (scheme === 'mysql:' || scheme === 'mariadb:') return 'mysql';
  return undefined;
}

/** Table and column names from the config go into SQL as quoted identifiers; this keeps them plain. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
export const SQL_TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

/** One [[user_store]] table of deployment.toml, as the config schema gives it (structural: no config import). */
export interface DeclaredStore {
  domain: string;
  tenant: string;
  url: string;
  username: string;
  password: string;
  read_only: boolean;
  pool_size: number;
  connect_timeout: number;
  query_timeout: number;
  table: string;
  id_column: string;
  username_column: string;
  password_column: string;
  salt_column: string;
  attribute_columns: Readonly<Record<string, string>>;
}

/** `password`, and a password inside `url`, may be `$env{NAME}` or `enc:...` as LDAP's connection_password (store-secrets.ts). */
export function settingsOf(d: DeclaredStore, env: NodeJS.ProcessEnv = process.env, decrypt?: SecretDecrypter): JdbcStoreSettings {
  return {
    domain: d.domain.toUpperCase(),
    tenant: d.tenant,
    url: urlWithSecret(d.url, env, decrypt),
    ...(d.username ? { username: d.username } : {}),
    ...(d.password ? { password: secretOf(d.password, env, decrypt, 'password') } : {}),
    readOnly: d.read_only,
    poolSize: d.pool_size,
    connectTimeoutMs: d.connect_timeout,
    queryTimeoutMs: d.query_timeout,
    ...(d.table
      ? {
          mapped: {
            table: d.table,
            idColumn: d.id_column,
            usernameColumn: d.username_column,
            passwordColumn: d.password_column,
            ...(d.salt_column ? { saltColumn: d.salt_column } : {}),
            attributeColumns: { ...d.attribute_columns },
          },
        }
      : {}),
  };
}
