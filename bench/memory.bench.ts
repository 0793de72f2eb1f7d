// Memory and scale under load, against an in-process server on SQLite over HTTPS:
//  1. 10,000 half-done logins held at once (started, password accepted, TOTP pending): what each costs in the
//     server's heap and in the database, and what bounds them (they live in the database, not in memory, and
//     expire after [session] login_timeout; housekeeping deletes them).
//  2. Logins (start + password) with a thousand users in the database, then with a million (bulk-inserted):
//     time per login, and the ratio (goal: at most 1.2).
// argon2id runs with small parameters here so the hash does not hide what the number of users changes.
//   node --import tsx bench/memory.bench.ts   [BENCH_PENDING=10000 BENCH_USERS=1000000 BENCH_MS=3000]
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'kysely';
import * as OTPAuth from 'otpauth';
import { sequenceOf } from '../src/applications/application.ts';
import { CLAIMS } from '../src/claims/local-claims.ts';
import { parseConfigText } from '../src/config/index.ts';
import { createLogger } from '../src/http/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { httpsCaller, type Call } from './lib/http-call.ts';
import { median, runConcurrent } from './lib/load.ts';
import { printTable } from './lib/measure.ts';

const PENDING = Number(process.env.BENCH_PENDING ?? 10_000);
const BIG = Number(process.env.BENCH_USERS ?? 1_000_000);
const SMALL = 1000;
const LOGIN_USERS = 200; // the users that log in; the rest are rows that only make the table big
const MS = Number(process.env.BENCH_MS ?? 3000);
const ROUNDS = 3;
const PASSWORD = 'correct horse battery staple';
const LOGIN_TIMEOUT_MINUTES = 15;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const dir = mkdtempSync(join(tmpdir(), 'pcs-memory-'));
const config = parseConfigText(
  `[server]\nport = 0\ndata_dir = "${dir}"\n[sample_app]\nenabled = false\n[encryption]\nkey = "${'cd'.repeat(32)}"\n` +
    `[password_hashing]\nmemory_cost = 1024\ntime_cost = 1\n[session]\nlogin_timeout = ${LOGIN_TIMEOUT_MINUTES}\n` +
    `[rate_limit]\nper_ip_per_minute = 1000000\nper_account_per_minute = 1000000\n`,
  'bench.toml',
);

async function dbBytes(server: RunningServer): Promise<number> {
  const { db } = server.services.storage;
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  const count = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count;
  const size = (await sql<{ page_size: number }>`pragma page_size`.execute(db)).rows[0]!.page_size;
  return count * size;
}

async function setSteps(server: RunningServer, steps: string[][]): Promise<void> {
  const s = server.services;
  const tenant = await s.tenants.requireActive('carbon.super');
  await s.applicationService.update(tenant, await s.applications.ensureMyAccount(tenant.id), { authenticationSequence: sequenceOf(steps) });
}

/** Starts a login at My Account and submits the password; returns where the server sends the browser next. */
async function passwordStep(call: Call, user: string): Promise<string> {
  const cookies = new Map<string, string>();
  const start = await call('/myaccount', cookies);
  const key = new URL(start.location!, 'https://x').searchParams.get('sessionDataKey')!;
  const after = await call('/commonauth', cookies, { sessionDataKey: key, username: user, password: PASSWORD });
  return after.location ?? `status ${after.status}`;
}

async function pendingLogins(server: RunningServer, call: Call): Promise<void> {
  await setSteps(server, [['basic'], ['totp']]);
  let n = 0;
  const hold = async () => {
    const next = await passwordStep(call, `bench-${n++ % LOGIN_USERS}`);
    if (!next.includes('totp.do')) throw new Error(`expected the TOTP page, got ${next}`);
  };
  for (let i = 0; i < 200; i++) await hold(); // warm-up: JIT, caches, statement cache
  const { db } = server.services.storage;
  const count = async () => Number((await db.selectFrom('auth_contexts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rowsBefore = await count();
  const heapBefore = heapUsed();
  const dbBefore = await dbBytes(server);
  let started = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (started < PENDING) {
        started++;
        await hold();
      }
    }),
  );
  const held = (await count()) - rowsBefore;
  const heapAfter = heapUsed();
  const dbAfter = await dbBytes(server);
  console.log(`\n1. ${held} half-done logins held at once (password accepted, TOTP pending)\n`);
  printTable(
    ['where', 'before', 'after', 'per pending login'],
    [
      ['server heap (after GC)', mb(heapBefore), mb(heapAfter), `${Math.round((heapAfter - heapBefore) / held)} bytes`],
      ['database (SQLite file)', mb(dbBefore), mb(dbAfter), `${Math.round((dbAfter - dbBefore) / held)} bytes`],
    ],
  );
  console.log(
    `\nBound: a pending login is one auth_contexts row, not server memory; it expires after [session] login_timeout ` +
      `(${LOGIN_TIMEOUT_MINUTES} min here) and housekeeping deletes it ([housekeeping] interval). New logins per address ` +
      `are capped by [rate_limit] per_ip_per_minute, so one address holds at most per_ip_per_minute x login_timeout.`,
  );
}

async function loginTimes(call: Call): Promise<number[]> {
  let n = 0;
  const login = async () => {
    const next = await passwordStep(call, `bench-${n++ % LOGIN_USERS}`);
    if (next !== '/myaccount') throw new Error(`expected to be signed in, got ${next}`);
  };
  await runConcurrent(login, 4, 1000); // warm-up
  const perLoginMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) perLoginMs.push(1000 / (await runConcurrent(login, 4, MS)).perSecond);
  return perLoginMs;
}

async function manyUsers(server: RunningServer, call: Call): Promise<void> {
  await setSteps(server, [['basic']]);
  const { db } = server.services.storage;
  const users = async () => Number((await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const fill = async (total: number) => {
    const missing = total - (await users());
    if (missing <= 0) return;
    // Rows that only make the table and its indexes big: same tenant and store, unique names, no password.
    await sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < ${missing})
      insert into users (id, tenant_id, store_domain, username, username_key, password_hash, created_at, updated_at)
      select lower(hex(randomblob(16))), u.tenant_id, u.store_domain, 'filler-' || (${total} || '-' || i), 'filler-' || (${total} || '-' || i), null, u.created_at, u.updated_at
      from n, (select * from users where username = 'bench-0') u`.execute(db);
  };
  await fill(SMALL);
  const small = await loginTimes(call);
  const smallCount = await users();
  const t = performance.now();
  await fill(BIG);
  const insertS = (performance.now() - t) / 1000;
  await sql`analyze`.execute(db);
  const big = await loginTimes(call);
  const bigCount = await users();
  console.log(`\n2. Login (start + password, argon2id m=1024 t=1) with few and many users; ${ROUNDS} rounds x ${MS} ms at concurrency 4, medians\n`);
  printTable(
    ['users in the database', 'ms per login'],
    [
      [smallCount.toLocaleString('en'), median(small).toFixed(2)],
      [`${bigCount.toLocaleString('en')} (bulk insert ${insertS.toFixed(0)} s)`, median(big).toFixed(2)],
    ],
  );
  console.log(`\n${bigCount.toLocaleString('en')} users / ${smallCount.toLocaleString('en')} users, time per login: ${(median(big) / median(small)).toFixed(2)} (goal: at most 1.20)`);
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, SQLite, in-process server over HTTPS`);
  const server = await startServer(config, { logger: createLogger('error') });
  const agent = new Agent({ keepAlive: true, ca: server.certificate, maxSockets: 16 });
  try {
    const s = server.services;
    const tenant = await s.tenants.requireActive('carbon.super');
    const first = await s.users.create(tenant, { username: 'bench-0', password: PASSWORD });
    const row = await s.storage.db.selectFrom('users').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    for (let i = 1; i < LOGIN_USERS; i++) await s.storage.db.insertInto('users').values({ ...row, id: crypto.randomUUID(), username: `bench-${i}`, username_key: `bench-${i}` }).execute();
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    for (const user of (await s.users.list(tenant, { offset: 0, limit: LOGIN_USERS + 10 })).users.filter((u) => u.username.startsWith('bench-'))) {
      await s.claimValues.set(user, { [CLAIMS.secretKey]: secret });
    }
    const call = httpsCaller(new URL(server.url), agent);
    await pendingLogins(server, call);
    await manyUsers(server, call);
  } finally {
    agent.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
