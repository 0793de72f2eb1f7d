// Password logins per second for users of an LDAP store (OpenLDAP, slapd started here on loopback) against
// PRIMARY users, in the same run, over HTTPS to one Portcullis server in this process: interleaved rounds,
// medians, and the LDAP/PRIMARY ratio. A PRIMARY login verifies argon2id (the shipped parameters) in
// Portcullis; an LDAP login searches the user as the service account and binds as the user (slapd checks an
// {SSHA} hash), so the ratio is mostly "argon2id here" against "two LDAP round trips". Timings are printed,
// never asserted. Without slapd it says why and exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sequenceOf } from '../src/applications/application.ts';
import { parseConfigText } from '../src/config/index.ts';
import { createLogger } from '../src/http/logger.ts';
import { startServer } from '../src/server.ts';
import { PEOPLE, ROOT_DN, ROOT_PASSWORD, Slapd, slapdAvailable } from '../test/support/slapd.ts';
import { formatOps, formatRatio, printTable } from './lib/measure.ts';
import { httpsCaller } from './lib/http-call.ts';
import { median, runConcurrent } from './lib/load.ts';

const USERS = Number(process.env.BENCH_USERS ?? 200);
const PASSWORD = 'correct horse battery staple';
const CONCURRENCY = [1, 4, 16];
const ROUNDS = 3;
const MS = Number(process.env.BENCH_MS ?? 2000);

async function main(): Promise<void> {
  if (!slapdAvailable()) {
    console.log('skipped: slapd (OpenLDAP) is not installed (apt-get install slapd ldap-utils); nothing measured.');
    return;
  }
  console.log('Password logins over HTTPS (start, login page, password, redirect back): LDAP users vs PRIMARY users');
  console.log(`Node ${process.version}, ${USERS} users per store, ${ROUNDS} interleaved rounds x ${MS} ms, server and load in one process\n`);
  const slapd = await Slapd.start({ users: Array.from({ length: USERS }, (_, i) => ({ uid: `ldap-${i}`, password: PASSWORD })) });
  const dir = mkdtempSync(join(tmpdir(), 'pcs-bench-ldap-'));
  const configText = `[server]\nport = 0\ndata_dir = "${dir}"\n[logging]\nlevel = "error"\n[sample_app]\nenabled = false\n[encryption]\nkey = "${'ab'.repeat(32)}"\n[rate_limit]\nper_ip_per_minute = 1000000\nper_account_per_minute = 1000000\n
[[user_store]]\ntype = "ldap"\ndomain = "LDAP"\nconnection_url = "${slapd.url}"\nconnection_name = "${ROOT_DN}"\nconnection_password = "${ROOT_PASSWORD}"\nuser_search_base = "${PEOPLE}"\nread_only = true\npool_size = 8\n`;
  const server = await startServer(parseConfigText(configText, 'bench.toml'), { logger: createLogger('error') });
  // Loopback only, against the server's own self-signed certificate.
  const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64 });
  try {
    const s = server.services;
    const tenant = await s.tenants.requireActive('carbon.super');
    const myAccount = await s.applications.ensureMyAccount(tenant.id);
    await s.applicationService.update(tenant, myAccount, { authenticationSequence: sequenceOf([['basic']]) });
    const first = await s.users.create(tenant, { username: 'primary-0', password: PASSWORD });
    const row = await s.storage.db.selectFrom('users').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    for (let i = 1; i < USERS; i++) {
      await s.storage.db.insertInto('users').values({ ...row, id: crypto.randomUUID(), username: `primary-${i}`, username_key: `primary-${i}` }).execute();
    }
    const base = new URL(`https://127.0.0.1:${server.port}`);

    const call = httpsCaller(base, agent);

    let served = 0;
    const loginAs = (prefix: string) => async () => {
      const user = `${prefix}-${served++ % USERS}`;
      const cookies = new Map<string, string>();
      const start = await call('/myaccount', cookies);
      const key = new URL(start.location!, base).searchParams.get('sessionDataKey')!;
      await call(start.location!, cookies);
      const done = await call('/commonauth', cookies, { sessionDataKey: key, username: user, password: PASSWORD });
      if (done.location !== '/myaccount') throw new Error(`login of ${user} failed: ${done.status} ${done.location}`);
    };
    const ldap = loginAs('LDAP/ldap');
    const primary = loginAs('primary');

    await runConcurrent(ldap, 4, 1000); // warm-up
    await runConcurrent(primary, 4, 1000);
    const rows: (string | number)[][] = [];
    for (const c of CONCURRENCY) {
      const l: number[] = [];
      const p: number[] = [];
      const ratios: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const lr = (await runConcurrent(ldap, c, MS)).perSecond;
        const pr = (await runConcurrent(primary, c, MS)).perSecond;
        l.push(lr);
        p.push(pr);
        ratios.push(lr / pr);
      }
      rows.push([String(c), formatOps(median(l)), formatOps(median(p)), formatRatio(median(ratios))]);
    }
    printTable(['concurrency', 'LDAP logins/s', 'PRIMARY logins/s', 'LDAP / PRIMARY'], rows);
    console.log(`\n(logins served: ${served})`);
  } finally {
    agent.destroy();
    await server.close();
    await slapd.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
