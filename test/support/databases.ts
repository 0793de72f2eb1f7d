// Creates a private database per test suite on the machine's PostgreSQL and MariaDB (and a temp SQLite
// file), under a unique name, and drops it afterwards, so parallel runs never collide.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openStorage } from '../../src/storage/database.ts';
import type { DatabaseType, Storage } from '../../src/storage/database.ts';

export const PG_ADMIN_URL = process.env.PORTCULLIS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URL = process.env.PORTCULLIS_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

export interface TestDatabase {
  type: DatabaseType;
  url: string;
  path: string;
  drop(): Promise<void>;
}

function uniqueName(): string {
  return `pcs_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function withDatabase(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Whether the engine answers; used to decide skip (or failure under CI). */
async function connects(type: DatabaseType, timeoutMs: number): Promise<boolean> {
  try {
    if (type === 'postgres') {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: timeoutMs });
      await c.connect();
      await c.end();
    } else if (type === 'mysql') {
      const c = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: timeoutMs });
      await c.end();
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the database answers. Outside CI one quick try decides whether to skip. Under CI=true the database
 * must be there, so a busy machine (a full parallel run) gets three tries with a longer timeout before the
 * test fails as "not reachable".
 */
export async function isAvailable(type: DatabaseType): Promise<boolean> {
  const tries = process.env.CI === 'true' ? 3 : 1;
  for (let i = 0; i < tries; i++) {
    if (await connects(type, process.env.CI === 'true' ? 10_000 : 2000)) return true;
    if (i + 1 < tries) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return false;
}

export async function createTestDatabase(type: DatabaseType): Promise<TestDatabase> {
  const name = uniqueName();
  if (type === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pcs-db-'));
    return { type, url: '', path: join(dir, 'test.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (type === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      type,
      url: withDatabase(PG_ADMIN_URL, name),
      path: '',
      drop: async () => {
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        // pg's Pool.end() resolves before its sockets have closed; FORCE would kill those backends, and their
        // clients then throw "terminating connection" as an uncaught error. Let them go first (bounded).
        for (let i = 0; i < 50; i++) {
          const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]?.n === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const admin = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  return {
    type,
    url: withDatabase(MYSQL_ADMIN_URL, name),
    path: '',
    drop: async () => {
      const c = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

/** Opens (and migrates) storage on a fresh test database; `close` also drops it. */
export async function openTestStorage(type: DatabaseType): Promise<Storage & { database: TestDatabase }> {
  const database = await createTestDatabase(type);
  const storage = await openStorage({ type, path: database.path, url: database.url, poolSize: 20 });
  return {
    ...storage,
    database,
    close: async () => {
      await storage.close();
      await database.drop();
    },
  };
}

export const ALL_DATABASES: DatabaseType[] = ['sqlite', 'postgres', 'mysql'];
