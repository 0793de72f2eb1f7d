// A read-only connection to a WSO2 database (PostgreSQL or MySQL/MariaDB), with the one difference the readers
// must not see smoothed over: PostgreSQL folds unquoted names to lower case, MySQL keeps them. Rows come back with
// upper-case column names, as WSO2's scripts write them; SQL is written with `?` placeholders.
import mysql from 'mysql2/promise';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface SourceDb {
  readonly kind: 'postgres' | 'mysql';
  query(text: string, params?: unknown[]): Promise<Row[]>;
  /** Whether a table exists (WSO2 releases differ: IDN_CLAIM from 5.3, UM_CLAIM before). */
  hasTable(name: string): Promise<boolean>;
  close(): Promise<void>;
}

function upperKeys(row: Record<string, unknown>): Row {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toUpperCase(), v]));
}

/** Opens `url` (postgres://... or mysql://... / mariadb://...). The URL (it may hold a password) is never printed. */
export async function openSource(url: string): Promise<SourceDb> {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      kind: 'postgres',
      async query(text, params = []) {
        let n = 0;
        const result = await client.query(text.replace(/\?/g, () => `$${++n}`), params);
        return result.rows.map(upperKeys);
      },
      async hasTable(name) {
        const r = await client.query('select 1 from information_schema.tables where table_schema = current_schema() and lower(table_name) = lower($1)', [name]);
        return r.rowCount !== null && r.rowCount > 0;
      },
      close: () => client.end(),
    };
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    const conn = await mysql.createConnection({ uri: scheme === 'mariadb' ? `mysql${url.slice(scheme.length)}` : url, supportBigNumbers: true });
    return {
      kind: 'mysql',
      async query(text, params = []) {
        const [rows] = await conn.query(text, params);
        return (rows as Record<string, unknown>[]).map(upperKeys);
      },
      async hasTable(name) {
        const [rows] = await conn.query('select 1 from information_schema.tables where table_schema = database() and upper(table_name) = upper(?)', [name]);
        return (rows as unknown[]).length > 0;
      },
      close: () => conn.end(),
    };
  }
  throw new Error('The WSO2 database URL must start with postgres:// or mysql:// (mariadb://).');
}

/** A column's value as text ('' for NULL); Buffers (BLOB/BYTEA) as UTF-8. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

export function int(value: unknown): number {
  return Number(value);
}

/** WSO2 writes flags as BOOLEAN, SMALLINT or CHAR(1) '1'/'0' depending on table and engine. */
export function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}
