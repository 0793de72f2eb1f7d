// The server's own CPU per full login, the password hash taken out, divided by one argon2id verify (issue 14).
// The server runs in its own process (node --import tsx src/main.ts, logging at "info", HTTPS on loopback);
// a preload (cpu-usage-reporter.ts) reports that process's process.cpuUsage() over IPC before and after a
// run of logins. A bare argon2id verify with the shipped parameters is measured in this process in the same
// run. Printed for each flow: (server CPU per login - one verify) / one verify.
//  - direct: My Account, password then TOTP, ending with the redirect back to /myaccount;
//  - SAML: a signed Redirect-binding AuthnRequest (checked by the IdP), password then TOTP, ending with the
//    auto-posting form carrying a Response and an Assertion that are both signed.
// BENCH_PROFILE=dir writes a CPU profile of the server process there (node --cpu-prof).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
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
import { httpsCaller, type Call, type CallResult } from './lib/http-call.ts';
import { formatRatio, printTable } from './lib/measure.ts';

const LOGINS = Number(process.env.BENCH_LOGINS ?? 300);
const CONCURRENCY = 4;
/** Logins per flow before measuring: V8 keeps optimising the server's hot paths for the first few hundred
 * requests (its compiler threads were ~11% of the server's CPU after a 1 s warm-up), and a server that runs for
 * days is measured best once that has settled. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
// Every login uses its own user (a TOTP code is accepted once per user), warm-up included.
const USERS = 2 * LOGINS + 2 * WARMUP + 100;
const PASSWORD = 'correct horse battery staple';
const SECRET = new OTPAuth.Secret({ size: 20 });
const SP_ISSUER = 'bench-sp.example';
const ACS = 'http://localhost:8080/bench-sp/acs';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pcs-cpu-bench-'));
const configText = `[server]\nport = 0\ndata_dir = "${dir}"\n[logging]\nlevel = "info"\n[sample_app]\nenabled = false\n[encryption]\nkey = "${'ab'.repeat(32)}"\n[rate_limit]\nper_ip_per_minute = 1000000\nper_account_per_minute = 1000000\n`;
const configPath = join(dir, 'bench.toml');
writeFileSync(configPath, configText);
const spKeys = await createSelfSigned({ commonName: 'bench SP' });

/** USERS enrolled users sharing one password hash and one TOTP secret; My Account and one SAML SP, both basic then totp. */
async function setup(): Promise<void> {
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
  } finally {
    await server.close();
  }
}

interface Node {
  url: string;
  ca: string;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

function startNode(): Promise<Node> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // BENCH_NODE_ARGS: more node flags for the server (for example --perf-basic-prof or --trace-deopt).
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...profile, ...extra, '--import', 'tsx', '--import', './bench/cpu-usage-reporter.ts', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORTCULLIS_CONFIG: configPath },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  // Keep only the start of the log: the banner is all we read, and the pipe must be drained.
  child.stdout!.on('data', (d: Buffer) => { if (out.length < 100_000) out += d.toString(); });
  // BENCH_SERVER_OUTPUT=file keeps all of the server's standard output there (traces asked for above).
  if (process.env.BENCH_SERVER_OUTPUT) child.stdout!.pipe(createWriteStream(process.env.BENCH_SERVER_OUTPUT));
  child.stderr!.on('data', (d: Buffer) => { if (out.length < 100_000) out += d.toString(); });
  const cpuMicros = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { cpu: number }).cpu));
      child.send('cpu');
    });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Portcullis is serving (https:\/\/\S+) /.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({
          url: m[1]!,
          ca: readFileSync(join(dir, 'tls', 'server.crt'), 'utf8'),
          cpuMicros,
          stop: () => new Promise((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }),
        });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(out));
      }
    }, 100);
  });
}

/** An answer read with its body (the SAML flow needs the pages' forms). */
type Answer = CallResult & { body: string };

/** One browser-like request (bench/lib/http-call.ts) that reads the body. */
function caller(base: URL, agent: Agent): (...args: Parameters<Call>) => Promise<Answer> {
  const call = httpsCaller(base, agent, { readBody: true });
  return async (...args) => (await call(...args)) as Answer;
}

async function main(): Promise<void> {
  console.log('Server process CPU per full login (password + TOTP, HTTPS, logging at info) vs one bare argon2id verify');
  console.log(`Node ${process.version}, argon2id m=19456 t=2 p=1 (the shipped defaults), ${LOGINS} logins per flow at concurrency ${CONCURRENCY}\n`);
  await setup();
  const node = await startNode();
  const agent = new Agent({ keepAlive: true, ca: node.ca, maxSockets: 64 });
  const base = new URL(node.url);
  const call = caller(base, agent);
  let nextUser = 0;
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
    const afterPassword = await call('/commonauth', cookies, { sessionDataKey: key, username: `bench-${nextUser++ % USERS}`, password: PASSWORD });
    if (!afterPassword.location?.includes('totp.do')) throw new Error(`password step failed: ${afterPassword.status} ${afterPassword.location}`);
    await call(afterPassword.location, cookies);
    return call('/commonauth', cookies, { sessionDataKey: key, token: new OTPAuth.TOTP({ secret: SECRET }).generate() });
  }

  async function direct(): Promise<void> {
    const cookies = new Map<string, string>();
    const done = await passwordAndTotp(await call('/myaccount', cookies), cookies);
    if (done.location !== '/myaccount') throw new Error(`TOTP step failed: ${done.status} ${done.location}`);
  }

  async function saml(): Promise<void> {
    const cookies = new Map<string, string>();
    const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
    const done = await passwordAndTotp(await call(url.pathname + url.search, cookies), cookies);
    if (done.status !== 200 || !done.body.includes('name="SAMLResponse"')) throw new Error(`SAML login failed: ${done.status} ${done.body.slice(0, 300)}`);
    if ((Buffer.from(/name="SAMLResponse" value="([^"]+)"/.exec(done.body)![1]!, 'base64').toString().match(/<ds:Signature /g) ?? []).length !== 2) throw new Error('Response and Assertion not both signed');
  }

  /** Server CPU (microseconds) per completed task, over `count` tasks at CONCURRENCY. */
  async function serverCpuPer(task: () => Promise<void>, count: number): Promise<number> {
    const before = await node.cpuMicros();
    await runCount(task, count);
    return ((await node.cpuMicros()) - before) / count;
  }

  const hashed = await hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const bare = async () => {
    if (!(await verify(hashed, PASSWORD))) throw new Error('verify failed');
  };
  /** This process's CPU (microseconds) per bare verify; nothing else runs here meanwhile. */
  async function verifyCpu(count: number): Promise<number> {
    const before = process.cpuUsage();
    await runCount(bare, count);
    const d = process.cpuUsage(before);
    return (d.user + d.system) / count;
  }

  await runCount(direct, WARMUP); // warm-up (JIT, caches, pool)
  await runCount(saml, WARMUP);
  await verifyCpu(20);
  // Interleaved halves, so a drift of the machine during the run touches every figure alike.
  const half = Math.ceil(LOGINS / 2);
  const oneVerify = await verifyCpu(half);
  const directCpu = await serverCpuPer(direct, half);
  const samlCpu = await serverCpuPer(saml, half);
  const verify2 = await verifyCpu(half);
  const direct2 = await serverCpuPer(direct, half);
  const saml2 = await serverCpuPer(saml, half);
  const v = (oneVerify + verify2) / 2;
  const d = (directCpu + direct2) / 2;
  const s = (samlCpu + saml2) / 2;
  const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
  printTable(
    ['flow', 'server CPU per login', 'one argon2id verify', 'the rest', '(login - verify) / verify', 'goal'],
    [
      ['direct password + TOTP (My Account)', ms(d), ms(v), ms(d - v), formatRatio((d - v) / v), '<= 0.3'],
      ['SAML password + TOTP (signed request, Response, Assertion)', ms(s), ms(v), ms(s - v), formatRatio((s - v) / v), '<= 0.8'],
    ],
  );
  console.log(`\n(logins served: ${nextUser}; each used its own user, so replay protection never refused one)`);
  agent.destroy();
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Runs exactly `count` tasks at CONCURRENCY. */
async function runCount(task: () => Promise<void>, count: number): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left--;
      await task();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

await main();
