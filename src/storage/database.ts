// Opens the identity database: embedded SQLite by default, PostgreSQL or MySQL/MariaDB for production and
// clusters (all state is in the database, so any node can serve any request). Migrations run on open.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type SQLite from 'better-sqlite3';
import { Kysely, Migrator, MysqlDialect, PostgresDialect, sql, SqliteDialect } from 'kysely';
import type { Dialect, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Pool as MysqlPool } from 'mysql2';
import type { Pool as PgPool } from 'pg';
import { lazyRequire } from '../cache/lazy-module.ts';
import { loadMysql, loadPg } from './drivers.ts';
import { migrations } from './migrations/index.ts';
import { runsDirectly } from './prepared.ts';
import type { Database } from './schema.ts';

export type DatabaseType = 'sqlite' | 'postgres' | 'mysql';

export interface DatabaseSettings {
  type: DatabaseType;
  /** SQLite file. */
  path: string;
  /** postgres://... or mysql://... */
  url: string;
  username?: string;
  password?: string;
  poolSize: number;
}

export interface Storage {
  readonly db: Kysely<Database>;
  readonly type: DatabaseType;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Connections of the pool (PostgreSQL, MySQL) for the metrics; undefined for SQLite, which has no pool. */
  poolStats(): PoolStats | undefined;
  /** Statements executed since the database was opened (migrations included): what the statement budgets count. */
  statementCount(): number;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

// The pg and mysql2 drivers are loaded only for the database type in use (a SQLite node never loads either).
type Pool = { kind: 'postgres'; pool: PgPool } | { kind: 'mysql'; pool: MysqlPool };

// mysql2's pool keeps its counts in fields it does not type; read defensively (undefined when they change).
interface MysqlPoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

function statsOf(pool: Pool | undefined): PoolStats | undefined {
  if (!pool) return undefined;
  if (pool.kind === 'postgres') return { total: pool.pool.totalCount, idle: pool.pool.idleCount, waiting: pool.pool.waitingCount };
  const m = pool.pool as unknown as MysqlPoolInternals;
  if (!m._allConnections || !m._freeConnections || !m._connectionQueue) return undefined;
  return { total: m._allConnections.length, idle: m._freeConnections.length, waiting: m._connectionQueue.length };
}

/** The URL with the user name and password set, when given (the URL setters percent-encode them). */
export function withCredentials(url: string, username: string | undefined, password: string | undefined): string {
  if (!username && !password) return url;
  const u = new URL(url);
  if (username) u.username = username;
  if (password) u.password = password;
  return u.toString();
}

// Required on first use, not imported: a node on PostgreSQL or MySQL never loads it (cache/lazy-module.ts says
// why not a static import either).
const sqlite3 = lazyRequire<typeof SQLite>('better-sqlite3');

async function createDialect(settings: DatabaseSettings): Promise<{ dialect: Dialect; pool?: Pool; sqlite?: SQLite.Database }> {
  switch (settings.type) {
    case 'sqlite': {
      mkdirSync(dirname(settings.path), { recursive: true });
      const file = new (sqlite3())(settings.path);
      file.pragma('journal_mode = WAL');
      file.pragma('synchronous = NORMAL');
      file.pragma('busy_timeout = 5000');
      file.pragma('foreign_keys = ON');
      const cached = withStatementCache(file);
      return { dialect: new SqliteDialect({ database: cached }), sqlite: cached };
    }
    case 'postgres': {
      const pg = await loadPg();
      // pg lets every field of the parsed connection string win, even one the URL lacks (user: undefined), so
      // a separate user name or password is written into the URL rather than passed beside it.
      const pool = new pg.Pool({ connectionString: withCredentials(settings.url, settings.username, settings.password), max: settings.poolSize });
      return { dialect: new PostgresDialect({ pool }), pool: { kind: 'postgres', pool } };
    }
    case 'mysql': {
      const { createPool: createMysqlPool } = await loadMysql();
      const pool = createMysqlPool({
        uri: settings.url,
        ...(settings.username ? { user: settings.username } : {}),
        ...(settings.password ? { password: settings.password } : {}),
        connectionLimit: settings.poolSize,
        // Epoch-ms bigints come back as numbers, not strings.
        supportBigNumbers: true,
        bigNumberStrings: false,
      });
      return { dialect: new MysqlDialect({ pool }), pool: { kind: 'mysql', pool } };
    }
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; preparing costs more than running a small query. The app issues a few
 * dozen distinct SQL strings, so caching prepared statements by SQL text (better-sqlite3 statements are
 * reusable, and every call is synchronous) removes most of the per-query cost. Bounded, least recently used out
 * first. A value Kysely writes into the SQL text (a bare `case ... then x`) defeats it: pass such values with
 * eb.val so they stay parameters.
 */
function withStatementCache(file: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string): SQLite.Statement => {
    let stmt = cache.get(source);
    if (stmt) {
      // Least recently used goes first: a burst of one-off statements must not push out the hot ones.
      cache.delete(source);
      cache.set(source, stmt);
      return stmt;
    }
    stmt = file.prepare(source);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(source, stmt);
    return stmt;
  };
  return new Proxy(file, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Counts executed statements (every query Kysely runs, raw `sql` included, inside transactions too; not BEGIN
 * and COMMIT), so tests can hold each login step to its statement budget (docs/performance.md). A count, not a
 * time: it does not vary with the machine.
 */
class StatementCounter implements KyselyPlugin {
  count = 0;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return Promise.resolve(args.result);
  }
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'portcullis_migrations',
    migrationLockTableName: 'portcullis_migrations_lock',
    // Code-point order (the names are ASCII, zero-padded: the same order as Kysely's default). Its default,
    // localeCompare, loads ICU's collation data at every start, about 2 MB of resident memory for one sort.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}

export async function openStorage(settings: DatabaseSettings): Promise<Storage> {
  const { dialect, pool, sqlite } = await createDialect(settings);
  const counter = new StatementCounter();
  const db = new Kysely<Database>({ dialect, plugins: [counter] });
  if (sqlite) runsDirectly(db, sqlite, () => void counter.count++);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    db,
    type: settings.type,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
    poolStats: () => statsOf(pool),
    statementCount: () => counter.count,
  };
}

/** True when a database error is a unique-key violation, whatever the engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | null;
  const code = e?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505' || code === 'ER_DUP_ENTRY';
}
