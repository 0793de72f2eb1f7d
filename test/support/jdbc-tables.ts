// Test helpers for secondary SQL stores: settings for a test database and an "existing" users table of the
// kind an operator maps (serial ids, a login column, a password column, a WSO2-style salt column).
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseType } from '../../src/storage/database.ts';
import type { JdbcStoreSettings, MappedTable } from '../../src/users/jdbc/jdbc-settings.ts';

export const LEGACY_TABLE: MappedTable = {
  table: 'legacy_users',
  idColumn: 'user_id',
  usernameColumn: 'login',
  passwordColumn: 'pass',
  saltColumn: 'salt',
  attributeColumns: { mail: 'email', givenName: 'first_name' },
};

/**
 * A [[user_store]] table of deployment.toml mapping LEGACY_TABLE in the database at `url`, as an operator would
 * write it; `attributes` are the attribute_columns (default: LEGACY_TABLE's).
 */
export function legacyStoreToml(url: string, options: { domain?: string; readOnly?: boolean; attributes?: Record<string, string> } = {}): string {
  const t = LEGACY_TABLE;
  const columns = Object.entries(options.attributes ?? t.attributeColumns).map(([name, column]) => `${name} = "${column}"`).join(', ');
  return `
[[user_store]]
type = "database"
domain = "${options.domain ?? 'JDBC'}"
url = "${url}"
${options.readOnly ? 'read_only = true\n' : ''}table = "${t.table}"
id_column = "${t.idColumn}"
username_column = "${t.usernameColumn}"
password_column = "${t.passwordColumn}"
salt_column = "${t.saltColumn}"
attribute_columns = { ${columns} }
`;
}

export function jdbcSettings(url: string, overrides: Partial<JdbcStoreSettings> = {}): JdbcStoreSettings {
  return { domain: 'JDBC', tenant: 'carbon.super', url, readOnly: false, poolSize: 4, connectTimeoutMs: 2000, queryTimeoutMs: 5000, ...overrides };
}

/** Runs SQL statements on a test database with the engine's own client. */
export async function runSql(type: DatabaseType, url: string, statements: string[], params: unknown[][] = []): Promise<void> {
  if (type === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (const [i, s] of statements.entries()) await c.query(s, params[i] ?? []);
    } finally {
      await c.end();
    }
    return;
  }
  const c = await mysql.createConnection({ uri: url });
  try {
    for (const [i, s] of statements.entries()) await c.query(s, params[i] ?? []);
  } finally {
    await c.end();
  }
}

export async function createLegacyTable(type: DatabaseType, url: string): Promise<void> {
  const id = type === 'postgres' ? 'user_id serial primary key' : 'user_id int auto_increment primary key';
  await runSql(type, url, [
    `create table legacy_users (${id}, login varchar(255) not null unique, pass varchar(255), salt varchar(64) not null default '', email varchar(255), first_name varchar(255))`,
  ]);
}

/** Inserts a row as another system would have written it; `$n` placeholders for pg, `?` for mysql. */
export async function insertLegacyUser(type: DatabaseType, url: string, row: { login: string; pass: string; salt?: string; email?: string }): Promise<void> {
  const s = type === 'postgres' ? 'insert into legacy_users (login, pass, salt, email) values ($1, $2, $3, $4)' : 'insert into legacy_users (login, pass, salt, email) values (?, ?, ?, ?)';
  await runSql(type, url, [s], [[row.login, row.pass, row.salt ?? '', row.email ?? null]]);
}

/** The stored hash and salt of a row of the legacy table. */
export async function legacyRow(type: DatabaseType, url: string, login: string): Promise<{ pass: string; salt: string } | undefined> {
  if (type === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<{ pass: string; salt: string }>('select pass, salt from legacy_users where login = $1', [login])).rows[0];
    } finally {
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await c.query('select pass, salt from legacy_users where login = ?', [login]);
    return (rows as { pass: string; salt: string }[])[0];
  } finally {
    await c.end();
  }
}
