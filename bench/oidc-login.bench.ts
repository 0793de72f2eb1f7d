// OpenID Connect authorization-code logins per second (authorize, login page, password, TOTP, back to the
// provider, code redeemed at the token endpoint with PKCE and the client secret) next to SAML logins
// (IdP-initiated, the same two steps, ending in the signed Response) in the same run, against one in-process
// server over HTTPS on loopback. The ratio is what OIDC costs beside SAML for the same login.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { sequenceOf } from '../src/applications/application.ts';
import { CLAIMS } from '../src/claims/local-claims.ts';
import { parseConfigText } from '../src/config/index.ts';
import { createLogger } from '../src/http/logger.ts';
import { startServer } from '../src/server.ts';
import { httpsCaller } from './lib/http-call.ts';
import { median, runConcurrent } from './lib/load.ts';
import { formatOps, formatRatio, printTable } from './lib/measure.ts';

const USERS = Number(process.env.BENCH_USERS ?? 600);
const PASSWORD = 'correct horse battery staple';
const SECRET = new OTPAuth.Secret({ size: 20 });
const CONCURRENCY = [1, 4];
const ROUNDS = 3;
const MS = Number(process.env.BENCH_MS ?? 2000);
const REDIRECT = 'https://rp.example/callback';
const ACS = 'https://sp.example/acs';

const dir = mkdtempSync(join(tmpdir(), 'pcs-bench-oidc-'));
const config = parseConfigText(
  `[server]\nport = 0\ndata_dir = "${dir}"\n[logging]\nlevel = "error"\n[sample_app]\nenabled = false\n[encryption]\nkey = "${'cd'.repeat(32)}"\n[rate_limit]\nper_ip_per_minute = 1000000\nper_account_per_minute = 1000000\n`,
  'bench.toml',
);

async function main(): Promise<void> {
  console.log('OIDC authorization-code logins (password + TOTP, through the token endpoint) vs SAML logins (same steps), same run');
  const server = await startServer(config, { logger: createLogger('error') });
  const s = server.services;
  const tenant = await s.tenants.requireActive('carbon.super');
  const steps = sequenceOf([['basic'], ['totp']]);
  const oidc = await s.applicationService.create(tenant, { name: 'bench-oidc', authenticationSequence: steps, inboundProtocolConfiguration: { oidc: { callbackURLs: [REDIRECT] } } });
  const clientId = (oidc.inboundProtocols.oidc as { clientId: string }).clientId;
  const clientSecret = oidc.revealOnce!.oidc!.clientSecret!;
  await s.applicationService.create(tenant, {
    name: 'bench-saml',
    authenticationSequence: steps,
    inboundProtocolConfiguration: { saml: { manualConfiguration: { issuer: 'bench-sp', assertionConsumerUrls: [ACS], idpInitiatedSingleSignOn: { enabled: true } } } },
  });
  for (let i = 0; i < USERS; i++) {
    const user = await s.users.create(tenant, { username: `bench-${i}`, password: PASSWORD });
    await s.claimValues.set(user, { [CLAIMS.secretKey]: SECRET.base32 });
  }
  const base = new URL(server.url);
  const agent = new Agent({ keepAlive: true, ca: server.certificate, maxSockets: 64 });
  const call = httpsCaller(base, agent);
  let next = 0;

  /** From the first page to the end of the TOTP step; returns where the engine sent the browser. */
  async function steps2(cookies: Map<string, string>, first: string): Promise<string> {
    let at = first;
    while (!at.includes('login.do')) at = (await call(at, cookies)).location!;
    const key = new URL(at, base).searchParams.get('sessionDataKey')!;
    await call(at, cookies);
    const user = `bench-${next++ % USERS}`;
    const afterPassword = await call('/commonauth', cookies, { sessionDataKey: key, username: user, password: PASSWORD });
    if (!afterPassword.location?.includes('totp.do')) throw new Error(`password step: ${afterPassword.status} ${afterPassword.location}`);
    await call(afterPassword.location, cookies);
    const done = await call('/commonauth', cookies, { sessionDataKey: key, token: new OTPAuth.TOTP({ secret: SECRET }).generate() });
    return done.location ?? '';
  }

  async function oidcLogin(): Promise<void> {
    const cookies = new Map<string, string>();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
    const start = await call(`/oauth2/authorize?${query}`, cookies);
    let at = await steps2(cookies, start.location!);
    while (!at.startsWith(REDIRECT)) at = (await call(at.replace(base.origin, ''), cookies)).location!;
    const code = new URL(at).searchParams.get('code')!;
    const status = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    if (status !== 200) throw new Error(`token endpoint: ${status}`);
  }

  function tokenRequest(form: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const body = new URLSearchParams(form).toString();
      const auth = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
      const req = request(new URL('/oauth2/token', base), { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${auth}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function samlLogin(): Promise<void> {
    const cookies = new Map<string, string>();
    const start = await call('/samlsso?spEntityID=bench-sp', cookies);
    const done = await steps2(cookies, start.location!);
    // The engine answers the SAML application with the auto-posting page of the signed Response.
    if (done !== '') throw new Error(`SAML login did not end in the Response page: ${done}`);
  }

  await runConcurrent(oidcLogin, 2, 1000); // warm-up
  await runConcurrent(samlLogin, 2, 1000);
  const rows: string[][] = [];
  for (const c of CONCURRENCY) {
    const o: number[] = [];
    const a: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const oidcRate = (await runConcurrent(oidcLogin, c, MS)).perSecond;
      const samlRate = (await runConcurrent(samlLogin, c, MS)).perSecond;
      o.push(oidcRate);
      a.push(samlRate);
      ratios.push(oidcRate / samlRate);
    }
    rows.push([String(c), formatOps(median(o)), formatOps(median(a)), formatRatio(median(ratios))]);
  }
  printTable(['concurrency', 'OIDC logins/s', 'SAML logins/s', 'OIDC / SAML'], rows);
  agent.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
