// Full logins (password, then TOTP) per second over HTTPS on loopback, against a Portcullis server in its
// own process with the shipped argon2id parameters, next to the rate of bare argon2id verifications with
// the same parameters measured in the same run at the same concurrency. The ratio is the flow's own
// overhead: everything a login does besides hashing the password (TLS, pages, database, TOTP, SSO session).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import * as OTPAuth from 'otpauth';
import { sequenceOf } from '../src/applications/application.ts';
import { CLAIMS } from '../src/claims/local-claims.ts';
import { parseConfigText } from '../src/config/index.ts';
import { createLogger } from '../src/http/logger.ts';
import { startServer } from '../src/server.ts';
import { formatOps, formatRatio, printTable } from './lib/measure.ts';
import { httpsCaller } from './lib/http-call.ts';
import { median, runConcurrent } from './lib/load.ts';

const USERS = Number(process.env.BENCH_USERS ?? 2500);
const PASSWORD = 'correct horse battery staple';
const SECRET = new OTPAuth.Secret({ size: 20 });
const CONCURRENCY = [1, 4, 16];
const ROUNDS = 3;
const MS = Number(process.env.BENCH_MS ?? 2000);

const dir = mkdtempSync(join(tmpdir(), 'pcs-bench-'));
// The node logs at "info", as a production deployment would (every request is logged). The load comes from one
// address, so the rate limits stay on (their counting is part of a login's cost) with budgets it cannot reach.
const configText = `[server]\nport = 0\ndata_dir = "${dir}"\n[logging]\nlevel = "info"\n[sample_app]\nenabled = false\n[encryption]\nkey = "${'ab'.repeat(32)}"\n[rate_limit]\nper_ip_per_minute = 1000000\nper_account_per_minute = 1000000\n`;
const configPath = join(dir, 'bench.toml');
writeFileSync(configPath, configText);

/** Makes USERS enrolled users sharing one password hash and one TOTP secret (bench data only). */
async function setup(): Promise<void> {
  const server = await startServer(parseConfigText(configText, 'bench.toml'), { logger: createLogger('error') });
  try {
    const s = server.services;
    const tenant = await s.tenants.requireActive('carbon.super');
    const myAccount = await s.applications.ensureMyAccount(tenant.id);
    await s.applicationService.update(tenant, myAccount, {
      authenticationSequence: sequenceOf([['basic'], ['totp']]),
    });
    const first = await s.users.create(tenant, { username: 'bench-0', password: PASSWORD });
    const row = await s.storage.db.selectFrom('users').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    for (let i = 1; i < USERS; i++) {
      await s.storage.db.insertInto('users').values({ ...row, id: crypto.randomUUID(), username: `bench-${i}`, username_key: `bench-${i}` }).execute();
    }
    const page = await s.users.list(tenant, { offset: 0, limit: USERS + 1 });
    for (const user of page.users.filter((u) => u.username.startsWith('bench-'))) await s.claimValues.set(user, { [CLAIMS.secretKey]: SECRET.base32 });
  } finally {
    await server.close();
  }
}

function startNode(): Promise<{ url: string; ca: string; stop(): Promise<void> }> {
  // BENCH_PROFILE=dir writes a CPU profile of the server process there (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], { cwd: new URL('..', import.meta.url).pathname, env: { ...process.env, PORTCULLIS_CONFIG: configPath }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // Keep only the start of the log: the banner is all we read, and the pipe must be drained.
  child.stdout.on('data', (d: Buffer) => { if (out.length < 100_000) out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { if (out.length < 100_000) out += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Portcullis is serving (https:\/\/\S+) /.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({
          url: m[1]!,
          ca: readFileSync(join(dir, 'tls', 'server.crt'), 'utf8'),
          stop: () => new Promise((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }),
        });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(out));
      }
    }, 100);
  });
}

async function main(): Promise<void> {
  console.log('Full login over HTTPS (start, login page, password, TOTP page, code, redirect back) vs bare argon2id verify');
  console.log(`Node ${process.version}, ${USERS} users, argon2id m=19456 t=2 p=1 (the shipped defaults), ${ROUNDS} interleaved rounds x ${MS} ms\n`);
  await setup();
  const node = await startNode();
  const agent = new Agent({ keepAlive: true, ca: node.ca, maxSockets: 64 });
  const base = new URL(node.url);
  let nextUser = 0;

  const call = httpsCaller(base, agent);

  async function login(): Promise<void> {
    const user = `bench-${nextUser++ % USERS}`;
    const cookies = new Map<string, string>();
    const start = await call('/myaccount', cookies);
    const key = new URL(start.location!, base).searchParams.get('sessionDataKey')!;
    await call(start.location!, cookies);
    const afterPassword = await call('/commonauth', cookies, { sessionDataKey: key, username: user, password: PASSWORD });
    if (!afterPassword.location?.includes('totp.do')) throw new Error(`password step failed: ${afterPassword.status} ${afterPassword.location}`);
    await call(afterPassword.location, cookies);
    const done = await call('/commonauth', cookies, { sessionDataKey: key, token: new OTPAuth.TOTP({ secret: SECRET }).generate() });
    // The login ends with the redirect back to the application; rendering the application's page is not part of it.
    if (done.location !== '/myaccount') throw new Error(`TOTP step failed: ${done.status} ${done.location}`);
  }

  const hashed = await hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const bare = async () => {
    if (!(await verify(hashed, PASSWORD))) throw new Error('verify failed');
  };

  await runConcurrent(login, 4, 1500); // warm-up
  await runConcurrent(bare, 4, 500);
  const rows: (string | number)[][] = [];
  for (const c of CONCURRENCY) {
    const flow: number[] = [];
    const hashes: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const f = (await runConcurrent(login, c, MS)).perSecond;
      const h = (await runConcurrent(bare, c, MS)).perSecond;
      flow.push(f);
      hashes.push(h);
      ratios.push(f / h);
    }
    rows.push([String(c), formatOps(median(flow)), formatOps(median(hashes)), formatRatio(median(ratios))]);
  }
  printTable(['concurrency', 'full logins/s', 'bare argon2 verifies/s', 'logins / verifies'], rows);
  console.log(`\n(logins served: ${nextUser}; each used its own user, so replay protection never refused one)`);
  agent.destroy();
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}

await main();
