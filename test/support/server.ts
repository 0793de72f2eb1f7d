// Starts the real server in-process on an ephemeral port, with a temporary data directory, a test config
// and (by default) a temporary SQLite file; PostgreSQL or MariaDB when a test database is given.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { readConfigText } from '../../src/config/index.ts';
import { createLogger } from '../../src/http/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { Clock } from '../../src/time/clock.ts';
import type { TestDatabase } from './databases.ts';
import { TestClient } from './http-client.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** A client with a fresh cookie jar. */
  client(): TestClient;
}

export interface TestServerOptions {
  /** deployment.toml text merged over the test defaults (its keys win). */
  toml?: string;
  database?: TestDatabase;
  /** Reuse a data directory (keys, TLS pair) instead of a fresh one. */
  dataDir?: string;
  /** Receives the server's JSON log lines (the level comes from the config; tests set it with toml). */
  logStream?: { write(line: string): void };
  /** The server's clock (a ManualClock lets a test move time instead of sleeping). */
  clock?: Clock;
  /** Read the toml as `--strict` does. */
  strict?: boolean;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pcs-server-'));
  const db = options.database;
  const defaults = {
    server: { port: 0, data_dir: dataDir },
    logging: { level: process.env.PORTCULLIS_TEST_LOG ?? 'silent' },
    // Cheap hashing keeps tests fast; the benchmark measures the real parameters.
    password_hashing: { memory_cost: 1024, time_cost: 1 },
    sample_app: { enabled: false },
    ...(db ? { database: { identity_db: db.type === 'sqlite' ? { path: db.path } : { type: db.type, url: db.url } } } : {}),
  };
  const text = stringify(deepMerge(defaults, options.toml ? parse(options.toml) : {}));
  const { config, warnings } = readConfigText(text, 'test.toml', options.strict ? { strict: true } : {});
  const logger = options.logStream ? createLogger(config.logging.level, options.logStream) : undefined;
  let server: RunningServer;
  try {
    server = await startServer(config, { configWarnings: warnings, ...(logger ? { logger } : {}), ...(options.clock ? { clock: options.clock } : {}) });
  } catch (err) {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...server,
    dataDir,
    client: () => new TestClient(server.url, server.certificate),
    close: async () => {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Tree = Record<string, unknown>;

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(v) ? deepMerge(b as Tree, v as Tree) : v;
  }
  return out;
}
