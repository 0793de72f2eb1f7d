// Two server processes on one PostgreSQL database: the password step on one, the TOTP enrolment and code
// on the other, and the user is logged in. Nothing about a login lives in a node's memory.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { TestClient } from '../support/http-client.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

const root = new URL('../../', import.meta.url).pathname;
const available = await isAvailable('postgres');

describe('two nodes, one PostgreSQL database', { skip: skipUnless(available, 'postgres is not reachable') }, () => {
  let database: TestDatabase;
  let nodeA: TestServer;
  let nodeB: ChildProcess;
  let nodeBUrl: string;
  let nodeBCert: string;
  const dir = mkdtempSync(join(tmpdir(), 'pcs-cluster-'));
  const key = randomBytes(32).toString('hex');

  before(async () => {
    database = await createTestDatabase('postgres');
    const shared = `[encryption]\nkey = "${key}"\n[database.identity_db]\ntype = "postgres"\nurl = "${database.url}"\n`;
    nodeA = await startTestServer({ database, toml: `[encryption]\nkey = "${key}"\n` });
    const config = join(dir, 'node-b.toml');
    writeFileSync(config, `[server]\nport = 0\ndata_dir = "${join(dir, 'b')}"\n[password_hashing]\nmemory_cost = 1024\ntime_cost = 1\n[sample_app]\nenabled = false\n${shared}`);
    nodeB = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...process.env, PORTCULLIS_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    nodeB.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    nodeB.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    while (!/Portcullis is serving (https:\/\/\S+) /.test(out)) {
      if (Date.now() - started > 60_000 || nodeB.exitCode !== null) throw new Error(`node B did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    nodeBUrl = /Portcullis is serving (https:\/\/\S+) /.exec(out)![1]!;
    nodeBCert = readFileSync(join(dir, 'b', 'tls', 'server.crt'), 'utf8');
    await setMyAccountSteps(nodeA, [['BasicAuthenticator'], ['totp']]);
  });

  after(async () => {
    if (nodeB && nodeB.exitCode === null) {
      const exited = new Promise((r) => nodeB.once('exit', r));
      nodeB.kill('SIGTERM');
      await exited;
    }
    await nodeA?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('password on node A, enrolment and TOTP on node B: logged in', async () => {
    const { username, password } = await createUser(nodeA);
    const onA = new LoginBrowser(nodeA.client());
    const enrol = await onA.login(await onA.open('/myaccount'), username, password);
    assert.equal(enrol.name, 'totp_enroll.do');
    const totp = totpFromQr(enrol);
    // The same browser now reaches node B (a load balancer switched nodes): same cookies, same pages.
    const clientB = new TestClient(nodeBUrl, nodeBCert);
    for (const [k, v] of onA.client.cookies) clientB.cookies.set(k, v);
    const onB = new LoginBrowser(clientB);
    const enrolOnB = await onB.open(enrol.url);
    assert.equal(enrolOnB.name, 'totp_enroll.do');
    assert.equal(totpFromQr(enrolOnB).secret.base32, totp.secret.base32, 'node B shows the same pending secret');
    const codePage = await onB.submit(enrolOnB, {}, ['ENABLE_TOTP', 'true']);
    assert.equal(codePage.name, 'totp.do');
    await awayFromStepEdge(30);
    const done = await onB.submit(codePage, { token: codeAt(totp) });
    assert.equal(done.name, 'myaccount');
    assert.match(done.html, new RegExp(`Signed in as <strong>${username}</strong>`));
    // The SSO session made on node B is good on node A.
    for (const [k, v] of clientB.cookies) onA.client.cookies.set(k, v);
    assert.equal((await onA.open('/myaccount')).name, 'myaccount');
  });
});
