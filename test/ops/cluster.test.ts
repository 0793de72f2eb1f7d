// Two nodes on one PostgreSQL database (sharing only the database and the [encryption] key) behind a
// round-robin load balancer: 100 logins (password, then a TOTP code) through My Account, every request going
// to the other node than the one before, all succeed; both nodes served, and both report their pool.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { TestClient } from '../support/http-client.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.ts';
import { scrape, total } from './scrape.ts';

const available = await isAvailable('postgres');
const LOGINS = 100;
const PARALLEL = 5;

describe('a cluster of two nodes behind a load balancer', { skip: skipUnless(available, 'postgres is not reachable') }, () => {
  let database: TestDatabase;
  let nodes: TestServer[] = [];
  let proxy: RoundRobinProxy;

  before(async () => {
    database = await createTestDatabase('postgres');
    const toml = `[encryption]\nkey = "${randomBytes(32).toString('hex')}"\n[metrics]\nenable = true\nport = 0\n`;
    nodes = [await startTestServer({ database, toml }), await startTestServer({ database, toml })];
    await setMyAccountSteps(nodes[0]!, [['BasicAuthenticator'], ['totp']]);
    const tls = { key: readFileSync(join(nodes[0]!.dataDir, 'tls', 'server.key'), 'utf8'), cert: nodes[0]!.certificate };
    proxy = await startRoundRobinProxy(nodes, tls);
  });
  after(async () => {
    await proxy?.close();
    for (const node of nodes) await node.close();
    await database?.drop();
  });

  async function userWithTotp(): Promise<{ username: string; password: string; totp: OTPAuth.TOTP }> {
    const { user, username, password } = await createUser(nodes[0]!, { prefix: 'lb' });
    const secret = new OTPAuth.Secret({ size: 20 });
    await nodes[0]!.services.credentials.totp.importSecret(user, { secret: secret.base32, encoding: 'Base32', algorithm: 'SHA1', digits: 6, period: 30 });
    return { username, password, totp: new OTPAuth.TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }) };
  }

  async function login(): Promise<boolean> {
    const { username, password, totp } = await userWithTotp();
    const browser = new LoginBrowser(new TestClient(proxy.url, nodes[0]!.certificate));
    const codePage = await browser.login(await browser.open('/myaccount'), username, password);
    if (codePage.name !== 'totp.do') return false;
    await awayFromStepEdge(totp.period);
    const done = await browser.submit(codePage, { token: codeAt(totp) });
    return done.name === 'myaccount' && done.html.includes(`Signed in as <strong>${username}</strong>`);
  }

  test('100 logins whose requests alternate nodes all succeed', async () => {
    const results: boolean[] = [];
    for (let i = 0; i < LOGINS; i += PARALLEL) results.push(...(await Promise.all(Array.from({ length: PARALLEL }, () => login()))));
    assert.equal(results.length, LOGINS);
    assert.equal(results.filter(Boolean).length, LOGINS, 'every login succeeded');
    const { served } = proxy;
    assert.ok(served.length >= LOGINS * 5, `at least five requests a login (${served.length})`);
    for (let i = 1; i < served.length; i++) assert.notEqual(served[i], served[i - 1], 'consecutive requests go to different nodes');
    const perNode = [0, 1].map((n) => served.filter((s) => s === n).length);
    assert.ok(Math.abs(perNode[0]! - perNode[1]!) <= 1, `both nodes served half: ${perNode.join(' / ')}`);
    // Each node counted the logins it finished, and reports its PostgreSQL pool.
    let completed = 0;
    for (const node of nodes) {
      const samples = await scrape(node.metricsUrl!);
      const finished = total(samples, 'portcullis_logins_completed_total');
      assert.ok(finished > 0, 'each node completed some logins');
      completed += finished;
      assert.ok(samples.some((s) => s.name === 'portcullis_db_pool_connections'), 'pool gauges on PostgreSQL');
      assert.ok(total(samples, 'portcullis_db_pool_connections') >= 1);
    }
    assert.equal(completed, LOGINS);
  });
});
