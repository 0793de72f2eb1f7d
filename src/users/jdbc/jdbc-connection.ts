// The connection of a secondary SQL store: its own small pool with connect and operation timeouts, and the
// rule that any failure to reach the database becomes USR-50301 ("User store unavailable") quickly, never a
// hang or a 500. SQL errors (a missing column in a mapping) are configuration faults and are rethrown as is.
import { Kysely, MysqlDialect, PostgresDialect, sql } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import { loadMysql, loadPg } from '../../storage/drivers.ts';
import type { Clock } from '../../time/clock.ts';
import { OperationTimeout, StoreOutage } from '../store-outage.ts';
import { engineOf, type JdbcEngine, type JdbcStoreSettings } from './jdbc-settings.ts';

/** Tables are named at run time, so the database has no static type. */
export type AnyDatabase = Record<string, Record<string, unknown>>;

/** A short, secret-free reason for health reports and logs. */
export function reasonOf(err: unknown): string {
  if (err instanceof OperationTimeout) return 'timeout';
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] };
  const code = typeof e?.code === 'string' ? e.code : Array.isArray(e?.errors) ? String((e.errors[0] as { code?: unknown })?.code ?? '') : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (code === '28P01' || code === '28000' || code === 'ER_ACCESS_DENIED_ERROR') return 'access denied';
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR') return 'database does not exist';
  return 'connection failed';
}

/** True for "could not talk to the database"; false for an SQL error the database answered with. */
function isConnectionFailure(err: unknown): boolean {
  if (err instanceof OperationTimeout) return true;
  const e = err as { code?: unknown; sqlState?: unknown; errno?: unknown };
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return /^(08|28|3D|57P)/.test(e.code);
  if (typeof e?.sqlState === 'string' && typeof e.errno === 'number') return e.code === 'ER_ACCESS_DENIED_ERROR' || e.code === 'ER_BAD_DB_ERROR' || e.code === 'ER_CON_COUNT_ERROR';
  return true;
}

/** MySQL/MariaDB errors that refuse a value (too long, NULL where required, wrong type, no default, a check). */
const MYSQL_REFUSALS = new Set(['ER_DATA_TOO_LONG', 'ER_BAD_NULL_ERROR', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 'ER_NO_DEFAULT_FOR_FIELD', 'ER_CHECK_CONSTRAINT_VIOLATED', 'ER_DUP_ENTRY']);

/**
 * USR-40005 for a database that refused a written value (SQLSTATE class 22 "data exception", a NOT NULL, CHECK
 * or UNIQUE violation; MySQL's equivalents), so the caller gets a 400 naming the store, not a 500. Undefined
 * for anything else (a configuration fault stays a server error).
 */
export function refusedWrite(domain: string, err: unknown): AppError | undefined {
  const e = err as { code?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const refused = /^(22[0-9A-Z]{3}|23502|23505|23514)$/.test(code) || MYSQL_REFUSALS.has(code);
  return refused ? new AppError('USR-40005', { description: `The user store ${domain} refused the change (a value it does not accept).` }) : undefined;
}

// Kysely asks for the pool on the first query, so the driver is loaded then, not when the store is declared.
function dialect(engine: JdbcEngine, s: JdbcStoreSettings) {
  if (engine === 'postgres') {
    return new PostgresDialect({ pool: async () => pgPool(s) });
  }
  return new MysqlDialect({ pool: async () => mysqlPool(s) });
}

async function pgPool(s: JdbcStoreSettings) {
  const pg = await loadPg();
  const pool = new pg.Pool({
    connectionString: s.url,
    ...(s.username ? { user: s.username } : {}),
    ...(s.password ? { password: s.password } : {}),
    max: s.poolSize,
    connectionTimeoutMillis: s.connectTimeoutMs,
    query_timeout: s.queryTimeoutMs,
  });
  // An idle connection dropped by the server must not crash the process; the next use reports it.
  pool.on('error', () => {});
  return pool;
}

async function mysqlPool(s: JdbcStoreSettings) {
  const { createPool: createMysqlPool } = await loadMysql();
  const pool = createMysqlPool({
    uri: s.url,
    ...(s.username ? { user: s.username } : {}),
    ...(s.password ? { password: s.password } : {}),
    connectionLimit: s.poolSize,
    connectTimeout: s.connectTimeoutMs,
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
  pool.on('connection', (c) => c.on('error', () => {}));
  return pool;
}

export class JdbcConnection {
  readonly db: Kysely<AnyDatabase>;
  readonly engine: JdbcEngine;
  private readonly outage: StoreOutage;

  constructor(
    private readonly settings: JdbcStoreSettings,
    clock: Clock,
  ) {
    this.outage = new StoreOutage(settings.domain, clock, { isConnectionFailure, reasonOf });
    const engine = engineOf(settings.url);
    if (!engine) throw new Error(`user store ${settings.domain}: url must start with postgres:// or mysql:// (or mariadb://)`);
    this.engine = engine;
    this.db = new Kysely<AnyDatabase>({ dialect: dialect(engine, settings) });
  }

  /** Runs one operation within the operation timeout; failing to reach the database is USR-50301 (store-outage.ts). */
  async run<T>(operation: (db: Kysely<AnyDatabase>) => Promise<T>, probe = false): Promise<T> {
    this.outage.check(probe);
    return this.outage.guard(operation(this.db), this.settings.queryTimeoutMs);
  }

  /** A probe past the back-off; resolves when the database answers. */
  async ping(): Promise<void> {
    await this.run((db) => sql`select 1`.execute(db), true);
  }

  async close(): Promise<void> {
    await this.db.destroy().catch(() => {});
  }
}
