// Two nodes on one PostgreSQL database: a store added through node A's API serves logins on node B within the
// check interval (5 s, moved on B's clock rather than slept), and a store deleted on A stops serving on B and is
// closed there. Nothing about a run-time store lives only in one node's memory.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/time/clock.ts';
import { CHECK_TTL_MS } from '../../src/users/store-definition-service.ts';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { createUser, setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { Slapd, slapdAvailable } from '../support/slapd.ts';
import { ldapStoreBody, storeId, USERSTORES } from '../support/userstores.ts';

const BOB = { uid: 'bob', password: 'bob-Ldap-pass1' };
const skip = skipUnless(slapdAvailable() && (await isAvailable('postgres')), 'slapd and PostgreSQL are needed');

describe('run-time user stores on two nodes, one PostgreSQL database', { skip }, () => {
  let database: TestDatabase;
  let slapd: Slapd;
  let nodeA: TestServer;
  let nodeB: TestServer;
  const clockB = new ManualClock(Date.now());

  before(async () => {
    database = await createTestDatabase('postgres');
    slapd = await Slapd.start({ users: [BOB] });
    const toml = `[encryption]\nkey = "${randomBytes(32).toString('hex')}"\n`;
    nodeA = await startTestServer({ database, toml });
    nodeB = await startTestServer({ database, toml, clock: clockB });
    await setMyAccountSteps(nodeA, [['BasicAuthenticator']]);
  });
  after(async () => {
    await nodeB?.close();
    await nodeA?.close();
    await slapd?.close();
    await database?.drop();
  });

  async function signInOn(node: TestServer, username: string, password: string): Promise<string> {
    const browser = new LoginBrowser(node.client());
    return (await browser.login(await browser.open('/myaccount'), username, password)).name;
  }

  test('added on node A: LDAP/bob signs in on node B once the check interval has passed; deleted on A: refused on B', async () => {
    const primary = await createUser(nodeA);
    assert.equal(await signInOn(nodeB, primary.username, primary.password), 'myaccount', 'node B has checked the (empty) definitions');

    const added = await nodeA.client().request(USERSTORES, { method: 'POST', auth: ['admin', 'admin'], json: ldapStoreBody(slapd, 'LDAP') });
    assert.equal(added.status, 201, added.text);
    assert.equal(await signInOn(nodeA, 'LDAP/bob', BOB.password), 'myaccount', 'at once on the node that added it');
    assert.equal(await signInOn(nodeB, 'LDAP/bob', BOB.password), 'login.do', 'node B still within its check interval');
    clockB.advance(CHECK_TTL_MS + 1);
    assert.equal(await signInOn(nodeB, 'LDAP/bob', BOB.password), 'myaccount', 'node B picked the store up');
    const tenant = await tenantOf(nodeB);
    const live = nodeB.services.userStores.storesOf(tenant.id).find((s) => s.domain === 'LDAP')!;

    assert.equal((await nodeA.client().request(`${USERSTORES}/${storeId('LDAP')}`, { method: 'DELETE', auth: ['admin', 'admin'] })).status, 204);
    clockB.advance(CHECK_TTL_MS + 1);
    assert.equal(await signInOn(nodeB, 'LDAP/bob', BOB.password), 'login.do');
    assert.ok(!nodeB.services.userStores.storesOf(tenant.id).includes(live), 'gone from node B');
    assert.equal((await live.health()).status, 'DOWN', 'and closed there');
  });
});
