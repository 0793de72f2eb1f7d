// What a secondary SQL ("JDBC") user store needs, as read from a [[user_store]] table of deployment.toml.
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
