// The server's own CPU per full login, the password hash taken out, divided by one argon2id verify (issue 14).
// The server runs in its own process as `npm start` runs it (the bundle, with its V8 flags; BENCH_SERVER=tsx runs
// the sources through tsx instead), logging at "info", HTTPS on loopback; a preload (cpu-usage-reporter.cjs) reports that process's process.cpuUsage() over IPC before and after a
// run of logins. A bare argon2id verify with the shipped parameters is measured in this process in the same
// run. Printed for each flow: (server CPU per login - one verify) / one verify.
//  - direct: My Account, password then TOTP, ending with the redirect back to /myaccount;
//  - SAML: a signed Redirect-binding AuthnRequest (checked by the IdP), password then TOTP, ending with the
//    auto-posting form carrying a Response and an Assertion that are both signed.
// BENCH_PROFILE=dir writes a CPU profile of the server process there (node --cpu-prof).
// BENCH_CALLGRIND=1 counts instead the instructions per direct login on the server's main thread, the server run
// under valgrind's callgrind (instructions-per-login.ts); with BENCH_OTHER_BUILD, both builds one after the other;
// BENCH_FLOW=saml counts the SAML login instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAML } from '@node-saml/node-saml';
import { hash, verify } from '@node-rs/argon2';
import * as OTPAuth from 'otpauth';
import { sequenceOf } from '../src/applications/application.ts';
import { CLAIMS } from '../src/claims/local-claims.ts';
import { parseConfigText } from '../src/config/index.ts';
import { createSelfSigned } from '../src/crypto/certificates.ts';
import { createLogger } from '../src/http/logger.ts';
import { startServer } from '../src/server.ts';
import { reportedCpu } from './lib/cpu-report.ts';
import { callgrindCommand, countedInstructions, startCounting, type Counted } from './lib/instructions-per-login.ts';
import { httpsCaller, type Call, type CallResult } from './lib/http-call.ts';
import { formatRatio, printTable } from './lib/measure.ts';
import { npmStartArgs } from './lib/npm-start.ts';

/** Under callgrind a login takes about 50 times longer, so fewer are run (all of them counted, not timed). */
const CALLGRIND = process.env.BENCH_CALLGRIND === '1';
const LOGINS = Number(process.env.BENCH_LOGINS ?? (CALLGRIND ? 200 : 300));
const CONCURRENCY = 4;
/** Argon2 calls the server runs at once (src/users/password-hash.ts); the bare verifies run the same way. */
const HASHES_AT_ONCE = Math.min(CONCURRENCY, availableParallelism());
/** Measured rounds (LOGINS / ROUNDS logins per flow and node each), after the warm-up. */
const ROUNDS = 4;
/** Logins per flow before measuring: V8 keeps optimising the server's hot paths for the first few hundred
 * requests (its compiler threads were ~11% of the server's CPU after a 1 s warm-up), and a server that runs for
 * days is measured best once that has settled. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? (CALLGRIND ? 200 : 500));
/** BENCH_COMPARE="<node flags>": a second server (B), a copy of the first's database, run with these flags added
 * after `npm start`'s own (so that B can also override one of them, as `--v8-pool-size=4` does);
 * both are measured in the same interleaved run, so a flag's effect is not lost in the machine's drift. */
const COMPARE = process.env.BENCH_COMPARE?.split(' ').filter(Boolean) ?? (process.env.BENCH_OTHER_BUILD ? [] : undefined);
/** BENCH_OTHER_BUILD=<checkout>: B is that checkout's built server (its own `npm start` bundle) instead, on a copy of
 * A's database, with BENCH_COMPARE's flags if given: two builds in the same interleaved run. */
const OTHER_BUILD = process.env.BENCH_OTHER_BUILD;
// Every login uses its own user (a TOTP code is accepted once per user), warm-up included.
const USERS = (COMPARE ? 2 : 1) * (2 * LOGINS + 2 * WARMUP) + 100;
const PASSWORD = 'correct horse battery staple';
const SECRET = new OTPAuth.Secret({ size: 20 });
const SP_ISSUER = 'bench-sp.example';
const ACS = 'http://localhost:8080/bench-sp/acs';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pcs-cpu-bench-'));
// Under callgrind the event loop lags seconds behind, which the overload guard would answer with 503s.
const overload = CALLGRIND ? '[overload]\nmax_event_loop_delay = 60000\n' : '';
const configFor = (dataDir: string) => `[server]\nport = 0\ndata_dir = "${dataDir}"\n[logging]\nlevel = "info"\n[sample_app]\nenabled = false\n[encryption]\nkey = "${'ab'.repeat(32)}"\n[rate_limit]\nper_ip_per_minute = 1000000\nper_account_per_minute = 1000000\n${overload}`;
const configText = configFor(join(dir, 'a'));
const spKeys = await createSelfSigned({ commonName: 'bench SP' });

/** USERS enrolled users sharing one password hash and one TOTP secret; My Account and one SAML SP, both basic then totp. */
async function setup(): Promise<void> {
  mkdirSync(join(dir, 'a'));
  const server = await startServer(parseConfigText(configText, 'bench.toml'), { logger: createLogger('error') });
  try {
    const s = server.services;
    const tenant = await s.tenants.requireActive('carbon.super');
    const myAccount = await s.applications.ensureMyAccount(tenant.id);
    await s.applicationService.update(tenant, myAccount, { authenticationSequence: sequenceOf([['basic'], ['totp']]) });
    await s.applicationService.create(tenant, {
      name: SP_ISSUER,
      authenticationSequence: sequenceOf([['BasicAuthenticator'], ['totp']]),
      inboundProtocolConfiguration: {
        saml: {
          manualConfiguration: {
            issuer: SP_ISSUER,
            assertionConsumerUrls: [ACS],
            defaultAssertionConsumerUrl: ACS,
            singleSignOnProfile: { bindings: ['HTTP_POST', 'HTTP_REDIRECT'], assertion: { nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' } },
            requestValidation: { enableSignatureValidation: true, certificate: spKeys.certificatePem },
            responseSigning: { enabled: true },
            idpInitiatedSingleSignOn: { enabled: false },
            attributeProfile: { enabled: true },
          },
        },
      },
    });
    const first = await s.users.create(tenant, { username: 'bench-0', password: PASSWORD });
    await s.claimValues.set(first, { [CLAIMS.secretKey]: SECRET.base32 });
    const row = await s.storage.db.selectFrom('users').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    for (let i = 1; i < USERS; i++) {
      await s.storage.db.insertInto('users').values({ ...row, id: crypto.randomUUID(), username: `bench-${i}`, username_key: `bench-${i}` }).execute();
    }
    const page = await s.users.list(tenant, { offset: 0, limit: USERS + 1 });
    for (const user of page.users.filter((u) => u.username.startsWith('bench-') && u.id !== first.id)) {
      await s.claimValues.set(user, { [CLAIMS.secretKey]: SECRET.base32 });
    }
    // Each login uses a user of its own only because a TOTP code is accepted once per user. A user who has logged
    // in before has a security row (made by the first accepted code or failure); the bench measures that common
    // login, not every user's first (which adds a select, an insert and an update once per user).
    const ids = page.users.filter((u) => u.username.startsWith('bench-')).map((u) => u.id);
    for (let i = 0; i < ids.length; i += 500) {
      await s.storage.db.insertInto('user_security').values(ids.slice(i, i + 500).map((id) => ({ user_id: id, tenant_id: tenant.id }))).execute();
    }
  } finally {
    await server.close();
  }
}

interface Node {
  label: string;
  url: string;
  ca: string;
  pid: number;
  /** The server process's CPU, all threads, and its main thread's alone (undefined where /proc is not). */
  cpuMicros(): Promise<{ all: number; main: number | undefined }>;
  stop(): Promise<void>;
}

/** Starts a server on the prepared data directory `name` (a copy of "a" for any other), with `flags` added. */
function startNode(name: string, flags: readonly string[], label: string, cwd = root): Promise<Node> {
  const dataDir = join(dir, name);
  if (name !== 'a') cpSync(join(dir, 'a'), dataDir, { recursive: true });
  const configPath = join(dir, `${name}.toml`);
  writeFileSync(configPath, configFor(dataDir));
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // BENCH_NODE_ARGS: more node flags for the server (for example --perf-basic-prof or --trace-deopt).
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const command = serverArgs();
  const nodeArgs = [...profile, ...extra, '--require', join(root, 'bench/cpu-usage-reporter.cjs'), ...command.slice(0, -1), ...flags, command.at(-1)!];
  const [file, ...args] = CALLGRIND ? callgrindCommand(join(dir, `callgrind-${name}`), [process.execPath, ...nodeArgs]) : [process.execPath, ...nodeArgs];
  const child: ChildProcess = spawn(file!, args, {
    cwd,
    env: { ...process.env, PORTCULLIS_CONFIG: configPath },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  // Keep only the start of the log: the banner is all we read, and the pipe must be drained.
  child.stdout!.on('data', (d: Buffer) => { if (out.length < 100_000) out += d.toString(); });
  // BENCH_SERVER_OUTPUT=file keeps all of the server's standard output there (traces asked for above).
  if (process.env.BENCH_SERVER_OUTPUT) child.stdout!.pipe(createWriteStream(process.env.BENCH_SERVER_OUTPUT));
  child.stderr!.on('data', (d: Buffer) => { if (out.length < 100_000) out += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Portcullis is serving (https:\/\/\S+) /.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({
          label,
          url: m[1]!,
          ca: readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8'),
          pid: child.pid!,
          cpuMicros: () => reportedCpu(child),
          stop: () => new Promise((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }),
        });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(out));
      }
    }, 100);
  });
}

/** The server's node arguments: `npm start`'s own command line (what production runs), or the sources through tsx. */
function serverArgs(): string[] {
  return process.env.BENCH_SERVER === 'tsx' ? ['--import', 'tsx', 'src/main.ts'] : npmStartArgs();
}

/** An answer read with its body (the SAML flow needs the pages' forms). */
type Answer = CallResult & { body: string };

/** One browser-like request (bench/lib/http-call.ts) that reads the body. */
function caller(base: URL, agent: Agent): (...args: Parameters<Call>) => Promise<Answer> {
  const call = httpsCaller(base, agent, { readBody: true });
  return async (...args) => (await call(...args)) as Answer;
}

/** The two flows against one node, and its CPU per login. */
function flowsOf(node: Node, nextUser: () => number) {
  const agent = new Agent({ keepAlive: true, ca: node.ca, maxSockets: 64 });
  const base = new URL(node.url);
  const call = caller(base, agent);
  const sp = new SAML({
    callbackUrl: ACS,
    entryPoint: `${node.url}/samlsso`,
    issuer: SP_ISSUER,
    idpCert: 'unused: the bench does not validate the Response (the SAML tests do)',
    privateKey: spKeys.privateKeyPem,
    signatureAlgorithm: 'sha256',
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  });

  async function passwordAndTotp(start: Answer, cookies: Map<string, string>): Promise<Answer> {
    if (!start.location?.includes('login.do')) throw new Error(`no login page: ${start.status} ${start.location}`);
    const key = new URL(start.location, base).searchParams.get('sessionDataKey')!;
    await call(start.location, cookies);
    const afterPassword = await call('/commonauth', cookies, { sessionDataKey: key, username: `bench-${nextUser() % USERS}`, password: PASSWORD });
    if (!afterPassword.location?.includes('totp.do')) throw new Error(`password step failed: ${afterPassword.status} ${afterPassword.location}`);
    await call(afterPassword.location, cookies);
    return call('/commonauth', cookies, { sessionDataKey: key, token: new OTPAuth.TOTP({ secret: SECRET }).generate() });
  }

  return {
    async direct(): Promise<void> {
      const cookies = new Map<string, string>();
      const done = await passwordAndTotp(await call('/myaccount', cookies), cookies);
      if (done.location !== '/myaccount') throw new Error(`TOTP step failed: ${done.status} ${done.location}`);
    },
    async saml(): Promise<void> {
      const cookies = new Map<string, string>();
      const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
      const done = await passwordAndTotp(await call(url.pathname + url.search, cookies), cookies);
      if (done.status !== 200 || !done.body.includes('name="SAMLResponse"')) throw new Error(`SAML login failed: ${done.status} ${done.body.slice(0, 300)}`);
      if ((Buffer.from(/name="SAMLResponse" value="([^"]+)"/.exec(done.body)![1]!, 'base64').toString().match(/<ds:Signature /g) ?? []).length !== 2) throw new Error('Response and Assertion not both signed');
    },
    /** Server CPU (microseconds) per completed task, over `count` tasks at CONCURRENCY: all threads, and the main thread's share. */
    async cpuPer(task: () => Promise<void>, count: number): Promise<{ all: number; main: number }> {
      const before = await node.cpuMicros();
      await runCount(task, count);
      const after = await node.cpuMicros();
      return { all: (after.all - before.all) / count, main: before.main === undefined || after.main === undefined ? NaN : (after.main - before.main) / count };
    },
    close: () => agent.destroy(),
  };
}

/** What B is, for the heading: another build, other flags, or both. */
function describeB(compare: readonly string[]): string {
  return `${OTHER_BUILD ? `the build in ${OTHER_BUILD}` : 'the same'}${compare.length ? ` with ${compare.join(' ')}` : ''} (a copy of A's database)`;
}

/** BENCH_CALLGRIND=1: instructions per login on the main thread, each build (or flag set) on its own. */
async function countInstructions(): Promise<void> {
  const flow = process.env.BENCH_FLOW === 'saml' ? 'saml' : 'direct';
  console.log(`Instructions per ${flow === 'saml' ? 'SAML login (signed request, Response, Assertion; password + TOTP)' : 'direct login (password + TOTP through My Account)'} on the server's main thread, counted by callgrind`);
  console.log(`Node ${process.version}, server: node ${serverArgs().join(' ')}, ${WARMUP} logins of warm-up, then ${LOGINS} counted, at concurrency ${CONCURRENCY}`);
  console.log(`A: this checkout${COMPARE ? `; B: ${describeB(COMPARE)}, after A` : ''}\n`);
  await setup();
  const builds = [{ name: 'a', flags: [] as string[], label: 'A', cwd: root }];
  if (COMPARE) builds.push({ name: 'b', flags: COMPARE, label: 'B', cwd: OTHER_BUILD ?? root });
  let served = 0;
  const counts: Counted[] = [];
  for (const build of builds) {
    const node = await startNode(build.name, build.flags, build.label, build.cwd);
    const flows = flowsOf(node, () => served++);
    try {
      await runCount(flows[flow], WARMUP);
      startCounting(node.pid);
      await runCount(flows[flow], LOGINS);
      counts.push(await countedInstructions(node.pid, join(dir, `callgrind-${build.name}`), LOGINS));
    } finally {
      flows.close();
      await node.stop();
    }
  }
  const m = (n: number) => `${(n / 1e6).toFixed(2)}M`;
  printTable(
    ['server', 'main thread, per login', 'of it, garbage collection', 'the rest', 'against A'],
    counts.map((c, i) => [builds[i]!.label, m(c.all), m(c.gc), m(c.all - c.gc), formatRatio(c.all / counts[0]!.all)]),
  );
  console.log("\nThe event-loop delay sampling is taken out (bench/lib/instructions-per-login.ts). Garbage collection comes in steps (a\nfull collection in the counted window or not), so compare \"the rest\" for code and the whole for what changes allocation.");
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log('Server process CPU per full login (password + TOTP, HTTPS, logging at info) vs one bare argon2id verify');
  console.log(`Node ${process.version}, server: node ${serverArgs().join(' ')}, argon2id m=19456 t=2 p=1 (the shipped defaults), ${LOGINS} logins per flow at concurrency ${CONCURRENCY}; bare verifies ${HASHES_AT_ONCE} at once, as the server hashes (one per CPU)`);
  if (COMPARE) console.log(`A: as above; B: ${describeB(COMPARE)}, measured in the same interleaved run`);
  console.log('');
  await setup();
  const nodes = [await startNode('a', [], COMPARE ? 'A' : '')];
  if (COMPARE) nodes.push(await startNode('b', COMPARE, 'B', OTHER_BUILD));
  let served = 0;
  const flows = nodes.map((node) => flowsOf(node, () => served++));

  const hashed = await hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const bare = async () => {
    if (!(await verify(hashed, PASSWORD))) throw new Error('verify failed');
  };
  /**
   * This process's CPU (microseconds) per bare verify; nothing else runs here meanwhile. As many at once as the
   * server runs (PasswordHasher: at most one per CPU), so the baseline is a hash as the server computes it.
   */
  async function verifyCpu(count: number): Promise<number> {
    const before = process.cpuUsage();
    await runCount(bare, count, HASHES_AT_ONCE);
    const d = process.cpuUsage(before);
    return (d.user + d.system) / count;
  }

  for (const f of flows) {
    await runCount(f.direct, WARMUP); // warm-up (JIT, caches, pool)
    await runCount(f.saml, WARMUP);
  }
  await verifyCpu(20);
  // Interleaved rounds, so a drift of the machine during the run touches every figure alike; with two nodes,
  // which goes first alternates (the one measured right after the verifies was seen to come out worse).
  const part = Math.ceil(LOGINS / ROUNDS);
  let verifySum = 0;
  const sums = flows.map(() => ({ direct: 0, saml: 0, directMain: 0, samlMain: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    verifySum += await verifyCpu(part);
    for (let k = 0; k < flows.length; k++) {
      const i = (round + k) % flows.length;
      const f = flows[i]!;
      const direct = await f.cpuPer(f.direct, part);
      const saml = await f.cpuPer(f.saml, part);
      sums[i]!.direct += direct.all;
      sums[i]!.directMain += direct.main;
      sums[i]!.saml += saml.all;
      sums[i]!.samlMain += saml.main;
    }
  }
  const v = verifySum / ROUNDS;
  const ms = (us: number) => (Number.isNaN(us) ? 'n/a' : `${(us / 1000).toFixed(2)} ms`);
  const rows = nodes.flatMap((node, i) => {
    const d = sums[i]!.direct / ROUNDS;
    const s = sums[i]!.saml / ROUNDS;
    const name = (flow: string) => (node.label ? `${node.label}: ${flow}` : flow);
    return [
      [name('direct password + TOTP (My Account)'), ms(d), ms(sums[i]!.directMain / ROUNDS), ms(v), ms(d - v), formatRatio((d - v) / v), '<= 0.3'],
      [name('SAML password + TOTP (signed request, Response, Assertion)'), ms(s), ms(sums[i]!.samlMain / ROUNDS), ms(v), ms(s - v), formatRatio((s - v) / v), '<= 0.8'],
    ];
  });
  printTable(['flow', 'server CPU per login', 'of it, main thread', 'one argon2id verify', 'the rest', '(login - verify) / verify', 'goal'], rows);
  console.log(
    '\n"of it, main thread": the server\'s JavaScript, HTTP, TLS and SQLite work (Linux only). The other threads run the hash (libuv\'s pool)\n' +
      'and V8\'s GC and compilers; what they spend beyond one bare verify is in "the rest" too (a hash contending with the server\'s own work).',
  );
  console.log(`\n(logins served: ${served}; each used its own user, so replay protection never refused one)`);
  for (const f of flows) f.close();
  for (const node of nodes) await node.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Runs exactly `count` tasks, `concurrency` at a time. */
async function runCount(task: () => Promise<void>, count: number, concurrency = CONCURRENCY): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left--;
      await task();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

await (CALLGRIND ? countInstructions() : main());
